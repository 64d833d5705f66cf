"""Logs: one line per event on stdout, the path and status of failed requests, the import
summary, and never a secret (`secured` values, passwords, session ids)."""

import io
import logging
import shutil
import sys
from pathlib import Path
from unittest import mock

import pytest
import yaml

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client, override_settings

from newsroom.logs import OneLineFormatter

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"


@pytest.fixture
def log_output():
    """What the configured stdout handler writes, at DEBUG level for the whole test."""
    root = logging.getLogger()
    (handler,) = [h for h in root.handlers if getattr(h, "stream", None) is sys.stdout]
    output = io.StringIO()
    saved_level = root.level
    previous = handler.setStream(output)
    root.setLevel(logging.DEBUG)
    try:
        yield output
    finally:
        handler.setStream(previous)
        root.setLevel(saved_level)


def test_a_record_with_newlines_and_a_traceback_is_one_line():
    formatter = OneLineFormatter("%(levelname)s %(name)s %(message)s")
    try:
        raise ValueError("first\nsecond")
    except ValueError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Bad: %s", ("/a\nb",), sys.exc_info()
        )
    record.status_code = 500
    line = formatter.format(record)
    assert "\n" not in line
    assert line.startswith("ERROR django.request Bad: /a\\nb status=500\\nTraceback")
    assert "ValueError: first\\nsecond" in line


@pytest.mark.django_db
def test_failed_requests_are_logged_with_path_and_status(log_output):
    client = Client(raise_request_exception=False)
    client.get("/no-such-page/")
    with mock.patch(
        "articles.public.views.FrontPageView.get_queryset", side_effect=OperationalError("gone")
    ):
        client.get("/?page=2")
    lines = log_output.getvalue().splitlines()
    assert any(
        line.endswith("WARNING django.request Not Found: /no-such-page/ status=404")
        for line in lines
    ), lines
    assert any(
        line.endswith("ERROR django.request Service Unavailable: / status=503") for line in lines
    ), lines


@pytest.mark.django_db
def test_no_secret_in_any_log_line_after_an_import_and_a_login(tmp_path, log_output):
    """An import (with a rejected file) and admin logins, one wrong, one right, with every SQL
    statement wrapped for logging: the logs carry the import summary and the login lockout
    machinery's events, but no `secured` value, no password, no session or CSRF id."""
    files = sorted(p for p in SEEDS.rglob("*") if p.is_file() and "\nsecured:" in p.read_text())
    secrets = []
    folder = tmp_path / "seeds"
    folder.mkdir()
    for path in files[:5]:
        shutil.copy(path, folder / path.name)
        front_matter = path.read_text().split("---")[1]
        secrets.append(yaml.load(front_matter, Loader=yaml.CSafeLoader)["secured"])
    (folder / "broken.md").write_text("---\ntitle: [unclosed\n---\n")
    password = "orchid-lantern-90210-secret"
    get_user_model().objects.create_superuser("editor", password=password)

    connection.force_debug_cursor = True  # as with DEBUG on: every query goes to the logger
    try:
        with pytest.raises(SystemExit):
            call_command("import_seeds", str(folder), stdout=io.StringIO(), stderr=io.StringIO())
        client = Client()
        client.post("/admin/login/", {"username": "editor", "password": "wrong-" + password})
        client.post("/admin/login/?next=/admin/", {"username": "editor", "password": password})
        client.get("/admin/")
        session_id = client.cookies["sessionid"].value
        csrf_token = client.cookies["csrftoken"].value
    finally:
        connection.force_debug_cursor = False

    output = log_output.getvalue()
    assert "INFO articles.seeds import_seeds: 5 created, 0 updated" in output
    assert "WARNING articles.seeds import_seeds rejected " in output
    assert "broken.md: line 3: " in output
    assert len(secrets) == 5
    for secret in [*secrets, password, session_id, csrf_token]:
        assert secret not in output
    assert all(secret.split(";")[0][:20] not in output for secret in secrets)


@pytest.mark.django_db
@override_settings(AXES_FAILURE_LIMIT=2)
def test_a_lockout_is_logged_with_the_username_and_address(log_output):
    """The lockout line names what an operator needs to act on: the account and the address
    (after the proxies `TRUSTED_PROXY_COUNT` trusts); the password stays out."""
    client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    with override_settings(TRUSTED_PROXY_COUNT=1):
        for _ in range(2):
            client.post("/admin/login/", {"username": "root", "password": "hunter2-guess"})
    (line,) = [line for line in log_output.getvalue().splitlines() if "Locking out" in line]
    assert 'username: "root"' in line
    assert 'ip_address: "203.0.113.9"' in line
    assert "*****" not in line
    assert "hunter2-guess" not in log_output.getvalue()
