"""Themes as something an action answers (`surveys.actions.links`).

Imported by `surveys.themes.blueprint`, so the kind is registered whenever the app is.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from surveys.actions.links import LinkKind, register
from surveys.core.i18n import tr_text
from surveys.themes.queries import themes


def _choices(organisation_id: int) -> list[tuple[int, str]]:
    return [(theme.id, tr_text(theme.name) or theme.name.get("sv", f"#{theme.id}"))
            for theme in themes(organisation_id)]


register(LinkKind(key="theme", label=_l("Theme"), choices=_choices,
                  url=lambda theme_id: url_for("themes.theme", theme_id=theme_id)))
