"""Readers' pages, kept whole in the cache and always current.

Views that readers see are marked with `@reader_page` (the public pages, feeds, sitemap,
robots.txt). For them, `ReaderPageCacheMiddleware`:

- answers a reader's GET from the cache, without touching the session, the user or the
  database, while the page's content version is current (`newsroom.content`): any committed
  change of content, on any app server, makes the next request render afresh;
- keys a page by its path and the query parameters readers' pages read
  (`PAGE_CACHE_KEPT_PARAMS`), sorted; every other parameter (`utm_*`, `fbclid`, made-up ones)
  is left out of the key and out of what the page sees (`request.GET`), so a link carrying
  them gets the cached page, and one page's links never carry another reader's parameters;
- never caches for anyone with a session (editors always see fresh pages): a session cookie
  counts only when it names a stored session (a value Django never makes is no session, and a
  well-formed key that names none is remembered for `NO_SESSION_SECONDS`); never caches what
  is not a 200 or sets a cookie (deleting a session cookie aside), and never outlives
  `PAGE_CACHE_SECONDS` nor the next scheduled publication or expiry;
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
import re
import time
from importlib import import_module
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError
from django.http import HttpResponse, QueryDict
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import http_date, parse_http_date_safe

from .content import next_schedule_change, with_content_version

KEY_PREFIX = "page:"
# Headers that belong to one answer only, or that the middleware outside adds on the way out.
NOT_STORED = {"set-cookie", "x-page-cache"}
# The session keys Django makes: 32 lowercase letters and digits. A cookie of any other shape
# names no session, and is not even looked up.
SESSION_KEY = re.compile(r"[a-z0-9]{32}")
NO_SESSION_PREFIX = "no-session:"
# How long a well-formed session key that names no session is remembered as such. Django never
# adopts a key a client sends, so such a key never comes to name a session: this only bounds
# the memory the answers take.
NO_SESSION_SECONDS = 300


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
        self.session_store = import_module(settings.SESSION_ENGINE).SessionStore

    def __call__(self, request):
        started = time.time()
        key = version = reader = None
        if settings.PAGE_CACHE_SECONDS > 0 and request.method == "GET":
            key = page_key(request)
            version, entry = with_content_version(key)
            if entry is not None and entry[0] == version:
                reader = self.is_reader(request)
                if reader:
                    return _conditional(request, _from_entry(entry))
        response = self.get_response(request)
        if not getattr(request, "is_reader_page", False):
            return response
        if response.status_code != 200 or response.streaming or _private(response):
            return response
        response.headers["Cache-Control"] = "no-cache"
        # When the page was made, not the newest story's date (feeds and the sitemap send that):
        # unpublishing an older story changes the page without changing the newest date.
        response.headers["Last-Modified"] = http_date(started)
        set_response_etag(response)
        if version is not None:
            if reader is None:
                reader = self.is_reader(request)
            if reader:
                response.headers["X-Page-Cache"] = "miss"
                if not _sets_cookies(response):
                    _store(key, version, response, started=started)
        return _conditional(request, response)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "reader_page", False):
            request.is_reader_page = True
            # The page is made from the parameters its key holds, and no others.
            request.GET = QueryDict(kept_query(request.GET))

    def is_reader(self, request) -> bool:
        """Whether `request` comes without a session: with no session cookie, or one that names
        no stored session. A well-formed key that names none costs one look-up and is then
        remembered (`NO_SESSION_SECONDS`); when the sessions cannot be read, the request counts
        as an editor's (its page is made afresh, and not stored)."""
        session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if session_key is None or not SESSION_KEY.fullmatch(session_key):
            return True
        cache = caches["default"]
        marker = NO_SESSION_PREFIX + _digest(session_key)
        if cache.get(marker):
            return True
        try:
            if self.session_store().exists(session_key):
                return False
        except DatabaseError:
            return False
        cache.set(marker, True, timeout=NO_SESSION_SECONDS)
        return True


def kept_query(query: QueryDict) -> str:
    """The query string of the parameters in `query` that readers' pages read
    (`PAGE_CACHE_KEPT_PARAMS`), sorted by name (the values of one name keep their order)."""
    return urlencode(
        [
            (name, value)
            for name in sorted(query.keys() & set(settings.PAGE_CACHE_KEPT_PARAMS))
            for value in query.getlist(name)
        ]
    )


def page_key(request) -> str:
    """The cache key of the page `request` asks for: its site, path and kept parameters."""
    address = f"{request.scheme}://{request.get_host()}{request.path}?{kept_query(request.GET)}"
    return KEY_PREFIX + _digest(address)


def _digest(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _sets_cookies(response) -> bool:
    """Whether `response` sets a cookie. Deleting the session cookie does not count: Django
    deletes one that cannot name a session (too short), and the page is the same without it."""
    return any(
        name != settings.SESSION_COOKIE_NAME or morsel.value
        for name, morsel in response.cookies.items()
    )


def _private(response) -> bool:
    """Whether the view made this answer for one person (a staff preview): the page cache then
    neither stores it nor rewrites its `Cache-Control`."""
    directives = response.headers.get("Cache-Control", "").lower()
    return "private" in directives or "no-store" in directives


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
