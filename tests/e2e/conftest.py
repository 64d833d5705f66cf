"""Browser tests: one live server, one database loaded once for the whole module, one Chromium.

pytest-django gives each `live_server` test a `transactional_db`, which empties the database
after every test. These tests only read, so `transactional_db` is overridden here: the data is
loaded once (`site_data`) and flushed when the module is done, so later tests start empty."""

import pytest
from playwright.sync_api import sync_playwright

from django.core.management import call_command
from django.db import connections

from tests.e2e.browser import keep_offline, launch
from tests.e2e.data import load_site_data

DESKTOP = {"width": 1440, "height": 1000}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def site_data(django_db_setup, django_db_blocker):
    """Load the data once; yield the paths the tests visit; flush at the end."""
    with django_db_blocker.unblock():
        paths = load_site_data()
        yield paths
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def transactional_db(site_data, django_db_blocker):
    """The live server and the tests share the module's data, unflushed between tests."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture(scope="module")
def browser(site_data):
    # Playwright's sync API runs an event loop in this thread; Django refuses database work
    # in a thread with a running loop unless told it is safe (the server runs in its own).
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def close_test_connections():
    """Close the database connections a test body opened. With Playwright's sync API running,
    Django's per-context connection handler gives a test body a connection of its own, which
    nothing else closes; left open, PostgreSQL refuses to drop the test database at the end."""
    yield
    connections.close_all()


def open_page(browser, *, viewport=DESKTOP, color_scheme="light"):
    context = browser.new_context(viewport=viewport, color_scheme=color_scheme)
    context.set_default_timeout(10_000)
    keep_offline(context)
    return context.new_page()


@pytest.fixture
def page(browser, live_server):
    page = open_page(browser)
    yield page
    page.context.close()
