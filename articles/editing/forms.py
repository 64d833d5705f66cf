"""Forms of the editorial admin."""

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils import timezone
from django.utils.text import capfirst

from articles.images.storage import attach_upload
from articles.images.verify import ImageRejected, verify_upload
from articles.models import Article, Image, Topic
from articles.seeds import canonical_url
from articles.seeds.fields import EDITABLE_FIELDS, OWNED_LABELS
from articles.visibility import is_scheduled, not_public_because, reader_status, short_datetime

HAND_BACK_HELP = (
    "Tick a field to hand it back to the importer: the next import of a changed seed file "
    "overwrites it again."
)
EDITOR_OWNED_HELP = "Editor's value: imports leave it alone."
# Fields an editor may own that the article form leaves out: values kept for export only
# (read-only in the admin) and the images and related links (inlines of their own).
NOT_IN_ARTICLE_FORM = frozenset({"secured", "extra", "images", "related_links"})


SCHEDULE_CONTRADICTION = (
    "A future “Go live at” publishes the story then, but you unticked Published. Tick "
    "Published to schedule the story, or empty “Go live at” to keep it unpublished."
)


def on_save_sentence(article, now=None) -> str:
    """What `article`'s editorial state, as the change form holds it, means for readers, in a
    sentence: "Goes live Thu 27 Nov, 18:00.", "Live now.", "Not public: unpublished." (or
    "expired …", "outlet blocked", "removed"), followed by "Leaves the site Fri 28 Nov,
    09:00." when a take-down lies ahead. `reader_status()` in words."""
    now = now or timezone.now()
    state = reader_status(article, now)[0]
    if state == "live":
        sentence = "Live now."
    elif state == "scheduled":
        sentence = f"Goes live {short_datetime(article.publish_at, now)}."
    else:
        sentence = f"Not public: {not_public_because(article, now)}."
    if state in {"live", "scheduled"} and article.expires_at:
        sentence += f" Leaves the site {short_datetime(article.expires_at, now)}."
    elif state == "unpublished" and is_scheduled(article, now):
        when = short_datetime(article.publish_at, now)
        sentence += f" Nothing goes live at {when} unless Published is ticked."
    return sentence


def owned_label(name: str) -> str:
    """How the admin names a field an editor owns (a name in `Article.edited_fields`)."""
    if name in OWNED_LABELS:
        return OWNED_LABELS[name]
    try:
        return capfirst(Article._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def add_css_class(widget: forms.Widget, name: str) -> None:
    """Add the class `name` to what `widget` renders, keeping the classes it has. A
    `MultiWidget` (the admin's split date and time) gets it on each part: given to the whole,
    it would replace the parts' own `vDateField`/`vTimeField`, which the admin's calendar and
    clock look for."""
    for part in getattr(widget, "widgets", None) or [widget]:
        part.attrs["class"] = " ".join(filter(None, [part.attrs.get("class"), name]))


class VerifiedImageField(forms.FileField):
    """An uploaded picture, verified by Pillow as `cache_images` verifies a download (size,
    pixels, format, a complete decode): cleans to a `VerifiedUpload`, or None when no
    file was given. A bad file is a form error; nothing is stored either way."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload:
            return None
        try:
            return verify_upload(upload)
        except ImageRejected as rejection:
            raise ValidationError(
                "This file cannot be used as an image (%(detail)s). Upload a JPEG, PNG, "
                "WebP or GIF picture.",
                code=rejection.reason,
                params={"detail": rejection.detail},
            ) from rejection


class ImageInlineForm(forms.ModelForm):
    """An article's (or related link's) image in the admin: a remote URL, or an uploaded
    picture that we store with its renditions."""

    upload = VerifiedImageField(
        required=False,
        help_text="A JPEG, PNG, WebP or GIF picture; readers then see it instead of the URL. "
        "The image at position 0 is the article's lead image.",
    )

    class Meta:
        model = Image
        fields = ["position", "url", "width", "height", "alt"]

    def clean(self):
        cleaned = super().clean()
        given = cleaned.get("url") or cleaned.get("upload") or self.instance.file
        if not given and "upload" not in self.errors:
            raise ValidationError("Give the image a URL or upload a picture.")
        return cleaned

    def save(self, commit=True):
        upload = self.cleaned_data.get("upload")
        if upload is not None:
            attach_upload(self.instance, upload)
        return super().save(commit)


def topic_widget(multiple=False):
    """The admin's autocomplete on topics (searching `TopicAdmin.search_fields`)."""
    widget = AutocompleteSelectMultiple if multiple else AutocompleteSelect
    return widget(Article._meta.get_field("topics"), admin.site)


