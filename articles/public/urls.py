"""Readers' pages, in the `articles` URL namespace; each is a `reader_page` (cached for readers,
always current: `newsroom.page_cache`)."""

from django.urls import path

from newsroom.page_cache import reader_page

from . import feeds, views

app_name = "articles"

urlpatterns = [
    path("", reader_page(views.FrontPageView.as_view()), name="front_page"),
    path("articles/<slug:slug>/", reader_page(views.ArticleDetailView.as_view()), name="detail"),
    path("topics/<str:slug>/", reader_page(views.TopicView.as_view()), name="topic"),
    path("topics/<str:slug>/feed/", reader_page(feeds.TopicFeed()), name="topic_feed"),
    path(
        "topics/<str:slug>/feed/atom/",
        reader_page(feeds.TopicAtomFeed()),
        name="topic_feed_atom",
    ),
    path("category/<slug:slug>/", reader_page(views.CategoryView.as_view()), name="category"),
    path("search/", reader_page(views.SearchView.as_view()), name="search"),
    path("feed/", reader_page(feeds.LatestFeed()), name="feed"),
    path("feed/atom/", reader_page(feeds.LatestAtomFeed()), name="feed_atom"),
]
