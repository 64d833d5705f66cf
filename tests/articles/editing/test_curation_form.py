"""The change form's Curation section: first on the form, scheduling in one step, a sentence
saying what saving does, times named for whose they are, and date pickers that stay on the
fields an editor owns."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from django.contrib.admin.models import LogEntry
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from articles.editing.forms import SCHEDULE_CONTRADICTION, on_save_sentence
from articles.models import Article
from articles.visibility import reader_status, short_datetime
from providers.models import Provider
from tests.articles.editing.helpers import change_form_data, make_editor
from tests.factories import make_article, make_provider


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def split(name, moment) -> dict:
    """A time as the admin's split date and time inputs post it."""
    local = timezone.localtime(moment)
    return {f"{name}_0": f"{local:%Y-%m-%d}", f"{name}_1": f"{local:%H:%M:%S}"}


def on_save_cell(html) -> str:
    """The text of the form's "Once saved" line."""
    match = re.search(r'field-on_save">.*?<div class="readonly">(.*?)</div>', html, re.S)
    assert match, "no “Once saved” line on the form"
    return match.group(1)


class SchedulingInOneStepTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()
        cls.later = (timezone.now() + timedelta(days=2)).replace(microsecond=0)

    def setUp(self):
        self.client.force_login(self.editor)

    def save(self, article, *, published=None, **changes):
        """Post `article`'s change form with `changes`; `published` ticks or unticks it."""
        data = change_form_data(self.client, article, **changes)
        if published is not None:
            data.pop("is_published", None)
            if published:
                data["is_published"] = "on"
        return self.client.post(change_url(article), data)

    def test_a_future_go_live_time_alone_schedules_the_story(self):
        draft = make_article(is_published=False)
        response = self.save(draft, **split("publish_at", self.later))
        assert response.status_code == 302, response.context["adminform"].form.errors
        draft.refresh_from_db()
        assert draft.is_published
        assert draft.publish_at == self.later
        assert reader_status(draft)[0] == "scheduled"
        assert not Article.objects.published().filter(pk=draft.pk).exists()
        # Ticked by the form, recorded and logged as the editor's change.
        assert {"is_published", "publish_at"} <= set(draft.edited_fields)
        change = LogEntry.objects.get(object_id=str(draft.pk)).get_change_message()
        assert "Published" in change and "Go live at (ours)" in change

    def test_a_past_or_empty_go_live_time_with_published_ticked_publishes_now(self):
        for publish_at in [{}, split("publish_at", timezone.now() - timedelta(hours=1))]:
            draft = make_article(is_published=False)
            response = self.save(draft, published=True, **publish_at)
            assert response.status_code == 302, response.context["adminform"].form.errors
            draft.refresh_from_db()
            assert reader_status(draft)[0] == "live", publish_at
            assert Article.objects.published().filter(pk=draft.pk).exists()

    def test_a_past_go_live_time_alone_does_not_publish(self):
        draft = make_article(is_published=False)
        response = self.save(draft, **split("publish_at", timezone.now() - timedelta(hours=1)))
        assert response.status_code == 302
        draft.refresh_from_db()
        assert not draft.is_published

    def test_unticking_published_cancels_a_schedule_and_keeps_the_time(self):
        """Unpublished means unpublished: nothing goes live at the time, which stays on the
        form (and goes live once Published is ticked again)."""
        scheduled = make_article(publish_at=self.later)
        response = self.save(scheduled, published=False)
        assert response.status_code == 302, response.context["adminform"].form.errors
        scheduled.refresh_from_db()
        assert not scheduled.is_published
        assert scheduled.publish_at == self.later
        sentence = on_save_cell(self.client.get(change_url(scheduled)).content.decode())
        assert sentence.startswith("Not public: unpublished. Nothing goes live at ")
        assert sentence.endswith(" unless Published is ticked.")

    def test_editing_a_story_unpublished_with_a_go_live_time_leaves_it_unpublished(self):
        """Only a go-live time set in this save publishes: an unrelated edit of a story
        unpublished by the bulk action keeps it off the site."""
        unpublished = make_article(is_published=False, publish_at=self.later)
        response = self.save(unpublished, title="A better title")
        assert response.status_code == 302, response.context["adminform"].form.errors
        unpublished.refresh_from_db()
        assert unpublished.title == "A better title"
        assert not unpublished.is_published

    def test_unticking_published_while_setting_a_future_time_is_refused(self):
        live = make_article()
        response = self.save(live, published=False, **split("publish_at", self.later))
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["is_published"] == [SCHEDULE_CONTRADICTION]
        live.refresh_from_db()
        assert live.is_published and live.publish_at is None

    def test_the_form_says_what_saving_does(self):
        now = timezone.now()
        stories = {
            "Live now.": make_article(),
            "Live now. Leaves the site ": make_article(expires_at=self.later),
            "Goes live ": make_article(publish_at=self.later),
            "Not public: expired ": make_article(expires_at=now - timedelta(hours=1)),
            "Not public: unpublished.": make_article(is_published=False),
            "Not public: removed.": make_article(is_removed=True),
            "Not public: outlet blocked.": make_article(provider=make_provider(is_blocked=True)),
        }
        for expected, story in stories.items():
            sentence = on_save_cell(self.client.get(change_url(story)).content.decode())
            assert sentence.startswith(expected), (expected, sentence)
        add_form = self.client.get(reverse("admin:articles_article_add")).content.decode()
        assert on_save_cell(add_form) == "Not public: unpublished."

    def test_a_form_sent_back_with_errors_says_what_its_values_would_do(self):
        draft = make_article(is_published=False)
        response = self.save(
            draft,
            **split("publish_at", self.later),
            **split("expires_at", self.later - timedelta(hours=1)),
        )
        assert response.status_code == 200
        assert "expires_at" in response.context["adminform"].form.errors
        sentence = on_save_cell(response.content.decode())
        assert sentence == f"Goes live {short_datetime(self.later)}."


