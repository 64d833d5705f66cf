"""The layout's layering (docs/architecture.md "Wings"), read from the code's own imports: a new
import that breaks a rule fails here, naming the module and what it imported."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("articles", "providers", "newsroom")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """The modules `path` imports, relative imports resolved, at any depth (a function-level
    import counts as much as one at the top)."""
    package = module_name(path.parent)
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def our_modules() -> dict[str, set[str]]:
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[module_name(path)] = imported(path)
    return modules


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(f"{package}.")


# (modules the rule is about, packages they must not import, why)
RULES = [
    ("providers", ["articles"], "the outlet model stands alone"),
    ("newsroom", ["articles", "providers"], "the project imports apps only in its urls"),
    ("articles.seeds", ["articles.public", "articles.editing"], "the seed format serves both"),
    ("articles.images", ["articles.public", "articles.editing"], "pictures serve both"),
    ("articles.public", ["articles.editing"], "readers' pages know nothing of the admin"),
    (
        "articles.models",
        ["articles.public", "articles.editing", "articles.seeds", "articles.images"],
        "the ground floor imports no wing",
    ),
    (
        "articles.visibility",
        ["articles.public", "articles.editing", "articles.seeds", "articles.images"],
        "the ground floor imports no wing",
    ),
]
# Where the project meets its apps.
EXCEPTIONS = {"newsroom.urls"}


def breaks(modules: dict[str, set[str]], scope: str, forbidden: list[str]) -> list[str]:
    """ "module imports name" for each import in `modules` that `scope` may not make."""
    return sorted(
        f"{module} imports {name}"
        for module, names in modules.items()
        if within(module, scope) and module not in EXCEPTIONS
        for name in names
        if any(within(name, package) for package in forbidden)
    )


@pytest.mark.parametrize(("scope", "forbidden", "why"), RULES, ids=[rule[0] for rule in RULES])
def test_layering(scope, forbidden, why):
    found = breaks(our_modules(), scope, forbidden)
    assert not found, f"{scope} must not import {', '.join(forbidden)} ({why}): {found}"


def test_the_import_reader_sees_relative_imports():
    """The rules above rely on relative imports being resolved to their full names."""
    names = imported(ROOT / "articles" / "public" / "outlets.py")
    assert "articles.public.views" in names
    assert "providers.models" in names


def test_a_broken_rule_is_caught():
    """What a new import that breaks a rule looks like to `breaks`."""
    modules = {
        "providers.bad": {"articles.models"},
        "providers.models": {"django.db"},
        "newsroom.urls": {"articles.public.urls"},
        "newsroom.page_cache": {"articles.models"},
    }
    assert breaks(modules, "providers", ["articles"]) == ["providers.bad imports articles.models"]
    assert breaks(modules, "newsroom", ["articles"]) == [
        "newsroom.page_cache imports articles.models"
    ]
