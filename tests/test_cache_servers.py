"""Two app servers (gunicorn) sharing PostgreSQL and Redis, as in production: an article that
an editor unpublishes through one server's admin is gone from the other server at the very
next request, although that server had the pages in its cache. Needs PostgreSQL
(DATABASE_URL) and Redis (CACHE_URL=redis://…); `.ci/run` provides both."""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from http.cookiejar import CookieJar

import pytest

from django.conf import settings
from django.db import connection

from tests.articles.editing.helpers import make_superuser
from tests.factories import make_article

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def redis_url() -> str:
    url = os.environ.get("CACHE_URL", "")
    if not url.startswith("redis://"):
        return ""
    host, port = urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port or 6379
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return ""
    return url


def database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def app_server(env):
    """A gunicorn server on a free 127.0.0.1 port; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "newsroom.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--worker-class", "gthread", "--workers", "1", "--threads", "2"]
    server = subprocess.Popen(  # noqa: S603 - a fixed command of our own
        command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).close()  # noqa: S310
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError(server.stderr.read().decode()) from None
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def fetch(opener, url, data=None):
    """(status, headers, body) of a GET (or a POST of `data`), errors included."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(url, data=body, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def unpublish_through_admin(base, article, password):
    editor = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    _, _, page = fetch(editor, f"{base}/admin/login/")
    login = {"username": "boss", "password": password, "next": "/admin/"}
    login["csrfmiddlewaretoken"] = CSRF_FIELD.search(page).group(1)
    status, _, page = fetch(editor, f"{base}/admin/login/?next=/admin/", login)
    assert status == 200 and "Log out" in page, page[:500]
    changelist = f"{base}/admin/articles/article/"
    _, _, page = fetch(editor, changelist)
    action = {"action": "unpublish", "_selected_action": article.pk, "index": 0}
    action["csrfmiddlewaretoken"] = CSRF_FIELD.search(page).group(1)
    status, _, page = fetch(editor, changelist, action)
    assert status == 200 and "1 article" in page, page[:500]


def test_unpublishing_on_one_server_shows_on_the_other_at_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL): the servers share its database")
    cache_url = redis_url()
    if not cache_url:
        pytest.skip("needs a reachable Redis (set CACHE_URL=redis://…): the servers share it")
    story = make_article(title="Seen on both servers")
    make_superuser()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        # A key prefix of this run's own: nothing else in that Redis database is touched.
        "CACHE_URL": f"{cache_url.split('?')[0]}?key_prefix=two-servers-{secrets.token_hex(4)}",
        "PAGE_CACHE_SECONDS": "300",
        "CONN_MAX_AGE": "0",
        "LOG_LEVEL": "ERROR",
    }
    reader = urllib.request.build_opener()
    with app_server(env) as first, app_server(env) as second:
        for url in [story.get_absolute_url(), "/"]:
            fetch(reader, second + url)
            status, headers, page = fetch(reader, second + url)
            assert (status, headers["X-Page-Cache"]) == (200, "hit"), url
            assert "Seen on both servers" in page

        unpublish_through_admin(first, story, "x-pass-123456")

        status, _, _ = fetch(reader, second + story.get_absolute_url())
        assert status == 404
        status, headers, page = fetch(reader, second + "/")
        assert (status, headers["X-Page-Cache"]) == (200, "miss")
        assert "Seen on both servers" not in page
