from django.urls import path

from . import feeds, views

app_name = "articles"

urlpatterns = [
    path("", views.FrontPageView.as_view(), name="front_page"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("topics/<str:slug>/", views.TopicView.as_view(), name="topic"),
    path("topics/<str:slug>/feed/", feeds.TopicFeed(), name="topic_feed"),
    path("topics/<str:slug>/feed/atom/", feeds.TopicAtomFeed(), name="topic_feed_atom"),
    path("category/<slug:slug>/", views.CategoryView.as_view(), name="category"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feed/", feeds.LatestFeed(), name="feed"),
    path("feed/atom/", feeds.LatestAtomFeed(), name="feed_atom"),
]
