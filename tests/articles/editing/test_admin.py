"""The articles admin: changelist, filters, search, bulk actions and the change form, as a
superuser and as an editor."""

import re
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.editing.admin import ArticleAdmin
from articles.editing.forms import NOT_IN_ARTICLE_FORM
from articles.editing.paginator import BoundedPaginator
from articles.models import HEAT_MAX, Article, Image, Topic
from articles.seeds import import_paths
from articles.seeds.fields import EDITABLE_FIELDS
from tests.articles.editing.helpers import (
    change_form_data,
    make_editor,
    make_superuser,
    messages_of,
)
from tests.articles.seeds.builders import write_seed
from tests.factories import make_article, make_articles, make_provider
from tests.plans import indexes_used

CHANGELIST = reverse("admin:articles_article_changelist")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [5, 60])
def test_changelist_filtered_and_search_cost_a_fixed_number_of_queries(
    rows, client, django_assert_num_queries
):
    """The changelist, a filtered changelist and a search cost 7 or 8 queries, for 5 rows as
    for 60 (a page of 50 with thumbnails, topics and providers): the session, the user, one
    query for the count and the date drill-down's first and last date, the rows, their topics,
    their lead images, the categories of the category filter, and the chosen provider or topic
    of an autocomplete filter. (The first visit with other filters than the last also writes
    them to the session: `test_changelists.py`.)"""
    client.force_login(make_superuser())
    provider = make_provider(name="Wired")
    make_articles(rows, provider=provider, topics=["AI", "Vision"], images=1, related=2)
    topic = Topic.objects.get(name="AI")
    pages = {
        CHANGELIST: 7,
        f"{CHANGELIST}?provider__id__exact={provider.pk}&is_published__exact=1": 8,
        f"{CHANGELIST}?topics__id__exact={topic.pk}&schedule=live": 8,
        f"{CHANGELIST}?published=7d&is_published__exact=1": 7,
        f"{CHANGELIST}?q=story": 7,
        f"{CHANGELIST}?q=wired&is_featured__exact=0": 7,
    }
    for url, queries in pages.items():
        client.get(url)  # remembers the list's filters
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert response.status_code == 200, url
        assert response.content.count(b'class="nr-thumb"') == min(rows, 50), url


