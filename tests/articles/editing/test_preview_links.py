"""The admin links a story's public page as "View on site" only while readers may see it, and
as "Preview" (the same address, which staff may open) otherwise: in the list's links column
and on the change form."""

import re
from datetime import timedelta

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from tests.articles.editing.helpers import make_editor
from tests.factories import make_article

CHANGELIST = reverse("admin:articles_article_changelist")


class PreviewLinkTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()
        cls.live = make_article(title="Live story")
        cls.hidden = [
            make_article(title="Scheduled story", publish_at=timezone.now() + timedelta(days=1)),
            make_article(title="Unpublished story", is_published=False),
        ]

    def setUp(self):
        self.client.force_login(self.editor)

    def site_links(self, html) -> dict[str, str]:
        """The public page's links on a page: {address: words}."""
        links = re.findall(r'<a href="(/articles/[^"]+)"[^>]*>([^<]+)</a>', html)
        return dict(links)

    def test_the_list_says_view_on_site_for_live_rows_and_preview_for_the_others(self):
        links = self.site_links(self.client.get(CHANGELIST).content.decode())
        assert links[self.live.get_absolute_url()] == "View on site"
        for story in self.hidden:
            assert links[story.get_absolute_url()] == "Preview", story.title

    def test_the_change_form_offers_view_on_site_or_preview(self):
        def object_tools(story):
            url = reverse("admin:articles_article_change", args=[story.pk])
            html = self.client.get(url).content.decode()
            return html.split('<ul class="object-tools">')[1].split("</ul>")[0]

        tools = object_tools(self.live)
        url = self.live.get_absolute_url()
        assert f'<a href="{url}" class="viewsitelink">View on site' in tools
        assert "Preview" not in tools
        for story in self.hidden:
            tools = object_tools(story)
            assert f'<a href="{story.get_absolute_url()}" class="viewsitelink">Preview' in tools
            assert "View on site" not in tools
            assert "History" in tools
