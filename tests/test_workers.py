"""Worker processes (`newsroom.workers`): forked with no database connection open, ended with
their parent."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from django.db import connection

from articles.models import Article
from newsroom.workers import worker_pool
from tests.processes import HAS_PROC, children_of, running

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has no socket, and its in-memory test database never closes",
)
@pytest.mark.django_db(transaction=True)
def test_workers_are_forked_with_no_database_connection_open():
    """A worker forked with the connection open would hold its socket: the connection is
    closed first, and opens again on the next query."""
    Article.objects.count()
    assert connection.connection is not None
    with worker_pool(1) as pool:
        assert connection.connection is None
        assert pool.submit(os.getppid).result() == os.getpid()
        assert Article.objects.count() == 0


@pytest.mark.django_db
def test_a_connection_inside_a_transaction_is_left_open():
    """Closing it would break the transaction (a test's, here)."""
    Article.objects.count()
    with worker_pool(1) as pool:
        assert connection.connection is not None
        assert pool.submit(os.getppid).result() == os.getpid()


@pytest.mark.skipif(not HAS_PROC, reason="reads processes from /proc")
def test_workers_end_with_their_parent_even_when_it_is_killed():
    """SIGKILL leaves a process no time to stop its workers: they notice on their own."""
    script = (
        "from newsroom.workers import worker_pool; import time; "
        "pool = worker_pool(2); print('ready', flush=True); time.sleep(120)"
    )
    parent = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        stdout=subprocess.PIPE,
        text=True,
    )
    workers = []
    try:
        assert parent.stdout.readline() == "ready\n"
        workers = children_of(parent.pid)
        assert len(workers) == 2
        parent.kill()
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(map(running, workers)):
            assert time.monotonic() < deadline, "the workers outlived their parent"
            time.sleep(0.05)
    finally:
        for pid in filter(running, workers):  # only if the test failed: leave no orphan behind
            os.kill(pid, signal.SIGKILL)
        parent.kill()
        parent.communicate()
