"""The real seed files in `fixtures/seeds/`, imported once for the whole class: each oddity the
seeds README lists (`fixtures/seeds-README.md`, section 3) lands as it should."""

import os
import tempfile
from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from articles.models import Article, Image, Topic
from articles.seeds import import_paths
from articles.seeds.write import articles_for_export
from providers.models import Provider

from .builders import REAL, SEEDS

DIABLO = "SmartableAI+diablo4/_news/"
COVID = "scottge+coronavirus/_news/"
AI = "SmartableAI+artificial-intelligence/"


class RealSeedFilesTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.report = import_paths([SEEDS])
        cls.second = import_paths([SEEDS])

    def article(self, path: str) -> Article:
        return Article.objects.get(source=str(REAL / path))

    def test_only_the_corrupt_file_and_the_dateless_pages_are_rejected(self):
        rejected = {name.rsplit("/", 1)[1]: reason for name, reason in self.report.rejections}
        assert self.report.files == 1494
        assert sorted(rejected) == [
            "2020-12-01-project-innereye-evaluation-shows-how-ai-can-augment-and-accelerate-"
            "clinicians-ability-to-perform-radiotherapy-planning-13-times-faster.md",
            "cdc-cases-in-us.md",
            "nytimes-coronavirus-map.md",
            "who-novel-coronavirus-covid-19-situation-dashboard.md",
        ]
        assert rejected["cdc-cases-in-us.md"] == "missing publishedDateTime"

    def test_duplicates_are_merged_into_about_1410_stories_each_counted_once(self):
        """Into an empty database, every story is created and none updated, although one has
        its two files in different batches (a Diablo 4 guide of December 2022, revised in
        April 2023): the later file replaces the earlier one's article, counted superseded."""
        assert (Article.objects.count(), self.report.updated) == (self.report.created, 0)
        assert 1400 <= Article.objects.count() <= 1420
        assert self.report.superseded == self.report.unchanged == 80
        assert (
            self.article(
                DIABLO + "2023-04-21-diablo-4-release-date-upcoming-beta-and-everything-you-need-to"
                "-know.md"
            ).canonical_url
            == "https://www.gamesradar.com/diablo-4-guide/"
        )

    def test_a_second_import_creates_nothing(self):
        assert (self.second.created, self.second.updated, self.second.rejected) == (0, 0, 4)
        assert self.second.unchanged == 1490

    def test_a_control_character_yaml_refuses_is_fixed_with_a_warning(self):
        name = COVID + "2020-05-07-sweden-is-testing-conservatives-preferred-coronavirus-response"
        article = self.article(name + "-and-its-not-going-well.md")
        assert "approach—no lockdown" in article.excerpt
        assert any("U+0097" in message for _, message in self.report.warning_messages)

    def test_a_video_keeps_only_its_youtube_id_from_the_iframe(self):
        article = self.article(
            DIABLO + "2016-10-06-blizzard-sound-of-silence-announcement-diablo-4-blizzcon-2016"
            "-parody.md"
        )
        assert article.kind == "video"
        assert article.video_id == "9FGveeLt1qk"
        assert article.canonical_url == "https://www.youtube.com/watch?v=9FGveeLt1qk"
        assert article.quality is None and article.heat is None
        assert article.is_published is True  # no `published`: the default
        assert "<iframe" in article.extra["featuredContent"]

    def test_related_videos_without_url_are_dropped_and_text_is_cleaned(self):
        article = self.article(
            DIABLO + "2021-02-12-blizzconline-schedule-goes-live-without-diablo-4.md"
        )
        assert article.related_links.exists()
        for link in article.related_links.all():
            assert link.web_url.startswith("http")
            assert "\u200b" not in link.excerpt

    def test_a_huge_related_list_is_kept_in_order(self):
        article = self.article(
            DIABLO + "2023-02-18-diablo-4-open-beta-dates-announced-for-march-the-hype-is-real.md"
        )
        positions = list(article.related_links.values_list("position", flat=True))
        assert len(positions) >= 30
        assert positions == sorted(positions)

    def test_heat_minus_one_and_unpublished(self):
        article = self.article(
            AI + "_archive/_news/2021-01-17-how-the-covid-pandemic-has-affected-our-vision.md"
        )
        assert (article.heat, article.is_published) == (-1, False)

    def test_removed_articles_are_imported_and_never_public(self):
        article = self.article(
            DIABLO + "2020-07-29-casillero-del-diablo-launches-18m-ad-campaign.md"
        )
        assert article.is_removed
        assert not Article.objects.published().filter(pk=article.pk).exists()

    def test_null_topics_are_dropped_and_empty_excerpts_kept_empty(self):
        article = self.article(DIABLO + "2019-11-03-diablo-iv-feature-overview.md")
        assert article.topics.count() >= 1
        assert "" not in article.topics.names()
        empty = self.article(DIABLO + "2019-11-11-diablo-4-announcement-reaction-blizzcon-2019.md")
        assert empty.excerpt == ""

    def test_crlf_files_and_escaped_line_breaks(self):
        # The same video is also in everyday-cc+powerapps: look it up by its identity.
        article = Article.objects.get(canonical_url="https://www.youtube.com/watch?v=WJk-Y8LQlfE")
        assert "\r" not in article.title + article.excerpt
        assert "  " not in article.excerpt

    def test_html_entities_and_tags_are_cleaned_and_the_raw_text_kept(self):
        article = self.article(
            COVID + "2020-05-07-coronavirus-california-speeding-drivers-going-over-100-mph-has-"
            "become-a-problem-during-the-state39s-shelter-in-place-order-chp-says.md"
        )
        assert "state's" in article.title
        assert "&#39;" in article.seed_raw["title"]
        tagged = self.article(
            COVID + "2020-05-06-sanofi-to-enroll-thousands-for-its-coronavirus-vaccine-trials.md"
        )
        assert "Pfizer Inc  in partnership" not in tagged.excerpt
        assert "<PFE.N>" not in tagged.excerpt  # a tag to HTML, so stripped
        assert "Pfizer Inc in partnership" in tagged.excerpt

    def test_invisible_characters_are_removed(self):
        for name in (
            "2020-05-09-national-coronavirus-updates-federal-government-sending-remdesivir-"
            "supplies-to-six-states.md",
            "2020-05-09-pence-spokeswoman-married-to-top-trump-adviser-diagnosed-with-"
            "coronavirus.md",
        ):
            article = self.article(COVID + name)
            for char in "\ufeff\u202a\u202c\u00ad\u2060\u200b":
                assert char not in article.title + article.excerpt

    def test_non_latin_provider_names_and_long_image_urls(self):
        assert Provider.objects.filter(name="العربية.نت").exists()
        article = self.article(
            COVID + "2020-05-06-volunteer-who-traveled-to-help-new-york-dies-of-covid-19.md"
        )
        assert len(article.images.get().url) > 500

    def test_a_tab_inside_an_image_url_is_trimmed(self):
        assert not Image.objects.filter(url__contains="\t").exists()

    def test_extra_keys_and_provider_logos_are_kept(self):
        article = self.article(
            COVID + "2020-05-06-netherlands-to-ease-coronavirus-restrictionas.md"
        )
        assert article.extra["tags"]
        assert Provider.objects.exclude(logo_url="").count() > 10

    def test_the_same_url_in_three_files_is_one_article_with_the_newest_version(self):
        """The newest publishedDateTime of the group wins (2020-05-08), and the related link
        that points back at the article itself is gone."""
        url = "https://www.chron.com/news/article/Rural-California-counties-persist-in-defying-"
        article = Article.objects.get(canonical_url=url + "15249699.php")
        assert article.source.endswith(
            "2020-05-08-first-mall-reopens-in-california-defying-state-coronavirus-order.md"
        )
        assert article.title == "First mall reopens in California, defying state coronavirus order"
        assert not article.related_links.filter(web_url=article.web_url).exists()

    def test_topics_are_unique_case_insensitively(self):
        names = [name.lower() for name in Topic.objects.values_list("name", flat=True)]
        assert len(names) == len(set(names))

    def test_importing_an_export_into_an_empty_database_gives_the_same_data(self):
        before = snapshot()
        with tempfile.TemporaryDirectory() as folder:
            out = StringIO()
            call_command("export_seeds", folder, stdout=out)
            assert f"Exported {len(before)} articles" in out.getvalue()
            assert len(os.listdir(folder)) == len(before)
            Article.objects.all().delete()
            Provider.objects.all().delete()
            Topic.objects.all().delete()
            report = import_paths([folder])
        assert (report.created, report.rejected, report.superseded) == (len(before), 0, 0)
        after = snapshot()
        assert sorted(after) == sorted(before)
        different = [url for url in before if before[url] != after[url]]
        assert different == []


def snapshot() -> dict:
    """Everything a seed file carries, per article, independent of primary keys."""

    def image(i):
        return (i.url, i.width, i.height, i.is_cached, i.alt)

    def provider(p):
        return (p.domain, p.name, p.logo_url) if p else None

    data = {}
    for article in articles_for_export():
        data[article.canonical_url] = (
            [getattr(article, name) for name in SEED_FIELDS],
            provider(article.provider),
            [tagged.tag.name for tagged in article.export_topics],
            [image(i) for i in article.images.all()],
            [
                (
                    link.position,
                    link.title,
                    link.excerpt,
                    link.published_at,
                    link.web_url,
                    link.amp_url,
                    link.cdn_amp_url,
                    link.kind,
                    provider(link.provider),
                    link.quality,
                    [image(i) for i in link.images.all()],
                )
                for link in article.related_links.all()
            ],
        )
    return data


SEED_FIELDS = [
    "title",
    "excerpt",
    "category",
    "kind",
    "published_at",
    "original_url",
    "web_url",
    "amp_url",
    "cdn_amp_url",
    "video_id",
    "quality",
    "heat",
    "is_published",
    "is_removed",
    "secured",
    "extra",
    "seed_raw",
]
