"""The public site's template library (`{% load public_site %}`, registered in settings): the
filters are the plain functions of the public wing and the images wing; the tags need the
request (canonical and absolute URLs, JSON-LD) or write an `<img>` through the site's one
`<img>` macro (`img`, `picture`)."""

import json
from urllib.parse import urlencode

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.images.markup import image_src, image_srcset, logo_src, logo_srcset
from articles.seeds.text import http_url

from .cards import img, relative_time
from .links import original_url
from .videos import video_embed, video_thumbnail

HEADLINE_MAX_LENGTH = 110  # schema.org / Google's limit for a NewsArticle headline
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}

register = template.Library()
for _filter in (
    http_url,
    relative_time,
    image_src,
    image_srcset,
    logo_src,
    logo_srcset,
    video_thumbnail,
    video_embed,
    original_url,
):
    register.filter(_filter.__name__, _filter)


register.simple_tag(img, name="img")


@register.simple_tag
def picture(image, alt, sizes, **attributes):
    """`image` (an `Image`) as `img` says it on a card: our renditions as its `srcset` (with
    `sizes`) when they are stored, its size only when both width and height are known, `alt`
    when the image has none of its own."""
    sized = bool(image.width and image.height)
    return img(
        image_src(image),
        image.alt or alt,
        srcset=image_srcset(image),
        sizes=sizes,
        width=image.width if sized else None,
        height=image.height if sized else None,
        **attributes,
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
