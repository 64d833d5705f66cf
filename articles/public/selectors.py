"""The public site's reads (selectors): what readers see of an article beyond its own row: its
cluster of related stories (without links to the story itself or to blocked outlets, and
pointing at our own page wherever we hold and publish the story they name) and, on a card, its
topics and lead image.

The card listings are the site's hottest path, and building a queryset costs far more than
running it: the reads here that only fetch rows by their articles' ids are written in SQL
(plain SELECTs that SQLite and PostgreSQL read alike, on Django's default table and column
names; `tests/articles/test_cards.py` runs them on both), and give plain rows, not model
instances, made into the dataclasses below within this module. Visibility is
`articles.visibility.PUBLISHED_SQL`, held to `ArticleQuerySet.published()` by a test."""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from django.db import connection
from django.db.models.fields.files import ImageFieldFile
from django.utils import timezone

from articles.models import Article, Image
from articles.seeds.text import canonical_url, http_url, is_http_url
from articles.visibility import PUBLISHED_SQL, published_sql_params
from providers.models import Provider

from .links import SlugPaths, article_paths, slug_paths

# A card shows this many related stories, and the first image of its article.
CARD_RELATED = 3
# Card listings read at most this many related links and images per card (the lowest
# positions first): enough for `CARD_RELATED` after leaving out the ones readers may not see,
# and bounded however large a cluster is.
CARD_ROWS_PER_ARTICLE = 8


@dataclass(slots=True)
class CardTopic:
    name: str
    slug: str
    pk: int = 0
    url: str = ""


@dataclass(slots=True)
class CardProvider:
    name: str
    slug: str = ""
    domain: str = ""
    is_blocked: bool = False
    url: str = ""


@dataclass(slots=True)
class CardImage:
    """What `image_src`, `image_srcset` and an `<img>` read of an `Image`."""

    url: str
    file: ImageFieldFile | str
    width: int | None
    height: int | None
    alt: str
    renditions: list


@dataclass(slots=True)
class CardLink:
    """A related story as readers see it (on a card, or in an article page's cluster with its
    time and first image)."""

    title: str
    web_url: str
    provider: CardProvider | None
    published_at: datetime | None = None
    image: CardImage | None = None
    local_url: str = ""
    # The story at its outlet, when its URL is http(s) (a link readers may follow), else "".
    outlet_url: str = field(init=False, default="")

    def __post_init__(self):
        self.outlet_url = http_url(self.web_url)


@dataclass(slots=True)
class Card:
    """An article as a card shows it (`card_rows`, then `load_cards`)."""

    pk: int
    title: str
    slug: str
    published_at: datetime
    is_featured: bool
    kind: str
    video_id: str
    canonical_url: str
    provider: CardProvider
    url: str = ""
    card_topics: list[CardTopic] = field(default_factory=list)
    lead_image: CardImage | None = None
    cluster: list[CardLink] = field(default_factory=list)


# What a card shows of an article's own row (`card_rows`), in the order `load_cards` reads it.
CARD_COLUMNS = (
    "pk",
    "title",
    "slug",
    "published_at",
    "is_featured",
    "kind",
    "video_id",
    "canonical_url",
    "provider__name",
    "provider__slug",
    "provider__domain",
)


def card_rows(articles):
    """The rows of a card listing of `articles` (a queryset, filtered and ordered): only the
    columns a card shows (`CARD_COLUMNS`); `load_cards` makes a page of them cards. Building 24
    articles and their providers as model instances would cost more than the query."""
    return articles.values_list(*CARD_COLUMNS)


@lru_cache(maxsize=8192)
def identity(url: str) -> str:
    """The canonical form of `url` (how articles are identified), or "" for a non-http(s) URL.
    Memoised: the same related links are on every page view of a listing."""
    return canonical_url(url) if is_http_url(url) else ""


def is_shown(link, article) -> bool:
    """Whether a related link belongs in `article`'s public cluster: not the article itself (the
    seed files sometimes list it) and not from a blocked provider."""
    if link.provider is not None and link.provider.is_blocked:
        return False
    return not link.web_url or identity(link.web_url) != article.canonical_url


