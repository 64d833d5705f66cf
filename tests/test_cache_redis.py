"""Readers' pages with a Redis of the test's own (`tests.redis_server`): a Redis that stalls
while a story is unpublished, and a Redis full to its `maxmemory`."""

import signal
import time
from contextlib import contextmanager
from urllib.parse import urlencode

import redis

from django.test import Client, override_settings

from articles.editing.curation import set_flag
from articles.models import Article
from articles.public.views import CARDS_PER_PAGE
from newsroom import cache as resilient
from tests.factories import make_article
from tests.redis_server import needs_redis_server, own_redis
from tests.test_cache import PageCacheTestCase

pytestmark = needs_redis_server
CHECK_SECONDS = 1.0
FILL = 90
# Words every story of the full grid has in its title.
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"]


def redis_caches(url: str) -> dict:
    """The site's cache on `url`, with socket timeouts short enough for a test to wait out."""
    return {
        "default": {
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


@contextmanager
def stalled(server):
    """Redis paused (SIGSTOP) for the block: it accepts connections and reads nothing."""
    server.send_signal(signal.SIGSTOP)
    try:
        yield
    finally:
        server.send_signal(signal.SIGCONT)


@override_settings(CONTENT_VERSION_CHECK_SECONDS=CHECK_SECONDS)
class StalledRedisTests(PageCacheTestCase):
    def setUp(self):
        resilient._state.update(down_until=0.0, logged_at=None)
        self.addCleanup(resilient._state.update, down_until=0.0, logged_at=None)
        self.client = Client()

    def test_a_story_unpublished_while_redis_stalls_is_gone_once_it_answers(self):
        """The version bump Redis missed is not lost: the database has it, and once Redis
        answers, the page cached before the change is not served again, by an app server that
        never saw the stall either, as soon as the copy of the version in Redis is due for its
        check (`CONTENT_VERSION_CHECK_SECONDS`; here the stall outlasts it). Redis misses the
        bump when the editor's server connects to it during the stall (the connection's
        handshake times out), or had seen it time out just before."""
        for case in ["connects during the stall", "saw Redis time out"]:
            with self.subTest(case), own_redis() as (server, location):
                story = make_article(title=f"Unpublished in a stall: {case}")
                page = story.get_absolute_url()
                with override_settings(CACHES=redis_caches(location)):
                    self.get(page)
                    assert self.get(page)["X-Page-Cache"] == "hit"
                    with stalled(server):
                        if case == "saw Redis time out":
                            assert "X-Page-Cache" not in self.get("/")  # from the database
                        # New cache instances: the editor's server opens a new connection.
                        with override_settings(CACHES=redis_caches(location)), self.commit():
                            set_flag(
                                Article.objects.filter(pk=story.pk),
                                field="is_published",
                                value=False,
                            )
                        time.sleep(CHECK_SECONDS)
                    resilient._state.update(down_until=0.0)
                    assert self.get(page).status_code == 404


PAGE_SLACK_BYTES = 64 * 1024


class FullRedisTests(PageCacheTestCase):
    """README "Deploying": Redis with a `maxmemory` and `maxmemory-policy allkeys-lru`. Full,
    it drops the least recently used pages to take new ones; the version's copy, read on every
    request, stays, and pages and changes work as before."""

    @classmethod
    def setUpTestData(cls):
        cls.story = make_article(title="Kept in a full cache")
        for n in range(CARDS_PER_PAGE):
            make_article(title=f"{' '.join(WORDS)} {n}")

    def test_a_full_redis_evicts_old_pages_and_keeps_working(self):
        policy = ("--maxmemory", "2mb", "--maxmemory-policy", "allkeys-lru")
        with own_redis(*policy) as (_, location), override_settings(CACHES=redis_caches(location)):
            queries = fill_queries()
            for query in queries:
                response = self.get(f"/search/?{urlencode({'q': query})}")
                assert response["X-Page-Cache"] == "miss", query
                assert response.content.count(b"<article") == CARDS_PER_PAGE
            stats = redis.Redis.from_url(location).info()
            assert stats["evicted_keys"] > 0
            # Redis evicts before each write, so the last one may overshoot by about its own
            # size (one stored page): bounded, not growing with the number of pages.
            assert stats["used_memory"] <= stats["maxmemory"] + PAGE_SLACK_BYTES
            oldest = [self.get(f"/search/?{urlencode({'q': q})}") for q in queries[:10]]
            assert [r["X-Page-Cache"] for r in oldest].count("miss") >= 5

            url = self.story.get_absolute_url()
            assert self.get(url)["X-Page-Cache"] == "miss"
            assert self.get(url)["X-Page-Cache"] == "hit"
            with self.commit():
                set_flag(
                    Article.objects.filter(pk=self.story.pk), field="is_published", value=False
                )
            assert self.get(url).status_code == 404

    def test_a_full_redis_that_refuses_writes_costs_no_error(self):
        """Redis's own default policy, `noeviction`, refuses writes once full: pages are then
        made and not stored (logged once a minute), and what is stored is still served."""
        resilient._state.update(full_logged_at=None)
        self.addCleanup(resilient._state.update, full_logged_at=None)
        with (
            own_redis("--maxmemory", "2mb") as (_, location),
            override_settings(CACHES=redis_caches(location)),
        ):
            queries = [f"/search/?{urlencode({'q': query})}" for query in fill_queries()]
            with self.assertLogs("newsroom.cache", "ERROR") as logs:
                for url in queries:
                    assert self.get(url).status_code == 200
            assert len(logs.output) == 1
            assert "cache full" in logs.output[0]
            assert self.get(queries[0])["X-Page-Cache"] == "hit"
            assert self.get(queries[-1])["X-Page-Cache"] == "miss"


def fill_queries() -> list[str]:
    """Searches with a full page of results each (the stories of `FullRedisTests`): every
    query names some of the words those stories share, so each is a page of its own."""
    return [
        " ".join(word for bit, word in enumerate(WORDS) if n >> bit & 1) for n in range(1, FILL + 1)
    ]
