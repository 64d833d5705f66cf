"""Readers' pages: the card listings (front page, topic, category, search; an outlet's page is
`articles.public.outlets`), a story's page, robots.txt and the health check.

Views stay thin: a listing's queryset is a chain of `ArticleQuerySet` methods (`published()`,
`ranked()`, `ranked_in_topic()`, `search()`) cut to a card's columns by `card_rows`; the
selectors (`articles.public.selectors`) read what a page shows beyond its rows in a fixed number
of queries, and `articles.public.cards` renders the card grid and the cluster. Every view here
is served through the page cache (`reader_page` in `articles/public/urls.py`), so its cost is
paid once per content version, not once per reader."""

import re

from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView

from articles.images.markup import image_src
from articles.models import SEARCH_WINDOW, Article, Topic, TopicRedirect
from articles.visibility import not_public_because
from newsroom.content import CachedCountPaginator
from newsroom.db import planned_each_time

from .cards import render_cards, render_cluster
from .selectors import (
    article_for_preview,
    card_rows,
    load_cards,
    load_cluster,
    more_on_topic,
    published_article,
    topics_of,
)
from .videos import video_thumbnail

CARDS_PER_PAGE = 24
MORE_ON_TOPIC = 6
SEARCH_MAX_LENGTH = 200
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


class CardListView(ListView):
    """A paginated grid of article cards: a fixed number of queries whatever the number of
    cards (the count, the page of articles, its prefetches, and one for our own links)."""

    context_object_name = "articles"
    paginator_class = CachedCountPaginator
    paginate_by = CARDS_PER_PAGE
    template_name = "articles/card_page.html"
    heading = ""
    # A listing that is the page of something named (a topic, a category, an outlet) answers
    # 404 when none of its stories is published, as for a name that is no one's: the page would
    # otherwise show what is hidden. Read off the count the paginator makes anyway.
    not_found_when_empty = False

    def get_paginator(self, queryset, per_page, **kwargs):
        # The listing is the path and the search terms; the page number is not part of it.
        key = f"{self.request.path}?q={self.request.GET.get('q', '')}"
        return super().get_paginator(queryset, per_page, count_key=key, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.not_found_when_empty and not context["paginator"].count:
            raise Http404("No published stories here.")
        context["articles"] = cards = load_cards(context["articles"])
        context["cards"] = render_cards(cards)
        context.setdefault("heading", self.heading)
        return context


class FrontPageView(CardListView):
    template_name = "articles/front_page.html"
    heading = "Top stories"

    def get_queryset(self):
        return card_rows(Article.objects.published().ranked())


def old_topic_redirect(request, slug: str, view_name: str) -> HttpResponsePermanentRedirect:
    """A permanent redirect from a renamed or merged topic's old `slug` to `view_name` of the
    topic it became, keeping the query string; 404 when `slug` was never a topic's."""
    redirects = TopicRedirect.objects.select_related("topic")
    redirect = get_object_or_404(redirects, old_slug=slug)
    target = reverse(view_name, kwargs={"slug": redirect.topic.slug})
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)


class TopicView(CardListView):
    """One topic's cards. The old slug of a renamed or merged topic answers with a permanent
    redirect to the topic it became."""

    template_name = "articles/topic.html"
    not_found_when_empty = True

    def get(self, request, *args, **kwargs):
        self.topic = Topic.objects.filter(slug=self.kwargs["slug"]).first()
        if self.topic is None:
            return old_topic_redirect(request, self.kwargs["slug"], "articles:topic")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return card_rows(Article.objects.published().ranked_in_topic(self.topic))

    def get_context_data(self, **kwargs):
        return super().get_context_data(topic=self.topic, heading=self.topic.name, **kwargs)


class CategoryView(CardListView):
    template_name = "articles/category.html"
    not_found_when_empty = True

    def get_queryset(self):
        return card_rows(Article.objects.published().filter(category=self.kwargs["slug"]).ranked())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["heading"] = self.kwargs["slug"].replace("-", " ").capitalize()
        context["category"] = self.kwargs["slug"]
        return context


class SearchView(CardListView):
    """`/search/?q=`: see `ArticleQuerySet.search()` for what matches on each database. An
    empty query shows the form; an over-long one is refused with a message, not run. Only the
    newest `SEARCH_WINDOW` matches are paginated: when there are more, the count says so."""

    template_name = "articles/search.html"

    def get(self, request, *args, **kwargs):
        self.query = request.GET.get("q", "").strip()
        self.too_long = len(self.query) > SEARCH_MAX_LENGTH
        # The best plan for a search depends on its words: one generic plan does not do.
        with planned_each_time():
            return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if not self.query or self.too_long:
            return Article.objects.none()
        return card_rows(Article.objects.published().search(self.query))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            query=self.query,
            too_long=self.too_long,
            max_length=SEARCH_MAX_LENGTH,
            search_window=SEARCH_WINDOW,
            heading=f"Search: {self.query}" if self.query and not self.too_long else "Search",
            **kwargs,
        )


def may_preview(user) -> bool:
    """Whether `user` may see a story that readers may not (a preview): active staff with
    the permission to view articles."""
    return user.is_staff and user.has_perm("articles.view_article")


class ArticleDetailView(DetailView):
    """One story in full: its image, its whole cluster of related stories (each with its
    image), and more of our own stories on its first topic. Six queries.

    Staff who may preview (`may_preview`) see a story readers may not (unpublished,
    scheduled, expired, removed, its outlet blocked) as readers would, under a banner saying
    why it is not public; anyone else gets the same 404 as for a story that does not exist.
    A preview is never stored by any cache."""

    template_name = "articles/article_detail.html"
    context_object_name = "article"
    # Why readers may not see the story, on staff's preview; "" on readers' pages.
    preview = ""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.preview:
            # Private and never stored: the page cache leaves such an answer and its headers
            # alone (`newsroom.page_cache`; it never stores a request with a session anyway).
            add_never_cache_headers(response)
        return response

    def get_object(self, queryset=None):
        slug = self.kwargs["slug"]
        article = published_article(slug)
        # Readers' 404s cost no more than before: staff are looked for only then.
        if article is None and may_preview(self.request.user):
            article = article_for_preview(slug)
            if article is not None:
                self.preview = not_public_because(article)
        if article is None:
            raise Http404("No such story.")
        return article

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        cluster = load_cluster(article)
        topics = topics_of(article)
        more = more_on_topic(article, topics[0], MORE_ON_TOPIC) if topics else []
        lead_image = article.lead_image
        context.update(
            cluster=cluster,
            cluster_items=render_cluster(cluster),
            share_image=video_thumbnail(article) or image_src(lead_image),
            category_url=(
                reverse("articles:category", args=[article.category])
                if SLUG.fullmatch(article.category)
                else ""
            ),
            topics=topics,
            lead_image=lead_image,
            more_topic=topics[0] if topics else None,
            more_on_topic=more,
            preview=self.preview,
        )
        return context


@require_safe
def robots_txt(request):
    """Crawlers may read everything public; here is the sitemap. The admin is not named: its
    address (`ADMIN_URL`) may be kept unguessable, which robots.txt would give away, and its
    pages tell robots themselves not to index them (Django's `<meta name="robots">`)."""
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Allow: /", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@never_cache
@require_safe
def healthz(request):
    """200 when the database answers, 503 when it does not: for load balancers and uptime
    checks. Says nothing else about the system."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
