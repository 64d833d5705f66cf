"""Reading and validating one seed file, with no database."""

from datetime import UTC, datetime

import pytest

from django.db import models

from articles.models import HEAT_MAX, Article, Image, RelatedLink
from articles.seeds import SeedError, read_seed
from articles.seeds.read import TITLE_MAX_LENGTH, URL_MAX_LENGTH
from providers.models import Provider

from .builders import seed_bytes

LIMIT = 1024 * 1024


def read(data: bytes, name: str = "story.md", max_bytes: int = LIMIT):
    return read_seed(data, name=name, max_bytes=max_bytes)


def rejection(data: bytes, max_bytes: int = LIMIT) -> SeedError:
    with pytest.raises(SeedError) as caught:
        read(data, name="bad/file.md", max_bytes=max_bytes)
    assert caught.value.name == "bad/file.md"
    assert str(caught.value).startswith("bad/file.md:")
    return caught.value


def test_a_valid_file_gives_a_record_with_cleaned_values():
    """Every seed field lands in its record field."""
    record = read(seed_bytes())
    assert record.title == "Police pilot facial recognition"
    assert record.published_at == datetime(2021, 4, 13, 16, 17, tzinfo=UTC)
    assert record.canonical_url == "https://www.govtech.com/story.html"
    assert record.provider.domain == "govtech.com"
    assert record.topics == ("Computer Vision", "AI")
    assert record.images[0].width == 770
    assert record.related[0].provider.domain == "providencejournal.com"
    assert record.quality == 59
    assert record.heat == 119
    assert record.is_published is True
    assert record.secured == "c2VjcmV0;aXY="
    assert record.warnings == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"---\ntitle: \xff\xfe\n---\n", "not UTF-8"),
        (b"title: no front matter\n", "no front matter"),
        (b"---\ntitle: never closed\n", "no closing"),
        (b"---\n[]\n---\n", "not a mapping"),
        (b"---\njust a string\n---\n", "not a mapping"),
        (b"---\n---\n", "not a mapping"),
        (seed_bytes(title=None), "missing or empty title"),
        (seed_bytes(title=""), "missing or empty title"),
        (seed_bytes(title="  <b> </b>\u200b "), "missing or empty title"),
        (seed_bytes(webUrl=None, originalUrl=None), "no http(s) webUrl or originalUrl"),
        (seed_bytes(webUrl="", originalUrl=""), "no http(s) webUrl or originalUrl"),
        (seed_bytes(webUrl="javascript:alert(1)"), "webUrl is not an http(s) URL"),
        (seed_bytes(webUrl=None, originalUrl="ftp://x.example/a"), "originalUrl is not"),
        (seed_bytes(publishedDateTime=None), "missing publishedDateTime"),
        (seed_bytes(publishedDateTime=""), "missing publishedDateTime"),
        (seed_bytes(publishedDateTime="yesterday"), "unparseable publishedDateTime"),
        (seed_bytes(publishedDateTime=[2021]), "unparseable publishedDateTime"),
        (seed_bytes(type="slideshow"), "is not one of article, video"),
        (seed_bytes(webUrl="https://x.example/" + "a" * 2000), "longer than 2000"),
        (seed_bytes(category="c" * 51), "category longer than 50"),
    ],
)
def test_unusable_files_are_rejected_with_a_message_naming_the_file(data, message):
    """Each of these is rejected with a SeedError that names the file and says why."""
    assert message in str(rejection(data))


def test_yaml_syntax_errors_name_the_line():
    """A YAML error gives the line in the file (counting the opening `---`)."""
    error = rejection(b'---\ncategory: news\ntitle: "unterminated\nexcerpt: x\n---\n')
    assert error.line is not None and error.line >= 3
    assert f":{error.line}:" in str(error)


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['echo hacked']",
        "!!python/name:os.system",
        "!custom {a: 1}",
    ],
)
def test_yaml_tags_that_build_objects_are_rejected(tag):
    """Only the safe loader runs: tags that would build Python objects reject the file."""
    error = rejection(b"---\ntitle: " + tag.encode() + b"\n---\n")
    assert "YAML tag not allowed" in str(error)
    assert error.line == 2


