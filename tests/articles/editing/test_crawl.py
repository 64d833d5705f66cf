"""The admin crawl: for a superuser and for an Editor, every page of the admin answers without
a server error, with the status that role should get.

For every registered model: its changelist, add form, one object's change form, delete
confirmation and history page, and every action the role is offered (the merge and block
confirmations, Django's "delete selected" confirmation, the bulk actions). Then every other
URL the admin names (the site's pages, the import upload, a user's password form, "view on
site"), and every autocomplete those pages use. The crawl is held to the admin's URL names (a
view added to any `get_urls()` fails it until the crawl opens it), and a model registered
later fails it until setUpTestData builds one and the tables below say what an Editor gets."""

import re

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import RequestFactory, TestCase
from django.urls import URLResolver, resolve, reverse

from articles.editing.topics import save_topic
from articles.models import ImportRun, Topic
from tests.articles.editing.helpers import make_editor, make_superuser
from tests.factories import make_article, make_provider

PAGES = ["changelist", "add", "change", "delete", "history"]
EVERY_PAGE = dict.fromkeys(PAGES, 403)
# Actions answer with a redirect, but for their confirmation pages.
CONFIRMATION_PAGES = {"delete_selected", "merge", "block"}

# What a superuser gets where it is not 200 (or, for actions, as above).
SUPERUSER = {
    # An outlet with articles is protected: the confirmation says so again.
    "providers.provider": {"delete_selected confirmed": 200},
    "articles.importrun": {"add": 302, "delete": 403},  # "Add" is the upload; runs are kept
    "articles.topicredirect": {"add": 403},  # made by renames and merges only
    # Login records are made by logins only.
    "axes.accessattempt": {"add": 403},
    "axes.accessfailurelog": {"add": 403},
    "axes.accesslog": {"add": 403},
}
# What an Editor gets where it is not 200 (or, for actions, as above): the "Editor" group
# (migration 0004) has no permission on users, groups or login records, never deletes an outlet
# or an import run, and only views and deletes topic redirects.
EDITOR = {
    "auth.group": EVERY_PAGE,
    "auth.user": EVERY_PAGE,
    "axes.accessattempt": EVERY_PAGE,
    "axes.accessfailurelog": EVERY_PAGE,
    "axes.accesslog": EVERY_PAGE,
    "providers.provider": {"delete": 403},
    "articles.importrun": {"add": 302, "delete": 403},
    "articles.topicredirect": {"add": 403},
}
# The models an Editor may do everything with.
EDITOR_EVERY_PAGE = {"articles.article", "articles.topic", "articles.image", "articles.relatedlink"}

AUTOCOMPLETE = re.compile(
    r'data-app-label="(?P<app_label>[^"]+)" data-model-name="(?P<model_name>[^"]+)" '
    r'data-field-name="(?P<field_name>[^"]+)"'
)


def registered_models():
    return [model for model in apps.get_models() if admin.site.is_registered(model)]


def admin_url_names(patterns) -> set[str]:
    """Every named URL under `patterns`, the admin site's and each model admin's."""
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= admin_url_names(pattern.url_patterns)
        elif pattern.name:
            names.add(pattern.name)
    return names


class AdminCrawlTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.superuser = make_superuser()
        cls.editor = make_editor()
        Group.objects.create(name="Night desk")
        provider = make_provider(name="Crawled outlet")
        make_article(provider=provider, topics=["AI", "Robots"], images=1, related=1)
        make_article(provider=provider, is_published=False)
        save_topic(Topic.objects.get(name="AI"), old_slug="artificial-intelligence")
        ImportRun.objects.create(
            started_by=cls.editor,
            created=1,
            rejected=1,
            rejections=[{"file": "bad.md", "reason": "no front matter"}],
        )
        axes = apps.get_app_config("axes")
        record = {"ip_address": "127.0.0.1", "user_agent": "crawler", "username": "intruder"}
        axes.get_model("AccessAttempt").objects.create(
            **record,
            get_data="",
            post_data="",
            http_accept="*/*",
            path_info="/admin/login/",
            failures_since_start=1,
        )
        axes.get_model("AccessLog").objects.create(**record, path_info="/admin/login/")
        axes.get_model("AccessFailureLog").objects.create(**record, path_info="/admin/login/")
        # Every history page shows an entry.
        for model in registered_models():
            LogEntry.objects.log_actions(
                cls.superuser.pk, model._default_manager.all(), CHANGE, "Crawled"
            )

    def setUp(self):
        # A server error becomes a 500 response to report, not an exception that ends the crawl.
        self.client.raise_request_exception = False
        self.visited: set[str] = set()
        self.failures: list[str] = []

    def fetch(self, method, url, expected, data=None):
        """Request `url` in a savepoint rolled back afterwards (actions change nothing, and an
        error on PostgreSQL does not abort the test's transaction); record it when the status
        is not `expected`."""
        with transaction.atomic():
            response = getattr(self.client, method)(url, data)
            transaction.set_rollback(True)
        self.visited.add(resolve(url.split("?")[0]).url_name)
        if response.status_code != expected:
            error = f" ({response.exc_info[1]!r})" if response.exc_info else ""
            self.failures.append(
                f"{method.upper()} {url} {data or ''}: {response.status_code}{error}, "
                f"expected {expected}"
            )
        return response

    def crawl(self, user, exceptions):
        self.client.force_login(user)
        request = RequestFactory().get("/")
        request.user = user
        autocompletes = set()
        for model in registered_models():
            opts, model_admin = model._meta, admin.site.get_model_admin(model)
            expected = dict.fromkeys(PAGES, 200) | exceptions.get(opts.label_lower, {})
            objects = list(model._default_manager.order_by("pk"))
            assert objects, f"build a {opts.label} in setUpTestData"
            for page in PAGES:
                args = [objects[0].pk] if page in {"change", "delete", "history"} else []
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=args)
                html = self.fetch("get", url, expected[page]).content.decode()
                autocompletes |= {match.groups() for match in AUTOCOMPLETE.finditer(html)}
            if expected["changelist"] != 200:
                continue
            changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            selected = {ACTION_CHECKBOX_NAME: [obj.pk for obj in objects]}
            for action in model_admin.get_actions(request):
                for step, extra in self.action_steps(action):
                    status = expected.get(step, 200 if step in CONFIRMATION_PAGES else 302)
                    self.fetch("post", changelist, status, {"action": action, **selected, **extra})
        return autocompletes

    def action_steps(self, action):
        """The posts `action` takes, named: a confirmation page, then the confirmed action;
        the topic actions with a topic; any other action, one post."""
        topic = Topic.objects.order_by("pk").first().pk
        confirmed = {
            "delete_selected": {"post": "yes"},
            "merge": {"apply": "1", "into": topic},
            "block": {"confirmed": "1"},
        }
        if action in confirmed:
            return [(action, {}), (f"{action} confirmed", confirmed[action])]
        if action in {"add_topic", "remove_topic"}:
            return [(action, {"topic": topic})]
        return [(action, {})]

    def crawl_the_rest(self, user, *, hidden_apps=(), superuser=False):
        """The admin's pages that are not a model's: the site's, the custom views, "view on
        site" and the autocompletes the model pages use."""
        self.fetch("get", reverse("admin:index"), 200)
        for app_label in {model._meta.app_label for model in registered_models()}:
            # Django answers 404 for an app the user has no permission in.
            status = 404 if app_label in hidden_apps else 200
            self.fetch("get", reverse("admin:app_list", args=[app_label]), status)
        self.fetch("get", reverse("admin:login"), 302)  # already logged in
        self.fetch("get", reverse("admin:password_change"), 200)
        self.fetch("get", reverse("admin:password_change_done"), 200)
        self.fetch("get", reverse("admin:jsi18n"), 200)
        self.fetch("get", reverse("admin:articles_importrun_upload"), 200)
        password = reverse("admin:auth_user_password_change", args=[self.editor.pk])
        self.fetch("get", password, 200 if superuser else 403)
        for model in registered_models():
            if hasattr(model, "get_absolute_url"):
                content_type = ContentType.objects.get_for_model(model)
                obj = model._default_manager.order_by("pk").first()
                self.fetch(
                    "get", reverse("admin:view_on_site", args=[content_type.pk, obj.pk]), 302
                )

    def check_autocompletes(self, autocompletes):
        assert {("articles", "article", "topics"), ("articles", "image", "related_link")} <= (
            autocompletes
        ), autocompletes
        for app_label, model_name, field_name in sorted(autocompletes):
            query = {"app_label": app_label, "model_name": model_name, "field_name": field_name}
            self.fetch("get", reverse("admin:autocomplete"), 200, query)
            self.fetch("get", reverse("admin:autocomplete"), 200, {**query, "term": "a"})

    def test_superuser_crawl(self):
        """Every page a superuser may open, and every URL the admin names, is crawled."""
        autocompletes = self.crawl(self.superuser, SUPERUSER)
        self.crawl_the_rest(self.superuser, superuser=True)
        self.check_autocompletes(autocompletes)
        self.fetch("post", reverse("admin:logout"), 200)
        assert not self.failures, "\n".join(self.failures)
        assert admin_url_names(admin.site.get_urls()) - self.visited == set()

    def test_editor_crawl(self):
        autocompletes = self.crawl(self.editor, EDITOR)
        self.crawl_the_rest(self.editor, hidden_apps={"auth", "axes"})
        self.check_autocompletes(autocompletes)
        assert not self.failures, "\n".join(self.failures)

    def test_every_registered_model_has_its_editor_statuses_written_down(self):
        labels = {model._meta.label_lower for model in registered_models()}
        assert set(EDITOR) | set(SUPERUSER) <= labels
        assert labels - set(EDITOR) == EDITOR_EVERY_PAGE
