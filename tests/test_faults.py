"""Faults the site survives: the database out of reach, Redis out of reach, an import killed
half-way (with its workers, or its main process alone)."""

import logging
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from pathlib import Path
from unittest import mock
from wsgiref.util import setup_testing_defaults

import pytest

from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection
from django.test import Client, override_settings

from articles.models import ImportRun
from bench.generate import write_seed_files
from newsroom import cache as resilient
from newsroom.content import version_cache
from tests.factories import make_article
from tests.processes import HAS_PROC, children_of, running

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fixtures" / "seeds"

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (set DATABASE_URL): SQLite has no server to lose",
)


@contextmanager
def closed_port():
    """A 127.0.0.1 port that refuses connections: bound, never listening, for the duration."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def wsgi_get(path):
    """GET `path` through Django's WSGI handler, as gunicorn calls it: unlike the test client,
    it sends the request signals that check (and replace) stale database connections."""
    environ = {}
    setup_testing_defaults(environ)
    path, _, query = path.partition("?")
    environ.update(PATH_INFO=path, QUERY_STRING=query, HTTP_HOST="testserver")
    statuses = []
    response = WSGIHandler()(environ, lambda status, headers: statuses.append(status))
    body = b"".join(response)
    response.close()
    return int(statuses[0].split()[0]), body.decode()


# The database out of reach.


@pytest.mark.django_db
def test_a_database_error_in_a_view_is_a_friendly_503():
    """Whatever the database, a view that cannot reach it answers 503 with our page: no stack
    trace, no settings, a Retry-After."""
    client = Client(raise_request_exception=False)
    failing = mock.patch(
        "articles.public.views.FrontPageView.get_queryset",
        side_effect=OperationalError("could not connect to server: secret-host:5432"),
    )
    with failing:
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "back in a moment" in body
    assert "secret-host" not in body
    assert "Traceback" not in body


LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
PAGE_CACHE_ON = {
    "PAGE_CACHE_SECONDS": 60,
    "CACHES": {
        "default": {"BACKEND": LOCMEM, "LOCATION": "faults-pages"},
        "content_version": {"BACKEND": LOCMEM, "LOCATION": "faults-content-version"},
    },
}


def clear_page_cache():
    """No page, content version or schedule left by an earlier test."""
    cache.clear()
    version_cache().clear()


@pytest.mark.django_db
def test_robots_txt_is_answered_uncached_when_the_schedule_cannot_be_read():
    """robots.txt needs no database, but the page cache looks up the next scheduled publication
    before keeping a page: with the database out of reach, that was a 500 from outside the view.
    The page is answered and not kept (nothing is known of the schedule) until the database is
    back."""
    client = Client(raise_request_exception=False)
    unreachable = mock.patch(
        "articles.signals.next_schedule_change",
        side_effect=OperationalError("could not connect to server"),
    )
    with override_settings(**PAGE_CACHE_ON):
        clear_page_cache()
        with unreachable:
            for _ in range(2):
                response = client.get("/robots.txt")
                assert response.status_code == 200
                assert response["X-Page-Cache"] == "miss"
                assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
        assert client.get("/robots.txt")["X-Page-Cache"] == "miss"
        assert client.get("/robots.txt")["X-Page-Cache"] == "hit"


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_database_unreachable_then_back():
    """With PostgreSQL out of reach (the connection pointed at a closed port), public pages and
    /healthz answer 503; once it is back, the next requests are served again, with no restart."""
    story = make_article(title="Still here")
    settings_dict = connection.settings_dict
    real_host, real_port = settings_dict["HOST"], settings_dict["PORT"]
    with closed_port() as port:
        connection.close()
        settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", port
        try:
            for path in ["/", story.get_absolute_url(), "/topics/ai/", "/search/?q=still"]:
                status, body = wsgi_get(path)
                assert status == 503, path
                assert "back in a moment" in body
                assert "Traceback" not in body
            assert wsgi_get("/healthz")[0] == 503
        finally:
            connection.close()
            settings_dict["HOST"], settings_dict["PORT"] = real_host, real_port
    assert wsgi_get("/healthz") == (200, "ok\n")
    status, body = wsgi_get(story.get_absolute_url())
    assert status == 200
    assert "Still here" in body


@needs_postgres
@pytest.mark.django_db(transaction=True)
@override_settings(**PAGE_CACHE_ON)
def test_robots_txt_is_answered_with_the_database_unreachable():
    """With the page cache on and PostgreSQL out of reach, robots.txt (which needs no database)
    is answered, not kept, while the pages that need the database answer 503."""
    settings_dict = connection.settings_dict
    real_host, real_port = settings_dict["HOST"], settings_dict["PORT"]
    clear_page_cache()
    with closed_port() as port:
        connection.close()
        settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", port
        try:
            status, body = wsgi_get("/robots.txt")
            assert status == 200
            assert "Sitemap: http://testserver/sitemap.xml" in body
            assert wsgi_get("/")[0] == 503
        finally:
            connection.close()
            settings_dict["HOST"], settings_dict["PORT"] = real_host, real_port
    assert Client().get("/robots.txt")["X-Page-Cache"] == "miss"


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_persistent_connection_killed_by_the_server_is_replaced():
    """With persistent connections (CONN_MAX_AGE), a connection the server dropped (as on a
    PostgreSQL restart) is noticed by the health check and replaced: no error for readers."""
    settings_dict = connection.settings_dict
    saved = settings_dict["CONN_MAX_AGE"]
    settings_dict["CONN_MAX_AGE"] = 600
    try:
        assert wsgi_get("/healthz")[0] == 200
        old_pid = connection.connection.info.backend_pid
        killer = connection.copy()
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [old_pid])
        killer.close()
        assert wsgi_get("/")[0] == 200
        assert connection.connection.info.backend_pid != old_pid
    finally:
        settings_dict["CONN_MAX_AGE"] = saved
        connection.close()


# Redis out of reach.


@pytest.fixture
def redis_down(caplog):
    """The cache pointed at a closed port, its outage state reset before and after."""
    resilient._state.update(down_until=0.0, logged_at=None)
    with closed_port() as port:
        cache_settings = {
            "default": {
                "BACKEND": "newsroom.cache.ResilientRedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}/5",
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        }
        with override_settings(CACHES=cache_settings), caplog.at_level(logging.ERROR):
            yield caplog
    resilient._state.update(down_until=0.0, logged_at=None)


def outage_lines(caplog):
    return [r for r in caplog.records if r.getMessage().startswith("cache unavailable")]


@pytest.mark.django_db
def test_pages_render_from_the_database_with_redis_down(redis_down):
    story = make_article(title="From the database")
    client = Client(raise_request_exception=False)
    for path in ["/", story.get_absolute_url(), "/admin/login/", "/feed/"]:
        assert client.get(path).status_code == 200, path
    assert cache.get_or_set("answer", lambda: 42) == 42
    assert cache.get("answer") is None
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("k", 1) is False
    cache.set("k", 1)
    cache.delete("k")
    with pytest.raises(ValueError, match="cache unavailable"):
        cache.incr("counter")


def test_a_redis_outage_is_logged_once_per_interval(redis_down, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(resilient.time, "monotonic", lambda: clock[0])
    for _ in range(50):
        assert cache.get("x", "miss") == "miss"
        clock[0] += 0.5  # 25 s in all: past RETRY_AFTER (Redis asked again), within LOG_INTERVAL
    assert len(outage_lines(redis_down)) == 1
    assert "ConnectionError" in outage_lines(redis_down)[0].getMessage()
    clock[0] += resilient.LOG_INTERVAL
    for _ in range(10):
        cache.get("x")
    assert len(outage_lines(redis_down)) == 2


def test_redis_is_not_asked_again_until_retry_after(redis_down, monkeypatch):
    """While Redis is known to be down, requests do not each wait on a connection attempt."""
    clock = [1000.0]
    monkeypatch.setattr(resilient.time, "monotonic", lambda: clock[0])
    cache.get("x")
    with mock.patch("django.core.cache.backends.redis.RedisCache.get") as real_get:
        for _ in range(20):
            cache.get("x")
        assert real_get.call_count == 0
        clock[0] += resilient.RETRY_AFTER
        cache.get("x")
        assert real_get.call_count == 1


def redis_reachable():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_redis_urls_get_the_resilient_backend_which_works_when_redis_is_up():
    show = (
        "from django.core.cache import caches; cache = caches['default']; "
        "cache.set('nr-fault-test', 'up', 5); "
        "print(type(cache).__name__, cache.get('nr-fault-test'))"
    )
    environment = {**os.environ, "CACHE_URL": "redis://127.0.0.1:6379/5"}
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", show],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split()[-2:] == ["ResilientRedisCache", "up"], result.stderr


# An import killed half-way.


def manage(database_url, *args, **popen):
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def run(database_url, *args):
    process = manage(database_url, *args)
    out, err = process.communicate(timeout=300)
    assert process.returncode in (0, 1), err  # 1: the real files include rejected ones
    return out


def article_count(database_url):
    if database_url.startswith("sqlite:///"):
        with closing(sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=5)) as db:
            return db.execute("SELECT count(*) FROM articles_article").fetchone()[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM articles_article")
        return cursor.fetchone()[0]


def exported(database_url, folder):
    run(database_url, "export_seeds", str(folder))
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_half_way_and_run_again_equals_a_clean_run(tmp_path):
    """`import_seeds` on a copy of the real files, SIGKILLed (with its parse workers) as soon
    as its first batch is committed, then run again: the export of the database is the same,
    byte for byte, as after one clean run: no duplicate, no half-written article."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    if connection.vendor == "sqlite":
        database_url = f"sqlite:///{tmp_path / 'kill.sqlite3'}"
        run(database_url, "migrate", "--no-input")
    else:  # the test database itself, emptied after the test
        db = connection.settings_dict
        database_url = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        )

    run(database_url, "import_seeds", str(seeds), "--quiet")
    clean = exported(database_url, tmp_path / "clean")
    total = article_count(database_url)
    run(database_url, "flush", "--no-input")

    process = manage(database_url, "import_seeds", str(seeds), "--quiet", start_new_session=True)
    deadline = time.monotonic() + 120
    while article_count(database_url) == 0 and process.poll() is None:
        assert time.monotonic() < deadline, "the import wrote nothing in two minutes"
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL
    partial = article_count(database_url)
    assert 0 < partial < total, (partial, total)

    run(database_url, "import_seeds", str(seeds), "--quiet")
    assert exported(database_url, tmp_path / "again") == clean


