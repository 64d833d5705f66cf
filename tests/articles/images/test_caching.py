"""`cache_images` against a test HTTP server on 127.0.0.1 (allowed only through
IMAGES_FETCH_ALLOWED_HOSTS): good images are cached with renditions, every bad case is refused
with its reason recorded and nothing stored."""

import io
import shutil
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image as PILImage

from django.core.management import call_command
from django.test import TestCase, override_settings

from articles.images import markup
from articles.models import Image
from tests.articles.images.test_verify_and_fetch import picture, png_bomb
from tests.factories import make_article

MAX_BYTES = 200_000


def _photo_with_orientation() -> bytes:
    exif = PILImage.Exif()
    exif[0x0112] = 6
    return picture(size=(900, 600), exif=exif)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        route = ROUTES.get(self.path)
        if route is None:
            self.send_error(404)
            return
        route(self)

    def log_message(self, format, *args):
        pass

    def reply(self, body: bytes, content_type="image/jpeg", length=True):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str):
        self.send_response(302)
        self.send_header("Location", location.format(port=self.server.server_port))
        self.end_headers()

    def hang(self):
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.end_headers()
        self.wfile.write(b"\xff\xd8")
        self.wfile.flush()
        time.sleep(3)


PHOTO = picture(size=(2000, 1500), quality=30)
ROUTES = {
    "/photo.jpg": lambda h: h.reply(PHOTO),
    "/rotated.jpg": lambda h: h.reply(_photo_with_orientation()),
    "/logo.png": lambda h: h.reply(picture("PNG", size=(200, 100)), "application/octet-stream"),
    "/bomb.png": lambda h: h.reply(png_bomb(), "image/png"),
    "/text.jpg": lambda h: h.reply(b"<html><body>not an image</body></html>" * 10),
    "/huge.jpg": lambda h: h.reply(b"\xff\xd8" + b"\0" * (MAX_BYTES + 1)),
    "/huge-unannounced.jpg": lambda h: h.reply(b"\xff\xd8" + b"\0" * (MAX_BYTES + 1), length=False),
    "/to-private": lambda h: h.redirect("http://10.0.0.1/photo.jpg"),
    "/to-metadata": lambda h: h.redirect("http://169.254.169.254/latest/meta-data/"),
    "/to-localhost": lambda h: h.redirect("http://localhost:{port}/photo.jpg"),
    "/to-photo": lambda h: h.redirect("/photo.jpg"),
    "/loop": lambda h: h.redirect("/loop"),
    "/hang.jpg": lambda h: h.hang(),
}
BAD = {
    "/bomb.png": "too_many_pixels",
    "/text.jpg": "not_an_image",
    "/huge.jpg": "too_large",
    "/huge-unannounced.jpg": "too_large",
    "/to-private": "private_address",
    "/to-metadata": "private_address",
    "/to-localhost": "private_address",
    "/loop": "too_many_redirects",
    "/hang.jpg": "timeout",
    "/missing.jpg": "http_status",
}


@override_settings(
    IMAGES_FETCH_ALLOWED_HOSTS=["127.0.0.1"],
    IMAGES_MAX_BYTES=MAX_BYTES,
    IMAGES_FETCH_TIMEOUT=0.5,
)
class CacheImagesTests(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        cls.server.daemon_threads = True
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.base = f"http://127.0.0.1:{cls.server.server_port}"
        cls.media = Path(tempfile.mkdtemp())
        cls.enterClassContext(override_settings(MEDIA_ROOT=cls.media))
        super().setUpClass()  # after the server: setUpTestData needs its address

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        shutil.rmtree(cls.media, ignore_errors=True)
        super().tearDownClass()

    @classmethod
    def setUpTestData(cls):
        cls.article = make_article(title="Good pictures")
        for position, path in enumerate(["/photo.jpg", "/rotated.jpg", "/logo.png", "/to-photo"]):
            Image.objects.create(article=cls.article, position=position, url=cls.base + path)
        cls.bad = make_article(title="Bad pictures")
        for position, path in enumerate(BAD):
            Image.objects.create(article=cls.bad, position=position, url=cls.base + path)

    def setUp(self):
        shutil.rmtree(self.media, ignore_errors=True)
        self.media.mkdir()

    def run_command(self, *args) -> str:
        out = io.StringIO()
        call_command("cache_images", "--workers", "4", *args, stdout=out)
        return out.getvalue()

    def stored(self) -> set[str]:
        return {str(p.relative_to(self.media)) for p in self.media.rglob("*") if p.is_file()}

    def test_good_images_are_cached_and_bad_ones_refused_with_their_reason(self):
        output = self.run_command()
        assert "4 fetched (4 images), 0 skipped" in output
        assert f"{len(BAD)} failed (" in output
        for reason in set(BAD.values()):
            assert reason in output

        photo, rotated, logo, redirected = self.article.images.order_by("position")
        assert (photo.width, photo.height) == (2000, 1500)
        assert [(r["width"], r["height"]) for r in photo.renditions] == [
            (320, 240),
            (640, 480),
            (1280, 960),
        ]
        assert (rotated.width, rotated.height) == (600, 900)
        assert [(r["width"], r["height"]) for r in rotated.renditions] == [
            (320, 480),
            (600, 900),
        ]
        assert (logo.width, logo.height) == (200, 100)
        assert logo.file.name.endswith(".png")
        assert redirected.file.name == photo.file.name  # one picture, stored once
        for image in (photo, rotated, logo):
            for rendition in image.renditions:
                with PILImage.open(self.media / rendition["name"]) as webp:
                    assert webp.format == "WEBP"
                    assert webp.size == (rendition["width"], rendition["height"])
        expected = {image.file.name for image in (photo, rotated, logo)} | {
            r["name"] for image in (photo, rotated, logo) for r in image.renditions
        }
        assert self.stored() == expected  # nothing of the bad ones

        for image in self.bad.images.order_by("position"):
            path = image.url.removeprefix(self.base)
            assert image.failure.startswith(BAD[path] + ":"), (path, image.failure)
            assert image.url.endswith(path)  # the remote URL is kept
            assert not image.file and not image.renditions and image.failed_at

    def test_failures_are_retried_only_when_asked(self):
        self.run_command()
        output = self.run_command()
        assert f"0 fetched (0 images), {len(BAD)} skipped" in output
        with override_settings(IMAGES_MAX_BYTES=MAX_BYTES * 10):
            output = self.run_command("--retry-failed", "--limit", "2")
        assert "0 skipped" in output
        assert Image.objects.exclude(failure="").count() == len(BAD)  # `/bomb.png` is still bad

    def test_the_front_page_serves_local_webp_renditions_after_caching(self):
        self.run_command("--limit", "1")
        photo = self.article.images.get(position=0)
        html = self.client.get("/").content.decode()
        srcset = markup.srcset(photo.renditions)
        assert srcset.startswith("/media/images/")
        assert f'srcset="{srcset}"' in html
        assert photo.url not in html

    def test_default_settings_refuse_the_test_server(self):
        with override_settings(IMAGES_FETCH_ALLOWED_HOSTS=[]):
            output = self.run_command("--limit", "1")
        assert "private_address 1" in output
        assert self.stored() == set()
