"""Readers' pages from the cache, and the content version that keeps them current: every code
path that changes what readers see moves the version when its transaction commits, and the
next request renders afresh. (The suite runs with the page cache off, since a TestCase never
commits; these tests switch it on and run the commit callbacks.)"""

import secrets
import tempfile
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from unittest import mock
from urllib.parse import urlencode

import pytest

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError, connection, transaction
from django.test import Client, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.editing.curation import set_flag
from articles.editing.topics import merge_topics
from articles.models import Article, Topic, TopicRedirect
from articles.public.views import CARDS_PER_PAGE
from articles.seeds import import_paths
from newsroom import cache as resilient
from newsroom import content
from providers.models import Provider
from tests.articles.seeds.builders import write_seed
from tests.factories import make_article, make_articles
from tests.test_faults import closed_port

LOCAL_CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "page-cache-tests",
    },
    "content_version": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "content-version-tests",
    },
}
SECURITY_HEADERS = [
    "Content-Security-Policy",
    "Permissions-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
]


# The version's copy is checked against the database once a minute here, so that counting the
# queries of a cache hit never depends on the speed of the machine.
@override_settings(PAGE_CACHE_SECONDS=60, CACHES=LOCAL_CACHES, CONTENT_VERSION_CHECK_SECONDS=60)
class PageCacheTestCase(TestCase):
    def setUp(self):
        content.version_cache().clear()
        self.client = Client()

    @contextmanager
    def commit(self):
        """A transaction of its own whose commit callbacks run at the end of the block, as at a
        real commit (a TestCase never commits)."""
        with self.captureOnCommitCallbacks(execute=True) as callbacks, transaction.atomic():
            yield callbacks

    def get(self, url, **headers):
        return self.client.get(url, headers=headers)


