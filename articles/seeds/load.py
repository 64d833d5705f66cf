"""Loading seed files into the database: batches of validated records written with bulk
statements, each file all or nothing.

Rules (README "Importing seed files"):
- A file whose bytes are already stored (same content hash) is unchanged and not even parsed,
  unless `force`.
- One story is one article, identified by its canonical URL. When several files describe it,
  the one with the newest `publishedDateTime` wins, ties broken by the larger content hash, so
  the result does not depend on the order files are found in; a newer version of the very file
  an article came from always replaces it.
- Fields an editor changed (`Article.edited_fields`, see `mark_edited`) are never overwritten;
  the run reports them as kept.
"""

import os
import socket
import stat
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.template.defaultfilters import pluralize
from django.utils import timezone

from articles.models import (
    SLUG_SUFFIX_ROOM,
    Article,
    Image,
    ImportRun,
    RelatedLink,
    TaggedArticle,
    TopicRedirect,
    slug_base,
)
from articles.models import Topic as TopicModel
from newsroom.workers import worker_pool
from providers.models import Provider, slug_for_domain

from .fields import EDITABLE_FIELDS, IMPORTED_FIELDS, PROTECTED_FIELDS
from .read import SeedError, SeedRecord, content_hash, read_seed

BATCH_SIZE = 500
# Processes parsing ahead of the writer (both cores of a small machine: parsing costs about as
# much as writing, and the writer waits on the database part of the time).
PARSE_WORKERS = 2
# Bounds on what a report keeps in memory and on its `ImportRun`: rejections, skipped files,
# warnings, and the ids of the articles created and updated.
MAX_LISTED = 1000
# A run with no end after this long is taken for interrupted by the next run, whatever machine
# it ran on (on the same machine, a run whose process is gone is, at once).
GIVEN_UP_AFTER = timedelta(hours=6)
# What a file that is not a regular file is, for the list of skipped files.
FILE_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}
SOURCE_MAX_LENGTH = Article._meta.get_field("source").max_length

# Written on every update whatever the editor did: where the article came from.
BOOKKEEPING_FIELDS = ("seed_raw", "source", "content_hash")


def mark_edited(article: Article, fields: Iterable[str]) -> set[str]:
    """Record that an editor changed `fields` of `article` by hand, so that no later import
    overwrites them. Names that are not editable article fields (form-only fields, say) are
    ignored. Sets `article.edited_fields` without saving; returns the names newly recorded."""
    new = set(fields) & EDITABLE_FIELDS - set(article.edited_fields)
    if new:
        article.edited_fields = sorted(set(article.edited_fields) | new)
    return new


@dataclass
class ImportReport:
    """What a run did. Lists are capped at `MAX_LISTED` entries; counts are exact. A story is
    counted once per run (created, updated or unchanged): its other files count as unchanged,
    superseded by a newer file."""

    dry_run: bool = False
    files: int = 0
    done: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    superseded: int = 0
    rejected: int = 0
    skipped: int = 0
    warnings: int = 0
    kept: int = 0
    elapsed: float = 0.0
    rejections: list[tuple[str, str]] = field(default_factory=list)
    skips: list[tuple[str, str]] = field(default_factory=list)
    warning_messages: list[tuple[str, str]] = field(default_factory=list)
    kept_fields: list[tuple[str, list[str]]] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)
    # Every article the run created or updated (not capped): a later file of the same story
    # replaces what an earlier batch wrote, but the story is not counted a second time.
    touched: set[int] = field(default_factory=set)

    def reject(self, name: str, reason: str) -> None:
        self.rejected += 1
        if len(self.rejections) < MAX_LISTED:
            self.rejections.append((name, reason))

    def skip(self, name: str, reason: str) -> None:
        self.skipped += 1
        if len(self.skips) < MAX_LISTED:
            self.skips.append((name, reason))

    def warn(self, name: str, messages: list[str]) -> None:
        self.warnings += len(messages)
        for message in messages:
            if len(self.warning_messages) < MAX_LISTED:
                self.warning_messages.append((name, message))

    def keep(self, name: str, fields: list[str]) -> None:
        self.kept += 1
        if len(self.kept_fields) < MAX_LISTED:
            self.kept_fields.append((name, fields))

    @property
    def rate(self) -> float:
        return self.files / self.elapsed if self.elapsed else 0.0

    def summary(self) -> str:
        """One line: the counts, the time taken and the rate."""
        superseded = f" ({self.superseded} superseded by a newer file)" if self.superseded else ""
        skipped = f", {self.skipped} skipped" if self.skipped else ""
        prefix = "Dry run, nothing written: " if self.dry_run else ""
        return (
            f"{prefix}{self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged{superseded}, {self.rejected} rejected{skipped}, "
            f"{self.warnings} warning{pluralize(self.warnings)}, "
            f"{self.kept} with editor changes kept; "
            f"{self.files:,} file{pluralize(self.files)} in {self.elapsed:.2f} s "
            f"({self.rate:,.0f} files/s)"
        )


