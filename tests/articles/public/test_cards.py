"""The card grid and an article page's cluster (`articles.public.cards`, rendered from the
Jinja2 partials in `templates/jinja2/public/`): every value escaped, URLs equal to `reverse()`'s,
and the markup the partials and the story page write each in their own place held equal."""

import re
from datetime import timedelta
from unittest import mock

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Image, RelatedLink, Topic
from articles.public import cards
from articles.public.cards import _relative_time, relative_time, render_cards, render_cluster
from articles.public.links import SlugPaths
from articles.public.selectors import (
    attach_topics_and_lead_image,
    card_rows,
    load_cards,
    load_cluster,
    more_on_topic,
    topics_of,
)
from tests.factories import make_article, make_articles, make_provider
from tests.plans import indexes_used

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
        cards = load_cards(card_rows(Article.objects.published().ranked()))
        return cards, render_cards(cards)

    def test_video_card_is_featured_with_its_thumbnail_and_badges(self):
        articles, html = self.cards()
        assert articles[0].pk == self.video.pk
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
        # MarkupSafe's entities (Jinja2's escaping), where Django's escape writes &quot; &#x27;.
        assert "&lt;b&gt;&#34;Bold&#34; &amp; &#39;co&#39;&lt;/b&gt;" in html

    def test_only_the_first_four_images_load_eagerly(self):
        """Five cards with pictures: the fifth is lazy, the first four are not."""
        _, html = self.cards()
        assert html.count(' loading="lazy"') == 1
        assert html.count('<li class="card') == 5
        assert html.count('href="/topics/ai/">AI</a>') == 4


class OutletPagesTests(TestCase):
    """Outlet pages are read off `article_provider_ranking`: the public order, page by page."""

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
        assert "article_provider_ranking" in indexes_used(first.context["page_obj"].object_list)


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
        assert "&lt;b&gt;&#34;Bold&#34;" in html and "<b>" not in html
        assert "javascript:" not in html
        assert 'rel="noopener">Related 1 of' in html
        assert html.count('class="cluster-thumb"') == 2
        assert "<span>on Newsroom</span>" not in html


class SharedMarkupTests(TestCase):
    """A related story's title, a `<time>` and an image's `<img>` attributes are written out both
    in the card grid's partial and in the cluster's (a macro call per card costs the grid
    0.1 ms), and the story page's lead image by the `{% picture %}` tag: the copies say the
    same."""

    RENDITIONS = [
        {"width": 320, "height": 200, "name": "renditions/a-320.webp"},
        {"width": 640, "height": 400, "name": "renditions/a-640.webp"},
    ]

    @classmethod
    def setUpTestData(cls):
        ours = make_article(title="Ours")
        cls.article = make_article(title="Shared", images=1, related=3)
        links = list(RelatedLink.objects.filter(article=cls.article).order_by("position"))
        links[1].web_url = "javascript:alert(1)"  # shown as text, not as a link
        links[2].web_url = ours.web_url  # our page
        for link in links:
            link.title = HOSTILE
            link.published_at = cls.article.published_at
            link.save()

    def set_images(self, **fields):
        fields["url"] = "https://images.example/shared.jpg"
        Image.objects.filter(article=self.article).update(**fields)
        Image.objects.filter(related_link__article=self.article).update(**fields)

    def render(self):
        cards = load_cards(card_rows(Article.objects.filter(pk=self.article.pk)))
        return render_cards(cards), render_cluster(load_cluster(self.article))

    def test_related_titles_and_times(self):
        card, cluster = self.render()
        titles = re.findall(r"<li>(.*?) <span class=\"source-name\">", card)
        assert titles == re.findall(r"<h3>(.*?)</h3>", cluster)
        assert [title.startswith("<a href=") for title in titles] == [True, False, True]
        assert 'rel="noopener"' in titles[0] and "rel=" not in titles[2]
        times = re.findall(r"<time [^>]*>[^<]*</time>", card)
        assert len(times) == 1
        assert re.findall(r"<time [^>]*>[^<]*</time>", cluster) == times * 3

    def test_image_attributes(self):
        """With renditions and a size, and with a width alone (no size is said)."""
        story_page = self.article.get_absolute_url()
        for fields in (
            {"renditions": self.RENDITIONS, "width": 640, "height": 400, "alt": "A & B"},
            {"renditions": [], "width": 640, "height": None, "alt": "A & B"},
        ):
            self.set_images(**fields)
            card, cluster = self.render()
            story = self.client.get(story_page).content.decode()
            card_img = re.findall(r"<img [^>]*>", card)
            story_img = re.findall(r"<img [^>]*>", story.split('class="cluster"')[0])
            cluster_img = re.findall(r"<img [^>]*>", cluster)
            assert len(card_img) == len(story_img) == 1 and len(cluster_img) == 3
            shared = {
                attributes(image, "src", "srcset", "alt", "width", "height")
                for image in [*card_img, *story_img, *cluster_img]
            }
            assert len(shared) == 1
            assert ("srcset" in card_img[0]) is bool(fields["renditions"])
            assert ("width" in card_img[0]) is bool(fields["height"])


