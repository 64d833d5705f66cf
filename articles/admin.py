from django.contrib import admin

from .models import Article, Image, ImportRun, RelatedLink, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class ImageInline(admin.TabularInline):
    model = Image
    fk_name = "article"
    extra = 0
    fields = ["position", "url", "width", "height", "alt"]


class RelatedLinkInline(admin.TabularInline):
    model = RelatedLink
    extra = 0
    fields = ["position", "title", "web_url", "provider", "published_at"]
    autocomplete_fields = ["provider"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "provider", "category", "published_at", "is_published", "is_featured"]
    list_filter = ["is_published", "is_featured", "category", "kind"]
    list_select_related = ["provider"]
    search_fields = ["title"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["provider"]
    readonly_fields = [
        "canonical_url",
        "secured",
        "source",
        "content_hash",
        "created_at",
        "updated_at",
    ]
    show_full_result_count = False
    inlines = [ImageInline, RelatedLinkInline]


@admin.register(RelatedLink)
class RelatedLinkAdmin(admin.ModelAdmin):
    list_display = ["title", "article", "provider", "published_at"]
    list_select_related = ["article", "provider"]
    search_fields = ["title"]
    autocomplete_fields = ["article", "provider"]


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["url", "article", "related_link", "width", "height"]
    list_select_related = ["article", "related_link"]
    autocomplete_fields = ["article", "related_link"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "trigger", "created", "updated", "unchanged", "rejected"]
    readonly_fields = [f.name for f in ImportRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
