"""The card grid, written out in Python: the public listings' hottest markup (24 cards, each with
its image, outlet, topics and related stories) costs several times less this way than through
the template language's per-variable lookups. Every value is escaped (`escape`, as templates
do), URLs are built from a prefix reversed once per call, and the markup is the one the site's
stylesheet and tests expect."""

import time
from functools import lru_cache

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils.dateformat import format as format_date
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.timezone import get_current_timezone_name, localtime
from django.utils.translation import get_language

from articles.images.markup import image_src, image_srcset
from articles.seeds.text import http_url

from .links import SlugPaths, article_paths
from .videos import video_thumbnail

# How many cards load their image eagerly (the first row or two); the rest are lazy.
EAGER_IMAGES = 4
CARD_SIZES = "(min-width: 88em) 24rem, (min-width: 64em) 33vw, (min-width: 40em) 50vw, 100vw"


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


def _time(moment, locale: tuple[str, str]) -> str:
    """`<time>` of `moment`, shown relative to now ("3 hours ago"), exact in its title in
    `locale` (`_locale()`)."""
    return f"{_time_start(moment, *locale)}{escape(relative_time(moment))}</time>"


def _locale() -> tuple[str, str]:
    """The current time zone and language, asked once per listing, not once per date."""
    return get_current_timezone_name(), get_language()


@lru_cache(maxsize=4096)
def _time_start(moment, zone: str, language: str) -> str:
    """The start tag of `moment`'s `<time>` element in `zone` and `language` (memoised:
    formatting the date costs as much as the rest of a card)."""
    moment = localtime(moment)
    title = escape(format_date(moment, "j F Y, H:i e"))
    return f'<time datetime="{moment.isoformat()}" title="{title}">'


def _media(article, href: str, lazy: str) -> str:
    thumb = video_thumbnail(article)
    if thumb:
        return (
            f'<a class="card-media card-media--video" href="{href}" tabindex="-1" '
            f'aria-hidden="true">\n        <img src="{escape(thumb)}" '
            f'alt="{escape(article.title)}" width="480" height="360"{lazy} '
            'decoding="async" referrerpolicy="no-referrer">\n'
            "      </a>"
        )
    image = article.lead_image
    src = image_src(image)
    if not src:
        return ""
    srcset = (
        f' srcset="{escape(image_srcset(image))}" sizes="{CARD_SIZES}"' if image.renditions else ""
    )
    size = f' width="{image.width}" height="{image.height}"' if image.width and image.height else ""
    return (
        f'<a class="card-media" href="{href}" tabindex="-1" aria-hidden="true">\n'
        f'        <img src="{escape(src)}"{srcset} alt="{escape(image.alt or article.title)}"'
        f'{size}{lazy} decoding="async" referrerpolicy="no-referrer">\n      </a>'
    )


def _related(link) -> str:
    text = _link_title(link)
    if link.provider:
        text += f' <span class="source-name">{escape(link.provider.name)}</span>'
    return f"\n            <li>{text}</li>"


def render_cards(articles) -> SafeString:
    """The `<li class="card">` items of `articles` read with `for_cards()` and `load_cards`."""
    article_path = article_paths()
    provider_path = SlugPaths("providers:detail")
    topic_path = SlugPaths("articles:topic")
    locale = _locale()
    out = []
    for number, article in enumerate(articles, 1):
        href = escape(article_path(article.slug))
        title = escape(article.title)
        lazy = ' loading="lazy"' if number > EAGER_IMAGES else ""
        featured = article.is_featured
        provider = article.provider
        badges = '<span class="badge">Featured</span> ' if featured else ""
        if article.kind == "video":
            badges += '<span class="badge badge--video">Video</span> '
        out.append(
            f'\n  <li class="card{" card--featured" if featured else ""}">\n'
            f'    <article aria-labelledby="card-{article.pk}">\n'
            f"      {_media(article, href, lazy)}\n"
            '      <div class="card-body">\n'
            f'        <p class="source"><a href="{escape(provider_path(provider.slug))}">'
            f"{escape(provider.name)}</a> "
            f'<span class="domain">{escape(provider.domain)}</span></p>\n'
            f'        <h2 id="card-{article.pk}"><a href="{href}">{badges}{title}</a></h2>\n'
            f'        <p class="meta">{_time(article.published_at, locale)}</p>\n'
        )
        topics = article.card_topics
        if topics:
            items = "".join(
                f'<li><a href="{escape(topic_path(topic.slug))}">{escape(topic.name)}</a></li>'
                for topic in topics
            )
            out.append(f'        <ul class="topics" aria-label="Topics">{items}</ul>\n')
        if article.cluster:
            items = "".join(_related(link) for link in article.cluster)
            out.append(
                '        <div class="related">\n          <h3>Also covered by</h3>\n'
                f"          <ul>{items}\n          </ul>\n        </div>\n"
            )
        out.append("      </div>\n    </article>\n  </li>")
    return SafeString("".join(out))


def _link_title(link) -> str:
    """A related story's title: a link to our page for it, else to its outlet (http(s) only)."""
    title = escape(link.title)
    if link.local_url:
        return f'<a href="{escape(link.local_url)}">{title}</a>'
    if http_url(link.web_url):
        return f'<a href="{escape(http_url(link.web_url))}" rel="noopener">{title}</a>'
    return title


def render_cluster(cluster) -> SafeString:
    """The `<li class="cluster-item">` items of an article page's full coverage: each related
    story of `load_cluster` with its outlet, time and picture."""
    locale = _locale()
    out = []
    for link in cluster:
        source = (
            f'<p class="source">{escape(link.provider.name)} '
            f'<span class="domain">{escape(link.provider.domain)}</span></p>'
            if link.provider
            else ""
        )
        meta = ""
        if link.published_at:
            ours = " · <span>on Newsroom</span>" if link.local_url else ""
            meta = f'\n        <p class="meta">{_time(link.published_at, locale)}{ours}</p>'
        picture = ""
        image = link.image
        src = image_src(image)
        if src:
            srcset = (
                f' srcset="{escape(image_srcset(image))}" sizes="7.5rem"'
                if image.renditions
                else ""
            )
            size = (
                f' width="{image.width}" height="{image.height}"'
                if image.width and image.height
                else ""
            )
            picture = (
                f'\n      <img class="cluster-thumb" src="{escape(src)}"{srcset} '
                f'alt="{escape(image.alt or link.title)}"{size} loading="lazy" decoding="async" '
                'referrerpolicy="no-referrer">'
            )
        out.append(
            '\n    <li class="cluster-item">\n      <div class="cluster-text">\n'
            f"        {source}\n        <h3>{_link_title(link)}</h3>{meta}\n      </div>"
            f"{picture}\n    </li>"
        )
    return SafeString("".join(out))
