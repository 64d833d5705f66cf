import logging

from django.core.management.base import BaseCommand

from articles.images.caching import cache_pending_images

logger = logging.getLogger("articles.images")


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Download, verify and store the images of articles and related links that are not "
        "cached yet, with their WebP renditions. Failed images keep their URL and are retried "
        "only with --retry-failed. Failures are routine (outlets delete pictures): they are "
        "counted by reason and do not change the exit status."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=positive, help="At most this many distinct URLs.")
        parser.add_argument(
            "--workers", type=positive, default=4, help="Downloads at once (default 4)."
        )
        parser.add_argument(
            "--retry-failed", action="store_true", help="Try the images that failed before."
        )

    def handle(self, *, limit, workers, retry_failed, **options):
        progress = self._progress if self.stdout.isatty() else None
        report = cache_pending_images(
            limit=limit, workers=workers, retry_failed=retry_failed, progress=progress
        )
        if progress and report.urls:
            self.stdout.write("")
        logger.info("cache_images: %s", report.summary())
        style = self.style.WARNING if report.failed else self.style.SUCCESS
        self.stdout.write(style(report.summary()))

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        bar = "#" * filled + "-" * (width - filled)
        self.stdout.write(f"\r[{bar}] {done:,}/{total:,} images", ending="")
        self.stdout.flush()
