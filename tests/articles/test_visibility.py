"""What readers may see (`articles.visibility`): the ORM's `published_q`, the plain SQL's
`PUBLISHED_SQL` and the editor's `reader_status` give the same answer for every combination of
an article's states, and so do the queryset and per-article forms of its two clocks."""

import itertools
from datetime import timedelta

from django.db import connection
from django.test import TestCase
from django.utils import timezone

from articles.models import Article
from articles.visibility import (
    PUBLISHED_SQL,
    expired_q,
    is_expired,
    is_scheduled,
    not_public_because,
    published_q,
    published_sql_params,
    reader_status,
    scheduled_q,
)
from tests.factories import make_article, make_provider

PUBLISHED_IDS_SQL = (
    "SELECT a.id FROM articles_article a JOIN providers_provider p ON p.id = a.provider_id"
    " WHERE {published}"
).replace("{published}", PUBLISHED_SQL)


class VisibilityFormsAgreeTests(TestCase):
    """One article per combination of states: published or not, removed or not, outlet
    blocked or not, and each pair of `publish_at` and `expires_at` (none, past, future, and the
    very moment asked about, where `<` and `<=` part) but those `article_expires_after_publish`
    forbids (an expiry at or before the publication)."""

    @classmethod
    def setUpTestData(cls):
        cls.now = now = timezone.now()
        publish_times = {
            "none": None,
            "past": now - timedelta(hours=2),
            "now": now,
            "future": now + timedelta(hours=1),
        }
        expiry_times = {
            "none": None,
            "past": now - timedelta(hours=1),
            "now": now,
            "future": now + timedelta(hours=2),
        }
        providers = {False: make_provider(), True: make_provider(is_blocked=True)}
        cls.states = {}
        flags = (True, False)
        states = itertools.product(flags, flags, flags, publish_times, expiry_times)
        for published, removed, blocked, publish, expiry in states:
            publish_at, expires_at = publish_times[publish], expiry_times[expiry]
            if publish_at and expires_at and expires_at <= publish_at:
                continue  # refused by article_expires_after_publish
            article = make_article(
                provider=providers[blocked],
                is_published=published,
                is_removed=removed,
                publish_at=publish_at,
                expires_at=expires_at,
            )
            cls.states[article.pk] = (
                f"published={published} removed={removed} blocked={blocked} "
                f"publish_at={publish} expires_at={expiry}"
            )

    def ids(self, condition):
        return set(Article.objects.filter(condition).values_list("pk", flat=True))

    def test_every_allowed_combination_is_built(self):
        # 2 * 2 * 2 states, each with 4 * 4 pairs of times less the 4 the constraint refuses.
        assert len(self.states) == Article.objects.count() == 8 * 12

    def test_orm_sql_and_reader_status_choose_the_same_articles(self):
        """For each article: in `published_q(now)` ⇔ chosen by `PUBLISHED_SQL` ⇔ "live"."""
        orm = self.ids(published_q(self.now))
        with connection.cursor() as cursor:
            cursor.execute(PUBLISHED_IDS_SQL, published_sql_params(connection, self.now))
            sql = {pk for (pk,) in cursor.fetchall()}
        for article in Article.objects.select_related("provider"):
            with self.subTest(self.states[article.pk]):
                live = reader_status(article, self.now)[0] == "live"
                assert (article.pk in orm) is live
                assert (article.pk in sql) is live
        # Published, not removed, outlet open: publish_at none, past or now, with expires_at
        # none or future.
        assert len(orm) == 6

    def test_a_reason_is_given_for_every_article_readers_may_not_see(self):
        """`not_public_because` (a preview's banner, the change form's sentence) is empty for
        the live articles and for them only."""
        for article in Article.objects.select_related("provider"):
            with self.subTest(self.states[article.pk]):
                live = reader_status(article, self.now)[0] == "live"
                assert (not_public_because(article, self.now) == "") is live

    def test_published_now_is_published_q_of_the_current_time(self):
        """`published()` and `published_sql_params()` without a time read the clock: nothing
        here is due to change within the hour."""
        published = set(Article.objects.published().values_list("pk", flat=True))
        assert published == self.ids(published_q(self.now))
        with connection.cursor() as cursor:
            cursor.execute(PUBLISHED_IDS_SQL, published_sql_params(connection))
            assert {pk for (pk,) in cursor.fetchall()} == published

    def test_schedule_forms_agree(self):
        """`scheduled_q`/`expired_q` (admin filter, dashboard) choose the articles that
        `is_scheduled`/`is_expired` (`Article.is_scheduled`, `reader_status`) say they do."""
        scheduled = self.ids(scheduled_q(self.now))
        expired = self.ids(expired_q(self.now))
        for article in Article.objects.all():
            with self.subTest(self.states[article.pk]):
                assert (article.pk in scheduled) is is_scheduled(article, self.now)
                assert (article.pk in expired) is is_expired(article, self.now)
        # A future publish time goes with 2 expiries (none, later); an expiry in the past or
        # at the moment with 2 publish times each (none, past); each across the 8 states.
        assert (len(scheduled), len(expired)) == (8 * 2, 8 * 4)

    def test_every_status_an_editor_sees_is_covered(self):
        """Each of `reader_status`'s answers is given for some of the combinations."""
        statuses = {reader_status(a, self.now)[0] for a in Article.objects.select_related()}
        assert statuses == {"removed", "unpublished", "blocked", "expired", "scheduled", "live"}
