"""Reading and validating one seed file, with no database: bytes in, a `SeedRecord` or a
`SeedError` out. The rules are README "Importing seed files"; fixtures/seeds-README.md lists the
real files' oddities. (The models are imported only for their column sizes; the parse workers
fork after Django's set-up.)"""

import base64
import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

import yaml

from articles.models import HEAT_MAX, TITLE_MAX_LENGTH, URL_MAX_LENGTH, Article, Topic
from providers.models import Provider, normalize_domain

from .fields import KNOWN_KEYS
from .text import (
    canonical_url,
    clean_excerpt,
    clean_title,
    is_http_url,
    remove_invisible,
    youtube_video_id,
    youtube_watch_url,
)

# Column sizes, read from the models: the reader enforces them so that no value can make the
# database fail. Every URL and title column has the size of `URL_MAX_LENGTH` and
# `TITLE_MAX_LENGTH` (imported above).
CATEGORY_MAX_LENGTH = Article._meta.get_field("category").max_length
PROVIDER_NAME_MAX_LENGTH = Provider._meta.get_field("name").max_length
DOMAIN_MAX_LENGTH = Provider._meta.get_field("domain").max_length
TOPIC_MAX_LENGTH = Topic._meta.get_field("name").max_length
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
# Bounds on lists: the real files have at most 5 topics, 1 image and 39 related stories.
MAX_TOPICS = 20
MAX_IMAGES = 20
MAX_RELATED = 100
# Bounds on what `extra` may hold (YAML aliases can make a small file a huge tree).
EXTRA_MAX_NODES = 10_000
EXTRA_MAX_DEPTH = 20

KINDS = ("article", "video")
# How far ahead of the clock a publication time may be (time zones written wrong, clocks
# apart): a seed file describes a story its outlet has published, and a date past this is a
# mistake (9999-12-31) that would pin the story to the top of every listing.
MAX_AHEAD = timedelta(days=1)

# Characters YAML 1.1 does not allow in a stream. Some real files carry one (U+0097 in an
# excerpt); they are removed before parsing, with a warning.
YAML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
OPENING = re.compile(r"---[ \t]*\n")
CLOSING = re.compile(r"^---[ \t]*$", re.MULTILINE)


class SeedError(ValueError):
    """A seed file that cannot be imported. `str()` names the file and, where known, the line."""

    def __init__(self, name: str, message: str, line: int | None = None):
        self.name = name
        self.message = message
        self.line = line
        super().__init__(f"{name}:{line}: {message}" if line else f"{name}: {message}")

    def __reduce__(self):
        return (type(self), (self.name, self.message, self.line))


@dataclass(frozen=True, slots=True)
class SeedProvider:
    name: str
    domain: str
    logo_url: str = ""


@dataclass(frozen=True, slots=True)
class SeedImage:
    url: str
    width: int | None = None
    height: int | None = None
    is_cached: bool = False
    alt: str = ""


@dataclass(frozen=True, slots=True)
class SeedRelated:
    title: str
    web_url: str
    excerpt: str = ""
    published_at: datetime | None = None
    amp_url: str = ""
    cdn_amp_url: str = ""
    kind: str = "article"
    provider: SeedProvider | None = None
    quality: int | None = None
    images: tuple[SeedImage, ...] = ()


@dataclass(slots=True)
class SeedRecord:
    """One validated seed file: cleaned values ready for the database, plus `raw` (the title
    and excerpt as written, where cleaning changed them) for export."""

    name: str
    content_hash: str
    title: str
    published_at: datetime
    web_url: str
    canonical_url: str
    provider: SeedProvider
    excerpt: str = ""
    category: str = "news"
    kind: str = "article"
    original_url: str = ""
    amp_url: str = ""
    cdn_amp_url: str = ""
    video_id: str = ""
    quality: int | None = None
    heat: int | None = None
    is_published: bool = True
    is_removed: bool = False
    topics: tuple[str, ...] = ()
    images: tuple[SeedImage, ...] = ()
    related: tuple[SeedRelated, ...] = ()
    secured: str = ""
    extra: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def content_hash(data: bytes) -> str:
    """The hash that tells whether a file changed since it was imported."""
    return hashlib.sha256(data).hexdigest()


