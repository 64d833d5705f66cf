from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.seeds.write import export_articles


class Command(BaseCommand):
    help = "Write every article as a seed file into DIR (created if needed)."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, metavar="DIR")

    def handle(self, *, directory, **options):
        if directory.exists() and not directory.is_dir():
            raise CommandError(f"{directory} is not a folder", returncode=2)
        try:
            count = export_articles(directory)
        except OSError as error:
            raise CommandError(f"cannot write to {directory}: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Exported {count} articles to {directory}"))
