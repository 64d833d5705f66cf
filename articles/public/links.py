"""Addresses readers follow: our pages by slug, reversed once per listing, and a story's page at
its outlet."""

from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse

from articles.seeds.text import http_url, youtube_watch_url

_SLUG = "__slug__"


class SlugPaths:
    """`path(slug)` is `reverse(view_name, kwargs={"slug": slug})`, without resolving the URL
    configuration for every object: the URL is reversed once around a placeholder."""

    def __init__(self, view_name: str):
        self.prefix, self.suffix = reverse(view_name, kwargs={"slug": _SLUG}).split(_SLUG)

    def __call__(self, slug: str) -> str:
        return f"{self.prefix}{slug}{self.suffix}"


def slug_paths(view_name: str) -> SlugPaths:
    """`SlugPaths(view_name)`, reversed once per URL configuration and script prefix (a listing
    asks for three: reversing them on every page view cost a tenth of a millisecond)."""
    return _slug_paths(view_name, get_urlconf(), get_script_prefix())


@lru_cache(maxsize=64)
def _slug_paths(view_name: str, urlconf, prefix: str) -> SlugPaths:
    return SlugPaths(view_name)


def article_paths() -> SlugPaths:
    return slug_paths("articles:detail")


def original_url(article) -> str:
    """The story at its outlet (http(s) only): the original URL, else the web URL, else the
    YouTube page of a video."""
    return (
        http_url(article.original_url)
        or http_url(article.web_url)
        or youtube_watch_url(article.video_id)
    )