def read_seed(data: bytes, *, name: str, max_bytes: int, now: datetime | None = None) -> SeedRecord:
    """Validate the seed file `data` (called `name` in messages) and return its record;
    publication times are checked against `now` (by default the current time).

    Raises `SeedError` naming the file (and the line, where YAML gives one) for anything that
    cannot be imported; only ever that exception, whatever `data` holds."""
    if len(data) > max_bytes:
        raise SeedError(name, f"file is {len(data):,} bytes, over the limit of {max_bytes:,} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SeedError(name, f"not UTF-8 (invalid byte at offset {error.start})") from None
    warnings = []
    text = text.replace("\r\n", "\n")
    if YAML_FORBIDDEN.search(text):
        found = sorted({f"U+{ord(c):04X}" for c in YAML_FORBIDDEN.findall(text)})
        warnings.append(f"replaced control characters YAML forbids: {', '.join(found[:5])}")
        text = YAML_FORBIDDEN.sub(lambda match: remove_invisible(match.group()), text)
    document = _front_matter(text, name)
    loader = yaml.CSafeLoader(document)
    try:
        # yaml.load() in two steps, to see the keys before YAML keeps the last of a repeated one.
        node = loader.get_single_node()
        warnings.extend(_repeated_keys(node))
        mapping = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 2 if error.problem_mark else None
        problem = error.problem or "invalid YAML"
        if isinstance(error, yaml.constructor.ConstructorError):
            problem = f"YAML tag not allowed ({problem})"
        raise SeedError(name, problem, line) from None
    except (yaml.YAMLError, RecursionError) as error:
        raise SeedError(name, f"invalid YAML ({type(error).__name__})") from None
    finally:
        loader.dispose()
    if not isinstance(mapping, dict):
        kind = "empty" if mapping is None else type(mapping).__name__
        raise SeedError(name, f"the front matter is not a mapping of keys to values ({kind})")
    latest = (now or datetime.now(UTC)) + MAX_AHEAD
    try:
        return _record(
            mapping, name=name, content_hash=content_hash(data), warnings=warnings, latest=latest
        )
    except RecursionError:
        raise SeedError(name, "values nested too deeply") from None


def _repeated_keys(node) -> list[str]:
    """A warning per top-level key the front matter gives more than once (YAML keeps the last
    value without a word)."""
    if not isinstance(node, yaml.MappingNode):
        return []
    keys = Counter(
        (key.tag, key.value) for key, _ in node.value if isinstance(key, yaml.ScalarNode)
    )
    return [
        f"key {_shorten(value, 40)!r} given {count} times: the last value is used"
        for (_, value), count in keys.items()
        if count > 1
    ]


def _front_matter(text: str, name: str) -> str:
    opening = OPENING.match(text)
    if not opening:
        raise SeedError(name, "no front matter: the file must start with a '---' line", 1)
    closing = CLOSING.search(text, opening.end())
    if not closing:
        raise SeedError(name, "the front matter has no closing '---' line")
    return text[opening.end() : closing.start()]


def _record(
    mapping: dict, *, name: str, content_hash: str, warnings: list[str], latest: datetime
) -> SeedRecord:
    raw_title = _string(mapping.get("title"))
    title = clean_title(raw_title)
    if not title:
        raise SeedError(name, "missing or empty title")
    if len(title) > TITLE_MAX_LENGTH:
        warnings.append(f"title cut to {TITLE_MAX_LENGTH} characters")
        title = title[: TITLE_MAX_LENGTH - 1].rstrip() + "…"
    raw_excerpt = _string(mapping.get("excerpt"))
    excerpt = clean_excerpt(raw_excerpt)

    published_at = _datetime(mapping.get("publishedDateTime"))
    if published_at is None:
        problem = "missing" if _is_missing(mapping.get("publishedDateTime")) else "unparseable"
        raise SeedError(name, f"{problem} publishedDateTime")
    if published_at > latest:
        raise SeedError(
            name,
            f"publishedDateTime {published_at:%Y-%m-%d %H:%M} UTC is more than a day ahead of "
            "the clock: a story's publication time cannot be in the future",
        )

    kind = _string(mapping.get("type")).strip().lower() or "article"
    if kind not in KINDS:
        raise SeedError(name, f"type {kind[:40]!r} is not one of {', '.join(KINDS)}")

    original_url = _url(mapping.get("originalUrl"))
    web_url = _url(mapping.get("webUrl"))
    for key, given, url in (
        ("originalUrl", mapping.get("originalUrl"), original_url),
        ("webUrl", mapping.get("webUrl"), web_url),
    ):
        if not url and not _is_missing(given):
            raise SeedError(name, f"{key} is not an http(s) URL: {_shorten(given)!r}")
    web_url = web_url or original_url
    if not web_url:
        raise SeedError(name, "no http(s) webUrl or originalUrl")
    featured = _string(mapping.get("featuredContent"))
    video_id = youtube_video_id(original_url or web_url) or youtube_video_id(html_snippet=featured)
    url_video_id = youtube_video_id(web_url)
    identity = youtube_watch_url(url_video_id) if url_video_id else canonical_url(web_url)
    if max(len(web_url), len(original_url), len(identity)) > URL_MAX_LENGTH:
        raise SeedError(name, f"URL longer than {URL_MAX_LENGTH} characters")

    category = clean_title(_string(mapping.get("category"))).lower() or "news"
    if len(category) > CATEGORY_MAX_LENGTH:
        raise SeedError(name, f"category longer than {CATEGORY_MAX_LENGTH} characters")

    provider = _provider(mapping.get("provider"), warnings, where="provider")
    if provider is None:
        domain = _domain(web_url)
        warnings.append(f"no usable provider: using the domain of the URL ({domain})")
        provider = SeedProvider(name=domain, domain=domain)
    if not provider.domain or len(provider.domain) > DOMAIN_MAX_LENGTH:
        raise SeedError(name, "provider has no usable domain")

    related = _related_links(mapping.get("related"), identity, warnings, latest=latest)
    extra = _extra(mapping, warnings)
    raw = {
        key: value
        for key, value, cleaned in (("title", raw_title, title), ("excerpt", raw_excerpt, excerpt))
        if value != cleaned
    }
    return SeedRecord(
        name=name,
        content_hash=content_hash,
        title=title,
        excerpt=excerpt,
        category=category,
        kind=kind,
        published_at=published_at,
        original_url=original_url,
        web_url=web_url,
        canonical_url=identity,
        amp_url=_optional_url(mapping.get("ampWebUrl"), "ampWebUrl", warnings),
        cdn_amp_url=_optional_url(mapping.get("cdnAmpWebUrl"), "cdnAmpWebUrl", warnings),
        video_id=video_id,
        quality=_integer(mapping.get("quality"), "quality", warnings),
        heat=_heat(mapping.get("heat"), warnings),
        is_published=_boolean(mapping.get("published"), "published", True, warnings),
        is_removed=_boolean(mapping.get("removed"), "removed", False, warnings),
        provider=provider,
        topics=_topics(mapping.get("topics"), warnings),
        images=_images(mapping.get("images"), warnings, where="images"),
        related=related,
        secured=remove_invisible(_string(mapping.get("secured"))),
        extra=extra,
        raw=raw,
        warnings=warnings,
    )


def _is_missing(value) -> bool:
    """Empty strings count as missing, like absent keys and nulls."""
    return value is None or (isinstance(value, str) and not value.strip())


def _string(value) -> str:
    """A scalar as text ("" for missing, nulls and non-scalars), NUL characters removed."""
    if value is None or isinstance(value, dict | list | bytes | set):
        return ""
    return str(value).replace("\x00", "")


def _shorten(value, length: int = 80) -> str:
    text = _string(value)
    return text if len(text) <= length else text[: length - 1] + "…"


def _url(value) -> str:
    """An http(s) URL as given (trimmed), or "" when it is missing or not http(s)."""
    url = _string(value).strip()
    return url if is_http_url(url) else ""


def _optional_url(value, key: str, warnings: list[str]) -> str:
    url = _url(value)
    if not url and not _is_missing(value):
        warnings.append(f"dropped {key}: not an http(s) URL")
    elif len(url) > URL_MAX_LENGTH:
        warnings.append(f"dropped {key}: longer than {URL_MAX_LENGTH} characters")
        url = ""
    return url


def _datetime(value) -> datetime | None:
    """An aware UTC datetime from a YAML timestamp or date, or an ISO 8601 string (any number of
    fraction digits, `Z` or an offset; no offset means UTC). None when it cannot be read."""
    if isinstance(value, str):
        text = value.strip()
        match = re.fullmatch(r"(.*T\d\d:\d\d:\d\d)\.(\d+)(.*)", text)
        if match:  # Python reads at most 6 fraction digits; .NET writes 7.
            text = f"{match[1]}.{match[2][:6].ljust(6, '0')}{match[3]}"
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            return None
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time.min)
    if not isinstance(value, datetime):
        return None
    try:
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _integer(value, key: str, warnings: list[str]) -> int | None:
    """An integer (or a number written as a string); None, with a warning, for anything else."""
    if _is_missing(value):
        return None
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif (isinstance(value, float) and math.isfinite(value) and value.is_integer()) or (
        isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d{1,12}\s*", value)
    ):
        number = int(value)
    if number is None or not INT_MIN <= number <= INT_MAX:
        warnings.append(f"ignored {key}: {_shorten(value, 30)!r} is not a usable integer")
        return None
    return number


