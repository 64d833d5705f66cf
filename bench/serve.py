"""Serving benchmark (not a test; README "Performance"): the site under gunicorn, configured as
README "Deploying" recommends, driven by wrk over the public pages, each measured against a
ceiling from the same server in the same run.

    .venv/bin/python bench/serve.py                  # SQLite in var/serve/, local-memory cache
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_serve \\
    CACHE_URL=redis://127.0.0.1:6379/8 .venv/bin/python bench/serve.py
                                                     # a dedicated PostgreSQL database (flushed!)

The database holds the real seed files plus `--generated` (10,000) articles from
`bench/generate.py`, imported with `import_seeds`; the SQLite one is kept in `var/serve/` for
later runs (`--fresh` rebuilds it). Each page is measured twice with `wrk` (Debian's:
`apt-get install -y wrk`): *uncached*, as an editor gets it (a stored session's cookie bypasses
the page cache), against `/__ceiling__/cards`; and *cached*, as a reader gets it, against
`/__ceiling__/hello` (`bench/urls.py`, mounted through `bench/settings.py` only). Page and
ceiling run back to back in `--rounds` short rounds, and the median round's ratio is the
figure (`versus`). Prints requests/s, p50 and p99 per page and the ratios; exits 1 on any
non-2xx answer or socket error. Only 127.0.0.1 is ever targeted.
"""

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import write_seed_files  # noqa: E402

WORK = ROOT / "var" / "serve"
HOST = "127.0.0.1"
PY = sys.executable
UNCACHED_TARGET = 0.50
CACHED_TARGET = 0.70
# A stored session, as an editor has: the page cache serves nobody with one (the page cache
# looks the session up; no public page reads it).
SESSION_SCRIPT = """
from importlib import import_module
from django.conf import settings
session = import_module(settings.SESSION_ENGINE).SessionStore()
session.create()
print(settings.SESSION_COOKIE_NAME, session.session_key)
"""
# A connection per request, as the reverse proxy of README "Deploying" opens them (nginx's
# default). Kept-alive connections stay with the worker that took them, and gthread workers
# take them first come: with wrk's 16 opened at once, one worker of the two held all of them in
# about half of the runs (per-worker CPU from /proc), the other idled, and the server answered
# half as many requests, whatever the page.
NEW_CONNECTION = "Connection: close"


def gunicorn_command(port: int) -> list[str]:
    """README "Deploying": gthread, 2 workers x 4 threads on this 2-core machine."""
    return [
        str(Path(PY).parent / "gunicorn"),
        "newsroom.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--worker-class",
        "gthread",
        "--workers",
        "2",
        "--threads",
        "4",
        "--preload",
        "--max-requests",
        "5000",
        "--max-requests-jitter",
        "500",
        "--timeout",
        "30",
        "--graceful-timeout",
        "30",
        "--forwarded-allow-ips",
        "",
        "--access-logfile",
        str(WORK / "access.log"),
        "--error-logfile",
        str(WORK / "gunicorn.log"),
    ]


def environment() -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": "serve-bench-" + secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": HOST,
        "STATIC_ROOT": str(WORK / "static"),
        "CONTENT_VERSION_DIR": str(WORK / "content-version"),
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
        "PYTHONPATH": str(ROOT),
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{WORK / 'serve.sqlite3'}")
    return env


def manage(env, *args, check=True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if check and result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result


def build_database(env, generated: int, fresh: bool) -> None:
    sqlite = env["DATABASE_URL"].startswith("sqlite")
    marker = WORK / f"built-{generated}"
    if sqlite and marker.exists() and not fresh:
        print(f"database: reusing {env['DATABASE_URL']}")
        manage(env, "migrate", "--no-input", "-v0")
        return
    if sqlite:
        for path in WORK.glob("serve.sqlite3*"):
            path.unlink()
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "flush", "--no-input", "-v0")
    folder = WORK / "generated"
    shutil.rmtree(folder, ignore_errors=True)
    write_seed_files(folder, generated)
    started = time.perf_counter()
    # A few real files are rejected on purpose (exit 1): the rest is imported.
    result = manage(env, "import_seeds", "fixtures/seeds", str(folder), "--quiet", check=False)
    print(
        f"database: real seed files + {generated:,} generated, imported in "
        f"{time.perf_counter() - started:.0f} s (exit {result.returncode}: 4 real files are "
        "rejected on purpose)"
    )
    shutil.rmtree(folder)
    if not sqlite:
        manage(env, "dbshell", "--", "-c", "ANALYZE")
    marker.touch()


PAGES_SCRIPT = """
from django.db.models import Count
from articles.models import Article
stories = Article.objects.published().ranked()
story = stories.annotate(n=Count("related_links")).filter(n__gte=10).first()
top = stories.filter(topics__isnull=False).first()
print(story.get_absolute_url())
print(top.topics.order_by("pk").first().get_absolute_url())
print(top.provider.get_absolute_url())
"""


