"""Loading seed files into the database: upserts, atomicity, editors' changes, duplicates, the
run's record."""

import os
import signal
import socket
import subprocess
import sys
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import (
    HEAT_MAX,
    SLUG_SUFFIX_ROOM,
    Article,
    Image,
    ImportRun,
    RelatedLink,
    TaggedArticle,
    Topic,
    unique_slug,
)
from articles.seeds import import_paths, mark_edited, read_seed
from articles.seeds.load import (
    GIVEN_UP_AFTER,
    ImportReport,
    NotRegularFile,
    _read_bytes,
    load_records,
    mark_interrupted_runs,
)
from articles.seeds.read import SeedImage
from providers.models import Provider

from .builders import seed_bytes, write_seed

pytestmark = pytest.mark.django_db


def related(n: int, domain: str = "other.example") -> dict:
    return {
        "title": f"Related {n}",
        "webUrl": f"https://{domain}/{n}",
        "publishedDateTime": "2021-04-09T21:59:00Z",
        "provider": {"name": domain, "domain": domain},
        "images": [{"url": f"https://{domain}/{n}.jpg", "width": 10, "height": 10}],
    }


@contextmanager
def deadline(seconds: float):
    """Fail, rather than hang, if the block takes longer than `seconds` (SIGALRM interrupts a
    blocking open() or read() too)."""

    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Article, Image, RelatedLink, TaggedArticle, Topic, Provider)
    }


def test_a_file_becomes_an_article_with_everything_it_lists(tmp_path):
    write_seed(tmp_path, "a.md", related=[related(1), related(2)])
    report = import_paths([tmp_path])
    assert (report.created, report.rejected) == (1, 0)
    article = Article.objects.get()
    assert article.title == "Police pilot facial recognition"
    assert article.provider.domain == "govtech.com"
    assert sorted(article.topics.names()) == ["AI", "Computer Vision"]
    assert [link.title for link in article.related_links.all()] == ["Related 1", "Related 2"]
    assert article.related_links.first().images.get().url == "https://other.example/1.jpg"
    assert article.images.get().width == 770
    assert article.source == str(tmp_path / "a.md")
    assert article.slug == "police-pilot-facial-recognition"


def test_importing_the_same_files_again_changes_nothing(tmp_path):
    """A second run reports every file unchanged and creates nothing."""
    write_seed(tmp_path, "a.md", related=[related(1)])
    write_seed(tmp_path, "b.txt", webUrl="https://b.example/x", topics=["ai", "New"])
    import_paths([tmp_path])
    before = counts()
    report = import_paths([tmp_path])
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert counts() == before
    forced = import_paths([tmp_path], force=True)
    assert (forced.created, forced.unchanged + forced.updated) == (0, 2)
    assert counts() == before


def test_a_changed_file_updates_its_article_without_duplicates_or_orphans(tmp_path):
    path = write_seed(tmp_path, "a.md", related=[related(1), related(2)], topics=["AI", "X"])
    import_paths([tmp_path])
    article = Article.objects.get()
    write_seed(
        tmp_path,
        "a.md",
        title="New title",
        related=[related(2), related(3)],
        topics=["ai", "Y"],
        images=[{"url": "https://img.example/new.jpg", "width": 1, "height": 1}],
    )
    report = import_paths([path])
    assert (report.created, report.updated) == (0, 1)
    article.refresh_from_db()
    assert article.title == "New title"
    assert article.slug == "police-pilot-facial-recognition"  # URLs stay stable
    assert sorted(article.topics.names()) == ["AI", "Y"]
    assert [link.title for link in article.related_links.all()] == ["Related 2", "Related 3"]
    assert RelatedLink.objects.count() == 2
    assert Image.objects.count() == 3  # one of the article, one per related link
    assert Image.objects.filter(url="https://img.example/new.jpg", article=article).exists()


@pytest.mark.parametrize("title", ["Police pilot facial recognition", "Word " * 100, "¡¿!?"])
def test_an_imported_article_has_the_slug_a_save_would_give_it(tmp_path, title):
    """The importer and `Article.save()` make a slug by the same rule (`slug_base`)."""
    import_paths([write_seed(tmp_path, "a.md", title=title)])
    article = Article.objects.get()
    assert article.slug == unique_slug(article.title, exclude_pk=article.pk)