def _heat(value, warnings: list[str]) -> int | None:
    """Heat as `_integer` reads it, held at `HEAT_MAX` (with a warning): the ranking cannot
    count more."""
    heat = _integer(value, "heat", warnings)
    if heat is not None and heat > HEAT_MAX:
        warnings.append(f"heat {heat} is over the maximum of {HEAT_MAX}: held at {HEAT_MAX}")
        return HEAT_MAX
    return heat


def _boolean(value, key: str, default: bool, warnings: list[str]) -> bool:
    if _is_missing(value):
        return default
    if isinstance(value, bool):
        return value
    text = _string(value).strip().lower()
    if text in {"true", "yes", "on", "1"}:
        return True
    if text in {"false", "no", "off", "0"}:
        return False
    warnings.append(f"ignored {key}: {_shorten(value, 30)!r} is not true or false")
    return default


def _domain(url: str) -> str:
    return normalize_domain(urlsplit(url).hostname or "")


def _provider(value, warnings: list[str], *, where: str) -> SeedProvider | None:
    if not isinstance(value, dict):
        return None
    domain = normalize_domain(remove_invisible(_string(value.get("domain"))))
    if not domain or len(domain) > DOMAIN_MAX_LENGTH or re.search(r"\s", domain):
        return None
    name = clean_title(_string(value.get("name"))) or domain
    if len(name) > PROVIDER_NAME_MAX_LENGTH:
        warnings.append(f"{where} name cut to {PROVIDER_NAME_MAX_LENGTH} characters")
        name = name[:PROVIDER_NAME_MAX_LENGTH]
    logos = _images(value.get("images"), warnings, where=f"{where} images")
    return SeedProvider(name=name, domain=domain, logo_url=logos[0].url if logos else "")


