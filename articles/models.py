"""The ground floor: the models and their querysets, and nothing that serves a page, an admin
screen or an import (those are the wings: `articles.public`, `articles.editing`,
`articles.seeds`, `articles.images`; see docs/architecture.md).

`Article` is one story from one outlet; `RelatedLink` and `Image` are its cluster and pictures;
`Topic` (a django-taggit tag) and `TaggedArticle` (which carries a copy of its article's place in
the public order, kept by database triggers) its subjects; `TopicRedirect` keeps a renamed
topic's old address alive; `ImportRun` records each run of the importer. What readers may see
is `articles.visibility`; the public order is `ArticleQuerySet.ranked()`."""

from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from django.conf import settings
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.core.validators import MaxValueValidator
from django.db import connections, models
from django.db.models import Case, Exists, F, FloatField, Func, OuterRef, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify

from providers.models import SLUG_MAX_LENGTH, URL_MAX_LENGTH, Provider

from .visibility import is_expired, is_scheduled, published_q

TITLE_MAX_LENGTH = 500
# Room a slug's base leaves in its column for the `-2`, `-3`… that makes it unique (articles',
# and the importer's outlets' and topics').
SLUG_SUFFIX_ROOM = 8

# Ranking: one point of heat is worth this many minutes of recency (see `ranked()`).
HEAT_MINUTES = 6
# The most heat a story may have (11 years of recency; the real seed files go up to 1,000).
# `Rank` multiplies heat by 60 * HEAT_MINUTES in PostgreSQL's 32-bit integers, which overflow
# from heat 5,965,233: the import holds heat at this bound and the admin form refuses more.
HEAT_MAX = 1_000_000
# Search: the text-search configuration of the PostgreSQL document and query, and how many words
# the word-by-word fallback looks at (each costs a condition in the query).
SEARCH_CONFIG = "english"
SEARCH_MAX_WORDS = 8
# Search ranks and counts only this many of the newest matches (see `ArticleQuerySet.search()`).
SEARCH_WINDOW = 500


class Rank(Func):
    """The public ranking score of an article (see `ArticleQuerySet.ranked()`):

        seconds since 1970 of published_at + 60 * HEAT_MINUTES * max(heat, 0)

    Written with its constants in the SQL (no parameters) and, on PostgreSQL, with immutable
    functions only, so that the `article_ranking` index can hold it and serve `ORDER BY`."""

    output_field = FloatField()
    columns = ("published_at", "heat")
    arity = len(columns)
    heat_seconds = 60 * HEAT_MINUTES
    template = (
        "(EXTRACT(EPOCH FROM (%(expressions)s AT TIME ZONE 'UTC'))"
        f" + GREATEST(COALESCE(%(heat)s, 0), 0) * {heat_seconds})"
    )
    # SQLite stores datetimes as UTC text, which julianday() reads.
    sqlite_template = (
        "((julianday(%(expressions)s) - 2440587.5) * 86400.0"
        f" + MAX(COALESCE(%(heat)s, 0), 0) * {heat_seconds})"
    )

    def __init__(self):
        super().__init__(*self.columns)

    # Migrations 0006 and 0008 index a frozen copy of this class (no migration imports live
    # code), and `makemigrations` compares those indexes with the ones in `Article.Meta` by
    # equality: a Rank equals any expression that writes the same SQL from the same columns, so
    # an edit of the SQL here shows as a change of the indexes (a new migration).
    @property
    def sql_signature(self) -> tuple:
        return ("Rank", self.columns, self.template, self.sqlite_template)

    def __eq__(self, other):
        if not isinstance(other, Func):
            return NotImplemented
        return getattr(other, "sql_signature", None) == self.sql_signature

    def __hash__(self):
        return hash(self.sql_signature)

    def as_sql(self, compiler, connection, **extra_context):
        (published_at, _), (heat, _) = (compiler.compile(e) for e in self.source_expressions)
        template = extra_context.get("template", self.template)
        return template % {"expressions": published_at, "heat": heat}, []

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template=self.sqlite_template, **extra_context)


