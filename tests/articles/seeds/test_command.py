"""`manage.py import_seeds`: output, exit codes, the run record."""

import logging
from io import StringIO

import pytest

from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article, ImportRun

from .builders import write_seed

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_seeds", *map(str, args), stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue() + str(error)
    except SystemExit as exit:
        return exit.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_a_clean_run_exits_0_with_a_one_line_summary(tmp_path):
    write_seed(tmp_path, "a.md")
    code, out, err = run(tmp_path)
    assert code == 0
    assert err == ""
    lines = out.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("1 created, 0 updated, 0 unchanged, 0 rejected, 0 warnings")
    assert "; 1 file in " in lines[0]  # not "1 files"
    assert "files/s" in lines[0]
    assert "\r" not in out  # no progress bar when stdout is not a terminal


def test_rejected_files_are_listed_counted_and_the_exit_code_is_1(tmp_path):
    """Rejections are listed, then counted in a line of their own; the summary is still the
    last line; the exit status says it, without an error message of Django's."""
    write_seed(tmp_path, "a.md")
    bad = write_seed(tmp_path, "bad.md", b"---\ntitle: x\n")
    code, out, err = run(tmp_path)
    assert code == 1
    assert err.splitlines() == [
        f"rejected {bad}: the front matter has no closing '---' line",
        "1 file rejected (listed above).",
    ]
    assert out.splitlines()[-1].startswith("1 created, 0 updated, 0 unchanged, 1 rejected")
    assert "CommandError" not in out + err
    assert Article.objects.count() == 1
    assert ImportRun.objects.get().rejected == 1


def test_beyond_the_listed_rejections_the_count_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr("articles.seeds.load.MAX_LISTED", 2)
    for n in range(3):
        write_seed(tmp_path, f"bad{n}.md", b"nothing")
    code, _, err = run(tmp_path)
    assert code == 1
    assert err.splitlines()[-1] == "3 files rejected (the first 2 listed above)."


def test_warnings_are_counted_with_a_word_on_what_they_are(tmp_path):
    """One warning is "1 warning"; without -v 2 a line says what warnings are and where they
    are listed; with it each is listed with its file."""
    path = write_seed(tmp_path, "a.md", quality="high")
    code, out, _ = run(tmp_path)
    lines = out.splitlines()
    assert code == 0
    assert "0 rejected, 1 warning, 0 with" in lines[-1]
    assert lines[0].startswith("Warnings are values dropped or cleaned")
    assert "-v 2 lists the 1, as does the run's admin page" in lines[0]
    _, verbose, _ = run(tmp_path, "-v", "2", "--force")
    assert f"warning {path}: ignored quality: 'high' is not a usable integer" in verbose


def test_a_missing_path_is_a_usage_error_with_exit_code_2(tmp_path):
    code, _, err = run(tmp_path / "nowhere")
    assert code == 2
    assert "no such file or folder" in err
    assert not ImportRun.objects.exists()


def test_quiet_prints_only_errors_and_dry_run_writes_nothing(tmp_path):
    write_seed(tmp_path, "a.md")
    code, out, _ = run(tmp_path, "--quiet", "--dry-run")
    assert (code, out) == (0, "")
    assert not Article.objects.exists()


def test_editor_changes_kept_are_reported(tmp_path):
    path = write_seed(tmp_path, "a.md")
    run(path)
    Article.objects.update(title="Mine", edited_fields=["title"])
    write_seed(tmp_path, "a.md", title="Theirs")
    code, out, _ = run(path)
    assert code == 0
    assert f"kept editor changes to title: {path}" in out
    assert Article.objects.get().title == "Mine"


class _Terminal(StringIO):
    def isatty(self):
        return True


def test_on_a_terminal_each_rejection_is_written_once_not_logged_too(tmp_path, caplog):
    write_seed(tmp_path, "a.md")
    bad = write_seed(tmp_path, "bad.md", b"---\ntitle: x\n")
    out, err = _Terminal(), StringIO()
    with caplog.at_level(logging.INFO, logger="articles.seeds"), pytest.raises(SystemExit):
        call_command("import_seeds", str(tmp_path), stdout=out, stderr=err)
    assert err.getvalue().count(f"rejected {bad}") == 1
    assert "1 created" in out.getvalue()
    assert "import_seeds" not in caplog.text  # the scheduled run's log events (test_logging)