def seed_files(paths: Iterable[Path | str]) -> list[str]:
    """Every file under `paths` (files, or folders walked recursively), any extension, hidden
    files and folders skipped, sorted so that a run is reproducible. Files that are not regular
    files (named pipes, devices, sockets) are listed too: the import skips them, saying why.
    Raises FileNotFoundError for a path that does not exist."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            for folder, folders, names in os.walk(path):
                folders[:] = [name for name in folders if not name.startswith(".")]
                found.extend(os.path.join(folder, n) for n in names if not n.startswith("."))
        elif path.exists():
            found.append(str(path))
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    return sorted(set(found))


def import_paths(
    paths: Iterable[Path | str],
    *,
    dry_run: bool = False,
    force: bool = False,
    trigger: str = ImportRun.Trigger.COMMAND,
    started_by=None,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    names_relative_to: Path | str | None = None,
) -> ImportReport:
    """Import the seed files under `paths` and record the run as an `ImportRun`.

    Files are read in batches: a batch is validated without the database, then written in one
    transaction with bulk statements; if that fails, each file of the batch is written again in
    its own transaction, so one bad file is rejected and the others are imported. `dry_run`
    validates and counts without writing articles; `force` reprocesses unchanged files.
    `progress(done, total)` is called after each batch. Files are known (in rejections, and
    as their articles' `source`) by their paths, relative to `names_relative_to` when given:
    uploads are unpacked in a temporary folder, and known by the names editors gave them.

    The run's record is kept up to date after each batch. Earlier runs that can no longer
    finish are marked interrupted first (`mark_interrupted_runs`); this one is marked
    interrupted if it stops on an exception."""
    started, now = time.perf_counter(), timezone.now()
    files = seed_files(paths)
    folder = f"{Path(names_relative_to)}{os.sep}" if names_relative_to else ""
    mark_interrupted_runs()
    run = ImportRun.objects.create(
        trigger=trigger,
        started_by=started_by,
        dry_run=dry_run,
        files=len(files),
        host=socket.gethostname(),
        pid=os.getpid(),
    )
    report = ImportReport(dry_run=dry_run, files=len(files))
    max_bytes = settings.SEED_MAX_BYTES
    batches = [files[start : start + batch_size] for start in range(0, len(files), batch_size)]
    workers = min(PARSE_WORKERS, (os.cpu_count() or 1), len(batches) - 1)

    def load(pending) -> None:
        _load_parsed(pending, report, dry_run=dry_run, force=force, progress=progress)
        _record_run(run, report)

    try:
        with _parser(workers) as parser:
            # While the database writes one batch, the workers validate the next ones (at
            # most `workers` batches ahead, so memory stays bounded whatever the number of
            # files).
            pending = deque()
            for batch in batches:
                blobs = _unknown_files(
                    batch, report, force=force, max_bytes=max_bytes, folder=folder
                )
                parsing = parser.submit(parse_files, blobs, max_bytes=max_bytes, now=now)
                pending.append((parsing, len(batch)))
                if len(pending) > workers:
                    load(pending.popleft())
            while pending:
                load(pending.popleft())
    except BaseException:
        report.elapsed = time.perf_counter() - started
        # Recorded if the database still answers; if not, the next run finds this one's
        # process gone.
        with suppress(DatabaseError):
            _record_run(run, report, status=ImportRun.Status.INTERRUPTED)
        raise
    report.elapsed = time.perf_counter() - started
    _record_run(run, report, status=ImportRun.Status.FINISHED)
    return report


def mark_interrupted_runs() -> int:
    """Mark as interrupted the runs that have no end and never will: those of this machine
    whose process is gone, and those of any machine started more than `GIVEN_UP_AFTER` ago.
    Returns how many. One query when every run has finished."""
    host, given_up = socket.gethostname(), timezone.now() - GIVEN_UP_AFTER
    unfinished = ImportRun.objects.filter(status=ImportRun.Status.RUNNING)
    ended = [
        pk
        for pk, run_host, pid, started_at in unfinished.values_list(
            "pk", "host", "pid", "started_at"
        )
        if started_at < given_up or (run_host == host and not _process_exists(pid))
    ]
    if not ended:
        return 0
    return unfinished.filter(pk__in=ended).update(status=ImportRun.Status.INTERRUPTED)


def _process_exists(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)  # signal 0: nothing is sent, the process is only looked up
    except ProcessLookupError:
        return False
    except PermissionError:  # there, but another user's
        return True
    return True


def _record_run(run: ImportRun, report: ImportReport, *, status: str = "") -> None:
    """Save the counts so far on `run`; with `status`, its end and everything listed too."""
    run.created = report.created
    run.updated = report.updated
    run.unchanged = report.unchanged
    run.rejected = report.rejected
    run.skipped = report.skipped
    run.warnings = report.warnings
    fields = ["created", "updated", "unchanged", "rejected", "skipped", "warnings"]
    if status:
        run.status = status
        run.finished_at = timezone.now()
        run.rejections = [{"file": name, "reason": reason} for name, reason in report.rejections]
        run.skips = [{"file": name, "reason": reason} for name, reason in report.skips]
        run.warning_messages = [
            {"file": name, "message": message} for name, message in report.warning_messages
        ]
        run.created_ids = report.created_ids
        run.updated_ids = report.updated_ids
        fields += [
            "status",
            "finished_at",
            "rejections",
            "skips",
            "warning_messages",
            "created_ids",
            "updated_ids",
        ]
    run.save(update_fields=fields)


def _parser(workers: int) -> Executor:
    """Worker processes that parse batches while this process writes, when there is more than
    one batch and more than one core; else parsing happens in this process."""
    if workers > 0:
        return worker_pool(workers)
    return _InlineExecutor()


class _InlineExecutor(Executor):
    def submit(self, fn, /, *args, **kwargs) -> Future:
        future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def _load_parsed(pending, report, *, dry_run, force, progress) -> None:
    parsing, count = pending
    records = []
    for outcome in parsing.result():
        if isinstance(outcome, SeedError):
            report.reject(outcome.name, _reason(outcome))
        else:
            records.append(outcome)
    if records:
        load_records(records, report=report, dry_run=dry_run, force=force)
    report.done += count
    if progress:
        progress(report.done, report.files)


def parse_files(
    blobs: list[tuple[str, bytes]], *, max_bytes: int, now: datetime
) -> list[SeedRecord | SeedError]:
    """Each file's record, or the SeedError that rejects it (`read_seed`, checked against the
    run's `now`). No database: runs in a worker."""
    outcomes = []
    for name, data in blobs:
        try:
            outcomes.append(read_seed(data, name=name, max_bytes=max_bytes, now=now))
        except SeedError as error:
            outcomes.append(error)
    return outcomes


def _unknown_files(
    paths: list[str], report: ImportReport, *, force: bool, max_bytes: int, folder: str
) -> list[tuple[str, bytes]]:
    """(name, bytes) of the files of a batch whose content is not stored yet (all of them with
    `force`): the others are counted unchanged, without being parsed; unreadable files are
    rejected, files that are not regular files skipped. A file's name is its path without
    `folder`."""
    blobs = {}
    for path in paths:
        name = path.removeprefix(folder)
        try:
            blobs[name] = _read_bytes(path, max_bytes)
        except NotRegularFile as error:
            report.skip(name, str(error))
        except (OSError, SeedError) as error:
            report.reject(name, error.message if isinstance(error, SeedError) else str(error))
    hashes = {name: content_hash(data) for name, data in blobs.items()}
    known = set()
    if not force:
        known = set(
            Article.objects.filter(content_hash__in=set(hashes.values())).values_list(
                "content_hash", flat=True
            )
        )
    unknown = []
    for name, data in blobs.items():
        if hashes[name] in known:
            report.unchanged += 1
        else:
            unknown.append((name, data))
    return unknown


def _reason(error: SeedError) -> str:
    return f"line {error.line}: {error.message}" if error.line else error.message


class NotRegularFile(Exception):
    """A path that is not a regular file: reading a named pipe waits for a writer forever, a
    device may never end. `str()` says what it is."""


def _read_bytes(name: str, max_bytes: int) -> bytes:
    """The file's bytes. Raises NotRegularFile for anything but a regular file (a link is
    followed) without opening it, and a SeedError for a file over `max_bytes` before anything
    is read."""
    _check_regular(os.stat(name))
    # Not blocking: should the file have become a named pipe since, opening it does not wait
    # for a writer, and the check on what was opened refuses it.
    with open(os.open(name, os.O_RDONLY | os.O_NONBLOCK), "rb") as file:
        size = _check_regular(os.fstat(file.fileno())).st_size
        if size > max_bytes:
            raise SeedError(name, f"file is {size:,} bytes, over the limit of {max_bytes:,} bytes")
        return file.read(max_bytes + 1)


def _check_regular(info: os.stat_result) -> os.stat_result:
    if not stat.S_ISREG(info.st_mode):
        kind = FILE_KINDS.get(stat.S_IFMT(info.st_mode), "not a file")
        raise NotRegularFile(f"not a regular file: {kind}")
    return info


def load_records(
    records: list[SeedRecord], *, report: ImportReport, dry_run: bool = False, force: bool = False
) -> None:
    """Write `records` (one batch) into the database, counting into `report`. One transaction
    for the batch; on a database error, one transaction per record, so only the record that
    fails is rejected."""
    for record in records:
        report.warn(record.name, record.warnings)
    winners = _newest_per_story(records, report)
    if dry_run:
        _plan(winners, report, force=force)
        return
    try:
        with transaction.atomic():
            outcome = ImportReport()
            _write(winners, outcome, force=force, touched=report.touched)
    except DatabaseError:
        for record in winners:
            try:
                with transaction.atomic():
                    outcome = ImportReport()
                    _write([record], outcome, force=force, touched=report.touched)
            except DatabaseError as error:
                reason = (str(error).strip() or type(error).__name__).splitlines()[0]
                report.reject(record.name, f"the database refused it: {reason}")
            else:
                _merge(report, outcome)
    else:
        _merge(report, outcome)


def _merge(report: ImportReport, outcome: ImportReport) -> None:
    report.created += outcome.created
    report.updated += outcome.updated
    report.unchanged += outcome.unchanged
    report.superseded += outcome.superseded
    for name, fields in outcome.kept_fields:
        report.keep(name, fields)
    for ids, more in (
        (report.created_ids, outcome.created_ids),
        (report.updated_ids, outcome.updated_ids),
    ):
        ids.extend(more[: MAX_LISTED - len(ids)])
    report.touched.update(outcome.created_ids, outcome.updated_ids)


def _rank(published_at, digest: str) -> tuple:
    return (published_at, digest)


def _newest_per_story(records: list[SeedRecord], report: ImportReport) -> list[SeedRecord]:
    """One record per canonical URL: the newest `publishedDateTime`, then the larger hash."""
    best: dict[str, SeedRecord] = {}
    for record in records:
        current = best.get(record.canonical_url)
        if current is None:
            best[record.canonical_url] = record
            continue
        report.unchanged += 1
        report.superseded += 1
        if _rank(record.published_at, record.content_hash) > _rank(
            current.published_at, current.content_hash
        ):
            best[record.canonical_url] = record
    return list(best.values())


def _classify(records: list[SeedRecord], report: ImportReport, *, force: bool, lock: bool):
    """Split records into new ones and (article, record) pairs to update; count the rest."""
    existing = Article.objects.filter(canonical_url__in=[r.canonical_url for r in records])
    if lock:
        existing = existing.select_for_update()
    by_url = {article.canonical_url: article for article in existing}
    creates, updates = [], []
    for record in records:
        article = by_url.get(record.canonical_url)
        if article is None:
            creates.append(record)
        elif article.content_hash == record.content_hash and not force:
            report.unchanged += 1
        elif article.source == record.name[-SOURCE_MAX_LENGTH:] or _rank(
            record.published_at, record.content_hash
        ) >= _rank(article.published_at, article.content_hash):
            updates.append((article, record))
        else:
            report.unchanged += 1
            report.superseded += 1
    return creates, updates


def _plan(records: list[SeedRecord], report: ImportReport, *, force: bool) -> None:
    creates, updates = _classify(records, report, force=force, lock=False)
    report.created += len(creates)
    report.updated += len(updates)


def _write(
    records: list[SeedRecord], report: ImportReport, *, force: bool, touched: set[int]
) -> None:
    """Write `records` (one per story), counting into `report` and listing every article
    created or updated there; an update of an article in `touched` (written by an earlier batch
    of the run) counts as superseded, not updated."""
    creates, updates = _classify(records, report, force=force, lock=True)
    if not creates and not updates:
        return
    cached = {}
    everything = creates + [record for _, record in updates]
    provider_ids = _ensure_providers(everything)
    topic_ids = _ensure_topics(everything)

    slugs = _unique_slugs([record.title for record in creates])
    new_articles = [
        Article(slug=slug, **_article_values(record, provider_ids))
        for record, slug in zip(creates, slugs, strict=True)
    ]
    Article.objects.bulk_create(new_articles)
    report.created += len(new_articles)
    report.created_ids.extend(article.pk for article in new_articles)

    changed = []
    for article, record in updates:
        kept = [name for name in article.edited_fields if name in PROTECTED_FIELDS]
        values = _article_values(record, provider_ids)
        for name, value in values.items():
            # By the field's name: `provider_id` is `provider`'s column, `video_id` a field.
            if Article._meta.get_field(name).name not in kept:
                setattr(article, name, value)
        if kept:
            report.keep(record.name, kept)
        changed.append(article)
    if changed:
        article_ids = [article.pk for article in changed]
        now = timezone.now()
        for article in changed:
            article.updated_at = now
        Article.objects.bulk_update(
            changed, [*IMPORTED_FIELDS, *BOOKKEEPING_FIELDS, "updated_at"], batch_size=100
        )
        cached = _image_cache_by_url(article_ids)
        Image.objects.filter(article_id__in=_rewritten(changed, "images")).delete()
        RelatedLink.objects.filter(article_id__in=_rewritten(changed, "related_links")).delete()
        TaggedArticle.objects.filter(content_object_id__in=_rewritten(changed, "topics")).delete()
        for article in changed:
            if article.pk in touched:
                report.unchanged += 1
                report.superseded += 1
            else:
                report.updated += 1
                report.updated_ids.append(article.pk)

    pairs = list(zip(new_articles, creates, strict=True)) + [
        (article, record) for article, record in updates
    ]
    _write_children(pairs, provider_ids, topic_ids, cached)


def _rewritten(articles: list[Article], relation: str) -> list[int]:
    """The ids of `articles` whose `relation` (one of `fields.CHILDREN`) the import rewrites:
    those where no editor changed it by hand."""
    return [article.pk for article in articles if relation not in article.edited_fields]


def _image_cache_by_url(article_ids: list[int]) -> dict[str, dict]:
    """What `cache_images` recorded for the images of these articles and of their related
    links, by URL: the new rows a re-import writes take it over, so a changed seed file neither
    loses a local copy nor retries a failure (and the old rows' files stay in use)."""
    rows = (
        Image.objects.filter(
            Q(article_id__in=article_ids) | Q(related_link__article_id__in=article_ids)
        )
        .exclude(file="", failure="")
        .values_list("url", "file", "width", "height", "renditions", "failure", "failed_at")
    )
    cached = {}
    for url, file, width, height, renditions, failure, failed_at in rows:
        if file:
            cached[url] = {"file": file, "width": width, "height": height, "renditions": renditions}
        else:
            cached.setdefault(url, {"failure": failure, "failed_at": failed_at})
    return cached


def _article_values(record: SeedRecord, provider_ids: dict[str, int]) -> dict:
    """The article's values from `record`: each imported field (`SeedRecord` names them as the
    article does), its identity, and the bookkeeping."""
    values = {name: getattr(record, name) for name in IMPORTED_FIELDS if name != "provider"}
    return {
        **values,
        "provider_id": provider_ids[record.provider.domain],
        "canonical_url": record.canonical_url,
        "seed_raw": record.raw,
        "source": record.name[-SOURCE_MAX_LENGTH:],
        "content_hash": record.content_hash,
    }


def _write_children(pairs, provider_ids, topic_ids, cached: dict) -> None:
    """Images, related links (with their images) and topic links of freshly written articles,
    but none an editor changed by hand (`_rewritten`), in a fixed number of bulk statements;
    images take over what `cached` holds for their URL."""
    images, links, link_images, tagged = [], [], [], []
    for article, record in pairs:
        kept = set(article.edited_fields)
        if "images" not in kept:
            images.extend(_new_images(record.images, cached, article_id=article.pk))
        if "related_links" not in kept:
            for position, related in enumerate(record.related):
                link = RelatedLink(
                    article_id=article.pk,
                    position=position,
                    title=related.title,
                    excerpt=related.excerpt,
                    published_at=related.published_at,
                    web_url=related.web_url,
                    amp_url=related.amp_url,
                    cdn_amp_url=related.cdn_amp_url,
                    kind=related.kind,
                    provider_id=provider_ids[related.provider.domain] if related.provider else None,
                    quality=related.quality,
                )
                links.append(link)
                link_images.append((link, related.images))
        if "topics" not in kept:
            # Two names can lead to one topic (a merged name and the topic it became).
            tag_ids = dict.fromkeys(topic_ids[topic.lower()] for topic in record.topics)
            tagged.extend(
                TaggedArticle(content_object_id=article.pk, tag_id=tag_id) for tag_id in tag_ids
            )
    RelatedLink.objects.bulk_create(links)
    for link, seed_images in link_images:
        images.extend(_new_images(seed_images, cached, related_link_id=link.pk))
    Image.objects.bulk_create(images)
    TaggedArticle.objects.bulk_create(tagged)


def _new_images(seed_images, cached: dict, **owner) -> Iterator[Image]:
    for position, image in enumerate(seed_images):
        yield Image(
            **owner,
            position=position,
            url=image.url,
            is_cached=image.is_cached,
            alt=image.alt,
            **{"width": image.width, "height": image.height, **cached.get(image.url, {})},
        )


def _ensure_providers(records: list[SeedRecord]) -> dict[str, int]:
    """The id of every provider the records name, by domain; missing ones are created (name
    from the first file that names them), and a logo is added where a provider had none."""
    wanted = {}
    for record in records:
        wanted.setdefault(record.provider.domain, record.provider)
    for record in records:
        for related in record.related:
            if related.provider:
                wanted.setdefault(related.provider.domain, related.provider)
    existing = {p.domain: p for p in Provider.objects.filter(domain__in=wanted)}
    missing = [seed for domain, seed in wanted.items() if domain not in existing]
    slugs = _unique_provider_slugs([seed.domain for seed in missing])
    created = Provider.objects.bulk_create(
        Provider(name=seed.name, domain=seed.domain, slug=slug, logo_url=seed.logo_url)
        for seed, slug in zip(missing, slugs, strict=True)
    )
    logos = []
    for provider in existing.values():
        logo = wanted[provider.domain].logo_url
        if logo and not provider.logo_url:
            provider.logo_url = logo
            logos.append(provider)
    Provider.objects.bulk_update(logos, ["logo_url"])
    ids = {provider.domain: provider.pk for provider in existing.values()}
    ids.update({provider.domain: provider.pk for provider in created})
    return ids


def _unique_provider_slugs(domains: list[str]) -> list[str]:
    base_length = Provider._meta.get_field("slug").max_length - SLUG_SUFFIX_ROOM
    bases = [slug_for_domain(domain)[:base_length] for domain in domains]
    return _dedupe_slugs(bases, lambda candidates: Provider.objects.filter(slug__in=candidates))


def _ensure_topics(records: list[SeedRecord]) -> dict[str, int]:
    """The id of every topic the records name, by lower-cased name: an existing topic, else the
    topic a renamed or merged one became, else a new one."""
    wanted = {}
    for record in records:
        for topic in record.topics:
            wanted.setdefault(topic.lower(), topic)
    if not wanted:
        return {}
    existing = TopicModel.objects.annotate(lower_name=Lower("name")).filter(
        Q(lower_name__in=list(wanted)) | Q(name__in=list(wanted.values()))
    )
    ids = {topic.name.lower(): topic.pk for topic in existing}
    # A name an editor renamed or merged away maps to the topic it became, so a re-import
    # does not bring the old topic back.
    renamed = TopicRedirect.objects.annotate(lower_name=Lower("old_name")).filter(
        lower_name__in=[key for key in wanted if key not in ids]
    )
    ids.update({redirect.lower_name: redirect.topic_id for redirect in renamed})
    missing = [name for key, name in wanted.items() if key not in ids]
    maker = TopicModel()
    base_length = TopicModel._meta.get_field("slug").max_length - SLUG_SUFFIX_ROOM
    bases = [(maker.slugify(name) or "topic")[:base_length] for name in missing]
    slugs = _dedupe_slugs(bases, lambda c: TopicModel.objects.filter(slug__in=c))
    created = TopicModel.objects.bulk_create(
        TopicModel(name=name, slug=slug) for name, slug in zip(missing, slugs, strict=True)
    )
    ids.update({topic.name.lower(): topic.pk for topic in created})
    return ids


def _unique_slugs(titles: list[str]) -> list[str]:
    """A slug per title, unique among articles and among themselves (`title`, `title-2`, …)."""
    bases = [slug_base(title) for title in titles]
    return _dedupe_slugs(bases, lambda candidates: Article.objects.filter(slug__in=candidates))


def _dedupe_slugs(bases: list[str], taken_among: Callable) -> list[str]:
    """Unique slugs for `bases`: a slug taken in the database or earlier in the list gets the
    first free `-2`, `-3`… suffix. One query, plus one per base that collides."""
    if not bases:
        return []
    taken = set(taken_among(set(bases)).values_list("slug", flat=True))
    slugs = []
    for base in bases:
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
            if n % 50 == 2:  # look up the next candidates in one query
                candidates = {f"{base}-{i}" for i in range(n, n + 50)}
                taken |= set(taken_among(candidates).values_list("slug", flat=True))
        taken.add(slug)
        slugs.append(slug)
    return slugs
