from django.contrib import admin, messages
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html

from articles.models import Article

from .models import Provider


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "article_count", "is_blocked", "view_articles"]
    list_filter = ["is_blocked"]
    search_fields = ["name", "domain"]
    prepopulated_fields = {"slug": ["domain"]}
    fields = ["name", "domain", "slug", "is_blocked", "logo", "logo_url"]
    actions = ["block", "unblock"]
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request):
        # A correlated count rather than a join and GROUP BY: computed only for the rows shown
        # (autocomplete asks for 20 at a time), and the default ordering still applies.
        count = (
            Article.objects.filter(provider=OuterRef("pk"))
            .order_by()
            .values("provider")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(article_count=Coalesce(Subquery(count, output_field=IntegerField()), 0))
        )

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, provider):
        return provider.article_count

    @admin.display(description="")
    def view_articles(self, provider):
        url = reverse("admin:articles_article_changelist")
        return format_html('<a href="{}?provider__id__exact={}">Articles</a>', url, provider.pk)

    def _set_blocked(self, request, queryset, blocked):
        count = queryset.exclude(is_blocked=blocked).update(is_blocked=blocked)
        what = "blocked: their articles are hidden from readers" if blocked else "unblocked"
        noun = "provider" if count == 1 else "providers"
        self.message_user(request, f"{count} {noun} changed: {what}.", messages.SUCCESS)

    @admin.action(description="Block selected providers", permissions=["change"])
    def block(self, request, queryset):
        self._set_blocked(request, queryset, True)

    @admin.action(description="Unblock selected providers", permissions=["change"])
    def unblock(self, request, queryset):
        self._set_blocked(request, queryset, False)
