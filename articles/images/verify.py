"""Verifying pictures and making their renditions: whatever a download or an upload claims to
be, its bytes must open in Pillow as an allowed format, within `IMAGES_MAX_PIXELS` (checked from
the header, before anything is decoded), and decode fully; the renditions are WebP, EXIF
orientation applied, no metadata kept. No database, no storage."""

import io
import struct
from dataclasses import dataclass

from PIL import Image as PILImage
from PIL import UnidentifiedImageError, features

from django.conf import settings

RENDITION_WIDTHS = (320, 640, 1280)
WEBP_QUALITY = 80
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
# What a malformed file can make Pillow's decoders raise.
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, struct.error)


class ImageRejected(Exception):
    """An image refused: `reason` is a short code (summaries count by it), `detail` says why."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def first_line(error: Exception) -> str:
    """The first line of `error`'s message (its type's name when it has none), at most 200
    characters: enough to say why, short enough for a column."""
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:200]


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
        raise ImageRejected("too_many_pixels", first_line(error)) from error
    except UnidentifiedImageError as error:
        allowed = ", ".join(ALLOWED_FORMATS)
        raise ImageRejected("not_an_image", f"not an image in an allowed format ({allowed})") from (
            error
        )
    except _DECODE_ERRORS as error:
        raise ImageRejected("corrupt", first_line(error)) from error
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
        raise ImageRejected("too_many_pixels", first_line(error)) from error
    except _DECODE_ERRORS as error:
        raise ImageRejected("corrupt", f"cannot decode: {first_line(error)}") from error
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
