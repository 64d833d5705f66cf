from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations


def name_document():
    """A frozen copy of live code (`articles.models.name_document()`) as it was when this
    migration was written: a migration never imports our live code, so that editing it never
    changes what this migration does. Not to be kept in step with the live code."""
    return SearchVector("name", config="english")


INDEXES = [("providers", "Provider", "provider_name_search"), ("articles", "Topic", "topic_name_search")]


def indexes(apps):
    """On PostgreSQL only: a GIN index on `name_document()` of outlets and of topics, which
    search matches its terms against (the outlets were read whole for every search)."""
    for app, model, name in INDEXES:
        yield apps.get_model(app, model), GinIndex(name_document(), name=name)


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model, index in indexes(apps):
            schema_editor.add_index(model, index)


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model, index in indexes(apps):
            schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_article_search_vector"),
        ("providers", "0002_logo_renditions"),
    ]

    operations = [migrations.RunPython(add_indexes, remove_indexes)]
