"""Template helpers of the public site: safe URLs, images, videos, canonical links, JSON-LD."""

import json
import time
from functools import lru_cache
from urllib.parse import urlencode, urlsplit

from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from articles import images, videos

register = template.Library()

HEADLINE_MAX_LENGTH = 110  # schema.org / Google's limit for a NewsArticle headline
# An image's `src` when it is cached: browsers that ignore `srcset` get this width.
FALLBACK_WIDTH = 640
# Shown for an uncached image when IMAGES_HOTLINK is off.
PLACEHOLDER = "img/placeholder.svg"
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def http_url(url):
    """`url` when it is an absolute http(s) URL, else "": no `javascript:` in an href."""
    url = (url or "").strip()
    return url if urlsplit(url).scheme.lower() in {"http", "https"} else ""


@register.filter
def relative_time(moment):
    """`naturaltime` ("3 hours ago"), memoised for the current minute: the costliest part of
    showing a time, and a page shows the same stories to every reader. It may be behind by up
    to a minute, as a page kept in the page cache is."""
    if not moment:
        return ""
    return _relative_time(moment, int(time.time() // 60), get_language())


@lru_cache(maxsize=4096)
def _relative_time(moment, minute: int, language: str) -> str:
    return naturaltime(moment)


@register.filter
def image_src(image):
    """Where a browser fetches `image` (an `Image`): our own rendition when it is cached (up to
    `FALLBACK_WIDTH` wide; `image_srcset` offers the others); else its http(s) URL when
    `IMAGES_HOTLINK` is on, or a neutral placeholder when it is off; "" for no image."""
    if not image:  # no image (`|first` of an empty list gives "")
        return ""
    if image.renditions:
        return images.rendition_url(image.renditions, FALLBACK_WIDTH)
    if image.file:
        return image.file.url
    remote = http_url(image.url)
    if remote and not settings.IMAGES_HOTLINK:
        return static(PLACEHOLDER)
    return remote


@register.filter
def image_srcset(image):
    """The `srcset` of a cached `image` (its WebP renditions), else ""."""
    return images.srcset(image.renditions) if image and image.renditions else ""


@register.filter
def logo_src(provider):
    """A provider's logo, as `image_src` does for an image."""
    if provider.logo_renditions:
        return images.rendition_url(provider.logo_renditions, FALLBACK_WIDTH)
    remote = http_url(provider.logo_url)
    return remote if settings.IMAGES_HOTLINK else ""


@register.filter
def logo_srcset(provider):
    return images.srcset(provider.logo_renditions)


@register.filter
def video_thumbnail(article):
    """The YouTube thumbnail of a video article with a valid id, else ""."""
    return videos.thumbnail_url(article.video_id) if article.kind == "video" else ""


@register.filter
def video_embed(article):
    """The youtube-nocookie.com player URL of a video article with a valid id, else ""."""
    return videos.embed_url(article.video_id) if article.kind == "video" else ""


@register.filter
def original_url(article):
    """The story at its outlet (http(s) only): the original URL, else the web URL, else the
    YouTube page of a video."""
    return (
        http_url(article.original_url)
        or http_url(article.web_url)
        or videos.watch_url(article.video_id)
    )


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's canonical address: the path, plus the page number past page 1 and the query
    of a search; no tracking or other parameters."""
    request = context["request"]
    params = []
    if context.get("query"):
        params.append(("q", context["query"]))
    page = context.get("page_obj")
    if page is not None and page.number > 1:
        params.append(("page", page.number))
    path = request.path
    if params:
        path = f"{path}?{urlencode(params)}"
    return request.build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def absolute(context, path):
    """`path` as an absolute URL on this site (for OpenGraph and JSON-LD)."""
    return context["request"].build_absolute_uri(path) if path else ""


@register.simple_tag(takes_context=True)
def news_article_jsonld(context, article, image_url=""):
    """A `<script type="application/ld+json">` with the article as a schema.org NewsArticle.
    JSON-escaped, and `<`, `>`, `&` escaped too, so no text can close the script element."""
    request = context["request"]
    page = request.build_absolute_uri(article.get_absolute_url())
    provider = article.provider
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:HEADLINE_MAX_LENGTH],
        "description": article.excerpt,
        "datePublished": article.published_at.isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "url": page,
        "mainEntityOfPage": page,
        "author": {
            "@type": "Organization",
            "name": provider.name,
            "url": f"https://{provider.domain}/",
        },
        "publisher": {"@type": "Organization", "name": "Newsroom", "url": absolute(context, "/")},
        "keywords": [topic.name for topic in context.get("topics", [])],
    }
    if image_url:
        data["image"] = [absolute(context, image_url)]
    source = original_url(article)
    if source:
        data["isBasedOn"] = source
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308 - escaped above
