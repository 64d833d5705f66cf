"""The project as a whole: settings, commands, admin, and the pages that exist."""

import os
import subprocess
import sys
from pathlib import Path

from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from tests.factories import make_article

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    environment.update(env)
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_secret_key_with_debug_off_is_a_clear_error():
    result = run_manage("check", DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_deploy_check_is_clean_with_production_environment():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="p9$Wz!7qL0x@Vb3#Nc8&Hk2*Tj5^Rm1(Ys6)Fd4_Ge9+Ua0-Io7=Pq",
        ALLOWED_HOSTS="news.example.org",
        SECURE_SSL_REDIRECT="true",
        SECURE_HSTS_SECONDS="31536000",
        SESSION_COOKIE_SECURE="true",
        CSRF_COOKIE_SECURE="true",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


class AdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = get_user_model().objects.create_superuser("boss", password="x-pass-123456")
        cls.article = make_article(topics=["AI"], images=1, related=2)

    def setUp(self):
        self.client.force_login(self.user)

    def test_every_registered_model_has_a_working_changelist(self):
        """A newcomer can log in and see every kind of data."""
        ours = [m for m in admin.site._registry if m._meta.app_label in {"articles", "providers"}]
        assert {m.__name__ for m in ours} >= {
            "Article",
            "Topic",
            "RelatedLink",
            "Image",
            "ImportRun",
            "Provider",
        }
        for model in ours:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            assert self.client.get(url).status_code == 200, url

    def test_article_change_form_opens(self):
        url = reverse("admin:articles_article_change", args=[self.article.pk])
        response = self.client.get(url)
        assert response.status_code == 200
        assert self.article.title in response.content.decode()


class EnsureSuperuserTests(TestCase):
    def test_creates_one_superuser_with_a_random_password_once(self):
        from io import StringIO

        out = StringIO()
        call_command("ensure_superuser", stdout=out)
        user = get_user_model().objects.get(is_superuser=True)
        password = out.getvalue().split("password: ")[1].split()[0]
        assert user.check_password(password)
        assert len(password) >= 16

        again = StringIO()
        call_command("ensure_superuser", stdout=again)
        assert get_user_model().objects.count() == 1
        assert "none created" in again.getvalue()


class FrontPageTests(TestCase):
    def test_front_page_lists_published_articles(self):
        make_article(title="Shown to readers")
        make_article(title="Kept back", is_published=False)
        response = self.client.get("/")
        assert response.status_code == 200
        assert b"Shown to readers" in response.content
        assert b"Kept back" not in response.content


def test_every_app_has_migrations_applied_by_the_test_database():
    assert apps.get_app_config("articles").models_module is not None
