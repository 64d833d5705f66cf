"""The card grid and an article page's cluster of related stories: the public listings' hottest
markup (24 cards, each with its image, outlet, topics and related stories), in the Jinja2
partials `templates/jinja2/public/cards.html` and `cluster.html` (the "jinja2" engine of
`TEMPLATES`, autoescaped), which render a page of cards five times faster than the Django
template language did. The cards come with their URLs (`load_cards`); this module gives the
partials the times, memoised."""

import time
from functools import lru_cache

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.template import engines
from django.utils.dateformat import format as format_date
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone_name, localtime
from django.utils.translation import get_language


def relative_time(moment) -> str:
    """`naturaltime` ("3 hours ago"), memoised for the current minute: the costliest part of
    showing a time, and a page shows the same stories to every reader. It may be behind by up
    to a minute, as a page kept in the page cache is."""
    if not moment:
        return ""
    return _relative_time(moment, int(time.time() // 60), get_language())


@lru_cache(maxsize=4096)
def _relative_time(moment, minute: int, language: str) -> str:
    return naturaltime(moment)


def _locale() -> tuple[str, str, int]:
    """The current time zone, language and minute, asked once per listing, not once per date."""
    return get_current_timezone_name(), get_language(), int(time.time() // 60)


@lru_cache(maxsize=4096)
def time_parts(moment, locale: tuple[str, str, int]) -> tuple[str, str, str]:
    """What a `<time>` of `moment` says in `locale` (from `_locale()`): its `datetime` (ISO 8601),
    its `title` ("3 May 2025, 14:05 UTC") and its text, `relative_time` as of that minute.
    Memoised for the minute, as `relative_time` is: formatting a date costs as much as the rest
    of a card."""
    local = localtime(moment)
    return local.isoformat(), format_date(local, "j F Y, H:i e"), naturaltime(moment)


def img(src, alt, **attributes) -> SafeString:
    """The site's one `<img>` (the `img` macro of the Jinja2 partial `public/picture.html`, which
    the card grid and the cluster use too), for Django templates (the `{% img %}` tag) and the
    admin's previews: `src`, `alt`, and the macro's other attributes by name (`srcset`, `sizes`,
    `width`, `height`, `class_name`, `loading`, `decoding`)."""
    macros = engines["jinja2"].env.get_template("public/picture.html").module
    # A Django SafeString (Jinja2's Markup is not one): the admin's list keeps it as it is.
    return SafeString(macros.img(src, alt, **attributes))


def render_cards(cards) -> SafeString:
    """The `<li class="card">` items of `cards` (from `load_cards`)."""
    partial = engines["jinja2"].get_template("public/cards.html")
    html = partial.render({"cards": cards, "locale": _locale()})
    return mark_safe(html)  # noqa: S308 - rendered by the autoescaping engine


def render_cluster(cluster) -> SafeString:
    """The `<li class="cluster-item">` items of an article page's full coverage: each related
    story of `load_cluster` with its outlet, time and picture."""
    partial = engines["jinja2"].get_template("public/cluster.html")
    html = partial.render({"cluster": cluster, "locale": _locale()})
    return mark_safe(html)  # noqa: S308 - rendered by the autoescaping engine