class ContentVersionTests(PageCacheTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.story = make_article(title="Versioned story", topics=["AI", "ai-old"])

    def assert_bumps(self, change):
        before = content.content_version()
        with self.commit():
            change()
        assert content.content_version() != before

    def test_each_content_change_moves_the_version_on_commit(self):
        """Publishing, unpublishing, featuring (queryset bulk writes), editing (a save),
        merging topics, blocking a provider (`update()`), deleting, importing a file."""
        articles = Article.objects.filter(pk=self.story.pk)
        changes = {
            "unpublish": lambda: set_flag(articles, field="is_published", value=False),
            "publish": lambda: set_flag(articles, field="is_published", value=True),
            "feature": lambda: set_flag(articles, field="is_featured", value=True),
            "edit": lambda: Article.objects.get(pk=self.story.pk).save(),
            "merge": lambda: merge_topics(
                [Topic.objects.get(name="ai-old")], into=Topic.objects.get(name="AI")
            ),
            "block": lambda: Provider.objects.filter(pk=self.story.provider_id).update(
                is_blocked=True
            ),
            "delete": lambda: make_article().delete(),
        }
        for name, change in changes.items():
            with self.subTest(name):
                self.assert_bumps(change)

    def test_an_import_moves_the_version(self):
        with tempfile.TemporaryDirectory() as folder:
            write_seed(Path(folder), "a.md", title="Imported story")
            self.assert_bumps(lambda: import_paths([folder]))


class PageCacheTests(PageCacheTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.story = make_article(title="Cached story", topics=["AI"])
        cls.url = cls.story.get_absolute_url()

    def test_a_readers_page_is_served_from_the_cache_with_its_headers(self):
        first = self.get(self.url)
        assert first["X-Page-Cache"] == "miss"
        with self.assertNumQueries(0):
            again = self.get(self.url)
        assert again["X-Page-Cache"] == "hit"
        assert again.content == first.content
        assert again["Cache-Control"] == "no-cache"
        for header in SECURITY_HEADERS:
            assert again[header] == first[header], header

    def test_unpublishing_shows_on_the_very_next_request(self):
        for url in ["/", self.url, "/topics/ai/", "/feed/", "/sitemap.xml"]:
            self.get(url)
            assert self.get(url)["X-Page-Cache"] == "hit", url
        with self.commit():
            set_flag(Article.objects.filter(pk=self.story.pk), field="is_published", value=False)
        assert self.get(self.url).status_code == 404
        for url in ["/", "/feed/", "/sitemap.xml"]:
            response = self.get(url)
            assert response["X-Page-Cache"] == "miss", url
            assert self.url not in response.content.decode(), url

    def test_an_edit_shows_on_the_next_request(self):
        self.get(self.url)
        with self.commit():
            story = Article.objects.get(pk=self.story.pk)
            story.title = "Edited title"
            story.save()
        assert "Edited title" in self.get(self.url).content.decode()

    def test_editors_always_get_a_fresh_page_and_nothing_is_stored_for_them(self):
        editor = get_user_model().objects.create_superuser("editor", password="x-pass-123456")
        self.client.force_login(editor)
        for _ in range(2):
            response = self.get(self.url)
            assert response.status_code == 200
            assert "X-Page-Cache" not in response
        self.client.logout()
        assert self.get(self.url)["X-Page-Cache"] == "miss"

    def test_the_admin_healthz_and_errors_are_never_cached(self):
        for url in ["/admin/login/", "/healthz", "/no-such-page/", "/articles/nothing-here/"]:
            self.get(url)
            assert "X-Page-Cache" not in self.get(url), url

    def test_etag_and_last_modified_answer_304(self):
        page = self.get(self.url)
        assert page["ETag"] and page["Last-Modified"]
        assert self.get(self.url, if_none_match=page["ETag"]).status_code == 304
        assert self.get(self.url, if_modified_since=page["Last-Modified"]).status_code == 304
        assert self.get(self.url, if_none_match='"other"').status_code == 200
        with self.commit():
            Article.objects.filter(pk=self.story.pk).update(title="Changed")
        assert self.get(self.url, if_none_match=page["ETag"]).status_code == 200

    def test_feeds_are_validated_too(self):
        feed = self.get("/feed/")
        assert self.get("/feed/", if_none_match=feed["ETag"]).status_code == 304

    def test_a_page_does_not_outlive_the_next_scheduled_publication(self):
        soon = timezone.now() + timedelta(seconds=30)
        with self.commit():
            make_article(title="Scheduled", publish_at=soon)
        version = content.content_version()
        now = timezone.now().timestamp()
        assert content.next_schedule_change(version, after=now) == soon.timestamp()
        with override_settings(PAGE_CACHE_SECONDS=600):
            self.get("/")
            key = next(k for k in content.caches["default"]._cache if "page:" in k)
            expires = content.caches["default"]._expire_info[key]
        assert expires <= soon.timestamp() + 1


class ContentVersionCopyTests(PageCacheTestCase):
    """The content version is kept in the database; the cache holds a copy, checked against it
    every `CONTENT_VERSION_CHECK_SECONDS`."""

    CHECK = 0.05

    @classmethod
    def setUpTestData(cls):
        cls.story = make_article(title="Checked story")
        cls.url = cls.story.get_absolute_url()

    def test_a_change_the_cache_missed_shows_once_its_copy_is_checked(self):
        """As when Redis was down or stalled at the commit: the database moved, the copy did
        not."""
        with override_settings(CONTENT_VERSION_CHECK_SECONDS=self.CHECK):
            self.get(self.url)
            time.sleep(self.CHECK)
            with self.assertNumQueries(1):  # the check
                assert self.get(self.url)["X-Page-Cache"] == "hit"
            copy = content.version_cache().get(content.VERSION_KEY)
            with self.commit():
                Article.objects.filter(pk=self.story.pk).update(title="Changed unseen")
            content.version_cache().set(content.VERSION_KEY, copy, timeout=None)
            time.sleep(self.CHECK)
            response = self.get(self.url)
        assert response["X-Page-Cache"] == "miss"
        assert "Changed unseen" in response.content.decode()

    def test_a_lost_copy_is_read_again_from_the_database(self):
        """Evicted, or Redis restarted empty: the pages made under the version it held are
        right while nothing has changed, and never served once something has."""
        self.get(self.url)
        content.version_cache().delete(content.VERSION_KEY)
        with self.assertNumQueries(1):
            assert self.get(self.url)["X-Page-Cache"] == "hit"
        with self.commit():
            Article.objects.filter(pk=self.story.pk).update(title="Changed, copy lost")
        content.version_cache().delete(content.VERSION_KEY)
        assert "Changed, copy lost" in self.get(self.url).content.decode()

    def test_a_version_the_database_did_not_take_is_never_checked_against_it(self):
        """The older version in the database would make the pages before the change current
        again: the copy stays as it is until the next change."""
        with override_settings(CONTENT_VERSION_CHECK_SECONDS=self.CHECK):
            before = content.content_version()
            failing = mock.patch.object(
                content, "_save_version", side_effect=OperationalError("database gone")
            )
            with failing, self.assertLogs("newsroom.content", "ERROR") as logs:
                content.bump_content_version()
            assert "database gone" in logs.output[0]
            after = content.content_version()
            time.sleep(self.CHECK)
            assert content.content_version() == after != before


class PageCacheKeyTests(PageCacheTestCase):
    """A page's cache key is its path and the parameters readers' pages read
    (`PAGE_CACHE_KEPT_PARAMS`), sorted: links carrying tracking or made-up parameters, and
    cookies that name no session, get the cached page instead of rendering one each."""

    @classmethod
    def setUpTestData(cls):
        cls.story = make_article(title="Shared story", topics=["AI"])
        make_articles(CARDS_PER_PAGE, topics=["AI"])
        Topic.objects.create(name="Robots")
        TopicRedirect.objects.create(old_slug="old-ai", topic=Topic.objects.get(name="AI"))

    def test_tracking_and_unknown_parameters_are_cache_hits(self):
        for url in ["/", self.story.get_absolute_url(), "/topics/ai/", "/feed/"]:
            assert self.get(f"{url}?utm_source=first")["X-Page-Cache"] == "miss", url
            for _ in range(5):
                junk = secrets.token_hex(4)
                query = urlencode({f"utm_{junk}": junk, "fbclid": junk, "gclid": junk, junk: junk})
                with self.assertNumQueries(0):
                    response = self.get(f"{url}?{query}")
                assert response["X-Page-Cache"] == "hit", (url, query)
            assert self.get(url)["X-Page-Cache"] == "hit", url

    def test_the_parameters_pages_read_stay_distinct_keys_in_any_order(self):
        for url in ["/search/?q=shared", "/search/?q=story", "/?page=2", "/search/?q=s&page=1"]:
            assert self.get(url)["X-Page-Cache"] == "miss", url
        assert self.get("/search/?q=story")["X-Page-Cache"] == "hit"
        assert self.get("/search/?page=1&utm_medium=x&q=s")["X-Page-Cache"] == "hit"
        assert self.get("/?page=2&fbclid=x")["X-Page-Cache"] == "hit"
        assert self.get("/sitemap-articles.xml?p=1")["X-Page-Cache"] == "miss"
        assert self.get("/sitemap-articles.xml")["X-Page-Cache"] == "miss"

    def test_a_page_sees_only_the_parameters_it_reads(self):
        """Its links are the same whatever tracking parameters the first reader came with."""
        page = self.get("/?page=2&utm_source=newsletter&ref=x").content.decode()
        assert 'href="?page=1"' in page
        assert "utm_source" not in page
        assert "ref=x" not in page

    def test_redirects_keep_the_query_they_were_given(self):
        response = self.get("/topics/old-ai/?utm_source=newsletter&page=2")
        assert response.status_code == 301
        assert response["Location"] == "/topics/ai/?utm_source=newsletter&page=2"

    def test_a_cookie_that_names_no_session_is_a_reader(self):
        """A value Django never makes costs nothing; a well-formed key that names no session
        costs one lookup, remembered for the next requests."""
        url = self.story.get_absolute_url()
        well_formed = secrets.token_hex(16)
        for cookie in ["x", "bogus-" + "a" * 40, well_formed]:
            client = Client()
            client.cookies[settings.SESSION_COOKIE_NAME] = cookie
            content.caches["default"].clear()
            assert client.get(url)["X-Page-Cache"] == "miss", cookie
            with self.assertNumQueries(0):
                response = client.get(url)
            assert response["X-Page-Cache"] == "hit", cookie
            assert not response.cookies, cookie

    def test_a_real_session_still_gets_a_fresh_page(self):
        """Even when the page is in the cache for readers."""
        url = self.story.get_absolute_url()
        self.get(url)
        session = SessionStore()
        session["seen"] = True
        session.create()
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200
            assert "X-Page-Cache" not in response


class AdminDashboardTests(PageCacheTestCase):
    def test_its_counts_are_read_once_per_content_change(self):
        make_article(title="Draft", is_published=False)
        editor = get_user_model().objects.create_superuser("editor", password="x-pass-123456")
        self.client.force_login(editor)

        def dashboard():
            with CaptureQueriesContext(connection) as queries:
                html = self.get("/admin/").content.decode()
            return html.split("Newsroom today")[1], [q["sql"] for q in queries]

        def counts(queries):
            return [sql for sql in queries if "COUNT(" in sql.upper()]

        first, queries = dashboard()
        assert len(counts(queries)) == 4  # articles, live articles, providers, topics
        assert "Unpublished</a></th><td>1</td>" in first
        again, queries = dashboard()
        assert again == first
        assert counts(queries) == []
        with self.commit():
            set_flag(Article.objects.filter(title="Draft"), field="is_published", value=True)
        after, queries = dashboard()
        assert len(counts(queries)) == 4
        assert "Unpublished</a></th><td>0</td>" in after
        assert "Live for readers</a></th><td>1</td>" in after


@pytest.mark.django_db
def test_with_redis_down_pages_come_from_the_database():
    resilient._state.update(down_until=0.0, logged_at=None)
    story = make_article(title="From the database")
    client = Client(raise_request_exception=False)
    with closed_port() as port:
        redis = {
            "default": {
                "BACKEND": "newsroom.cache.ResilientRedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}/5",
            }
        }
        with override_settings(PAGE_CACHE_SECONDS=60, CACHES=redis):
            for _ in range(3):
                response = client.get(story.get_absolute_url())
                assert response.status_code == 200
                assert "From the database" in response.content.decode()
                assert "X-Page-Cache" not in response
            assert client.get("/").status_code == 200
    resilient._state.update(down_until=0.0, logged_at=None)
