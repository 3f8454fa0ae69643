"""The URL map of the audit log (admins only)."""

from __future__ import annotations

from flask import Blueprint

from surveys.audit import views
from surveys.core.urls import GET, add_rules

bp = Blueprint("audit", __name__, template_folder="templates")

add_rules(
    bp,
    # the newest events, filtered by ?user=&action=&since=&until=
    ("/manage/audit", "index", views.index, GET),
    # every matching event as CSV
    ("/manage/audit.csv", "download", views.download, GET),
)
