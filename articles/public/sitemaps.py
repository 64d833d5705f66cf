"""`/sitemap.xml`: a sitemap index of three sections, `/sitemap-<section>.xml` (`?p=` for the
next pages): every published article, and the topic and provider pages that list them.

An index, because the archive outgrows one file: a section page holds at most `limit` URLs, so
a crawler's request costs the same whatever the archive's size. Sections read rows, not model
instances, build URLs from a prefix reversed once, count through the cache (`cached_count`),
and give their latest change from one aggregate (Django's default reads every item)."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.utils.functional import cached_property

from articles.models import Article, Topic
from newsroom.content import CachedCountPaginator
from providers.models import Provider

from .links import SlugPaths, slug_paths


def newest(articles):
    """The latest `published_at` of `articles`: read off the `published_at` index from the
    newest end (an aggregate would read every row)."""
    return articles.order_by("-published_at").values_list("published_at", flat=True).first()


def listing_pages(pages):
    """(slug, its newest story's time) of each of `pages` (topics or outlets) that lists a
    published story, by name."""
    return (
        pages.filter(articles__in=Article.objects.published())
        .annotate(latest=Max("articles__published_at"))
        .order_by("name")
        .values_list("slug", "latest")
    )


class RowSitemap(Sitemap):
    """A section whose items are `(slug, lastmod)` rows of pages at `view_name`."""

    view_name = ""
    limit = 1000

    @cached_property
    def _paths(self) -> SlugPaths:
        return slug_paths(self.view_name)

    def location(self, item):
        return self._paths(item[0])

    def lastmod(self, item):
        return item[1]

    @property
    def paginator(self):
        key = f"sitemap:{self.view_name}"
        return CachedCountPaginator(self._items(), self.limit, count_key=key)


class ArticleSitemap(RowSitemap):
    changefreq = "never"
    priority = 0.8
    view_name = "articles:detail"

    def items(self):
        # News crawlers read lastmod as "when did this story appear". `updated_at` moves with
        # every import and editorial touch, which would make old stories look new.
        return (
            Article.objects.published()
            .order_by("-published_at", "-pk")
            .values_list("slug", "published_at")
        )

    def get_latest_lastmod(self):
        return newest(Article.objects.published())


class TopicSitemap(RowSitemap):
    changefreq = "daily"
    priority = 0.5
    view_name = "articles:topic"

    def items(self):
        return listing_pages(Topic.objects.all())

    def get_latest_lastmod(self):
        return newest(Article.objects.published().filter(topics__isnull=False))


class ProviderSitemap(RowSitemap):
    changefreq = "daily"
    priority = 0.5
    view_name = "providers:detail"

    def items(self):
        return listing_pages(Provider.objects.visible())

    def get_latest_lastmod(self):
        # An outlet's page lists its published articles, and `published()` leaves out the
        # blocked outlets: the newest published article is the newest change of any.
        return newest(Article.objects.published())


SITEMAPS = {"articles": ArticleSitemap, "topics": TopicSitemap, "providers": ProviderSitemap}
