"""The content version moves once for each committed transaction that writes a content table,
whatever wrote it (`newsroom.content.watch_writes` sees every statement), and never for a write
that is rolled back or that touches only tables readers never see.

A TestCase never commits: these tests run the commit callbacks with
`captureOnCommitCallbacks(execute=True)`, as a real commit would, and count the bumps. Only
what needs a real commit (autocommit, Django's own commit hooks) is a TransactionTestCase.
The service-level changes (publishing, merging topics, an import) are in tests/test_cache.py."""

from contextlib import contextmanager
from unittest import mock

import pytest

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.test import TestCase, TransactionTestCase

from articles.models import Article, ImportRun, TaggedArticle, Topic
from articles.seeds import import_paths
from newsroom import content
from providers.models import Provider
from tests.factories import make_article, make_articles, make_provider


@contextmanager
def counted_bumps():
    """The content version bumps made inside the block (a mock: `call_count`)."""
    with mock.patch.object(content, "bump_content_version") as bumps:
        yield bumps


class ContentVersionTestCase(TestCase):
    @contextmanager
    def committed(self):
        """A transaction of its own, whose commit callbacks run at the end of the block as at a
        real commit; yields the bumps counted so far (read `call_count` after the block)."""
        with (
            counted_bumps() as bumps,
            self.captureOnCommitCallbacks(execute=True),
            transaction.atomic(),
        ):
            yield bumps

    def assert_bumps_once(self, write):
        with self.committed() as bumps:
            write()
        assert bumps.call_count == 1

    def assert_does_not_bump(self, write):
        with self.committed() as bumps:
            write()
        assert bumps.call_count == 0


class WritePathTests(ContentVersionTestCase):
    """Each way Django (or raw SQL) writes a content table moves the version once."""

    @classmethod
    def setUpTestData(cls):
        cls.provider = make_provider(domain="taken.example", slug="taken")
        cls.story, cls.other = make_articles(2, provider=cls.provider, topics=["AI"])
        cls.topic = Topic.objects.create(name="Robots")

    def test_saving_a_new_article(self):
        self.assert_bumps_once(lambda: make_article(provider=self.provider))

    def test_saving_an_existing_article(self):
        def edit():
            self.story.title = "Edited"
            self.story.save()

        self.assert_bumps_once(edit)

    def test_deleting_an_article(self):
        self.assert_bumps_once(self.story.delete)

    def test_a_queryset_update(self):
        self.assert_bumps_once(lambda: Article.objects.filter(pk=self.story.pk).update(heat=7))

    def test_a_queryset_delete(self):
        self.assert_bumps_once(lambda: Article.objects.filter(pk=self.other.pk).delete())

    def test_bulk_create(self):
        new = [
            Provider(name=f"Bulk {n}", domain=f"bulk{n}.example", slug=f"bulk-{n}") for n in "ab"
        ]
        self.assert_bumps_once(lambda: Provider.objects.bulk_create(new))
        assert Provider.objects.filter(domain__startswith="bulk").count() == 2

    def test_bulk_create_ignoring_conflicts(self):
        """SQLite writes it as INSERT OR IGNORE INTO, PostgreSQL as INSERT ... ON CONFLICT."""
        rows = [
            Provider(name="Taken", domain="taken.example", slug="taken"),
            Provider(name="Fresh", domain="fresh.example", slug="fresh"),
        ]
        self.assert_bumps_once(lambda: Provider.objects.bulk_create(rows, ignore_conflicts=True))
        assert Provider.objects.filter(domain="fresh.example").exists()

    def test_bulk_update(self):
        self.story.heat, self.other.heat = 3, 4
        self.assert_bumps_once(
            lambda: Article.objects.bulk_update([self.story, self.other], ["heat"])
        )

    def test_adding_and_removing_a_topic(self):
        """Only the tagging table is written (the topic exists already)."""
        self.assert_bumps_once(lambda: self.story.topics.add(self.topic))
        assert TaggedArticle.objects.filter(content_object=self.story, tag=self.topic).exists()
        self.assert_bumps_once(lambda: self.story.topics.remove(self.topic))

    def test_a_raw_update(self):
        def raw_update():
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE articles_article SET heat = heat + 1 WHERE id = %s", [self.story.pk]
                )

        self.assert_bumps_once(raw_update)


class NoBumpTests(ContentVersionTestCase):
    """What readers cannot see does not move the version: writes to other tables, and writes
    that are rolled back."""

    @classmethod
    def setUpTestData(cls):
        cls.story = make_article()

    def rename(self, title):
        Article.objects.filter(pk=self.story.pk).update(title=title)

    def test_writes_to_tables_readers_never_see(self):
        """The import history (an import of nothing only records its run) and the users."""

        def write():
            ImportRun.objects.create()
            import_paths([])
            get_user_model().objects.create_user("reader", password="x-pass-123456")

        self.assert_does_not_bump(write)

    def test_a_rolled_back_transaction(self):
        def rolled_back():
            with pytest.raises(IntegrityError), transaction.atomic():
                self.rename("Never")
                make_provider(domain=self.story.provider.domain)  # a duplicate domain

        self.assert_does_not_bump(rolled_back)
        self.story.refresh_from_db()
        assert self.story.title != "Never"

    def test_a_rolled_back_savepoint_alone(self):
        """The transaction commits, but its only content write was in a rolled-back savepoint."""

        def write():
            ImportRun.objects.create()
            with pytest.raises(RuntimeError), transaction.atomic():
                self.rename("Never")
                raise RuntimeError

        self.assert_does_not_bump(write)


