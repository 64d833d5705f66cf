"""Readers' pages with a Redis of the test's own (`tests.redis_server`): a Redis that stalls
while a story is unpublished."""

import signal
import time
from contextlib import contextmanager

from django.test import Client, override_settings

from articles.editing.curation import set_flag
from articles.models import Article
from newsroom import cache as resilient
from tests.factories import make_article
from tests.redis_server import needs_redis_server, own_redis
from tests.test_cache import PageCacheTestCase

pytestmark = needs_redis_server
CHECK_SECONDS = 1.0


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
                        # A new connection (new cache instances) in the first case.
                        with override_settings(CACHES=redis_caches(location)), self.commit():
                            set_flag(
                                Article.objects.filter(pk=story.pk),
                                field="is_published",
                                value=False,
                            )
                        time.sleep(CHECK_SECONDS)
                    resilient._state.update(down_until=0.0)
                    assert self.get(page).status_code == 404
