"""RSS and Atom feeds of the newest published stories: site-wide, per topic, per provider.

Each item links to the story at its outlet (the original link), carries its excerpt (as text), its
provider as author, its topics as categories, and its lead image as an enclosure."""

import mimetypes
from urllib.parse import urlsplit

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure
from django.utils.html import escape

from articles.images.markup import image_src
from articles.models import Article, Topic
from articles.seeds.text import http_url
from providers.models import Provider

from .links import original_url
from .selectors import attach_topics_and_lead_image
from .videos import video_thumbnail
from .views import old_topic_redirect

FEED_ITEMS = 50
# Article columns no feed shows.
NOT_IN_FEEDS = ("secured", "extra", "seed_raw", "edited_fields", "source", "content_hash")


class NothingPublished(Http404):
    """A feed whose topic or outlet exists but has no published story."""


class LatestFeed(Feed):
    title = "Newsroom: latest stories"
    description = "The newest stories gathered by Newsroom from many outlets."

    def link(self):
        return reverse("articles:front_page")

    def items(self):
        return self.articles()

    def articles(self, **filters):
        """The newest `FEED_ITEMS` published articles matching `filters`, with their topics
        and lead image."""
        articles = list(
            Article.objects.published()
            .filter(**filters)
            .order_by("-published_at", "-pk")
            .select_related("provider")
            .defer(*NOT_IN_FEEDS)[:FEED_ITEMS]
        )
        attach_topics_and_lead_image(articles)
        return articles

    def articles_or_404(self, **filters):
        """`articles(**filters)`, or 404 when none is published: the feed of a topic or an
        outlet would otherwise name what is hidden (their pages answer 404 too)."""
        articles = self.articles(**filters)
        if not articles:
            raise NothingPublished("No published stories here.")
        return articles

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Readers take an RSS description and an Atom summary (type="html") as HTML; the
        # excerpt is text (a seed's `&lt;iframe&gt;` is the text `<iframe>`), so it goes out
        # escaped, once more than the XML escaping every element gets.
        return escape(item.excerpt)

    def item_link(self, item):
        return original_url(item) or item.get_absolute_url()

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.provider.name

    def item_categories(self, item):
        return [topic.name for topic in item.card_topics]

    def item_enclosures(self, item):
        url = video_thumbnail(item) or image_src(item.lead_image)
        url = http_url(url)
        if not url:
            return []
        mime_type = mimetypes.guess_type(urlsplit(url).path)[0] or "image/jpeg"
        # The size is unknown without fetching the image; RSS readers accept 0.
        return [Enclosure(url, "0", mime_type if mime_type.startswith("image/") else "image/jpeg")]


class LatestAtomFeed(LatestFeed):
    feed_type = Atom1Feed
    subtitle = LatestFeed.description


class TopicFeed(LatestFeed):
    view_name = "articles:topic_feed"

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except NothingPublished:
            raise  # a live topic wins over an old slug, as on its page
        except Http404:
            # Checked only when the slug is no live topic's, so a feed costs nothing extra.
            return old_topic_redirect(request, kwargs["slug"], self.view_name)

    def get_object(self, request, slug):
        return get_object_or_404(Topic, slug=slug)

    def title(self, obj):
        return f"Newsroom: {obj.name}"

    def description(self, obj):
        return f"The newest stories on {obj.name}."

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return self.articles_or_404(topics=obj)


class TopicAtomFeed(TopicFeed):
    feed_type = Atom1Feed
    view_name = "articles:topic_feed_atom"

    def subtitle(self, obj):
        return self.description(obj)


class ProviderFeed(LatestFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Provider.objects.visible(), slug=slug)

    def title(self, obj):
        return f"Newsroom: {obj.name}"

    def description(self, obj):
        return f"The newest stories from {obj.name} ({obj.domain})."

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return self.articles_or_404(provider=obj)


class ProviderAtomFeed(ProviderFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj):
        return self.description(obj)
