"""The URL map of fieldwork.

Two blueprints, because their visitors differ: `public` serves residents with an access
code (rate-limited look-ups) and the public figures; `manage` serves logged-in staff, each
view checking its role (names and addresses only to admins and the fieldwork role).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("fieldwork", __name__, template_folder="templates")
from surveys.fieldwork import models  # noqa: F401
