"""The seed file's keys and the article fields they fill, in one table (`SEED_FIELDS`), and what
is derived from it:

- `KNOWN_KEYS`: the keys the reader gives a field of their own; every other key goes to
  `Article.extra` (`articles.seeds.read`);
- `IMPORTED_FIELDS`: the article fields an import writes (`articles.seeds.load`);
- the keys an export writes, in this order (`articles.seeds.write`);
- `EDITABLE_FIELDS` and `PROTECTED_FIELDS`: what an editor's change makes theirs, and what a
  re-import would otherwise overwrite (`mark_edited`), with the admin's name for each
  (`articles.editing.forms.owned_label`).

`tests/articles/seeds/test_fields.py` holds the reader and the loader to this table."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SeedField:
    """A top-level key of a seed file and the `Article` field (or, with `relation`, the set of
    rows: topics, images, related links) that it fills. `SeedRecord` carries the value under
    the name of a field, and under the key for a relation. `label` names a relation in the
    admin, where the model has no verbose name that does."""

    key: str
    field: str
    relation: bool = False
    label: str = ""


# In the order an export writes them.
SEED_FIELDS = (
    SeedField(key="category", field="category"),
    SeedField(key="title", field="title"),
    SeedField(key="excerpt", field="excerpt"),
    SeedField(key="publishedDateTime", field="published_at"),
    SeedField(key="originalUrl", field="original_url"),
    SeedField(key="webUrl", field="web_url"),
    SeedField(key="ampWebUrl", field="amp_url"),
    SeedField(key="cdnAmpWebUrl", field="cdn_amp_url"),
    SeedField(key="type", field="kind"),
    SeedField(key="quality", field="quality"),
    SeedField(key="heat", field="heat"),
    SeedField(key="published", field="is_published"),
    SeedField(key="removed", field="is_removed"),
    SeedField(key="provider", field="provider"),
    SeedField(key="topics", field="topics", relation=True, label="Topics"),
    SeedField(key="images", field="images", relation=True, label="Images"),
    SeedField(key="related", field="related_links", relation=True, label="Related stories"),
    SeedField(key="secured", field="secured"),
)

# Article fields an import writes that no one key fills: the YouTube id found in the URLs or
# the embedded player (`featuredContent`, itself kept in `extra`), and every key without a
# field of its own.
DERIVED_FIELDS = ("video_id", "extra")
# Our own editorial state: never imported, but an editor's change to it is recorded all the
# same, so that `Article.edited_fields` is complete.
EDITORIAL_FIELDS = ("slug", "is_featured", "publish_at", "expires_at")

KNOWN_KEYS = frozenset(seed.key for seed in SEED_FIELDS)
IMPORTED_FIELDS = (
    *(seed.field for seed in SEED_FIELDS if not seed.relation),
    *DERIVED_FIELDS,
)
# What a re-import rewrites beside the article's own fields, by the article's relation name.
CHILDREN = frozenset(seed.field for seed in SEED_FIELDS if seed.relation)
# What an editor may have changed by hand.
EDITABLE_FIELDS = frozenset([*IMPORTED_FIELDS, *CHILDREN, *EDITORIAL_FIELDS])
# What a re-import would otherwise overwrite.
PROTECTED_FIELDS = frozenset(IMPORTED_FIELDS) | CHILDREN
# The admin's names of the fields an editor may own, where the model's verbose name does not do.
OWNED_LABELS = {seed.field: seed.label for seed in SEED_FIELDS if seed.label}