def stories() -> tuple:
    """What an import wrote, to compare two databases: every article's identity and content,
    and the number of rows of each table the import fills."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT canonical_url, title, content_hash, source, published_at"
            " FROM articles_article ORDER BY canonical_url"
        )
        articles = cursor.fetchall()
        tables = {}
        for table in [
            "articles_image",
            "articles_relatedlink",
            "articles_taggedarticle",
            "articles_topic",
            "providers_provider",
        ]:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our own table names
            tables[table] = cursor.fetchone()[0]
    return articles, tables


def in_a_transaction_elsewhere() -> bool:
    """Whether another session of this database is inside a transaction (the import's)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
        )
        return cursor.fetchone()[0] > 0


@needs_postgres
@pytest.mark.skipif(not HAS_PROC, reason="reads processes from /proc")
@pytest.mark.django_db(transaction=True)
def test_an_import_whose_main_process_alone_is_killed_does_not_hang_the_next_one(tmp_path):
    """`import_seeds` SIGKILLed alone, its parse workers not signalled, while it writes a batch:
    the workers end with it, so nothing holds its connection open and PostgreSQL rolls its
    transaction back (a forked worker kept the socket, and its locks made the next run wait
    forever). The next run finishes, with the rows of a clean run, and the killed run shows as
    interrupted."""
    seeds = tmp_path / "seeds"
    write_seed_files(seeds, 2000)  # four batches: two workers
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )
    run(database_url, "import_seeds", str(seeds), "--quiet")
    clean = stories()
    run(database_url, "flush", "--no-input")

    process = manage(database_url, "import_seeds", str(seeds), "--quiet")
    workers = []
    try:
        deadline = time.monotonic() + 120
        while not (article_count(database_url) and in_a_transaction_elsewhere()):
            assert process.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline, "the import wrote nothing in two minutes"
            time.sleep(0.01)
        workers = children_of(process.pid)
        assert workers
        process.kill()  # SIGKILL, to the main process only
        assert process.wait(timeout=10) == -signal.SIGKILL
        deadline = time.monotonic() + 10
        while any(map(running, workers)):
            assert time.monotonic() < deadline, "the workers outlived the killed import"
            time.sleep(0.05)
    finally:
        for pid in filter(running, workers):  # only if the test failed: leave no orphan behind
            os.kill(pid, signal.SIGKILL)
        process.kill()
        process.communicate()  # its output pipes: a live worker would hold them open

    again = manage(database_url, "import_seeds", str(seeds), "--quiet")
    try:
        again.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        again.kill()
        again.communicate()
        pytest.fail("the next import did not finish in two minutes")
    assert again.returncode == 0
    assert stories() == clean
    killed, rerun = ImportRun.objects.order_by("pk")
    assert (killed.status, killed.files) == (ImportRun.Status.INTERRUPTED, 2000)
    assert killed.finished_at is None
    assert (rerun.status, rerun.created + rerun.unchanged) == (ImportRun.Status.FINISHED, 2000)
