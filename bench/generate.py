"""Deterministic synthetic seed files shaped like the real ones (fixtures/seeds-README.md):
the same keys, value types and proportions, about 4 KB each. Importable by other benchmarks:

    from bench.generate import write_seed_files
    write_seed_files(folder, 100_000)
"""

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

WORDS = [
    "ai",
    "model",
    "data",
    "cloud",
    "vision",
    "police",
    "city",
    "health",
    "vaccine",
    "game",
    "beta",
    "release",
    "update",
    "team",
    "power",
    "apps",
    "microsoft",
    "google",
    "study",
    "research",
    "market",
    "launch",
    "report",
    "court",
    "new",
    "first",
    "world",
    "growth",
    "risk",
    "privacy",
    "security",
    "chip",
    "robot",
    "learning",
    "language",
    "open",
    "source",
    "county",
    "state",
    "school",
    "hospital",
    "climate",
    "energy",
    "trade",
    "global",
    "local",
    "network",
    "platform",
    "users",
    "million",
]
TOPICS = [f"Topic {n}" for n in range(60)] + ["AI", "Computer Vision", "Coronavirus", "Diablo 4"]
START = datetime(2019, 1, 1, tzinfo=UTC)


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


def _provider(rng: random.Random, logos: bool) -> dict:
    n = rng.randrange(800)
    provider = {"name": f"Outlet {n}", "domain": f"outlet{n}.example"}
    if logos and n % 3 == 0:
        provider["images"] = [
            {
                "url": f"https://cdn.example/organizations/outlet{n}.example-50x50.jpg",
                "width": 50,
                "height": 50,
            }
        ]
    return provider


def _image(rng: random.Random, seed: str, cached: bool | None) -> dict:
    image = {
        "url": f"https://images.example/{seed}/{rng.getrandbits(64):x}.jpg?width=1200",
        "width": rng.randrange(256, 2400),
        "height": rng.randrange(203, 1600),
    }
    if cached is not None:
        image["isCached"] = cached
    return image


def seed_mapping(n: int) -> dict:
    """The mapping of synthetic seed file number `n` (the same for the same `n`, always)."""
    rng = random.Random(n)
    published = START + timedelta(minutes=37 * n + rng.randrange(30))
    slug = f"story-{n}-" + "-".join(rng.choice(WORDS) for _ in range(5))
    url = f"https://www.outlet{n % 800}.example/news/{published:%Y/%m/%d}/{slug}"
    video = rng.random() < 0.05
    mapping = {
        "category": "news",
        "title": _sentence(rng, rng.randrange(6, 16)) + f" ({n})",
        "excerpt": _sentence(rng, rng.randrange(30, 70)) + " ...",
        "publishedDateTime": published,
    }
    if video:
        video_id = f"{n:011d}"[-11:]
        mapping["originalUrl"] = f"https://youtube.com/watch?v={video_id}"
        mapping["type"] = "video"
        mapping["featuredContent"] = (
            f'<iframe width="800" height="500" src="https://www.youtube.com/embed/{video_id}"'
            " allowfullscreen></iframe>"
        )
    else:
        mapping["originalUrl"] = url
        mapping["webUrl"] = url
        if rng.random() < 0.3:
            mapping["ampWebUrl"] = url + "?amp"
            mapping["cdnAmpWebUrl"] = "https://amp.cdn.example/c/s/" + url[8:] + "?amp"
        mapping["type"] = "article"
        quality = rng.randrange(0, 214)
        mapping["quality"] = quality
        mapping["heat"] = -1 if rng.random() < 0.2 else quality
        mapping["published"] = rng.random() < 0.45
    mapping["provider"] = _provider(rng, logos=True)
    mapping["topics"] = rng.sample(TOPICS, rng.randrange(1, 6))
    if rng.random() < 0.85:
        mapping["images"] = [_image(rng, slug, rng.choice([True, False, None]))]
    related_count = rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 8, 12])
    related = []
    for r in range(related_count):
        related_url = f"https://www.outlet{rng.randrange(800)}.example/{n}/{r}/" + "-".join(
            rng.choice(WORDS) for _ in range(6)
        )
        item = {
            "title": _sentence(rng, rng.randrange(6, 14)),
            "excerpt": _sentence(rng, rng.randrange(20, 40)) + " ...",
            "publishedDateTime": published - timedelta(hours=rng.randrange(1, 96)),
            "webUrl": related_url,
            "type": "article",
            "provider": _provider(rng, logos=False),
            "quality": rng.randrange(0, 100),
        }
        if rng.random() < 0.4:
            item["ampWebUrl"] = related_url + "?amp"
            item["cdnAmpWebUrl"] = "https://amp.cdn.example/c/s/" + related_url[8:]
        if rng.random() < 0.9:
            item["images"] = [_image(rng, f"{slug}-{r}", True)]
        related.append(item)
    if related:
        mapping["related"] = related
    mapping["secured"] = "".join(rng.choice("ABCDEFabcdef0123456789+/") for _ in range(344)) + (
        "=;XHz/zEtnGkPOVlcaA/YE2Q=="
    )
    return mapping


def seed_file_text(n: int) -> str:
    front = yaml.dump(
        seed_mapping(n), Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False, width=10**6
    )
    return f"---\n{front}---\n"


def seed_file_names(count: int, start: int = 0) -> Iterator[tuple[int, str]]:
    """(number, relative path) of files `start` to `start + count - 1`: a hundred files per
    folder, like `_news/`."""
    for n in range(start, start + count):
        yield n, f"{n // 100:05d}/{n:07d}-story.md"


def write_seed_files(folder: Path | str, count: int, start: int = 0) -> int:
    """Write synthetic seed files `start` to `start + count - 1` under `folder` (streamed:
    nothing is held); returns their total size in bytes."""
    folder = Path(folder)
    total = 0
    for n, name in seed_file_names(count, start):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        total += path.write_bytes(seed_file_text(n).encode())
    return total
