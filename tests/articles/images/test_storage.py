"""Stored image files: admin uploads (verified, rendered, or refused with nothing stored), and
no orphans in MEDIA_ROOT when rows are deleted, replaced or re-imported."""

import shutil
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from articles.images import markup, storage, verify
from articles.models import Article, Image
from articles.seeds import import_paths
from newsroom.content import PendingBump
from providers.models import Provider
from tests.articles.editing.helpers import make_superuser
from tests.articles.images.test_verify_and_fetch import picture, png_bomb
from tests.articles.seeds.builders import write_seed
from tests.factories import make_article, make_provider


class MediaTestCase(TestCase):
    """A TestCase with a MEDIA_ROOT of its own, emptied before each test."""

    @classmethod
    def setUpClass(cls):
        cls.media = Path(tempfile.mkdtemp())
        cls.enterClassContext(override_settings(MEDIA_ROOT=cls.media))
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.media, ignore_errors=True)
        super().tearDownClass()

    def setUp(self):
        shutil.rmtree(self.media, ignore_errors=True)
        self.media.mkdir()

    def stored(self) -> set[str]:
        return {str(p.relative_to(self.media)) for p in self.media.rglob("*") if p.is_file()}

    def cache(self, image: Image, data: bytes) -> storage.Stored:
        stored = storage.cache_bytes(data)
        image.file.name, image.renditions = stored.name, stored.renditions
        image.width, image.height = stored.width, stored.height
        image.save()
        return stored


def names(stored: storage.Stored) -> set[str]:
    return {stored.name} | {r["name"] for r in stored.renditions}


