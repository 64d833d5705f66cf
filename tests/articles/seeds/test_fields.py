"""The one table of seed keys and article fields (`articles.seeds.fields`): the reader reads its
keys, the loader writes its fields, the export writes its keys in its order, and every field
of an article is placed somewhere."""

from datetime import UTC, datetime

import pytest

from articles.models import Article
from articles.seeds import import_paths, read_seed
from articles.seeds.fields import (
    DERIVED_FIELDS,
    EDITABLE_FIELDS,
    EDITORIAL_FIELDS,
    IMPORTED_FIELDS,
    KNOWN_KEYS,
    SEED_FIELDS,
)
from articles.seeds.load import BOOKKEEPING_FIELDS, _article_values
from articles.seeds.read import SeedRecord, _record
from articles.seeds.write import articles_for_export
from articles.seeds.write import seed_mapping as exported_mapping

from .builders import seed_bytes, seed_mapping, write_seed

# Every key of the table, with a value that is kept.
FULL = {
    "ampWebUrl": "https://amp.example/story",
    "cdnAmpWebUrl": "https://cdn.example/story",
    "removed": True,
}


class AskedMapping(dict):
    """A seed file's mapping that records the keys asked of it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.asked = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)


def test_the_reader_reads_the_keys_of_the_table_and_keeps_the_others_in_extra():
    """`featuredContent` is the one other key the reader looks at (for a video's id); it stays
    in `extra`, so that an export writes it back as it was."""
    mapping = AskedMapping(seed_mapping(**FULL, tags=["US-CA"]))
    record = _record(mapping, name="a.md", content_hash="0", warnings=[], latest=datetime.now(UTC))
    assert mapping.asked - KNOWN_KEYS == {"featuredContent"}
    assert mapping.asked >= KNOWN_KEYS
    assert record.extra == {"tags": ["US-CA"]}


def test_the_record_carries_each_value_under_its_field_or_key():
    names = set(SeedRecord.__dataclass_fields__)
    for seed in SEED_FIELDS:
        assert (seed.key if seed.relation else seed.field) in names, seed
    assert set(DERIVED_FIELDS) <= names


def test_the_loader_writes_the_imported_fields_and_its_bookkeeping():
    record = read_seed(seed_bytes(**FULL), name="a.md", max_bytes=10**6)
    values = _article_values(record, {record.provider.domain: 1})
    written = {Article._meta.get_field(name).name for name in values}
    assert written == {*IMPORTED_FIELDS, "canonical_url", *BOOKKEEPING_FIELDS}


def test_every_field_of_an_article_is_placed():
    """A new field of `Article` must be filled from a seed key (the table), derived by the
    import, our editorial state, or the importer's bookkeeping, before this passes."""
    for name in [*(seed.field for seed in SEED_FIELDS), *DERIVED_FIELDS, *EDITORIAL_FIELDS]:
        Article._meta.get_field(name)  # raises FieldDoesNotExist for a misspelled name
    editable = {
        field.name
        for field in Article._meta.concrete_fields
        if field.editable and not field.primary_key
    }
    assert editable - EDITABLE_FIELDS == {"canonical_url", *BOOKKEEPING_FIELDS, "edited_fields"}


@pytest.mark.django_db
def test_the_export_writes_the_keys_in_the_order_of_the_table_then_extra(tmp_path):
    write_seed(tmp_path, "a.md", **FULL, tags=["US-CA"])
    import_paths([tmp_path])
    mapping = exported_mapping(articles_for_export().get())
    assert list(mapping) == [*(seed.key for seed in SEED_FIELDS), "tags"]
