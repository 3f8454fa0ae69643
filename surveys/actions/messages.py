"""Codes from the action services put into words."""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _


def action_error(code: str, details: Mapping[str, Any]) -> str:
    """An `ActionError` in the user's language."""
    messages = {
        "name_required": lambda: _("Write the unit's name."),
        "name_taken": lambda: _("The organisation already has a unit called %(name)s.",
                                name=details.get("name")),
        "unit_in_use": lambda: _(
            "Actions owned by %(name)s: %(count)s. A unit that owns actions cannot be "
            "deleted: give them to another unit first.", name=details.get("name"),
            count=details.get("count")),
        "not_a_reporter": lambda: _("Only users with the role unit reporter can report for "
                                    "a unit."),
        "title_required": lambda: _("Write the title in Swedish."),
        "unknown_unit": lambda: _("Choose one of the organisation's units."),
        "start_required": lambda: _("Write the day the action starts."),
        "ends_before_start": lambda: _(
            "The end (%(end)s) is before the start (%(start)s).",
            end=format_date(details["ends_on"]), start=format_date(details["starts_on"])),
        "unknown_goal": lambda: _("Choose one of the framework's goals."),
        "unknown_indicator": lambda: _("Choose indicators of the organisation's frameworks."),
        "unknown_link": lambda: _("Choose only among the listed items."),
        "update_in_future": lambda: _("The date of a status update cannot be in the future."),
        "update_before_start": lambda: _(
            "The action starts on %(start)s: only “planned” can be reported before that.",
            start=format_date(details["starts_on"])),
        "comment_too_long": lambda: _("Keep the comment under 500 characters."),
    }
    return messages[code]() if code in messages else _(
        "The change could not be made (%(reason)s).", reason=code)


def for_form(error) -> SimpleNamespace:
    """An `ActionError` as `surveys.core.forms.field_problems` takes it: the sentence, and
    the field it belongs beside."""
    return SimpleNamespace(problems=[action_error(error.code, error.details)],
                           field=error.field)
