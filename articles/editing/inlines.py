"""An article's images and related stories in its change form: compact rows that fit a laptop
screen, each a summary (picture, title, outlet, time) with its fields under "Edit", in the order
readers see them. `static/js/admin-inlines.js` lets editors drag rows into a new order (the
`position` fields stay as the way without JavaScript) and folds a long cluster after its first
rows. The rows' outlets and pictures come with the rows: the form costs the same number of
queries for 3 related stories as for 32."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Prefetch

from articles.models import Image, RelatedLink

from .forms import ImageInlineForm


class ChosenAutocompleteSelect(AutocompleteSelect):
    """The admin's autocomplete `<select>`, told the chosen object (`chosen`, which the form sets
    from its instance's relation, loaded with the row) so that showing it costs no query: Django's
    looks the chosen value up again, one query per row of an inline."""

    chosen = None

    def optgroups(self, name, value, attr=None):
        chosen = self.chosen
        if chosen is None or {str(v) for v in value} != {str(chosen.pk)}:
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        label = self.choices.field.label_from_instance(chosen)
        options.append(self.create_option(name, chosen.pk, label, True, len(options)))
        return [(None, options, 0)]


class RelatedLinkInlineForm(forms.ModelForm):
    """A related story in its article's form: the outlet's autocomplete shows the outlet loaded
    with the row instead of looking it up."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        provider = self.fields.get("provider")
        if provider is not None and self.instance.provider_id is not None:
            # The admin wraps the autocomplete in its add/change/view links.
            provider.widget.widget.chosen = self.instance.provider


class SortableInline(admin.StackedInline):
    """An inline shown as compact rows in `position` order (the template's `summary` block says
    what a row shows), the first `shown_first` rows open and the others behind "Show all"."""

    template = "admin/articles/article/sortable_inline.html"
    extra = 0
    ordering = ["position", "pk"]
    shown_first = 8

    class Media:
        js = ["js/admin-inlines.js"]


class ImageInline(SortableInline):
    model = Image
    form = ImageInlineForm
    fk_name = "article"
    template = "admin/articles/article/image_inline.html"
    fields = ["url", "upload", "alt", "width", "height", "position"]


class RelatedLinkInline(SortableInline):
    model = RelatedLink
    form = RelatedLinkInlineForm
    template = "admin/articles/article/related_link_inline.html"
    fields = ["title", "web_url", "provider", "published_at", "kind", "quality", "position"]
    autocomplete_fields = ["provider"]
    verbose_name = "related story"
    verbose_name_plural = "related stories (the cluster, in order)"

    def get_queryset(self, request):
        pictures = Image.objects.order_by("position", "pk")
        return (
            super()
            .get_queryset(request)
            .select_related("provider")
            .prefetch_related(Prefetch("images", queryset=pictures, to_attr="pictures"))
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "provider":
            kwargs["widget"] = ChosenAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
