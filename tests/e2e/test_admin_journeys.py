"""An editor's journeys through the admin, in Debian's Chromium: the form of the largest cluster
and the articles list fit the screen, related stories are put in order by dragging, and the
list remembers its filters."""

import re

import pytest

from django.db.models import Count
from django.urls import reverse

from articles.models import Article, RelatedLink
from tests.articles.editing.helpers import make_superuser
from tests.e2e.browser import CHROMIUM
from tests.e2e.conftest import open_page

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install -y chromium)",
    ),
]

LAPTOP = {"width": 1440, "height": 900}
SMALL_LAPTOP = {"width": 1024, "height": 768}
# make_superuser's (the "Editor" group, made by a migration, is gone once a test before these
# has flushed the database).
USER, PASSWORD = "boss", "x-pass-123456"

# What scrolls sideways: the page itself, or a box inside it (Django's admin gives a table too
# wide for the page a scroll bar of its own).
SIDEWAYS = """() => ({
  page: document.documentElement.scrollWidth > window.innerWidth,
  boxes: Array.from(document.querySelectorAll("body *"))
    .filter((e) => ["auto", "scroll"].includes(getComputedStyle(e).overflowX))
    .filter((e) => e.scrollWidth > e.clientWidth + 1)
    .map((e) => e.id || e.className),
})"""
NOTHING_SIDEWAYS = {"page": False, "boxes": []}


@pytest.fixture(scope="module")
def cluster(site_data, django_db_blocker):
    """The article with the largest cluster (32 related stories in the seed files)."""
    with django_db_blocker.unblock():
        make_superuser(USER)
        article = Article.objects.annotate(n=Count("related_links")).order_by("-n", "pk").first()
    assert article.n >= 32
    return article


def log_in(browser, live_server, viewport):
    page = open_page(browser, viewport=viewport)
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", USER)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    return page


def related_titles(page):
    rows = page.locator("#related_links-group .inline-related:not(.empty-form) .nr-row-title")
    return rows.all_inner_texts()


def test_the_form_of_a_large_cluster_fits_a_laptop_and_a_small_laptop(
    browser, live_server, cluster
):
    """At 1,440 and 1,024 pixels nothing scrolls sideways, with the cluster folded after its
    first 8 stories, all 32 shown, or a story's fields open."""
    url = live_server.url + reverse("admin:articles_article_change", args=[cluster.pk])
    for viewport in (LAPTOP, SMALL_LAPTOP):
        page = log_in(browser, live_server, viewport)
        page.goto(url)
        shown = page.locator("#related_links-group .inline-related:not(.empty-form):visible")
        assert shown.count() == 8
        assert page.evaluate(SIDEWAYS) == NOTHING_SIDEWAYS, viewport
        if viewport is LAPTOP:  # the form was 8,400 pixels tall with the whole cluster open
            assert page.evaluate("document.documentElement.scrollHeight") < 4000

        page.get_by_role("button", name=f"Show all {cluster.n} related stories").click()
        assert shown.count() == cluster.n
        page.locator("#related_links-0 .nr-row-fields > summary").click()
        page.locator("#images-0 .nr-row-fields > summary").click()
        assert page.locator("#id_related_links-0-title").is_visible()
        assert page.evaluate(SIDEWAYS) == NOTHING_SIDEWAYS, viewport
        page.context.close()


def test_dragging_the_third_related_story_to_the_top_saves_that_order(
    browser, live_server, cluster
):
    page = log_in(browser, live_server, LAPTOP)
    page.goto(live_server.url + reverse("admin:articles_article_change", args=[cluster.pk]))
    before = related_titles(page)
    page.evaluate("document.querySelector('#related_links-0').scrollIntoView({block: 'start'})")
    handle = page.locator("#related_links-2 .nr-handle").bounding_box()
    top = page.locator("#related_links-0").bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(handle["x"] + handle["width"] / 2, top["y"] + 5, steps=12)
    page.mouse.up()
    expected = [before[2], before[0], before[1], *before[3:]]
    assert related_titles(page) == expected

    page.locator("input[name=_continue]").click()
    page.wait_for_selector(".messagelist .success")
    saved = RelatedLink.objects.filter(article=cluster).order_by("position", "pk")
    assert [link.title for link in saved] == expected
    assert related_titles(page) == expected
    assert "related_links" in Article.objects.get(pk=cluster.pk).edited_fields
    page.context.close()


def test_the_articles_list_fits_a_laptop_and_remembers_its_filters(browser, live_server):
    """The list, filtered or not, does not scroll sideways at 1,440 pixels; an editor who
    leaves it filtered finds it filtered when coming back, until they clear the filters."""
    page = log_in(browser, live_server, LAPTOP)
    page.get_by_role("link", name="Articles", exact=True).first.click()
    page.wait_for_url(re.compile(r"/admin/articles/article/$"))
    assert page.locator("#result_list tbody tr").count() == 50
    assert page.evaluate(SIDEWAYS) == NOTHING_SIDEWAYS

    page.locator("#changelist-filter").get_by_role("link", name="Video").click()
    page.wait_for_url(re.compile(r"\?kind__exact=video$"))
    assert page.evaluate(SIDEWAYS) == NOTHING_SIDEWAYS

    page.locator(".breadcrumbs").get_by_role("link", name="Home").click()
    page.get_by_role("link", name="Articles", exact=True).first.click()
    page.wait_for_url(re.compile(r"\?kind__exact=video$"))
    assert "filtered as you last left it" in page.locator(".messagelist").inner_text()

    page.get_by_role("link", name="Clear all filters").click()
    page.wait_for_url(re.compile(r"/admin/articles/article/$"))
    assert "1,410 articles" in page.locator(".paginator").inner_text()
    page.context.close()
