"""Lists that remember the editor's last filters (`articles.editing.changelists`)."""

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import ImportRun
from tests.articles.editing.helpers import make_editor, make_superuser, messages_of
from tests.factories import make_article, make_provider

ARTICLES = reverse("admin:articles_article_changelist")
IMPORT_RUNS = reverse("admin:articles_importrun_changelist")
OUTLETS = reverse("admin:providers_provider_changelist")


class RememberedFiltersTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()
        cls.wired = make_provider(name="Wired")
        make_article(title="Featured story", provider=cls.wired, is_featured=True)
        make_article(title="Plain story")
        ImportRun.objects.create(trigger="upload", dry_run=True)

    def setUp(self):
        self.client.force_login(self.editor)

    def test_a_bare_visit_brings_back_the_last_filters(self):
        """Filters only: the search, the sort and the page are left behind."""
        first = self.client.get(ARTICLES, {"is_featured__exact": "1", "q": "story", "o": "2"})
        assert first.status_code == 200
        response = self.client.get(ARTICLES)
        assert response.status_code == 302
        assert response["Location"] == f"{ARTICLES}?is_featured__exact=1"
        followed = self.client.get(response["Location"])
        assert [a.title for a in followed.context["cl"].result_list] == ["Featured story"]
        assert messages_of(followed) == [
            "The list is filtered as you last left it: “Clear all filters” shows it whole."
        ]
        assert "Clear all filters" in followed.content.decode()

    def test_every_list_with_filters_remembers_them(self):
        """The articles', the import runs' and the outlets' lists."""
        for url, filters in [
            (ARTICLES, "is_featured__exact=1"),
            (IMPORT_RUNS, "dry_run__exact=1"),
            (OUTLETS, "is_blocked__exact=0"),
        ]:
            assert self.client.get(f"{url}?{filters}").status_code == 200
            assert self.client.get(url)["Location"] == f"{url}?{filters}", url

    def test_the_latest_filters_win_and_each_list_keeps_its_own(self):
        self.client.get(ARTICLES, {"is_featured__exact": "1"})
        self.client.get(ARTICLES, {"provider__id__exact": self.wired.pk, "published": "7d"})
        self.client.get(IMPORT_RUNS, {"dry_run__exact": "1"})
        assert self.client.get(ARTICLES)["Location"] == (
            f"{ARTICLES}?provider__id__exact={self.wired.pk}&published=7d"
        )
        assert self.client.get(IMPORT_RUNS)["Location"] == f"{IMPORT_RUNS}?dry_run__exact=1"
        self.client.force_login(make_superuser())  # another editor: nothing remembered
        assert self.client.get(ARTICLES).status_code == 200

    def test_clear_all_filters_and_a_filters_all_forget_them(self):
        """The list's own links that leave no filter say so (`?_clear_filters=1`): that visit
        forgets the filters and lands on the bare list, which then shows every article."""
        html = self.client.get(ARTICLES, {"is_featured__exact": "1"}).content.decode()
        assert '<a href="?_clear_filters=1">&#10006; Clear all filters</a>' in html
        featured = html.split("By featured")[1].split("</details>")[0]
        assert '<a href="?_clear_filters=1">All</a>' in featured
        response = self.client.get(ARTICLES, {"_clear_filters": "1"})
        assert response["Location"] == ARTICLES
        unfiltered = self.client.get(ARTICLES)
        assert unfiltered.status_code == 200
        assert len(unfiltered.context["cl"].result_list) == 2

    def test_clearing_the_filters_keeps_the_search(self):
        html = self.client.get(ARTICLES, {"is_featured__exact": "1", "q": "story"})
        assert '<a href="?q=story">&#10006; Clear all filters</a>' in html.content.decode()
        self.client.get(ARTICLES, {"q": "story"})  # a list without filters: none remembered
        assert self.client.get(ARTICLES).status_code == 200
        self.client.get(ARTICLES, {"is_featured__exact": "1"})
        response = self.client.get(ARTICLES, {"_clear_filters": "1", "q": "story"})
        assert response["Location"] == f"{ARTICLES}?q=story"

    def test_popups_and_refused_filters_leave_the_remembered_ones(self):
        self.client.get(ARTICLES, {"is_featured__exact": "1"})
        popup = self.client.get(ARTICLES, {"is_featured__exact": "0", "_popup": "1"})
        assert popup.status_code == 200
        refused = self.client.get(ARTICLES, {"provider__id__exact": "1 OR 1=1"})
        assert refused["Location"].endswith("?e=1")
        assert self.client.get(ARTICLES)["Location"] == f"{ARTICLES}?is_featured__exact=1"

    def test_remembering_new_filters_costs_one_session_write(self):
        """The first visit with other filters than the last writes them to the session; a visit
        with the same filters writes nothing."""
        url = f"{ARTICLES}?is_featured__exact=1"

        def statements(context):
            return [q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"]]

        with CaptureQueriesContext(connection) as first:
            self.client.get(url)
        with CaptureQueriesContext(connection) as again:
            self.client.get(url)
        writes = [sql for sql in statements(first) if sql.startswith(("UPDATE", "INSERT"))]
        assert len(writes) == 1 and writes[0].startswith('UPDATE "django_session"')
        assert len(statements(first)) == len(statements(again)) + 1
        assert not any(sql.startswith(("UPDATE", "INSERT")) for sql in statements(again))
