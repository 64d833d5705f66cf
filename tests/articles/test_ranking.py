"""The public order of articles (`ArticleQuerySet.ranked()`)."""

from datetime import timedelta

from django.test import TestCase
from django.utils import timezone

from articles.models import HEAT_MINUTES, Article
from tests.factories import make_article


def titles(queryset):
    return list(queryset.values_list("title", flat=True))


class RankingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.now = timezone.now()

    def at(self, hours_ago):
        return self.now - timedelta(hours=hours_ago)

    def test_featured_always_comes_first(self):
        """An editor's featured flag beats any heat and any recency."""
        make_article(title="fresh and hot", published_at=self.at(0), heat=1000)
        make_article(title="old but featured", published_at=self.at(24 * 365), is_featured=True)
        assert titles(Article.objects.ranked())[0] == "old but featured"

    def test_heat_is_worth_minutes_of_recency(self):
        """Each point of heat moves a story HEAT_MINUTES minutes newer: heat 120 is 12 hours."""
        assert HEAT_MINUTES == 6
        make_article(title="1h ago, cold", published_at=self.at(1), heat=0)
        make_article(title="11h ago, heat 120", published_at=self.at(11), heat=120)
        make_article(title="13h ago, heat 120", published_at=self.at(13), heat=120)
        assert titles(Article.objects.ranked()) == [
            "11h ago, heat 120",
            "1h ago, cold",
            "13h ago, heat 120",
        ]

    def test_negative_and_missing_heat_count_as_zero(self):
        """The seed files' -1 sentinel does not push a story down; no heat is no boost."""
        make_article(title="newest, heat -1", published_at=self.at(1), heat=-1)
        make_article(title="middle, no heat", published_at=self.at(2), heat=None)
        make_article(title="oldest, heat 0", published_at=self.at(3), heat=0)
        assert titles(Article.objects.ranked()) == [
            "newest, heat -1",
            "middle, no heat",
            "oldest, heat 0",
        ]
