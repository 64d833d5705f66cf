"""Images: fetching remote images safely, verifying them with Pillow, making responsive WebP
renditions, and removing the files that no row uses any more. README "Images" states the rules.

URLs and bytes both come from outside and are treated as hostile:
- only http(s); the host is resolved and every address it resolves to must be public (not
  private, loopback, link-local, multicast, reserved or unspecified, IPv4 or IPv6, embedded IPv4
  included) unless the host is listed in `IMAGES_FETCH_ALLOWED_HOSTS`; the connection goes to the
  very address that was checked (no second lookup that DNS rebinding could answer differently);
  the same checks again after every redirect, at most `MAX_REDIRECTS` of them;
- connect and read timeouts, a deadline for the whole download, and a size limit enforced while
  the body streams in (never trusting Content-Length);
- whatever the Content-Type says, the bytes must open in Pillow as an allowed format, within
  `IMAGES_MAX_PIXELS` (checked from the header, before anything is decoded), and decode fully.

Files are stored under content-addressed names (`images/ab/abcdef….jpg`), so one picture used by
several rows, or fetched twice, is stored once; a file is deleted when the last row that names
it is deleted (after the transaction commits).
"""

import hashlib
import io
import ipaddress
import logging
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from urllib.parse import urljoin

import httpx
from PIL import Image as PILImage
from PIL import UnidentifiedImageError, features

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from providers.models import Provider

from .models import Image

logger = logging.getLogger(__name__)

RENDITION_WIDTHS = (320, 640, 1280)
WEBP_QUALITY = 80
MAX_REDIRECTS = 3
FOLDER = "images"
CHUNK_BYTES = 64 * 1024
FAILURE_MAX_LENGTH = 300
USER_AGENT = "Newsroom image cache (httpx)"

FORMAT_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
if features.check("avif"):
    FORMAT_EXTENSIONS["AVIF"] = "avif"
ALLOWED_FORMATS = tuple(FORMAT_EXTENSIONS)

# EXIF orientation → the transposition that shows the picture upright.
_ORIENTATION = 0x0112
_TRANSPOSE = {
    2: PILImage.Transpose.FLIP_LEFT_RIGHT,
    3: PILImage.Transpose.ROTATE_180,
    4: PILImage.Transpose.FLIP_TOP_BOTTOM,
    5: PILImage.Transpose.TRANSPOSE,
    6: PILImage.Transpose.ROTATE_270,
    7: PILImage.Transpose.TRANSVERSE,
    8: PILImage.Transpose.ROTATE_90,
}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# What a malformed file can make Pillow's decoders raise.
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, struct.error)


class ImageRejected(Exception):
    """An image refused: `reason` is a short code (summaries count by it), `detail` says why."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


# Addresses.


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether `address` is on the public internet: not private, loopback, link-local,
    multicast, reserved or unspecified; an IPv6 address that embeds an IPv4 one (mapped, 6to4,
    Teredo, NAT64) must embed a public one."""
    if address.version == 6:
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo:
            embedded = address.teredo[1]
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and not is_public_address(embedded):
            return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def resolve(host: str, port: int, *, allowed_hosts: Iterable[str] = ()):
    """The address to connect to for `host`: refused (ImageRejected) when any address the host
    resolves to is not public, unless the host is in `allowed_hosts`. An IP literal is checked
    as it is, without any lookup."""
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:
            raise ImageRejected("dns", f"cannot resolve {host}: {error}") from error
        addresses = list(
            dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos)
        )
        if not addresses:
            raise ImageRejected("dns", f"{host} has no address") from None
    if host.lower() not in {allowed.lower() for allowed in allowed_hosts}:
        for address in addresses:
            if not is_public_address(address):
                raise ImageRejected("private_address", f"{host} is {address}, not a public address")
    return addresses[0]


# Fetching.


def new_client() -> httpx.Client:
    """An HTTP client for `fetch`: the timeouts of the settings, no redirects followed on its
    own (`fetch` checks each hop), no proxy or credentials from the environment."""
    timeout = settings.IMAGES_FETCH_TIMEOUT
    return httpx.Client(
        timeout=httpx.Timeout(timeout, pool=timeout),
        follow_redirects=False,
        trust_env=False,
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "image/avif,image/webp,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.1",
            # Raw bytes only: a compressed body could expand past the size limit in one chunk.
            "Accept-Encoding": "identity",
        },
    )


