"""The public pages: front page, article page, topic, category and search pages."""

import json
import re
from datetime import timedelta
from unittest import mock

import pytest

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Image, RelatedLink
from tests.factories import make_article, make_articles, make_cluster_article, make_provider

HOSTILE = '<script>alert("x")</script> & Co'


def jsonld(response):
    """The parsed NewsArticle JSON-LD of a page."""
    html = response.content.decode()
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD on the page"
    return json.loads(match.group(1))


class FrontPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        now = timezone.now()
        cls.provider = make_provider(name="Daily Planet", domain="dailyplanet.example")
        cls.featured = make_article(
            title="Editors pinned this", is_featured=True, published_at=now - timedelta(days=30)
        )
        cls.hot = make_article(
            title="Hot story",
            heat=200,
            published_at=now - timedelta(hours=10),
            provider=cls.provider,
            topics=["Computer Vision", "AI"],
            images=1,
        )
        Image.objects.filter(article=cls.hot).update(width=770, height=513)
        cls.fresh = make_article(title="Fresh cold story", heat=0, published_at=now)
        cls.hidden = make_article(title="Not published", is_published=False)

    def test_featured_first_then_heat_and_recency(self):
        """Featured wins; heat 200 (20 hours) beats a fresher cold story."""
        html = self.client.get("/").content.decode()
        order = [html.index(t) for t in ("Editors pinned this", "Hot story", "Fresh cold story")]
        assert order == sorted(order)

    def test_unpublished_articles_are_not_listed(self):
        assert b"Not published" not in self.client.get("/").content

    def test_card_shows_image_source_time_and_topics(self):
        """A card carries its image with its size, provider name and domain, a `<time>` with the
        exact time, and its topics as links."""
        html = self.client.get("/").content.decode()
        assert 'width="770" height="513"' in html
        assert f'src="{self.hot.web_url}/image-0.jpg"' in html
        assert "Daily Planet" in html and "dailyplanet.example" in html
        assert f'<time datetime="{self.hot.published_at.isoformat()}"' in html
        assert 'href="/topics/computer-vision/">Computer Vision</a>' in html
        assert 'href="/topics/ai/">AI</a>' in html
        assert 'alt="Hot story"' in html

    def test_cards_below_the_fold_load_lazily(self):
        """The images of the first four cards load at once; the rest only when scrolled to."""
        make_articles(6, images=1, published_at=timezone.now() - timedelta(hours=5))
        html = self.client.get("/").content.decode()
        cards = html.split('<li class="card')[1:]
        images = [re.search(r"<img [^>]*>", card) for card in cards]
        assert len(cards) == 9
        assert not any("loading=" in image.group() for image in images[:4] if image)
        assert all('loading="lazy"' in image.group() for image in images[4:] if image)
        assert sum(1 for image in images[4:] if image) >= 4

    def test_pagination_has_rel_links_and_404_past_the_end(self):
        make_articles(30)
        first = self.client.get("/").content.decode()
        assert first.count('<li class="card') == 24
        assert '<link rel="next" href="?page=2">' in first
        assert 'rel="prev"' not in first
        second = self.client.get("/?page=2").content.decode()
        assert '<link rel="prev" href="?page=1">' in second
        assert 'rel="next"' not in second
        assert '<link rel="canonical" href="http://testserver/?page=2">' in second
        assert self.client.get("/?page=3").status_code == 404
        assert self.client.get("/?page=nope").status_code == 404

    def test_seo_tags(self):
        html = self.client.get("/?utm_source=x").content.decode()
        assert "<title>Newsroom</title>" in html
        assert '<meta name="description" content="' in html
        assert '<link rel="canonical" href="http://testserver/">' in html
        assert '<meta property="og:title" content="Newsroom">' in html
        assert '<meta name="twitter:card" content="summary">' in html

    def test_landmarks_skip_link_and_one_h1(self):
        html = self.client.get("/").content.decode()
        assert html.count("<h1") == 1
        for landmark in ("<header", "<main", "<footer", 'role="search"', 'href="#main"'):
            assert landmark in html


class RelatedOnCardsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.outlets = [make_provider(name=f"Outlet {c}") for c in "ABCDE"]
        cls.article = make_cluster_article(title="Clustered", related_providers=cls.outlets)

    def test_card_shows_top_three_related_with_their_provider(self):
        html = self.client.get("/").content.decode()
        for outlet in self.outlets[:3]:
            assert f"{outlet.name} on story {self.article.pk}" in html
        assert f"Outlet D on story {self.article.pk}" not in html

    def test_related_link_goes_to_our_page_when_we_publish_that_story(self):
        link = RelatedLink.objects.get(article=self.article, position=0)
        ours = make_article(title="We hold this one", web_url=link.web_url)
        html = self.client.get("/").content.decode()
        assert f'<a href="{ours.get_absolute_url()}">{link.title}</a>' in html
        assert f'href="{link.web_url}"' not in html

    def test_related_link_with_tracking_parameters_still_finds_our_page(self):
        """Related URLs are matched by their canonical form, as articles are identified."""
        ours = make_article(
            title="Canonical match",
            web_url="https://news.example/story",
            canonical_url="https://news.example/story",
        )
        RelatedLink.objects.filter(article=self.article, position=0).update(
            web_url="HTTPS://News.Example/story?utm_source=feed#top"
        )
        html = self.client.get("/").content.decode()
        assert f'<a href="{ours.get_absolute_url()}">Outlet A on story' in html

    def test_related_link_goes_to_the_outlet_when_our_copy_is_unpublished(self):
        link = RelatedLink.objects.get(article=self.article, position=0)
        make_article(title="Held back", web_url=link.web_url, is_published=False)
        html = self.client.get("/").content.decode()
        assert f'<a href="{link.web_url}" rel="noopener">' in html

    def test_related_from_blocked_provider_or_pointing_at_itself_is_hidden(self):
        self.outlets[0].is_blocked = True
        self.outlets[0].save()
        RelatedLink.objects.filter(article=self.article, position=1).update(
            web_url=self.article.web_url
        )
        html = self.client.get("/").content.decode()
        assert "Outlet A on story" not in html
        assert "Outlet B on story" not in html
        assert "Outlet C on story" in html

    def test_javascript_urls_are_never_links(self):
        RelatedLink.objects.filter(article=self.article, position=0).update(
            web_url="javascript:alert(1)"
        )
        html = self.client.get("/").content.decode()
        assert "javascript:" not in html
        assert "Outlet A on story" in html


class ArticlePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.outlets = [make_provider(name=f"Outlet {n}") for n in range(6)]
        cls.article = make_cluster_article(
            title="The big story",
            excerpt="What happened, briefly.",
            related_providers=cls.outlets,
            topics=["AI"],
            images=1,
            amp_url="https://amp.example/big",
            original_url="https://origin.example/big",
            secured="TOP-SECRET-VALUE",
        )
        cls.sibling = make_article(title="Another AI story", topics=["AI"])
        cls.url = cls.article.get_absolute_url()

    def test_shows_the_story_and_a_read_at_link(self):
        html = self.client.get(self.url).content.decode()
        assert '<h1 id="story-title">The big story</h1>' in html
        assert "What happened, briefly." in html
        assert (
            f'<a class="read-at" href="https://origin.example/big" rel="noopener">'
            f"Read at {self.article.provider.name}"
        ) in html
        assert '<link rel="amphtml" href="https://amp.example/big">' in html
        assert html.count("<h1") == 1

    def test_shows_the_whole_cluster_with_images(self):
        html = self.client.get(self.url).content.decode()
        assert "6 related stories" in html
        for position, outlet in enumerate(self.outlets):
            assert f"{outlet.name} on story {self.article.pk}" in html
            assert f"img-{self.article.pk}-{position}.jpg" in html

    def test_more_on_topic(self):
        html = self.client.get(self.url).content.decode()
        assert 'More on <a href="/topics/ai/">AI</a>' in html
        assert "Another AI story" in html

    def test_seo_tags_and_news_article_jsonld(self):
        html = self.client.get(self.url).content.decode()
        assert f'<link rel="canonical" href="http://testserver{self.url}">' in html
        assert '<meta property="og:type" content="article">' in html
        assert '<meta property="og:title" content="The big story">' in html
        assert '<meta name="twitter:card" content="summary_large_image">' in html
        data = jsonld(self.client.get(self.url))
        assert data["@type"] == "NewsArticle"
        assert data["headline"] == "The big story"
        assert data["url"] == f"http://testserver{self.url}"
        assert data["isBasedOn"] == "https://origin.example/big"
        assert data["image"] == [f"{self.article.web_url}/image-0.jpg"]

    def test_unpublished_removed_blocked_scheduled_and_expired_articles_are_404(self):
        hidden = make_article(is_published=False)
        removed = make_article(is_removed=True)
        blocked = make_article(provider=make_provider(is_blocked=True))
        later = make_article(publish_at=timezone.now() + timedelta(days=1))
        expired = make_article(expires_at=timezone.now() - timedelta(minutes=1))
        for article in (hidden, removed, blocked, later, expired):
            assert self.client.get(article.get_absolute_url()).status_code == 404

    def test_unknown_slug_is_a_friendly_404(self):
        response = self.client.get("/articles/no-such-story/")
        assert response.status_code == 404
        assert "find that page" in response.content.decode()

    def test_secured_never_appears(self):
        assert b"TOP-SECRET-VALUE" not in self.client.get(self.url).content

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statements")
    def test_postgresql_plans_a_story_page_once_per_connection(self):
        # Settings bind parameters on the server, so psycopg prepares a statement on its sixth
        # run: the page's reads are then planned once per connection, not on every request.
        for _ in range(6):
            assert self.client.get(self.url).status_code == 200
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = " ".join(row[0] for row in cursor.fetchall())
        assert "FROM articles_article a" in prepared
        assert "FROM articles_relatedlink link" in prepared


class VideoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.video = make_article(
            title="Trailer",
            kind="video",
            video_id="dQw4w9WgXcQ",
            web_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            original_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            extra={"featuredContent": '<iframe src="https://evil.example/x"></iframe>'},
        )

    def test_card_shows_the_video_thumbnail(self):
        html = self.client.get("/").content.decode()
        assert 'src="https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg"' in html

    def test_page_shows_the_thumbnail_until_then(self):
        html = self.client.get(self.video.get_absolute_url()).content.decode()
        assert (
            '<img src="https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg" alt="Trailer"'
            ' width="480" height="360" referrerpolicy="no-referrer">'
        ) in html

    def test_page_embeds_the_nocookie_player_only_on_click(self):
        """The player URL is built from the id; the page holds no iframe until the reader
        clicks play (video.js), and never the seed file's raw HTML."""
        html = self.client.get(self.video.get_absolute_url()).content.decode()
        assert 'data-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"' in html
        assert "<iframe" not in html
        assert "evil.example" not in html
        assert "js/video.js" in html

    def test_an_invalid_video_id_embeds_nothing(self):
        bad = make_article(kind="video", video_id='x" onload="alert(1)')
        html = self.client.get(bad.get_absolute_url()).content.decode()
        assert "youtube-nocookie" not in html
        assert "onload" not in html


class ListingPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.provider = make_provider(name="Government Technology", domain="govtech.com")
        make_articles(3, provider=cls.provider, topics=["AI"])
        make_article(title="Other topic", topics=["Robots"])
        make_article(title="A stat page", category="stats")
        make_article(title="Hidden AI", topics=["AI"], is_published=False)

    def test_topic_page(self):
        response = self.client.get("/topics/ai/")
        html = response.content.decode()
        assert "<h1>AI</h1>" in html
        assert "3 stories" in html
        assert "Other topic" not in html and "Hidden AI" not in html
        assert 'href="/topics/ai/feed/"' in html

    def test_provider_page(self):
        html = self.client.get("/providers/govtech-com/").content.decode()
        assert "<h1>Government Technology</h1>" in html
        assert "govtech.com" in html and "3 stories" in html

    def test_provider_page_shows_its_logo(self):
        """Our renditions of the logo when stored, 48 pixels high; else no logo, or the seed
        file's URL when images are hot-linked."""
        url = "/providers/govtech-com/"
        assert "provider-logo" not in self.client.get(url).content.decode()
        self.provider.logo_url = "https://govtech.com/logo.png"
        self.provider.save()
        with self.settings(IMAGES_HOTLINK=True):
            assert (
                '<h1><img class="provider-logo" src="https://govtech.com/logo.png" alt=""'
                ' height="48" referrerpolicy="no-referrer"> Government Technology</h1>'
            ) in self.client.get(url).content.decode()
        self.provider.logo_renditions = [
            {"width": 48, "height": 48, "name": "renditions/logo-48.webp"},
            {"width": 96, "height": 96, "name": "renditions/logo-96.webp"},
        ]
        self.provider.save()
        assert (
            '<img class="provider-logo" src="/media/renditions/logo-96.webp"'
            ' srcset="/media/renditions/logo-48.webp 48w, /media/renditions/logo-96.webp 96w"'
            ' sizes="3rem" alt="" height="48" referrerpolicy="no-referrer">'
        ) in self.client.get(url).content.decode()

    def test_category_page(self):
        html = self.client.get("/category/stats/").content.decode()
        assert "<h1>Stats</h1>" in html and "1 story" in html
        assert "A stat page" in html and "Other topic" not in html

    def test_unknown_or_hidden_listings_are_404(self):
        blocked = make_provider(is_blocked=True)
        make_article(provider=blocked)
        for url in (
            "/topics/nothing/",
            "/category/nothing/",
            f"/providers/{blocked.slug}/",
            "/providers/nobody/",
        ):
            assert self.client.get(url).status_code == 404, url

    def test_a_topic_or_outlet_with_no_published_story_is_404_and_so_are_its_feeds(self):
        """Like a category: a topic or an outlet all of whose stories are hidden (unpublished,
        scheduled, from a blocked outlet) answers 404, pages and feeds, without its name."""
        quiet = make_provider(name="Quiet Outlet", domain="quiet.example")
        make_article(provider=quiet, topics=["Secret plans"], is_published=False)
        make_article(
            provider=quiet, topics=["Secret plans"], publish_at=timezone.now() + timedelta(days=1)
        )
        make_article(topics=["Secret plans"], provider=make_provider(is_blocked=True))
        for url in [
            "/topics/secret-plans/",
            "/topics/secret-plans/feed/",
            "/topics/secret-plans/feed/atom/",
            "/providers/quiet-example/",
            "/providers/quiet-example/feed/",
            "/providers/quiet-example/feed/atom/",
        ]:
            response = self.client.get(url)
            assert response.status_code == 404, url
            assert "Secret plans" not in response.content.decode(), url
            assert "Quiet Outlet" not in response.content.decode(), url
        make_article(provider=quiet, topics=["Secret plans"])
        for url in ["/topics/secret-plans/", "/providers/quiet-example/feed/atom/"]:
            assert self.client.get(url).status_code == 200, url


class EscapingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_article(title=f"{HOSTILE} zebra", excerpt=HOSTILE, topics=[HOSTILE])

    def test_hostile_title_is_text_on_every_page(self):
        for url in ("/", self.article.get_absolute_url(), "/search/?q=zebra"):
            html = self.client.get(url).content.decode()
            assert "<script>alert" not in html, url
            assert "&lt;script&gt;alert" in html, url

    def test_hostile_title_is_escaped_in_jsonld(self):
        response = self.client.get(self.article.get_absolute_url())
        raw = re.search(
            r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
        ).group(1)
        assert "<" not in raw and "&" not in raw
        assert jsonld(response)["headline"] == f"{HOSTILE} zebra"


