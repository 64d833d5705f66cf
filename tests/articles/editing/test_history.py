"""The admin's record of work: an object's history page opens."""

from django.core.paginator import Paginator
from django.test import TestCase
from django.urls import reverse

from articles.editing.paginator import BoundedPaginator
from tests.articles.editing.helpers import make_editor, make_superuser
from tests.factories import make_article

ARTICLES = reverse("admin:articles_article_changelist")


def history_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])


class HistoryPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.superuser = make_superuser()
        cls.editor = make_editor()
        cls.article = make_article(title="A story with a past", topics=["AI"])

    def test_an_articles_history_opens_for_superusers_and_editors(self):
        """The history page pages log entries with Django's paginator, not the changelist's
        (which counts by publication date, a field log entries do not have)."""
        for user in (self.superuser, self.editor):
            self.client.force_login(user)
            response = self.client.get(history_url(self.article))
            assert response.status_code == 200, user
            paginator = response.context["action_list"].paginator
            assert type(paginator) is Paginator, user

    def test_the_changelist_keeps_its_bounded_paginator(self):
        self.client.force_login(self.editor)
        response = self.client.get(ARTICLES)
        assert isinstance(response.context["cl"].paginator, BoundedPaginator)
