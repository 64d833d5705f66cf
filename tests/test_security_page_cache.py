"""The optional page cache (PAGE_CACHE_SECONDS): readers' pages come from the cache, with
every security header; nothing of the admin or an editor's is ever kept; with Redis out of
reach, pages come from the database."""

import pytest

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client, override_settings

from newsroom import cache as resilient
from tests.factories import make_article
from tests.test_faults import closed_port

WITH_PAGE_CACHE = [
    *settings.MIDDLEWARE[
        : settings.MIDDLEWARE.index("newsroom.middleware.RejectNulMiddleware") + 1
    ],
    "django.middleware.cache.UpdateCacheMiddleware",
    *settings.MIDDLEWARE[
        settings.MIDDLEWARE.index("newsroom.middleware.RejectNulMiddleware") + 1 :
    ],
    "django.middleware.cache.FetchFromCacheMiddleware",
]


def page_cache(cache_settings):
    return override_settings(
        MIDDLEWARE=WITH_PAGE_CACHE,
        CACHE_MIDDLEWARE_SECONDS=30,
        CACHE_MIDDLEWARE_KEY_PREFIX="page",
        CACHES=cache_settings,
    )


@pytest.fixture
def local_page_cache():
    with page_cache(
        {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "page-cache-tests",
            }
        }
    ):
        yield
        cache.clear()


@pytest.mark.django_db
def test_a_public_page_is_served_from_the_cache_with_its_headers(
    local_page_cache, django_assert_num_queries
):
    story = make_article(title="Cached story")
    client = Client()
    first = client.get(story.get_absolute_url())
    assert first["Cache-Control"] == "max-age=30"
    with django_assert_num_queries(0):
        again = client.get(story.get_absolute_url())
    assert again.content == first.content
    for header in [
        "Content-Security-Policy",
        "Permissions-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
    ]:
        assert again[header] == first[header], header


@pytest.mark.django_db
def test_the_admin_healthz_and_errors_are_never_cached(local_page_cache):
    user = get_user_model().objects.create_superuser("editor", password="x-pass-123456")
    client = Client()
    client.force_login(user)
    for path in ["/admin/", "/admin/login/", "/healthz", "/no-such-page/"]:
        client.get(path)
    assert not any(key.startswith(":1:page") for key in cache._cache), list(cache._cache)
    assert client.get("/admin/")["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_with_redis_down_pages_come_from_the_database(django_assert_max_num_queries):
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
        with page_cache(redis):
            for _ in range(3):
                response = client.get(story.get_absolute_url())
                assert response.status_code == 200
                assert "From the database" in response.content.decode()
            assert client.get("/").status_code == 200
    resilient._state.update(down_until=0.0, logged_at=None)
