"""Related stories as readers see them: without links to the story itself or to blocked
outlets, and pointing at our own page wherever we hold (and publish) the story they name."""

from .cards import article_paths
from .models import Article
from .seeds.text import canonical_url, is_http_url


def identity(url: str) -> str:
    """The canonical form of `url` (how articles are identified), or "" for a non-http(s) URL."""
    return canonical_url(url) if is_http_url(url) else ""


def is_shown(link, article) -> bool:
    """Whether a related link belongs in `article`'s public cluster: not the article itself (the
    seed files sometimes list it) and not from a blocked provider."""
    if link.provider is not None and link.provider.is_blocked:
        return False
    return not link.web_url or identity(link.web_url) != article.canonical_url


def attach_local_urls(links) -> None:
    """Set `local_url` on each link: our page for the story when we publish it, else "".
    One query for all the links, whatever their number, answered by the unique index on
    `canonical_url` (an article's `canonical_url` is its `web_url` in canonical form, so the
    canonical form of a link's URL is all there is to match)."""
    keys = [(link, identity(link.web_url)) for link in links]
    for link in links:
        link.local_url = ""
    canonicals = {key for _, key in keys if key}
    if not canonicals:
        return
    ours = dict(
        Article.objects.published()
        .filter(canonical_url__in=canonicals)
        .values_list("canonical_url", "slug")
    )
    path = article_paths()
    for link, key in keys:
        slug = ours.get(key)
        if slug:
            link.local_url = path(slug)


def prepare_cards(articles) -> None:
    """Give each card-loaded article (`for_cards()`) its `cluster`: the top related stories a
    reader may see, each with `local_url`."""
    for article in articles:
        article.cluster = [link for link in article.top_related if is_shown(link, article)]
    attach_local_urls([link for article in articles for link in article.cluster])
