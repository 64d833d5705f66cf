"""A reader's journeys through the public site, in Debian's Chromium."""

import re

import pytest

from tests.e2e.browser import CHROMIUM
from tests.e2e.conftest import DESKTOP, PHONE, open_page

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install -y chromium)",
    ),
]


def check_accessibility_basics(page):
    """Every image has alt text, there is one h1, and the landmarks and skip link are there."""
    missing_alt = page.locator("img:not([alt]), img[alt='']")
    assert missing_alt.count() == 0, missing_alt.first.evaluate("e => e.outerHTML")
    assert page.locator("h1").count() == 1
    for landmark in ("header", "main", "footer", "[role=search]"):
        assert page.locator(landmark).count() >= 1, landmark
    assert page.locator("html").get_attribute("lang") == "en"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"


def test_front_page_card_to_story_to_topic(page, live_server):
    """Front page → a card's story → its topic: each page well-formed and accessible."""
    page.goto(live_server.url)
    assert page.locator("h1").inner_text() == "Top stories"
    cards = page.locator("li.card")
    assert cards.count() == 24
    check_accessibility_basics(page)
    assert page.locator("link[rel=next]").get_attribute("href") == "?page=2"

    title_link = cards.first.locator("h2 a")
    title = re.sub(r"^(Featured|Video)\s+", "", title_link.inner_text())
    title_link.click()
    page.wait_for_url(re.compile(r"/articles/"))
    assert page.locator("h1").inner_text() == title
    check_accessibility_basics(page)
    read_at = page.locator("a.read-at")
    assert read_at.get_attribute("rel") == "noopener"
    assert re.match(r"https?://", read_at.get_attribute("href"))

    topic = page.locator(".story .topics a").first
    topic_name = topic.inner_text()
    topic.click()
    page.wait_for_url(re.compile(r"/topics/"))
    assert page.locator("h1").inner_text() == topic_name
    assert page.locator("li.card").count() >= 1
    check_accessibility_basics(page)


def test_story_with_a_large_cluster(page, live_server, site_data):
    page.goto(live_server.url + site_data["cluster"])
    items = page.locator(".cluster-item")
    assert items.count() >= 5
    assert page.locator("#cluster-title").inner_text().startswith("Full coverage")
    check_accessibility_basics(page)


def test_search_from_the_header(page, live_server, site_data):
    page.goto(live_server.url)
    box = page.get_by_role("searchbox", name="Search stories")
    box.fill(site_data["search"])
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    assert page.locator("#search-page-q").input_value() == site_data["search"]
    assert re.match(r"\d+ results?", page.locator(".count").inner_text())
    assert page.locator("li.card").count() >= 1
    check_accessibility_basics(page)


def test_video_loads_the_nocookie_player_only_on_click(page, live_server, site_data):
    page.goto(live_server.url + site_data["video"])
    assert page.locator("iframe").count() == 0
    page.locator(".video-play").click()
    frame = page.locator(".video iframe")
    assert frame.get_attribute("src").startswith("https://www.youtube-nocookie.com/embed/")


def test_phone_and_desktop_layouts_and_dark_mode(browser, live_server):
    """One column on a phone with nothing wider than the screen; four columns on a wide
    desktop; dark colours when the system asks for them."""
    phone = open_page(browser, viewport=PHONE, color_scheme="dark")
    phone.goto(live_server.url)
    assert grid_columns(phone) == 1
    assert len({round(box["x"]) for box in cards_boxes(phone, 4)}) == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    background = phone.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(21, 23, 26)"
    phone.context.close()

    desktop = open_page(browser, viewport=DESKTOP)
    desktop.goto(live_server.url)
    assert grid_columns(desktop) == 4
    background = desktop.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(244, 245, 247)"
    desktop.context.close()


def grid_columns(page):
    return page.evaluate(
        "getComputedStyle(document.querySelector('.cards')).gridTemplateColumns.split(' ').length"
    )


def cards_boxes(page, count):
    return [page.locator("li.card").nth(n).bounding_box() for n in range(count)]
