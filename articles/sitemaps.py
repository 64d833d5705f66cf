"""`/sitemap.xml`: every published article, and the topic and provider pages that list them."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max

from providers.models import Provider

from .models import Article, Topic


class ArticleSitemap(Sitemap):
    changefreq = "never"
    priority = 0.8
    limit = 5000

    def items(self):
        return (
            Article.objects.published()
            .order_by("-published_at", "-pk")
            .only("slug", "published_at")
        )

    def lastmod(self, item):
        # News crawlers read lastmod as "when did this story appear". `updated_at` moves with
        # every import and editorial touch, which would make old stories look new.
        return item.published_at


class TopicSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        return (
            Topic.objects.filter(articles__in=Article.objects.published())
            .annotate(latest=Max("articles__published_at"))
            .order_by("name")
        )

    def lastmod(self, item):
        return item.latest


class ProviderSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        return (
            Provider.objects.visible()
            .filter(articles__in=Article.objects.published())
            .annotate(latest=Max("articles__published_at"))
            .order_by("name")
        )

    def lastmod(self, item):
        return item.latest


SITEMAPS = {"articles": ArticleSitemap, "topics": TopicSitemap, "providers": ProviderSitemap}
