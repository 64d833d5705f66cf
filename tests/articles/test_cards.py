"""The card grid written out in Python (`articles.cards`): the same markup the template wrote,
every value escaped, URLs equal to `reverse()`'s."""

from django.test import TestCase
from django.urls import reverse

from articles.cards import SlugPaths, render_cards
from articles.clusters import prepare_cards
from articles.models import Article
from tests.factories import make_article, make_provider

HOSTILE = "<b>\"Bold\" & 'co'</b>"


def test_slug_paths_match_reverse():
    """A path built from the reversed prefix is the one `reverse()` gives, for every card URL."""
    for view_name in ("articles:detail", "articles:topic", "providers:detail"):
        assert SlugPaths(view_name)("some-slug_2") == reverse(
            view_name, kwargs={"slug": "some-slug_2"}
        )


class RenderCardsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        provider = make_provider(name=HOSTILE, domain="bold.example")
        cls.video = make_article(
            title=HOSTILE, kind="video", video_id="dQw4w9WgXcQ", is_featured=True, provider=provider
        )
        cls.others = [make_article(images=1, related=1, topics=["AI"]) for _ in range(4)]

    def cards(self):
        articles = list(Article.objects.published().ranked().for_cards())
        prepare_cards(articles)
        return articles, render_cards(articles)

    def test_video_card_is_featured_with_its_thumbnail_and_badges(self):
        articles, html = self.cards()
        assert articles[0] == self.video
        assert '<li class="card card--featured">' in html
        assert 'src="https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg"' in html
        assert (
            '<span class="badge">Featured</span> <span class="badge badge--video">Video</span>'
            in html
        )
        assert f'href="{self.video.get_absolute_url()}"' in html

    def test_every_value_is_escaped(self):
        _, html = self.cards()
        assert "<b>" not in html
        assert "&lt;b&gt;&quot;Bold&quot; &amp; &#x27;co&#x27;&lt;/b&gt;" in html

    def test_only_the_first_four_images_load_eagerly(self):
        """Five cards with pictures: the fifth is lazy, the first four are not."""
        _, html = self.cards()
        assert html.count(' loading="lazy"') == 1
        assert html.count('<li class="card') == 5
        assert html.count('href="/topics/ai/">AI</a>') == 4
