"""How fast the editors' articles changelist answers with 100,000 articles (SQLite).

    .venv/bin/python bench/admin_changelist.py                    # 100,000 articles
    .venv/bin/python bench/admin_changelist.py --articles 20000   # a quicker look
    .venv/bin/python bench/admin_changelist.py --fresh            # rebuild the database

The first run writes the synthetic seed files of `bench/generate.py` to a temporary folder
and imports them with `import_seeds` (the importer's bulk path) into
`var/bench/admin-<N>.sqlite3`, kept for later runs. Then, in this process, a logged-in
superuser opens each page with Django's test client: once to warm up, then `--repeat` times.
For each page it prints the median time against the 300 ms target, the number of queries, and
the time of those same queries run alone on the database (the ceiling: what the page would
cost if Django took no time at all), with the page's ratio to it.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import write_seed_files  # noqa: E402

TARGET_MS = 300.0
MAX_QUERIES = 12
SETTINGS = {
    "SECRET_KEY": "bench-only-" + "x" * 50,
    "DEBUG": "false",
    "ALLOWED_HOSTS": "testserver",
    "LOG_LEVEL": "WARNING",
}


def build_database(path: Path, articles: int) -> None:
    """A fresh SQLite database holding `articles` generated articles."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    env = {**os.environ, **SETTINGS, "DATABASE_URL": f"sqlite:///{path}"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    with tempfile.TemporaryDirectory(prefix="newsroom-bench-") as folder:
        started = time.perf_counter()
        write_seed_files(folder, articles)
        print(f"wrote {articles:,} seed files in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "manage.py", "import_seeds", folder, "--quiet"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise SystemExit(f"import_seeds failed:\n{result.stdout}{result.stderr}")
        print(f"imported them in {time.perf_counter() - started:.0f} s")


def setup_django(path: Path) -> None:
    # The test settings: the project's, with static files served unhashed (no collectstatic).
    os.environ.update(
        SETTINGS, DATABASE_URL=f"sqlite:///{path}", DJANGO_SETTINGS_MODULE="tests.settings"
    )
    import django

    django.setup()


def pages() -> list[tuple[str, str]]:
    from articles.models import Article, Topic

    provider_id = Article.objects.order_by("pk").values_list("provider_id", flat=True).first()
    topic = Topic.objects.get(name="AI")
    changelist = "/admin/articles/article/"
    return [
        ("changelist", changelist),
        (
            "filtered (provider, published)",
            f"{changelist}?provider__id__exact={provider_id}&is_published__exact=1",
        ),
        ("filtered (topic, live now)", f"{changelist}?topics__id__exact={topic.pk}&schedule=live"),
        ("search", f"{changelist}?q=vaccine"),
        ("search, two words", f"{changelist}?q=robot+privacy"),
    ]


def measure(client, url: str, repeat: int):
    """(median page ms, queries, median ms of the same queries run alone)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    statements = [query["sql"] for query in captured.captured_queries]
    page, alone = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        page.append(time.perf_counter() - started)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()
        alone.append(time.perf_counter() - started)
    return statistics.median(page) * 1000, len(statements), statistics.median(alone) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fresh", action="store_true", help="rebuild the database")
    options = parser.parse_args()

    path = ROOT / "var" / "bench" / f"admin-{options.articles}.sqlite3"
    if options.fresh or not path.exists():
        build_database(path, options.articles)
    setup_django(path)

    from django.contrib.auth import get_user_model
    from django.test import Client

    from articles.models import Article

    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    print(f"{Article.objects.count():,} articles, SQLite; median of {options.repeat} runs")
    print(
        f"{'page':34} {'time':>9} {'target':>8} {'queries':>8} {'queries alone':>14} {'ratio':>6}"
    )
    failed = False
    for label, url in pages():
        page_ms, queries, alone_ms = measure(client, url, options.repeat)
        ok = page_ms <= TARGET_MS and queries <= MAX_QUERIES
        failed |= not ok
        print(
            f"{label:34} {page_ms:7.0f} ms {TARGET_MS:5.0f} ms {queries:8d} "
            f"{alone_ms:11.0f} ms {page_ms / alone_ms:5.1f}x {'ok' if ok else 'OVER'}"
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
