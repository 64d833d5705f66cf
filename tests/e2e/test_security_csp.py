"""The Content-Security-Policy as Chromium enforces it: no page of the public site or of the
admin breaks it (no inline script or style, JSON-LD accepted as data, the video player allowed
as the only frame), and the admin's own scripts (the calendar and clock) run under it."""

import re
from datetime import timedelta

import pytest

from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.e2e.browser import CHROMIUM
from tests.e2e.conftest import open_page
from tests.factories import make_article

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install -y chromium)",
    ),
]


@pytest.fixture
def watched_page(browser):
    """A page that records every CSP violation Chromium reports, and every script error."""
    page = open_page(browser)
    page.violations = []
    page.on(
        "console",
        lambda message: (
            page.violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: page.violations.append(str(error)))
    yield page
    page.context.close()


def test_public_pages_break_no_policy(watched_page, live_server, site_data):
    page = watched_page
    for path in ["/", site_data["cluster"], "/search/?q=facial+recognition", "/no-such-page/"]:
        page.goto(live_server.url + path)
    assert page.locator('script[type="application/ld+json"]').count() == 0  # a 404 has none
    page.goto(live_server.url + site_data["cluster"])
    assert page.locator('script[type="application/ld+json"]').count() == 1
    assert page.violations == []


def test_video_player_is_allowed_to_load(watched_page, live_server, site_data):
    page = watched_page
    page.goto(live_server.url + site_data["video"])
    page.locator(".video-play").click()
    frame = page.locator(".video iframe")
    assert frame.get_attribute("src").startswith("https://www.youtube-nocookie.com/embed/")
    page.wait_for_timeout(200)
    assert page.violations == []


def test_admin_pages_break_no_policy(watched_page, live_server, site_data):
    get_user_model().objects.create_superuser("csp-editor", password="quiet-harbour-4821")
    page = watched_page
    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", "csp-editor")
    page.fill("#id_password", "quiet-harbour-4821")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    for path in [
        "/admin/articles/article/",
        "/admin/articles/article/add/",
        "/admin/providers/provider/",
        "/admin/auth/user/",
    ]:
        page.goto(live_server.url + path, wait_until="networkidle")
        assert page.locator("#content").count() == 1, path
    page.goto(live_server.url + "/admin/articles/article/")
    page.locator("#result_list tbody a").first.click()
    # Let every request finish, so no server thread still holds a connection at teardown.
    page.wait_for_load_state("networkidle")
    assert page.violations == []


def test_editor_owned_dates_keep_their_shortcuts_and_a_preview_opens(watched_page, live_server):
    """On the change form, a date and time the editor owns still get the admin's calendar and
    clock with their Today and Now shortcuts; "Preview" opens a scheduled story under its
    banner. Neither breaks the policy."""
    get_user_model().objects.create_superuser("preview-editor", password="quiet-harbour-4821")
    story = make_article(
        title="Scheduled in the browser",
        publish_at=timezone.now() + timedelta(days=1),
        edited_fields=["published_at", "publish_at"],
    )
    page = watched_page
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "preview-editor")
    page.fill("#id_password", "quiet-harbour-4821")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    page.goto(live_server.url + f"/admin/articles/article/{story.pk}/change/")
    date, time = page.locator("#id_publish_at_0"), page.locator("#id_publish_at_1")
    assert date.get_attribute("class") == "vDateField editor-owned"
    page.locator("#id_publish_at_0 + .datetimeshortcuts").get_by_text("Today").click()
    assert date.input_value() == timezone.localdate().isoformat()
    page.locator("#id_publish_at_1 + .datetimeshortcuts").get_by_text("Now").click()
    assert re.fullmatch(r"\d\d:\d\d:\d\d", time.input_value())
    assert page.locator("#id_published_at_0 + .datetimeshortcuts .date-icon").count() == 1

    page.locator(".object-tools").get_by_text("Preview").click()
    page.wait_for_url(live_server.url + story.get_absolute_url())
    banner = page.locator(".preview-banner").inner_text()
    assert banner.startswith("Preview — not public (scheduled for ")
    page.wait_for_load_state("networkidle")
    assert page.violations == []
    story.delete()
