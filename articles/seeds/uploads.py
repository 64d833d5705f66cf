"""Seed files uploaded through the admin: checked and unpacked into a folder for the importer.

Uploads are untrusted. Everything is bounded before it is written: the number of files, the
size of each file (the seed limit, `SEED_MAX_BYTES`), the size of an archive and the total
unpacked size, so a zip bomb stops at the first member that expands too far. An archive member
whose name would land outside the folder (`../x`, `/etc/x`, `C:\\x`) refuses the whole upload,
as does a path the folder cannot hold: a name over 255 bytes, a path over 1,024, a path that is
a file and a folder at once (`a.md` beside `a.md/b.md`). So does an upload in which no file is
a seed file. Any refusal leaves the database untouched. Sizes are told in bytes, exactly.
"""

import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

from .read import SeedError, read_seed

MAX_FILES = 2000
MAX_ARCHIVE_BYTES = 50 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_LISTED = 10
# What a file system takes: a file or folder name (NAME_MAX), and a path we allow under the
# upload's folder (well within PATH_MAX).
NAME_MAX_BYTES = 255
PATH_MAX_BYTES = 1024
_UNSAFE_NAME = re.compile(r"(^[/\\])|(^[A-Za-z]:)|\\|\x00")
_SAFE_PART = re.compile(r"[^\w.\- ]+")


class UploadError(Exception):
    """An upload refused as a whole; `messages` say why, for the editor."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass
class _Unpacker:
    dest: Path
    max_bytes: int
    written: list[Path] = field(default_factory=list)
    total: int = 0
    not_seeds: list[str] = field(default_factory=list)
    files: set[PurePosixPath] = field(default_factory=set)
    folders: set[PurePosixPath] = field(default_factory=set)

    def add(self, relative: PurePosixPath, data: bytes) -> None:
        if len(self.written) >= MAX_FILES:
            raise UploadError([f"More than {MAX_FILES:,} files in one upload; split it up."])
        self.total += len(data)
        if self.total > MAX_TOTAL_BYTES:
            raise UploadError([f"The upload unpacks to more than {_limit(MAX_TOTAL_BYTES)}."])
        if relative in self.files:  # two files of one name (from two folders): keep both
            relative = PurePosixPath(str(len(self.written))) / relative
        self._claim(relative)
        path = self.dest.joinpath(*relative.parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.written.append(path)
        try:
            read_seed(data, name=str(relative), max_bytes=self.max_bytes)
        except SeedError as error:
            self.not_seeds.append(f"{relative}: {error.message}")

    def _claim(self, relative: PurePosixPath) -> None:
        """Take `relative` for a file, or refuse the upload if the folder cannot hold it."""
        for part in relative.parts:
            size = len(part.encode())
            if size > NAME_MAX_BYTES:
                raise UploadError(
                    [
                        f"{_shorten(relative)}: a name of {size:,} bytes, over the limit of "
                        f"{NAME_MAX_BYTES} bytes; nothing was imported."
                    ]
                )
        size = len(str(relative).encode())
        if size > PATH_MAX_BYTES:
            raise UploadError(
                [
                    f"{_shorten(relative)}: a path of {size:,} bytes, over the limit of "
                    f"{PATH_MAX_BYTES:,} bytes; nothing was imported."
                ]
            )
        folders = [parent for parent in relative.parents if parent.parts]
        if relative in self.folders or any(folder in self.files for folder in folders):
            raise UploadError(
                [
                    f"{relative} is both a file and a folder in the upload (a file, and files "
                    "under a folder of the same name); nothing was imported."
                ]
            )
        self.files.add(relative)
        self.folders.update(folders)


def _limit(size: int) -> str:
    """A limit in bytes, exactly, and as people read it: "1,048,576 bytes (1.0 MB)"."""
    return f"{size:,} bytes ({filesizeformat(size)})" if size >= 1024 else f"{size:,} bytes"


def _shorten(path: PurePosixPath, length: int = 80) -> str:
    text = str(path)
    return text if len(text) <= length else text[: length - 1] + "…"


def _safe_name(name: str) -> str:
    """An uploaded file's own name, reduced to characters that are safe in a path."""
    cleaned = _SAFE_PART.sub("_", PurePosixPath(name.replace("\\", "/")).name).strip(". ")
    return cleaned or "upload"


def unpack_uploads(files: Iterable[UploadedFile], dest: Path, *, max_bytes: int) -> list[Path]:
    """Check the uploaded `files` (seed files, or .zip archives of them) and write them under
    `dest`; returns the paths written. Raises UploadError, having written nothing that the
    caller needs to keep, when the upload is refused (see the module docstring)."""
    files = list(files)
    if len(files) > MAX_FILES:
        raise UploadError(
            [f"{len(files):,} files in one upload, over the limit of {MAX_FILES:,}; split it up."]
        )
    unpacker = _Unpacker(dest=dest, max_bytes=max_bytes)
    for upload in files:
        name = _safe_name(upload.name or "")
        if name.lower().endswith(".zip"):
            _unpack_zip(upload, name, unpacker)
            continue
        if upload.size > max_bytes:
            raise UploadError(
                [
                    f"{name} is {upload.size:,} bytes, over the seed file limit of "
                    f"{_limit(max_bytes)}."
                ]
            )
        upload.seek(0)
        unpacker.add(PurePosixPath(name), upload.read(max_bytes + 1))
    if not unpacker.written:
        raise UploadError(["The upload holds no files."])
    if len(unpacker.not_seeds) == len(unpacker.written):
        listed = unpacker.not_seeds[:MAX_LISTED]
        more = len(unpacker.not_seeds) - len(listed)
        messages = ["None of the uploaded files is a seed file:", *listed]
        if more:
            messages.append(f"… and {more} more.")
        raise UploadError(messages)
    return unpacker.written


def _unpack_zip(upload: UploadedFile, name: str, unpacker: _Unpacker) -> None:
    if upload.size > MAX_ARCHIVE_BYTES:
        raise UploadError(
            [
                f"{name} is {upload.size:,} bytes, over the archive limit of "
                f"{_limit(MAX_ARCHIVE_BYTES)}."
            ]
        )
    upload.seek(0)
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError):
        raise UploadError([f"{name} is not a valid .zip archive."]) from None
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) + len(unpacker.written) > MAX_FILES:
            raise UploadError(
                [f"{name} holds {len(members):,} files, over the limit of {MAX_FILES:,}."]
            )
        for info in members:
            relative = _member_path(name, info.filename)
            if info.file_size > unpacker.max_bytes:
                raise UploadError([_too_big(name, info.filename, unpacker.max_bytes)])
            try:
                with archive.open(info) as stream:
                    data = stream.read(unpacker.max_bytes + 1)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, EOFError):
                raise UploadError([f"{name}: {info.filename!r} cannot be read."]) from None
            if len(data) > unpacker.max_bytes:
                raise UploadError([_too_big(name, info.filename, unpacker.max_bytes)])
            unpacker.add(PurePosixPath(name) / relative, data)


def _member_path(archive: str, member: str) -> PurePosixPath:
    """The member's path inside the archive, refused if it could escape the folder."""
    path = PurePosixPath(member)
    if _UNSAFE_NAME.search(member) or ".." in path.parts or not path.parts:
        raise UploadError(
            [f"{archive}: member {member!r} has an unsafe path; nothing was imported."]
        )
    return path


def _too_big(archive: str, member: str, limit: int) -> str:
    return (
        f"{archive}: {member!r} expands to more than {_limit(limit)} "
        "(the seed file limit); nothing was imported."
    )