def search_document():
    """The PostgreSQL full-text document of an article: title (weight A) and excerpt (B).

    Stored in `Article.search_vector`, which search reads and a GIN index serves; a trigger
    (migration 0009) computes this same expression, written out in SQL, on every insert and on
    every update of the title or the excerpt."""
    return SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "excerpt", weight="B", config=SEARCH_CONFIG
    )


def name_document():
    """The PostgreSQL full-text document of an outlet's or a topic's name (search's bonus
    matches). GIN indexes on this same expression (`provider_name_search`, `topic_name_search`,
    migration 0010) find the matching names without reading every outlet and topic."""
    return SearchVector("name", config=SEARCH_CONFIG)


class Topic(TagBase):
    """A subject an article is about (`AI`, `Computer Vision`); case-insensitive."""

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="topic_name_case_insensitive_unique"),
        ]

    def get_absolute_url(self):
        return reverse("articles:topic", kwargs={"slug": self.slug})


class TopicRedirect(models.Model):
    """The old slug of a renamed or merged topic: its public URL answers with a permanent
    redirect to the topic it became."""

    # As long as a topic's own slug and name.
    old_slug = models.SlugField(
        max_length=Topic._meta.get_field("slug").max_length, unique=True, allow_unicode=True
    )
    old_name = models.CharField(max_length=Topic._meta.get_field("name").max_length, blank=True)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_slug"]

    def __str__(self):
        return f"{self.old_slug} → {self.topic.slug}"


class TaggedArticle(TaggedItemBase):
    """The link between an article and one of its topics.

    It carries a copy of its article's place in the public order (`is_featured`, `rank`,
    `published_at`; see `ArticleQuerySet.ranked()`), so that a topic's listing walks the
    topic's slice of the `tagged_article_ranking` index and stops after a page, whatever the
    number of articles on the topic (`ArticleQuerySet.ranked_in_topic()`). The database keeps
    the copy, with triggers (migration 0007): a tagging written takes its article's values, and
    a change to an article's `is_featured`, `published_at` or `heat` is copied to its taggings,
    whatever makes it (a save, a queryset `update()` or `bulk_update()`, the importer, SQL).

    On SQLite, a migration that rebuilds the article or tagging table (most field changes do)
    drops its triggers: such a migration must create them again (see 0007);
    `tests/articles/test_topic_ranking.py` fails until it does."""

    content_object = models.ForeignKey("Article", on_delete=models.CASCADE)
    tag = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="tagged_articles")
    # Copies of the article's ranking, written by the database (see above), never by Django.
    is_featured = models.BooleanField(default=False, editable=False)
    rank = models.FloatField(default=0, editable=False)
    # Nullable only because SQLite fills it after the row is inserted.
    published_at = models.DateTimeField(null=True, editable=False)

    class Meta:
        indexes = [
            models.Index(
                fields=["tag", "-is_featured", "-rank", "-published_at", "-content_object"],
                name="tagged_article_ranking",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="tagged_article_unique_topic"
            ),
        ]


class Kind(models.TextChoices):
    ARTICLE = "article", "Article"
    VIDEO = "video", "Video"


