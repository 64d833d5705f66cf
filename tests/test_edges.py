"""Bad input at the edges of the public site: each request gets the right 4xx or a normal page,
never a 500."""

import pytest

from django.test import Client

from tests.factories import make_article

LONG = "a" * 10_240
CASES = [
    # (method, path, expected statuses)
    ("get", "/?page=abc", {404}),
    ("get", "/?page=-1", {404}),
    ("get", "/?page=0", {404}),
    ("get", "/?page=1e9", {404}),
    ("get", "/?page=99999999999999999999999", {404}),
    ("get", "/?page=%00", {400}),
    ("get", "/?page=last", {200}),
    ("get", "/?" + "&".join(f"f{n}=1" for n in range(1_200)), {400}),  # too many fields
    ("get", "/?x=" + "a" * 100_000, {200}),  # long, but only ignored noise
    ("get", "/search/?q=%25", {200}),
    ("get", "/search/?q=_", {200}),
    ("get", "/search/?q=%27", {200}),
    ("get", "/search/?q=%22", {200}),
    ("get", "/search/?q=%22unclosed", {200}),
    ("get", "/search/?q=%5C", {200}),
    ("get", "/search/?q=%00", {400}),
    ("get", "/search/?q=a%00b", {400}),
    ("get", "/search/?q=-", {200}),
    ("get", "/search/?q=%26%7C%21%3A*", {200}),
    ("get", f"/search/?q={LONG}", {200}),
    ("get", "/search/?q=" + "word%20" * 200, {200}),
    ("get", "/search/?q=ai&page=abc", {404}),
    ("get", "/search/?q=ai&page=-3", {404}),
    ("get", "/search/?q=%ff%fe", {200}),
    ("get", "/articles/no-such-story/", {404}),
    ("get", "/articles/%C3%A9t%C3%A9/", {404}),
    ("get", "/articles/%FF/", {404}),
    ("get", f"/articles/{LONG}/", {404}),
    ("get", "/topics/no-such-topic/", {404}),
    ("get", "/topics/%00/", {400}),
    ("get", "/providers/%00/feed/", {400}),
    ("get", f"/topics/{LONG}/", {404}),
    ("get", "/topics/no-such-topic/feed/", {404}),
    ("get", "/providers/no-such-outlet/", {404}),
    ("get", "/providers/no-such-outlet/feed/atom/", {404}),
    ("get", "/category/no-such-category/", {404}),
    ("get", "/category/news/?page=abc", {404}),
    ("get", "/feed/?page=-1", {200}),
    ("get", "/sitemap-articles.xml?p=abc", {404}),
    ("get", "/sitemap-articles.xml?p=-1", {404}),
    ("get", "/sitemap-articles.xml?p=99999", {404}),
    ("get", "/sitemap-nothing.xml", {404}),
    ("get", "/nope/%00", {400}),
    ("head", "/", {200}),
    ("head", "/feed/", {200}),
    ("head", "/healthz", {200}),
    ("head", "/search/?q=ai", {200}),
    ("head", "/articles/no-such-story/", {404}),
    ("options", "/", {200}),
    ("options", "/feed/", {200, 405}),
    ("options", "/healthz", {405}),
    ("options", "/robots.txt", {405}),
    ("post", "/", {403}),
    ("post", "/search/?q=ai", {403}),
    ("post", "/feed/", {403}),
    ("post", "/healthz", {403}),
    ("put", "/", {403}),
    ("delete", "/feed/", {403}),
    ("patch", "/robots.txt", {403}),
    ("trace", "/", {405}),
    ("trace", "/feed/", {405}),
    ("trace", "/feed/atom/", {405}),
    ("trace", "/topics/ai/feed/", {405}),
    ("trace", "/sitemap.xml", {405}),
    ("trace", "/sitemap-articles.xml", {405}),
    ("trace", "/robots.txt", {405}),
    ("trace", "/admin/login/", {405}),
]


@pytest.fixture
def story(db):
    return make_article(title="AI story", category="news", topics=["AI"], images=1, related=2)


@pytest.mark.parametrize(("method", "path", "expected"), CASES)
def test_bad_input_gets_a_4xx_or_a_normal_page(story, method, path, expected):
    """A browser-like client (CSRF enforced): never a 500, always the status a reader or a
    crawler should see."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    response = getattr(client, method)(path)
    assert response.status_code in expected, (method, path, response.status_code)


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_unsafe_methods_on_public_pages_are_refused_even_with_a_csrf_token(story, method):
    """Past the CSRF check, the public views still accept only GET and HEAD."""
    client = Client(raise_request_exception=False)
    for path in ["/", "/search/", story.get_absolute_url(), "/topics/ai/", "/healthz"]:
        assert getattr(client, method)(path).status_code == 405, (method, path)
