"""How fast `import_seeds` runs, against the ceiling of parsing the same files with
`yaml.CSafeLoader` alone, measured in the same run.

    .venv/bin/python bench/import_rate.py                  # 10,000 generated files, SQLite
    .venv/bin/python bench/import_rate.py --files 100000   # the memory target
    .venv/bin/python bench/import_rate.py --real           # fixtures/seeds
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom .venv/bin/python bench/import_rate.py

For each database (SQLite; PostgreSQL too when DATABASE_URL is set, in a fresh `<name>_bench`
database) it imports into a fresh database, imports again (unchanged files), counts the queries
per new file on 1,000 more files, and prints the rates, their ratios to the ceiling, and the
importer's peak memory. Targets: import >= 35% of the ceiling, unchanged re-import >= 150%.
"""

import argparse
import contextlib
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import write_seed_files  # noqa: E402

FRONT_MATTER = re.compile(rb"\A(?:\xef\xbb\xbf)?---\r?\n(.*?)^---[ \t]*\r?$", re.DOTALL | re.M)
IMPORT_TARGET, REIMPORT_TARGET = 0.35, 1.50
QUERY_SAMPLE = 1000


def parse_ceiling(paths: list[str]) -> float:
    """Files per second for reading each file and parsing its front matter with CSafeLoader."""
    started = time.perf_counter()
    for path in paths:
        with open(path, "rb") as file:
            match = FRONT_MATTER.match(file.read())
        if match:
            with contextlib.suppress(yaml.YAMLError):
                yaml.load(match.group(1), Loader=yaml.CSafeLoader)
    return len(paths) / (time.perf_counter() - started)


def manage(database_url: str, *args: str) -> tuple[float, str]:
    """Run manage.py; return (wall seconds, stdout)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1):
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return elapsed, result.stdout


def import_seconds(summary: str) -> float:
    return float(re.search(r"files in ([\d.]+) s", summary).group(1))


def children_peak_mb() -> float:
    """The largest resident memory of any finished child process so far (ru_maxrss is in KB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def fresh_databases(folder: Path) -> list[tuple[str, str]]:
    databases = [("SQLite", f"sqlite:///{folder / 'bench.sqlite3'}")]
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        name = parts.path.lstrip("/") + "_bench"
        admin = urlunsplit(parts._replace(path="/postgres"))
        for statement in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
            subprocess.run(["psql", admin, "-qc", statement], check=True)
        databases.append(("PostgreSQL", urlunsplit(parts._replace(path=f"/{name}"))))
    return databases


QUERY_COUNT = """
from django.db import connection
from django.test.utils import CaptureQueriesContext
from articles.seeds import import_paths
with CaptureQueriesContext(connection) as queries:
    report = import_paths([{folder!r}])
print(len(queries), report.created)
"""


def measure(label: str, database_url: str, seeds: Path, extra: Path, files: int, ceiling: float):
    manage(database_url, "migrate", "--no-input", "-v", "0")
    first_wall, summary = manage(database_url, "import_seeds", str(seeds))
    peak = children_peak_mb()
    second_wall, summary_again = manage(database_url, "import_seeds", str(seeds))
    # The command's own timing (as in its summary line): the ceiling does not count starting
    # Python and Django either (about 0.4 s, printed as the wall-clock time).
    first, second = import_seconds(summary), import_seconds(summary_again)
    _, counted = manage(database_url, "shell", "-c", QUERY_COUNT.format(folder=str(extra)))
    queries, created = map(int, counted.split()[-2:])
    import_rate, reimport_rate = files / first, files / second
    print(f"\n{label}: {summary.strip().splitlines()[-1]}")
    print(f"  wall clock with start-up: import {first_wall:.2f} s, re-import {second_wall:.2f} s")
    for name, rate, target in (
        ("import", import_rate, IMPORT_TARGET),
        ("re-import", reimport_rate, REIMPORT_TARGET),
    ):
        print(
            f"  {name:<16} {rate:8,.0f} files/s  {rate / ceiling:6.0%} of ceiling"
            f"  (target {target:.0%}: {'met' if rate / ceiling >= target else 'MISSED'})"
        )
    print(f"  queries per new file {queries / created:.2f} ({queries} for {created} files)")
    print(f"  peak memory      {peak:8.0f} MB (largest child process so far: the import)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--real", action="store_true", help="use fixtures/seeds instead")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsroom-bench-") as tmp:
        folder = Path(tmp)
        extra = folder / "extra"  # new files for the query count
        write_seed_files(extra, QUERY_SAMPLE, start=arguments.files)
        seeds = folder / "seeds"
        if arguments.real:
            seeds = ROOT / "fixtures" / "seeds"
        else:
            write_seed_files(seeds, arguments.files)
        paths = sorted(str(p) for p in seeds.rglob("*") if p.is_file())
        ceiling = parse_ceiling(paths)
        size = sum(os.path.getsize(p) for p in paths) / len(paths)
        print(
            f"{len(paths):,} files of {size / 1024:.1f} KB on average"
            f" ({'real' if arguments.real else 'generated'})"
        )
        print(f"parse ceiling (CSafeLoader alone, one process): {ceiling:,.0f} files/s")
        for label, url in fresh_databases(folder):
            measure(label, url, seeds, extra, len(paths), ceiling)


if __name__ == "__main__":
    main()
