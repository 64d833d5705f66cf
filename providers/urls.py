from django.urls import path

from articles.feeds import ProviderAtomFeed, ProviderFeed
from newsroom.page_cache import reader_page

from . import views

app_name = "providers"

urlpatterns = [
    path("<slug:slug>/", reader_page(views.ProviderView.as_view()), name="detail"),
    path("<slug:slug>/feed/", reader_page(ProviderFeed()), name="feed"),
    path("<slug:slug>/feed/atom/", reader_page(ProviderAtomFeed()), name="feed_atom"),
]
