"""Bulk editorial changes to articles (the admin's actions), edits to their images and related
links, and the blocking of outlets. Each change to an article is recorded as an editor's
(`Article.edited_fields`), so that a later import keeps it. Each bulk change returns what it
changed, for the admin's log (`articles.editing.history`)."""

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from articles.models import Article, Image, RelatedLink, TaggedArticle, Topic
from articles.seeds import mark_edited
from newsroom.db import correlated_count
from providers.models import Provider

FLAGS = frozenset({"is_published", "is_featured"})


def _load(articles: QuerySet) -> list[Article]:
    # The title too: the admin's log names each article changed.
    return list(
        articles.prefetch_related(None).select_related(None).only("pk", "title", "edited_fields")
    )


def _record(articles: list[Article], field: str, **values) -> None:
    """Set `values` on `articles`, record `field` as edited by hand, and save just that."""
    now = timezone.now()
    for article in articles:
        mark_edited(article, [field])
        for name, value in values.items():
            setattr(article, name, value)
        article.updated_at = now
    Article.objects.bulk_update(articles, [*values, "edited_fields", "updated_at"], batch_size=500)


def set_flag(articles: QuerySet, *, field: str, value: bool) -> list[Article]:
    """Set the flag `field` (`is_published` or `is_featured`) to `value` on `articles`.
    Returns the articles whose flag actually changed."""
    if field not in FLAGS:
        raise ValueError(f"not an editorial flag: {field}")
    with transaction.atomic():
        changing = _load(articles.exclude(**{field: value}))
        _record(changing, field, **{field: value})
    return changing


def add_topic(articles: QuerySet, topic: Topic) -> list[Article]:
    """Tag `articles` with `topic`. Returns those that did not have it yet."""
    tagged = TaggedArticle.objects.filter(tag=topic).values("content_object_id")
    with transaction.atomic():
        changing = _load(articles.exclude(pk__in=tagged))
        TaggedArticle.objects.bulk_create(
            (TaggedArticle(content_object_id=article.pk, tag=topic) for article in changing),
            batch_size=500,
        )
        _record(changing, "topics")
    return changing


def remove_topic(articles: QuerySet, topic: Topic) -> list[Article]:
    """Untag `articles` from `topic`. Returns those that had it."""
    tagged = TaggedArticle.objects.filter(tag=topic).values("content_object_id")
    with transaction.atomic():
        changing = _load(articles.filter(pk__in=tagged))
        TaggedArticle.objects.filter(
            tag=topic, content_object_id__in=articles.values("pk")
        ).delete()
        _record(changing, "topics")
    return changing


def with_public_stories(providers: QuerySet) -> QuerySet:
    """`providers`, each with `public_stories`: how many of its articles readers see now
    (`Article.objects.published()`), counted in the same query as the providers."""
    return providers.annotate(
        public_stories=correlated_count(Article.objects.published(), "provider")
    )


def set_blocked(providers: QuerySet, *, blocked: bool) -> list[Provider]:
    """Block (or unblock) `providers`: a blocked outlet's articles are hidden from readers.
    Returns the providers whose state changed, each with `public_stories`: the stories the
    block hid, or those the unblock shows again."""
    changing = providers.exclude(is_blocked=blocked)
    with transaction.atomic():
        if blocked:  # counted before: once blocked, an outlet has no public stories
            changed = list(with_public_stories(changing).order_by("name", "pk"))
            Provider.objects.filter(pk__in=[p.pk for p in changed]).update(is_blocked=True)
            for provider in changed:
                provider.is_blocked = True
            return changed
        ids = list(changing.values_list("pk", flat=True))
        Provider.objects.filter(pk__in=ids).update(is_blocked=False)
        unblocked = Provider.objects.filter(pk__in=ids).order_by("name", "pk")
        return list(with_public_stories(unblocked))


def record_children_edited(owners: Iterable[tuple[str, int | None]]) -> None:
    """Record that an editor changed by hand the children named in `owners`, pairs of a
    relation ("images" or "related_links") and an article id (None is skipped: an image of
    nobody's), so that a later import keeps those images or related links as they are."""
    by_relation = defaultdict(set)
    for relation, article_id in owners:
        if article_id is not None:
            by_relation[relation].add(article_id)
    if not by_relation:  # an article form saved with its inlines untouched: no savepoint
        return
    with transaction.atomic():
        for relation, article_ids in by_relation.items():
            articles = _load(Article.objects.filter(pk__in=article_ids))
            _record(
                [article for article in articles if relation not in article.edited_fields], relation
            )


def image_owners(image_ids: Iterable[int]) -> set[tuple[str, int | None]]:
    """Whose children the images `image_ids` are, for `record_children_edited`: an article's
    own images, or its related links'."""
    rows = Image.objects.filter(pk__in=image_ids).values_list(
        "article_id", "related_link__article_id"
    )
    return {("images", own) if own else ("related_links", linked) for own, linked in rows}


def related_link_owners(link_ids: Iterable[int]) -> set[tuple[str, int | None]]:
    """Whose children the related links `link_ids` are, for `record_children_edited`."""
    rows = RelatedLink.objects.filter(pk__in=link_ids).values_list("article_id", flat=True)
    return {("related_links", article_id) for article_id in rows}
