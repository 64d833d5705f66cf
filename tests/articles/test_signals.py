"""`articles.signals.DATABASE_TRIGGERS` is the whole truth about the database's triggers."""

import re
from pathlib import Path

import pytest

from django.apps import apps
from django.db import connection

from articles.signals import DATABASE_TRIGGERS

MIGRATIONS = Path(apps.get_app_config("articles").path) / "migrations"


def triggers_in_the_database() -> set[tuple[str, str]]:
    """(trigger, table) for every trigger we made, on any table."""
    if connection.vendor == "postgresql":
        sql = (
            "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE NOT t.tgisinternal"
        )
    else:
        sql = "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return set(cursor.fetchall())


@pytest.mark.django_db
def test_the_database_has_exactly_the_listed_triggers():
    """Every trigger listed for this database exists, on its table, and no other does. (On
    SQLite, a migration that rebuilds the article or the tagging table drops their triggers:
    it must create them again, or the taggings' copies of the ranking go stale.)"""
    listed = {
        (trigger.name, trigger.table)
        for trigger in DATABASE_TRIGGERS
        if trigger.vendor in {connection.vendor, "both"}
    }
    assert triggers_in_the_database() == listed


def test_each_listed_trigger_names_the_migration_that_creates_it():
    """The migration writes `CREATE TRIGGER <name>`, or names it in its TRIGGER constant."""
    for trigger in DATABASE_TRIGGERS:
        assert trigger.vendor in {"postgresql", "sqlite", "both"}, trigger
        source = (MIGRATIONS / f"{trigger.migration}.py").read_text()
        creates = rf'CREATE TRIGGER {trigger.name}\b|\nTRIGGER = "{trigger.name}"\n'
        assert re.search(creates, source), trigger