def public_order() -> tuple:
    """The public order (`ArticleQuerySet.ranked()`) as index expressions, best first."""
    return (F("is_featured").desc(), Rank().desc(), F("published_at").desc(), F("id").desc())


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What readers may see (`articles.visibility`), decided at query time."""
        return self.filter(published_q(timezone.now()))

    def ranked(self):
        """The public order: featured articles first (editors always win), then by `rank`,
        the publication time pushed forward by `HEAT_MINUTES` minutes per point of heat:

            rank = epoch_seconds(published_at) + 60 * HEAT_MINUTES * max(heat, 0)

        So a story with heat 120 ranks beside one published 12 hours later with no heat. Heat
        -1 (the seed files' "not featured" sentinel) and a missing heat count as 0. The rank
        does not depend on the time of the request, so pages stay stable while a reader pages
        through them and can be cached."""
        return self.alias(rank=Rank()).order_by("-is_featured", "-rank", "-published_at", "-pk")

    def ranked_in_topic(self, topic):
        """The articles tagged with `topic`, in the public order (`ranked()`), read off the
        taggings' copy of each article's ranking (see `TaggedArticle`): the database walks the
        topic's taggings best first and stops once it has a page of articles that pass the other
        filters, instead of sorting every article on the topic."""
        return self.filter(taggedarticle__tag=topic).order_by(
            "-taggedarticle__is_featured",
            "-taggedarticle__rank",
            "-taggedarticle__published_at",
            "-taggedarticle__content_object_id",
        )

    def search(self, terms: str):
        """The newest `SEARCH_WINDOW` articles whose title, excerpt, provider name or topic names
        match `terms`, best first.

        On PostgreSQL: full-text search (`websearch_to_tsquery`, English stemming) on title
        (weight A) and excerpt (weight B), ranked by `ts_rank`, with a bonus when the provider
        or a topic matches. Elsewhere (SQLite): every word of `terms` must appear somewhere,
        case-insensitively, in the same fields; the public ranking orders the results.

        Only the newest `SEARCH_WINDOW` matches (by `published_at`) are ranked and counted, so a
        word found in half the archive costs the same as one found in a window's worth."""
        newest = self.order_by("-published_at", "-pk").values("pk")
        if connections[self.db].vendor == "postgresql":
            query = SearchQuery(terms, search_type="websearch", config=SEARCH_CONFIG)
            # Each way of matching on its own, so that PostgreSQL can pick for the text either
            # the GIN index on `search_vector` (a rare word) or a walk of the newest articles (a
            # common one); OR-ed together, it could only do the latter.
            providers, topics = self._postgresql_providers_and_topics(query)
            with_time = newest.values("pk", "published_at")
            matches = with_time.filter(search_vector=query)[:SEARCH_WINDOW].union(
                with_time.filter(provider__in=providers)[:SEARCH_WINDOW],
                with_time.filter(topics__in=topics)[:SEARCH_WINDOW],
            )
            # Every match already passed this queryset's filters and carries its publication
            # time, so the newest are picked among the matches alone (asked of the articles
            # table instead, PostgreSQL read its whole ranking index to join the matches'
            # times: 10 ms at 100,000 articles). The SQL around Django's for `matches` only
            # orders and limits it; the parameters stay apart.
            sql, params = matches.query.get_compiler(self.db).as_sql()
            newest_matches = RawSQL(  # noqa: S611
                f"SELECT match_id FROM ({sql}) AS matches (match_id, match_time) "  # noqa: S608
                "ORDER BY match_time DESC, match_id DESC LIMIT %s",
                (*params, SEARCH_WINDOW),
            )
            window = self.model._default_manager.using(self.db).filter(pk__in=newest_matches)
            tagged = TaggedArticle.objects.filter(content_object=OuterRef("pk"), tag__in=topics)
            bonus = Case(
                When(Q(provider__in=providers) | Exists(tagged), then=Value(0.5)),
                default=Value(0.0),
            )
            return window.annotate(
                search_rank=SearchRank(F("search_vector"), query) + bonus
            ).order_by("-search_rank", "-published_at", "-pk")
        window = self.filter(pk__in=newest.filter(self._words_match(terms))[:SEARCH_WINDOW])
        return window.ranked()

    @staticmethod
    def _postgresql_providers_and_topics(query):
        providers = Provider.objects.annotate(document=name_document()).filter(document=query)
        topics = Topic.objects.annotate(document=name_document()).filter(document=query)
        return providers.values("pk"), topics.values("pk")

    @staticmethod
    def _words_match(terms):
        matching = Q()
        for word in terms.split()[:SEARCH_MAX_WORDS]:
            # Correlated, so that it is asked only of the rows walked (newest first), not of
            # every tagging in the archive up front.
            topics = TaggedArticle.objects.filter(
                content_object=OuterRef("pk"), tag__name__icontains=word
            )
            matching &= (
                Q(title__icontains=word)
                | Q(excerpt__icontains=word)
                | Q(provider__name__icontains=word)
                | Exists(topics)
            )
        return matching


class Article(models.Model):
    """One story from one outlet, as the seed files describe it, plus our editorial state."""

    # The story, as imported.
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH, unique=True)
    excerpt = models.TextField(blank=True)
    category = models.CharField(max_length=50, default="news", db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ARTICLE)
    # Named so that no editor takes the outlet's time for ours (`publish_at`).
    published_at = models.DateTimeField(
        "outlet's publication time",
        help_text="When the outlet published the story; it orders the site's lists.",
    )
    original_url = models.URLField(max_length=URL_MAX_LENGTH, blank=True)
    web_url = models.URLField(max_length=URL_MAX_LENGTH)
    canonical_url = models.URLField(
        max_length=URL_MAX_LENGTH,
        unique=True,
        help_text="The article's identity: its URL without tracking parameters or fragment.",
    )
    amp_url = models.URLField("AMP URL", max_length=URL_MAX_LENGTH, blank=True)
    cdn_amp_url = models.URLField("CDN AMP URL", max_length=URL_MAX_LENGTH, blank=True)
    video_id = models.CharField(
        max_length=32, blank=True, help_text="YouTube video id, for videos."
    )
    quality = models.IntegerField(null=True, blank=True)
    heat = models.IntegerField(
        null=True, blank=True, db_index=True, validators=[MaxValueValidator(HEAT_MAX)]
    )
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="articles")
    topics = TaggableManager(through=TaggedArticle, blank=True, related_name="articles")
    secured = models.TextField(blank=True, help_text="Opaque; never shown to readers.")
    extra = models.JSONField(
        default=dict, blank=True, help_text="Seed-file keys that have no field of their own."
    )
    seed_raw = models.JSONField(
        "raw seed values",
        default=dict,
        blank=True,
        help_text="Title and excerpt as the seed file wrote them, where import cleaned them; "
        "export writes them back.",
    )

    # Editorial state.
    is_published = models.BooleanField("published", default=False)
    is_featured = models.BooleanField("featured", default=False)
    is_removed = models.BooleanField(
        "removed", default=False, help_text="Taken down: never public, whatever else is set."
    )
    publish_at = models.DateTimeField(
        "go live at (ours)",
        null=True,
        blank=True,
        help_text="Stays off the public site until then. A future time schedules the story: "
        "saving ticks Published for you.",
    )
    expires_at = models.DateTimeField(
        "take down at", null=True, blank=True, help_text="Leaves the public site then."
    )
    edited_fields = models.JSONField(
        default=list,
        blank=True,
        help_text="Fields an editor changed by hand; a re-import leaves them alone.",
    )

    # Where it came from.
    source = models.CharField(max_length=1000, blank=True, help_text="The seed file it came from.")
    content_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # PostgreSQL's full-text document (`search_document()`), kept right by a database trigger
    # whatever writes the row (a save, `update()`, the importer's bulk statements). NULL and
    # unused on SQLite, whose search matches words without it.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(
                fields=["is_published", "-is_featured", "-published_at"],
                name="article_public_listing",
            ),
            models.Index(fields=["-published_at"], name="article_published_at"),
            # The public order (`ranked()`): pages are read off it, whatever the archive's size.
            models.Index(*public_order(), name="article_ranking"),
            # The next scheduled change (`articles.visibility.next_schedule_change`): few rows.
            models.Index(
                fields=["publish_at"],
                name="article_publish_at",
                condition=Q(publish_at__isnull=False),
            ),
            models.Index(
                fields=["expires_at"],
                name="article_expires_at",
                condition=Q(expires_at__isnull=False),
            ),
            models.Index(fields=["provider", "-published_at"], name="article_provider_listing"),
            models.Index(fields=["category", "-published_at"], name="article_category_listing"),
            # An outlet's and a category's public order: their pages are read off these the way
            # the front page is read off `article_ranking`.
            models.Index(F("provider"), *public_order(), name="article_provider_ranking"),
            models.Index(F("category"), *public_order(), name="article_category_ranking"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True)
                | Q(publish_at__isnull=True)
                | Q(expires_at__gt=models.F("publish_at")),
                name="article_expires_after_publish",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self.title, exclude_pk=self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def is_scheduled(self) -> bool:
        return is_scheduled(self)

    @property
    def is_expired(self) -> bool:
        return is_expired(self)


