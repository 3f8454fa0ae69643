"""How every feature's blueprint.py writes its URL map: one flat list of rules."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

GET, POST, BOTH = ["GET"], ["POST"], ["GET", "POST"]


def add_rules(bp: Blueprint, *entries: tuple[Any, ...]) -> None:
    """Register (rule, endpoint, view, methods[, defaults]) entries, in order."""
    for rule, endpoint, view, methods, *defaults in entries:
        options = {"defaults": defaults[0]} if defaults else {}
        bp.add_url_rule(rule, endpoint, view, methods=methods, **options)
