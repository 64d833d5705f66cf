"""Images without the network: which addresses are refused, Pillow verification, renditions,
and how pages render cached and uncached images."""

import io
import ipaddress
import struct
import zlib

import httpx
import pytest
from PIL import Image as PILImage

from django.core.files.storage import FileSystemStorage
from django.test import TestCase, override_settings

from articles.images import fetch, storage, verify
from articles.models import Image
from tests.factories import make_article


def picture(fmt="JPEG", size=(2000, 1500), mode="RGB", color=(200, 30, 30), **save) -> bytes:
    """Bytes of a picture made with Pillow."""
    buffer = io.BytesIO()
    PILImage.new(mode, size, color).save(buffer, fmt, **save)
    return buffer.getvalue()


def png_bomb(width=100_000, height=100_000) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels: a decompression bomb."""
    data = bytearray(picture("PNG", size=(1, 1), mode="L", color=0))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def refusing_client(calls):
    def handler(request):
        calls.append(request)
        raise AssertionError("no request may be sent")

    return httpx.Client(transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/a.jpg",
        "http://10.0.0.1/a.jpg",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/a.jpg",
        "http://[::ffff:127.0.0.1]/a.jpg",
        "http://[::ffff:a00:1]/a.jpg",
        "http://localhost:8000/a.jpg",
        "https://192.168.1.1/a.jpg",
        "http://0.0.0.0/a.jpg",
        "http://224.0.0.1/a.jpg",
    ],
)
def test_default_settings_refuse_non_public_addresses_before_connecting(url):
    """With the default settings every loopback, private, link-local, multicast or unspecified
    address is refused before any request is sent (no network needed)."""
    calls = []
    with pytest.raises(verify.ImageRejected) as refused:
        fetch.fetch(url, client=refusing_client(calls))
    assert refused.value.reason == "private_address"
    assert calls == []


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/a.jpg", "gopher://x/", "http:///a.jpg"]
)
def test_only_http_and_https_urls_are_fetched(url):
    calls = []
    with pytest.raises(verify.ImageRejected) as refused:
        fetch.fetch(url, client=refusing_client(calls))
    assert refused.value.reason == "bad_url"
    assert calls == []


def test_credentials_in_a_url_are_refused():
    with pytest.raises(verify.ImageRejected, match="credentials"):
        fetch.fetch("http://user:pw@example.com/a.jpg", client=refusing_client([]))


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("172.16.0.1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("2002:7f00:1::", False),  # 6to4 around 127.0.0.1
        ("64:ff9b::a00:1", False),  # NAT64 around 10.0.0.1
        ("240.0.0.1", False),  # reserved
        ("::", False),
    ],
)
def test_public_addresses(address, public):
    assert fetch.is_public_address(ipaddress.ip_address(address)) is public


def test_an_allowed_host_may_be_loopback_but_others_still_may_not():
    assert str(fetch.resolve("127.0.0.1", 80, allowed_hosts=["127.0.0.1"])) == "127.0.0.1"
    with pytest.raises(verify.ImageRejected):
        fetch.resolve("10.0.0.1", 80, allowed_hosts=["127.0.0.1"])


def test_a_request_goes_to_the_checked_address_with_the_hosts_name():
    """The connection is made to the address that was checked (no second DNS lookup), the
    Host header and TLS name stay the host's."""
    client = httpx.Client()
    request = fetch._pinned_request(client, "https://8.8.8.8:8443/a.jpg?x=1#frag", [])
    assert str(request.url) == "https://8.8.8.8:8443/a.jpg?x=1"
    assert request.headers["host"] == "8.8.8.8:8443"
    assert request.extensions["sni_hostname"] == "8.8.8.8"


def test_renditions_of_a_large_jpeg_keep_the_aspect_ratio_in_webp():
    rendered = verify.render(picture())
    assert (rendered.format, rendered.width, rendered.height) == ("JPEG", 2000, 1500)
    assert [(r.width, r.height) for r in rendered.renditions] == [
        (320, 240),
        (640, 480),
        (1280, 960),
    ]
    for rendition in rendered.renditions:
        with PILImage.open(io.BytesIO(rendition.data)) as webp:
            assert webp.format == "WEBP"
            assert webp.size == (rendition.width, rendition.height)


def test_a_small_picture_is_never_upscaled():
    rendered = verify.render(picture("PNG", size=(500, 250)))
    assert [(r.width, r.height) for r in rendered.renditions] == [(320, 160), (500, 250)]
    tiny = verify.render(picture("GIF", size=(40, 30), mode="P", color=1))
    assert [(r.width, r.height) for r in tiny.renditions] == [(40, 30)]


