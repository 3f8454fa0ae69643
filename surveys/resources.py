"""Where the files the app needs at run time are: in the installed package or the checkout."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def shipped(name: str) -> Path:
    """`surveys/<name>` in a built wheel, else the checkout's top-level `<name>/`."""
    packaged = PACKAGE / name
    return packaged if packaged.is_dir() else PACKAGE.parent / name


def migrations_dir() -> Path:
    """The Alembic environment and revisions."""
    return shipped("migrations")


def translations_dir() -> Path:
    """The interface catalogs (compiled .mo files beside the .po in a checkout)."""
    return shipped("translations")
