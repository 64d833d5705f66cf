"""What a query plan reads, taken from the database's structured output rather than the
wording of its text (which changes between versions)."""

import json

from django.db import connections


def indexes_used(queryset) -> set[str]:
    """The names of the indexes the database plans to read for `queryset`.

    PostgreSQL: every "Index Name" in `EXPLAIN (FORMAT JSON)`. SQLite: the indexes whose
    b-trees the compiled statement opens (the root pages of `EXPLAIN`'s `OpenRead` and
    `ReopenIdx` instructions, looked up in `sqlite_master`)."""
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        return set(_values_of("Index Name", json.loads(queryset.explain(format="json"))))
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        # Columns: addr, opcode, p1 (cursor), p2 (root page), p3 (database), p4, p5, comment.
        pages = {row[3] for row in cursor.fetchall() if row[1] in {"OpenRead", "ReopenIdx"}}
        cursor.execute("SELECT name, rootpage FROM sqlite_master WHERE type = 'index'")
        return {name for name, page in cursor.fetchall() if page in pages}


def _values_of(key: str, tree):
    if isinstance(tree, dict):
        if key in tree:
            yield tree[key]
        for value in tree.values():
            yield from _values_of(key, value)
    elif isinstance(tree, list):
        for value in tree:
            yield from _values_of(key, value)
