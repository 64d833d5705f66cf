from django.urls import path

from articles.feeds import ProviderAtomFeed, ProviderFeed

from . import views

app_name = "providers"

urlpatterns = [
    path("<slug:slug>/", views.ProviderView.as_view(), name="detail"),
    path("<slug:slug>/feed/", ProviderFeed(), name="feed"),
    path("<slug:slug>/feed/atom/", ProviderAtomFeed(), name="feed_atom"),
]
