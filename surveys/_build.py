"""Build step for wheels: ship the compiled interface catalogs and the migrations.

Setuptools runs `BuildPy` (see `[tool.setuptools.cmdclass]` in pyproject.toml) when it
builds a wheel. The top-level `translations/` (.po only, .mo never committed) is
compiled into `surveys/translations/`, and `migrations/` is copied to
`surveys/migrations/`, so an installed package needs no checkout. An editable install
reads the top-level folders directly (see `surveys.resources`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent.parent


def compile_catalogs(source: Path, target: Path) -> list[Path]:
    """Compile every `<lang>/LC_MESSAGES/*.po` under `source` into `.mo` under `target`."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(source.glob("*/LC_MESSAGES/*.po")):
        mo = target / po.relative_to(source).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with open(po, "rb") as handle:
            catalog = read_po(handle, locale=po.parts[-3])
        with open(mo, "wb") as handle:
            write_mo(handle, catalog)
        written.append(mo)
    return written


class BuildPy(build_py):
    """`build_py` that also puts the catalogs and migrations into the package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        package = Path(self.build_lib) / "surveys"
        if not compile_catalogs(ROOT / "translations", package / "translations"):
            raise RuntimeError(f"no interface catalogs found in {ROOT / 'translations'}")
        target = package / "migrations"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(ROOT / "migrations", target,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
