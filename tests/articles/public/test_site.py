"""Site-wide public behaviour: robots.txt, /healthz, error pages, static files, and what never
reaches a reader."""

from unittest import mock

import pytest

from django.core.management import call_command
from django.db import OperationalError
from django.template import TemplateDoesNotExist, engines
from django.template.backends.django import Template as DjangoTemplate
from django.template.loader import get_template
from django.test import Client, TestCase, override_settings

from articles.public.views import FrontPageView
from tests.factories import make_article, make_provider


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()


@pytest.mark.django_db
def test_robots_txt_never_gives_the_admin_address_away(client, settings):
    """ADMIN_URL may be unguessable; robots.txt is public. The admin's pages say noindex."""
    for admin_url in ["admin/", "desk-7f3a/"]:
        settings.ADMIN_URL = admin_url
        assert admin_url not in client.get("/robots.txt").content.decode()
    assert '<meta name="robots" content="NONE,NOARCHIVE">' in client.get("/admin/login/").text


def test_pages_are_django_templates_and_only_the_partials_jinja2():
    """`render()`, `TemplateResponse` and the admin try the Django engine first, so every page
    is a Django template; the Jinja2 engine reads `templates/jinja2/` alone, autoescaped."""
    assert [engine.name for engine in engines.all()] == ["django", "jinja2"]
    for name in ["base.html", "404.html", "articles/front_page.html", "admin/index.html"]:
        assert isinstance(get_template(name), DjangoTemplate)
    jinja = engines["jinja2"]
    assert jinja.env.autoescape is True
    assert jinja.get_template("public/cards.html")
    with pytest.raises(TemplateDoesNotExist):
        jinja.get_template("base.html")


@pytest.mark.django_db
def test_healthz_is_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_does_not(client):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute") as execute:
        execute.side_effect = OperationalError("connection refused")
        response = client.get("/healthz")
    assert response.status_code == 503


@pytest.mark.django_db
def test_server_error_page_is_friendly():
    client = Client(raise_request_exception=False)
    with mock.patch.object(FrontPageView, "get_queryset", side_effect=RuntimeError("boom")):
        response = client.get("/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert "boom" not in response.content.decode()


@pytest.mark.django_db
def test_static_files_get_hashed_names_with_whitenoise(tmp_path, client):
    """With the production storage, collectstatic writes hashed, compressed copies and pages
    link to the hashed names (which WhiteNoise serves with a far-future cache)."""
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
        html = client.get("/").content.decode()
    hashed = sorted(p.name for p in (tmp_path / "css").glob("site.*.css"))
    assert hashed, "no hashed stylesheet"
    assert f'href="/static/css/{hashed[0]}"' in html
    assert (tmp_path / "css" / f"{hashed[0]}.gz").exists()


class NothingHiddenLeaksTests(TestCase):
    """Unpublished articles, blocked providers and `secured` never reach any public response."""

    @classmethod
    def setUpTestData(cls):
        cls.shown = make_article(
            title="Visible zebra", topics=["Zebras"], images=1, related=2, secured="SECRET-1"
        )
        cls.hidden = make_article(
            title="Unpublished zebra", topics=["Zebras"], secured="SECRET-2", is_published=False
        )
        blocked = make_provider(name="Blocked Outlet", is_blocked=True)
        cls.blocked = make_article(title="Blocked zebra", provider=blocked, topics=["Zebras"])

    def test_every_public_response(self):
        urls = [
            "/",
            self.shown.get_absolute_url(),
            "/topics/zebras/",
            self.shown.provider.get_absolute_url(),
            "/category/news/",
            "/search/?q=zebra",
            "/feed/",
            "/feed/atom/",
            "/topics/zebras/feed/",
            "/topics/zebras/feed/atom/",
            f"{self.shown.provider.get_absolute_url()}feed/",
            "/sitemap.xml",
        ]
        for url in urls:
            response = self.client.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            assert "Visible zebra" in body or url == "/sitemap.xml", url
            for secret in ("SECRET-1", "SECRET-2", "Unpublished zebra", "Blocked zebra"):
                assert secret not in body, (url, secret)
            assert self.hidden.slug not in body and self.blocked.slug not in body, url
