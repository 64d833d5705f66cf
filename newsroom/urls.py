from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import index, sitemap
from django.urls import include, path

from articles.public.sitemaps import SITEMAPS
from articles.public.views import healthz, robots_txt
from newsroom.page_cache import reader_page

admin.site.site_header = "Newsroom"
admin.site.site_title = "Newsroom admin"
admin.site.index_title = "Curation"

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("robots.txt", reader_page(robots_txt), name="robots_txt"),
    path("healthz", healthz, name="healthz"),
    path(
        "sitemap.xml",
        reader_page(index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        reader_page(sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("providers/", include("articles.public.outlet_urls")),
    path("", include("articles.public.urls")),
]
# Cached and uploaded images in development; `static()` adds nothing with DEBUG off, where the
# proxy serves MEDIA_ROOT (README "Deploying").
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