NOW = datetime(2025, 11, 26, 12, 0, tzinfo=UTC)  # a Wednesday
THURSDAY = datetime(2025, 11, 27, 18, 0, tzinfo=UTC)
FRIDAY = datetime(2025, 11, 28, 9, 0, tzinfo=UTC)
OPEN = Provider(pk=1, is_blocked=False)


@pytest.mark.parametrize(
    ("state", "sentence"),
    [
        ({}, "Live now."),
        ({"expires_at": FRIDAY}, "Live now. Leaves the site Fri 28 Nov, 09:00."),
        ({"publish_at": THURSDAY}, "Goes live Thu 27 Nov, 18:00."),
        (
            {"publish_at": THURSDAY, "expires_at": FRIDAY},
            "Goes live Thu 27 Nov, 18:00. Leaves the site Fri 28 Nov, 09:00.",
        ),
        (
            {"publish_at": datetime(2026, 1, 5, 9, 0, tzinfo=UTC)},
            "Goes live Mon 5 Jan 2026, 09:00.",
        ),
        ({"expires_at": NOW - timedelta(hours=3)}, "Not public: expired Wed 26 Nov, 09:00."),
        ({"is_published": False}, "Not public: unpublished."),
        (
            {"is_published": False, "publish_at": THURSDAY},
            "Not public: unpublished. Nothing goes live at Thu 27 Nov, 18:00 unless Published "
            "is ticked.",
        ),
        ({"is_removed": True, "publish_at": THURSDAY}, "Not public: removed."),
        ({"provider": Provider(pk=2, is_blocked=True)}, "Not public: outlet blocked."),
    ],
)
def test_on_save_sentence(state, sentence):
    """The sentence for each state, from the values alone (no database)."""
    article = Article(**{"is_published": True, "provider": OPEN, **state})
    assert on_save_sentence(article, NOW) == sentence


class CurationFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()
        cls.article = make_article()

    def setUp(self):
        self.client.force_login(self.editor)

    def test_the_curation_section_comes_first_and_the_times_say_whose_they_are(self):
        html = self.client.get(change_url(self.article)).content.decode()
        legends = ["Curation", "Story", "Links", "Scores", "Source"]
        positions = [html.index(f">{legend}</h2>") for legend in legends]
        assert positions == sorted(positions)
        curation = html.split(">Curation</h2>")[1].split(">Story</h2>")[0]
        assert "<label>Go live at (ours):</label>" in curation
        assert "<label>Take down at:</label>" in curation
        story = html.split(">Story</h2>")[1].split(">Links</h2>")[0]
        assert "Outlet&#x27;s publication time:</label>" in story
        assert "When the outlet published the story; it orders the site's lists." in story

    def test_editor_owned_dates_keep_their_calendar_and_clock(self):
        """A date or time the editor owns is marked as theirs by adding a class: the
        `vDateField`/`vTimeField` classes the admin's calendar and clock look for stay."""
        Article.objects.filter(pk=self.article.pk).update(
            edited_fields=["published_at", "publish_at"]
        )
        html = self.client.get(change_url(self.article)).content.decode()
        for name in ["published_at", "publish_at"]:
            date = re.search(rf'<input [^>]*name="{name}_0"[^>]*>', html).group()
            time = re.search(rf'<input [^>]*name="{name}_1"[^>]*>', html).group()
            assert 'class="vDateField editor-owned"' in date, date
            assert 'class="vTimeField editor-owned"' in time, time
        # Not owned: unmarked; the calendar and clock's scripts are on the page.
        assert 'name="expires_at_0" class="vDateField" ' in html
        assert "admin/js/calendar.js" in html
        assert "admin/js/admin/DateTimeShortcuts.js" in html