class OneBumpPerTransactionTests(ContentVersionTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.story = make_article()

    def rename(self, title):
        Article.objects.filter(pk=self.story.pk).update(title=title)

    def roll_back_a_rename(self):
        with pytest.raises(RuntimeError), transaction.atomic():
            self.rename("Never")
            raise RuntimeError

    def test_a_write_kept_beside_a_rolled_back_savepoint_still_bumps(self):
        """Whether the kept write comes before the rolled-back savepoint or after it (then the
        one registration made so far is gone with the savepoint)."""
        for name, writes in {
            "before": [lambda: self.rename("Kept"), self.roll_back_a_rename],
            "after": [self.roll_back_a_rename, lambda: self.rename("Kept")],
        }.items():
            with self.subTest(name), self.committed() as bumps:
                for write in writes:
                    write()
            assert bumps.call_count == 1, name
            self.story.refresh_from_db()
            assert self.story.title == "Kept", name

    def test_a_thousand_writes_in_one_transaction_bump_once(self):
        def write():
            for heat in range(1000):
                Article.objects.filter(pk=self.story.pk).update(heat=heat)

        self.assert_bumps_once(write)

    def test_each_committed_transaction_bumps_once(self):
        """The bump of one commit is spent; the next transaction has a bump of its own."""
        for title in ["First", "Second", "Third"]:
            self.assert_bumps_once(lambda title=title: self.rename(title))


class RealCommitTests(TransactionTestCase):
    """Django's own commit machinery, outside a test transaction."""

    def setUp(self):
        self.story = make_article()

    def test_a_write_outside_a_transaction_bumps_at_once(self):
        """In autocommit the statement is committed as it runs."""
        with counted_bumps() as bumps:
            Article.objects.filter(pk=self.story.pk).update(heat=9)
            assert bumps.call_count == 1

    def test_a_transaction_bumps_after_its_commit_not_before(self):
        with counted_bumps() as bumps:
            with transaction.atomic():
                for heat in range(3):
                    Article.objects.filter(pk=self.story.pk).update(heat=heat)
                assert bumps.call_count == 0
            assert bumps.call_count == 1

    def test_a_failing_bump_is_logged_and_the_commit_stands(self):
        """A cache that fails at the commit costs a log line, not the request."""
        with (
            counted_bumps() as bumps,
            self.assertLogs("django.db.backends.base", "ERROR") as logs,
            transaction.atomic(),
        ):
            bumps.side_effect = ConnectionError("cache down")
            Article.objects.filter(pk=self.story.pk).update(title="Committed")
        assert "cache down" in logs.output[0]
        assert Article.objects.get(pk=self.story.pk).title == "Committed"


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ('INSERT INTO "articles_article" ("title") VALUES (%s)', {"articles_article"}),
        ('INSERT OR IGNORE INTO "providers_provider" ("name") VALUES (%s)', {"providers_provider"}),
        ("insert or replace into articles_topic (name) values ('AI')", {"articles_topic"}),
        ("REPLACE INTO articles_topic (name) VALUES ('AI')", {"articles_topic"}),
        (
            'INSERT INTO "articles_topic" ("name") VALUES (%s) ON CONFLICT DO NOTHING',
            {"articles_topic"},
        ),
        ('UPDATE "articles_article" SET "heat" = %s', {"articles_article"}),
        ("UPDATE OR IGNORE articles_article SET heat = 1", {"articles_article"}),
        ('UPDATE ONLY "public"."articles_article" SET heat = 1', {"articles_article"}),
        ('DELETE FROM "articles_image" WHERE "id" IN (%s)', {"articles_image"}),
        (
            "MERGE INTO articles_article USING x ON true WHEN MATCHED THEN DELETE",
            {"articles_article"},
        ),
        (
            'TRUNCATE "articles_article", "auth_user" RESTART IDENTITY CASCADE;',
            {"articles_article", "auth_user"},
        ),
        (
            "WITH gone AS (DELETE FROM articles_image RETURNING id) SELECT count(*) FROM gone",
            {"articles_image"},
        ),
        ('SELECT "updated_at" FROM "articles_article" WHERE "title" = \'UPDATE x\'', set()),
        ("WITH recent AS (SELECT 1) SELECT * FROM recent", set()),
        ('SAVEPOINT "s1_x1"', set()),
        ('CREATE INDEX "article_ranking" ON "articles_article" ("id")', set()),
    ],
)
def test_the_tables_a_statement_writes(sql, tables):
    assert content.written_tables(sql) == tables
