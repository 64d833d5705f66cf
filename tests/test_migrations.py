"""Migrations are frozen: each holds its own copy of whatever code of ours it needs (an
expression, a class, SQL), so editing the live code never changes what an old migration does,
and the models still need no migration that is not written."""

import ast
from io import StringIO
from pathlib import Path

import pytest

from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

ROOT = Path(__file__).resolve().parent.parent
# Our code: every package at the top of the project (the apps, `newsroom`, `tests`, ...).
OUR_PACKAGES = {init.parent.name for init in ROOT.glob("*/__init__.py")}
OUR_APPS = [config for config in apps.get_app_configs() if Path(config.path).parent == ROOT]
MIGRATION_FILES = sorted(
    path
    for config in OUR_APPS
    for path in (Path(config.path) / "migrations").glob("*.py")
    if path.name != "__init__.py"
)


def imported_modules(tree: ast.Module):
    """Every module a migration imports: `import`, `from ... import` (a relative import is
    ours by definition) and `import_module("...")` / `__import__("...")` with a literal name."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield "." * node.level + (node.module or "")
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None))
            in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            yield node.args[0].value


def test_our_apps_have_migrations():
    assert {config.label for config in OUR_APPS} >= {"articles", "providers"}
    assert len(MIGRATION_FILES) >= 10


@pytest.mark.parametrize("path", MIGRATION_FILES, ids=lambda path: path.stem)
def test_no_migration_imports_our_live_code(path):
    """Django, its contrib apps and third-party packages (taggit) only."""
    ours = [
        module
        for module in imported_modules(ast.parse(path.read_text(), filename=str(path)))
        if module.startswith(".") or module.split(".")[0] in OUR_PACKAGES
    ]
    assert ours == [], f"{path.name} imports live code; copy what it needs into it"


def test_the_check_sees_each_kind_of_import():
    tree = ast.parse(
        "import articles.models\n"
        "from providers.models import Provider\n"
        "from ..models import Rank\n"
        "from django.db import migrations\n"
        "import taggit.managers\n"
        "importlib.import_module('articles.seeds')\n"
    )
    assert list(imported_modules(tree)) == [
        "articles.models",
        "providers.models",
        "..models",
        "django.db",
        "taggit.managers",
        "articles.seeds",
    ]


@pytest.mark.django_db
def test_the_models_need_no_new_migration():
    """Also what holds the migrations' frozen copies of `articles.models.Rank` equal to it: an
    index on a Rank that writes other SQL would be a change."""
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_the_migrations_build_each_index_as_the_models_declare_it():
    """Compiled for this database: what a table rebuild or a fresh database gets from the
    migrations' state is the SQL the live models would write."""
    state = MigrationLoader(connection).project_state().apps
    editor = connection.schema_editor()
    compared = 0
    for config in OUR_APPS:
        for model in config.get_models():
            frozen = state.get_model(model._meta.app_label, model._meta.model_name)
            frozen_indexes = {index.name: index for index in frozen._meta.indexes}
            assert set(frozen_indexes) == {index.name for index in model._meta.indexes}
            for index in model._meta.indexes:
                live_sql = str(index.create_sql(model, editor))
                assert str(frozen_indexes[index.name].create_sql(frozen, editor)) == live_sql
                compared += 1
    assert compared >= 10
