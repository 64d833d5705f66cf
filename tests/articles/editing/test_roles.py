"""The "Editor" group, the admin's titles and its dashboard."""

from django.contrib.auth.models import Group
from django.test import TestCase
from django.urls import reverse

from articles.models import ImportRun
from tests.articles.editing.helpers import make_editor, make_superuser
from tests.factories import make_article, make_provider

EDITOR_PERMISSIONS = {
    "articles.add_article",
    "articles.change_article",
    "articles.delete_article",
    "articles.view_article",
    "articles.add_relatedlink",
    "articles.change_relatedlink",
    "articles.delete_relatedlink",
    "articles.view_relatedlink",
    "articles.add_image",
    "articles.change_image",
    "articles.delete_image",
    "articles.view_image",
    "articles.add_topic",
    "articles.change_topic",
    "articles.delete_topic",
    "articles.view_topic",
    "articles.delete_topicredirect",
    "articles.view_topicredirect",
    "articles.add_importrun",
    "articles.view_importrun",
    "providers.add_provider",
    "providers.change_provider",
    "providers.view_provider",
}


class EditorGroupTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()
        cls.article = make_article(topics=["AI"], images=1, related=1)

    def setUp(self):
        self.client.force_login(self.editor)

    def test_the_migration_gives_exactly_the_editor_permissions(self):
        group = Group.objects.get(name="Editor")
        granted = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert granted == EDITOR_PERMISSIONS
        assert self.editor.get_all_permissions() == EDITOR_PERMISSIONS

    def test_editor_can_open_every_newsroom_screen(self):
        urls = [
            reverse("admin:index"),
            reverse("admin:articles_article_changelist"),
            reverse("admin:articles_article_add"),
            reverse("admin:articles_article_change", args=[self.article.pk]),
            reverse("admin:articles_topic_changelist"),
            reverse("admin:articles_topicredirect_changelist"),
            reverse("admin:articles_relatedlink_changelist"),
            reverse("admin:articles_image_changelist"),
            reverse("admin:articles_importrun_changelist"),
            reverse("admin:articles_importrun_upload"),
            reverse("admin:providers_provider_changelist"),
            reverse("admin:providers_provider_change", args=[self.article.provider_id]),
        ]
        for url in urls:
            assert self.client.get(url).status_code == 200, url

    def test_editor_cannot_touch_users_or_groups(self):
        for name in ["auth_user", "auth_group"]:
            for view in ["changelist", "add"]:
                url = reverse(f"admin:{name}_{view}")
                assert self.client.get(url).status_code == 403, url
        html = self.client.get(reverse("admin:index")).content.decode()
        assert "/admin/auth/" not in html


class DashboardTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.superuser = make_superuser()
        make_article(is_featured=True)
        make_article(is_published=False)
        make_provider(is_blocked=True)

    def setUp(self):
        self.client.force_login(self.superuser)

    def test_titled_for_newsroom_with_counts_and_no_import_yet(self):
        html = self.client.get(reverse("admin:index")).content.decode()
        assert "<title>Curation | Newsroom admin</title>" in html
        assert 'id="site-name"><a href="/admin/">Newsroom</a>' in html
        assert "Newsroom today" in html
        assert '?is_featured__exact=1">Featured</a></th><td>1</td>' in html
        assert "Unpublished</a></th><td>1</td>" in html
        assert "Live for readers</a></th><td>1</td>" in html
        assert "(1 blocked)" in html
        assert "No import yet." in html
        assert f'href="{reverse("admin:articles_importrun_upload")}">Import seed files' in html

    def test_latest_import_run(self):
        ImportRun.objects.create(created=7, rejected=2, started_by=self.superuser)
        latest = ImportRun.objects.create(created=12, updated=3, trigger="admin")
        html = self.client.get(reverse("admin:index")).content.decode()
        assert reverse("admin:articles_importrun_change", args=[latest.pk]) in html
        assert "12 created, 3 updated, 0 unchanged" in html
