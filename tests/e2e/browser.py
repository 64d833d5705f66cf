"""Debian's Chromium under Playwright, cut off from the internet.

Never a downloaded browser: `apt-get install -y chromium` puts it at /usr/bin/chromium."""

from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

# What an outlet's hot-linked image becomes offline: a grey box, so layouts look as they will.
PLACEHOLDER_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="900" viewBox="0 0 16 9">'
    '<rect width="16" height="9" fill="#a7b1bd"/></svg>'
)


def launch(playwright):
    """Chromium from /usr/bin/chromium, headless."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def keep_offline(context) -> None:
    """Serve every request for another host from here, at once: images get a placeholder,
    anything else is refused. Tests never wait on (or reach) the internet."""

    def handle(route):
        request = route.request
        if urlsplit(request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        elif request.resource_type == "image":
            route.fulfill(status=200, content_type="image/svg+xml", body=PLACEHOLDER_SVG)
        else:
            route.abort("blockedbyclient")

    context.route("**/*", handle)
