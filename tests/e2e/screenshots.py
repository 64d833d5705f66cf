"""Take the README's screenshots of a running site (not a test).

    python -m tests.e2e.screenshots http://127.0.0.1:8000 docs/screenshots
    ADMIN_PASSWORD=... python -m tests.e2e.screenshots http://127.0.0.1:8000 docs/screenshots \
        --admin-user admin --admin-article 333

Outlets' images are replaced by grey placeholders: the screenshots are taken offline. With
`--admin-user` (its password in ADMIN_PASSWORD, kept off the command line), the admin's
articles list and the change form of `--admin-article` (an id: one with a large cluster) too."""

import argparse
import os
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


def shoot_admin(browser, base, out, *, user, password, article, preview=None):
    context = browser.new_context(viewport=DESKTOP, color_scheme="light", device_scale_factor=1)
    keep_offline(context)
    page = context.new_page()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", user)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    for url, name, full_page in [
        (f"{base}/admin/articles/article/?_clear_filters=1", "admin-changelist.png", False),
        (f"{base}/admin/articles/article/{article}/change/", "admin-change-form.png", True),
    ]:
        page.goto(url, wait_until="networkidle")
        if full_page:  # pictures lower down load lazily, once scrolled to
            page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
            page.wait_for_load_state("networkidle")
            page.evaluate("window.scrollTo(0, 0)")  # where the sticky sidebar belongs
        page.screenshot(path=str(out / name), full_page=full_page)
        print(out / name)
    if preview:
        page.goto(f"{base}{preview}", wait_until="networkidle")
        page.screenshot(path=str(out / "preview-desktop-light.png"))
        print(out / "preview-desktop-light.png")
    context.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("out", type=Path)
    parser.add_argument("--article", help="path of an article with a large cluster")
    parser.add_argument("--video", help="path of a video article")
    parser.add_argument("--topic", help="path of a topic page")
    parser.add_argument("--admin-user", help="a staff user (password: ADMIN_PASSWORD)")
    parser.add_argument("--admin-article", type=int, help="id of an article with a large cluster")
    parser.add_argument("--preview", help="path of a story readers may not see, for its preview")
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
        if args.admin_user:
            shoot_admin(
                browser,
                base,
                args.out,
                user=args.admin_user,
                password=os.environ["ADMIN_PASSWORD"],
                article=args.admin_article,
                preview=args.preview,
            )
        browser.close()


if __name__ == "__main__":
    main()
