"""The content version: what tells every app server that readers' cached pages are out of date.

Any write to a content table (the tables readers' pages are made from, registered by the apps
with `register_content`) changes the version once its transaction commits, whatever made it: a
model save or delete, a queryset `update()` in an admin action, the importer's bulk statements,
a topic merge, a migration.
Writes are noticed where they happen, in the database layer (`watch_writes`), so that no code
path can forget to announce itself.

The version is kept for good in the database (`ContentVersion`, one row), and servers read a
copy of it from a cache every app server shares: the default cache when it is Redis
(`CACHE_URL`); with the per-process local-memory cache, the `content_version` cache, a file that
all processes on this machine read (settings choose). A cached page is served only while the
version it was rendered under is current (`newsroom.page_cache`): a change shows on the very
next request on every server, and no timeout is waited for. The copy is checked against the
row at most `CONTENT_VERSION_CHECK_SECONDS` apart, so a change the cache missed (Redis stalled
or down when it was told) still shows everywhere within that time; a copy the cache lost
(evicted, Redis restarted) is read again from the row.
"""

import hashlib
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.core.paginator import Paginator
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    InterfaceError,
    OperationalError,
    connections,
    transaction,
)
from django.utils.functional import cached_property

from .models import ContentVersion

T = TypeVar("T")
logger = logging.getLogger(__name__)

# The cache's copy of the version: (version, when to check it against the database next).
VERSION_KEY = "content-version-copy"
SCHEDULE_KEY = "content-schedule"
# A cached count (`cached_value`) is counted again at least this often, whatever else happens.
COUNTED_SECONDS = 3600
# The table a write statement changes, as Django and raw SQL write them on PostgreSQL and
# SQLite: INSERT [OR IGNORE | OR REPLACE | ...] INTO (SQLite's `bulk_create(ignore_conflicts=
# True)` is INSERT OR IGNORE; PostgreSQL's is INSERT ... ON CONFLICT), SQLite's REPLACE INTO,
# UPDATE [OR ...] [ONLY], DELETE FROM [ONLY], MERGE INTO; the name quoted or not, with its
# schema or not.
_WRITE = r"""
    (?:
        (?:INSERT|REPLACE)(?:\s+OR\s+(?:ABORT|FAIL|IGNORE|REPLACE|ROLLBACK))?\s+INTO
      | UPDATE(?:\s+OR\s+(?:ABORT|FAIL|IGNORE|REPLACE|ROLLBACK))?(?:\s+ONLY)?
      | DELETE\s+FROM(?:\s+ONLY)?
      | MERGE\s+INTO(?:\s+ONLY)?
    )
    \s+(?:"?\w+"?\.)?"?(\w+)"?
"""
WRITE = re.compile(r"\s*" + _WRITE, re.IGNORECASE | re.VERBOSE)
WRITE_ANYWHERE = re.compile(r"\b" + _WRITE, re.IGNORECASE | re.VERBOSE)
# PostgreSQL's TRUNCATE [TABLE] a, b, ... [options] (`manage.py flush`): every name it lists.
TRUNCATE = re.compile(
    r"\s*TRUNCATE\s+(?:TABLE\s+)?(.*?)(?:\s+(?:RESTART|CONTINUE|CASCADE|RESTRICT)\b|;|$)",
    re.IGNORECASE | re.DOTALL,
)
TABLE_NAME = re.compile(r'\s*(?:ONLY\s+)?(?:"?\w+"?\.)?"?(\w+)"?', re.IGNORECASE)
WITH = re.compile(r"\s*WITH\b", re.IGNORECASE)


def version_cache():
    """The cache holding the content version (see the module docstring)."""
    return caches["content_version" if "content_version" in settings.CACHES else "default"]


class _Content:
    """What the apps registered: the tables readers' pages are made from, and where the next
    scheduled change is found."""

    tables: frozenset[str] = frozenset()
    next_change: Callable[[float], float] = staticmethod(lambda after: float("inf"))


