"""The README's backup and restore recipe, run for real: `pg_dump -Fc` of the database and a
tarball of the media, then, after the data is lost, `pg_restore --clean` and the media back."""

import shutil
import subprocess
import tarfile

import pytest

from django.conf import settings
from django.db import connection

from articles.models import Article, RelatedLink
from providers.models import Provider
from tests.factories import make_articles

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql" or not shutil.which("pg_dump"),
    reason="needs PostgreSQL (set DATABASE_URL) and pg_dump/pg_restore",
)


def libpq_environment():
    db = connection.settings_dict
    return {
        "PGHOST": db["HOST"] or "127.0.0.1",
        "PGPORT": str(db["PORT"] or 5432),
        "PGUSER": db["USER"],
        "PGPASSWORD": db["PASSWORD"],
        "PGDATABASE": db["NAME"],
    }


def state():
    return (
        sorted(Article.objects.values_list("canonical_url", "title", "slug", "secured")),
        RelatedLink.objects.count(),
        sorted(Provider.objects.values_list("domain", flat=True)),
    )


@pytest.mark.django_db(transaction=True)
def test_pg_dump_and_media_tarball_restore_everything(tmp_path):
    make_articles(5, related=2, topics=["AI"], images=1, secured="opaque-value")
    media = settings.MEDIA_ROOT
    (media / "logos").mkdir(parents=True, exist_ok=True)
    (media / "logos" / "outlet.png").write_bytes(b"\x89PNG not really")
    before = state()
    environment = libpq_environment()
    dump, archive = tmp_path / "newsroom.dump", tmp_path / "media.tar.gz"

    # Backup (README "Deploying"): the database, then the media.
    subprocess.run(  # noqa: S603
        [shutil.which("pg_dump"), "--format=custom", "--no-owner", f"--file={dump}"],
        env=environment,
        check=True,
    )
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(media, arcname="media")

    # Disaster: the rows and the files are gone.
    Article.objects.all().delete()
    Provider.objects.all().delete()
    shutil.rmtree(media / "logos")
    assert state() != before

    # Restore.
    connection.close()
    subprocess.run(  # noqa: S603
        [
            shutil.which("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={environment['PGDATABASE']}",
            str(dump),
        ],
        env=environment,
        check=True,
    )
    with tarfile.open(archive) as tar:
        tar.extractall(media.parent / "restored", filter="data")
    shutil.copytree(media.parent / "restored" / "media", media, dirs_exist_ok=True)
    shutil.rmtree(media.parent / "restored")

    assert state() == before
    assert (media / "logos" / "outlet.png").read_bytes() == b"\x89PNG not really"
    shutil.rmtree(media / "logos")