LOCAL_URLS_SQL = (
    "SELECT a.canonical_url, a.slug FROM articles_article a"
    " INNER JOIN providers_provider p ON p.id = a.provider_id"
    " WHERE a.canonical_url IN ({ids}) AND {published}"
).replace("{published}", PUBLISHED_SQL)


def attach_local_urls(links, article_path: SlugPaths | None = None) -> None:
    """Set `local_url` on each link: our page for the story when we publish it, else "" (by
    `article_path` when the caller has one). One query for all the links, whatever their
    number, answered by the unique index on `canonical_url` (an article's `canonical_url` is
    its `web_url` in canonical form, so the canonical form of a link's URL is all there is to
    match)."""
    keys = [(link, identity(link.web_url)) for link in links]
    canonicals = list({key for _, key in keys if key})
    if not canonicals:
        return
    sql = _for_ids(LOCAL_URLS_SQL, canonicals)
    ours = dict(_rows(sql, [*canonicals, *published_sql_params(connection)]))
    path = article_path or article_paths()
    for link, key in keys:
        slug = ours.get(key)
        if slug:
            link.local_url = path(slug)


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _for_ids(sql: str, ids: list) -> str:
    """`sql` with its `{ids}` as one placeholder per id."""
    return sql.format(ids=", ".join(["%s"] * len(ids)))


def _aware(moment: datetime | None) -> datetime | None:
    """A datetime as the ORM gives it: SQLite's raw rows hold naive UTC."""
    return timezone.make_aware(moment, UTC) if moment and timezone.is_naive(moment) else moment


_IMAGE_FILE = Image._meta.get_field("file")


def _image(url, name, width, height, alt, renditions) -> CardImage:
    """A `CardImage` from the columns of an image row (`renditions` as the JSON text)."""
    file = ImageFieldFile(None, _IMAGE_FILE, name) if name else ""
    return CardImage(url, file, width, height, alt, json.loads(renditions) if renditions else [])


CARD_TOPICS_SQL = (
    "SELECT tagged.content_object_id, topic.name, topic.slug"
    " FROM articles_taggedarticle tagged"
    " INNER JOIN articles_topic topic ON topic.id = tagged.tag_id"
    " WHERE tagged.content_object_id IN ({ids}) ORDER BY topic.name, topic.id"
)
CARD_IMAGES_SQL = (
    "SELECT image.article_id, image.url, image.file, image.width, image.height, image.alt,"
    " image.renditions FROM articles_image image"
    " WHERE image.article_id IN ({ids}) ORDER BY image.position, image.id LIMIT %s"
)
CARD_LINKS_SQL = (
    "SELECT link.article_id, link.title, link.web_url, provider.name, provider.is_blocked"
    " FROM articles_relatedlink link"
    " LEFT OUTER JOIN providers_provider provider ON provider.id = link.provider_id"
    " WHERE link.article_id IN ({ids}) ORDER BY link.position, link.id LIMIT %s"
)


