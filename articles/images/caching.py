"""The `cache_images` job: a local copy, with renditions, of every remote picture the database
names (`fetch`, `render`, `store`), each distinct URL once; a failure is recorded on its rows."""

import logging
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

import httpx

from django.utils import timezone

from articles.models import Image

from .fetch import fetch, new_client
from .storage import Stored, cache_bytes
from .verify import ImageRejected, first_line

logger = logging.getLogger(__name__)

FAILURE_MAX_LENGTH = Image._meta.get_field("failure").max_length


@dataclass
class CacheReport:
    """What a run of `cache_pending_images` did: images are rows, downloads are distinct URLs."""

    urls: int = 0
    fetched: int = 0
    images: int = 0
    skipped: int = 0
    failed: int = 0
    reasons: Counter = field(default_factory=Counter)
    elapsed: float = 0.0

    def summary(self) -> str:
        """One line: fetched, skipped, failed by reason, time."""
        reasons = ", ".join(f"{reason} {count}" for reason, count in self.reasons.most_common())
        failed = f"{self.failed} failed ({reasons})" if self.failed else "0 failed"
        return (
            f"{self.fetched} fetched ({self.images} images), {self.skipped} skipped "
            f"(failed before; --retry-failed retries them), {failed}; "
            f"{self.urls} URLs in {self.elapsed:.1f} s"
        )


def cache_pending_images(
    *,
    limit: int | None = None,
    workers: int = 4,
    retry_failed: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> CacheReport:
    """Fetch, verify, render and store the images (of articles and related links) that have no
    local copy yet: each distinct URL once, in `workers` threads, at most `limit` URLs. Rows that
    failed before are skipped unless `retry_failed`. A failure keeps the row's URL and records
    the reason in `Image.failure`. Database writes happen in this thread only."""
    started = time.perf_counter()
    report = CacheReport()
    pending = Image.objects.filter(file="").exclude(url="")
    if not retry_failed:
        report.skipped = pending.exclude(failure="").count()
        pending = pending.filter(failure="")
    # The rows of each chosen URL, by primary key: `url` has no index (it may be 2,000
    # characters long), so the table is scanned once here rather than once per URL.
    rows: dict[str, list[int]] = {}
    for pk, url in pending.order_by("pk").values_list("pk", "url").iterator(chunk_size=5000):
        if url in rows:
            rows[url].append(pk)
        elif limit is None or len(rows) < limit:
            rows[url] = [pk]
    report.urls = len(rows)
    with new_client() as client, ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(_cache_url, url, client): url for url in rows}
        for done, future in enumerate(as_completed(futures), start=1):
            _record(rows[futures[future]], future.result(), report)
            if progress:
                progress(done, len(rows))
    report.elapsed = time.perf_counter() - started
    return report


def _cache_url(url: str, client: httpx.Client) -> Stored | ImageRejected:
    # The boundary of one image: whatever goes wrong with it is recorded, and the run goes on.
    try:
        return cache_bytes(fetch(url, client=client))
    except ImageRejected as rejection:
        return rejection
    except Exception as error:
        logger.exception("cache_images: unexpected error for %s", url)
        return ImageRejected("error", f"{type(error).__name__}: {first_line(error)}")


def _record(pks: list[int], outcome: Stored | ImageRejected, report: CacheReport) -> None:
    if isinstance(outcome, ImageRejected):
        report.failed += 1
        report.reasons[outcome.reason] += 1
        values = {"failure": str(outcome)[:FAILURE_MAX_LENGTH], "failed_at": timezone.now()}
    else:
        report.fetched += 1
        values = {
            "file": outcome.name,
            "width": outcome.width,
            "height": outcome.height,
            "renditions": outcome.renditions,
            "failure": "",
            "failed_at": None,
        }
    for start in range(0, len(pks), 500):
        updated = Image.objects.filter(pk__in=pks[start : start + 500], file="").update(**values)
        if "file" in values:
            report.images += updated