def _topics(value, warnings: list[str]) -> tuple[str, ...]:
    """Topic names, cleaned; nulls and empty entries dropped; one per name whatever its case or
    surrounding spaces (the first spelling wins)."""
    if _is_missing(value):
        return ()
    items = value if isinstance(value, list) else [value]
    topics: dict[str, str] = {}
    for item in items:
        if isinstance(item, dict | list | set | bytes):
            warnings.append("dropped a topic that is not text")
            continue
        topic = clean_title(_string(item))
        if not topic:
            continue
        if len(topic) > TOPIC_MAX_LENGTH:
            warnings.append(f"topic cut to {TOPIC_MAX_LENGTH} characters")
            topic = topic[:TOPIC_MAX_LENGTH].rstrip()
        topics.setdefault(topic.lower(), topic)
    if len(topics) > MAX_TOPICS:
        warnings.append(f"kept the first {MAX_TOPICS} of {len(topics)} topics")
    return tuple(topics.values())[:MAX_TOPICS]


def _images(value, warnings: list[str], *, where: str) -> tuple[SeedImage, ...]:
    if _is_missing(value):
        return ()
    items = value if isinstance(value, list) else [value]
    images = []
    for item in items:
        if not isinstance(item, dict):
            warnings.append(f"dropped an entry of {where} that is not a mapping")
            continue
        url = _url(item.get("url"))
        if not url or len(url) > URL_MAX_LENGTH:
            warnings.append(
                f"dropped an image of {where}: not an http(s) URL of at most {URL_MAX_LENGTH} chars"
            )
            continue
        alt = clean_title(_string(item.get("title") or item.get("alt")))[:TITLE_MAX_LENGTH]
        images.append(
            SeedImage(
                url=url,
                width=_dimension(item.get("width"), warnings),
                height=_dimension(item.get("height"), warnings),
                is_cached=_boolean(item.get("isCached"), "isCached", False, warnings),
                alt=alt,
            )
        )
    if len(images) > MAX_IMAGES:
        warnings.append(f"kept the first {MAX_IMAGES} of {len(images)} {where}")
    return tuple(images[:MAX_IMAGES])


