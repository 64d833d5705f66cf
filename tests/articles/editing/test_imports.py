"""Importing seed files from the admin, and the read-only import history."""

import io
import zipfile
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse

from articles.models import Article, ImportRun
from articles.seeds.read import content_hash
from tests.articles.editing.helpers import make_editor, make_superuser, messages_of
from tests.articles.seeds.builders import seed_bytes

UPLOAD = reverse("admin:articles_importrun_upload")


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def zipped(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def story(n):
    return seed_bytes(title=f"Story {n}", webUrl=f"https://example.org/{n}", originalUrl=None)


class UploadTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()

    def setUp(self):
        self.client.force_login(self.editor)

    def post(self, *files):
        return self.client.post(UPLOAD, {"files": list(files)}, follow=True)

    def assert_refused(self, response, *fragments):
        """A refused upload: the form again, with the reason, and nothing changed at all."""
        assert response.status_code == 200
        assert response.templates[0].name == "admin/articles/importrun/upload.html"
        errors = " ".join(response.context["form"].errors["files"])
        for fragment in fragments:
            assert fragment in errors, errors
        assert "nothing was imported" in response.content.decode()
        assert not Article.objects.exists()
        assert not ImportRun.objects.exists()

    def test_upload_seed_files_and_see_the_run(self):
        response = self.post(upload("one.md", story(1)), upload("two.txt", story(2)))
        run = ImportRun.objects.get()
        assert response.redirect_chain[-1][0] == reverse(
            "admin:articles_importrun_change", args=[run.pk]
        )
        assert (run.trigger, run.started_by, run.created, run.rejected) == (
            "admin",
            self.editor,
            2,
            0,
        )
        assert messages_of(response)[0].startswith("Import finished: 2 created, 0 updated")
        assert Article.objects.count() == 2

    def test_a_zip_with_a_bad_file_imports_the_rest_and_lists_the_rejection(self):
        archive = zipped(
            {"news/one.md": story(1), "news/broken.md": b"---\ntitle: [unclosed\n---\n"}
        )
        response = self.post(upload("batch.zip", archive))
        run = ImportRun.objects.get()
        assert (run.created, run.rejected) == (1, 1)
        assert run.rejections[0]["file"] == "batch.zip/news/broken.md"
        html = response.content.decode()
        assert "batch.zip/news/broken.md" in html and "newsroom-upload-" not in html
        assert "1 rejected" in messages_of(response)[0]

    def test_a_corrected_file_uploaded_again_updates_its_story(self):
        """An upload is known by the name the editor gave it, not by the temporary folder it
        was unpacked in: so a corrected file uploaded again is the same file, and updates its
        story even when the older version would win between two different files (same
        publication time, larger content hash)."""
        first = seed_bytes(title="Frist draft", webUrl="https://example.org/fix")
        fixed = next(
            data
            for n in range(100)
            if content_hash(
                data := seed_bytes(title=f"First draft {n}", webUrl="https://example.org/fix")
            )
            < content_hash(first)
        )
        self.post(upload("fix.md", first))
        assert Article.objects.get().source == "fix.md"
        self.post(upload("fix.md", fixed))
        run = ImportRun.objects.latest("started_at", "pk")
        assert (run.updated, run.unchanged) == (1, 0)
        assert Article.objects.get().title.startswith("First draft")

    def test_a_file_that_is_not_a_seed_file_is_refused(self):
        response = self.post(upload("photo.jpg", b"\xff\xd8\xff\xe0 not yaml at all"))
        self.assert_refused(response, "None of the uploaded files is a seed file", "photo.jpg")

    def test_a_zip_bomb_is_refused(self):
        bomb = zipped({"bomb.md": b"0" * (2 * 1024 * 1024)})
        assert len(bomb) < 10_000
        response = self.post(upload("bomb.zip", bomb))
        self.assert_refused(response, "bomb.zip", "expands to more than")

    def test_a_zip_that_lies_about_its_sizes_is_refused(self):
        """A member whose headers claim 10 bytes but that inflates to 2 MB is not trusted:
        the read stops at the claimed size and the archive is refused."""
        data = bytearray(zipped({"small.md": b"0" * (2 * 1024 * 1024)}))
        local = data.index(b"PK\x03\x04")
        central = data.index(b"PK\x01\x02")
        data[local + 22 : local + 26] = (10).to_bytes(4, "little")
        data[central + 24 : central + 28] = (10).to_bytes(4, "little")
        response = self.post(upload("liar.zip", bytes(data)))
        self.assert_refused(response, "liar.zip: 'small.md' cannot be read")

    def test_path_traversal_is_refused(self):
        for name in ["../../etc/evil.md", "/abs/evil.md", "C:\\evil.md", "a/../../evil.md"]:
            response = self.post(upload("evil.zip", zipped({"ok.md": story(1), name: story(2)})))
            self.assert_refused(response, "unsafe path")

    def test_too_many_members_is_refused(self):
        members = {f"{n}.md": story(n) for n in range(6)}
        with mock.patch("articles.seeds.uploads.MAX_FILES", 5):
            response = self.post(upload("many.zip", zipped(members)))
        self.assert_refused(response, "over the limit of 5")

    def test_a_broken_zip_is_refused(self):
        response = self.post(upload("broken.zip", b"PK\x03\x04 truncated"))
        self.assert_refused(response, "broken.zip is not a valid .zip archive")

    @override_settings(SEED_MAX_BYTES=100)
    def test_an_oversized_file_is_refused(self):
        response = self.post(upload("big.md", story(1)))
        self.assert_refused(response, "over the seed file limit")

    def test_nothing_uploaded(self):
        response = self.client.post(UPLOAD, {})
        assert response.context["form"].errors["files"] == ["This field is required."]
        assert not ImportRun.objects.exists()


class ImportRunAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()
        cls.superuser = make_superuser()
        cls.import_run = ImportRun.objects.create(
            created=3,
            rejected=1,
            rejections=[{"file": "bad.md", "reason": "line 2: <script>bad YAML</script>"}],
        )

    def test_history_is_read_only_and_shows_rejections_escaped(self):
        for user in (self.editor, self.superuser):
            self.client.force_login(user)
            changelist = self.client.get(reverse("admin:articles_importrun_changelist"))
            assert changelist.status_code == 200
            assert 'value="delete_selected"' not in changelist.content.decode()
            url = reverse("admin:articles_importrun_change", args=[self.import_run.pk])
            html = self.client.get(url).content.decode()
            assert "bad.md" in html
            assert "&lt;script&gt;bad YAML&lt;/script&gt;" in html
            assert 'name="created"' not in html
            assert self.client.post(url, {"created": 99}).status_code == 403
            delete = reverse("admin:articles_importrun_delete", args=[self.import_run.pk])
            assert self.client.post(delete, {"post": "yes"}).status_code == 403
        assert ImportRun.objects.get().created == 3

    def test_add_leads_to_the_upload_page(self):
        self.client.force_login(self.editor)
        response = self.client.get(reverse("admin:articles_importrun_add"))
        assert response["Location"] == UPLOAD

    def test_staff_without_the_permission_cannot_upload(self):
        from django.contrib.auth import get_user_model

        clerk = get_user_model().objects.create_user("clerk", password="x", is_staff=True)
        self.client.force_login(clerk)
        assert self.client.get(UPLOAD).status_code == 403
        assert self.client.post(UPLOAD, {"files": [upload("a.md", story(1))]}).status_code == 403
        assert not Article.objects.exists()