def test_files_over_the_size_limit_are_rejected_before_parsing():
    """A file over SEED_MAX_BYTES is rejected (even if it is not YAML at all)."""
    error = rejection(b"\xff" * 2000, max_bytes=1000)
    assert error.message == "file is 2,000 bytes, over the limit of 1,000 bytes"


@pytest.mark.parametrize("when", ["9999-12-31", "2026-01-03T00:00:01Z", "2026-01-03 02:00+01:00"])
def test_a_publication_time_more_than_a_day_ahead_rejects_the_file(when):
    """A story its outlet published cannot be dated in the future: past a day of slack (time
    zones written wrong), the date is a mistake that would pin the story to the top of every
    listing, so the file is rejected, saying why."""
    now = datetime(2026, 1, 2, tzinfo=UTC)
    with pytest.raises(SeedError) as caught:
        read_seed(seed_bytes(publishedDateTime=when), name="f.md", max_bytes=LIMIT, now=now)
    assert "is more than a day ahead of the clock" in caught.value.message
    assert caught.value.message.startswith(f"publishedDateTime {when[:10]}")


def test_a_publication_time_up_to_a_day_ahead_is_accepted():
    now = datetime(2026, 1, 2, tzinfo=UTC)
    data = seed_bytes(publishedDateTime="2026-01-03T00:00:00Z")
    record = read_seed(data, name="f.md", max_bytes=LIMIT, now=now)
    assert record.published_at == datetime(2026, 1, 3, tzinfo=UTC)
    assert record.warnings == []


def test_a_related_story_dated_ahead_keeps_its_link_without_the_date():
    now = datetime(2026, 1, 2, tzinfo=UTC)
    future = {
        "title": "From the future",
        "webUrl": "https://other.example/future",
        "publishedDateTime": "9999-12-31T00:00:00Z",
    }
    record = read_seed(seed_bytes(related=[future]), name="f.md", max_bytes=LIMIT, now=now)
    assert record.related[0].web_url == "https://other.example/future"
    assert record.related[0].published_at is None
    assert record.warnings == [
        "ignored a related link's publishedDateTime 9999-12-31: more than a day ahead of the clock"
    ]


def test_a_key_given_twice_is_a_warning_and_the_last_value_wins():
    """YAML keeps the last of two values for one key without a word: the reader says so (for
    the top-level keys, written plain or quoted alike)."""
    data = seed_bytes(title="First").replace(
        b"---\n", b"---\ntitle: Second\n'excerpt': One\nexcerpt: Two\n", 1
    )
    record = read(data)
    assert record.title == "First"  # seed_bytes writes its title after the added lines
    assert record.excerpt == "A short excerpt."
    assert record.warnings == [
        "key 'title' given 2 times: the last value is used",
        "key 'excerpt' given 3 times: the last value is used",
    ]


def test_lines_that_only_look_like_keys_are_no_repeated_keys():
    """A quoted value or a flow mapping running over lines is no repetition of a key."""
    data = seed_bytes(title=None).replace(
        b"---\n", b'---\ntitle: "Two lines\ntitle: of title"\nnote: {a: 1,\nnote: 2}\n', 1
    )
    record = read(data)
    assert record.title == "Two lines title: of title"
    assert record.warnings == []


def test_forbidden_control_characters_are_replaced_with_a_warning():
    """U+0097 (a Windows-1252 em dash) makes YAML refuse the file; it becomes a dash, other
    forbidden characters are removed, and the file is accepted with a warning."""
    data = seed_bytes(excerpt="approach_no lockdown_").replace(b"_", "\u0097".encode(), 1)
    record = read(data.replace(b"_", b"\x01"))
    assert record.excerpt == "approach—no lockdown"
    assert any("U+0097" in warning for warning in record.warnings)


def test_bom_crlf_and_a_body_after_the_front_matter_are_accepted():
    """A UTF-8 byte-order mark, CRLF line endings and a body are all fine; the body is ignored."""
    data = b"\xef\xbb\xbf" + seed_bytes(body="<p>body</p>\n---\nnot: front matter\n")
    record = read(data.replace(b"\n", b"\r\n"))
    assert record.title == "Police pilot facial recognition"
    assert "not" not in record.extra


