"""A topic's page reads the public order off its taggings' copy of each article's ranking
(`TaggedArticle.is_featured`, `rank`, `published_at`, kept by database triggers): after every
kind of write that changes an article's ranking or its topics, the page shows exactly
`Article.objects.published().filter(topics=topic).ranked()`."""

from datetime import timedelta

import pytest

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import OuterRef, Subquery
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from articles.editing.topics import merge_topics
from articles.models import Article, Rank, TaggedArticle, Topic
from articles.seeds import import_paths, read_seed
from articles.seeds.load import ImportReport, load_records
from articles.seeds.read import SeedImage
from tests.articles.editing.helpers import change_form_data, make_editor, messages_of
from tests.articles.seeds.builders import seed_bytes, write_seed
from tests.factories import make_article, make_provider

CHANGELIST = reverse("admin:articles_article_changelist")


def expected_order(topic) -> list[int]:
    return list(
        Article.objects.published().filter(topics=topic).ranked().values_list("pk", flat=True)
    )


def assert_copies_match_articles():
    """Every tagging holds its article's featured flag, publication time and rank."""
    rank = Article.objects.filter(pk=OuterRef("content_object_id")).values(r=Rank())
    rows = TaggedArticle.objects.annotate(article_rank=Subquery(rank)).values_list(
        "is_featured",
        "content_object__is_featured",
        "published_at",
        "content_object__published_at",
        "rank",
        "article_rank",
    )
    assert rows
    for featured, article_featured, published_at, article_published_at, rank, article_rank in rows:
        assert featured == article_featured
        assert published_at == article_published_at
        assert rank == pytest.approx(article_rank, abs=1e-3)


class TopicOrderTestCase(TestCase):
    """Six AI stories whose order depends on every ranking field (featured, heat, recency,
    ties in rank broken by publication time), one of them hidden, and a Robots story."""

    @classmethod
    def setUpTestData(cls):
        cls.now = timezone.now().replace(microsecond=0)
        cls.editor = make_editor()
        at = cls.at
        cls.newest = make_article(title="Newest", published_at=at(1), heat=0, topics=["AI"])
        cls.hot = make_article(title="Hot", published_at=at(10), heat=120, topics=["AI"])
        cls.old = make_article(title="Old", published_at=at(48), heat=None, topics=["AI"])
        # Half an hour behind `newest`: an hour older, 5 points of heat (30 minutes).
        cls.warm = make_article(title="Warm", published_at=at(2), heat=5, topics=["AI"])
        cls.featured = make_article(
            title="Featured", published_at=at(24 * 30), is_featured=True, topics=["AI", "Robots"]
        )
        cls.hidden = make_article(title="Hidden", published_at=at(0), is_published=False)
        cls.hidden.topics.add("AI")
        cls.robots = make_article(title="Robots only", published_at=at(3), topics=["Robots"])
        cls.ai = Topic.objects.get(name="AI")

    @classmethod
    def at(cls, hours_ago):
        return cls.now - timedelta(hours=hours_ago)

    def setUp(self):
        self.client.force_login(self.editor)

    def shown(self, topic=None) -> list[int]:
        """The articles of the topic's first page, in the order the page shows them."""
        topic = topic or self.ai
        response = self.client.get(topic.get_absolute_url())
        assert response.status_code == 200
        return [article.pk for article in response.context["articles"]]

    def assert_page_in_public_order(self, *, starts_with, topic=None):
        topic = topic or self.ai
        shown = self.shown(topic)
        assert shown == expected_order(topic)
        assert shown[: len(starts_with)] == [article.pk for article in starts_with]
        assert_copies_match_articles()


class TaggingTests(TopicOrderTestCase):
    def test_taggings_take_their_articles_ranking(self):
        """Tagged through taggit (`article.topics.add`): featured first, then heat worth
        minutes of recency; the hidden article is left out."""
        self.assert_page_in_public_order(
            starts_with=[self.featured, self.hot, self.newest, self.warm, self.old]
        )
        assert self.hidden.pk not in self.shown()

    def test_taggit_set_and_add(self):
        self.old.topics.set(["Robots"])
        self.robots.topics.add("AI")
        self.assert_page_in_public_order(
            starts_with=[self.featured, self.hot, self.newest, self.warm, self.robots]
        )

    def test_a_tagging_moved_to_another_article_takes_that_articles_ranking(self):
        tagging = TaggedArticle.objects.get(content_object=self.old, tag=self.ai)
        tagging.content_object = self.robots
        tagging.save()
        self.assert_page_in_public_order(
            starts_with=[self.featured, self.hot, self.newest, self.warm, self.robots]
        )

    def test_topic_merge(self):
        """Articles of a merged topic join the topic they are merged into at their rank."""
        dotted = make_article(title="Dotted", published_at=self.at(5), heat=200, topics=["A.I."])
        merge_topics(
            [Topic.objects.get(name="A.I."), Topic.objects.get(name="Robots")], into=self.ai
        )
        self.assert_page_in_public_order(
            starts_with=[self.featured, dotted, self.hot, self.newest, self.warm, self.robots]
        )


