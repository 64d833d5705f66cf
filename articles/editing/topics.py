"""Editorial work on topics: renaming and merging, each keeping the old public URL alive as a
permanent redirect (`TopicRedirect`)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Min

from articles.models import TaggedArticle, Topic, TopicRedirect


class TopicMergeError(ValueError):
    """A merge that cannot be done; the message says why, for the editor."""


@dataclass(frozen=True)
class MergeResult:
    into: Topic
    merged: list[str]
    articles_moved: int
    # The merged topics as they were (deleted now; each keeps its pk, for the admin's log).
    deleted: list[Topic]


def save_topic(topic: Topic, *, old_slug: str = "", old_name: str = "") -> None:
    """Save `topic`; when its slug changed from `old_slug`, the old URL redirects to it from now
    on. A redirect from the topic's own (new) slug is dropped: a live topic wins."""
    with transaction.atomic():
        topic.save()
        TopicRedirect.objects.filter(old_slug=topic.slug).delete()
        if old_slug and old_slug != topic.slug:
            TopicRedirect.objects.update_or_create(
                old_slug=old_slug, defaults={"topic": topic, "old_name": old_name}
            )


def merge_topics(topics: Iterable[Topic], *, into: Topic) -> MergeResult:
    """Merge `topics` into `into`, in one transaction: every article tagged with any of them is
    tagged with `into` instead (an article never gets a topic twice, and keeps all its other
    topics), their old URLs redirect to `into`, and they are deleted.

    Raises TopicMergeError when there is nothing to merge or `into` is one of `topics`."""
    sources = {topic.pk: topic for topic in topics}
    if into.pk in sources:
        raise TopicMergeError(f"A topic cannot be merged into itself ({into.name}).")
    if not sources:
        raise TopicMergeError(
            f"Nothing to merge: a topic cannot be merged into itself ({into.name}); "
            "select at least two topics."
        )
    with transaction.atomic():
        rows = TaggedArticle.objects.filter(tag_id__in=list(sources))
        # Articles that already have `into` lose the merged topics; of the others, an article
        # tagged with several merged topics keeps one row, which is moved to `into`.
        already = TaggedArticle.objects.filter(tag=into).values("content_object_id")
        rows.filter(content_object_id__in=already).delete()
        keep = rows.values("content_object_id").annotate(keep=Min("pk")).values("keep")
        rows.exclude(pk__in=keep).delete()
        moved = rows.update(tag=into)

        TopicRedirect.objects.filter(topic_id__in=list(sources)).update(topic=into)
        TopicRedirect.objects.filter(old_slug__in=[t.slug for t in sources.values()]).delete()
        TopicRedirect.objects.bulk_create(
            TopicRedirect(old_slug=topic.slug, old_name=topic.name, topic=into)
            for topic in sources.values()
        )
        TopicRedirect.objects.filter(old_slug=into.slug).delete()
        Topic.objects.filter(pk__in=list(sources)).delete()
    deleted = sorted(sources.values(), key=lambda topic: (topic.name, topic.pk))
    return MergeResult(
        into=into, merged=[t.name for t in deleted], articles_moved=moved, deleted=deleted
    )