def test_long_topic_names_alike_at_the_start_get_distinct_slugs_that_fit(tmp_path):
    names = ["T" * 95 + "a", "T" * 95 + "b"]
    import_paths([write_seed(tmp_path, "a.md", topics=names)])
    slugs = sorted(Topic.objects.values_list("slug", flat=True))
    base = "t" * (Topic._meta.get_field("slug").max_length - SLUG_SUFFIX_ROOM)
    assert slugs == [base, f"{base}-2"]


def test_tracking_parameters_and_fragments_do_not_make_a_new_article(tmp_path):
    write_seed(tmp_path, "a.md", webUrl="https://www.govtech.com/s?id=1")
    write_seed(
        tmp_path,
        "b.md",
        webUrl="HTTPS://WWW.GOVTECH.COM:443/s?utm_source=x&id=1&fbclid=y#section",
        excerpt="another version",
    )
    report = import_paths([tmp_path])
    assert Article.objects.count() == 1
    assert report.created == 1
    assert Article.objects.get().canonical_url == "https://www.govtech.com/s?id=1"


def test_topics_and_providers_are_shared_case_insensitively(tmp_path):
    write_seed(tmp_path, "a.md", topics=["AI"], provider={"name": "G", "domain": "govtech.com"})
    write_seed(
        tmp_path,
        "b.md",
        webUrl="https://govtech.com/b",
        topics=[" ai "],
        provider={"name": "G", "domain": "WWW.GovTech.COM"},
    )
    import_paths([tmp_path])
    assert Topic.objects.get().name == "AI"
    assert Provider.objects.filter(domain="govtech.com").count() == 1
    assert TaggedArticle.objects.count() == 2


def test_the_newest_file_wins_whatever_the_order(tmp_path):
    """Several files for one story: the newest publishedDateTime wins, in one run or in
    separate runs, in either order."""
    old = write_seed(
        tmp_path / "x", "old.md", title="Old", publishedDateTime="2020-05-06T10:00:00Z"
    )
    new = write_seed(
        tmp_path / "y", "new.md", title="New", publishedDateTime="2020-05-08T10:00:00Z"
    )
    for order in ([old, new], [new, old]):
        Article.objects.all().delete()
        for path in order:
            import_paths([path])
        assert Article.objects.get().title == "New"
    Article.objects.all().delete()
    report = import_paths([tmp_path])
    assert Article.objects.get().title == "New"
    assert report.superseded == 1


def test_ties_are_broken_by_content_hash_whatever_the_order(tmp_path):
    first = write_seed(tmp_path, "1.md", title="One")
    second = write_seed(tmp_path, "2.md", title="Two")
    winner = max(
        (read_seed(p.read_bytes(), name=str(p), max_bytes=10**6) for p in (first, second)),
        key=lambda record: record.content_hash,
    ).title
    for order in ([first, second], [second, first]):
        Article.objects.all().delete()
        for path in order:
            import_paths([path])
        assert Article.objects.get().title == winner


def test_a_newer_version_of_the_same_file_always_replaces_it(tmp_path):
    path = write_seed(tmp_path, "a.md", title="First", publishedDateTime="2021-01-02T00:00:00Z")
    import_paths([path])
    write_seed(tmp_path, "a.md", title="Corrected", publishedDateTime="2021-01-01T00:00:00Z")
    import_paths([path])
    assert Article.objects.get().title == "Corrected"


def test_an_editors_changes_survive_a_reimport_and_are_reported(tmp_path):
    path = write_seed(tmp_path, "a.md", topics=["AI"], published=False)
    import_paths([path])
    article = Article.objects.get()
    article.title, article.is_published, article.is_featured = "Editor's title", True, True
    assert mark_edited(article, ["title", "is_published", "is_featured", "not_a_field"]) == {
        "title",
        "is_published",
        "is_featured",
    }
    article.save()
    article.topics.set(["Chosen"])
    mark_edited(article, ["topics"])
    article.save()

    write_seed(tmp_path, "a.md", title="Seed title", excerpt="New excerpt", topics=["Other"])
    report = import_paths([path])
    article.refresh_from_db()
    assert article.title == "Editor's title"
    assert article.is_published is True
    assert article.is_featured is True
    assert list(article.topics.names()) == ["Chosen"]
    assert article.excerpt == "New excerpt"  # not edited: updated
    assert report.kept == 1
    assert report.kept_fields == [(str(path), ["is_published", "title", "topics"])]


