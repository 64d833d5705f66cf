"""Does a page's cost stay flat as the archive grows? (Not a test; README "Performance".)

    .venv/bin/python bench/scale.py                       # SQLite: 10,000 and 100,000 articles
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_scale .venv/bin/python bench/scale.py
                                                          # PostgreSQL: newsroom_scale_10000 and
                                                          # newsroom_scale_100000 (created, and
                                                          # flushed when built)

For each size, the articles come from `bench/generate.py` through `import_seeds`, into a
database of its own that is kept for later runs (SQLite in `var/bench/`; on PostgreSQL, beside
the one `DATABASE_URL` names; `--fresh` rebuilds them). Then, in one process per size, Django's
test client opens each page as the page cache's miss path does (a stored session, as an
editor's, bypasses the page cache; listing counts and the dashboard's stay cached): the front
page, a deep page (page 100), a topic page, an outlet's page, an article page (its "more on"
list reads its first topic), search, and the admin changelist and dashboard as a superuser, each
the median of 7 runs. The two sizes are measured in turn, `--rounds` times (the speed of a
shared machine drifts between two processes a minute apart); a page's growth is the median of
its rounds' growths, against the 1.5x target.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = (10_000, 100_000)
GROWTH_TARGET = 1.5
REPEAT = 7
WARM = 6
OUTLET_STORIES = 24
SETTINGS = {
    "SECRET_KEY": "bench-only-" + "x" * 50,
    "DEBUG": "false",
    "ALLOWED_HOSTS": "testserver",
    "LOG_LEVEL": "WARNING",
    "PAGE_CACHE_SECONDS": "60",
    "DJANGO_SETTINGS_MODULE": "tests.settings",
}


def postgresql_url(size: int) -> str:
    """The URL of the PostgreSQL database holding `size` articles: `DATABASE_URL`'s, with the
    size after its name."""
    base, name = os.environ["DATABASE_URL"].rsplit("/", 1)
    return f"{base}/{name}_{size}"


def build_postgresql(env: dict, articles: int, fresh: bool) -> None:
    """Create the database of `env` if need be, and fill it with `articles` generated articles
    unless it holds them already (or `fresh`)."""
    import psycopg

    from bench.generate import write_seed_files

    base, name = env["DATABASE_URL"].rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as server:
        if not server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            server.execute(f'CREATE DATABASE "{name}"')
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], **run)
    with psycopg.connect(env["DATABASE_URL"]) as database:
        held = database.execute("SELECT count(*) FROM articles_article").fetchone()[0]
    if held >= articles and not fresh:
        return
    subprocess.run([sys.executable, "manage.py", "flush", "--no-input", "-v0"], **run)
    folder = ROOT / "var" / "bench" / "scale-seeds"
    subprocess.run(["rm", "-rf", str(folder)], check=True)
    write_seed_files(folder, articles)
    subprocess.run([sys.executable, "manage.py", "import_seeds", str(folder), "--quiet"], **run)
    subprocess.run([sys.executable, "manage.py", "dbshell", "--", "-c", "VACUUM ANALYZE"], **run)
    subprocess.run(["rm", "-rf", str(folder)], check=True)


def measure_here() -> dict[str, float]:
    """In this process (DATABASE_URL set): the median milliseconds of each page."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client

    from articles.models import Article
    from providers.models import Provider

    top = Article.objects.published().ranked().filter(topics__isnull=False).first()
    topic = top.topics.order_by("pk").first()
    # The outlet with the nearest to a page (24) of published stories: 13 cards at 10,000 (the
    # generator's busiest outlets), a full page at 100,000.
    counts = Article.objects.published().values_list("provider").annotate(n=Count("pk"))
    nearest = min(counts.order_by("provider"), key=lambda row: abs(row[1] - OUTLET_STORIES))
    outlet = Provider.objects.get(pk=nearest[0])
    user, _ = get_user_model().objects.get_or_create(
        username="scale-bench", defaults={"is_staff": True, "is_superuser": True}
    )
    reader, editor = Client(), Client()
    editor.force_login(user)
    # A stored session, as an editor's: the page cache serves nobody with one.
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session.create()
    reader.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    pages = {
        "front page": (reader, "/"),
        "deep page (100)": (reader, "/?page=100"),
        "topic page": (reader, topic.get_absolute_url()),
        "provider page": (reader, outlet.get_absolute_url()),
        "article page": (reader, top.get_absolute_url()),
        "search": (reader, "/search/?q=cloud+data"),
        "admin changelist": (editor, "/admin/articles/article/"),
        "admin dashboard": (editor, "/admin/"),
    }
    times = {}
    for name, (client, url) in pages.items():
        # Warm, as a server that has been up a while is: on PostgreSQL a statement is prepared
        # on its sixth run on a connection (settings: DATABASE_PREPARED_STATEMENTS).
        for _ in range(WARM):
            client.get(url)
        runs = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            response = client.get(url)
            runs.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        times[name] = statistics.median(runs)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--fresh", action="store_true", help="rebuild the databases")
    parser.add_argument("--rounds", type=int, default=5, help="measurements of each size")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure_here()))
        return
    postgresql = os.environ.get("DATABASE_URL", "").startswith("postgres")
    environments = {}
    for size in SIZES:
        env = {**os.environ, **SETTINGS, "PYTHONPATH": str(ROOT)}
        if postgresql:
            env["DATABASE_URL"] = postgresql_url(size)
            build_postgresql(env, size, args.fresh)
        else:
            from bench.admin_changelist import build_database

            path = ROOT / "var" / "bench" / f"scale-{size}.sqlite3"
            env["DATABASE_URL"] = f"sqlite:///{path}"
            if args.fresh or not path.exists():
                build_database(path, size)
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
            )
        environments[size] = env
    rounds = []
    for number in range(args.rounds):
        # In turn the small size first, then the large one first.
        order = SIZES if number % 2 == 0 else SIZES[::-1]
        rounds.append({size: measure(size, environments[size]) for size in order})
    small, large = SIZES
    database = "PostgreSQL" if postgresql else "SQLite"
    print(f"{database}, median of {REPEAT} per round, median of {args.rounds} rounds, ms")
    print(f"{'page':<20} {small:>10,} {large:>10,} {'growth':>8} {'rounds':>16}")
    worst = 0.0
    for name in rounds[0][small]:
        growths = sorted(round_[large][name] / round_[small][name] for round_ in rounds)
        growth = statistics.median(growths)
        worst = max(worst, growth)
        print(
            f"{name:<20} {statistics.median(r[small][name] for r in rounds):>10.1f} "
            f"{statistics.median(r[large][name] for r in rounds):>10.1f} {growth:>7.2f}x "
            f"{growths[0]:>7.2f}-{growths[-1]:.2f}x"
        )
    print(f"worst growth {worst:.2f}x (target <= {GROWTH_TARGET}x)")


def measure(size: int, env: dict) -> dict[str, float]:
    """Each page's median milliseconds on the `size` database, in a process of its own."""
    out = subprocess.run(
        [sys.executable, __file__, "--measure", str(size)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
