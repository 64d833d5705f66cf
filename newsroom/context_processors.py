"""Template context for every page."""

from functools import lru_cache

from django.urls import get_script_prefix, reverse


def site_urls(request) -> dict:
    """`site_urls`: the addresses every public page links to (feeds, search, the front page,
    the sitemap), reversed once per script prefix instead of on every page view."""
    return {"site_urls": _site_urls(get_script_prefix())}


@lru_cache(maxsize=8)
def _site_urls(prefix: str) -> dict[str, str]:
    return {
        "front_page": reverse("articles:front_page"),
        "search": reverse("articles:search"),
        "feed": reverse("articles:feed"),
        "feed_atom": reverse("articles:feed_atom"),
        "sitemap": reverse("sitemap"),
    }
