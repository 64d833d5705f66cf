"""The change form's Curation section: date pickers that stay on the fields an editor owns."""

import re

from django.test import TestCase
from django.urls import reverse

from articles.models import Article
from tests.articles.editing.helpers import make_editor
from tests.factories import make_article


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


class CurationFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()
        cls.article = make_article()

    def setUp(self):
        self.client.force_login(self.editor)

    def test_editor_owned_dates_keep_their_calendar_and_clock(self):
        """A date or time the editor owns is marked as theirs by adding a class: the
        `vDateField`/`vTimeField` classes the admin's calendar and clock look for stay."""
        Article.objects.filter(pk=self.article.pk).update(
            edited_fields=["published_at", "publish_at"]
        )
        html = self.client.get(change_url(self.article)).content.decode()
        for name in ["published_at", "publish_at"]:
            date = re.search(rf'<input [^>]*name="{name}_0"[^>]*>', html).group()
            time = re.search(rf'<input [^>]*name="{name}_1"[^>]*>', html).group()
            assert 'class="vDateField editor-owned"' in date, date
            assert 'class="vTimeField editor-owned"' in time, time
        # Not owned: unmarked; the calendar and clock's scripts are on the page.
        assert 'name="expires_at_0" class="vDateField" ' in html
        assert "admin/js/calendar.js" in html
        assert "admin/js/admin/DateTimeShortcuts.js" in html
