"""A redis-server of a test's own, on a free 127.0.0.1 port: tests that pause, fill or starve
Redis never touch the machine's shared one."""

import shutil
import signal
import subprocess
import tempfile
import time
from contextlib import contextmanager

import pytest
import redis

from tests.test_cache_servers import free_port

needs_redis_server = pytest.mark.skipif(
    shutil.which("redis-server") is None,
    reason="needs redis-server (apt-get install -y redis-server): the test starts its own",
)


@contextmanager
def own_redis(*options: str):
    """A redis-server for the block, keeping nothing on disk, started with `options` (e.g.
    "--maxmemory", "2mb"); yields (its process, its URL)."""
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        command = ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--dir", folder]
        command += ["--save", "", "--appendonly", "no", *options]
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603 - ours
        try:
            client = redis.Redis(host="127.0.0.1", port=port)
            for _ in range(100):
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    time.sleep(0.05)
            client.close()
            yield server, f"redis://127.0.0.1:{port}/0"
        finally:
            server.send_signal(signal.SIGCONT)
            server.terminate()
            server.wait(timeout=10)