class ArticleWriteTests(TopicOrderTestCase):
    def test_saving_an_article(self):
        self.old.heat = 1000
        self.old.save()
        self.assert_page_in_public_order(starts_with=[self.featured, self.old])
        self.old.published_at = self.at(24 * 365)
        self.old.heat = None
        self.old.save(update_fields=["published_at", "heat"])
        self.assert_page_in_public_order(starts_with=[self.featured, self.hot])
        assert self.shown()[-1] == self.old.pk

    def test_queryset_update_and_bulk_update(self):
        Article.objects.filter(pk=self.old.pk).update(is_featured=True, published_at=self.at(0))
        self.assert_page_in_public_order(starts_with=[self.old, self.featured, self.hot])
        self.hot.heat, self.newest.published_at = -1, self.at(100)
        Article.objects.bulk_update([self.hot, self.newest], ["heat", "published_at"])
        self.assert_page_in_public_order(starts_with=[self.old, self.featured, self.warm])

    def test_admin_change_form(self):
        """An editor's heat, date and topics, saved through the article form."""
        url = reverse("admin:articles_article_change", args=[self.old.pk])
        data = change_form_data(self.client, self.old, heat=500)
        local = timezone.localtime(self.at(0.5))
        data.update(published_at_0=f"{local:%Y-%m-%d}", published_at_1=f"{local:%H:%M:%S}")
        response = self.client.post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        self.assert_page_in_public_order(starts_with=[self.featured, self.old, self.hot])

        robots = Topic.objects.get(name="Robots")
        url = reverse("admin:articles_article_change", args=[self.hot.pk])
        response = self.client.post(
            url, change_form_data(self.client, self.hot, topics=[robots.pk])
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        self.assert_page_in_public_order(starts_with=[self.featured, self.old, self.newest])
        self.assert_page_in_public_order(starts_with=[self.featured, self.hot], topic=robots)

    def test_admin_feature_and_unfeature_actions(self):
        def act(action, articles, **extra):
            data = {"action": action, ACTION_CHECKBOX_NAME: [a.pk for a in articles], **extra}
            return messages_of(self.client.post(CHANGELIST, data, follow=True))

        assert act("feature", [self.old]) == ["1 article changed: featured."]
        self.assert_page_in_public_order(starts_with=[self.old, self.featured, self.hot])
        assert act("unfeature", [self.old, self.featured]) == [
            "2 articles changed: no longer featured."
        ]
        self.assert_page_in_public_order(starts_with=[self.hot, self.newest, self.warm])

    def test_admin_topic_actions(self):
        def act(action, articles, topic):
            data = {"action": action, ACTION_CHECKBOX_NAME: [a.pk for a in articles]}
            return messages_of(
                self.client.post(CHANGELIST, {**data, "topic": topic.pk}, follow=True)
            )

        robots = Topic.objects.get(name="Robots")
        assert act("add_topic", [self.hot, self.old], robots) == [
            "2 articles changed: topic “Robots” added."
        ]
        self.assert_page_in_public_order(
            starts_with=[self.featured, self.hot, self.robots, self.old], topic=robots
        )
        assert act("remove_topic", [self.hot], self.ai) == [
            "1 article changed: topic “AI” removed."
        ]
        self.assert_page_in_public_order(starts_with=[self.featured, self.newest, self.warm])


class PaginationTests(TestCase):
    def test_pages_follow_the_public_order_in_a_fixed_number_of_queries(self):
        """Page after page, the same cards in the same order as `ranked()`, and a page costs
        what it did when the database sorted every article of the topic."""
        for n in range(30):
            make_article(topics=["AI"], heat=n % 5, is_featured=n == 29)
        ai = Topic.objects.get(name="AI")
        with self.assertNumQueries(6):
            first = self.client.get("/topics/ai/")
        second = self.client.get("/topics/ai/?page=2")
        shown = [a.pk for a in first.context["articles"]] + [
            a.pk for a in second.context["articles"]
        ]
        assert shown == expected_order(ai)


class ImportTests(TestCase):
    """The importer's bulk statements: new articles, changed ones (retagged, or keeping an
    editor's topics), and the file-by-file fallback when the database refuses a batch."""

    def setUp(self):
        import tempfile
        from pathlib import Path

        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)

    def write(self, name, *, hours_ago, heat, topics=("AI",)):
        published = timezone.now() - timedelta(hours=hours_ago)
        return write_seed(
            self.folder,
            f"{name}.md",
            title=name,
            webUrl=f"https://example.com/{name}",
            publishedDateTime=published.isoformat(),
            heat=heat,
            topics=list(topics),
        )

    def titles(self, topic_name="AI") -> list[str]:
        topic = Topic.objects.get(name=topic_name)
        html = self.client.get(topic.get_absolute_url())
        shown = [article.title for article in html.context["articles"]]
        assert shown == [Article.objects.get(pk=pk).title for pk in expected_order(topic)]
        assert_copies_match_articles()
        return shown

    def test_created_then_updated_by_a_changed_file(self):
        self.write("recent", hours_ago=1, heat=0)
        self.write("warm", hours_ago=5, heat=20)
        self.write("old", hours_ago=50, heat=0)
        assert import_paths([self.folder]).created == 3
        assert self.titles() == ["recent", "warm", "old"]

        self.write("old", hours_ago=50, heat=600)
        self.write("recent", hours_ago=1, heat=0, topics=["AI", "Robots"])
        report = import_paths([self.folder])
        assert (report.created, report.updated) == (0, 2)
        assert self.titles() == ["old", "recent", "warm"]
        assert self.titles("Robots") == ["recent"]

    def test_an_update_that_keeps_the_editors_topics(self):
        """The importer leaves an editor's topics alone (their taggings are not rewritten), yet
        the new heat and date of the article reach them."""
        self.write("recent", hours_ago=1, heat=0)
        self.write("old", hours_ago=50, heat=0)
        import_paths([self.folder])
        Article.objects.filter(title="old").update(edited_fields=["topics"])
        self.write("old", hours_ago=0.5, heat=0, topics=["Robots"])
        report = import_paths([self.folder])
        assert (report.updated, report.kept) == (1, 1)
        assert self.titles() == ["old", "recent"]

    def test_the_file_by_file_fallback(self):
        make_article(title="already here", published_at=timezone.now() - timedelta(hours=3))
        Article.objects.get(title="already here").topics.add("AI")

        def record(name, *, hours_ago, heat):
            published = (timezone.now() - timedelta(hours=hours_ago)).isoformat()
            data = seed_bytes(
                title=name,
                webUrl=f"https://example.com/{name}",
                publishedDateTime=published,
                heat=heat,
                topics=["AI"],
            )
            return read_seed(data, name=f"{name}.md", max_bytes=10**6)

        bad = record("bad", hours_ago=0, heat=0)
        bad.images = (SeedImage(url="https://example.com/i.jpg", width=-5, height=1),)
        report = ImportReport()
        load_records(
            [record("hot", hours_ago=10, heat=200), bad, record("cold", hours_ago=20, heat=0)],
            report=report,
        )
        assert (report.created, report.rejected) == (2, 1)
        assert self.titles() == ["hot", "already here", "cold"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_copies_of_existing_taggings():
    """Taggings written before migration 0007 get their articles' ranking from it."""
    before = [("articles", "0006_ranking_and_search_indexes")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        provider = make_provider(domain="outlet.example")
        topic = old.get_model("articles", "Topic").objects.create(name="AI", slug="ai")
        for n, (hours_ago, heat, featured) in enumerate(
            [(1, 0, False), (9, 100, False), (90, 0, True)]
        ):
            url = f"https://outlet.example/{n}"
            article = old.get_model("articles", "Article").objects.create(
                title=f"Story {n}",
                slug=f"story-{n}",
                provider_id=provider.pk,
                web_url=url,
                canonical_url=url,
                is_published=True,
                is_featured=featured,
                heat=heat,
                published_at=timezone.now() - timedelta(hours=hours_ago),
            )
            old.get_model("articles", "TaggedArticle").objects.create(
                content_object=article, tag=topic
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert_copies_match_articles()
    topic = Topic.objects.get()
    shown = list(Article.objects.ranked_in_topic(topic).values_list("title", flat=True))
    assert shown == ["Story 2", "Story 1", "Story 0"]
    assert [Article.objects.get(pk=pk).title for pk in expected_order(topic)] == shown