def slug_base(title: str) -> str:
    """The slug of `title` before it is made unique: `slugify(title)`, short enough to take a
    `-N` suffix in the column, "article" when nothing of it is left."""
    return slugify(title)[: SLUG_MAX_LENGTH - SLUG_SUFFIX_ROOM].strip("-") or "article"


def unique_slug(title: str, *, exclude_pk=None) -> str:
    """A slug for `title` that no other article has: `the-title`, else `the-title-2`, …"""
    base = slug_base(title)
    taken = set(
        Article.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


class RelatedLink(models.Model):
    """A story from another outlet in this article's cluster."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_links")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    excerpt = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    web_url = models.URLField(max_length=URL_MAX_LENGTH)
    amp_url = models.URLField("AMP URL", max_length=URL_MAX_LENGTH, blank=True)
    cdn_amp_url = models.URLField("CDN AMP URL", max_length=URL_MAX_LENGTH, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ARTICLE)
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, null=True, blank=True, related_name="related_links"
    )
    quality = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["article", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "web_url"], name="related_link_unique_url_per_article"
            ),
        ]

    def __str__(self):
        return self.title


class Image(models.Model):
    """A picture of an article or of a related link (exactly one of the two)."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, blank=True, related_name="images"
    )
    related_link = models.ForeignKey(
        RelatedLink, on_delete=models.CASCADE, null=True, blank=True, related_name="images"
    )
    position = models.PositiveSmallIntegerField(default=0)
    url = models.URLField("URL", max_length=URL_MAX_LENGTH, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    is_cached = models.BooleanField(
        "cached", default=False, help_text="As the seed file says; see `file` for our own copy."
    )
    alt = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    file = models.ImageField(
        upload_to="images/",
        blank=True,
        help_text="Our own copy of the original (`cache_images` or an upload); see `renditions`.",
    )
    renditions = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="The WebP renditions of `file`: [{width, height, name}], narrowest first.",
    )
    failure = models.CharField(
        max_length=300,
        blank=True,
        editable=False,
        help_text="Why caching failed (`reason: detail`); retried only with --retry-failed.",
    )
    failed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(article__isnull=False, related_link__isnull=True)
                | Q(article__isnull=True, related_link__isnull=False),
                name="image_has_exactly_one_owner",
            ),
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(file=""), name="image_has_url_or_file"
            ),
        ]

    def __str__(self):
        return self.url or self.file.name