@pytest.mark.parametrize("field", ["video_id", "provider"])
def test_an_editors_video_id_or_outlet_survives_a_reimport(tmp_path, field):
    """Fields stored in a column ending in `_id`, whether that is the field's own name
    (`video_id`) or its column's (`provider`, in `provider_id`), are kept by their names."""
    path = write_seed(tmp_path, "a.md")
    import_paths([path])
    article = Article.objects.get()
    chosen = {"video_id": "dQw4w9WgXcQ", "provider": Provider.objects.create(domain="mine.example")}
    setattr(article, field, chosen[field])
    mark_edited(article, [field])
    article.save()

    write_seed(tmp_path, "a.md", title="New")
    report = import_paths([path])
    article.refresh_from_db()
    assert article.title == "New"
    assert getattr(article, field) == chosen[field]
    assert report.kept_fields == [(str(path), [field])]


@pytest.mark.parametrize("kept", ["images", "related_links"])
def test_images_or_related_links_an_editor_changed_survive_a_reimport(tmp_path, kept):
    path = write_seed(tmp_path, "a.md", related=[related(1), related(2)])
    import_paths([path])
    article = Article.objects.get()
    article.images.update(url="https://editor.example/chosen.jpg", alt="Chosen")
    article.related_links.filter(position=1).delete()
    mark_edited(article, [kept])
    article.save()

    new_image = {"url": "https://img.example/new.jpg", "width": 1, "height": 1}
    write_seed(tmp_path, "a.md", title="New", related=[related(3)], images=[new_image])
    report = import_paths([path])
    article.refresh_from_db()
    assert article.title == "New"
    assert report.kept_fields == [(str(path), [kept])]
    own_images = list(article.images.values_list("url", flat=True))
    links = [
        (link.title, [i.url for i in link.images.all()]) for link in article.related_links.all()
    ]
    if kept == "images":
        assert own_images == ["https://editor.example/chosen.jpg"]
        assert links == [("Related 3", ["https://other.example/3.jpg"])]  # rewritten
    else:
        assert own_images == ["https://img.example/new.jpg"]  # rewritten
        assert links == [("Related 1", ["https://other.example/1.jpg"])]
    assert Image.objects.count() == 2  # nothing left over, nothing lost


def test_a_file_the_database_refuses_is_rejected_alone(tmp_path):
    """When a batch write fails, each file is retried in its own transaction: the bad one is
    rejected, nothing of it is written, the others are imported."""
    good = read_seed(seed_bytes(), name="good.md", max_bytes=10**6)
    bad = read_seed(seed_bytes(webUrl="https://bad.example/"), name="bad.md", max_bytes=10**6)
    bad.images = (SeedImage(url="https://bad.example/i.jpg", width=-5, height=1),)
    report = ImportReport()
    load_records([good, bad], report=report)
    assert report.created == 1
    assert [name for name, _ in report.rejections] == ["bad.md"]
    assert "database refused" in report.rejections[0][1]
    assert list(Article.objects.values_list("source", flat=True)) == ["good.md"]
    assert Image.objects.count() == 2


def test_an_interrupted_batch_leaves_no_half_written_article(tmp_path):
    """Stopped in the middle of writing (here after the articles, before their images), the
    batch's transaction is rolled back: no article without its parts."""
    write_seed(tmp_path, "a.md")
    with (
        mock.patch.object(Image.objects, "bulk_create", side_effect=KeyboardInterrupt),
        pytest.raises(KeyboardInterrupt),
    ):
        import_paths([tmp_path])
    assert counts()["Article"] == 0
    assert counts()["RelatedLink"] == 0


def test_nul_characters_and_over_long_values_never_break_the_database(tmp_path):
    """On SQLite and PostgreSQL alike: NULs are removed, a long title is cut, a long URL rejects
    its file, and every other file is still imported."""
    nul = seed_bytes(title=None, webUrl="https://n.example/1").replace(
        b"---\n", b'---\ntitle: "A\\0B"\nnote: "x\\0y"\n', 1
    )
    write_seed(tmp_path, "nul.md", nul)
    write_seed(tmp_path, "long.md", webUrl="https://l.example/2", title="t" * 3000)
    write_seed(tmp_path, "url.md", webUrl="https://u.example/" + "u" * 3000)
    write_seed(
        tmp_path, "rel.md", webUrl="https://r.example/", related=[related(1) | {"title": "r" * 900}]
    )
    report = import_paths([tmp_path])
    assert report.created == 3
    assert [name.rsplit("/", 1)[1] for name, _ in report.rejections] == ["url.md"]
    assert Article.objects.get(web_url="https://n.example/1").title == "AB"
    assert Article.objects.get(web_url="https://n.example/1").extra == {"note": "xy"}
    assert len(Article.objects.get(web_url="https://l.example/2").title) == 500
    assert len(RelatedLink.objects.get(article__web_url="https://r.example/").title) == 500


