"""Every side effect of the articles app, in one place: what runs when something else happens.

Receivers (connected by `connect()`, from `ArticlesConfig.ready`):

- `post_delete` of `Image` and of `Provider`: their stored files are deleted once the
  transaction commits, unless another row still names them (`articles.images.storage`). A
  signal, not a `delete()` override: rows also go in bulk and with the article or related link
  they belong to.
- `connection_created`: every database connection gets the content-version write hook
  (`newsroom.content.watch_writes`), so any committed write to a content table, by any code
  path, makes readers' cached pages out of date. The content tables and the schedule are
  registered here (`newsroom.content.register_content`).

Database triggers (SQL that runs inside the database on writes; each is created by the named
migration, and `DATABASE_TRIGGERS` lists them for readers; tests/articles/test_signals.py holds
the list equal to the triggers the database has, no more, no fewer): see below.
"""

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete

from newsroom import content

from .images import storage
from .models import Article, ImportRun
from .visibility import next_schedule_change

# Written by every import, but not shown to readers.
NOT_CONTENT = {ImportRun}


@dataclass(frozen=True)
class DatabaseTrigger:
    name: str
    table: str
    vendor: str
    migration: str
    does: str


DATABASE_TRIGGERS = (
    DatabaseTrigger(
        "tagged_article_ranking",
        "articles_taggedarticle",
        "postgresql",
        "0007_topic_ranking",
        "a new tagging takes its article's is_featured, rank and published_at",
    ),
    DatabaseTrigger(
        "tagged_article_ranking_insert",
        "articles_taggedarticle",
        "sqlite",
        "0007_topic_ranking",
        "a new tagging takes its article's is_featured, rank and published_at",
    ),
    DatabaseTrigger(
        "tagged_article_ranking_update",
        "articles_taggedarticle",
        "sqlite",
        "0007_topic_ranking",
        "a tagging moved to another article takes that article's ranking",
    ),
    DatabaseTrigger(
        "article_ranking_to_taggings",
        "articles_article",
        "both",
        "0007_topic_ranking",
        "a change to an article's is_featured, published_at or heat is copied to its taggings",
    ),
    DatabaseTrigger(
        "article_search_vector",
        "articles_article",
        "postgresql",
        "0009_article_search_vector",
        "search_vector is computed from title and excerpt on insert and on their update",
    ),
)


def connect() -> None:
    """Connect every receiver above (once)."""
    from PIL import Image as PILImage

    # Pillow refuses to open anything past twice this (a decompression bomb);
    # `articles.images.verify.open_image` refuses past the limit itself.
    PILImage.MAX_IMAGE_PIXELS = settings.IMAGES_MAX_PIXELS
    post_delete.connect(storage.image_deleted, sender="articles.Image")
    post_delete.connect(storage.provider_deleted, sender="providers.Provider")
    content.register_content(
        tables=_content_tables(),
        next_change=lambda after: next_schedule_change(Article.objects.all(), after=after),
    )
    connection_created.connect(content.watch_connection, dispatch_uid="articles.watch_writes")


def _content_tables() -> set[str]:
    return {
        model._meta.db_table
        for label in ("articles", "providers")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if model not in NOT_CONTENT
    }
