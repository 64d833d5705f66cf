"""Providers in the admin: article counts, blocking, and their articles one click away."""

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import TestCase
from django.urls import reverse

from providers.models import Provider
from tests.articles.editing.helpers import make_editor, make_superuser, messages_of
from tests.factories import make_articles, make_provider

CHANGELIST = reverse("admin:providers_provider_changelist")


class ProviderAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()
        cls.superuser = make_superuser()
        cls.busy = make_provider(name="Busy outlet")
        cls.quiet = make_provider(name="Quiet outlet")
        make_articles(3, provider=cls.busy)

    def setUp(self):
        self.client.force_login(self.editor)

    def test_list_counts_articles_in_one_query(self):
        """One query for the rows and their counts, however many providers there are."""
        for n in range(30):
            make_provider(name=f"Extra {n}")
        # Session, user, two permission lookups, two counts (filtered and total), and one for
        # the rows with their article counts.
        with self.assertNumQueries(7):
            response = self.client.get(CHANGELIST)
        counts = {p.name: p.article_count for p in response.context["cl"].result_list}
        assert counts["Busy outlet"] == 3 and counts["Quiet outlet"] == 0
        html = response.content.decode()
        articles = reverse("admin:articles_article_changelist")
        assert f"{articles}?provider__id__exact={self.busy.pk}" in html

    def test_sort_by_article_count(self):
        response = self.client.get(f"{CHANGELIST}?o=-3")
        assert response.context["cl"].result_list[0] == self.busy

    def test_search(self):
        response = self.client.get(CHANGELIST, {"q": "quiet"})
        assert list(response.context["cl"].result_list) == [self.quiet]

    def test_block_and_unblock(self):
        data = {"action": "block", ACTION_CHECKBOX_NAME: [self.busy.pk, self.quiet.pk]}
        response = self.client.post(CHANGELIST, data, follow=True)
        assert messages_of(response) == [
            "2 providers changed: blocked: their articles are hidden from readers."
        ]
        assert Provider.objects.filter(is_blocked=True).count() == 2
        data = {"action": "unblock", ACTION_CHECKBOX_NAME: [self.quiet.pk]}
        response = self.client.post(CHANGELIST, data, follow=True)
        assert messages_of(response) == ["1 provider changed: unblocked."]
        assert Provider.objects.get(pk=self.busy.pk).is_blocked

    def test_editor_cannot_delete_a_provider(self):
        html = self.client.get(CHANGELIST).content.decode()
        assert 'value="delete_selected"' not in html
        delete = reverse("admin:providers_provider_delete", args=[self.quiet.pk])
        assert self.client.post(delete, {"post": "yes"}).status_code == 403
        assert Provider.objects.filter(pk=self.quiet.pk).exists()

    def test_superuser_can_delete_a_provider_without_articles(self):
        self.client.force_login(self.superuser)
        delete = reverse("admin:providers_provider_delete", args=[self.quiet.pk])
        assert self.client.post(delete, {"post": "yes"}).status_code == 302
        assert not Provider.objects.filter(pk=self.quiet.pk).exists()
