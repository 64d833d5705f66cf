"""The content version: what tells every app server that readers' cached pages are out of date.

Any write to a table of the `articles` or `providers` apps (the import history aside) changes the
version once its transaction commits, whatever made it: a model save or delete, a queryset
`update()` in an admin action, the importer's bulk statements, a topic merge, a migration.
Writes are noticed where they happen, in the database layer (`watch_writes`), so that no code
path can forget to announce itself.

The version lives in a cache every app server shares: the default cache when it is Redis
(`CACHE_URL`); with the per-process local-memory cache, the `content_version` cache, a file that
all processes on this machine read (settings choose). A cached page is served only while the
version it was rendered under is current (`newsroom.page_cache`): a change shows on the very
next request on every server, and no timeout is waited for.
"""

import functools
import hashlib
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Min
from django.utils.functional import cached_property

T = TypeVar("T")

VERSION_KEY = "content-version"
SCHEDULE_KEY = "content-schedule"
# A cached count (`cached_value`) is counted again at least this often, whatever else happens.
COUNTED_SECONDS = 3600
CONTENT_APPS = ("articles", "providers")
# Written by every import, but not shown to readers.
NOT_CONTENT = {"articles.ImportRun"}
# The table a write statement changes, as Django writes them on PostgreSQL and SQLite.
WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def version_cache():
    """The cache holding the content version (see the module docstring)."""
    return caches["content_version" if "content_version" in settings.CACHES else "default"]


@functools.cache
def content_tables() -> frozenset[str]:
    """The tables readers' pages are made from (asked once the app registry is ready)."""
    return frozenset(
        model._meta.db_table
        for app in CONTENT_APPS
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
        if model._meta.label not in NOT_CONTENT
    )


def content_version() -> str | None:
    """The current content version; None when the cache cannot be reached (then nothing may be
    served from or stored in the page cache)."""
    cache = version_cache()
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _new_version(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def with_content_version(key: str) -> tuple[str | None, object]:
    """(the current content version, the value under `key` in the default cache, or None): one
    round trip when the version lives in the default cache (Redis). The version is None when
    the cache cannot be reached (and the value is then None too)."""
    cache = caches["default"]
    if version_cache() is cache:
        found = cache.get_many([VERSION_KEY, key])
        if VERSION_KEY in found:
            return found[VERSION_KEY], found.get(key)
    version = content_version()
    return version, (cache.get(key) if version is not None else None)


def bump_content_version() -> None:
    """Make every cached page out of date, on every app server."""
    version_cache().set(VERSION_KEY, _new_version(), timeout=None)


def _new_version() -> str:
    # A value never used before, so a page rendered under an old version can never match.
    return f"{time.time_ns():x}"


def content_changed(using: str = "default") -> None:
    """Bump the content version when the current transaction on `using` commits (at once
    outside a transaction). A rolled-back transaction changes nothing, and a transaction that
    writes a thousand rows bumps the version once."""
    connection = connections[using]
    if not connection.in_atomic_block:
        bump_content_version()
        return
    # One pending bump per transaction (and savepoint) is enough: a callback registered at the
    # same savepoint depth is dropped only if a savepoint that also holds this write is rolled
    # back. (Django keeps `(savepoint ids, callback, robust)` per pending callback.)
    savepoints = set(connection.savepoint_ids)
    pending = (
        sids == savepoints and func is bump_content_version
        for sids, func, _ in connection.run_on_commit
    )
    if not any(pending):
        connection.on_commit(bump_content_version, robust=True)


def watch_writes(execute, sql, params, many, context):
    """A database execute wrapper: runs the statement, then, when it writes a content table,
    schedules a content version bump for the commit."""
    result = execute(sql, params, many, context)
    match = WRITE.match(sql)
    if match and match.group(1) in content_tables():
        content_changed(context["connection"].alias)
    return result


def watch_connection(sender, connection, **kwargs):
    """`connection_created` receiver: watch every connection's writes (once per connection
    object, which outlives its reconnections)."""
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


def next_schedule_change(version: str, *, after: float) -> float:
    """The first moment (epoch seconds) after `after` at which an article is due to appear
    (`publish_at`) or leave (`expires_at`) without any write: a cached page must not outlive
    it. `float("inf")` when nothing is scheduled. Kept in the version cache for this version;
    two indexed queries when it has to be looked up."""
    cache = version_cache()
    known = cache.get(SCHEDULE_KEY)
    if known is not None and known[0] == version and known[1] <= after < known[2]:
        return known[2]
    article = apps.get_model("articles", "Article")
    moment = datetime.fromtimestamp(after, tz=UTC)
    found = [
        article.objects.filter(publish_at__gt=moment).aggregate(next=Min("publish_at"))["next"],
        article.objects.filter(expires_at__gt=moment).aggregate(next=Min("expires_at"))["next"],
    ]
    upcoming = min((when.timestamp() for when in found if when), default=float("inf"))
    cache.set(SCHEDULE_KEY, (version, after, upcoming), timeout=None)
    return upcoming


def cached_value(name: str, compute: Callable[[], T]) -> T:
    """`compute()`, kept in the cache under `name` for as long as the content version and the
    schedule stand (when the page cache is on): listings and the admin's dashboard then never
    count the whole archive on every request, yet a change shows on the next one."""
    if settings.PAGE_CACHE_SECONDS <= 0:
        return compute()
    now = time.time()
    key = "counted:" + hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()
    version, known = with_content_version(key)
    if version is None:
        return compute()
    if known is not None and known[0] == version and now < known[1]:
        return known[2]
    value = compute()
    valid_until = next_schedule_change(version, after=now)
    caches["default"].set(key, (version, valid_until, value), timeout=COUNTED_SECONDS)
    return value


def cached_count(name: str, queryset) -> int:
    """`queryset.count()`, kept as `cached_value` keeps it."""
    return cached_value(name, queryset.count)


class CachedCountPaginator(Paginator):
    """A paginator whose count is kept in the cache (`cached_count`) under `count_key`, the
    listing's identity."""

    def __init__(self, *args, count_key: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self):
        return cached_count(self.count_key, self.object_list)
