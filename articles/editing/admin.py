"""The editorial admin: the ModelAdmins of articles, topics, their redirects, related links,
images and import runs (outlets: `articles.editing.outlets`; failed logins: `logins`). Actions
are thin: each calls a service function of this wing (`curation`, `topics`) that owns the
transaction, logs what it changed (`history`), then reports."""

from taggit.models import Tag

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import DELETION
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import transaction
from django.db.models import F, Prefetch, Q, prefetch_related_objects
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst, smart_split, unescape_string_literal

from articles.images.markup import image_src
from articles.models import (
    SEARCH_MAX_WORDS,
    Article,
    Image,
    ImportRun,
    RelatedLink,
    TaggedArticle,
    Topic,
    TopicRedirect,
)
from articles.public.cards import img
from articles.public.links import original_url
from articles.public.videos import video_thumbnail
from articles.seeds import mark_edited
from articles.visibility import is_public, reader_status
from newsroom.db import correlated_count
from providers.models import Provider

from . import curation, history, views
from .changelists import FilterRememberingChangeList, RememberFiltersMixin
from .filters import (
    IndexedValuesFilter,
    ProviderFilter,
    PublishedWithinFilter,
    ScheduleFilter,
    TopicFilter,
)
from .forms import (
    ArticleActionForm,
    ArticleAdminForm,
    TopicMergeForm,
    on_save_sentence,
    owned_label,
)
from .inlines import ImageInline, RelatedLinkInline
from .logins import LoginAttemptAdmin  # noqa: F401 - registers the failed logins' admin
from .outlets import ProviderAdmin  # noqa: F401 - registers the outlets' admin
from .paginator import BoundedPaginator
from .topics import TopicMergeError, merge_topics, save_topic

# The articles changelist counts and pages through at most this many rows (`BoundedPaginator`).
CHANGELIST_LIMIT = 10_000

# django-taggit registers its own Tag model; ours is `Topic`, so that one would only confuse.
admin.site.unregister(Tag)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


class ArticleChangeList(FilterRememberingChangeList):
    """The articles changelist: a page of rows gets its topics and lead image in two queries,
    whatever the number of rows, and each row the address of its change form (with the list's
    filters, for the way back), which its title cell links to."""

    def get_results(self, request):
        super().get_results(request)
        self.result_list = list(self.result_list)
        lead_image = Image.objects.order_by("position", "pk")[:1]
        prefetch_related_objects(
            self.result_list,
            "topics",
            Prefetch("images", queryset=lead_image, to_attr="lead_images"),
        )
        context = {"preserved_filters": self.preserved_filters, "opts": self.opts}
        site = self.model_admin.admin_site.name
        for article in self.result_list:
            url = reverse("admin:articles_article_change", args=[article.pk], current_app=site)
            article.change_url = add_preserved_filters(context, url)