def load_cards(rows) -> list[Card]:
    """The cards of `rows` (from `card_rows`), in order, each with what it shows beyond its
    article's row: its `url` and its provider's, `card_topics` (each with its `url`),
    `lead_image` (or None) and `cluster` (the first `CARD_RELATED` related stories a reader may
    see, each with `local_url`). Four queries, whatever the number of cards."""
    article_path = article_paths()
    provider_path = slug_paths("providers:detail")
    cards = []
    # The row's columns in `CARD_COLUMNS` order (read here, beside the list, and nowhere else).
    for pk, title, slug, published_at, featured, kind, video_id, canonical, *provider in rows:
        provider_name, provider_slug, provider_domain = provider
        cards.append(
            Card(
                pk=pk,
                title=title,
                slug=slug,
                url=article_path(slug),
                published_at=published_at,
                is_featured=featured,
                kind=kind,
                video_id=video_id,
                canonical_url=canonical,
                provider=CardProvider(
                    name=provider_name,
                    slug=provider_slug,
                    domain=provider_domain,
                    url=provider_path(provider_slug),
                ),
            )
        )
    if not cards:
        return cards
    attach_topics_and_lead_image(cards)
    topic_path = slug_paths("articles:topic")
    for card in cards:
        for topic in card.card_topics:
            topic.url = topic_path(topic.slug)
    by_pk = {card.pk: card for card in cards}
    ids = list(by_pk)
    rows = _rows(_for_ids(CARD_LINKS_SQL, ids), [*ids, len(ids) * CARD_ROWS_PER_ARTICLE])
    for pk, title, web_url, provider_name, provider_blocked in rows:
        card = by_pk[pk]
        if len(card.cluster) < CARD_RELATED:
            provider = None
            if provider_name is not None:
                provider = CardProvider(provider_name, is_blocked=bool(provider_blocked))
            link = CardLink(title, web_url, provider)
            if is_shown(link, card):
                card.cluster.append(link)
    attach_local_urls([link for card in cards for link in card.cluster], article_path)
    return cards


def attach_topics_and_lead_image(articles) -> None:
    """Set `card_topics` (name and slug, by name) and `lead_image` (a `CardImage`, or None) on
    each of `articles` (cards, or `Article` instances for feeds). Two queries."""
    by_pk = {article.pk: article for article in articles}
    for article in articles:
        article.card_topics, article.lead_image = [], None
    if not by_pk:
        return
    ids = list(by_pk)
    for pk, name, slug in _rows(_for_ids(CARD_TOPICS_SQL, ids), ids):
        by_pk[pk].card_topics.append(CardTopic(name, slug))
    rows = _rows(_for_ids(CARD_IMAGES_SQL, ids), [*ids, len(ids) * CARD_ROWS_PER_ARTICLE])
    for pk, *columns in rows:
        article = by_pk[pk]
        if article.lead_image is None:
            article.lead_image = _image(*columns)


# Every column of an article but its search document (read by search alone), and what an article
# page shows of its outlet.
ARTICLE_COLUMNS = ", ".join(
    f"a.{field.column}" for field in Article._meta.concrete_fields if field.name != "search_vector"
)
PUBLISHED_ARTICLE_SQL = (
    (
        "SELECT {columns}, p.name AS provider_name, p.slug AS provider_slug,"
        " p.domain AS provider_domain FROM articles_article a"
        " INNER JOIN providers_provider p ON p.id = a.provider_id"
        " WHERE a.slug = %s AND {published}"
    )
    .replace("{columns}", ARTICLE_COLUMNS)
    .replace("{published}", PUBLISHED_SQL)
)
# In the model's order of fields, as `Model.from_db` takes them.
PROVIDER_FIELDS = ["id", "name", "domain", "slug", "is_blocked"]


def published_article(slug: str) -> Article | None:
    """The article at `slug` if readers may see it, else None; its `provider` holds the name,
    slug and domain (the rest is deferred). One query, through `Article.objects.raw()`: the
    model's own conversions, without building a queryset (2.4 ms against 1.0 ms for the raw
    read on PostgreSQL)."""
    params = [slug, *published_sql_params(connection)]
    for article in Article.objects.raw(PUBLISHED_ARTICLE_SQL, params):
        # PUBLISHED_SQL leaves out blocked outlets.
        values = [
            article.provider_id,
            article.provider_name,
            article.provider_domain,
            article.provider_slug,
            False,
        ]
        article.provider = Provider.from_db(connection.alias, PROVIDER_FIELDS, values)
        return article
    return None


def article_for_preview(slug: str) -> Article | None:
    """The article at `slug` whatever readers may see of it, with its whole `provider`; None
    when there is none. For staff's preview only: the view asks first who is looking. One
    query (the readers' path, `published_article`, is untouched by it)."""
    articles = Article.objects.select_related("provider").defer("search_vector")
    try:
        return articles.get(slug=slug)
    except Article.DoesNotExist:
        return None