class ImportRun(models.Model):
    """One run of the seed importer, from the command line or the admin. Its counts are kept up
    to date batch by batch, so a run that never finished still says how far it got; the lists
    hold their first `MAX_LISTED` entries (`articles.seeds.load`)."""

    class Trigger(models.TextChoices):
        COMMAND = "command", "Command line"
        ADMIN = "admin", "Admin upload"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        # Stopped by an error, or found by a later run with its process gone (or too old).
        INTERRUPTED = "interrupted", "Interrupted"

    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    trigger = models.CharField(max_length=20, choices=Trigger.choices, default=Trigger.COMMAND)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    host = models.CharField(max_length=255, blank=True, help_text="The machine the run ran on.")
    pid = models.PositiveIntegerField(
        null=True, blank=True, help_text="The id of the run's process on its machine."
    )
    dry_run = models.BooleanField(default=False)
    files = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    rejections = models.JSONField(
        default=list, blank=True, help_text="Each rejected file with its reason."
    )
    skips = models.JSONField(
        default=list, blank=True, help_text="Each skipped file (not a regular file) and why."
    )
    warning_messages = models.JSONField(
        default=list, blank=True, help_text="Each warning with its file."
    )
    created_ids = models.JSONField(
        default=list, blank=True, help_text="The ids of the articles the run created."
    )
    updated_ids = models.JSONField(
        default=list, blank=True, help_text="The ids of the articles the run updated."
    )

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        started = date_format(timezone.localtime(self.started_at), "DATETIME_FORMAT")
        return f"Import of {started}"
