import logging
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize

from articles.seeds import import_paths

logger = logging.getLogger("articles.seeds")


class Command(BaseCommand):
    help = (
        "Import seed files (files, or folders searched recursively) into the database. "
        "Exits 1 when any file was rejected, 2 on a usage error."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and count; write no article."
        )
        parser.add_argument(
            "--quiet", action="store_true", help="No progress, warnings or summary; only errors."
        )
        parser.add_argument(
            "--force", action="store_true", help="Reprocess files whose content is unchanged."
        )

    def handle(self, *, paths, dry_run, quiet, force, verbosity, **options):
        # A person at a terminal reads the lines this command writes; the same events as log
        # lines are for whoever collects a scheduled import's logs, and would repeat them.
        on_terminal = self.stdout.isatty()
        progress = self._progress if on_terminal and not quiet else None
        try:
            report = import_paths(paths, dry_run=dry_run, force=force, progress=progress)
        except FileNotFoundError as error:
            raise CommandError(str(error), returncode=2) from error
        if progress:
            self.stdout.write("")
        for name, reason in report.rejections:
            self.stderr.write(self.style.ERROR(f"rejected {name}: {reason}"))
            if not on_terminal:
                logger.warning("import_seeds rejected %s: %s", name, reason)
        if report.rejected:
            count, listed = report.rejected, len(report.rejections)
            where = "listed above" if count == listed else f"the first {listed:,} listed above"
            self.stderr.write(
                self.style.ERROR(f"{count:,} file{pluralize(count)} rejected ({where}).")
            )
        if not on_terminal:
            for name, reason in report.skips:
                logger.warning("import_seeds skipped %s: %s", name, reason)
            logger.info("import_seeds: %s", report.summary())
        if not quiet:
            for name, reason in report.skips:
                self.stdout.write(self.style.WARNING(f"skipped {name}: {reason}"))
            for name, fields in report.kept_fields:
                self.stdout.write(f"kept editor changes to {', '.join(fields)}: {name}")
            if verbosity >= 2:
                for name, message in report.warning_messages:
                    self.stdout.write(self.style.WARNING(f"warning {name}: {message}"))
            elif report.warnings:
                self.stdout.write(
                    f"Warnings are values dropped or cleaned, their files imported all the same "
                    f"(-v 2 lists the {report.warnings:,}, as does the run's admin page)."
                )
            style = self.style.WARNING if report.rejected else self.style.SUCCESS
            self.stdout.write(style(report.summary()))
        if report.rejected:
            # The rejections are listed above and counted in the summary; the exit status is
            # for scripts.
            sys.exit(1)

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        bar = "#" * filled + "-" * (width - filled)
        self.stdout.write(f"\r[{bar}] {done:,}/{total:,} files", ending="")
        self.stdout.flush()