def upload(data: bytes, name="picture.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


class AdminUploadTests(MediaTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = make_superuser()
        cls.article = make_article(title="Needs a picture")
        cls.provider = make_provider(name="Outlet", domain="outlet.example")

    def setUp(self):
        super().setUp()
        self.client.force_login(self.user)

    def post_article(self, file) -> object:
        """The article's change form, unchanged but for one new image row with `file`."""
        url = reverse("admin:articles_article_change", args=[self.article.pk])
        form = self.client.get(url).context["adminform"].form
        data = {name: form.initial[name] for name in ["title", "slug", "kind", "category"]}
        local = timezone.localtime(self.article.published_at)
        data.update(
            provider=self.article.provider_id,
            web_url=self.article.web_url,
            is_published="on",
            published_at_0=f"{local:%Y-%m-%d}",
            published_at_1=f"{local:%H:%M:%S}",
        )
        for prefix in ["images", "related_links"]:
            data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
        data.update(
            {
                "images-TOTAL_FORMS": 1,
                "images-0-position": 0,
                "images-0-upload": file,
                "images-0-alt": "An uploaded picture",
            }
        )
        return self.client.post(url, data)

    def test_an_uploaded_lead_image_is_verified_and_rendered(self):
        response = self.post_article(upload(picture(size=(1000, 800))))
        assert response.status_code == 302
        image = self.article.images.get()
        assert (image.url, image.width, image.height) == ("", 1000, 800)
        assert [r["width"] for r in image.renditions] == [320, 640, 1000]
        assert self.stored() == {image.file.name} | {r["name"] for r in image.renditions}
        html = self.client.get(self.article.get_absolute_url()).content.decode()
        assert f'srcset="{markup.srcset(image.renditions)}"' in html

    def test_the_change_form_shows_why_an_image_failed(self):
        Image.objects.create(
            article=self.article, url="https://x.example/a.jpg", failure="http_status: HTTP 404"
        )
        url = reverse("admin:articles_article_change", args=[self.article.pk])
        assert "http_status: HTTP 404" in self.client.get(url).content.decode()

    def test_a_bad_upload_is_a_form_error_and_nothing_is_stored(self):
        for data in [b"<?php echo 'hi'; ?>", png_bomb(), picture("BMP", size=(5, 5))]:
            response = self.post_article(upload(data))
            assert response.status_code == 200
            errors = str(response.context["inline_admin_formsets"][0].formset.errors)
            assert "This file cannot be used as an image" in errors
            assert not self.article.images.exists()
            assert self.stored() == set()

    def test_a_provider_logo_upload_is_verified_and_rendered(self):
        url = reverse("admin:providers_provider_change", args=[self.provider.pk])
        data = {"name": "Outlet", "domain": "outlet.example", "slug": self.provider.slug}
        response = self.client.post(url, {**data, "logo_upload": upload(b"GIF89a nonsense")})
        assert response.status_code == 200
        assert "This file cannot be used as an image" in response.content.decode()
        assert self.stored() == set()

        logo = picture("PNG", size=(400, 100), mode="RGBA", color=(0, 0, 0, 0))
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url, {**data, "logo_upload": upload(logo, "logo.png")})
        assert response.status_code == 302
        self.provider.refresh_from_db()
        assert self.provider.logo.name.endswith(".png")
        assert [r["width"] for r in self.provider.logo_renditions] == [320, 400]
        first = {self.provider.logo.name} | {r["name"] for r in self.provider.logo_renditions}
        assert self.stored() == first

        # A new logo replaces the old one's files once saved.
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(url, {**data, "logo_upload": upload(picture("PNG", size=(50, 50)))})
        self.provider.refresh_from_db()
        assert self.provider.logo_renditions[0]["width"] == 50
        assert self.stored().isdisjoint(first)
        assert len(self.stored()) == 2


class FileRemovalTests(MediaTestCase):
    """Deleting an article, an image or a provider removes its files and renditions after
    commit, unless another row still uses them."""

    def test_deleting_an_article_removes_its_images_files(self):
        article = make_article(images=1, related=1)
        own = self.cache(article.images.get(), picture(size=(700, 500)))
        linked = self.cache(Image.objects.get(related_link__article=article), picture("PNG"))
        assert self.stored() == names(own) | names(linked)
        with self.captureOnCommitCallbacks(execute=True):
            Article.objects.filter(pk=article.pk).delete()
        assert self.stored() == set()

    def test_a_file_shared_by_two_rows_stays_until_the_last_goes(self):
        first, second = make_article(images=1), make_article(images=1)
        data = picture(size=(800, 600))
        stored = self.cache(first.images.get(), data)
        assert self.cache(second.images.get(), data) == stored
        with self.captureOnCommitCallbacks(execute=True):
            first.images.get().delete()
        assert self.stored() == names(stored)
        with self.captureOnCommitCallbacks(execute=True):
            second.delete()
        assert self.stored() == set()

    def test_a_rolled_back_deletion_keeps_the_files(self):
        image = make_article(images=1).images.get()
        stored = self.cache(image, picture(size=(400, 300)))
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            image.delete()
            Image.objects.create(
                article=image.article, url="https://x.example/a.jpg", file=stored.name
            )
        # One file flush (the content version's bump is the other commit callback).
        assert len([c for c in callbacks if not isinstance(c, PendingBump)]) == 1
        assert self.stored() == names(stored)

    def test_deleting_a_provider_removes_its_logo(self):
        provider = make_provider()
        storage.attach_logo(provider, verify.verify_upload(upload(picture("PNG", size=(90, 30)))))
        provider.save()
        assert len(self.stored()) == 2
        with self.captureOnCommitCallbacks(execute=True):
            provider.delete()
        assert self.stored() == set()


class ReimportTests(MediaTestCase):
    """A changed seed file recreates its article's images: those whose URL is unchanged keep
    their local copy (or their recorded failure); the files of the others are removed."""

    def test_a_reimport_keeps_cached_images_by_url_and_removes_the_rest(self):
        folder = Path(tempfile.mkdtemp(dir=self.media))
        kept_url, gone_url = "https://media.example/kept.jpg", "https://media.example/gone.jpg"
        seed = [{"url": kept_url}, {"url": gone_url}, {"url": "https://media.example/bad.jpg"}]
        path = write_seed(folder, "a.md", images=seed)
        import_paths([path])
        kept, gone, bad = Article.objects.get().images.order_by("position")
        kept_files = self.cache(kept, picture(size=(900, 600)))
        gone_files = self.cache(gone, picture("PNG", size=(300, 300)))
        bad.failure = "http_status: HTTP 404"
        bad.save()

        write_seed(folder, "a.md", title="Changed", images=[seed[0], seed[2]])
        with self.captureOnCommitCallbacks(execute=True):
            report = import_paths([path])
        assert report.updated == 1
        kept, bad = Article.objects.get().images.order_by("position")
        assert (kept.url, kept.file.name, kept.width) == (kept_url, kept_files.name, 900)
        assert kept.renditions == kept_files.renditions
        assert bad.failure == "http_status: HTTP 404"
        stored = {name for name in self.stored() if not name.startswith(folder.name)}
        assert stored == names(kept_files)
        assert stored.isdisjoint(names(gone_files))
        assert Provider.objects.exists()
