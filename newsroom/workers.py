"""Worker processes for CPU-bound work beside a request or a command (the seed importer's parse
workers).

A worker must not hold the parent's database connection: one that outlived a killed parent kept
the socket open, so the server never noticed the parent was gone and kept its transaction and
locks. So the workers are forked while this thread has no connection open (they are closed
first, and reopen on their next query), and each one ends as soon as its parent does, whatever
ended the parent. Forked rather than spawned: a spawned worker imports Django's apps again,
about half a second of CPU each, which made importing the 1,494 real seed files a second slower.
"""

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.connection import wait

from django.db import connections


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` processes, forked now, with none of this thread's database
    connections open but one inside a transaction (closing it would break the transaction;
    such a worker is still ended with its parent), each ending with this process."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=watch_parent,
    )
    pool.submit(os.getpid)  # forks every worker now, before a query opens a connection again
    return pool


def watch_parent() -> None:
    """In a worker: exit as soon as the parent process ends."""
    sentinel = multiprocessing.parent_process().sentinel
    threading.Thread(
        target=_exit_with_parent, args=(sentinel,), name="parent-watch", daemon=True
    ).start()


def _exit_with_parent(sentinel: int) -> None:
    # The read end of a pipe the parent holds the write end of: it becomes readable when the
    # parent ends (SIGKILL included). Workers forked later inherit that write end too, and end
    # in turn, the last one first.
    wait([sentinel])
    os._exit(1)