def pages(env) -> list[tuple[str, str]]:
    out = manage(env, "shell", "--no-imports", "-c", PAGES_SCRIPT).stdout.split()
    article, topic, provider = out[-3:]
    return [
        ("front page", "/"),
        ("front page, page 5", "/?page=5"),
        ("article (10+ related)", article),
        ("topic", topic),
        ("provider", provider),
        ("search", "/search/?q=cloud+data"),
        ("RSS feed", "/feed/"),
        ("sitemap index", "/sitemap.xml"),
        ("sitemap, 1,000 stories", "/sitemap-articles.xml"),
    ]


def editor_cookie(env) -> str:
    """A Cookie header naming a new stored session."""
    name, key = manage(env, "shell", "--no-imports", "-c", SESSION_SCRIPT).stdout.split()[-2:]
    return f"Cookie: {name}={key}"


def wrk(url: str, args, header: str = "") -> dict:
    command = ["wrk", "--latency", "-t", str(args.threads), "-c", str(args.connections)]
    command += ["-d", args.duration, "--timeout", "10s", "-H", NEW_CONNECTION]
    if header:
        command += ["-H", header]
    out = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": milliseconds(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        "p99": milliseconds(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
        "errors": (int(non2xx.group(1)) if non2xx else 0)
        + (sum(map(int, errors.groups())) if errors else 0),
    }


def milliseconds(latency: str) -> float:
    """wrk's latency ("812.00us", "40.03ms", "1.57s", "2.00m") in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", latency).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def warm(url: str, header: str = "") -> None:
    for _ in range(10):
        request = urllib.request.Request(url)  # noqa: S310 - always http://127.0.0.1
        if header:
            name, value = header.split(": ", 1)
            request.add_header(name, value)
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()


def versus(url: str, ceiling: str, args, header: str = "") -> dict:
    """`url` against `ceiling` in `args.rounds` interleaved rounds: each round runs both, one
    right after the other (in turn ceiling first, then page first, so that a machine speeding
    up or slowing down during the pair favours neither), and gives one ratio. The median round
    is the figure: the speed of this shared machine swings by 2x within minutes, and a single
    pair of runs caught in a swing says nothing about the page."""
    warm(ceiling)
    warm(url, header)
    rounds = []
    for number in range(args.rounds):
        if number % 2:
            page = wrk(url, args, header)
            top = wrk(ceiling, args)
        else:
            top = wrk(ceiling, args)
            page = wrk(url, args, header)
        rounds.append((page["rps"] / top["rps"], page, top))
    rounds.sort(key=lambda round_: round_[0])
    ratio, page, top = rounds[len(rounds) // 2]
    return {
        "ratio": ratio,
        "spread": (rounds[0][0], rounds[-1][0]),
        "page": page,
        "ceiling": top,
        "errors": sum(run["errors"] for _, *runs in rounds for run in runs),
    }


def columns(measured: dict) -> tuple[str, ...]:
    page, ceiling = measured["page"], measured["ceiling"]
    low, high = measured["spread"]
    return (
        f"{page['rps']:.0f}",
        f"{page['p50']:.0f}/{page['p99']:.0f}",
        f"{ceiling['rps']:.0f}",
        f"{measured['ratio']:.0%}",
        f"{low:.0%}-{high:.0%}",
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5, help="rounds per page and ceiling")
    parser.add_argument("--duration", default="2s", help="of each wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--fresh", action="store_true", help="rebuild the SQLite database")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    WORK.mkdir(parents=True, exist_ok=True)
    env = environment()
    build_database(env, args.generated, args.fresh)
    manage(env, "collectstatic", "--no-input", "-v0")
    targets = pages(env)
    editor = editor_cookie(env)
    cache = env.get("CACHE_URL", "local memory")
    print(
        f"gunicorn gthread 2x4 on {HOST}:{args.port}; {env['DATABASE_URL'].split('@')[-1]}; "
        f"cache {cache}; wrk -t{args.threads} -c{args.connections} -d{args.duration}, "
        f"{args.rounds} rounds per page and ceiling"
    )
    server = subprocess.Popen(gunicorn_command(args.port), cwd=ROOT, env=env)
    base = f"http://{HOST}:{args.port}"
    failed = False
    try:
        for _ in range(100):
            try:
                warm(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.2)
        row = "{:<24} {:>8} {:>11} {:>6} {:>6} {:>11} {:>8} {:>11} {:>6} {:>6} {:>11} {:>6}"
        print(
            row.format(
                "page",
                "uncached",
                "p50/p99 ms",
                "cards",
                "ratio",
                "spread",
                "cached",
                "p50/p99 ms",
                "hello",
                "ratio",
                "spread",
                "errors",
            )
        )
        for name, path in targets:
            url = base + path
            fresh = versus(url, f"{base}/__ceiling__/cards", args, editor)
            cached = versus(url, f"{base}/__ceiling__/hello", args)
            errors = fresh["errors"] + cached["errors"]
            failed |= errors > 0
            print(row.format(name, *columns(fresh), *columns(cached), errors), flush=True)
        print(
            f"targets: uncached >= {UNCACHED_TARGET:.0%} of cards, cached >= "
            f"{CACHED_TARGET:.0%} of hello (front page and article page); zero errors. Each "
            f"figure is the median of {args.rounds} rounds of page and ceiling back to back "
            "(the round's own figures); spread: the lowest and highest round"
        )
    finally:
        server.terminate()
        server.wait(timeout=60)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