class BoundedChangelistTests(TestCase):
    """Past `CHANGELIST_LIMIT` matching rows (4 here, with pages of 2) the changelist stops
    counting and paging there, says "4+", and still offers every date of the drill-down."""

    @classmethod
    def setUpTestData(cls):
        cls.superuser = make_superuser()
        cls.wired = make_provider(name="Wired")
        make_articles(6, provider=cls.wired)
        make_article(title="Lone story")
        # Written last, so that the rows counted (any 5 the database finds first) leave it out.
        make_article(
            title="Oldest", provider=cls.wired, published_at=datetime(2019, 6, 1, tzinfo=UTC)
        )

    def setUp(self):
        self.client.force_login(self.superuser)
        for patcher in (
            mock.patch("articles.editing.admin.CHANGELIST_LIMIT", 4),
            mock.patch.object(ArticleAdmin, "list_per_page", 2),
        ):
            patcher.start()
            self.addCleanup(patcher.stop)

    def test_count_and_pages_stop_at_the_limit(self):
        with self.assertNumQueries(7):
            response = self.client.get(CHANGELIST)
        cl = response.context["cl"]
        assert cl.result_count == 4 and cl.paginator.num_pages == 2
        html = response.content.decode()
        assert "4+ articles" in html
        assert "the pages stop after 4: narrow the list" in html
        assert self.client.get(f"{CHANGELIST}?p=2").status_code == 200
        assert self.client.get(f"{CHANGELIST}?p=3")["Location"].endswith("?e=1")

    def test_the_date_drill_down_spans_every_row_not_only_those_counted(self):
        years = self.client.get(CHANGELIST).content.decode()
        for year in range(2019, timezone.now().year + 1):
            assert f'?published_at__year={year}">{year}</a>' in years
        wired = {"provider__id__exact": self.wired.pk}
        filtered = self.client.get(CHANGELIST, wired).content.decode()
        assert f'?provider__id__exact={self.wired.pk}&amp;published_at__year=2019">' in filtered

    def test_within_the_limit_the_count_is_exact(self):
        response = self.client.get(CHANGELIST, {"q": "lone"})
        assert response.context["cl"].result_count == 1
        html = response.content.decode()
        assert "1 result (" in html and "1 article\n" in html
        assert "the pages stop" not in html
        search = self.client.get(CHANGELIST, {"q": "story"}).content.decode()
        assert "4+ results (" in search

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's estimate")
    def test_unfiltered_on_postgresql_the_count_query_reads_the_tables_estimate(self):
        """`pg_class.reltuples` as it stands (ANALYZE here would change other tests' plans: its
        update of `pg_class` survives the test's rollback)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'articles_article'")
            (reltuples,) = cursor.fetchone()
        with self.assertNumQueries(7):
            cl = self.client.get(CHANGELIST).context["cl"]
        assert cl.paginator.date_span["estimate"] == reltuples
        filtered = self.client.get(CHANGELIST, {"q": "story"}).context["cl"]
        assert "estimate" not in filtered.paginator.date_span

    def test_the_estimate_is_shown_when_it_is_over_the_limit(self):
        paginator = BoundedPaginator(Article.objects.all(), 2, date_field="published_at", limit=4)
        paginator.date_span = {"rows": 5, "first": None, "last": None, "estimate": 123456.0}
        assert paginator.count_label == "about 123,456" and paginator.count == 4
        # A stale estimate (a table never analyzed says -1) is not believed.
        paginator.__dict__.pop("count_label")
        paginator.date_span["estimate"] = -1.0
        assert paginator.count_label == "4+"


class ChangelistTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.superuser = make_superuser()
        cls.editor = make_editor()
        now = timezone.now()
        cls.wired = make_provider(name="Wired")
        cls.other = make_provider(name="The Verge")
        cls.live = make_article(
            title="Live story", provider=cls.wired, topics=["AI"], images=1, quality=70, heat=90
        )
        cls.scheduled = make_article(
            title="Scheduled story", provider=cls.other, publish_at=now + timedelta(days=2)
        )
        cls.expired = make_article(
            title="Expired story", provider=cls.other, expires_at=now - timedelta(hours=1)
        )
        cls.draft = make_article(title="Draft story", provider=cls.other, is_published=False)

    def setUp(self):
        self.client.force_login(self.editor)

    def test_editor_sees_every_column_and_the_reader_status(self):
        """Thumbnail, title, provider, topics, scores, flags, and "scheduled"/"expired" spelled
        out, with links to the public page and the original."""
        html = self.client.get(CHANGELIST).content.decode()
        assert f'src="{self.live.web_url}/image-0.jpg"' in html
        assert "Live story" in html and "Wired" in html and ">AI<" in html
        assert '<span class="nr-status nr-status-live">Live</span>' in html
        assert "nr-status-scheduled" in html and "Scheduled: " in html
        assert "nr-status-expired" in html and "Expired " in html
        assert '<span class="nr-status nr-status-unpublished">Unpublished</span>' in html
        assert f'href="{self.live.get_absolute_url()}"' in html
        assert f'href="{self.live.web_url}"' in html
        assert "View on site" in html and "Original" in html

    def test_a_row_fits_the_flags_in_one_column_and_the_links_under_the_title(self):
        """Seven columns: thumbnail, the title (a link to the change form, which keeps the
        list's filters, with "View on site" and "Original" under it), the reader status with
        "Featured", the outlet over its time, topics, quality and heat."""
        Article.objects.filter(pk=self.live.pk).update(is_featured=True)
        response = self.client.get(CHANGELIST, {"provider__id__exact": self.wired.pk})
        assert response.context["cl"].list_display == [
            "action_checkbox",
            "thumbnail",
            "story",
            "status_flags",
            "published",
            "topic_list",
            "quality_score",
            "heat_score",
        ]
        html = response.content.decode()
        row = next(tr for tr in html.split("<tr") if "Live story" in tr)
        filters = f"?_changelist_filters=provider__id__exact%3D{self.wired.pk}"
        story = re.search(r'<td class="field-story">(.*?)</td>', row).group(1)
        assert story.startswith(
            f'<a class="nr-story" href="{change_url(self.live)}{filters}">Live story</a>'
        )
        assert f'<a href="{self.live.get_absolute_url()}"' in story and "View on site" in story
        assert f'<a href="{self.live.web_url}"' in story and "Original ↗" in story
        status = re.search(r'<td class="field-status_flags">(.*?)</td>', row).group(1)
        assert status == (
            '<span class="nr-status nr-status-live">Live</span>'
            '<span class="nr-status nr-featured">Featured</span>'
        )
        published = re.search(r'<td class="field-published">(.*?)</td>', row).group(1)
        local = timezone.localtime(self.live.published_at)
        assert published == f'Wired<span class="nr-when">{local:%-d %b %Y, %H:%M}</span>'
        assert '<td class="field-quality_score">70</td>' in row
        assert '<td class="field-heat_score">90</td>' in row

    def test_no_full_count(self):
        """The "N total" link would COUNT(*) the whole table: it is not offered."""
        response = self.client.get(f"{CHANGELIST}?q=story")
        assert response.context["cl"].full_result_count is None
        assert "total</a>" not in response.content.decode()

    def test_provider_filter(self):
        response = self.client.get(f"{CHANGELIST}?provider__id__exact={self.wired.pk}")
        assert [a.title for a in response.context["cl"].result_list] == ["Live story"]
        html = response.content.decode()
        # The autocomplete filter renders the chosen provider only, never the whole list.
        assert f'<option value="{self.wired.pk}" selected>Wired</option>' in html
        assert "The Verge</option>" not in html

    def test_topic_filter(self):
        topic = Topic.objects.get(name="AI")
        response = self.client.get(f"{CHANGELIST}?topics__id__exact={topic.pk}")
        assert [a.title for a in response.context["cl"].result_list] == ["Live story"]

    def test_category_filter_offers_each_category_once_in_order(self):
        """Found through the index (a recursive query), not by `SELECT DISTINCT` of every row."""
        make_article(title="Match report", category="sport")
        make_article(title="Chip news", category="tech")
        make_article(title="More chips", category="tech")
        with CaptureQueriesContext(connection) as queries:
            cl = self.client.get(CHANGELIST).context["cl"]
        assert not any('DISTINCT "articles_article"."category"' in q["sql"] for q in queries)
        category = next(spec for spec in cl.filter_specs if spec.title == "category")
        assert [choice["display"] for choice in category.choices(cl)] == [
            "All",
            "news",
            "sport",
            "tech",
        ]
        response = self.client.get(CHANGELIST, {"category__exact": "tech"})
        assert {a.title for a in response.context["cl"].result_list} == {"Chip news", "More chips"}

    def test_bad_filter_value_is_refused(self):
        response = self.client.get(f"{CHANGELIST}?provider__id__exact=1%20OR%201=1")
        assert response.status_code == 302
        assert response["Location"].endswith("?e=1")

    def test_schedule_filter(self):
        for value, title in [
            ("scheduled", "Scheduled story"),
            ("expired", "Expired story"),
            ("live", "Live story"),
        ]:
            response = self.client.get(f"{CHANGELIST}?schedule={value}")
            assert [a.title for a in response.context["cl"].result_list] == [title], value

    def test_search_on_title_excerpt_and_provider_name(self):
        make_article(title="Plain", excerpt="About quantum chips", provider=self.other)
        for query, expected in [
            ("draft", {"Draft story"}),
            ("quantum", {"Plain"}),
            ("wired", {"Live story"}),
        ]:
            response = self.client.get(CHANGELIST, {"q": query})
            assert {a.title for a in response.context["cl"].result_list} == expected, query

    def test_search_by_quoted_phrase(self):
        make_article(title="Chips", excerpt="About quantum chips", provider=self.other)
        make_article(title="Other chips", excerpt="Quantum of solace, potato chips")
        response = self.client.get(CHANGELIST, {"q": '"quantum chips"'})
        assert [a.title for a in response.context["cl"].result_list] == ["Chips"]

    def test_date_drill_down_from_the_range_of_dates(self):
        """Years from the first to the last article; within a year, its months."""
        Article.objects.filter(pk=self.live.pk).update(
            published_at=datetime(2020, 3, 10, tzinfo=UTC)
        )
        Article.objects.filter(pk=self.draft.pk).update(
            published_at=datetime(2020, 5, 10, tzinfo=UTC)
        )
        years = self.client.get(CHANGELIST).content.decode()
        this_year = timezone.now().year
        for year in range(2020, this_year + 1):
            assert f'?published_at__year={year}">{year}</a>' in years
        months = self.client.get(f"{CHANGELIST}?published_at__year=2020").content.decode()
        assert "March 2020</a>" in months and "April 2020</a>" in months
        assert "May 2020</a>" in months and "June 2020" not in months

    def test_sort_by_heat_puts_missing_scores_last(self):
        make_article(title="Cold story", heat=-1)
        response = self.client.get(f"{CHANGELIST}?o=-7")
        titles = [a.title for a in response.context["cl"].result_list]
        assert titles[:2] == ["Live story", "Cold story"]

    def test_superuser_sees_the_same_page(self):
        self.client.force_login(self.superuser)
        assert self.client.get(CHANGELIST).status_code == 200


# A Thursday evening in UTC: Friday morning in Auckland.
NOW = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)


@mock.patch("django.utils.timezone.now", lambda: NOW)
class PublishedWithinFilterTests(TestCase):
    """ "Today", "Last 24 hours" and "Last 7 days", on the outlet's publication time."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()
        cls.ages = {
            "2 h": 2,
            "11 h": 11,
            "23 h": 23,
            "25 h": 25,
            "6 days": 6 * 24,
            "8 days": 8 * 24,
        }
        for title, hours in cls.ages.items():
            make_article(title=title, published_at=NOW - timedelta(hours=hours))
        make_article(title="Next week", published_at=NOW + timedelta(days=7))

    def setUp(self):
        self.client.force_login(self.editor)

    def titles(self, value):
        response = self.client.get(CHANGELIST, {"published": value})
        return {article.title for article in response.context["cl"].result_list}

    def test_the_last_24_hours_and_7_days(self):
        assert self.titles("24h") == {"2 h", "11 h", "23 h"}
        assert self.titles("7d") == {"2 h", "11 h", "23 h", "25 h", "6 days"}

    def test_today_starts_at_midnight_in_the_editors_time_zone(self):
        assert self.titles("today") == {"2 h", "11 h"}  # since 00:00 UTC
        with self.settings(TIME_ZONE="Pacific/Auckland"):  # since 00:00 NZDT, 11:00 UTC
            assert self.titles("today") == {"2 h"}

    def test_the_filter_is_a_range_the_published_at_index_answers(self):
        """A range of the column itself (not a function of it), read off `article_published_at`
        (the planner kept off sequential scans, which it would pick for a table this small)."""
        for value in ["today", "24h", "7d"]:
            queryset = self.client.get(CHANGELIST, {"published": value}).context["cl"].queryset
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("SET LOCAL enable_seqscan = off")
                assert "article_published_at" in indexes_used(queryset.order_by()), value

    def test_the_choices_in_the_sidebar(self):
        html = self.client.get(CHANGELIST).content.decode()
        sidebar = html.split("By publication time")[1].split("</details>")[0]
        for value, label in [("today", "Today"), ("24h", "Last 24 hours"), ("7d", "Last 7 days")]:
            assert f'href="?published={value}">{label}</a>' in sidebar


class ActionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()
        cls.articles = make_articles(3, is_published=False, topics=["AI"])
        cls.topic = Topic.objects.create(name="Robots", slug="robots")

    def setUp(self):
        self.client.force_login(self.editor)

    def act(self, action, articles, **extra):
        data = {"action": action, ACTION_CHECKBOX_NAME: [a.pk for a in articles], **extra}
        return self.client.post(CHANGELIST, data, follow=True)

    def test_publish_and_unpublish_count_changes_and_record_them_as_the_editors(self):
        Article.objects.filter(pk=self.articles[0].pk).update(is_published=True)
        response = self.act("publish", self.articles)
        assert messages_of(response) == ["2 articles changed: published."]
        assert Article.objects.filter(is_published=True).count() == 3
        changed = Article.objects.get(pk=self.articles[1].pk)
        assert changed.edited_fields == ["is_published"]
        response = self.act("unpublish", self.articles[:1])
        assert messages_of(response) == ["1 article changed: unpublished."]
        assert not Article.objects.get(pk=self.articles[0].pk).is_published

    def test_feature_and_unfeature(self):
        response = self.act("feature", self.articles[:2])
        assert messages_of(response) == ["2 articles changed: featured."]
        assert Article.objects.filter(is_featured=True).count() == 2
        response = self.act("unfeature", self.articles)
        assert messages_of(response) == ["2 articles changed: no longer featured."]
        assert not Article.objects.filter(is_featured=True).exists()

    def test_add_and_remove_a_topic(self):
        response = self.act("add_topic", self.articles[:2], topic=self.topic.pk)
        assert messages_of(response) == ["2 articles changed: topic “Robots” added."]
        response = self.act("add_topic", self.articles, topic=self.topic.pk)
        assert messages_of(response) == ["1 article changed: topic “Robots” added."]
        assert self.topic.tagged_articles.count() == 3
        article = Article.objects.get(pk=self.articles[0].pk)
        assert sorted(t.name for t in article.topics.all()) == ["AI", "Robots"]
        assert "topics" in article.edited_fields
        response = self.act("remove_topic", self.articles[:1], topic=self.topic.pk)
        assert messages_of(response) == ["1 article changed: topic “Robots” removed."]
        assert self.topic.tagged_articles.count() == 2

    def test_topic_action_without_a_topic_changes_nothing(self):
        response = self.act("add_topic", self.articles)
        assert "Choose a topic" in messages_of(response)[0]
        assert not self.topic.tagged_articles.exists()
        response = self.act("remove_topic", self.articles, topic="not-a-number")
        assert "Choose a topic" in messages_of(response)[0]
        assert Topic.objects.get(name="AI").tagged_articles.count() == 3


class ChangeFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()
        cls.article = make_article(
            title="Original title", topics=["AI"], images=1, related=2, secured="s3cr3t;aXY="
        )

    def setUp(self):
        self.client.force_login(self.editor)

    def form_data(self, **changes):
        return change_form_data(self.client, self.article, **changes)

    def test_fieldsets_and_what_is_out_of_the_way(self):
        html = self.client.get(change_url(self.article)).content.decode()
        for legend in ["Story", "Links", "Scores", "Curation", "Source"]:
            assert f">{legend}</" in html, legend
        # `secured` is shown read-only, in the collapsed Source section, never as an input.
        assert 'name="secured"' not in html
        assert 'name="source"' not in html
        source = html.split(">Source</")[1]
        assert "s3cr3t;aXY=" in source
        assert 'class="admin-autocomplete' in html  # topics and providers
        assert 'class="nr-preview"' in html
        assert "related stories (the cluster, in order)" in html.lower()

    def test_every_field_of_the_form_is_one_an_editor_owns(self):
        """The form offers each field an editor may own but those it shows read-only or leaves
        to inlines: a change to any of them is recorded, so that no import undoes it."""
        form = self.client.get(change_url(self.article)).context["adminform"].form
        assert set(form.fields) - {"hand_back"} == EDITABLE_FIELDS - NOT_IN_ARTICLE_FORM

    def test_saving_records_the_editors_fields_and_the_form_marks_them(self):
        response = self.client.post(
            change_url(self.article), self.form_data(title="Editor's title", heat=5)
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        article = Article.objects.get(pk=self.article.pk)
        assert article.title == "Editor's title"
        assert article.edited_fields == ["heat", "title"]

        html = self.client.get(change_url(self.article)).content.decode()
        assert "Editor's value: imports leave it alone." in html
        assert 'name="hand_back" value="title"' in html

    def test_heat_past_what_the_ranking_counts_is_a_form_error(self):
        """Heat over `HEAT_MAX` overflowed PostgreSQL's 32-bit ranking (a 500): the form says
        so and nothing is saved; `HEAT_MAX` itself saves."""
        response = self.client.post(change_url(self.article), self.form_data(heat=10_000_000))
        assert response.status_code == 200
        assert response.context["adminform"].form.errors == {
            "heat": ["Ensure this value is less than or equal to 1000000."]
        }
        assert Article.objects.get(pk=self.article.pk).heat == self.article.heat
        response = self.client.post(change_url(self.article), self.form_data(heat=HEAT_MAX))
        assert response.status_code == 302
        assert Article.objects.get(pk=self.article.pk).heat == HEAT_MAX

    def test_search_finds_a_title_changed_in_the_form_at_once(self):
        """On PostgreSQL the stored search document follows the form's save."""
        response = self.client.post(change_url(self.article), self.form_data(title="Narwhal"))
        assert response.status_code == 302
        assert list(Article.objects.search("narwhal")) == [self.article]
        assert not Article.objects.search("original").exists()

    def test_handing_a_field_back_lets_the_importer_overwrite_it(self):
        Article.objects.filter(pk=self.article.pk).update(
            title="Editor's title", edited_fields=["title"]
        )
        response = self.client.post(change_url(self.article), self.form_data(hand_back=["title"]))
        assert response.status_code == 302
        assert Article.objects.get(pk=self.article.pk).edited_fields == []

    def test_import_keeps_an_editors_change_made_in_the_admin(self):
        """End to end: an editor's title survives a re-import of a changed seed file."""
        with tempfile.TemporaryDirectory() as folder:
            write_seed(Path(folder), "a.md", title="From the seed", excerpt="One")
            import_paths([folder])
            article = Article.objects.get(title="From the seed")
            self.article = article
            response = self.client.post(change_url(article), self.form_data(title="Editor's title"))
            assert response.status_code == 302
            write_seed(Path(folder), "a.md", title="Seed again", excerpt="Two")
            report = import_paths([folder])
        article.refresh_from_db()
        assert report.updated == 1 and report.kept == 1
        assert article.title == "Editor's title"
        assert article.excerpt == "Two"

    def test_images_and_related_stories_edited_inline_survive_a_reimport(self):
        with tempfile.TemporaryDirectory() as folder:
            write_seed(Path(folder), "a.md", title="From the seed")
            import_paths([folder])
            article = Article.objects.get(title="From the seed")
            changes = {"images-0-DELETE": "on", "related_links-0-title": "Editor's headline"}
            response = self.client.post(
                change_url(article), change_form_data(self.client, article, **changes)
            )
            assert response.status_code == 302, response.context["adminform"].form.errors
            article.refresh_from_db()
            assert article.edited_fields == ["images", "related_links"]

            new_image = {"url": "https://img.example/new.jpg", "width": 1, "height": 1}
            write_seed(Path(folder), "a.md", title="Seed again", images=[new_image])
            report = import_paths([folder])
            article.refresh_from_db()
            assert (report.updated, report.kept) == (1, 1)
            assert article.title == "Seed again"
            assert not article.images.exists()
            assert [link.title for link in article.related_links.all()] == ["Editor's headline"]

            html = self.client.get(change_url(article)).content.decode()
            assert 'name="hand_back" value="images"' in html
            assert "Related stories</label>" in html
            assert '<div class="readonly">Images, Related stories</div>' in html  # owned
            data = change_form_data(self.client, article, hand_back=["images"])
            assert self.client.post(change_url(article), data).status_code == 302
            import_paths([folder], force=True)
        article.refresh_from_db()
        assert article.edited_fields == ["related_links"]
        assert list(article.images.values_list("url", flat=True)) == [new_image["url"]]

    def test_images_and_related_stories_edited_on_their_own_pages_are_the_editors(self):
        article = make_article(images=1, related=1)
        link_image = Image.objects.get(related_link__article=article)
        url = reverse("admin:articles_image_change", args=[link_image.pk])
        better = {"url": "https://editor.example/better.jpg", "position": 0, "alt": "Better"}
        response = self.client.post(url, {**better, "related_link": link_image.related_link_id})
        assert response.status_code == 302, response.context["adminform"].form.errors
        article.refresh_from_db()
        assert article.edited_fields == ["related_links"]

        image = article.images.get()
        url = reverse("admin:articles_image_delete", args=[image.pk])
        assert self.client.post(url, {"post": "yes"}).status_code == 302
        article.refresh_from_db()
        assert article.edited_fields == ["images", "related_links"]

    def test_adding_an_article_by_hand(self):
        provider = make_provider(name="Hand made")
        data = {
            "title": "Written here",
            "slug": "",
            "excerpt": "",
            "kind": "article",
            "category": "news",
            "provider": provider.pk,
            "published_at_0": "2024-05-01",
            "published_at_1": "10:00:00",
            "web_url": "https://Example.org/a?utm_source=x",
            "images-TOTAL_FORMS": 0,
            "images-INITIAL_FORMS": 0,
            "related_links-TOTAL_FORMS": 0,
            "related_links-INITIAL_FORMS": 0,
        }
        response = self.client.post(reverse("admin:articles_article_add"), data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        article = Article.objects.get(title="Written here")
        assert article.canonical_url == "https://example.org/a"
        assert article.slug == "written-here"

        again = self.client.post(reverse("admin:articles_article_add"), data)
        assert again.status_code == 200
        assert "already" in str(again.context["adminform"].form.errors["web_url"])

    def test_scheduling_must_end_after_it_starts(self):
        data = self.form_data(
            publish_at_0="2030-01-02",
            publish_at_1="00:00:00",
            expires_at_0="2030-01-01",
            expires_at_1="00:00:00",
        )
        response = self.client.post(change_url(self.article), data)
        assert response.status_code == 200
        assert "expire" in str(response.context["adminform"].form.errors).lower()
