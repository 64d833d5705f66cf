"""The card grid written out in Python (`articles.cards`): the same markup the template wrote,
every value escaped, URLs equal to `reverse()`'s."""

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from articles.cards import SlugPaths, render_cards
from articles.clusters import prepare_cards
from articles.models import Article, RelatedLink
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


class RankIdsFirstTests(TestCase):
    """Outlet pages rank the ids alone in a subquery, then read the page's rows: the same cards,
    in the same order, in the same number of queries."""

    @classmethod
    def setUpTestData(cls):
        cls.provider = make_provider()
        cls.articles = [make_article(provider=cls.provider, heat=n % 5) for n in range(30)]

    def test_pages_follow_the_public_order(self):
        ranked = list(
            Article.objects.published()
            .filter(provider=self.provider)
            .ranked()
            .values_list("pk", flat=True)
        )
        url = self.provider.get_absolute_url()
        with self.assertNumQueries(6):
            first = self.client.get(url)
        second = self.client.get(f"{url}?page=2")
        shown = [a.pk for a in first.context["articles"]] + [
            a.pk for a in second.context["articles"]
        ]
        assert shown == ranked
        assert "IN (SELECT" in str(first.context["articles"].query)


class RenderClusterTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_article(related=2)
        RelatedLink.objects.filter(article=cls.article, position=0).update(
            title=HOSTILE, web_url="javascript:alert(1)", published_at=timezone.now()
        )

    def test_items_are_escaped_with_safe_links_and_lazy_thumbnails(self):
        response = self.client.get(self.article.get_absolute_url())
        html = response.content.decode()
        assert html.count('<li class="cluster-item">') == 2
        assert "&lt;b&gt;&quot;Bold&quot;" in html and "<b>" not in html
        assert "javascript:" not in html
        assert 'rel="noopener">Related 1 of' in html
        assert html.count('class="cluster-thumb"') == 2
        assert "<span>on Newsroom</span>" not in html
