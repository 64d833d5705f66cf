"""Staff's preview: a story readers may not see, at its public address, as readers would see
it, under a banner saying why it is not public; a 404 for everyone else; never cached."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client, TestCase
from django.utils import timezone

from articles.visibility import short_datetime
from tests.articles.editing.helpers import make_editor
from tests.factories import make_article, make_provider
from tests.test_cache import PageCacheTestCase

BANNER = '<p class="preview-banner" role="status"><strong>Preview</strong> — not public ({})</p>'


def make_hidden_stories() -> dict:
    """A story in each state readers may not see, by the banner's reason."""
    now = timezone.now()
    scheduled = make_article(title="Scheduled story", publish_at=now + timedelta(days=1))
    expired = make_article(title="Expired story", expires_at=now - timedelta(hours=1))
    return {
        "unpublished": make_article(title="Unpublished story", is_published=False),
        f"scheduled for {short_datetime(scheduled.publish_at)}": scheduled,
        f"expired {short_datetime(expired.expires_at)}": expired,
        "removed": make_article(title="Removed story", is_removed=True),
        "outlet blocked": make_article(
            title="Blocked story", provider=make_provider(is_blocked=True)
        ),
    }


class PreviewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()
        users = get_user_model().objects
        cls.reader = users.create_user("reader", password="x-pass-123456")
        cls.staff_without_permission = users.create_user(
            "intern", password="x-pass-123456", is_staff=True
        )
        cls.staff_without_permission.user_permissions.add(
            Permission.objects.get(codename="view_provider")
        )
        cls.hidden = make_hidden_stories()
        cls.live = make_article(title="Live story")

    def test_staff_see_each_story_readers_may_not_under_a_banner(self):
        self.client.force_login(self.editor)
        for reason, story in self.hidden.items():
            response = self.client.get(story.get_absolute_url())
            assert response.status_code == 200, reason
            html = response.content.decode()
            assert BANNER.format(reason) in html
            assert f'<h1 id="story-title">{story.title}</h1>' in html
            assert '<meta name="robots" content="noindex">' in html
            cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
            assert {"private", "no-store"} <= cache_control, reason

    def test_readers_get_the_404_of_a_story_that_does_not_exist(self):
        """Anonymous readers, signed-in readers and staff who may not view articles."""
        clients = {"anonymous": Client()}
        for user in [self.reader, self.staff_without_permission]:
            clients[user.username] = Client()
            clients[user.username].force_login(user)
        for who, client in clients.items():
            for reason, story in self.hidden.items():
                response = client.get(story.get_absolute_url())
                assert response.status_code == 404, (who, reason)
                assert b"preview-banner" not in response.content
                assert story.title.encode() not in response.content

    def test_a_live_story_is_the_readers_page_for_staff_too(self):
        self.client.force_login(self.editor)
        response = self.client.get(self.live.get_absolute_url())
        assert response.status_code == 200
        assert b"preview-banner" not in response.content
        assert b'name="robots"' not in response.content

    def test_a_preview_costs_a_fixed_number_of_queries(self):
        """The session, the user, the readers' read that finds nothing, the editor's
        permissions (theirs and their groups'), the story, and the page's five reads (the
        cluster, its images, our own pages among it, the topics, more on the topic)."""
        story = make_article(is_published=False, topics=["AI"], images=1, related=3)
        make_article(topics=["AI"])
        self.client.force_login(self.editor)
        with self.assertNumQueries(11):
            response = self.client.get(story.get_absolute_url())
        assert response.status_code == 200
        assert response.content.count(b'class="cluster-item') == 3


class PreviewIsNeverCachedTests(PageCacheTestCase):
    """With the page cache on: a preview leaves nothing behind for the next reader."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()
        cls.hidden = make_hidden_stories()

    def test_a_preview_then_a_reader_gets_404(self):
        staff = Client()
        staff.force_login(self.editor)
        for reason, story in self.hidden.items():
            preview = staff.get(story.get_absolute_url())
            assert preview.status_code == 200, reason
            assert BANNER.format(reason) in preview.content.decode()
            assert "X-Page-Cache" not in preview
            assert "no-store" in preview["Cache-Control"]
            for _ in range(2):
                response = self.get(story.get_absolute_url())
                assert response.status_code == 404, reason
                assert b"preview-banner" not in response.content
