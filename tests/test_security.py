"""Security: the headers every response carries, production settings, the configurable admin
URL, admin login throttling and password validation."""

import http.client
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import F
from django.test import RequestFactory, TestCase, override_settings

from newsroom.middleware import client_ip
from tests.factories import make_article
from tests.test_cache_servers import free_port
from tests.test_foundation import ROOT, run_manage

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "p9$Wz!7qL0x@Vb3#Nc8&Hk2*Tj5^Rm1(Ys6)Fd4_Ge9+Ua0-Io7=Pq",
    "ALLOWED_HOSTS": "news.example.org",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SESSION_COOKIE_SECURE": "true",
    "CSRF_COOKIE_SECURE": "true",
    "CSRF_TRUSTED_ORIGINS": "https://news.example.org",
    "SECURE_PROXY_SSL_HEADER": "true",
}
# A <script> that runs (not a JSON data block), an inline event handler, or inline style.
INLINE_CODE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/ld\+json\")[^>]*>"
    r"|\son[a-z]+\s*=|\sstyle\s*=|<style",
    re.IGNORECASE,
)


class HeaderTests(TestCase):
    """Every kind of response carries the security headers: a public page, a story with its
    JSON-LD, an admin page, a feed, and a 404."""

    @classmethod
    def setUpTestData(cls):
        cls.article = make_article(topics=["AI"], images=1, related=2)
        cls.paths = ["/", cls.article.get_absolute_url(), "/admin/login/", "/feed/", "/nope/"]

    def test_each_header_on_each_kind_of_page(self):
        for path in self.paths:
            with self.subTest(path=path):
                response = self.client.get(path)
                csp = response["Content-Security-Policy"]
                assert "default-src 'self'" in csp
                assert "script-src 'self'" in csp
                assert "style-src 'self'" in csp
                assert "object-src 'none'" in csp
                assert "frame-ancestors 'none'" in csp
                assert "base-uri 'none'" in csp
                assert "unsafe-inline" not in csp
                assert "unsafe-eval" not in csp
                assert response["X-Content-Type-Options"] == "nosniff"
                assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
                assert response["X-Frame-Options"] == "DENY"
                assert response["Cross-Origin-Opener-Policy"] == "same-origin"
                assert "camera=()" in response["Permissions-Policy"]
                assert "geolocation=()" in response["Permissions-Policy"]
                assert "Strict-Transport-Security" not in response  # plain HTTP here

    def test_youtube_player_is_the_only_frame_allowed(self):
        csp = self.client.get("/")["Content-Security-Policy"]
        assert "frame-src https://www.youtube-nocookie.com" in csp

    @override_settings(SECURE_HSTS_SECONDS=31536000)
    def test_hsts_is_sent_over_https(self):
        for path in self.paths:
            with self.subTest(path=path):
                response = self.client.get(path, secure=True)
                assert response["Strict-Transport-Security"] == (
                    "max-age=31536000; includeSubDomains; preload"
                )

    def test_pages_have_no_inline_script_or_style(self):
        """Nothing the policy would block: scripts come from files, JSON-LD is a data block."""
        for path in self.paths[:3]:
            with self.subTest(path=path):
                html = self.client.get(path).content.decode()
                assert INLINE_CODE.search(html) is None, INLINE_CODE.search(html)
        story = self.client.get(self.article.get_absolute_url()).content.decode()
        assert '<script type="application/ld+json">' in story


def test_deploy_check_is_clean_behind_a_proxy():
    """The README's production environment, proxy header included, passes `check --deploy`."""
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def readme_gunicorn_command(port: int) -> list[str]:
    """README "Deploying"'s gunicorn command, bound to `port` instead of 8000."""
    readme = (ROOT / "README.md").read_text()
    start = readme.index("gunicorn newsroom.wsgi")
    command = shlex.split(readme[start : readme.index("\n```", start)].replace("\\\n", " "))
    command[0] = str(Path(sys.executable).parent / "gunicorn")
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    return command


@contextmanager
def deployed_server(tmp_path, **env):
    """The README's gunicorn on a free 127.0.0.1 port with its production environment (and
    `env`); yields a function that GETs /robots.txt, which needs no database, with headers."""
    port = free_port()
    environment = {
        **os.environ,
        **PRODUCTION,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "CACHE_URL": "locmemcache://",
        "CONTENT_VERSION_DIR": str(tmp_path / "content-version"),
        **env,
    }
    server = subprocess.Popen(  # noqa: S603 - the README's command, with our own gunicorn
        readme_gunicorn_command(port),
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )

    def get(**headers):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"Host": "news.example.org", "Connection": "close", **headers}
        try:
            connection.request("GET", "/robots.txt", headers=headers)
            response = connection.getresponse()
            response.read()
            return response
        finally:
            connection.close()

    try:
        for _ in range(100):
            try:
                get()
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError(server.stderr.read().decode()) from None
                time.sleep(0.1)
        yield get
    finally:
        server.send_signal(signal.SIGINT)  # a quick shutdown: no graceful wait for workers
        server.wait(timeout=30)


