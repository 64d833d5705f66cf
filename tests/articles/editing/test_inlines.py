"""An article's images and related stories in its change form (`articles.editing.inlines`)."""

import re

from django.test import TestCase
from django.urls import reverse

from articles.models import Article, Image, RelatedLink
from tests.articles.editing.helpers import change_form_data, make_editor
from tests.factories import make_article, make_cluster_article, make_provider


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


class ClusterFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()
        outlets = [make_provider(name=f"Outlet {n}") for n in range(32)]
        cls.small = make_cluster_article(related_providers=outlets[:3], images=2)
        cls.large = make_cluster_article(related_providers=outlets, images=2)

    def setUp(self):
        self.client.force_login(self.editor)

    def test_the_form_costs_the_same_queries_for_3_related_stories_as_for_32(self):
        """11 queries: the session, the user, the article, the editor's permissions (two),
        its topics, its images, its related stories with their outlets, their pictures, the
        article's outlet (its reader status) and that outlet in its autocomplete. A related
        story's outlet is shown from its row, not looked up again."""
        self.client.get(change_url(self.small))  # content types, cached once per process
        for article in [self.small, self.large]:
            with self.assertNumQueries(11):
                response = self.client.get(change_url(article))
            html = response.content.decode()
            count = article.related_links.count()
            assert html.count('class="nr-row-title"') == count + 2  # and the two images
            for link in article.related_links.select_related("provider"):
                option = f'<option value="{link.provider_id}" selected>{link.provider}</option>'
                assert option in html

    def test_a_related_story_in_a_row_with_its_fields_under_edit(self):
        """Its title (a link to the outlet's page), outlet, time and picture in one line; every
        field still in the form, position included (the order without JavaScript)."""
        html = self.client.get(change_url(self.small)).content.decode()
        link = self.small.related_links.select_related("provider").get(position=1)
        row = html.split('id="related_links-1"')[1].split('id="related_links-2"')[0]
        picture = link.images.get()
        assert f'<img class="nr-thumb" src="{picture.url}"' in row
        assert (
            f'<a class="nr-row-title" href="{link.web_url}" target="_blank" '
            f'rel="noopener noreferrer">{link.title}</a>'
        ) in row
        assert f"{link.provider.name} · <time datetime=" in row
        fields = row.split('<details class="nr-row-fields">')[1]
        for name in ["title", "web_url", "provider", "published_at", "kind", "quality", "position"]:
            assert f'name="related_links-1-{name}' in fields, name
        assert '<button type="button" class="nr-handle"' in row and " hidden>" in row

    def test_a_long_cluster_offers_show_all_after_its_first_rows(self):
        """Past `shown_first` rows the list has a "Show all" button (hidden until the script
        folds the rest away; without JavaScript every row shows)."""
        small = self.client.get(change_url(self.small)).content.decode()
        large = self.client.get(change_url(self.large)).content.decode()
        assert 'data-shown-first="8"' in large
        button = '<button type="button" class="button nr-show-all" hidden>'
        assert f"{button}Show all 32 related stories</button>" in large
        assert "nr-show-all" not in small
        assert len(re.findall(r'id="related_links-\d+"', large)) == 32

    def test_positions_typed_in_the_form_set_the_order(self):
        """The way without JavaScript (the script writes the same fields when rows are
        dragged)."""
        first, second, third = self.small.related_links.order_by("position")
        data = change_form_data(
            self.client,
            self.small,
            **{"related_links-0-position": 2, "related_links-2-position": 0},
        )
        response = self.client.post(change_url(self.small), data)
        assert response.status_code == 302
        ordered = RelatedLink.objects.filter(article=self.small).order_by("position")
        assert list(ordered) == [third, second, first]
        assert Article.objects.get(pk=self.small.pk).edited_fields == ["related_links"]

    def test_a_changed_outlet_that_fails_validation_shows_the_outlet_chosen(self):
        """A row sent back with errors shows the outlet the editor picked, not the row's."""
        other = make_provider(name="Picked outlet")
        data = change_form_data(
            self.client,
            self.small,
            **{"related_links-0-provider": other.pk, "related_links-0-title": ""},
        )
        html = self.client.post(change_url(self.small), data).content.decode()
        row = html.split('id="related_links-0"')[1].split('id="related_links-1"')[0]
        assert f'<option value="{other.pk}" selected>Picked outlet</option>' in row
        assert '<details class="nr-row-fields" open>' in row


class ImageRowTests(TestCase):
    def test_an_image_in_a_row_with_its_size_and_caching_failure(self):
        editor = make_editor()
        article = make_article(images=1)
        Image.objects.filter(article=article).update(
            width=1200, height=800, alt="A harbour", failure="timeout: no answer in 10 s"
        )
        self.client.force_login(editor)
        html = self.client.get(change_url(article)).content.decode()
        row = html.split('id="images-0"')[1].split('id="images-empty"')[0]
        assert f'<img class="nr-preview" src="{article.web_url}/image-0.jpg" alt="A harbour"' in row
        assert "1200 \N{MULTIPLICATION SIGN} 800 · “A harbour”" in row
        assert "Caching failed: timeout: no answer in 10 s" in row
        for name in ["url", "upload", "alt", "width", "height", "position"]:
            assert f'name="images-0-{name}"' in row, name