@pytest.mark.parametrize(
    "value",
    [
        "2021-04-13T16:17:00Z",
        "2021-04-13T16:17:00.0000000Z",
        "2021-04-13T18:17:00.0000000+02:00",
        "2021-04-13 16:17:00",
        datetime(2021, 4, 13, 16, 17, tzinfo=UTC),
    ],
)
def test_timestamps_as_yaml_or_strings_are_stored_in_utc(value):
    """YAML timestamps and ISO strings (7 fraction digits, `Z` or an offset) all read as UTC."""
    record = read(seed_bytes(publishedDateTime=value))
    assert record.published_at == datetime(2021, 4, 13, 16, 17, tzinfo=UTC)
    assert record.published_at.utcoffset().total_seconds() == 0


def test_numbers_given_as_strings_are_read_as_numbers():
    """`quality: "59"` is 59; a number that is not one is ignored with a warning."""
    record = read(seed_bytes(quality="59", heat="lots"))
    assert record.quality == 59
    assert record.heat is None
    assert any("heat" in warning for warning in record.warnings)


def test_values_too_large_for_an_integer_column_are_ignored_with_a_warning():
    record = read(seed_bytes(heat=2**40))
    assert record.heat is None
    assert record.warnings


def test_heat_over_what_the_ranking_counts_is_held_at_the_most_with_a_warning():
    """PostgreSQL ranks in 32-bit integers, which heat over 5,965,232 overflows: heat above
    `HEAT_MAX` is held there, with a warning; `HEAT_MAX` itself is kept as it is."""
    record = read(seed_bytes(heat=10_000_000))
    assert record.heat == HEAT_MAX == 1_000_000
    assert record.warnings == ["heat 10000000 is over the maximum of 1000000: held at 1000000"]
    record = read(seed_bytes(heat=HEAT_MAX))
    assert (record.heat, record.warnings) == (HEAT_MAX, [])


def test_unknown_keys_are_kept_in_extra_as_json():
    """Keys without a field of their own are kept, JSON-safe (timestamps as ISO strings)."""
    record = read(
        seed_bytes(
            tags=["CA", "US-CA"],
            updatedDateTime=datetime(2020, 5, 9, 12, tzinfo=UTC),
            nested={"a": ["b\x00"]},
        )
    )
    assert record.extra["tags"] == ["CA", "US-CA"]
    assert record.extra["updatedDateTime"] == "2020-05-09T12:00:00+00:00"
    assert record.extra["nested"] == {"a": ["b"]}


def test_topics_differing_in_case_or_spaces_are_one_and_nulls_are_dropped():
    record = read(seed_bytes(topics=[" AI ", "ai", None, "", "Computer  Vision", "AI"]))
    assert record.topics == ("AI", "Computer Vision")


def test_empty_strings_are_treated_as_missing():
    """`webUrl: ""` falls back to `originalUrl`; `excerpt: ""` is an empty excerpt."""
    record = read(seed_bytes(webUrl="", excerpt="", quality=""))
    assert record.web_url == "https://www.govtech.com/story.html"
    assert record.excerpt == ""
    assert record.quality is None


def test_heat_minus_one_removed_and_missing_published():
    """`heat: -1` is kept; `removed: true` is read; a missing `published` means published (as
    in Jekyll, which these files were written for)."""
    record = read(seed_bytes(heat=-1, removed=True, published=None))
    assert record.heat == -1
    assert record.is_removed is True
    assert record.is_published is True
    assert read(seed_bytes(published=False)).is_published is False


def test_provider_domains_are_normalised_and_logos_kept():
    logo = "https://smartableai.github.io/assets/images/organizations/govtech.com-50x50.jpg"
    record = read(
        seed_bytes(
            provider={
                "name": "GovTech",
                "domain": "WWW.GovTech.com",
                "images": [{"url": logo, "width": 50, "height": 50}],
            }
        )
    )
    assert record.provider.domain == "govtech.com"
    assert record.provider.logo_url == logo


