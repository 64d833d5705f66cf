"""Providers in the admin: article counts, blocking (after a confirmation that counts what it
hides) and unblocking, each logged, and their articles one click away."""

from datetime import timedelta

import pytest

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from providers.models import Provider
from tests.articles.editing.helpers import make_editor, make_superuser, messages_of
from tests.factories import make_article, make_articles, make_provider

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
        data = {
            "action": "block",
            ACTION_CHECKBOX_NAME: [self.busy.pk, self.quiet.pk],
            "confirmed": "1",
        }
        response = self.client.post(CHANGELIST, data, follow=True)
        assert messages_of(response) == [
            "2 providers blocked: 3 public stories hidden from readers."
        ]
        assert Provider.objects.filter(is_blocked=True).count() == 2
        data = {"action": "unblock", ACTION_CHECKBOX_NAME: [self.quiet.pk]}
        response = self.client.post(CHANGELIST, data, follow=True)
        assert messages_of(response) == ["1 provider unblocked: 0 public stories shown again."]
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


def block(client, providers, **extra):
    data = {"action": "block", ACTION_CHECKBOX_NAME: [p.pk for p in providers], **extra}
    return client.post(CHANGELIST, data)


class BlockConfirmationTests(TestCase):
    """Blocking asks first, saying how many public stories each outlet and all of them
    would lose; only "Yes, block" blocks, and the block is logged per outlet."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()
        cls.videos = make_provider(name="Video Channels")
        make_articles(3, provider=cls.videos)
        make_article(provider=cls.videos, is_published=False)
        make_article(provider=cls.videos, expires_at=timezone.now() - timedelta(hours=1))
        cls.small = make_provider(name="Small Paper")
        make_article(provider=cls.small)
        cls.gone = make_provider(name="Gone Already", is_blocked=True)
        make_article(provider=cls.gone)

    def setUp(self):
        self.client.force_login(self.editor)

    def test_the_confirmation_page_counts_public_stories_and_blocks_nothing(self):
        response = block(self.client, [self.videos, self.small, self.gone])
        assert response.status_code == 200
        assert response.templates[0].name == "admin/providers/provider/block.html"
        counts = {p.name: p.public_stories for p in response.context["providers"]}
        # An unpublished and an expired story are not public: blocking hides nothing of them.
        assert counts == {"Video Channels": 3, "Small Paper": 1, "Gone Already": 0}
        html = response.content.decode()
        assert "hides\n  <strong>4 public stories</strong>" in html
        assert "<td>3</td>" in html and "already blocked" in html
        assert 'value="Yes, block"' in html and "No, take me back" in html
        assert f'href="{CHANGELIST}"' in html
        assert not Provider.objects.filter(pk__in=[self.videos.pk, self.small.pk], is_blocked=True)
        assert not LogEntry.objects.exists()

    def test_one_outlet_and_one_story_in_the_singular(self):
        html = block(self.client, [self.small]).content.decode()
        assert "<strong>1 public story</strong>" in html

    def test_confirming_blocks_and_logs_each_outlet_it_changed(self):
        selected = [self.videos, self.small, self.gone]
        response = block(self.client, selected, confirmed="1")
        assert response.status_code == 302
        assert set(Provider.objects.filter(is_blocked=True)) == set(selected)
        rows = LogEntry.objects.values_list("object_id", "action_flag", "change_message")
        assert sorted(rows) == sorted(
            [
                (str(self.videos.pk), CHANGE, "Blocked: 3 public stories hidden"),
                (str(self.small.pk), CHANGE, "Blocked: 1 public story hidden"),
            ]
        )
        message = messages_of(self.client.get(CHANGELIST))
        assert message == ["2 providers blocked: 4 public stories hidden from readers."]
        assert self.client.get(self.videos.get_absolute_url()).status_code == 404

    def test_unblocking_logs_the_stories_shown_again(self):
        Provider.objects.filter(pk=self.videos.pk).update(is_blocked=True)
        data = {"action": "unblock", ACTION_CHECKBOX_NAME: [self.videos.pk, self.small.pk]}
        self.client.post(CHANGELIST, data)
        entry = LogEntry.objects.get()
        assert (entry.get_edited_object(), entry.change_message) == (
            self.videos,
            "Unblocked: 3 public stories shown again",
        )
        history = reverse("admin:providers_provider_history", args=[self.videos.pk])
        assert (
            "Unblocked: 3 public stories shown again" in self.client.get(history).content.decode()
        )


@pytest.mark.django_db
@pytest.mark.parametrize("outlets", [1, 4])
def test_block_confirm_block_and_unblock_cost_the_same_for_any_number_of_outlets(
    outlets, client, django_assert_num_queries
):
    """The confirmation page counts every selected outlet's public stories in one query; the
    block and the unblock (their log included) cost the same for 1 outlet as for 4."""
    client.force_login(make_editor())
    providers = [make_provider() for _ in range(outlets)]
    for provider in providers:
        make_articles(2, provider=provider)
    ContentType.objects.get_for_model(Provider)  # the content type cache is the process's
    # Session, user, permissions (2), the changelist's two counts, and the outlets with their
    # public stories; then (block) two savepoints, the outlets, the UPDATE and the log's
    # INSERT; (unblock) their ids before the UPDATE and the outlets with their stories after.
    with django_assert_num_queries(7):
        assert block(client, providers).status_code == 200
    with django_assert_num_queries(13):
        assert block(client, providers, confirmed="1").status_code == 302
    unblock = {"action": "unblock", ACTION_CHECKBOX_NAME: [p.pk for p in providers]}
    with django_assert_num_queries(14):
        assert client.post(CHANGELIST, unblock).status_code == 302
    assert LogEntry.objects.count() == 2 * outlets
