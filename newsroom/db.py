"""Query expressions shared by the apps."""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce


def correlated_count(rows: QuerySet, field: str) -> Coalesce:
    """How many of `rows` point at the outer row through foreign key `field`, as an annotation.

    A correlated subquery rather than a join and GROUP BY: it is computed only for the rows a
    page shows (an admin list, 20 autocomplete results) and leaves their ordering alone."""
    count = rows.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk"))
    return Coalesce(Subquery(count.values("n"), output_field=IntegerField()), 0)