def test_exif_orientation_is_applied_and_metadata_stripped():
    """A photo stored sideways with EXIF orientation 6 is shown upright; the renditions carry
    no EXIF (no camera, no GPS) and no ICC profile."""
    stored = PILImage.new("RGB", (800, 400), (255, 0, 0))
    stored.paste((0, 0, 255), (400, 0, 800, 400))  # right half blue
    exif = PILImage.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Camera maker"
    buffer = io.BytesIO()
    stored.save(buffer, "JPEG", exif=exif, icc_profile=b"\0" * 128)
    rendered = verify.render(buffer.getvalue())
    assert (rendered.width, rendered.height) == (400, 800)
    with PILImage.open(io.BytesIO(rendered.renditions[-1].data)) as webp:
        assert webp.size == (400, 800)
        assert not webp.getexif()
        assert "icc_profile" not in webp.info
        rgb = webp.convert("RGB")
        # Rotated 90° clockwise: the left (red) half is now on top.
        assert rgb.getpixel((200, 100))[0] > 200
        assert rgb.getpixel((200, 700))[2] > 200


def test_transparency_is_kept():
    rendered = verify.render(picture("PNG", size=(100, 100), mode="RGBA", color=(0, 0, 0, 0)))
    with PILImage.open(io.BytesIO(rendered.renditions[0].data)) as webp:
        assert webp.mode == "RGBA"
        assert webp.getpixel((5, 5))[3] == 0


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<html>not an image</html>", "not_an_image"),
        (picture("BMP", size=(10, 10)), "not_an_image"),
        (picture()[:3000], "corrupt"),
        (png_bomb(), "too_many_pixels"),
        (b"", "not_an_image"),
    ],
    ids=["html", "bmp", "truncated", "bomb", "empty"],
)
def test_bad_bytes_are_refused_with_a_reason(data, reason):
    with pytest.raises(verify.ImageRejected) as refused:
        verify.render(data)
    assert refused.value.reason == reason


@override_settings(IMAGES_MAX_PIXELS=1_000_000)
def test_the_pixel_limit_is_checked_before_decoding():
    with pytest.raises(verify.ImageRejected, match="1500x1000 pixels"):
        verify.render(picture(size=(1500, 1000)))


class _LateStorage(FileSystemStorage):
    """A storage that answers its first `exists` about each name as if another writer had not
    stored it yet: the race of two writers of one picture, made certain."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.asked = set()

    def exists(self, name):
        first = name not in self.asked
        self.asked.add(name)
        return False if first else super().exists(name)


def test_a_picture_stored_by_two_writers_at_once_is_kept_once(tmp_path):
    data = picture(size=(700, 500))
    first = storage.store(data, verify.render(data), storage=FileSystemStorage(location=tmp_path))
    second = storage.store(data, verify.render(data), storage=_LateStorage(location=tmp_path))
    assert second == first
    stored = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert stored == sorted([first.name] + [r["name"] for r in first.renditions])


def cache(image: Image, width=2000, height=1500) -> None:
    """Mark `image` as cached, with renditions (no files needed to render it)."""
    stem = f"images/ab/{image.pk:064d}"
    sizes = verify.rendition_sizes(width, height)
    image.file.name = f"{stem}.jpg"
    image.width, image.height = width, height
    image.renditions = [{"width": w, "height": h, "name": f"{stem}-{w}.webp"} for w, h in sizes]
    image.save()


class RenderingTests(TestCase):
    """Cards and article pages: a cached image is served from our renditions with `srcset`;
    an uncached one follows IMAGES_HOTLINK."""

    @classmethod
    def setUpTestData(cls):
        cls.cached = make_article(images=1, title="Cached picture")
        cls.image = cls.cached.images.get()
        cache(cls.image)
        cls.remote = make_article(images=1, title="Remote picture")
        cls.remote_url = cls.remote.images.get().url

    def test_a_cached_image_has_a_srcset_over_local_renditions(self):
        stem = f"/media/images/ab/{self.image.pk:064d}"
        srcset = f"{stem}-320.webp 320w, {stem}-640.webp 640w, {stem}-1280.webp 1280w"
        for url in ["/", self.cached.get_absolute_url()]:
            html = self.client.get(url).content.decode()
            assert f'src="{stem}-640.webp" srcset="{srcset}" sizes="' in html, url
            assert 'width="2000" height="1500"' in html
            assert self.image.url not in html

    def test_uncached_images_are_hotlinked_by_default(self):
        html = self.client.get("/").content.decode()
        assert f'<img src="{self.remote_url}" alt=' in html
        assert html.count("srcset=") == 1

    @override_settings(IMAGES_HOTLINK=False)
    def test_without_hotlinking_uncached_images_show_a_placeholder(self):
        for url in ["/", self.remote.get_absolute_url()]:
            html = self.client.get(url).content.decode()
            assert self.remote_url not in html
            assert 'src="/static/img/placeholder.svg"' in html

    def test_the_csp_allows_outside_images_only_when_hotlinking(self):
        from newsroom import settings as project

        assert "https:" in project.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]
        header = self.client.get("/").headers["Content-Security-Policy"]
        assert "img-src 'self' data: https://i.ytimg.com https: http:" in header

    def test_cached_cards_cost_no_extra_query(self):
        for article in [make_article(images=1) for _ in range(5)]:
            cache(article.images.get())
        with self.assertNumQueries(5):  # the same as for uncached images
            response = self.client.get("/")
        assert response.content.decode().count("srcset=") == 6