def test_a_story_with_heat_past_32_bit_ranking_imports_held_at_the_most(tmp_path):
    """Heat 10,000,000 made PostgreSQL refuse the file ("integer out of range" in the ranking
    index and the taggings' copy of the rank): it imports, held at `HEAT_MAX`, with a warning,
    and ranks first."""
    write_seed(tmp_path, "hot.md", heat=10_000_000, webUrl="https://h.example/1")
    write_seed(tmp_path, "cold.md", heat=5, webUrl="https://c.example/1")
    report = import_paths([tmp_path])
    assert (report.created, report.rejected) == (2, 0)
    assert [(name.rsplit("/", 1)[1], message) for name, message in report.warning_messages] == [
        ("hot.md", "heat 10000000 is over the maximum of 1000000: held at 1000000")
    ]
    hot = Article.objects.get(web_url="https://h.example/1")
    assert hot.heat == HEAT_MAX
    assert Article.objects.published().ranked().first() == hot
    assert Article.objects.published().ranked_in_topic(Topic.objects.get(name="AI")).first() == hot


def test_bad_files_are_rejected_and_the_others_imported(tmp_path):
    write_seed(tmp_path, "good.md")
    write_seed(tmp_path, "bad.md", b"---\ntitle: [unclosed\n---\n")
    write_seed(tmp_path, "binary.bin", b"\x00\xff" * 10)
    report = import_paths([tmp_path])
    assert report.created == 1
    assert sorted(name.rsplit("/", 1)[1] for name, _ in report.rejections) == [
        "bad.md",
        "binary.bin",
    ]


def test_folders_are_walked_recursively_and_hidden_files_skipped(tmp_path):
    write_seed(tmp_path / "a" / "b", "deep.yaml", webUrl="https://x.example/1")
    write_seed(tmp_path, "no-extension", webUrl="https://x.example/2")
    write_seed(tmp_path, ".hidden.md", webUrl="https://x.example/3")
    write_seed(tmp_path / ".git", "inside.md", webUrl="https://x.example/4")
    report = import_paths([tmp_path])
    assert report.files == 2
    assert sorted(Article.objects.values_list("web_url", flat=True)) == [
        "https://x.example/1",
        "https://x.example/2",
    ]


def test_a_dry_run_validates_and_counts_but_writes_no_article(tmp_path):
    write_seed(tmp_path, "a.md")
    write_seed(tmp_path, "bad.md", b"nothing")
    report = import_paths([tmp_path], dry_run=True)
    assert (report.created, report.rejected) == (1, 1)
    assert counts() == dict.fromkeys(counts(), 0)
    assert ImportRun.objects.get().dry_run is True


def test_every_run_is_recorded(tmp_path):
    write_seed(tmp_path, "a.md")
    write_seed(tmp_path, "b.md", b"---\ntitle: x\n---\n")
    import_paths([tmp_path])
    run = ImportRun.objects.get()
    assert (run.files, run.created, run.rejected, run.unchanged) == (2, 1, 1, 0)
    assert run.finished_at is not None
    assert run.status == ImportRun.Status.FINISHED
    assert (run.host, run.pid) == (socket.gethostname(), os.getpid())
    assert run.rejections == [
        {"file": str(tmp_path / "b.md"), "reason": "missing publishedDateTime"}
    ]


def test_a_run_lists_the_articles_it_created_and_updated_and_its_warnings(tmp_path):
    write_seed(tmp_path, "a.md", webUrl="https://x.example/a", quality="high")
    write_seed(tmp_path, "b.md", webUrl="https://x.example/b")
    import_paths([tmp_path])
    first = ImportRun.objects.get()
    assert sorted(first.created_ids) == sorted(Article.objects.values_list("pk", flat=True))
    assert first.updated_ids == []
    assert first.warning_messages == [
        {
            "file": str(tmp_path / "a.md"),
            "message": "ignored quality: 'high' is not a usable integer",
        }
    ]
    write_seed(tmp_path, "b.md", webUrl="https://x.example/b", title="Changed")
    import_paths([tmp_path])
    second = ImportRun.objects.latest("pk")
    assert second.created_ids == []
    assert second.updated_ids == [Article.objects.get(web_url="https://x.example/b").pk]


