"""The admin's record of work: an object's history page opens, and bulk actions, topic merges
and uploads each leave one `LogEntry` per object they changed, with a readable message, in a
number of queries that does not grow with the selection. (Blocks: `test_outlets.py`.)"""

import pytest

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.paginator import Paginator
from django.test import TestCase
from django.urls import reverse
from django.utils.html import escape

from articles.editing.paginator import BoundedPaginator
from articles.models import Article, ImportRun, Topic
from tests.articles.editing.helpers import make_editor, make_superuser, messages_of
from tests.articles.seeds.builders import seed_bytes
from tests.factories import make_article, make_articles

ARTICLES = reverse("admin:articles_article_changelist")
TOPICS = reverse("admin:articles_topic_changelist")


def history_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])


def entries(model=Article):
    """The log as (object id, flag, message) rows, for `model`'s objects, oldest first."""
    return sorted(
        (int(entry.object_id), entry.action_flag, entry.change_message)
        for entry in LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model))
    )


class HistoryPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.superuser = make_superuser()
        cls.editor = make_editor()
        cls.article = make_article(title="A story with a past", topics=["AI"])

    def test_an_articles_history_opens_for_superusers_and_editors(self):
        """The history page pages log entries with Django's paginator, not the changelist's
        (which counts by publication date, a field log entries do not have)."""
        self.client.force_login(self.editor)
        self.client.post(ARTICLES, {"action": "feature", ACTION_CHECKBOX_NAME: [self.article.pk]})
        for user in (self.superuser, self.editor):
            self.client.force_login(user)
            response = self.client.get(history_url(self.article))
            assert response.status_code == 200, user
            paginator = response.context["action_list"].paginator
            assert type(paginator) is Paginator, user
            assert "Featured (bulk action)" in response.content.decode()

    def test_the_changelist_keeps_its_bounded_paginator(self):
        self.client.force_login(self.editor)
        response = self.client.get(ARTICLES)
        assert isinstance(response.context["cl"].paginator, BoundedPaginator)


class BulkActionLogTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()
        cls.drafts = make_articles(3, is_published=False, topics=["AI"])
        cls.live = make_article(title="Already live", is_featured=True)
        cls.robots = Topic.objects.create(name="Robots", slug="robots")

    def setUp(self):
        self.client.force_login(self.editor)

    def act(self, action, articles, **extra):
        data = {"action": action, ACTION_CHECKBOX_NAME: [a.pk for a in articles], **extra}
        return self.client.post(ARTICLES, data, follow=True)

    def test_each_action_logs_only_the_articles_it_changed(self):
        everyone = [*self.drafts, self.live]
        drafts, all_ids = [a.pk for a in self.drafts], [a.pk for a in everyone]
        robots = {"topic": self.robots.pk}
        steps = [
            ("publish", everyone, {}, drafts, "Published"),
            ("feature", everyone, {}, drafts, "Featured"),
            ("unfeature", everyone, {}, all_ids, "No longer featured"),
            ("unpublish", everyone, {}, all_ids, "Unpublished"),
            ("add_topic", everyone, robots, all_ids, "Topic “Robots” added"),
            ("remove_topic", self.drafts[:1], robots, drafts[:1], "Topic “Robots” removed"),
        ]
        for action, selected, extra, changed, message in steps:
            LogEntry.objects.all().delete()
            self.act(action, selected, **extra)
            expected = [(pk, CHANGE, f"{message} (bulk action)") for pk in sorted(changed)]
            assert entries() == expected, action
            assert set(LogEntry.objects.values_list("user_id", flat=True)) == {self.editor.pk}

    def test_an_action_that_changes_nothing_logs_nothing(self):
        response = self.act("publish", [self.live])
        assert messages_of(response) == ["0 articles changed: published."]
        response = self.act("add_topic", self.drafts)  # no topic chosen
        assert "Choose a topic" in messages_of(response)[0]
        assert not LogEntry.objects.exists()

    def test_recent_actions_and_the_articles_history_show_a_bulk_publish(self):
        self.act("publish", self.drafts[:2])
        index = self.client.get(reverse("admin:index")).content.decode()
        recent = index.split('id="recent-actions-module"')[1]
        for article in self.drafts[:2]:
            assert article.title in recent
        assert self.drafts[2].title not in recent
        history = self.client.get(history_url(self.drafts[0])).content.decode()
        assert "Published (bulk action)" in history and self.editor.username in history

    def test_the_object_repr_is_the_title(self):
        self.act("publish", self.drafts[:1])
        entry = LogEntry.objects.get()
        assert (entry.object_repr, entry.get_edited_object()) == (
            self.drafts[0].title,
            self.drafts[0],
        )


class MergeLogTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()
        make_article(topics=["AI", "A.I."])
        make_article(topics=["Artificial Intelligence"])

    def test_a_merge_logs_the_topic_kept_and_each_topic_merged_into_it(self):
        self.client.force_login(self.editor)
        ai, dotted, long = (
            Topic.objects.get(name=name) for name in ["AI", "A.I.", "Artificial Intelligence"]
        )
        data = {
            "action": "merge",
            ACTION_CHECKBOX_NAME: [ai.pk, dotted.pk, long.pk],
            "apply": "1",
            "into": ai.pk,
        }
        self.client.post(TOPICS, data)
        assert entries(Topic) == sorted(
            [
                (
                    ai.pk,
                    CHANGE,
                    "Merged topics “A.I.”, “Artificial Intelligence” into this one "
                    "(1 article moved)",
                ),
                (dotted.pk, DELETION, "Merged into “AI”"),
                (long.pk, DELETION, "Merged into “AI”"),
            ]
        )
        assert set(LogEntry.objects.values_list("object_repr", flat=True)) == {
            "AI",
            "A.I.",
            "Artificial Intelligence",
        }

    def test_a_refused_merge_logs_nothing(self):
        self.client.force_login(self.editor)
        ai = Topic.objects.get(name="AI")
        data = {"action": "merge", ACTION_CHECKBOX_NAME: [ai.pk], "apply": "1", "into": ai.pk}
        response = self.client.post(TOPICS, data, follow=True)
        assert "cannot be merged into itself" in messages_of(response)[0]
        assert not LogEntry.objects.exists()


class UploadLogTests(TestCase):
    def test_an_upload_logs_one_addition_on_its_run_with_the_summary(self):
        editor = make_editor()
        self.client.force_login(editor)
        files = [
            SimpleUploadedFile(
                f"{n}.md", seed_bytes(title=f"Story {n}", webUrl=f"https://e.org/{n}")
            )
            for n in range(2)
        ]
        upload = reverse("admin:articles_importrun_upload")
        response = self.client.post(upload, {"files": files}, follow=True)
        run = ImportRun.objects.get()
        entry = LogEntry.objects.get()
        assert (entry.get_edited_object(), entry.action_flag, entry.user) == (run, ADDITION, editor)
        # The run's summary, as the editor was told it.
        assert messages_of(response) == [f"Import finished: {entry.change_message}"]
        assert "2 created" in entry.change_message
        history = self.client.get(history_url(run)).content.decode()
        assert escape(entry.change_message) in history


def _select(client, changelist, action, objects, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [obj.pk for obj in objects], **extra}
    return client.post(changelist, data)


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [2, 7])
@pytest.mark.parametrize(
    ("action", "queries"),
    [
        ("publish", 18),
        ("unpublish", 18),
        ("feature", 18),
        ("unfeature", 18),
        ("add_topic", 20),
        ("remove_topic", 20),
    ],
)
def test_a_bulk_action_costs_the_same_queries_for_any_number_of_articles(
    action, queries, rows, client, django_assert_num_queries
):
    """An action costs the same for 2 articles as for 7: the changelist it is posted to (9
    queries: session, user, permissions, count, rows, their topics and images, the action bar's
    topic), two savepoints, the articles that change, their update (and their topic rows) and
    one INSERT for the log."""
    client.force_login(make_editor())
    start = {"is_published": action != "publish", "is_featured": action == "unfeature"}
    articles = make_articles(rows, topics=["AI"] if action == "remove_topic" else [], **start)
    topic = Topic.objects.get_or_create(name="AI", slug="ai")[0]
    ContentType.objects.get_for_model(Article)  # the content type cache is the process's
    with django_assert_num_queries(queries):
        response = _select(client, ARTICLES, action, articles, topic=topic.pk)
    assert response.status_code == 302
    assert LogEntry.objects.count() == rows


@pytest.mark.django_db
@pytest.mark.parametrize("merged", [1, 5])
def test_a_merge_costs_the_same_queries_for_any_number_of_topics(
    merged, client, django_assert_num_queries
):
    """Merging 1 topic or 5 into another costs the same, its log included (one INSERT for the
    topic kept, one for those merged)."""
    client.force_login(make_editor())
    names = [f"Topic {n}" for n in range(merged + 1)]
    make_articles(3, topics=names)
    topics = list(Topic.objects.filter(name__in=names))
    ContentType.objects.get_for_model(Topic)
    with django_assert_num_queries(25):
        response = _select(client, TOPICS, "merge", topics, apply="1", into=topics[0].pk)
    assert response.status_code == 302
    assert LogEntry.objects.count() == merged + 1
