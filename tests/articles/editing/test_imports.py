"""Importing seed files from the admin, and the read-only import history."""

import io
import stat
import zipfile
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse

from articles.models import Article, ImportRun
from articles.seeds import uploads
from articles.seeds.read import content_hash
from tests.articles.editing.helpers import make_editor, make_superuser, messages_of
from tests.articles.seeds.builders import seed_bytes

UPLOAD = reverse("admin:articles_importrun_upload")


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def zipped(members: dict, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A .zip of `members`: {name or ZipInfo: bytes}."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def symlink_member(name: str, target: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


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

    def test_sizes_are_told_exactly_in_bytes(self):
        """One byte over the limit is not "1.0 MB, over the limit of 1.0 MB"."""
        limit = settings.SEED_MAX_BYTES
        data = story(1).replace(b"---\n", b"---\n#" + b"x" * limit + b"\n", 1)[: limit + 1]
        response = self.post(upload("big.md", data))
        self.assert_refused(
            response, "big.md is 1,048,577 bytes, over the seed file limit of 1,048,576 bytes"
        )
        response = self.post(upload("big.zip", zipped({"big.md": data})))
        self.assert_refused(response, "'big.md' expands to more than 1,048,576 bytes (1.0")

    def test_a_file_and_a_folder_of_the_same_name_are_refused(self):
        """`a.md` and `a.md/b.md` cannot both be unpacked, in either order; nor can a link
        member and files under it (a member is written as a file, whatever it claims)."""
        for members in [
            {"a.md": story(1), "a.md/b.md": story(2)},
            {"a.md/b.md": story(2), "a.md": story(1)},
            {symlink_member("link", "/etc"): b"/etc", "link/b.md": story(2)},
        ]:
            response = self.post(upload("clash.zip", zipped(members)))
            self.assert_refused(response, "is both a file and a folder in the upload")

    def test_names_and_paths_too_long_for_the_file_system_are_refused(self):
        long_name = "é" * 200 + ".md"  # 403 bytes, in 203 characters
        response = self.post(upload("long.zip", zipped({long_name: story(1)})))
        self.assert_refused(response, "a name of 403 bytes, over the limit of 255 bytes")
        response = self.post(upload(long_name, story(1)))
        self.assert_refused(response, "a name of 403 bytes, over the limit of 255 bytes")
        deep = "a/" * 600 + "b.md"
        response = self.post(upload("deep.zip", zipped({deep: story(1)})))
        self.assert_refused(response, "a path of 1,213 bytes, over the limit of 1,024 bytes")

    def test_two_files_of_one_name_are_both_imported(self):
        response = self.post(upload("one.md", story(1)), upload("one.md", story(2)))
        assert response.status_code == 200
        assert Article.objects.count() == 2

    def test_more_than_a_hundred_files_at_once_are_imported(self):
        """Django refuses a request of more than DATA_UPLOAD_MAX_NUMBER_FILES files with a bare
        "Bad Request (400)"; the upload takes its own limit's worth."""
        response = self.post(*(upload(f"{n}.md", story(n)) for n in range(101)))
        assert response.status_code == 200
        assert ImportRun.objects.get().created == 101
        assert settings.DATA_UPLOAD_MAX_NUMBER_FILES > uploads.MAX_FILES

    def test_more_files_than_the_upload_takes_is_a_form_error(self):
        with mock.patch("articles.seeds.uploads.MAX_FILES", 3):
            response = self.post(*(upload(f"{n}.md", story(n)) for n in range(4)))
        self.assert_refused(response, "4 files in one upload, over the limit of 3; split it up.")

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
        clerk = get_user_model().objects.create_user("clerk", password="x", is_staff=True)
        self.client.force_login(clerk)
        assert self.client.get(UPLOAD).status_code == 403
        assert self.client.post(UPLOAD, {"files": [upload("a.md", story(1))]}).status_code == 403
        assert not Article.objects.exists()