SCHEME_CLAIMS = [
    {"X-Forwarded-Proto": "https"},
    {"X-Forwarded-Ssl": "on"},
    {"X-Forwarded-Protocol": "ssl"},
]


def test_gunicorn_as_deployed_trusts_no_https_claim_without_the_proxy_setting(tmp_path):
    """Without SECURE_PROXY_SSL_HEADER, a plain-HTTP request claiming HTTPS in any header
    gunicorn knows is redirected to HTTPS and gets no HSTS (gunicorn trusted the claim from
    127.0.0.1, so it got HSTS and no redirect)."""
    with deployed_server(tmp_path, SECURE_PROXY_SSL_HEADER="false") as get:
        for claim in SCHEME_CLAIMS:
            response = get(**claim)
            assert response.status == 301, claim
            assert response.getheader("Location") == "https://news.example.org/robots.txt"
            assert response.getheader("Strict-Transport-Security") is None, claim


def test_gunicorn_as_deployed_trusts_only_the_header_the_proxy_overwrites(tmp_path):
    """With SECURE_PROXY_SSL_HEADER, `X-Forwarded-Proto` as the proxy sets it decides: https
    is served with HSTS; http is redirected whatever other header the client added."""
    with deployed_server(tmp_path, SECURE_PROXY_SSL_HEADER="true") as get:
        secure = get(**{"X-Forwarded-Proto": "https"})
        assert secure.status == 200
        assert secure.getheader("Strict-Transport-Security").startswith("max-age=31536000")
        for claim in SCHEME_CLAIMS[1:]:
            response = get(**{"X-Forwarded-Proto": "http", **claim})
            assert response.status == 301, claim
            assert response.getheader("Strict-Transport-Security") is None, claim


