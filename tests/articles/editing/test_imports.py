"""Importing seed files from the admin, and the read-only import history."""

import io
import stat
import zipfile
from datetime import UTC, datetime
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article, ImportRun
from articles.seeds import uploads
from articles.seeds.read import content_hash
from tests.articles.editing.helpers import make_editor, make_superuser, messages_of
from tests.articles.seeds.builders import seed_bytes
from tests.factories import make_article

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


def symlink_member(name: str) -> zipfile.ZipInfo:
    """A member whose mode says it is a symbolic link (its data is the link's target)."""
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
            {symlink_member("link"): b"/etc", "link/b.md": story(2)},
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


class ImportRunPageTests(TestCase):
    """A run's page says what it did, story by story and file by file, in the admin's one date
    format; its list costs a fixed number of queries."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()
        cls.new = make_article(title="A new story")
        cls.changed = make_article(title="A changed story")
        cls.import_run = ImportRun.objects.create(
            started_at=datetime(2026, 11, 26, 21, 29, tzinfo=UTC),
            finished_at=datetime(2026, 11, 26, 21, 30, tzinfo=UTC),
            status=ImportRun.Status.FINISHED,
            trigger=ImportRun.Trigger.ADMIN,
            started_by=cls.editor,
            files=5,
            created=2,
            updated=1,
            skipped=1,
            warnings=1,
            created_ids=[cls.new.pk, 999_999],  # the second one deleted since
            updated_ids=[cls.changed.pk],
            skips=[{"file": "seeds/pipe", "reason": "not a regular file: a named pipe (FIFO)"}],
            warning_messages=[{"file": "seeds/a.md", "message": "ignored quality: 'x' is not"}],
        )

    def setUp(self):
        self.client.force_login(self.editor)

    def page(self):
        url = reverse("admin:articles_importrun_change", args=[self.import_run.pk])
        response = self.client.get(url)
        assert response.status_code == 200
        return response.content.decode()

    def test_the_stories_created_and_updated_are_linked(self):
        html = self.page()
        for article in (self.new, self.changed):
            link = reverse("admin:articles_article_change", args=[article.pk])
            assert f'<a href="{link}">{article.title}</a>' in html
        assert "Stories created (2; 1 listed)" in html
        assert "Stories updated (1)" in html

    def test_someone_who_may_not_open_articles_gets_the_titles_without_links(self):
        clerk = get_user_model().objects.create_user("clerk", password="x", is_staff=True)
        clerk.user_permissions.add(*Permission.objects.filter(codename="view_importrun"))
        self.client.force_login(clerk)
        html = self.page()
        assert "<li>A new story</li>" in html
        assert reverse("admin:articles_article_change", args=[self.new.pk]) not in html

    def test_skipped_files_and_warnings_are_listed_with_their_file(self):
        html = self.page()
        assert "<td>seeds/pipe</td><td>not a regular file: a named pipe (FIFO)</td>" in html
        assert "<td>seeds/a.md</td><td>ignored quality: &#x27;x&#x27; is not</td>" in html
        assert "Rejected files (0)" in html

    def test_started_by_is_plain_text_not_a_link_to_the_user_admin(self):
        """The user admin is for superusers: a link there was a 403 for the editors who read
        this page."""
        html = self.page()
        assert '<div class="readonly">editor</div>' in html
        assert "/admin/auth/user/" not in html

    @override_settings(TIME_ZONE="America/New_York")
    def test_one_date_format_in_the_editors_time_zone(self):
        """The project's DATETIME_FORMAT on the list, the page, its title and the dashboard,
        in the time zone in force (21:29 UTC is 16:29 in New York)."""
        pages = {
            "list": self.client.get(reverse("admin:articles_importrun_changelist")),
            "page": self.client.get(
                reverse("admin:articles_importrun_change", args=[self.import_run.pk])
            ),
            "dashboard": self.client.get(reverse("admin:index")),
        }
        for name, response in pages.items():
            html = response.content.decode()
            assert "26 Nov 2026, 16:29" in html, name
            assert "p.m." not in html and "2026-11-26" not in html, name
        assert "<title>Import of 26 Nov 2026, 16:29 |" in pages["page"].content.decode()
        assert "26 Nov 2026, 16:30" in pages["page"].content.decode()

    def test_a_run_that_never_finished_shows_as_interrupted(self):
        ImportRun.objects.create(status=ImportRun.Status.INTERRUPTED, files=6000, created=500)
        changelist = self.client.get(reverse("admin:articles_importrun_changelist"))
        assert '<td class="field-status">Interrupted</td>' in changelist.content.decode()
        dashboard = self.client.get(reverse("admin:index")).content.decode()
        assert "(command line, <strong>interrupted</strong>)" in dashboard

    def test_the_list_costs_a_fixed_number_of_queries(self):
        """Session, user, the count, the date drill-down, the rows with their starters: the
        same for 1 run as for 30."""
        url = reverse("admin:articles_importrun_changelist")
        counts = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                assert self.client.get(url).status_code == 200
            counts.append(len(queries))
            ImportRun.objects.bulk_create(
                ImportRun(started_by=self.editor, status="finished") for _ in range(29)
            )
        assert counts[0] == counts[1]

    def test_the_page_costs_a_fixed_number_of_queries(self):
        """Session, user, the editor's permissions (two), the run with its starter (read by
        this page for its lists, then by the admin's form), the titles of its stories."""
        with self.assertNumQueries(7):
            self.page()
