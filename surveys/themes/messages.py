"""Codes from the theme services put into words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from surveys.core.i18n import tr_text


def theme_error(code: str, details: Mapping[str, Any]) -> str:
    """A `ThemeError` in the user's language."""
    messages = {
        "name_required": lambda: _("Write the name in Swedish."),
        "name_too_long": lambda: _("A name can be at most %(max)s characters.",
                                   max=details.get("max")),
        "name_taken": lambda: _("The organisation already has a theme called %(name)s. "
                                "Tag with that theme, or choose another name.",
                                name=details.get("name")),
        "unknown_goal": lambda: _("Choose one of the framework's goals."),
        "unknown_theme": lambda: _("Choose among the organisation's themes."),
        "not_free_text": lambda: _("Only free-text answers can be tagged with themes."),
        "unknown_event": lambda: _("Choose one of the organisation's events."),
        "event_in_series": lambda: _("The event already belongs to the series %(series)s.",
                                     series=details.get("series")),
        "no_previous_event": lambda: _("This is the first event of the series: there is "
                                       "nothing to carry over."),
        "no_statements_chosen": lambda: _("Tick at least one statement to tag."),
        "no_answers_chosen": lambda: _("Tick at least one answer to tag."),
        "unknown_statements": lambda: _("Choose among the statements listed on this page."),
        "unknown_answers": lambda: _("Choose among the answers listed on this page."),
        "statements_already_tagged": lambda: _(
            "Every statement you ticked already has the theme %(name)s. Nothing was changed.",
            name=tr_text(details.get("name"))),
        "answers_already_tagged": lambda: _(
            "Every answer you ticked already has the theme %(name)s. Nothing was changed.",
            name=tr_text(details.get("name"))),
        "statements_not_tagged": lambda: _(
            "None of the statements you ticked has the theme %(name)s. Nothing was changed.",
            name=tr_text(details.get("name"))),
        "answers_not_tagged": lambda: _(
            "None of the answers you ticked has the theme %(name)s. Nothing was changed.",
            name=tr_text(details.get("name"))),
        "unknown_change": lambda: _("Choose whether to add the theme or to remove it."),
        "dialog": lambda: str(details.get("message")),
    }
    return messages[code]() if code in messages else code
