"""Worker processes for CPU-bound work beside a request or a command (the seed importer's parse
workers).

Workers are started fresh ("spawn"), never forked: a forked child inherits the parent's open
database connection, and a child that outlives a killed parent keeps that socket open, so the
server never notices the parent is gone and keeps its transaction and locks. A spawned worker
holds no descriptor but the ones multiprocessing hands it, sets Django up itself, and ends as
soon as its parent does, whatever killed the parent.
"""

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.connection import wait

import django


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` processes that import Django's apps once each and die with this
    process. Needs DJANGO_SETTINGS_MODULE in the environment (manage.py and the WSGI module set
    it), which the workers inherit."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=start_worker,
    )


def start_worker() -> None:
    """In a worker: watch the parent, then set Django up."""
    parent = multiprocessing.parent_process()
    threading.Thread(
        target=_exit_with_parent, args=(parent.sentinel,), name="parent-watch", daemon=True
    ).start()
    django.setup()


def _exit_with_parent(sentinel: int) -> None:
    # The sentinel is the read end of a pipe whose only writer is the parent: it becomes
    # ready when the parent ends (a SIGKILL included), and then nothing is left to work for.
    wait([sentinel])
    os._exit(1)
