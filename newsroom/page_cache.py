"""Readers' pages, kept whole in the cache and always current.

Views that readers see are marked with `@reader_page` (the public pages, feeds, sitemap,
robots.txt). For them, `ReaderPageCacheMiddleware`:

- answers a reader's GET from the cache, without touching the session, the user or the
  database, while the page's content version is current (`newsroom.content`): any committed
  change of content, on any app server, makes the next request render afresh;
- never caches for anyone with a session (editors always see fresh pages), never caches what is
  not a 200 or sets a cookie, and never outlives `PAGE_CACHE_SECONDS` nor the next scheduled
  publication or expiry;
- sends `ETag` and `Last-Modified` with `Cache-Control: no-cache` (browsers and proxies keep
  the page but ask each time) and answers a matching `If-None-Match`/`If-Modified-Since`
  with 304;
- says `X-Page-Cache: hit` or `miss` on readers' pages.

It sits inside the security middleware, so security headers are added to every answer, cached
or not, and outside the session middleware, so a hit costs two cache reads (one round trip when
the version and the pages share Redis).
"""

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import http_date, parse_http_date_safe

from .content import next_schedule_change, with_content_version

KEY_PREFIX = "page:"
# Headers that belong to one answer only, or that the middleware outside adds on the way out.
NOT_STORED = {"set-cookie", "x-page-cache"}


def reader_page(view):
    """`view` as a page for readers: validated with ETag/Last-Modified, and cached for readers
    without a session."""

    @functools.wraps(view)
    def page(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    page.reader_page = True
    return page


class ReaderPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.time()
        key = version = None
        if (
            settings.PAGE_CACHE_SECONDS > 0
            and request.method == "GET"
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        ):
            key = (
                KEY_PREFIX
                + hashlib.md5(
                    request.build_absolute_uri().encode(), usedforsecurity=False
                ).hexdigest()
            )
            version, entry = with_content_version(key)
            if entry is not None and entry[0] == version:
                return _conditional(request, _from_entry(entry))
        response = self.get_response(request)
        if not getattr(request, "is_reader_page", False):
            return response
        if response.status_code != 200 or response.streaming:
            return response
        response.headers["Cache-Control"] = "no-cache"
        # When the page was made, not the newest story's date (feeds and the sitemap send that):
        # unpublishing an older story changes the page without changing the newest date.
        response.headers["Last-Modified"] = http_date(started)
        set_response_etag(response)
        if version is not None:
            response.headers["X-Page-Cache"] = "miss"
            if not response.cookies:
                _store(key, version, response, started=started)
        return _conditional(request, response)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "reader_page", False):
            request.is_reader_page = True


def _store(key, version, response, *, started):
    lifetime = min(
        settings.PAGE_CACHE_SECONDS, next_schedule_change(version, after=started) - started
    )
    if lifetime < 1:
        return
    headers = [
        (name, value) for name, value in response.headers.items() if name.lower() not in NOT_STORED
    ]
    caches["default"].set(key, (version, headers, response.content), timeout=int(lifetime))


def _from_entry(entry):
    _, headers, content = entry
    response = HttpResponse(content, headers=dict(headers))
    response.headers["X-Page-Cache"] = "hit"
    return response


def _conditional(request, response):
    last_modified = response.headers.get("Last-Modified")
    return get_conditional_response(
        request,
        etag=response.headers.get("ETag"),
        last_modified=parse_http_date_safe(last_modified) if last_modified else None,
        response=response,
    )
