from datetime import timedelta

import pytest

from django.db import IntegrityError, transaction
from django.test import TestCase
from django.utils import timezone

from articles.models import (
    SLUG_MAX_LENGTH,
    SLUG_SUFFIX_ROOM,
    Article,
    Image,
    RelatedLink,
    Topic,
    slug_base,
)
from tests.factories import make_article, make_articles, make_provider


class ConstraintTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_article(web_url="https://news.example/a")

    def test_duplicate_canonical_url_is_refused(self):
        """Two articles can never share a canonical URL: it is an article's identity."""
        with pytest.raises(IntegrityError), transaction.atomic():
            Article.objects.create(
                title="Copy",
                provider=self.article.provider,
                published_at=timezone.now(),
                web_url="https://news.example/a?utm_source=x",
                canonical_url="https://news.example/a",
            )

    def test_image_with_two_owners_is_refused(self):
        link = RelatedLink.objects.create(
            article=self.article, title="Other", web_url="https://other.example/x"
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            Image.objects.create(article=self.article, related_link=link, url="https://i.example/1")

    def test_image_without_owner_is_refused(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            Image.objects.create(url="https://i.example/1")

    def test_image_with_one_owner_is_accepted(self):
        image = Image.objects.create(article=self.article, url="https://i.example/1")
        assert list(self.article.images.all()) == [image]

    def test_related_link_url_is_unique_per_article(self):
        RelatedLink.objects.create(article=self.article, title="A", web_url="https://o.example/1")
        with pytest.raises(IntegrityError), transaction.atomic():
            RelatedLink.objects.create(
                article=self.article, title="B", web_url="https://o.example/1"
            )
        other = make_article()
        RelatedLink.objects.create(article=other, title="A", web_url="https://o.example/1")

    def test_expiry_before_publication_is_refused(self):
        now = timezone.now()
        with pytest.raises(IntegrityError), transaction.atomic():
            Article.objects.filter(pk=self.article.pk).update(
                publish_at=now, expires_at=now - timedelta(hours=1)
            )


class TopicTests(TestCase):
    def test_topics_are_case_insensitive(self):
        """`AI` and `ai` are one topic, however they are added."""
        first, second = make_articles(2)
        first.topics.add("AI")
        second.topics.add("ai")
        assert Topic.objects.count() == 1
        assert set(Article.objects.filter(topics=Topic.objects.get())) == {first, second}

    def test_database_refuses_a_topic_differing_only_in_case(self):
        Topic.objects.create(name="Machine Learning", slug="machine-learning")
        with pytest.raises(IntegrityError), transaction.atomic():
            Topic.objects.create(name="machine learning", slug="machine-learning-2")


class SlugTests(TestCase):
    def test_slugs_are_unique_and_derived_from_the_title(self):
        one, two = make_articles(2, title="Same Title")
        assert one.slug == "same-title"
        assert two.slug == "same-title-2"

    def test_a_long_or_wordless_title_still_makes_a_slug_with_room_for_a_suffix(self):
        long_title = "Twelve chars " * 38  # cut after a hyphen, which goes too
        assert 19 * len("twelve-chars-") == SLUG_MAX_LENGTH - SLUG_SUFFIX_ROOM
        assert slug_base(long_title) == "-".join(["twelve-chars"] * 19)
        assert slug_base("¡¿!?") == "article"
        first, second = make_articles(2, title=long_title)
        assert first.slug == slug_base(long_title)
        assert second.slug == f"{first.slug}-2"
        assert len(second.slug) <= SLUG_MAX_LENGTH

    def test_provider_domain_is_normalised(self):
        provider = make_provider(domain="WWW.GovTech.com")
        assert provider.domain == "govtech.com"
        assert provider.slug == "govtech-com"


class PublishedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        now = timezone.now()
        cls.visible = make_article(title="Visible")
        make_article(title="Unpublished", is_published=False)
        make_article(title="Removed", is_removed=True)
        make_article(title="Blocked outlet", provider=make_provider(is_blocked=True))
        make_article(title="Scheduled", publish_at=now + timedelta(hours=1))
        make_article(title="Expired", expires_at=now - timedelta(minutes=1))
        cls.due = make_article(title="Due", publish_at=now - timedelta(minutes=1))
        cls.not_yet_expired = make_article(title="Still on", expires_at=now + timedelta(hours=1))

    def test_published_hides_what_readers_must_not_see(self):
        titles = set(Article.objects.published().values_list("title", flat=True))
        assert titles == {"Visible", "Due", "Still on"}

    def test_schedule_flags(self):
        scheduled = Article.objects.get(title="Scheduled")
        expired = Article.objects.get(title="Expired")
        assert scheduled.is_scheduled and not scheduled.is_expired
        assert expired.is_expired and not expired.is_scheduled
        assert not self.visible.is_scheduled and not self.visible.is_expired
