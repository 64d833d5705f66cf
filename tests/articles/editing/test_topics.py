"""Topics in the admin: counts, renaming and merging, and the permanent redirects from the
old public addresses."""

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import TestCase
from django.urls import reverse

from articles.editing.topics import TopicMergeError, merge_topics, save_topic
from articles.models import TaggedArticle, Topic, TopicRedirect
from tests.articles.editing.helpers import make_editor, make_superuser, messages_of
from tests.factories import make_article

CHANGELIST = reverse("admin:articles_topic_changelist")


def topic(name):
    return Topic.objects.get(name=name)


class MergeServiceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.both = make_article(topics=["AI", "A.I.", "Robots"])
        cls.one = make_article(topics=["A.I.", "Artificial Intelligence"])
        cls.other = make_article(topics=["AI"])

    def test_articles_keep_every_topic_once(self):
        """Merging two topics into a third: an article that had several of them gets the
        target once, and keeps its unrelated topics."""
        result = merge_topics([topic("A.I."), topic("Artificial Intelligence")], into=topic("AI"))
        assert result.merged == ["A.I.", "Artificial Intelligence"]
        assert sorted(t.name for t in self.both.topics.all()) == ["AI", "Robots"]
        assert [t.name for t in self.one.topics.all()] == ["AI"]
        assert topic("AI").tagged_articles.count() == 3
        assert not Topic.objects.filter(name__in=["A.I.", "Artificial Intelligence"]).exists()
        assert TaggedArticle.objects.count() == 4

    def test_old_slugs_redirect_including_earlier_redirects(self):
        old = topic("A.I.")
        save_topic(old, old_slug="ai-old")
        merge_topics([old], into=topic("AI"))
        assert set(TopicRedirect.objects.values_list("old_slug", "topic__name")) == {
            ("ai-old", "AI"),
            (old.slug, "AI"),
        }

    def test_merging_into_itself_is_refused(self):
        ai = topic("AI")
        for sources in ([ai], [], [ai, topic("Robots")]):
            with self.assertRaisesMessage(TopicMergeError, "cannot be merged into itself"):
                merge_topics(sources, into=ai)
        assert Topic.objects.count() == 4


class TopicAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor()
        cls.superuser = make_superuser()
        cls.article = make_article(title="Tagged twice", topics=["AI", "A.I."])
        make_article(topics=["AI"])

    def setUp(self):
        self.client.force_login(self.editor)

    def test_list_with_counts_and_links_to_articles(self):
        response = self.client.get(CHANGELIST)
        rows = {t.name: t.article_count for t in response.context["cl"].result_list}
        assert rows == {"A.I.": 1, "AI": 2}
        assert f"?topics__id__exact={topic('AI').pk}" in response.content.decode()

    def test_rename_keeps_the_old_address_alive(self):
        ai = topic("AI")
        url = reverse("admin:articles_topic_change", args=[ai.pk])
        response = self.client.post(url, {"name": "Artificial intelligence", "slug": "ai-2"})
        assert response.status_code == 302
        response = self.client.get("/topics/ai/?page=1")
        assert response.status_code == 301
        assert response["Location"] == "/topics/ai-2/?page=1"
        assert self.client.get("/topics/ai-2/").status_code == 200
        html = self.client.get(url).content.decode()
        assert '<div class="readonly">ai</div>' in html.split("Old addresses")[1]

    def test_a_live_topic_wins_over_an_old_slug(self):
        """Its page and feed, once it has a published story; until then they answer 404, as
        for any topic with nothing to show, rather than redirect."""
        save_topic(topic("AI"), old_slug="robots")
        robots = Topic.objects.create(name="Robots", slug="robots")
        for url in ["/topics/robots/", "/topics/robots/feed/"]:
            assert self.client.get(url).status_code == 404, url
        make_article(topics=[robots])
        for url in ["/topics/robots/", "/topics/robots/feed/"]:
            assert self.client.get(url).status_code == 200, url
        assert self.client.get("/topics/nothing-here/").status_code == 404

    def merge(self, topics, **extra):
        data = {"action": "merge", ACTION_CHECKBOX_NAME: [t.pk for t in topics], **extra}
        return self.client.post(CHANGELIST, data, follow=True)

    def test_merge_asks_for_confirmation_then_merges(self):
        ai, dotted = topic("AI"), topic("A.I.")
        response = self.merge([ai, dotted])
        assert response.templates[0].name == "admin/articles/topic/merge.html"
        html = response.content.decode()
        assert "AI (2 articles)" in html and "A.I. (1 articles)" in html
        assert Topic.objects.count() == 2  # nothing changed yet

        response = self.merge([ai, dotted], apply="1", into=ai.pk)
        assert messages_of(response) == [
            "Merged A.I. into AI: 0 articles moved; the old addresses redirect to it."
        ]
        assert [t.name for t in self.article.topics.all()] == ["AI"]
        assert self.client.get(f"/topics/{dotted.slug}/").status_code == 301

    def test_merge_of_one_topic_into_itself_is_refused(self):
        ai = topic("AI")
        response = self.merge([ai])
        assert "a topic cannot be merged into itself" in messages_of(response)[0]
        response = self.merge([ai], apply="1", into=ai.pk)
        assert "cannot be merged into itself" in messages_of(response)[0]
        assert Topic.objects.count() == 2
        assert not TopicRedirect.objects.exists()

    def test_merge_without_choosing_a_target_asks_again(self):
        response = self.merge([topic("AI"), topic("A.I.")], apply="1")
        assert response.templates[0].name == "admin/articles/topic/merge.html"
        assert response.context["form"].errors
        assert Topic.objects.count() == 2

    def test_superuser_can_merge_too(self):
        self.client.force_login(self.superuser)
        response = self.merge([topic("AI"), topic("A.I.")], apply="1", into=topic("A.I.").pk)
        assert "Merged AI into A.I.: 1 article moved" in messages_of(response)[0]

    def test_redirect_list_is_read_only_but_an_editor_may_delete_one(self):
        save_topic(topic("AI"), old_slug="old-ai")
        redirect = TopicRedirect.objects.get()
        url = reverse("admin:articles_topicredirect_changelist")
        assert "old-ai" in self.client.get(url).content.decode()
        add = reverse("admin:articles_topicredirect_add")
        assert self.client.get(add).status_code == 403
        delete = reverse("admin:articles_topicredirect_delete", args=[redirect.pk])
        assert self.client.post(delete, {"post": "yes"}).status_code == 302
        assert not TopicRedirect.objects.exists()
