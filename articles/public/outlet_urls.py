"""The outlets' pages and feeds, under `/providers/` in the `providers` URL namespace (which
`Provider.get_absolute_url` reverses)."""

from django.urls import path

from newsroom.page_cache import reader_page

from .feeds import ProviderAtomFeed, ProviderFeed
from .outlets import ProviderView

app_name = "providers"

urlpatterns = [
    path("<slug:slug>/", reader_page(ProviderView.as_view()), name="detail"),
    path("<slug:slug>/feed/", reader_page(ProviderFeed()), name="feed"),
    path("<slug:slug>/feed/atom/", reader_page(ProviderAtomFeed()), name="feed_atom"),
]