class ArticleAdminForm(forms.ModelForm):
    """The article change form: topics picked with autocomplete, fields an editor owns marked
    as such, a way to hand them back to the importer, and scheduling in one step.

    Scheduling: a "Go live at" set to a future time in this save publishes the story at that
    time, without a second tick (the form ticks Published). A past or empty one with
    Published ticked publishes now. Unticking Published means unpublished whatever the time:
    nothing goes live, and a go-live time already set is kept for when Published is ticked
    again; unticking it while setting a future time is a contradiction the form refuses."""

    topics = forms.ModelMultipleChoiceField(
        Topic.objects.all(), required=False, widget=topic_widget(multiple=True)
    )
    hand_back = forms.MultipleChoiceField(
        label="Hand back to the importer",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=HAND_BACK_HELP,
    )

    class Meta:
        model = Article
        # Every field an editor may own (so that `mark_edited` records each change made here)
        # but those above; `ArticleAdmin.get_fieldsets` lays them out.
        fields = sorted(EDITABLE_FIELDS - NOT_IN_ARTICLE_FORM)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = (
            "The public address; left empty, it is made from the title. Changing it breaks "
            "links to the old address."
        )
        owned = list(self.instance.edited_fields or []) if self.instance.pk else []
        self.fields["hand_back"].choices = [(name, owned_label(name)) for name in owned]
        for name in owned:
            field = self.fields.get(name)
            if field is not None:
                field.help_text = " ".join(filter(None, [EDITOR_OWNED_HELP, field.help_text]))
                add_css_class(field.widget, "editor-owned")

    # Whether saving ticks Published for a go-live time set in the future (`clean`).
    publishes_on_schedule = False

    @property
    def changed_data(self):
        """Django's changed fields, and Published when the form ticks it for a go-live time:
        so that it is recorded as the editor's (`mark_edited`) and logged as changed."""
        changed = super().changed_data
        return [*changed, "is_published"] if self.publishes_on_schedule else changed

    def clean(self):
        cleaned = super().clean()
        publish_at, expires_at = cleaned.get("publish_at"), cleaned.get("expires_at")
        if publish_at and expires_at and expires_at <= publish_at:
            self.add_error("expires_at", "“Take down at” must come after “Go live at”.")
        if publish_at and publish_at > timezone.now() and not cleaned.get("is_published"):
            self.schedule(cleaned)
        if not self.instance.pk and cleaned.get("web_url"):
            # A new article's identity, as the importer computes it.
            identity = canonical_url(cleaned["web_url"])
            if Article.objects.filter(canonical_url=identity).exists():
                self.add_error("web_url", "An article with this URL already exists.")
            self.instance.canonical_url = identity
        return cleaned

    def schedule(self, cleaned):
        """A future go-live time with Published unticked: scheduled in one step when the time
        was set in this save, refused when Published was unticked in the same save, left
        unpublished (nothing goes live) when the time was there before."""
        if "publish_at" not in self.changed_data:
            return
        if "is_published" in self.changed_data:
            self.add_error("is_published", SCHEDULE_CONTRADICTION)
            return
        cleaned["is_published"] = True
        self.publishes_on_schedule = True


class ChosenTopicField(forms.ModelChoiceField):
    """A topic, or None for a value that is not one: the action then says what is missing
    instead of Django's "No action selected"."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            return None


class ArticleActionForm(ActionForm):
    """The changelist's action bar, with the topic that "add/remove a topic" act on."""

    topic = ChosenTopicField(
        Topic.objects.all(), required=False, label="Topic:", widget=topic_widget()
    )


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        count = getattr(obj, "article_count", None)
        return obj.name if count is None else f"{obj.name} ({count} articles)"


class TopicMergeForm(forms.Form):
    """Which of the selected topics the others are merged into."""

    into = TopicChoiceField(
        Topic.objects.none(), widget=forms.RadioSelect, empty_label=None, label="Merge into"
    )

    def __init__(self, *args, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = topics


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or more uploaded files (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple) and data:
            return [single(item, initial) for item in data]
        return [single(data or None, initial)]


class SeedUploadForm(forms.Form):
    files = MultipleFileField(
        label="Seed files or a .zip of them",
        help_text="Seed files (.md, .txt, .yaml: YAML front matter between two --- lines), "
        "or one or more .zip archives of them.",
    )