def register_content(*, tables: Iterable[str], next_change: Callable[[float], float]) -> None:
    """Declare the tables readers' pages are made from (a write to one of them bumps the
    version) and `next_change(after)`, the first moment after `after` (epoch seconds) at which
    the content changes without a write (a scheduled publication or expiry). Called once, by
    the app that owns the content, when it is ready."""
    _Content.tables = _Content.tables | frozenset(tables)
    _Content.next_change = staticmethod(next_change)


def content_tables() -> frozenset[str]:
    """The tables registered with `register_content`."""
    return _Content.tables


def content_version() -> str | None:
    """The current content version; None when the cache cannot be reached (then nothing may be
    served from or stored in the page cache)."""
    return _checked(version_cache().get(VERSION_KEY))


def with_content_version(key: str) -> tuple[str | None, object]:
    """(the current content version, the value under `key` in the default cache, or None): one
    round trip when the version lives in the default cache (Redis). The version is None when
    the cache cannot be reached (and the value is then None too)."""
    cache = caches["default"]
    if version_cache() is cache:
        found = cache.get_many([VERSION_KEY, key])
        copy = found.get(VERSION_KEY)
        if copy is not None and time.time() < copy[1]:
            return copy[0], found.get(key)
    version = content_version()
    return version, (cache.get(key) if version is not None else None)


def bump_content_version() -> None:
    """Make every cached page out of date, on every app server: a new version in the database,
    then in the cache's copy. Should the cache miss it, the copy is checked against the
    database within `CONTENT_VERSION_CHECK_SECONDS`."""
    version = _new_version()
    check_after = time.time() + settings.CONTENT_VERSION_CHECK_SECONDS
    try:
        _save_version(version)
    except DatabaseError as error:
        # Checked against the older version in the database, the copy would go back to it.
        check_after = float("inf")
        if (
            ContentVersion._meta.db_table
            in connections[DEFAULT_DB_ALIAS].introspection.table_names()
        ):
            logger.error("content version not saved in the database: %s", error)
        # Else `migrate` is writing content before it has made the table: nothing to keep.
    version_cache().set_many({VERSION_KEY: (version, check_after)}, timeout=None)


def _checked(copy: tuple[str, float] | None) -> str | None:
    """The version the cache's `copy` holds while it needs no check; else the database's,
    copied to the cache. None when the cache cannot be reached."""
    now = time.time()
    if copy is not None and now < copy[1]:
        return copy[0]
    try:
        version = ContentVersion.objects.filter(pk=ContentVersion.ROW).values_list(
            "value", flat=True
        ).first() or _save_version(_new_version())
    except DatabaseError:
        if copy is None:
            return None
        # The database out of reach: the copy is all there is (asked again after the interval).
        version = copy[0]
    checked = (version, now + settings.CONTENT_VERSION_CHECK_SECONDS)
    if version_cache().set_many({VERSION_KEY: checked}, timeout=None):
        return None
    return version


def _save_version(version: str) -> str:
    """Write `version` to the database's row, making it if need be. One plain statement, with no
    transaction of its own: it runs from the execute wrapper, right after a write in
    autocommit whose rows its caller may not have read yet (SQLite's RETURNING), and a COMMIT
    there would fail (and roll that write back)."""
    connection = connections[DEFAULT_DB_ALIAS]
    table = connection.ops.quote_name(ContentVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, value) VALUES (%s, %s) "  # noqa: S608 - our table's name
            "ON CONFLICT (id) DO UPDATE SET value = excluded.value",
            [ContentVersion.ROW, version],
        )
    return version


def _new_version() -> str:
    # A value never used before, on any server, so a page rendered under an old version can
    # never match.
    return f"{time.time_ns():x}-{secrets.token_hex(4)}"


class PendingBump:
    """The content version bump owed by one connection's committed writes: the first call
    bumps, later calls do nothing (`spent`). See `content_changed`."""

    def __init__(self):
        self.spent = False
        # Django names a robust on-commit callback that fails by its `__qualname__`, which a
        # callable object does not have of itself.
        self.__qualname__ = type(self).__qualname__

    def __call__(self) -> None:
        if self.spent:
            return
        self.spent = True
        bump_content_version()