def _dimension(value, warnings: list[str]) -> int | None:
    number = _integer(value, "image size", warnings)
    if number is not None and number <= 0:
        warnings.append("ignored an image size that is not positive")
        return None
    return number


def _related_links(
    value, article_url: str, warnings: list[str], *, latest: datetime
) -> tuple[SeedRelated, ...]:
    """Related stories in order; dropped with a warning: entries with no http(s) URL or no
    title, a link to the article itself, a second link to the same story; a publication time
    after `latest` is dropped with a warning, the link kept."""
    if _is_missing(value):
        return ()
    if not isinstance(value, list):
        warnings.append("ignored related: not a list")
        return ()
    seen = {article_url}
    links = []
    for item in value:
        if not isinstance(item, dict):
            warnings.append("dropped a related entry that is not a mapping")
            continue
        url = _url(item.get("webUrl"))
        if not url or len(url) > URL_MAX_LENGTH:
            warnings.append(
                f"dropped a related link: no http(s) webUrl of at most {URL_MAX_LENGTH} chars"
            )
            continue
        identity = canonical_url(url)
        if identity == article_url:
            warnings.append("dropped a related link to the article itself")
            continue
        if identity in seen:
            warnings.append(f"dropped a duplicated related link: {_shorten(url)}")
            continue
        title = clean_title(_string(item.get("title")))[:TITLE_MAX_LENGTH]
        if not title:
            warnings.append(f"dropped a related link with no title: {_shorten(url)}")
            continue
        seen.add(identity)
        published_at = _datetime(item.get("publishedDateTime"))
        if published_at and published_at > latest:
            warnings.append(
                f"ignored a related link's publishedDateTime {published_at:%Y-%m-%d}: more than "
                "a day ahead of the clock"
            )
            published_at = None
        kind = _string(item.get("type")).strip().lower()
        links.append(
            SeedRelated(
                title=title,
                web_url=url,
                excerpt=clean_excerpt(_string(item.get("excerpt"))),
                published_at=published_at,
                amp_url=_optional_url(item.get("ampWebUrl"), "related ampWebUrl", warnings),
                cdn_amp_url=_optional_url(
                    item.get("cdnAmpWebUrl"), "related cdnAmpWebUrl", warnings
                ),
                kind=kind if kind in KINDS else "article",
                provider=_provider(item.get("provider"), warnings, where="related provider"),
                quality=_integer(item.get("quality"), "related quality", warnings),
                images=_images(item.get("images"), warnings, where="related images"),
            )
        )
    if len(links) > MAX_RELATED:
        warnings.append(f"kept the first {MAX_RELATED} of {len(links)} related links")
    return tuple(links[:MAX_RELATED])


def _extra(mapping: dict, warnings: list[str]) -> dict:
    """Every key without a field of its own, as JSON the database accepts: timestamps as ISO
    strings, binary as base64, NUL characters removed, bounded in size and depth."""
    budget = [EXTRA_MAX_NODES]
    extra = {}
    for key, value in mapping.items():
        key = _string(key)
        if key in KNOWN_KEYS or _is_missing(value):
            continue
        try:
            extra[key] = _json_value(value, budget, EXTRA_MAX_DEPTH)
        except ValueError as error:
            warnings.append(f"dropped {_shorten(key, 40)!r}: {error}")
    return extra


def _json_value(value, budget: list[int], depth: int):
    budget[0] -= 1
    if budget[0] < 0:
        raise ValueError("too many values")
    if depth < 0:
        raise ValueError("nested too deeply")
    if value is None or isinstance(value, bool | int):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
            return str(value)
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {_string(k): _json_value(v, budget, depth - 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v, budget, depth - 1) for v in value]
    if isinstance(value, set):
        return sorted(_json_value(v, budget, depth - 1) for v in value if isinstance(v, str))
    return _string(value)
