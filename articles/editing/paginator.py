"""The articles changelist's paginator: its cost does not grow with the table."""

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Case, Count, FloatField, Max, Min, Subquery, When
from django.db.models.expressions import RawSQL
from django.db.models.lookups import GreaterThan
from django.utils.functional import cached_property


class BoundedPaginator(Paginator):
    """The articles changelist's paginator, whose cost does not grow with the table: its one
    query counts at most `limit` + 1 matching rows and finds their first and last
    `date_field` (`date_span`, for the date drill-down: `date_hierarchy_from_range`).

    - Up to `limit` matches: the exact count, and the date span from the rows counted.
    - More: the pages stop at `limit` rows (a deeper OFFSET is the slow kind; the filters, the
      search and the date drill-down narrow the list instead) and the count reads "10,000+";
      the date span comes from the two ends of the `date_field` index (`ORDER BY … LIMIT 1`,
      asked only in this case). Unfiltered on PostgreSQL, the count reads "about 100,000":
      the planner's estimate of the table's rows (`pg_class.reltuples`, kept by ANALYZE)."""

    def __init__(self, *args, date_field: str, limit: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.date_field = date_field
        self.limit = limit

    @cached_property
    def date_span(self) -> dict:
        rows = self.object_list.order_by().values(self.date_field)
        more = GreaterThan(Count("*"), self.limit)
        span = {
            "rows": Count("*"),
            "first": Case(
                When(more, then=Subquery(rows.order_by(self.date_field)[:1])),
                default=Min(self.date_field),
            ),
            "last": Case(
                When(more, then=Subquery(rows.order_by(f"-{self.date_field}")[:1])),
                default=Max(self.date_field),
            ),
        }
        connection, query = connections[self.object_list.db], self.object_list.query
        if connection.vendor == "postgresql" and not query.where:
            table = RawSQL(
                "SELECT reltuples FROM pg_class WHERE oid = %s::regclass",
                [connection.ops.quote_name(query.model._meta.db_table)],
                output_field=FloatField(),
            )
            span["estimate"] = Case(When(more, then=table))
        return rows[: self.limit + 1].aggregate(**span)

    @cached_property
    def count(self) -> int:
        return min(self.date_span["rows"], self.limit)

    @property
    def is_capped(self) -> bool:
        """More rows match than the pages reach."""
        return self.date_span["rows"] > self.limit

    @cached_property
    def count_label(self) -> str:
        """The count as the changelist shows it: "1,234", "10,000+" or "about 100,000"."""
        rows, estimate = self.date_span["rows"], self.date_span.get("estimate")
        if not self.is_capped:
            return intcomma(rows)
        if estimate and estimate > self.limit:
            return f"about {intcomma(int(estimate))}"
        return f"{intcomma(self.limit)}+"
