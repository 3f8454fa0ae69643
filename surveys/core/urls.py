"""How every feature's blueprint.py writes its URL map: one flat list of rules."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint

GET, POST, BOTH = ["GET"], ["POST"], ["GET", "POST"]


def add_rules(bp: Blueprint, *entries: tuple[Any, ...]) -> None:
    """Register (rule, endpoint, view, methods[, defaults]) entries, in order."""
    for rule, endpoint, view, methods, *defaults in entries:
        options = {"defaults": defaults[0]} if defaults else {}
        bp.add_url_rule(rule, endpoint, view, methods=methods, **options)


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site (for ?next= and ?from=), else None.

    Browsers drop tabs and newlines from addresses and read a backslash as a slash, so
    "/\\t/evil.example" and "/\\\\evil.example" would lead to another site: anything with
    a control character or a backslash, a scheme, a host or a leading "//" is refused.
    """
    if not target or not target.startswith("/"):
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target