def fetch(url: str, *, client: httpx.Client) -> bytes:
    """The body of `url`, fetched under the rules of the module docstring, or ImageRejected
    (reasons: bad_url, dns, private_address, connection, timeout, http_status,
    too_many_redirects, too_large)."""
    allowed_hosts = settings.IMAGES_FETCH_ALLOWED_HOSTS
    max_bytes = settings.IMAGES_MAX_BYTES
    deadline = time.monotonic() + settings.IMAGES_FETCH_DEADLINE
    for _ in range(MAX_REDIRECTS + 1):
        request = _pinned_request(client, url, allowed_hosts)
        try:
            response = client.send(request, stream=True)
        except httpx.TimeoutException as error:
            raise ImageRejected("timeout", f"no answer in time ({type(error).__name__})") from error
        except httpx.HTTPError as error:
            raise ImageRejected("connection", _first_line(error)) from error
        try:
            location = response.headers.get("location")
            if response.is_redirect and location:
                url = urljoin(url, location)
                continue
            if response.status_code != 200:
                raise ImageRejected("http_status", f"HTTP {response.status_code}")
            return _read_body(response, max_bytes=max_bytes, deadline=deadline)
        finally:
            response.close()
    raise ImageRejected("too_many_redirects", f"more than {MAX_REDIRECTS} redirects")


