"""The outlets' admin: a provider's logo uploaded, verified and stored with renditions;
blocking (after a page that says how many public stories it hides) and unblocking."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from articles.images.markup import logo_src
from articles.images.storage import attach_logo
from articles.models import Article
from articles.public.cards import img
from newsroom.db import correlated_count
from providers.models import Provider

from . import curation, history
from .changelists import RememberFiltersMixin
from .forms import VerifiedImageField


def _stories(count: int) -> str:
    return f"{count} public stor{pluralize(count, 'y,ies')}"


class ProviderAdminForm(forms.ModelForm):
    """A provider in the admin; its logo is uploaded, verified and stored with renditions."""

    logo_upload = VerifiedImageField(
        label="Upload a logo",
        required=False,
        help_text="A JPEG, PNG, WebP or GIF picture; replaces the current logo.",
    )

    class Meta:
        model = Provider
        fields = ["name", "domain", "slug", "is_blocked", "logo_url"]

    def save(self, commit=True):
        upload = self.cleaned_data.get("logo_upload")
        if upload is not None:
            attach_logo(self.instance, upload)
        return super().save(commit)


@admin.register(Provider)
class ProviderAdmin(RememberFiltersMixin, admin.ModelAdmin):
    list_display = ["name", "domain", "article_count", "is_blocked", "view_articles"]
    list_filter = ["is_blocked"]
    search_fields = ["name", "domain"]
    prepopulated_fields = {"slug": ["domain"]}
    form = ProviderAdminForm
    fields = ["name", "domain", "slug", "is_blocked", "logo_preview", "logo_upload", "logo_url"]
    readonly_fields = ["logo_preview"]
    actions = ["block", "unblock"]
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(article_count=correlated_count(Article.objects.all(), "provider"))
        )

    @admin.display(description="logo")
    def logo_preview(self, provider):
        src = logo_src(provider) if provider.pk else ""
        if not src:
            return "—"
        return img(src, "", class_name="nr-preview")

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, provider):
        return provider.article_count

    @admin.display(description="")
    def view_articles(self, provider):
        url = reverse("admin:articles_article_changelist")
        return format_html('<a href="{}?provider__id__exact={}">Articles</a>', url, provider.pk)

    def _set_blocked(self, request, queryset, *, blocked: bool) -> None:
        """Block or unblock, log each provider changed with the stories it hid or shows
        again, and report them in all."""
        with transaction.atomic():
            changed = curation.set_blocked(queryset, blocked=blocked)
            done = "Blocked: {} hidden" if blocked else "Unblocked: {} shown again"
            history.log_each(
                request.user,
                (
                    (provider, done.format(_stories(provider.public_stories)))
                    for provider in changed
                ),
            )
        stories = sum(provider.public_stories for provider in changed)
        noun = f"provider{pluralize(len(changed))}"
        if blocked:
            what = f"blocked: {_stories(stories)} hidden from readers"
        else:
            what = f"unblocked: {_stories(stories)} shown again"
        self.message_user(request, f"{len(changed)} {noun} {what}.", messages.SUCCESS)

    @admin.action(description="Block selected providers…", permissions=["change"])
    def block(self, request, queryset):
        """Block after a confirmation page that says, per outlet and in all, how many public
        stories the block hides; the page's "Yes, block" posts the action again with
        `confirmed`."""
        if "confirmed" in request.POST:
            self._set_blocked(request, queryset, blocked=True)
            return None
        providers = list(curation.with_public_stories(queryset).order_by("name", "pk"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Block providers",
            "opts": self.model._meta,
            "providers": providers,
            "hidden": sum(provider.public_stories for provider in providers),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/providers/provider/block.html", context)

    @admin.action(description="Unblock selected providers", permissions=["change"])
    def unblock(self, request, queryset):
        self._set_blocked(request, queryset, blocked=False)
