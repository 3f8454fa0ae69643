"""Dialogue events as something an action answers (`surveys.actions.links`).

Imported by `dialog.blueprint`, so the kind is registered whenever the app is.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from dialog.queries import organisation_events
from surveys.actions.links import LinkKind, register
from surveys.core.i18n import tr_text


def _choices(organisation_id: int) -> list[tuple[int, str]]:
    return [(event.id, tr_text(event.title) or next(iter(event.title.values()), f"#{event.id}"))
            for event in organisation_events(organisation_id)]


register(LinkKind(key="dialogue_event", label=_l("Dialogue event"), choices=_choices,
                  url=lambda event_id: url_for("dialog.event", event_id=event_id)))