def _pinned_request(client: httpx.Client, url: str, allowed_hosts) -> httpx.Request:
    """A GET of `url` sent to the checked address of its host (`resolve`), with the host's name
    in the Host header and, for https, in the TLS SNI and certificate check."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as error:
        raise ImageRejected("bad_url", _first_line(error)) from error
    if parsed.scheme not in {"http", "https"}:
        raise ImageRejected("bad_url", f"only http and https are fetched, not {url[:80]!r}")
    if parsed.userinfo:
        raise ImageRejected("bad_url", "credentials in the URL")
    host = parsed.raw_host.decode("ascii")
    if not host:
        raise ImageRejected("bad_url", "no host")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    address = resolve(host, port, allowed_hosts=allowed_hosts)
    host_header = f"[{host}]" if ":" in host else host
    if parsed.port:
        host_header = f"{host_header}:{parsed.port}"
    extensions = {"sni_hostname": host} if parsed.scheme == "https" else {}
    return client.build_request(
        "GET",
        parsed.copy_with(host=str(address), fragment=None),
        headers={"Host": host_header},
        extensions=extensions,
    )


def _read_body(response: httpx.Response, *, max_bytes: int, deadline: float) -> bytes:
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise ImageRejected("too_large", f"{int(length):,} bytes, over {max_bytes:,}")
    chunks, size = [], 0
    try:
        for chunk in response.iter_raw(CHUNK_BYTES):
            size += len(chunk)
            if size > max_bytes:
                raise ImageRejected("too_large", f"over {max_bytes:,} bytes")
            if time.monotonic() > deadline:
                raise ImageRejected("timeout", "the download took too long")
            chunks.append(chunk)
    except httpx.TimeoutException as error:
        raise ImageRejected("timeout", f"the body stalled ({type(error).__name__})") from error
    except httpx.HTTPError as error:
        raise ImageRejected("connection", _first_line(error)) from error
    return b"".join(chunks)


def _first_line(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:200]


# Verifying and rendering.


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    data: bytes


@dataclass(frozen=True)
class Rendered:
    """A verified image: its format, its size as shown (EXIF orientation applied) and its
    WebP renditions, narrowest first."""

    format: str
    width: int
    height: int
    renditions: list[Rendition]


def rendition_sizes(width: int, height: int, widths=RENDITION_WIDTHS) -> list[tuple[int, int]]:
    """The (width, height) of each rendition of a `width` x `height` picture: each of `widths`
    narrower than it, plus the picture's own size when it is narrower than the widest; never
    upscaled, the aspect ratio kept."""
    sizes = [(w, max(1, round(height * w / width))) for w in widths if w < width]
    if width <= max(widths):
        sizes.append((width, height))
    return sizes


def open_image(data: bytes) -> PILImage.Image:
    """`data` opened by Pillow (header read, nothing decoded), or ImageRejected: not_an_image
    (not an allowed format, whatever the Content-Type said), too_many_pixels, corrupt."""
    max_pixels = settings.IMAGES_MAX_PIXELS
    try:
        image = PILImage.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except PILImage.DecompressionBombError as error:
        raise ImageRejected("too_many_pixels", _first_line(error)) from error
    except UnidentifiedImageError as error:
        allowed = ", ".join(ALLOWED_FORMATS)
        raise ImageRejected("not_an_image", f"not an image in an allowed format ({allowed})") from (
            error
        )
    except _DECODE_ERRORS as error:
        raise ImageRejected("corrupt", _first_line(error)) from error
    width, height = image.size
    if width < 1 or height < 1 or width * height > max_pixels:
        image.close()
        raise ImageRejected(
            "too_many_pixels", f"{width}x{height} pixels, over the limit of {max_pixels:,}"
        )
    return image


def render(data: bytes, *, widths=RENDITION_WIDTHS) -> Rendered:
    """Verify `data` (see `open_image`; it must also decode completely) and make its WebP
    renditions (`rendition_sizes`), EXIF orientation applied, no metadata kept. The picture is
    decoded once; a JPEG at the smallest 1/2, 1/4 or 1/8 scale that still covers the widest
    rendition (`Image.draft`), and each rendition is resized from the next wider one."""
    image = open_image(data)
    try:
        with image:
            image_format = image.format
            transpose = _TRANSPOSE.get(_orientation(image))
            width, height = image.size
            if transpose in {
                PILImage.Transpose.TRANSPOSE,
                PILImage.Transpose.TRANSVERSE,
                PILImage.Transpose.ROTATE_90,
                PILImage.Transpose.ROTATE_270,
            }:
                width, height = height, width
            sizes = rendition_sizes(width, height, widths)
            if image_format == "JPEG":
                widest_w, widest_h = sizes[-1]
                if (width, height) != image.size:
                    widest_w, widest_h = widest_h, widest_w
                image.draft("RGB", (widest_w, widest_h))
            image.load()
            picture = image if transpose is None else image.transpose(transpose)
            picture = _webp_mode(picture)
            renditions = []
            for size in reversed(sizes):
                if picture.size != size:
                    picture = picture.resize(size, PILImage.Resampling.LANCZOS, reducing_gap=3.0)
                buffer = io.BytesIO()
                picture.save(buffer, "WEBP", quality=WEBP_QUALITY)
                renditions.append(Rendition(size[0], size[1], buffer.getvalue()))
    except PILImage.DecompressionBombError as error:
        raise ImageRejected("too_many_pixels", _first_line(error)) from error
    except _DECODE_ERRORS as error:
        raise ImageRejected("corrupt", f"cannot decode: {_first_line(error)}") from error
    renditions.reverse()
    return Rendered(image_format, width, height, renditions)


def _orientation(image: PILImage.Image) -> int:
    try:
        return int(image.getexif().get(_ORIENTATION, 1))
    except _DECODE_ERRORS:
        return 1  # unreadable EXIF: show the picture as stored


def _webp_mode(picture: PILImage.Image) -> PILImage.Image:
    has_alpha = picture.mode in {"RGBA", "LA", "PA"} or (
        picture.mode == "P" and "transparency" in picture.info
    )
    mode = "RGBA" if has_alpha else "RGB"
    return picture if picture.mode == mode else picture.convert(mode)


# Storing.


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


@dataclass(frozen=True)
class VerifiedUpload:
    """An uploaded picture that passed `verify_upload`: its bytes and renditions, not stored."""

    data: bytes
    rendered: Rendered


def verify_upload(upload) -> VerifiedUpload:
    """Read an uploaded file (at most `IMAGES_MAX_BYTES`) and verify and render it as a
    download would be (`render`); ImageRejected otherwise. Nothing is stored."""
    max_bytes = settings.IMAGES_MAX_BYTES
    if upload.size is not None and upload.size > max_bytes:
        raise ImageRejected("too_large", f"{upload.size:,} bytes, over {max_bytes:,}")
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImageRejected("too_large", f"over {max_bytes:,} bytes")
    return VerifiedUpload(data, render(data))


def stored_files(name: str, renditions: list[dict]) -> dict[str, list[str]]:
    """{original: [rendition names]} of a row's stored image, for `discard_later`."""
    return {name: [rendition["name"] for rendition in renditions]} if name else {}


# Caching the images of the database.


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
        return ImageRejected("error", f"{type(error).__name__}: {_first_line(error)}")


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


# Rendering.


def rendition_url(renditions: list[dict], width: int) -> str:
    """The URL of the widest rendition no wider than `width` (else the narrowest)."""
    if not renditions:
        return ""
    fitting = [r for r in renditions if r["width"] <= width] or renditions[:1]
    return default_storage.url(fitting[-1]["name"])


def srcset(renditions: list[dict]) -> str:
    """`url 320w, url 640w, …` over the renditions."""
    return ", ".join(f"{default_storage.url(r['name'])} {r['width']}w" for r in renditions)
