"""Small seed files written by the tests, and the real ones in `fixtures/seeds/`."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
SEEDS = ROOT / "fixtures" / "seeds"
REAL = SEEDS / "real"


def seed_mapping(**fields) -> dict:
    """A valid seed mapping like the real ones; `fields` replace or add keys (None removes)."""
    mapping = {
        "category": "news",
        "title": "Police pilot facial recognition",
        "excerpt": "A short excerpt.",
        "publishedDateTime": "2021-04-13T16:17:00Z",
        "originalUrl": "https://www.govtech.com/story.html",
        "webUrl": "https://www.govtech.com/story.html",
        "type": "article",
        "quality": 59,
        "heat": 119,
        "published": True,
        "provider": {"name": "Government Technology", "domain": "govtech.com"},
        "topics": ["Computer Vision", "AI"],
        "images": [{"url": "https://media.govtech.com/a.jpg", "width": 770, "height": 513}],
        "related": [
            {
                "title": "Related story",
                "excerpt": "Related excerpt",
                "publishedDateTime": "2021-04-09T21:59:00Z",
                "webUrl": "https://www.providencejournal.com/story/1",
                "type": "article",
                "provider": {"name": "Providence Journal", "domain": "providencejournal.com"},
                "quality": 53,
                "images": [{"url": "https://img.example/1.jpg", "width": 1200, "height": 675}],
            }
        ],
        "secured": "c2VjcmV0;aXY=",
    }
    mapping.update(fields)
    return {key: value for key, value in mapping.items() if value is not None}


def seed_bytes(body: str = "", **fields) -> bytes:
    """A seed file (front matter between `---` lines, then `body`) as bytes."""
    front = yaml.safe_dump(seed_mapping(**fields), allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n{body}".encode()


def write_seed(folder: Path, name: str, data: bytes | None = None, **fields) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(seed_bytes(**fields) if data is None else data)
    return path
