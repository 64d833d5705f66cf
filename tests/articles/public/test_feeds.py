"""RSS and Atom feeds, site-wide, per topic and per provider; and the sitemap."""

import xml.etree.ElementTree as ET
from unittest.mock import patch

import pytest

from django.test import TestCase

from articles.public.sitemaps import ArticleSitemap
from tests.factories import make_article, make_articles, make_provider

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def parse(xml: bytes):
    return ET.fromstring(xml)  # noqa: S314 - our own response, not untrusted input


class FeedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.provider = make_provider(name="Daily Planet", domain="dailyplanet.example")
        cls.article = make_article(
            title='<script>alert("x")</script> Facial recognition',
            excerpt="Police & cameras",
            original_url="https://dailyplanet.example/original",
            provider=cls.provider,
            topics=["AI"],
            images=1,
            secured="TOP-SECRET-VALUE",
        )
        cls.other = make_article(title="Elsewhere", topics=["Robots"])
        make_article(title="Unpublished one", topics=["AI"], is_published=False)
        make_article(title="Blocked one", topics=["AI"], provider=make_provider(is_blocked=True))

    def test_a_merged_topics_feeds_redirect_to_the_topic_it_became(self):
        """Readers subscribed to a merged topic's feed keep getting stories."""
        from articles.editing.topics import merge_topics
        from articles.models import Topic

        merge_topics([Topic.objects.get(name="Robots")], into=Topic.objects.get(name="AI"))
        for old, new in [
            ("/topics/robots/feed/", "/topics/ai/feed/"),
            ("/topics/robots/feed/atom/", "/topics/ai/feed/atom/"),
        ]:
            response = self.client.get(old)
            assert (response.status_code, response["Location"]) == (301, new)
        assert self.client.get("/topics/never-a-topic/feed/").status_code == 404

    def rss_items(self, url):
        response = self.client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/rss+xml")
        assert b"TOP-SECRET-VALUE" not in response.content
        return parse(response.content).findall("./channel/item")

    def test_site_rss_has_original_link_excerpt_and_image_enclosure(self):
        items = self.rss_items("/feed/")
        assert [item.findtext("title") for item in items] == [self.article.title, "Elsewhere"]
        item = items[0]
        assert item.findtext("link") == "https://dailyplanet.example/original"
        assert item.findtext("description") == "Police &amp; cameras"  # HTML for "&"
        assert item.findtext("category") == "AI"
        enclosure = item.find("enclosure")
        assert enclosure.get("url") == f"{self.article.web_url}/image-0.jpg"
        assert enclosure.get("type") == "image/jpeg"

    def test_titles_are_escaped_as_xml_text(self):
        raw = self.client.get("/feed/").content.decode()
        assert "<script>" not in raw
        assert "&lt;script&gt;" in raw

    def test_excerpts_reach_feed_readers_as_text(self):
        """An RSS description and an Atom summary are HTML to a feed reader; an excerpt is
        text, so a tag in it (the importer turns `&lt;iframe…&gt;` into `<iframe…>`) arrives
        escaped and shows as the tag's text, not as an iframe."""
        self.article.excerpt = "Watch <iframe src=x></iframe> & read"
        self.article.save()
        shown = "Watch &lt;iframe src=x&gt;&lt;/iframe&gt; &amp; read"
        for url in ["/feed/", "/topics/ai/feed/", "/providers/dailyplanet-example/feed/"]:
            (item,) = [i for i in self.rss_items(url) if i.findtext("title") == self.article.title]
            assert item.findtext("description") == shown, url
        for url in ["/feed/atom/", "/topics/ai/feed/atom/"]:
            root = parse(self.client.get(url).content)
            (summary,) = [
                entry.find(f"{ATOM}summary")
                for entry in root.findall(f"{ATOM}entry")
                if entry.findtext(f"{ATOM}title") == self.article.title
            ]
            assert summary.get("type") == "html"
            assert summary.text == shown, url

    def test_site_atom(self):
        response = self.client.get("/feed/atom/")
        assert response["Content-Type"].startswith("application/atom+xml")
        entries = parse(response.content).findall(f"{ATOM}entry")
        assert len(entries) == 2
        links = {e.find(f"{ATOM}link").get("href") for e in entries}
        assert "https://dailyplanet.example/original" in links

    def test_topic_feeds_hold_only_that_topic(self):
        titles = [i.findtext("title") for i in self.rss_items("/topics/ai/feed/")]
        assert titles == [self.article.title]
        atom = parse(self.client.get("/topics/ai/feed/atom/").content)
        assert [e.findtext(f"{ATOM}title") for e in atom.findall(f"{ATOM}entry")] == titles
        assert self.client.get("/topics/nothing/feed/").status_code == 404

    def test_provider_feeds_hold_only_that_provider(self):
        titles = [
            i.findtext("title") for i in self.rss_items("/providers/dailyplanet-example/feed/")
        ]
        assert titles == [self.article.title]
        response = self.client.get("/providers/dailyplanet-example/feed/atom/")
        assert response.status_code == 200

    def test_blocked_provider_feed_is_404(self):
        blocked = make_provider(is_blocked=True)
        assert self.client.get(f"/providers/{blocked.slug}/feed/").status_code == 404


class SitemapTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_article(topics=["AI"])
        cls.hidden = make_article(is_published=False, topics=["Hidden topic"])
        cls.blocked = make_article(provider=make_provider(is_blocked=True))

    def urls(self, path):
        response = self.client.get(path)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/xml"
        root = parse(response.content)
        return {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in root}

    def test_the_index_names_each_section_with_its_latest_change(self):
        newest = self.article.published_at.isoformat()
        assert self.urls("/sitemap.xml") == {
            "http://testserver/sitemap-articles.xml": newest,
            "http://testserver/sitemap-topics.xml": newest,
            "http://testserver/sitemap-providers.xml": newest,
        }

    def test_sections_list_published_articles_topics_and_providers(self):
        urls = {
            **self.urls("/sitemap-articles.xml"),
            **self.urls("/sitemap-topics.xml"),
            **self.urls("/sitemap-providers.xml"),
        }
        lastmod = self.article.published_at.isoformat()
        assert urls[f"http://testserver{self.article.get_absolute_url()}"] == lastmod
        assert urls["http://testserver/topics/ai/"] == lastmod
        assert urls[f"http://testserver{self.article.provider.get_absolute_url()}"] == lastmod
        for hidden in (self.hidden, self.blocked):
            assert f"http://testserver{hidden.get_absolute_url()}" not in urls
        assert "http://testserver/topics/hidden-topic/" not in urls
        assert f"http://testserver{self.blocked.provider.get_absolute_url()}" not in urls
        assert len(urls) == 3
        assert self.client.get("/sitemap-nothing.xml").status_code == 404


class SitemapPagesTests(TestCase):
    """A section holds at most `limit` URLs: the index names every page, each page its own."""

    @classmethod
    def setUpTestData(cls):
        cls.articles = make_articles(5)

    def test_pages_of_a_section(self):
        with patch.object(ArticleSitemap, "limit", 2):
            index = self.client.get("/sitemap.xml").content.decode()
            pages = [self.client.get(f"/sitemap-articles.xml?p={n}") for n in (1, 2, 3)]
            assert self.client.get("/sitemap-articles.xml?p=4").status_code == 404
        for n in (2, 3):
            assert f"http://testserver/sitemap-articles.xml?p={n}" in index
        assert "sitemap-articles.xml?p=4" not in index
        shown = [u.findtext(f"{SITEMAP}loc") for page in pages for u in parse(page.content)]
        newest_first = sorted(self.articles, key=lambda a: a.published_at, reverse=True)
        assert shown == [f"http://testserver{a.get_absolute_url()}" for a in newest_first]


@pytest.mark.parametrize("count", [1, 48])
@pytest.mark.django_db
def test_feeds_and_sitemap_cost_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    make_articles(count, topics=["AI", "Vision"], images=1, related=3)
    for url, queries in {
        "/feed/": 3,
        "/feed/atom/": 3,
        "/topics/ai/feed/": 4,
        "/sitemap.xml": 6,
        "/sitemap-articles.xml": 2,
        "/sitemap-topics.xml": 2,
        "/sitemap-providers.xml": 2,
    }.items():
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200
