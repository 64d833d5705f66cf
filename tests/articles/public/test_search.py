"""Search after every way of writing an article: on PostgreSQL it reads the stored document
(`Article.search_vector`, kept by a database trigger), so each write path must leave it right;
on SQLite it matches the words themselves, and the same tests hold."""

import tempfile
from pathlib import Path

import pytest

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.test import TestCase

from articles.models import SEARCH_CONFIG, Article, Topic, name_document, search_document
from articles.seeds import import_paths
from providers.models import Provider
from tests.articles.seeds.builders import write_seed
from tests.factories import make_article, make_provider
from tests.plans import indexes_used


class SearchAfterWritesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_article(title="Walrus sighting", excerpt="Seen near the harbour")

    def found(self, words):
        return [article.title for article in Article.objects.published().search(words)]

    def test_a_new_article_is_found(self):
        assert self.found("walrus") == ["Walrus sighting"]
        assert self.found("harbour") == ["Walrus sighting"]

    def test_save(self):
        self.article.title = "Narwhal sighting"
        self.article.save()
        assert self.found("narwhal") == ["Narwhal sighting"]
        assert self.found("walrus") == []

    def test_queryset_update(self):
        Article.objects.filter(pk=self.article.pk).update(
            title="Narwhal sighting", excerpt="Far out at sea"
        )
        assert self.found("narwhal") == ["Narwhal sighting"]
        assert self.found("sea") == ["Narwhal sighting"]
        assert self.found("walrus") == [] and self.found("harbour") == []

    def test_bulk_update(self):
        self.article.excerpt = "Far out at sea"
        Article.objects.bulk_update([self.article], ["excerpt"])
        assert self.found("sea") == ["Walrus sighting"]
        assert self.found("harbour") == []

    def test_an_update_of_other_fields_keeps_the_document(self):
        Article.objects.filter(pk=self.article.pk).update(heat=50, is_featured=True)
        assert self.found("walrus") == ["Walrus sighting"]

    def test_import_and_re_import_of_a_changed_seed_file(self):
        with tempfile.TemporaryDirectory() as folder:
            write_seed(Path(folder), "a.md", title="Okapi spotted", excerpt="In the forest")
            import_paths([folder])
            assert self.found("okapi") == ["Okapi spotted"]
            write_seed(Path(folder), "a.md", title="Tapir spotted", excerpt="By the river")
            report = import_paths([folder])
        assert report.updated == 1
        assert self.found("tapir") == ["Tapir spotted"] and self.found("river") == ["Tapir spotted"]
        assert self.found("okapi") == [] and self.found("forest") == []

    def test_the_search_page_finds_an_edited_title(self):
        Article.objects.filter(pk=self.article.pk).update(title="Narwhal sighting")
        html = self.client.get("/search/", {"q": "narwhal"}).content.decode()
        assert "Narwhal sighting" in html and "1 result" in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the document is PostgreSQL's")
@pytest.mark.django_db
def test_the_stored_document_is_search_document_after_every_write():
    """The trigger's SQL and `search_document()` are one definition, written twice: after an
    insert, a save, an update and a re-import they agree on every row, stemming and weights
    included."""
    article = make_article(title="Running faster", excerpt="The runners ran; a RUN of wins.")
    make_article(title="", excerpt="")
    article.title = "Quickly jumping"
    article.save()
    Article.objects.filter(pk=article.pk).update(excerpt="Jumps and jumped, jumping again")
    with tempfile.TemporaryDirectory() as folder:
        write_seed(Path(folder), "a.md", title="Robots' rights", excerpt="Roboticists argue")
        import_paths([folder])
    rows = Article.objects.annotate(expected=search_document()).values_list(
        "search_vector", "expected"
    )
    assert len(rows) == 3
    for stored, expected in rows:
        assert stored == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the indexes are PostgreSQL's")
@pytest.mark.django_db
def test_outlet_and_topic_names_are_matched_through_their_indexes():
    """Search's outlet and topic matches are answered by the GIN indexes of migration 0010:
    the indexed expression is the one the query asks (the planner is kept off sequential scans,
    which it would pick for tables this small)."""
    make_article(provider=make_provider(name="Harbour Gazette"), topics=["Harbour"])
    query = SearchQuery("harbour", search_type="websearch", config=SEARCH_CONFIG)
    indexes = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for model in (Provider, Topic):
            names = model.objects.annotate(document=name_document()).filter(document=query)
            assert names.count() == 1
            indexes.append(indexes_used(names))
    assert "provider_name_search" in indexes[0]
    assert "topic_name_search" in indexes[1]