@admin.register(Article)
class ArticleAdmin(RememberFiltersMixin, admin.ModelAdmin):
    form = ArticleAdminForm
    action_form = ArticleActionForm
    # Fits a 1,440-pixel screen: the flags in one column, the links under the title (whose cell
    # links to the change form itself: a link around it would hold the other links).
    list_display = [
        "thumbnail",
        "story",
        "status_flags",
        "published",
        "topic_list",
        "quality_score",
        "heat_score",
    ]
    list_display_links = None
    list_filter = [
        "is_published",
        "is_featured",
        ScheduleFilter,
        PublishedWithinFilter,
        ("category", IndexedValuesFilter),
        "kind",
        ProviderFilter,
        TopicFilter,
    ]
    list_select_related = ["provider"]
    list_per_page = 50
    search_fields = ["title", "excerpt", "provider__name"]
    search_help_text = "Words in the title, the excerpt or the outlet's name."
    date_hierarchy = "published_at"
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    autocomplete_fields = ["provider"]
    readonly_fields = [
        "canonical_url",
        "on_save",
        "editor_owned",
        "source",
        "content_hash",
        "created_at",
        "updated_at",
        "secured",
        "extra",
        "seed_raw",
    ]
    inlines = [ImageInline, RelatedLinkInline]
    actions = ["publish", "unpublish", "feature", "unfeature", "add_topic", "remove_topic"]

    def get_fieldsets(self, request, obj=None):
        curation_fields = [
            "is_published",
            "publish_at",
            "expires_at",
            "on_save",
            "is_featured",
            "is_removed",
        ]
        if obj is not None:
            curation_fields.append("editor_owned")
            if obj.edited_fields:
                curation_fields.append("hand_back")
        return [
            (
                "Curation",
                {
                    "fields": curation_fields,
                    "description": "Readers see the story when it is published, not removed, "
                    "its outlet is not blocked, its “Go live at” (if any) has come and its "
                    "“Take down at” (if any) has not. Nothing needs to run for that to "
                    "happen. A future “Go live at” schedules the story: saving ticks "
                    "Published. Unticking Published keeps it off the site, whatever the "
                    "times say.",
                },
            ),
            (
                "Story",
                {
                    "fields": [
                        "title",
                        "slug",
                        "excerpt",
                        ("kind", "category"),
                        "provider",
                        "topics",
                        "published_at",
                    ]
                },
            ),
            (
                "Links",
                {
                    "fields": [
                        "web_url",
                        "original_url",
                        "canonical_url",
                        "amp_url",
                        "cdn_amp_url",
                        "video_id",
                    ]
                },
            ),
            ("Scores", {"fields": [("quality", "heat")]}),
            (
                "Source",
                {
                    "classes": ["collapse"],
                    "fields": [
                        "source",
                        "content_hash",
                        ("created_at", "updated_at"),
                        "secured",
                        "extra",
                        "seed_raw",
                    ],
                    "description": "Where the article came from, as the importer recorded it. "
                    "Read-only; `secured` is never shown to readers.",
                },
            ),
        ]

    def view_on_site(self, article):
        """Django's "View on site" button, while readers may see the story; otherwise the
        change form offers "Preview" (`admin/articles/article/change_form_object_tools.html`)."""
        return article.get_absolute_url() if is_public(article) else None

    def get_changelist(self, request, **kwargs):
        return ArticleChangeList

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # The history page pages an article's log entries through this method too: those
        # have no publication date, and Django's paginator is right for them.
        if queryset.model is not Article:
            return super().get_paginator(
                request, queryset, per_page, orphans, allow_empty_first_page
            )
        return BoundedPaginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            date_field=self.date_hierarchy,
            limit=CHANGELIST_LIMIT,
        )

    @property
    def media(self):
        topics = AutocompleteSelect(Article._meta.get_field("topics"), self.admin_site)
        return super().media + topics.media + forms.Media(js=["js/admin-filters.js"])

    def get_search_results(self, request, queryset, search_term):
        """Every word (or "quoted phrase") must appear in the title, the excerpt or the
        outlet's name, as with Django's own search on `search_fields`; the outlets are matched
        once, in a subquery, instead of being joined to every article."""
        for word in list(smart_split(search_term))[:SEARCH_MAX_WORDS]:
            if word[0] in {'"', "'"} and word[0] == word[-1] and len(word) > 1:
                word = unescape_string_literal(word)
            outlets = Provider.objects.filter(name__icontains=word).values("pk")
            queryset = queryset.filter(
                Q(title__icontains=word) | Q(excerpt__icontains=word) | Q(provider__in=outlets)
            )
        return queryset, False

    def save_model(self, request, obj, form, change):
        mark_edited(obj, form.changed_data)
        handed_back = set(form.cleaned_data.get("hand_back") or [])
        if handed_back:
            obj.edited_fields = [name for name in obj.edited_fields if name not in handed_back]
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        curation.record_children_edited(
            (formset.fk.remote_field.get_accessor_name(), form.instance.pk)
            for formset in formsets
            if formset.has_changed()
        )

    # Changelist columns.

    @admin.display(description="")
    def thumbnail(self, article):
        src = video_thumbnail(article) or image_src(
            article.lead_images[0] if article.lead_images else None
        )
        if not src:
            return format_html('<span class="{}"></span>', "nr-thumb nr-thumb-empty")
        return img(src, "", class_name="nr-thumb", loading="lazy")

    # Missing scores sort as the lowest on every database (PostgreSQL would put them first
    # when sorting from high to low).
    @admin.display(description="quality", ordering=F("quality").asc(nulls_first=True))
    def quality_score(self, article):
        return article.quality

    @admin.display(description="heat", ordering=F("heat").asc(nulls_first=True))
    def heat_score(self, article):
        return article.heat

    @admin.display(description="story", ordering="title")
    def story(self, article):
        return format_html(
            '<a class="nr-story" href="{}">{}</a><div class="nr-links">{}</div>',
            article.change_url,
            article.title,
            self.links(article),
        )

    @admin.display(description="published", ordering="published_at")
    def published(self, article):
        return format_html(
            '{}<span class="nr-when">{}</span>',
            article.provider,
            date_format(timezone.localtime(article.published_at), "j M Y, H:i"),
        )

    @admin.display(description="topics")
    def topic_list(self, article):
        return ", ".join(topic.name for topic in article.topics.all()) or "—"

    @admin.display(description="for readers")
    def status(self, article):
        css, label = reader_status(article)
        return format_html('<span class="nr-status nr-status-{}">{}</span>', css, label)

    @admin.display(description="status")
    def status_flags(self, article):
        """Where the article stands for readers (which says whether it is published), and
        whether it is featured."""
        if not article.is_featured:
            return self.status(article)
        return format_html(
            '{}<span class="nr-status nr-featured">{}</span>', self.status(article), "Featured"
        )

    @admin.display(description="links")
    def links(self, article):
        # The same page either way: staff see a story readers may not as a preview.
        site = format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            article.get_absolute_url(),
            "View on site" if is_public(article) else "Preview",
        )
        outlet = original_url(article)
        if not outlet:
            return site
        return format_html(
            '{}<br><a href="{}" target="_blank" rel="noopener noreferrer">Original ↗</a>',
            site,
            outlet,
        )

    @admin.display(description="once saved")
    def on_save(self, article):
        # `article` is the form's instance: on a form sent back with errors, it holds the
        # values just sent.
        return on_save_sentence(article)

    @admin.display(description="fields an editor owns")
    def editor_owned(self, article):
        if not article.edited_fields:
            return "None: imports may update every field."
        return ", ".join(owned_label(name) for name in article.edited_fields)

    # Actions.

    def _bulk_change(self, request, what: str, change, *args, **kwargs):
        """Run `change` (a `curation` function returning the articles it changed), log each
        article it changed ("Published (bulk action)"), and report how many."""
        with transaction.atomic():
            changed = change(*args, **kwargs)
            history.log(request.user, changed, f"{capfirst(what)} (bulk action)")
        self.message_user(
            request, f"{_plural(len(changed), 'article')} changed: {what}.", messages.SUCCESS
        )

    def _set_flag(self, request, queryset, field: str, value: bool, what: str):
        self._bulk_change(request, what, curation.set_flag, queryset, field=field, value=value)

    @admin.action(description="Publish selected articles", permissions=["change"])
    def publish(self, request, queryset):
        self._set_flag(request, queryset, "is_published", True, "published")

    @admin.action(description="Unpublish selected articles", permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_flag(request, queryset, "is_published", False, "unpublished")

    @admin.action(description="Feature selected articles", permissions=["change"])
    def feature(self, request, queryset):
        self._set_flag(request, queryset, "is_featured", True, "featured")

    @admin.action(description="Stop featuring selected articles", permissions=["change"])
    def unfeature(self, request, queryset):
        self._set_flag(request, queryset, "is_featured", False, "no longer featured")

    def _chosen_topic(self, request):
        form = self.action_form(request.POST)
        form.fields["action"].choices = self.get_action_choices(request)
        topic = form.cleaned_data.get("topic") if form.is_valid() else None
        if topic is None:
            self.message_user(
                request,
                "Choose a topic in the “Topic” box next to the action first. Nothing changed.",
                messages.ERROR,
            )
        return topic

    @admin.action(description="Add a topic to selected articles", permissions=["change"])
    def add_topic(self, request, queryset):
        topic = self._chosen_topic(request)
        if topic is not None:
            what = f"topic “{topic}” added"
            self._bulk_change(request, what, curation.add_topic, queryset, topic)

    @admin.action(description="Remove a topic from selected articles", permissions=["change"])
    def remove_topic(self, request, queryset):
        topic = self._chosen_topic(request)
        if topic is not None:
            what = f"topic “{topic}” removed"
            self._bulk_change(request, what, curation.remove_topic, queryset, topic)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "article_count", "view_articles"]
    search_fields = ["name", "slug"]
    fields = ["name", "slug", "old_slugs"]
    readonly_fields = ["old_slugs"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(article_count=correlated_count(TaggedArticle.objects.all(), "tag"))
        )

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, topic):
        return topic.article_count

    @admin.display(description="")
    def view_articles(self, topic):
        url = reverse("admin:articles_article_changelist")
        return format_html('<a href="{}?topics__id__exact={}">Articles</a>', url, topic.pk)

    @admin.display(description="old addresses (redirect here)")
    def old_slugs(self, topic):
        slugs = [redirect.old_slug for redirect in topic.redirects.all()] if topic.pk else []
        return ", ".join(slugs) or "—"

    def save_model(self, request, obj, form, change):
        if change:
            save_topic(
                obj, old_slug=form.initial.get("slug", ""), old_name=form.initial.get("name", "")
            )
        else:
            save_topic(obj)

    @admin.action(description="Merge selected topics into one…", permissions=["change", "delete"])
    def merge(self, request, queryset):
        form = TopicMergeForm(request.POST if "apply" in request.POST else None, topics=queryset)
        if form.is_valid():
            into = form.cleaned_data["into"]
            try:
                with transaction.atomic():
                    result = merge_topics(queryset.exclude(pk=into.pk), into=into)
                    self._log_merge(request, result)
            except TopicMergeError as error:
                self.message_user(request, f"{error} Nothing changed.", messages.ERROR)
                return None
            self.message_user(
                request,
                f"Merged {', '.join(result.merged)} into {into}: "
                f"{_plural(result.articles_moved, 'article')} moved; "
                "the old addresses redirect to it.",
                messages.SUCCESS,
            )
            return None
        if queryset.count() < 2:
            self.message_user(
                request,
                "Select at least two topics: a topic cannot be merged into itself. "
                "Nothing changed.",
                messages.ERROR,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge topics",
            "opts": self.model._meta,
            "topics": queryset,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/articles/topic/merge.html", context)

    def _log_merge(self, request, result):
        merged = ", ".join(f"“{name}”" for name in result.merged)
        moved = _plural(result.articles_moved, "article")
        history.log(
            request.user,
            [result.into],
            f"Merged topic{'s' if len(result.merged) > 1 else ''} {merged} into this one "
            f"({moved} moved)",
        )
        history.log(request.user, result.deleted, f"Merged into “{result.into}”", flag=DELETION)


@admin.register(TopicRedirect)
class TopicRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "old_name", "topic", "created_at"]
    list_select_related = ["topic"]
    search_fields = ["old_slug", "old_name", "topic__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ChildAdmin(admin.ModelAdmin):
    """The admin of an article's children (images, related links) on their own pages: an edit
    here is recorded on the article as an editor's, as one in its inlines is."""

    def owners(self, ids) -> set[tuple[str, int | None]]:
        """Whose children the rows `ids` are: {(relation, article id)}."""
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        before = self.owners([obj.pk]) if change else set()
        super().save_model(request, obj, form, change)
        curation.record_children_edited(before | self.owners([obj.pk]))

    def delete_model(self, request, obj):
        before = self.owners([obj.pk])
        super().delete_model(request, obj)
        curation.record_children_edited(before)

    def delete_queryset(self, request, queryset):
        before = self.owners(queryset.values("pk"))
        super().delete_queryset(request, queryset)
        curation.record_children_edited(before)


@admin.register(RelatedLink)
class RelatedLinkAdmin(ChildAdmin):
    list_display = ["title", "article", "provider", "published_at"]
    list_select_related = ["article", "provider"]
    search_fields = ["title"]
    autocomplete_fields = ["article", "provider"]
    show_full_result_count = False

    def owners(self, ids):
        return curation.related_link_owners(ids)


@admin.register(Image)
class ImageAdmin(ChildAdmin):
    list_display = ["url", "article", "related_link", "width", "height"]
    list_select_related = ["article", "related_link"]
    autocomplete_fields = ["article", "related_link"]
    show_full_result_count = False

    def owners(self, ids):
        return curation.image_owners(ids)


@admin.register(ImportRun)
class ImportRunAdmin(RememberFiltersMixin, admin.ModelAdmin):
    """Import history, read-only; "Add" is the upload page. A run's page lists the stories it
    created and updated (linked, for those who may open articles), its rejected and skipped
    files and its warnings, each with its file."""

    list_display = [
        "started_at",
        "status",
        "trigger",
        "starter",
        "dry_run",
        "files",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "warnings",
    ]
    list_filter = ["status", "trigger", "dry_run"]
    list_select_related = ["started_by"]
    date_hierarchy = "started_at"
    fields = [
        ("started_at", "finished_at", "status"),
        ("trigger", "starter", "dry_run"),
        ("host", "pid"),
        ("files", "created", "updated", "unchanged", "rejected", "skipped", "warnings"),
    ]
    readonly_fields = [*list_display, "finished_at", "host", "pid", "skipped"]
    change_form_template = "admin/articles/importrun/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("started_by")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        upload = self.admin_site.admin_view(views.ImportUploadView.as_view(admin=self))
        return [path("upload/", upload, name="articles_importrun_upload"), *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:articles_importrun_upload"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self.get_object(request, object_id)
        if run is not None:
            extra_context = {**(extra_context or {}), **self.lists(request, run)}
        return super().change_view(request, object_id, form_url, extra_context)

    def lists(self, request, run: ImportRun) -> dict:
        """What the run's page lists below its counts: the stories it created and updated,
        (id, title) in the order it wrote them (one query for both, deleted ones left out),
        and its rejected and skipped files and its warnings, (file, why)."""
        wanted = [*run.created_ids, *run.updated_ids]
        stories = Article.objects.filter(pk__in=wanted).order_by().values_list("pk", "title")
        titles = dict(stories)
        return {
            "created_stories": [(pk, titles[pk]) for pk in run.created_ids if pk in titles],
            "updated_stories": [(pk, titles[pk]) for pk in run.updated_ids if pk in titles],
            "can_open_articles": request.user.has_perm("articles.view_article")
            or request.user.has_perm("articles.change_article"),
            "rejected_files": _file_rows(run.rejections, "reason"),
            "skipped_files": _file_rows(run.skips, "reason"),
            "warning_rows": _file_rows(run.warning_messages, "message"),
        }

    @admin.display(description="started by", ordering="started_by__username")
    def starter(self, run):
        # Text, not a link: the user admin is for superusers, and editors read this page.
        return run.started_by.get_username() if run.started_by else "—"


def _file_rows(items: list[dict], why: str) -> list[tuple[str, str]]:
    """(file, `why`) of each entry of a run's list of files."""
    return [(item.get("file", ""), item.get(why, "")) for item in items]