def attributes(tag: str, *names: str) -> tuple:
    """The values of `names` in an HTML start tag (None for a missing one)."""
    found = dict(re.findall(r' ([a-z]+)="([^"]*)"', tag))
    return tuple(found.get(name) for name in names)


class LoadCardsTests(TestCase):
    """`load_cards`: what a card shows beyond the article's row, in a fixed number of queries."""

    def assert_cards_cost(self, count):
        make_articles(count, topics=["Robots", "AI"], images=2, related=5)
        # articles+provider, topics, lead images, related links (+provider), our own pages.
        with self.assertNumQueries(5):
            cards = load_cards(card_rows(Article.objects.published()))
        assert len(cards) == count
        for card in cards:
            assert card.provider.name
            topics = [(t.name, t.slug) for t in card.card_topics]
            assert topics == [("AI", "ai"), ("Robots", "robots")]
            assert card.lead_image.url.endswith("/image-0.jpg")
            assert [link.title.split()[1] for link in card.cluster] == ["0", "1", "2"]
            assert all(link.provider.name for link in card.cluster)

    def test_one_article(self):
        self.assert_cards_cost(1)

    def test_fifty_articles(self):
        self.assert_cards_cost(50)

    def test_the_first_three_links_a_reader_may_see(self):
        """Links to the story itself and to blocked outlets are left out before the three are
        taken; an article without images or links has none."""
        article = make_article(related=6)
        links = list(RelatedLink.objects.filter(article=article).order_by("position"))
        links[0].web_url = article.web_url + "?utm_source=feed"
        links[0].save()
        links[2].provider = make_provider(is_blocked=True)
        links[2].save()
        bare = make_article()
        cards = load_cards(card_rows(Article.objects.filter(pk__in=[article.pk, bare.pk])))
        by_pk = {card.pk: card for card in cards}
        assert [link.title.split()[1] for link in by_pk[article.pk].cluster] == ["1", "3", "4"]
        assert by_pk[bare.pk].lead_image is None
        assert by_pk[bare.pk].cluster == [] and by_pk[bare.pk].card_topics == []

    def test_a_large_cluster_is_read_only_as_far_as_a_card_needs(self):
        article = make_article(related=40, images=20)
        with CaptureQueriesContext(connection) as queries:
            cards = load_cards(card_rows(Article.objects.filter(pk=article.pk)))
        assert len(cards[0].cluster) == 3
        assert cards[0].lead_image.url.endswith("/image-0.jpg")
        bounded = [q["sql"] for q in queries if "LIMIT 8" in q["sql"]]
        assert len(bounded) == 2  # the images and the related links

    def test_topics_and_lead_image_of_model_instances(self):
        """What feeds use: the same topics and lead image on `Article` instances."""
        make_articles(3, topics=["AI"], images=2, related=2)
        articles = list(Article.objects.all())
        with self.assertNumQueries(2):
            attach_topics_and_lead_image(articles)
        for article in articles:
            assert [topic.name for topic in article.card_topics] == ["AI"]
            assert article.lead_image.url.endswith("/image-0.jpg")

    def test_cluster_of_an_article_page(self):
        """`load_cluster`: every link a reader may see, in order, with its outlet, time and
        first image; the article's own first image; our page for a story we publish."""
        ours = make_article()
        article = make_article(images=2, related=4)
        links = list(RelatedLink.objects.filter(article=article).order_by("position"))
        links[1].provider = make_provider(is_blocked=True)
        links[1].save()
        links[3].web_url = ours.web_url
        links[3].published_at = timezone.now()
        links[3].save()
        with self.assertNumQueries(3):
            cluster = load_cluster(article)
        assert [link.title for link in cluster] == [links[0].title, links[2].title, links[3].title]
        assert all(link.image.url.endswith(".jpg") for link in cluster)
        assert cluster[0].provider.domain == links[0].provider.domain
        assert article.lead_image.url.endswith("/image-0.jpg")
        assert cluster[2].local_url == ours.get_absolute_url()
        assert cluster[2].published_at == links[3].published_at


