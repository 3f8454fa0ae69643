"""Roles and the role tuples that views check (`surveys.auth.access.roles_required`).

Admins pass every check, so `ADMINS` is empty: "no other role".
"""

from __future__ import annotations

import enum


class Role(enum.Enum):
    """What a user may do within their organisation."""

    admin = "admin"  #: manages users and everything below
    author = "author"  #: writes and opens surveys
    facilitator = "facilitator"  #: runs dialogue events, enters paper answers
    analyst = "analyst"  #: reads results, weights and exports
    fieldwork = "fieldwork"  #: sample frames, names and addresses, outcomes of a drawn sample
    interpreter = "interpreter"  #: translates dialogue statements into their stated languages
    unit_reporter = "unit_reporter"  #: sees and updates its own units' actions only


#: Organisation administration only: users, API tokens, barrier reports.
ADMINS: tuple[Role, ...] = ()
#: Writing, translating, opening and closing surveys.
AUTHORS = (Role.author,)
#: Dialogue events.
FACILITATORS = (Role.facilitator,)
#: The translation queue of dialogue events (interpreters only into their own languages).
TRANSLATORS = (Role.facilitator, Role.interpreter)
#: Results, weighting, indicators and the yearly report.
ANALYSTS = (Role.analyst,)
#: Sample frames and everything that shows a sampled person's name or address.
FIELDWORK = (Role.fieldwork,)
#: Response rates of a drawn sample (counts only, never a name).
FIELDWORK_RATES = (Role.fieldwork, Role.author, Role.analyst)
#: Every member of staff: the survey list and read-only survey pages, paper entry.
STAFF = (Role.author, Role.facilitator, Role.analyst, Role.fieldwork)
#: Actions and their status: analysts see all, unit reporters their own units' only.
ACTION_EDITORS = (Role.analyst, Role.unit_reporter)
#: Themes: tagging statements and free-text answers, counts per theme, series pages.
THEME_EDITORS = (Role.facilitator, Role.analyst)
