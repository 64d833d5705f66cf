"""Take the README's screenshots of a running site (not a test).

    python -m tests.e2e.screenshots http://127.0.0.1:8000 docs/screenshots

Outlets' images are replaced by grey placeholders: the screenshots are taken offline."""

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.e2e.browser import keep_offline, launch

DESKTOP = {"width": 1440, "height": 1000}
PHONE = {"width": 390, "height": 844}


def shoot(browser, url, path, *, viewport, scheme, full_page=False):
    context = browser.new_context(
        viewport=viewport,
        color_scheme=scheme,
        device_scale_factor=1,
        is_mobile=viewport is PHONE,
        has_touch=viewport is PHONE,
    )
    keep_offline(context)
    page = context.new_page()
    page.goto(url, wait_until="networkidle")
    page.screenshot(path=str(path), full_page=full_page)
    context.close()
    print(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("out", type=Path)
    parser.add_argument("--article", help="path of an article with a large cluster")
    parser.add_argument("--video", help="path of a video article")
    parser.add_argument("--topic", help="path of a topic page")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    base = args.base_url.rstrip("/")
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for scheme in ("light", "dark"):
            shoot(
                browser,
                f"{base}/",
                args.out / f"front-desktop-{scheme}.png",
                viewport=DESKTOP,
                scheme=scheme,
            )
            shoot(
                browser,
                f"{base}/",
                args.out / f"front-phone-{scheme}.png",
                viewport=PHONE,
                scheme=scheme,
            )
        if not args.article:
            page = browser.new_page()
            page.goto(f"{base}/")
            args.article = re.search(r'href="(/articles/[^"]+)"', page.content()).group(1)
        shoot(
            browser,
            f"{base}{args.article}",
            args.out / "article-desktop-light.png",
            viewport=DESKTOP,
            scheme="light",
            full_page=True,
        )
        if args.topic:
            shoot(
                browser,
                f"{base}{args.topic}",
                args.out / "topic-desktop-light.png",
                viewport=DESKTOP,
                scheme="light",
            )
        if args.video:
            shoot(
                browser,
                f"{base}{args.video}",
                args.out / "video-desktop-dark.png",
                viewport=DESKTOP,
                scheme="dark",
            )
        browser.close()


if __name__ == "__main__":
    main()