def test_missing_allowed_hosts_with_debug_off_is_a_clear_error():
    result = run_manage("check", **{**PRODUCTION, "ALLOWED_HOSTS": ""})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_admin_url_is_configurable():
    show = "from django.urls import reverse; print(reverse('admin:index'))"
    assert run_manage("shell", "--no-imports", "-c", show, **PRODUCTION).stdout.strip() == "/admin/"
    moved = run_manage("shell", "--no-imports", "-c", show, **PRODUCTION, ADMIN_URL="desk-7f3a/")
    assert moved.stdout.strip() == "/desk-7f3a/", moved.stderr
    bad = run_manage("check", **PRODUCTION, ADMIN_URL="/desk")
    assert bad.returncode != 0
    assert "ADMIN_URL must be a relative path" in bad.stderr


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no proxy: a client's header is ignored
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "203.0.113.9, 198.51.100.7", "198.51.100.7"),  # the client forged the first entry
        (2, "203.0.113.9, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (2, "", "10.0.0.1"),  # fewer entries than proxies: not from behind them
        (1, "not-an-ip", "10.0.0.1"),  # not an address: the socket's peer
        (1, "198.51.100.7:4431", "10.0.0.1"),
        (1, "::zz", "10.0.0.1"),
        (1, "2001:DB8:0:0::7", "2001:db8::7"),  # one spelling per address
    ],
)
def test_client_ip_trusts_only_the_proxies_it_is_told_about(proxies, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_ip(request) == expected


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1)
@pytest.mark.parametrize("forwarded", ["not-an-ip", "198.51.100.7:4431", "::zz", "1.2.3.4.5"])
def test_a_malformed_forwarded_address_at_login_counts_against_the_proxy(client, forwarded):
    """A login whose X-Forwarded-For entry is not an address is answered like any other (the
    form with its error, not a 500: PostgreSQL refused to store the entry) and its failure is
    counted against the address the request came from."""
    response = client.post(
        "/admin/login/",
        {"username": "root", "password": "wrong"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.content.decode()
    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [
        ("root", "10.0.0.1")
    ]


class LoginThrottleTests(TestCase):
    """After AXES_FAILURE_LIMIT wrong passwords for one account, from any address, the admin
    login refuses that account, even with the right password, until the cool-off has passed;
    after LOGIN_ADDRESS_FAILURE_LIMIT wrong passwords from one address, on any accounts, it
    refuses that address. A successful login clears only its own account's failures."""

    password = "correct horse battery staple"

    @classmethod
    def setUpTestData(cls):
        cls.user = get_user_model().objects.create_superuser("editor", password=cls.password)
        cls.root = get_user_model().objects.create_superuser("root", password=cls.password)

    def log_in(self, password, username="editor", address="127.0.0.1"):
        return self.client.post(
            "/admin/login/?next=/admin/",
            {"username": username, "password": password},
            REMOTE_ADDR=address,
        )

    @override_settings(AXES_FAILURE_LIMIT=3, AXES_COOLOFF_TIME=timedelta(minutes=15))
    def test_nth_wrong_password_locks_until_the_cool_off_ends(self):
        for _ in range(2):
            response = self.log_in("wrong")
            assert response.status_code == 200  # the form again, with its error
            assert "Please enter the correct username and password" in response.content.decode()
        assert self.log_in("wrong").status_code == 429
        locked = self.log_in(self.password)
        assert locked.status_code == 429
        assert "too many login attempts" in locked.content.decode()
        assert "_auth_user_id" not in self.client.session
        # Fifteen minutes later (the attempts are moved back in time rather than waiting).
        AccessAttempt.objects.update(
            attempt_time=F("attempt_time") - timedelta(minutes=15, seconds=1)
        )
        response = self.log_in(self.password)
        assert response.status_code == 302
        assert response["Location"] == "/admin/"
        assert self.client.session["_auth_user_id"] == str(self.user.pk)

    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_a_successful_login_clears_the_count(self):
        self.log_in("wrong")
        self.log_in("wrong")
        assert self.log_in(self.password).status_code == 302
        self.client.logout()
        self.log_in("wrong")
        self.log_in("wrong")
        assert self.log_in(self.password).status_code == 302

    @override_settings(AXES_FAILURE_LIMIT=5)
    def test_a_colleagues_login_does_not_clear_another_accounts_failures(self):
        """Issue 15's scenario: 4 wrong passwords for `root`, a good login by an editor from
        the same address, and again: the fifth wrong password locks `root`, whose right
        password is then refused; the editor, who did nothing wrong, still logs in."""
        for round_ in range(2):
            for attempt in range(4):
                response = self.log_in("wrong", username="root")
                failures = round_ * 4 + attempt + 1
                assert response.status_code == (429 if failures >= 5 else 200), failures
            assert self.log_in(self.password).status_code == 302
            self.client.logout()
        refused = self.log_in(self.password, username="root")
        assert refused.status_code == 429
        assert "too many login attempts" in refused.content.decode()
        assert "_auth_user_id" not in self.client.session
        assert self.log_in(self.password).status_code == 302

    @override_settings(AXES_FAILURE_LIMIT=5)
    def test_an_account_is_locked_whatever_the_address(self):
        for attempt in range(5):
            self.log_in("wrong", username="root", address=f"198.51.100.{attempt}")
        assert self.log_in(self.password, username="root", address="203.0.113.9").status_code == (
            429
        )

    @override_settings(AXES_FAILURE_LIMIT=5, LOGIN_ADDRESS_FAILURE_LIMIT=20)
    def test_one_editors_typos_do_not_lock_out_colleagues_behind_the_same_proxy(self):
        """Behind a proxy every editor has its address. One editor's wrong passwords lock that
        editor's account, and retrying while locked is not counted against the address: a
        colleague still logs in."""
        for _ in range(5):
            self.log_in("wrong", username="root")
        for _ in range(20):
            assert self.log_in(self.password, username="root").status_code == 429
        response = self.log_in(self.password)
        assert response.status_code == 302
        assert self.client.session["_auth_user_id"] == str(self.user.pk)

    @override_settings(AXES_FAILURE_LIMIT=5, LOGIN_ADDRESS_FAILURE_LIMIT=8)
    def test_an_address_trying_many_accounts_is_locked(self):
        """Four wrong passwords on each of two accounts lock the address for every account,
        the right password included; the same account from elsewhere still logs in."""
        for username in ["root", "nobody"]:
            for _ in range(4):
                self.log_in("wrong", username=username, address="198.51.100.7")
        assert self.log_in(self.password, address="198.51.100.7").status_code == 429
        assert "_auth_user_id" not in self.client.session
        assert self.log_in(self.password, address="203.0.113.9").status_code == 302


@pytest.mark.parametrize(
    "password",
    ["short-1A", "password123456", "12345678901234", "editor-newsroom"],
)
def test_weak_passwords_are_refused(password):
    user = get_user_model()(username="editor-newsroom")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_uncommon_password_is_accepted():
    assert validate_password("tidal-quince-obelisk-47", get_user_model()(username="ed")) is None
