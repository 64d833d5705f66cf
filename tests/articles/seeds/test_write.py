"""Writing articles back out as seed files."""

from io import StringIO

import pytest
import yaml

from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article
from articles.seeds import import_paths, mark_edited, read_seed

from .builders import write_seed

pytestmark = pytest.mark.django_db


def exported(folder) -> dict:
    (path,) = folder.iterdir()
    return read_seed(path.read_bytes(), name=path.name, max_bytes=10**6)


def test_export_writes_raw_text_unless_an_editor_changed_it(tmp_path):
    """The title and excerpt as the seed file wrote them go back out; an editor's version
    replaces them. `secured` and the `extra` keys are written too."""
    write_seed(
        tmp_path / "in",
        "a.md",
        title="AT&amp;T <b>news</b>",
        excerpt="Raw&#39;s excerpt ",
        tags=["US-CA"],
        featuredContent="<iframe></iframe>",
    )
    import_paths([tmp_path / "in"])
    call_command("export_seeds", str(tmp_path / "out"), stdout=StringIO())
    text = next((tmp_path / "out").iterdir()).read_text()
    mapping = yaml.safe_load(text.split("---\n")[1])
    assert mapping["title"] == "AT&amp;T <b>news</b>"
    assert mapping["secured"] == "c2VjcmV0;aXY="
    assert mapping["tags"] == ["US-CA"]
    assert mapping["featuredContent"] == "<iframe></iframe>"

    article = Article.objects.get()
    article.title = "Edited"
    mark_edited(article, ["title"])
    article.save()
    call_command("export_seeds", str(tmp_path / "again"), stdout=StringIO())
    record = exported(tmp_path / "again")
    assert record.title == "Edited"
    assert record.excerpt == "Raw's excerpt"
    assert record.raw == {"excerpt": "Raw&#39;s excerpt "}


def test_export_into_a_file_is_a_usage_error(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(CommandError) as caught:
        call_command("export_seeds", str(target), stdout=StringIO())
    assert caught.value.returncode == 2
