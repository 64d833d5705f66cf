"""Admin helpers: the dashboard's counts and latest import run, and a date drill-down that
stays fast on large tables."""

import datetime

from django import template
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst

from articles.models import Article, ImportRun, Topic
from articles.visibility import expired_q, scheduled_q
from newsroom.content import cached_value
from providers.models import Provider

register = template.Library()


@register.inclusion_tag("admin/includes/dashboard.html", takes_context=True)
def newsroom_dashboard(context):
    """What the site holds right now: its counts read the whole tables, so they are kept in the
    cache until the content changes (`cached_value`), then the latest import run."""
    return {
        **cached_value("admin-dashboard", _counts),
        "latest_run": ImportRun.objects.select_related("started_by").first(),
        "can_import": context["request"].user.has_perm("articles.add_importrun"),
    }


def _counts() -> dict:
    """The dashboard's counts, in four queries."""
    now = timezone.now()
    articles = Article.objects.aggregate(
        total=Count("pk"),
        unpublished=Count("pk", filter=Q(is_published=False)),
        featured=Count("pk", filter=Q(is_featured=True)),
        scheduled=Count("pk", filter=scheduled_q(now)),
        expired=Count("pk", filter=expired_q(now)),
        edited=Count("pk", filter=~Q(edited_fields=[])),
    )
    providers = Provider.objects.aggregate(
        total=Count("pk"), blocked=Count("pk", filter=Q(is_blocked=True))
    )
    articles["live"] = Article.objects.published().count()
    return {"articles": articles, "providers": providers, "topics": Topic.objects.count()}


@register.inclusion_tag("admin/date_hierarchy.html")
def date_hierarchy_from_range(cl):
    """The changelist's date drill-down (Django's `date_hierarchy`, same links and template),
    with its choices taken from the first and last date of the rows shown, which the
    changelist's count query also finds (`articles.editing.paginator.BoundedPaginator`: no query
    of its own), instead of truncating the date of every row (a quarter of a second on 100,000
    articles in SQLite). A year, month or day inside the range with no articles is offered all
    the same and shows an empty list."""
    field = cl.date_hierarchy
    year, month = cl.params.get(f"{field}__year"), cl.params.get(f"{field}__month")
    day = cl.params.get(f"{field}__day")

    def link(filters):
        return cl.get_query_string(filters, [f"{field}__"])

    if year and month and day:
        chosen = datetime.date(int(year), int(month), int(day))
        return {
            "show": True,
            "back": {
                "link": link({f"{field}__year": year, f"{field}__month": month}),
                "title": capfirst(date_format(chosen, "YEAR_MONTH_FORMAT")),
            },
            "choices": [{"title": capfirst(date_format(chosen, "MONTH_DAY_FORMAT"))}],
        }
    span = cl.paginator.date_span
    if not (span["first"] and span["last"]):
        return {"show": False}
    first, last = timezone.localtime(span["first"]), timezone.localtime(span["last"])
    if not year and first.year == last.year:
        year = str(first.year)
    if year and not month and first.month == last.month:
        month = str(first.month)
    if year and month:
        return {
            "show": True,
            "back": {"link": link({f"{field}__year": year}), "title": year},
            "choices": [
                {
                    "link": link(
                        {f"{field}__year": year, f"{field}__month": month, f"{field}__day": n}
                    ),
                    "title": capfirst(
                        date_format(datetime.date(int(year), int(month), n), "MONTH_DAY_FORMAT")
                    ),
                }
                for n in range(first.day, last.day + 1)
            ],
        }
    if year:
        return {
            "show": True,
            "back": {"link": link({}), "title": "All dates"},
            "choices": [
                {
                    "link": link({f"{field}__year": year, f"{field}__month": n}),
                    "title": capfirst(
                        date_format(datetime.date(int(year), n, 1), "YEAR_MONTH_FORMAT")
                    ),
                }
                for n in range(first.month, last.month + 1)
            ],
        }
    return {
        "show": True,
        "back": None,
        "choices": [
            {"link": link({f"{field}__year": str(n)}), "title": str(n)}
            for n in range(first.year, last.year + 1)
        ],
    }