def test_text_is_cleaned_once_and_the_raw_value_kept_for_export():
    """Entities decoded, tags stripped, invisible characters removed, whitespace trimmed; the
    value as written stays in `raw`."""
    title = " \u00a0The state&#39;s <b>bold</b>\u200b plan\ufeff\u202a\u00ad "
    excerpt = "Line one  \r\n\r\n\r\n<a href='x'>Line</a>\u202c two\u2060 "
    record = read(seed_bytes(title=title, excerpt=excerpt))
    assert record.title == "The state's bold plan"
    assert record.excerpt == "Line one\n\nLine two"
    assert record.raw == {"title": title, "excerpt": excerpt}


def test_nul_characters_never_reach_the_record():
    """Escaped NULs (`\\0` in a double-quoted string) are removed from every value."""
    fields = b'---\ntitle: "Po\\0lice"\nsecured: "a\\0b"\nother: "x\\0y"\n'
    record = read(seed_bytes(title=None, secured=None).replace(b"---\n", fields, 1))
    assert record.title == "Police"
    assert record.secured == "ab"
    assert record.extra["other"] == "xy"


def test_an_over_long_title_is_cut_with_a_warning():
    record = read(seed_bytes(title="word " * 200))
    assert len(record.title) == TITLE_MAX_LENGTH
    assert record.title.endswith("…")
    assert record.warnings


def test_one_url_size_and_one_title_size_fit_every_column_the_reader_fills():
    """The reader checks every URL against `URL_MAX_LENGTH` and cuts every title, related
    title and image text at `TITLE_MAX_LENGTH`: each column they go to has that size."""
    urls = {
        f"{model.__name__}.{field.name}": field.max_length
        for model in (Article, RelatedLink, Image, Provider)
        for field in model._meta.concrete_fields
        if isinstance(field, models.URLField)
    }
    assert len(urls) == 10
    assert set(urls.values()) == {URL_MAX_LENGTH}
    titles = [
        Article._meta.get_field("title"),
        RelatedLink._meta.get_field("title"),
        Image._meta.get_field("alt"),
    ]
    assert {field.max_length for field in titles} == {TITLE_MAX_LENGTH}


def test_a_video_without_web_url_is_identified_by_its_youtube_link():
    """A `type: video` item has no webUrl: its identity is its YouTube link; of the iframe HTML
    only the video id is kept, and the HTML itself stays in `extra` for export."""
    iframe = '<iframe src="https://www.youtube.com/embed/IrTta5nR4ys" onload="x()"></iframe>'
    record = read(
        seed_bytes(
            type="video",
            webUrl=None,
            originalUrl="https://youtube.com/watch?v=IrTta5nR4ys",
            featuredContent=iframe,
        )
    )
    assert record.kind == "video"
    assert record.video_id == "IrTta5nR4ys"
    assert record.web_url == "https://youtube.com/watch?v=IrTta5nR4ys"
    assert record.canonical_url == "https://www.youtube.com/watch?v=IrTta5nR4ys"
    assert record.extra["featuredContent"] == iframe


def test_the_video_id_comes_from_the_iframe_when_the_url_has_none():
    iframe = '<iframe src="https://www.youtube-nocookie.com/embed/r8zKvfgwV4w"></iframe>'
    record = read(seed_bytes(type="video", featuredContent=iframe))
    assert record.video_id == "r8zKvfgwV4w"


def test_bad_optional_parts_are_dropped_with_a_warning():
    """Related links or images with no http(s) URL, a related link to the article itself and a
    duplicated related link are dropped; the article is kept."""
    base = {"title": "R", "provider": {"name": "P", "domain": "p.example"}}
    related = [
        {**base, "webUrl": "https://p.example/1"},
        {**base, "webUrl": ""},
        {**base, "webUrl": "javascript:alert(1)"},
        {**base, "webUrl": "https://www.govtech.com/story.html?utm_source=x#top"},
        {**base, "webUrl": "https://P.example/1#again"},
        {**base, "webUrl": "https://p.example/2", "images": [{"url": "data:image/png,x"}]},
    ]
    images = [{"url": "/relative.jpg"}, {"url": "https://img.example/ok.jpg\t"}]
    record = read(seed_bytes(related=related, images=images))
    assert [link.web_url for link in record.related] == [
        "https://p.example/1",
        "https://p.example/2",
    ]
    assert record.related[1].images == ()
    assert [image.url for image in record.images] == ["https://img.example/ok.jpg"]
    assert len(record.warnings) == 6
