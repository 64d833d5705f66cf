"""Changelist filters that stay fast whatever the number of rows or choices: instead of listing
every provider or topic in the sidebar, they offer the admin's autocomplete (one query for the
chosen value, none for the others); a column's few values are found through its index."""

from datetime import timedelta

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import connections
from django.utils import timezone

from articles.visibility import expired_q, scheduled_q


class IndexedValuesFilter(admin.AllValuesFieldListFilter):
    """Django's filter on each value of a column, for a NOT NULL column with an index and few
    values (`Article.category`): the values are found by skipping through the index, one
    lookup per value (a recursive query), instead of `SELECT DISTINCT` reading every row. Still
    one query, and it does not grow with the table."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        queryset = model_admin.get_queryset(request)
        connection = connections[queryset.db]
        table = connection.ops.quote_name(model._meta.db_table)
        column = connection.ops.quote_name(field.column)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH RECURSIVE found(value) AS (
                    SELECT * FROM (SELECT {column} FROM {table} ORDER BY {column} LIMIT 1) AS first
                    UNION ALL
                    SELECT (
                        SELECT {column} FROM {table} WHERE {column} > found.value
                        ORDER BY {column} LIMIT 1
                    )
                    FROM found WHERE found.value IS NOT NULL
                )
                SELECT value FROM found WHERE value IS NOT NULL
                """  # noqa: S608 - quoted names of our own table and column, no input
            )
            self.lookup_choices = [value for (value,) in cursor.fetchall()]


class AutocompleteFilter(admin.ListFilter):
    """Filter a changelist on one related object chosen with autocomplete.

    Subclasses name the relation (`field_name`) of the changelist's model; the related model's
    admin must have `search_fields`. Without JavaScript the filter is a plain form with an
    "Apply" button."""

    template = "admin/articles/autocomplete_filter.html"
    field_name = ""

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.parameter_name = f"{self.field_name}__id__exact"
        self.model_field = model._meta.get_field(self.field_name)
        self.model_admin = model_admin
        self.value = None
        if self.parameter_name in params:
            value = params.pop(self.parameter_name)[-1]
            if not value.isdigit():
                raise IncorrectLookupParameters(f"{self.parameter_name} must be an id")
            self.value = int(value)
            self.used_parameters[self.parameter_name] = self.value

    def has_output(self):
        return True

    def expected_parameters(self):
        return [self.parameter_name]

    def queryset(self, request, queryset):
        if self.value is None:
            return queryset
        return queryset.filter(**{self.parameter_name: self.value})

    def choices(self, changelist):
        field = forms.ModelChoiceField(
            self.model_field.remote_field.model._default_manager.all(),
            required=False,
            widget=AutocompleteSelect(self.model_field, self.model_admin.admin_site),
        )
        yield {
            "selected": self.value is not None,
            "widget": field.widget.render(self.parameter_name, self.value),
            "hidden": [
                (key, value)
                for key, values in changelist.filter_params.items()
                if key not in {self.parameter_name, "p", "e"}
                for value in values
            ],
            "clear_url": changelist.get_query_string(remove=[self.parameter_name]),
        }


class ProviderFilter(AutocompleteFilter):
    title = "provider"
    field_name = "provider"


class TopicFilter(AutocompleteFilter):
    title = "topic"
    field_name = "topics"


class ScheduleFilter(admin.SimpleListFilter):
    """Where an article stands for readers right now (the rules of `articles.visibility`)."""

    title = "schedule"
    parameter_name = "schedule"

    def lookups(self, request, model_admin):
        return [
            ("live", "Live now"),
            ("scheduled", "Scheduled"),
            ("expired", "Expired"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "live":
            return queryset.published()
        if self.value() == "scheduled":
            return queryset.filter(scheduled_q(now))
        if self.value() == "expired":
            return queryset.filter(expired_q(now))
        return queryset


class PublishedWithinFilter(admin.SimpleListFilter):
    """Recent stories by the outlet's publication time (`published_at`): today (from midnight
    in the editor's time zone), the last 24 hours, the last 7 days. Each is a range of that
    column, which its index answers."""

    title = "publication time"
    parameter_name = "published"
    windows = {"24h": timedelta(hours=24), "7d": timedelta(days=7)}

    def lookups(self, request, model_admin):
        return [("today", "Today"), ("24h", "Last 24 hours"), ("7d", "Last 7 days")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "today":
            start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
            end = start + timedelta(days=1)
        elif self.value() in self.windows:
            start, end = now - self.windows[self.value()], now
        else:
            return queryset
        return queryset.filter(published_at__gte=start, published_at__lt=end)