def test_relative_time_is_naturaltime_memoised_for_the_minute():
    """Asked twice in one minute, `relative_time` computes once; in the next minute, again.
    The minute is `time.time()`'s, frozen here: a real clock could turn between the calls."""
    moment = timezone.now() - timedelta(hours=3, minutes=10)
    clock = mock.Mock(time=mock.Mock(return_value=1_700_000_000.0))
    with mock.patch.object(cards, "time", clock):
        before = _relative_time.cache_info()
        assert relative_time(moment) == naturaltime(moment) == "3\xa0hours ago"
        assert relative_time(moment) == "3\xa0hours ago"
        assert _relative_time.cache_info().hits == before.hits + 1
        clock.time.return_value += 60
        assert relative_time(moment) == "3\xa0hours ago"
        after = _relative_time.cache_info()
        assert (after.hits, after.misses) == (before.hits + 1, before.misses + 2)
    assert relative_time(None) == ""


class MoreOnTopicTests(TestCase):
    """The "more on this topic" list, read in plain SQL, shows what readers may see of it.
    (`PUBLISHED_SQL` itself is held to `published()` in tests/articles/test_visibility.py.)"""

    @classmethod
    def setUpTestData(cls):
        now = timezone.now()
        blocked = make_provider(is_blocked=True)
        states = [
            {},
            {"is_published": False},
            {"is_removed": True},
            {"publish_at": now + timedelta(hours=1)},
            {"publish_at": now - timedelta(hours=1)},
            {"expires_at": now - timedelta(hours=1)},
            {"expires_at": now + timedelta(hours=1)},
            {"publish_at": now - timedelta(hours=2), "expires_at": now + timedelta(hours=2)},
            {"provider": blocked},
        ]
        cls.articles = [make_article(topics=["AI"], **state) for state in states]

    def test_more_on_topic_is_ranked_in_topic_without_the_article(self):
        featured = make_article(topics=["AI"], is_featured=True)
        article = self.articles[0]
        topic = next(t for t in topics_of(article) if t.name == "AI")
        assert topic.url == "/topics/ai/"
        expected = list(
            Article.objects.published()
            .ranked_in_topic(Topic.objects.get(name="AI"))
            .exclude(pk=article.pk)
            .values_list("slug", flat=True)
        )
        shown = [item["url"] for item in more_on_topic(article, topic, 10)]
        assert shown == [f"/articles/{slug}/" for slug in expected]
        assert shown[0] == featured.get_absolute_url() and len(shown) == 4
        assert more_on_topic(article, topic, 1)[0]["outlet"] == featured.provider.name