def test_the_lists_of_a_run_are_capped_and_its_counts_exact(tmp_path, monkeypatch):
    monkeypatch.setattr("articles.seeds.load.MAX_LISTED", 2)
    for n in range(3):
        write_seed(tmp_path, f"{n}.md", webUrl=f"https://x.example/{n}", heat="hot")
    report = import_paths([tmp_path])
    run = ImportRun.objects.get()
    assert (run.created, len(run.created_ids), len(report.touched)) == (3, 2, 3)
    assert (run.warnings, len(run.warning_messages)) == (3, 2)


def test_a_story_is_counted_once_whatever_the_batches_its_files_fall_in(tmp_path):
    """Two files of one story in two batches of one run: the newer one replaces what the first
    batch wrote, and the story counts once (created into an empty database, else updated),
    the other file superseded; the run lists the article once."""
    write_seed(tmp_path, "1.md", title="Old", publishedDateTime="2021-01-01T00:00:00Z")
    write_seed(tmp_path, "2.md", title="New", publishedDateTime="2021-01-02T00:00:00Z")
    report = import_paths([tmp_path], batch_size=1)
    assert (report.created, report.updated, report.unchanged, report.superseded) == (1, 0, 1, 1)
    article = Article.objects.get()
    assert (article.title, ImportRun.objects.get().created_ids) == ("New", [article.pk])

    write_seed(tmp_path, "1.md", title="Old again", publishedDateTime="2021-01-03T00:00:00Z")
    write_seed(tmp_path, "2.md", title="New again", publishedDateTime="2021-01-04T00:00:00Z")
    report = import_paths([tmp_path], batch_size=1)
    assert (report.created, report.updated, report.unchanged, report.superseded) == (0, 1, 1, 1)
    assert Article.objects.get().title == "New again"
    assert ImportRun.objects.latest("pk").updated_ids == [article.pk]


def test_a_run_stopped_by_an_error_is_recorded_as_interrupted_with_its_counts(tmp_path):
    write_seed(tmp_path, "a.md", webUrl="https://x.example/a")
    write_seed(tmp_path, "b.md", webUrl="https://x.example/b")
    real_load = load_records
    calls = []

    def load_then_fail(records, **kwargs):
        calls.append(records)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real_load(records, **kwargs)

    with (
        mock.patch("articles.seeds.load.load_records", load_then_fail),
        pytest.raises(KeyboardInterrupt),
    ):
        import_paths([tmp_path], batch_size=1)
    run = ImportRun.objects.get()
    assert (run.status, run.files, run.created) == (ImportRun.Status.INTERRUPTED, 2, 1)
    assert run.finished_at is not None
    assert run.created_ids == list(Article.objects.values_list("pk", flat=True))


def test_runs_that_never_finished_are_marked_interrupted_by_the_next_one():
    """A run with no end is interrupted when its process is gone (on this machine) or when it
    started more than GIVEN_UP_AFTER ago (on any machine); a run whose process is still there,
    or of another machine and recent, may still finish."""
    here, now = socket.gethostname(), timezone.now()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    runs = {
        "gone": ImportRun.objects.create(host=here, pid=int(dead.stdout)),
        "alive": ImportRun.objects.create(host=here, pid=os.getpid()),
        "elsewhere": ImportRun.objects.create(host="other-host", pid=1),
        "elsewhere, old": ImportRun.objects.create(
            host="other-host", pid=1, started_at=now - GIVEN_UP_AFTER - timedelta(minutes=1)
        ),
        "finished": ImportRun.objects.create(
            host=here, pid=int(dead.stdout), status=ImportRun.Status.FINISHED
        ),
    }
    assert mark_interrupted_runs() == 2
    statuses = {name: ImportRun.objects.get(pk=run.pk).status for name, run in runs.items()}
    assert statuses == {
        "gone": "interrupted",
        "alive": "running",
        "elsewhere": "running",
        "elsewhere, old": "interrupted",
        "finished": "finished",
    }


def test_an_import_marks_the_runs_that_never_finished(tmp_path):
    forgotten = ImportRun.objects.create(
        host="other-host", started_at=timezone.now() - GIVEN_UP_AFTER - timedelta(minutes=1)
    )
    write_seed(tmp_path, "a.md")
    import_paths([tmp_path])
    forgotten.refresh_from_db()
    assert forgotten.status == ImportRun.Status.INTERRUPTED


