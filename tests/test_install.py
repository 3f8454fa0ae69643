"""A built wheel carries what a checkout has: compiled catalogs, migrations and the `delaktig`
command. tests/test_production_readme.py installs it and runs it from an empty directory."""

from __future__ import annotations

import zipfile
from pathlib import Path

from babel.messages.pofile import read_po


ROOT = Path(__file__).resolve().parents[1]


def arabic(msgid: str) -> str:
    """The Arabic catalog's translation of `msgid`."""
    with open(ROOT / "translations/ar/LC_MESSAGES/messages.po", "rb") as handle:
        return read_po(handle, locale="ar")[msgid].string


def test_the_wheel_carries_compiled_catalogs_migrations_and_the_command(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for lang in ("sv", "en", "ar", "fa", "so", "ti", "uk"):
        assert f"surveys/translations/{lang}/LC_MESSAGES/messages.mo" in names
    assert not [n for n in names if n.endswith(".po")]
    assert "surveys/migrations/env.py" in names
    assert any(n.startswith("surveys/migrations/versions/") for n in names)
    assert "surveys/wsgi.py" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "delaktig = surveys.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_the_wheel_carries_every_template_and_static_file_of_the_checkout(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = [path.relative_to(ROOT).as_posix() for package in ("surveys", "dialog")
               for kind in ("templates", "static")
               for path in (ROOT / package).rglob(f"{kind}/**/*")
               if path.is_file() and "__pycache__" not in path.parts]
    assert len(shipped) > 100
    assert [name for name in shipped if name not in names] == []
