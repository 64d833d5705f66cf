"""Where a browser finds a picture: our own renditions when they are stored (with a `srcset`),
else the picture's http(s) URL when `IMAGES_HOTLINK` is on, or a neutral placeholder."""

from django.conf import settings
from django.core.files.storage import default_storage
from django.templatetags.static import static

from articles.seeds.text import http_url

# An image's `src` when it is cached: browsers that ignore `srcset` get this width.
FALLBACK_WIDTH = 640
# Shown for an uncached image when IMAGES_HOTLINK is off.
PLACEHOLDER = "img/placeholder.svg"


def rendition_url(renditions: list[dict], width: int) -> str:
    """The URL of the widest rendition no wider than `width` (else the narrowest)."""
    if not renditions:
        return ""
    fitting = [r for r in renditions if r["width"] <= width] or renditions[:1]
    return default_storage.url(fitting[-1]["name"])


def srcset(renditions: list[dict]) -> str:
    """`url 320w, url 640w, …` over the renditions."""
    return ", ".join(f"{default_storage.url(r['name'])} {r['width']}w" for r in renditions)


def image_src(image) -> str:
    """Where a browser fetches `image` (an `Image` or a card's image): our own rendition when it
    is cached (up to `FALLBACK_WIDTH` wide; `image_srcset` offers the others); else its http(s)
    URL when `IMAGES_HOTLINK` is on, or a neutral placeholder when it is off; "" for no
    image."""
    if not image:  # no image (`|first` of an empty list gives "")
        return ""
    if image.renditions:
        return rendition_url(image.renditions, FALLBACK_WIDTH)
    if image.file:
        return image.file.url
    remote = http_url(image.url)
    if remote and not settings.IMAGES_HOTLINK:
        return static(PLACEHOLDER)
    return remote


def image_srcset(image) -> str:
    """The `srcset` of a cached `image` (its WebP renditions), else ""."""
    return srcset(image.renditions) if image and image.renditions else ""


def logo_src(provider) -> str:
    """A provider's logo, as `image_src` does for an image."""
    if provider.logo_renditions:
        return rendition_url(provider.logo_renditions, FALLBACK_WIDTH)
    remote = http_url(provider.logo_url)
    return remote if settings.IMAGES_HOTLINK else ""


def logo_srcset(provider) -> str:
    """The `srcset` of a provider's stored logo, else ""."""
    return srcset(provider.logo_renditions)