class SearchTests(TestCase):
    """Search works on both databases: full text on PostgreSQL, words on SQLite."""

    @classmethod
    def setUpTestData(cls):
        cls.govtech = make_provider(name="Government Technology", domain="govtech.com")
        make_article(title="Police use facial recognition", provider=cls.govtech)
        make_article(title="Quiet day", excerpt="Nothing about elections happened.")
        make_article(title="Robots everywhere", topics=["Robotics"])
        make_article(title="Secret facial recognition draft", is_published=False)
        make_article(
            title="Facial recognition at a blocked outlet", provider=make_provider(is_blocked=True)
        )

    def search(self, q):
        response = self.client.get("/search/", {"q": q})
        assert response.status_code == 200
        return response.content.decode()

    def test_matches_title_excerpt_provider_and_topic(self):
        assert "Police use facial recognition" in self.search("facial recognition")
        assert "Quiet day" in self.search("elections")
        assert "Police use facial recognition" in self.search("Government Technology")
        assert "Robots everywhere" in self.search("Robotics")

    def test_unpublished_and_blocked_never_match(self):
        html = self.search("facial recognition")
        assert "1 result" in html
        assert "Secret facial" not in html and "blocked outlet" not in html

    def test_empty_query_shows_the_form_only(self):
        html = self.search("   ")
        assert "<h1>Search</h1>" in html
        assert '<li class="card' not in html and "result" not in html

    def test_over_long_query_is_refused_politely(self):
        html = self.search("facial " * 40)
        assert "too long" in html
        assert '<li class="card' not in html

    def test_query_is_kept_in_the_box_escaped(self):
        html = self.search('"><b>x')
        assert 'value="&quot;&gt;&lt;b&gt;x"' in html
        assert "<b>x" not in html

    def test_results_are_paginated_keeping_the_query(self):
        make_articles(25, title="Facial recognition again")
        html = self.search("facial")
        assert "26 results" in html
        assert 'href="?q=facial&amp;page=2"' in html
        assert '<meta name="robots" content="noindex">' in html

    def test_no_results_says_so(self):
        assert "No stories match your search" in self.search("zebra")


class SearchWindowTests(TestCase):
    """Search ranks and counts only the newest `SEARCH_WINDOW` matches (3 here), so a word found
    in the whole archive costs no more than a window's worth."""

    @classmethod
    def setUpTestData(cls):
        now = timezone.now()
        cls.oldest = make_article(
            title="Glacier melt glacier", published_at=now - timedelta(days=30), heat=500
        )
        cls.newer = [
            make_article(title=f"Glacier news {day}", published_at=now - timedelta(days=day))
            for day in range(1, 6)
        ]

    def setUp(self):
        for module in ("articles.models", "articles.public.views"):
            patcher = mock.patch(f"{module}.SEARCH_WINDOW", 3)
            patcher.start()
            self.addCleanup(patcher.stop)

    def test_a_large_match_set_answers_with_a_bounded_count_and_the_newest_matches(self):
        with CaptureQueriesContext(connection) as queries:
            html = self.client.get("/search/", {"q": "glacier"}).content.decode()
        assert "3 or more results: the newest 3 are shown" in html
        assert html.count('<li class="card') == 3
        assert all(f"Glacier news {day}<" in html for day in (1, 2, 3))
        assert "Glacier news 4" not in html and "Glacier melt" not in html
        count = next(q["sql"] for q in queries if "COUNT(" in q["sql"])
        assert "LIMIT 3" in count

    def test_within_the_window_the_count_is_exact(self):
        html = self.client.get("/search/", {"q": "glacier melt"}).content.decode()
        assert "1 result" in html and "or more" not in html
        assert "Glacier melt glacier" in html

    def test_queryset_search_returns_the_window_best_first(self):
        found = list(Article.objects.published().search("glacier"))
        assert set(found) == set(self.newer[:3])

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statements")
    def test_postgresql_plans_each_search_for_its_words(self):
        """A search's statements are never prepared (a generic plan, chosen after five runs of
        a prepared one, took twice as long), while other pages' are."""
        for _ in range(7):
            assert self.client.get("/search/", {"q": "glacier"}).status_code == 200
            assert self.client.get("/").status_code == 200
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [row[0] for row in cursor.fetchall()]
        assert any("ORDER BY" in statement for statement in prepared)  # the front page's
        assert not any("search_vector" in statement for statement in prepared)
        assert connection.connection.prepare_threshold == 5  # restored after each search


@pytest.mark.parametrize("count", [1, 48])
@pytest.mark.django_db
def test_pages_cost_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    """Each page costs the same queries for 1 card as for 48, at most 8 (and fewer here)."""
    articles = make_articles(count, topics=["AI", "Vision"], images=1, related=3)
    article = articles[0]
    pages = {
        "/": 6,
        "/?page=2" if count > 24 else "/": 6,
        article.get_absolute_url(): 6,
        "/topics/ai/": 7,
        article.provider.get_absolute_url(): 7,
        "/category/news/": 6,
        "/search/?q=story": 6,
    }
    for url, queries in pages.items():
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert response.status_code == 200, url
    html = client.get("/").content.decode()
    assert html.count('<li class="card') == min(count, 24)
