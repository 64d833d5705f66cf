"""Storing pictures and removing them. Files are stored under content-addressed names
(`images/ab/abcdef….jpg`), so one picture used by several rows, or fetched twice, is stored once;
a file is deleted when the last row that names it is deleted (after the transaction commits)."""

import hashlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from articles.models import Image
from providers.models import Provider

from .verify import FORMAT_EXTENSIONS, Rendered, VerifiedUpload, render

FOLDER = "images"


@dataclass(frozen=True)
class Stored:
    """What a row records of a stored image: the original's name in storage, the size as
    shown, and the renditions as [{width, height, name}], narrowest first."""

    name: str
    width: int
    height: int
    renditions: list[dict]


def store(data: bytes, rendered: Rendered, *, storage=None) -> Stored:
    """Write the original `data` and its renditions through Django's storage API (under
    MEDIA_ROOT by default), under names made from the content's SHA-256: the same picture is
    stored once, however many rows or fetches lead to it."""
    storage = storage or default_storage
    digest = hashlib.sha256(data).hexdigest()
    stem = f"{FOLDER}/{digest[:2]}/{digest}"
    name = _save_once(storage, f"{stem}.{FORMAT_EXTENSIONS[rendered.format]}", data)
    renditions = [
        {
            "width": rendition.width,
            "height": rendition.height,
            "name": _save_once(storage, f"{stem}-{rendition.width}.webp", rendition.data),
        }
        for rendition in rendered.renditions
    ]
    return Stored(name, rendered.width, rendered.height, renditions)


def _save_once(storage, name: str, data: bytes) -> str:
    """Store `data` under its content-addressed `name` unless it is there. Two writers of the
    same picture (threads of `cache_images`, or two uploads) may both find the name free: the
    storage then gives the later one another name, and that copy is deleted, since the file
    under `name` holds the same bytes."""
    if storage.exists(name):
        return name
    saved = storage.save(name, ContentFile(data))
    if saved != name:
        storage.delete(saved)
    return name


def cache_bytes(data: bytes) -> Stored:
    """Verify `data`, make its renditions and store it all (`render`, `store`)."""
    return store(data, render(data))


def stored_files(name: str, renditions: list[dict]) -> dict[str, list[str]]:
    """{original: [rendition names]} of a row's stored image, for `discard_later`."""
    return {name: [rendition["name"] for rendition in renditions]} if name else {}


# Removing files.

_pending = threading.local()


def discard_later(files: dict[str, list[str]]) -> None:
    """Delete the stored `files` ({original: [renditions]}) once the current transaction
    commits (at once outside one), each only if no image row or provider logo still names the
    original. A rolled-back deletion leaves its row, and so its files."""
    if not files:
        return
    pending = _pending.__dict__.setdefault("files", {})
    for name, renditions in files.items():
        pending.setdefault(name, set()).update(renditions)
    transaction.on_commit(_flush_discarded)


def _flush_discarded() -> None:
    files = _pending.__dict__.pop("files", None)
    if files:
        delete_unused_files(files)


def delete_unused_files(files: dict[str, Iterable[str]]) -> int:
    """Delete each original in `files` with its renditions unless an image row or a provider
    logo names it; returns the number of originals deleted."""
    names = list(files)
    used = set()
    for start in range(0, len(names), 500):
        chunk = names[start : start + 500]
        used.update(Image.objects.filter(file__in=chunk).values_list("file", flat=True))
        used.update(Provider.objects.filter(logo__in=chunk).values_list("logo", flat=True))
    deleted = 0
    for name in names:
        if name in used:
            continue
        for path in [name, *files[name]]:
            default_storage.delete(path)
        deleted += 1
    return deleted


def image_deleted(sender, instance, **kwargs) -> None:
    """post_delete of `Image` (also when an article or related link is deleted with it)."""
    discard_later(stored_files(instance.file.name, instance.renditions))


def provider_deleted(sender, instance, **kwargs) -> None:
    """post_delete of `Provider`: its logo's files."""
    discard_later(stored_files(instance.logo.name, instance.logo_renditions))


# Uploads.


def attach_upload(image: Image, upload: VerifiedUpload) -> None:
    """Give the `Image` row `image` (saved or not) a verified upload: stored with its
    renditions, the row's size set to the picture's. The caller saves the row in the current
    transaction; the files the row had before are deleted once that commits, unless another
    row uses them."""
    old = stored_files(image.file.name, image.renditions)
    stored = store(upload.data, upload.rendered)
    image.file.name = stored.name
    image.width, image.height = stored.width, stored.height
    image.renditions = stored.renditions
    image.failure, image.failed_at = "", None
    discard_later({name: files for name, files in old.items() if name != stored.name})


def attach_logo(provider: Provider, upload: VerifiedUpload) -> None:
    """Give `provider` a verified logo upload, as `attach_upload` does for an image."""
    old = stored_files(provider.logo.name, provider.logo_renditions)
    stored = store(upload.data, upload.rendered)
    provider.logo.name = stored.name
    provider.logo_renditions = stored.renditions
    discard_later({name: files for name, files in old.items() if name != stored.name})