def test_a_file_dated_far_ahead_is_rejected_and_the_others_imported(tmp_path):
    write_seed(tmp_path, "future.md", webUrl="https://x.example/f", publishedDateTime="9999-12-31")
    write_seed(tmp_path, "today.md", webUrl="https://x.example/t")
    report = import_paths([tmp_path])
    assert report.created == 1
    assert [(name.rsplit("/", 1)[1], reason[:29]) for name, reason in report.rejections] == [
        ("future.md", "publishedDateTime 9999-12-31 ")
    ]
    assert list(Article.objects.values_list("web_url", flat=True)) == ["https://x.example/t"]


def test_named_pipes_and_devices_are_skipped_not_read(tmp_path):
    """A named pipe would make the import wait for a writer forever, a device might never end:
    only regular files (or links to them) are read; the others are listed as skipped, with what
    they are, and the rest is imported."""
    write_seed(tmp_path, "a.md", webUrl="https://x.example/a")
    os.symlink(tmp_path / "a.md", tmp_path / "link.md")
    os.mkfifo(tmp_path / "pipe.md")
    os.symlink("/dev/zero", tmp_path / "zero.md")
    with deadline(30):
        report = import_paths([tmp_path])
    assert (report.files, report.created, report.unchanged, report.rejected) == (4, 1, 1, 0)
    assert sorted((name.rsplit("/", 1)[1], reason) for name, reason in report.skips) == [
        ("pipe.md", "not a regular file: a named pipe (FIFO)"),
        ("zero.md", "not a regular file: a character device"),
    ]
    assert ", 0 rejected, 2 skipped," in report.summary()
    run = ImportRun.objects.get()
    assert run.skipped == 2
    assert {skip["reason"] for skip in run.skips} == {
        "not a regular file: a named pipe (FIFO)",
        "not a regular file: a character device",
    }


def test_a_named_pipe_given_by_name_is_skipped_too(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with deadline(30):
        report = import_paths([tmp_path / "pipe"])
    assert report.skips == [(str(tmp_path / "pipe"), "not a regular file: a named pipe (FIFO)")]


def test_a_file_that_became_a_named_pipe_after_it_was_listed_is_not_waited_for(tmp_path):
    """Between the check on the path and the opening, a file may be replaced: what was opened
    is checked again, and opening does not wait for a writer."""
    os.mkfifo(tmp_path / "pipe")
    regular = os.stat(__file__)
    with (
        deadline(30),
        mock.patch("articles.seeds.load.os.stat", return_value=regular),
        pytest.raises(NotRegularFile, match="a named pipe"),
    ):
        _read_bytes(str(tmp_path / "pipe"), 1000)


def test_queries_per_batch_do_not_grow_with_files_topics_or_related_links(tmp_path):
    """Queries do not grow with files, topics or related links: a batch is written with bulk
    statements. (SQLite's 999-parameter limit splits a long INSERT into several: fewer than one
    query per five files, where writing row by row costs dozens per file.)"""

    def queries_for(n: int, folder) -> int:
        for i in range(n):
            write_seed(
                folder,
                f"{i}.md",
                webUrl=f"https://{folder.name}.example/{i}",
                title=f"Story {folder.name} {i}",
                topics=[f"T{folder.name}{i}", f"U{folder.name}{i}", "Shared"],
                related=[related(j, f"r{i}.example") for j in range(5)],
            )
        with CaptureQueriesContext(connection) as captured:
            report = import_paths([folder])
        assert report.created == n
        return len(captured)

    small, large = queries_for(2, tmp_path / "small"), queries_for(40, tmp_path / "large")
    assert small <= 20
    assert large - small < 38 / 5


def test_a_merged_or_renamed_topic_does_not_come_back_on_reimport(tmp_path):
    """Names an editor merged or renamed away map to the topic they became."""
    from articles.editing.topics import merge_topics, save_topic

    path = write_seed(tmp_path, "a.md", topics=["ML", "AI", "Robots"])
    import_paths([tmp_path])
    merge_topics([Topic.objects.get(name="ML")], into=Topic.objects.get(name="AI"))
    robots = Topic.objects.get(name="Robots")
    robots.name, robots.slug = "Robotics", "robotics"
    save_topic(robots, old_slug="robots", old_name="Robots")

    write_seed(tmp_path, "a.md", topics=["ml", "AI", "robots"], excerpt="Changed.")
    report = import_paths([path])
    assert (report.updated, report.rejected) == (1, 0)
    assert sorted(Topic.objects.values_list("name", flat=True)) == ["AI", "Robotics"]
    assert sorted(Article.objects.get().topics.names()) == ["AI", "Robotics"]