class _PendingBumps(threading.local):
    """The unspent `PendingBump` of each database alias, per thread. Django gives each thread
    its own connection per alias (`django.db.connections`), and `transaction.on_commit(using=
    alias)` registers on that connection, so this is one pending bump per connection. It must
    be no broader: a bump registered on two connections would be spent by the first commit,
    and the second connection's writes, committed later, would never move the version."""

    def __init__(self):
        self.by_alias: dict[str, PendingBump] = {}


_pending = _PendingBumps()


def content_changed(using: str = DEFAULT_DB_ALIAS) -> None:
    """Bump the content version when the current transaction on `using` commits (at once
    outside a transaction). A rolled-back transaction changes nothing, a committed write beside
    a rolled-back savepoint still counts, and a transaction that writes a thousand rows bumps
    the version once.

    How, with public API only (`transaction.on_commit`, `in_atomic_block`): every write
    registers the connection's current `PendingBump` with `on_commit`, the same object each
    time until it has run. Django drops a callback registered inside a savepoint when that
    savepoint is rolled back, and all of them when the transaction is, so a write whose
    registration survives is exactly a write that was committed; since every registration is
    the same object, the first to run at the commit bumps and the others do nothing. Once it
    has run, the next write gets a fresh one (for the next transaction). The cost is one entry
    in the connection's list of commit callbacks per write statement, until the commit.

    Outside an atomic block a statement commits on its own (autocommit), so the version moves
    at once. (In manual transaction management, `set_autocommit(False)`, which no code of ours
    uses, `on_commit` is refused: the version then moves before the commit, not after.)"""
    if not connections[using].in_atomic_block:
        bump_content_version()
        return
    pending = _pending.by_alias.get(using)
    if pending is None or pending.spent:
        pending = _pending.by_alias[using] = PendingBump()
    transaction.on_commit(pending, using=using, robust=True)


def written_tables(sql: str) -> set[str]:
    """The tables that the statement `sql` writes (inserts into, updates, deletes from,
    replaces or truncates), read off its text; empty for anything else (reads, savepoints,
    schema changes)."""
    if match := WRITE.match(sql):
        return {match.group(1)}
    if match := TRUNCATE.match(sql):
        names = (TABLE_NAME.match(name) for name in match.group(1).split(","))
        return {name.group(1) for name in names if name}
    if WITH.match(sql):
        # PostgreSQL's writes inside a WITH query (`WITH gone AS (DELETE FROM ...) ...`), or
        # after one: every write anywhere in the statement (a word in a string can only add a
        # needless bump).
        return {match.group(1) for match in WRITE_ANYWHERE.finditer(sql)}
    return set()


def watch_writes(execute, sql, params, many, context):
    """A database execute wrapper: runs the statement, then, when it writes a content table,
    schedules a content version bump for the commit (`content_changed`)."""
    result = execute(sql, params, many, context)
    if not written_tables(sql).isdisjoint(content_tables()):
        content_changed(context["connection"].alias)
    return result


def watch_connection(sender, connection, **kwargs):
    """`connection_created` receiver: watch every connection's writes (once per connection
    object, which outlives its reconnections)."""
    # `execute_wrappers` is the list behind Django's documented `connection.execute_wrapper()`
    # (public, no underscore). That context manager wraps a block of code; a wrapper for the
    # connection's whole life can only be appended to the list, and `connection_created` is
    # the one moment every connection passes through, whichever code opens it.
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


def next_schedule_change(version: str, *, after: float) -> float:
    """The first moment (epoch seconds) after `after` at which an article is due to appear
    (`publish_at`) or leave (`expires_at`) without any write: a cached page must not outlive
    it. `float("inf")` when nothing is scheduled. Kept in the version cache for this version;
    looked up (`register_content`'s `next_change`) only when it is not known for this version.
    `after` itself when the database is out of reach: nothing is known of the schedule, so
    nothing may be kept (a page that needed no database, robots.txt, is still answered)."""
    cache = version_cache()
    known = cache.get(SCHEDULE_KEY)
    if known is not None and known[0] == version and known[1] <= after < known[2]:
        return known[2]
    try:
        upcoming = _Content.next_change(after)
    except (OperationalError, InterfaceError):
        return after
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
