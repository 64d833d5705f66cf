"""Writing articles back out as seed files, in the format they came in: importing an export into
an empty database gives the same data."""

import os
import tempfile
from pathlib import Path

import yaml

from django.db.models import Prefetch

from articles.models import Article, RelatedLink, TaggedArticle

from .fields import SEED_FIELDS

EXPORT_CHUNK = 500


def seed_mapping(article: Article) -> dict:
    """The seed-file mapping of `article` (loaded with `articles_for_export`): its keys in the
    order of `SEED_FIELDS`, then the `extra` keys. Titles and excerpts are written as the seed
    file had them unless an editor changed them; `secured` and the `extra` keys are written as
    stored."""
    edited = set(article.edited_fields)
    raw = article.seed_raw or {}
    # Where a key's value is not its field's as stored.
    written = {
        "title": article.title if "title" in edited else raw.get("title", article.title),
        "excerpt": article.excerpt if "excerpt" in edited else raw.get("excerpt", article.excerpt),
        "is_removed": article.is_removed or None,
        "provider": _provider(article.provider),
        "topics": [tagged.tag.name for tagged in article.export_topics],
        "images": [_image(image) for image in article.images.all()],
        "related_links": [_related(link) for link in article.related_links.all()],
    }
    mapping = {
        seed.key: written[seed.field] if seed.field in written else getattr(article, seed.field)
        for seed in SEED_FIELDS
    }
    mapping = {key: value for key, value in mapping.items() if value not in (None, "", [])}
    for key, value in article.extra.items():
        mapping.setdefault(key, value)
    return mapping


def seed_text(mapping: dict) -> str:
    """A seed file: the mapping as YAML front matter between `---` lines."""
    front = yaml.dump(
        mapping,
        Dumper=yaml.CSafeDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1_000_000,
    )
    return f"---\n{front}---\n"


def articles_for_export():
    """Every article with what its seed file lists, in a fixed number of queries per chunk."""
    return (
        Article.objects.select_related("provider")
        .prefetch_related(
            Prefetch(
                "taggedarticle_set",
                queryset=TaggedArticle.objects.select_related("tag").order_by("pk"),
                to_attr="export_topics",
            ),
            "images",
            Prefetch(
                "related_links",
                queryset=RelatedLink.objects.select_related("provider").prefetch_related("images"),
            ),
        )
        .order_by("pk")
    )


def export_articles(directory: Path | str) -> int:
    """Write one seed file per article into `directory` (created if needed), named
    `<published date>-<slug>.md`; each file is written whole or not at all. Returns the count."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    count = 0
    for article in articles_for_export().iterator(chunk_size=EXPORT_CHUNK):
        name = f"{article.published_at:%Y-%m-%d}-{article.slug}.md"
        _write_atomically(directory / name, seed_text(seed_mapping(article)))
        count += 1
    return count


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _provider(provider) -> dict:
    mapping = {"name": provider.name, "domain": provider.domain}
    if provider.logo_url:
        mapping["images"] = [{"url": provider.logo_url}]
    return mapping


def _image(image) -> dict:
    mapping = {
        "url": image.url,
        "width": image.width,
        "height": image.height,
        "isCached": image.is_cached,
        "title": image.alt,
    }
    return {key: value for key, value in mapping.items() if value not in (None, "")}


def _related(link: RelatedLink) -> dict:
    mapping = {
        "title": link.title,
        "excerpt": link.excerpt,
        "publishedDateTime": link.published_at,
        "webUrl": link.web_url,
        "ampWebUrl": link.amp_url,
        "cdnAmpWebUrl": link.cdn_amp_url,
        "type": link.kind,
        "provider": _provider(link.provider) if link.provider else None,
        "quality": link.quality,
        "images": [_image(image) for image in link.images.all()],
    }
    return {key: value for key, value in mapping.items() if value not in (None, "", [])}