CLUSTER_LINKS_SQL = (
    "SELECT link.id, link.title, link.web_url, link.published_at,"
    " provider.name, provider.slug, provider.domain, provider.is_blocked"
    " FROM articles_relatedlink link"
    " LEFT OUTER JOIN providers_provider provider ON provider.id = link.provider_id"
    " WHERE link.article_id = %s ORDER BY link.position, link.id"
)
# Two lookups, by the article and by its links, each answered by its own index (one `OR`
# makes PostgreSQL read the whole table); position and id order the union.
CLUSTER_IMAGES_SQL = (
    "SELECT image.related_link_id, image.url, image.file, image.width, image.height, image.alt,"
    " image.renditions, image.position, image.id FROM articles_image image"
    " WHERE image.article_id = %s"
    " UNION ALL"
    " SELECT image.related_link_id, image.url, image.file, image.width, image.height,"
    " image.alt, image.renditions, image.position, image.id FROM articles_image image"
    " WHERE image.related_link_id IN"
    " (SELECT link.id FROM articles_relatedlink link WHERE link.article_id = %s)"
    " ORDER BY 8, 9"
)


def load_cluster(article) -> list[CardLink]:
    """`article`'s whole public cluster, in order: each related story a reader may see, with
    its outlet, time, first image and `local_url`. Also sets `article.lead_image` (its first
    image, or None). Three queries, whatever the cluster's size."""
    cluster = {}
    for pk, title, web_url, published_at, name, slug, domain, blocked in _rows(
        CLUSTER_LINKS_SQL, [article.pk]
    ):
        source = None if name is None else CardProvider(name, slug, domain, bool(blocked))
        link = CardLink(title, web_url, source, _aware(published_at))
        if is_shown(link, article):
            cluster[pk] = link
    article.lead_image = None
    for link_pk, *columns, _, _ in _rows(CLUSTER_IMAGES_SQL, [article.pk, article.pk]):
        if link_pk is None:
            if article.lead_image is None:
                article.lead_image = _image(*columns)
        elif link_pk in cluster and cluster[link_pk].image is None:
            cluster[link_pk].image = _image(*columns)
    links = list(cluster.values())
    attach_local_urls(links)
    return links


TOPICS_SQL = (
    "SELECT topic.id, topic.name, topic.slug FROM articles_taggedarticle tagged"
    " INNER JOIN articles_topic topic ON topic.id = tagged.tag_id"
    " WHERE tagged.content_object_id = %s ORDER BY topic.name, topic.id"
)
# `ArticleQuerySet.published().ranked_in_topic()`, without one article.
MORE_ON_TOPIC_SQL = (
    "SELECT a.title, a.slug, a.published_at, p.name FROM articles_taggedarticle tagged"
    " INNER JOIN articles_article a ON a.id = tagged.content_object_id"
    " INNER JOIN providers_provider p ON p.id = a.provider_id"
    " WHERE tagged.tag_id = %s AND a.id <> %s AND {published}"
    " ORDER BY tagged.is_featured DESC, tagged.rank DESC, tagged.published_at DESC,"
    " tagged.content_object_id DESC LIMIT %s"
).replace("{published}", PUBLISHED_SQL)


def topics_of(article) -> list[CardTopic]:
    """`article`'s topics by name, each with its `url`. One query."""
    path = slug_paths("articles:topic")
    return [
        CardTopic(name, slug, pk, path(slug)) for pk, name, slug in _rows(TOPICS_SQL, [article.pk])
    ]


def more_on_topic(article, topic: CardTopic, limit: int) -> list[dict]:
    """The first `limit` published stories on `topic` other than `article`, in the public
    order, each with `title`, `url`, `published_at` and `outlet`. One query, read off the
    topic's ranking index (`tagged_article_ranking`) as `ranked_in_topic()` is."""
    params = [topic.pk, article.pk, *published_sql_params(connection), limit]
    path = article_paths()
    return [
        {"title": title, "url": path(slug), "published_at": _aware(when), "outlet": outlet}
        for title, slug, when, outlet in _rows(MORE_ON_TOPIC_SQL, params)
    ]
