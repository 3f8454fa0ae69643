"""The shape of the code: the statistical cores stay free of Flask and the database, every
feature has the same files, nothing imports upward, and views reach the database only
through their feature's queries and services."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Feature folders and the name of their templates folder.
FEATURES = {"surveys/auth": "auth", "surveys/survey": "survey", "surveys/runs": "runs",
            "surveys/followup": "followup", "surveys/accessibility": "accessibility",
            "surveys/fieldwork": "fieldwork",
            "surveys/actions": "actions",
            "dialog": "dialog", "surveys/themes": "themes"}
#: Modules above the features: they may import everything, nothing imports them.
APP = ("surveys.app", "surveys.cli", "surveys.demo", "surveys.wsgi", "surveys._build")


def imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth of the file (function-level imports too)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    return found


def modules(folder: str):
    for path in sorted((ROOT / folder).rglob("*.py")):
        yield ".".join(path.relative_to(ROOT).with_suffix("").parts), path


#: The Flask-free cores: the statistics, the samples and the file formats.
STATISTICAL_CORE = [
    "surveys.weighting", "surveys.indicators", "surveys.runs.microdata", "surveys.runs.syntax",
    "surveys.survey.stats",
    "surveys.survey.codebook", "dialog.opinion", "dialog.polis_import", "dialog.ages",
    "surveys.fieldwork.sampling", "surveys.fieldwork.aapor", "surveys.fieldwork.figures",
    "surveys.fieldwork.frame_file", "surveys.fieldwork.codes", "surveys.fieldwork.export",
    "surveys.core.jsonstat", "surveys.runs.jsonstat", "surveys.runs.scb",
    "surveys.indicators.kolada",
]


def test_the_statistical_core_imports_without_flask_or_sqlalchemy():
    # One fresh interpreter imports the modules one after another and says, after each,
    # which of the web packages have been imported so far: the first to bring one in is named.
    code = ("import importlib, json, sys\n"
            f"for module in {STATISTICAL_CORE!r}:\n"
            "    importlib.import_module(module)\n"
            "    print(json.dumps([module, sorted(m for m in ('flask', 'sqlalchemy', "
            "'flask_babel') if m in sys.modules)]))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    imported = [json.loads(line) for line in out.stdout.splitlines()]
    assert [module for module, _ in imported] == STATISTICAL_CORE
    assert [(module, web) for module, web in imported if web] == []


@pytest.mark.parametrize("folder", sorted(FEATURES))
def test_every_feature_has_the_same_files(folder):
    present = {p.name for p in (ROOT / folder).iterdir()}
    assert {"blueprint.py", "views.py", "services.py", "queries.py", "models.py",
            "forms.py"} <= present
    assert (ROOT / folder / "templates" / FEATURES[folder]).is_dir()


def test_the_core_imports_no_feature_and_nothing_imports_the_app():
    upward = []
    for name, path in modules("surveys/core"):
        upward += [(name, m) for m in imports(path)
                   if m.startswith(("surveys.", "dialog")) and not m.startswith(
                       ("surveys.core", "surveys.extensions"))]
    for folder in FEATURES:
        for name, path in modules(folder):
            upward += [(name, m) for m in imports(path) if m.startswith(APP)]
    assert upward == []


def test_features_depend_on_each_other_without_cycles():
    package = {folder.replace("/", "."): folder for folder in FEATURES}
    needs: dict[str, set[str]] = {}
    for feature, folder in package.items():
        needs[feature] = {other for _name, path in modules(folder) for m in imports(path)
                          for other in package if other != feature
                          and (m == other or m.startswith(other + "."))}
    done: set[str] = set()

    def visit(feature: str, path: tuple[str, ...]) -> None:
        assert feature not in path, " -> ".join((*path, feature))
        if feature not in done:
            for other in needs[feature]:
                visit(other, (*path, feature))
            done.add(feature)

    for feature in needs:
        visit(feature, ())


def test_views_reach_the_database_only_through_queries_and_services():
    direct = [path.relative_to(ROOT).as_posix() for folder in FEATURES
              for name in ("views.py", "blueprint.py")
              if "surveys.extensions.db" in imports(path := ROOT / folder / name)]
    assert direct == []
