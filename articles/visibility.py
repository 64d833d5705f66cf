"""What readers may see, decided in one place.

An article is public when it is published, not removed, its outlet is not blocked, its
`publish_at` (if any) has come and its `expires_at` (if any) has not. That rule has three forms,
each for its own reader, and `tests/articles/test_visibility.py` holds them to the same answer
for every combination of states:

- `published_q(now)`: the ORM condition (`ArticleQuerySet.published()`, admin filters, counts);
- `PUBLISHED_SQL` with `published_sql_params()`: the same condition for the plain-SQL reads of
  the hottest pages (`articles.public.selectors`);
- `reader_status(article)`: the same rules spelled out for an editor, one article at a time
  (and, in words, `not_public_because(article)` for a preview's banner and the change form's
  sentence on what saving does).

Its two clocks, `publish_at` and `expires_at`, have the same pair of forms: `scheduled_q(now)`
and `expired_q(now)` for querysets (the admin's schedule filter, the dashboard's counts),
`is_scheduled()` and `is_expired()` for one article (`Article.is_scheduled`, `reader_status`).

And the schedule: `next_schedule_change(after)` is the next moment an article appears or leaves
without any write, which the page cache must not outlive (`newsroom.content`).
"""

from datetime import UTC, datetime

from django.db.models import Min, Q
from django.utils import timezone
from django.utils.formats import date_format


def published_q(now: datetime) -> Q:
    """The articles readers may see at `now` (for a queryset of `Article`)."""
    return Q(
        Q(publish_at__isnull=True) | Q(publish_at__lte=now),
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        is_published=True,
        is_removed=False,
        provider__is_blocked=False,
    )


# `published_q()` as an SQL condition on an article aliased `a` joined to its provider `p`, with
# `published_sql_params()`.
PUBLISHED_SQL = (
    "a.is_published AND NOT a.is_removed AND NOT p.is_blocked"
    " AND (a.publish_at IS NULL OR a.publish_at <= %s)"
    " AND (a.expires_at IS NULL OR a.expires_at > %s)"
)


def published_sql_params(connection, now: datetime | None = None) -> list:
    """The parameters of `PUBLISHED_SQL`: `now` (by default the current time), as
    `connection` stores a datetime."""
    now = connection.ops.adapt_datetimefield_value(now or timezone.now())
    return [now, now]


def scheduled_q(now: datetime) -> Q:
    """The articles that wait for their `publish_at` at `now` (`is_scheduled()` for a
    queryset), whatever else keeps them off the site."""
    return Q(publish_at__gt=now)


def expired_q(now: datetime) -> Q:
    """The articles whose `expires_at` has passed at `now` (`is_expired()` for a queryset),
    whatever else keeps them off the site."""
    return Q(expires_at__lte=now)


def is_scheduled(article, now: datetime | None = None) -> bool:
    """Whether `article` waits for its `publish_at`."""
    return article.publish_at is not None and article.publish_at > (now or timezone.now())


def is_expired(article, now: datetime | None = None) -> bool:
    """Whether `article`'s `expires_at` has passed."""
    return article.expires_at is not None and article.expires_at <= (now or timezone.now())


def _when(value) -> str:
    return date_format(timezone.localtime(value), "j M Y, H:i")


def short_datetime(value: datetime, now: datetime | None = None) -> str:
    """`value` in the current time zone as a sentence says it: "Thu 27 Nov, 18:00", with the
    year when it is not the year of `now`."""
    local = timezone.localtime(value)
    same_year = local.year == timezone.localtime(now or timezone.now()).year
    return date_format(local, "D j M, H:i" if same_year else "D j M Y, H:i")


def reader_status(article, now: datetime | None = None) -> tuple[str, str]:
    """Where `article` (with its `provider`, if it has one yet) stands for readers at `now`,
    as (css class, label): the rules of `published_q()`, spelled out for the editor. Only
    "live" is public."""
    now = now or timezone.now()
    if article.is_removed:
        return "removed", "Removed"
    if not article.is_published:
        return "unpublished", "Unpublished"
    if article.provider_id is not None and article.provider.is_blocked:
        return "blocked", "Outlet blocked"
    if is_expired(article, now):
        return "expired", f"Expired {_when(article.expires_at)}"
    if is_scheduled(article, now):
        return "scheduled", f"Scheduled: {_when(article.publish_at)}"
    return "live", "Live"


def is_public(article, now: datetime | None = None) -> bool:
    """Whether readers may see `article` at `now`: `reader_status()` says "live"."""
    return reader_status(article, now)[0] == "live"


def not_public_because(article, now: datetime | None = None) -> str:
    """Why readers may not see `article` at `now`, in a few words ("scheduled for Thu 27 Nov,
    18:00", "unpublished", "expired Fri 28 Nov, 09:00", "outlet blocked", "removed"); "" when
    they may. The rules of `reader_status()`."""
    now = now or timezone.now()
    match reader_status(article, now)[0]:
        case "scheduled":
            return f"scheduled for {short_datetime(article.publish_at, now)}"
        case "expired":
            return f"expired {short_datetime(article.expires_at, now)}"
        case "blocked":
            return "outlet blocked"
        case "live":
            return ""
        case state:  # "unpublished", "removed"
            return state


def next_schedule_change(articles, *, after: float) -> float:
    """The first moment (epoch seconds) after `after` at which one of `articles` (a queryset)
    is due to appear (`publish_at`) or leave (`expires_at`) without any write; `float("inf")`
    when nothing is scheduled. Two queries, each answered by a partial index
    (`article_publish_at`, `article_expires_at`)."""
    moment = datetime.fromtimestamp(after, tz=UTC)
    found = [
        articles.filter(publish_at__gt=moment).aggregate(next=Min("publish_at"))["next"],
        articles.filter(expires_at__gt=moment).aggregate(next=Min("expires_at"))["next"],
    ]
    return min((when.timestamp() for when in found if when), default=float("inf"))
