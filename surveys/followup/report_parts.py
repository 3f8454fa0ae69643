"""What later features add to the yearly report: the actions serving each goal, and what
residents said at dialogue events.

The follow-up comes before actions and dialogue (imports go one way), so it does not read
them: each registers a provider here, the way dialogue events register themselves as what
an action answers (`surveys/actions/links.py`). `surveys/actions/report_part.py` gives the
actions per goal, `dialog/report_part.py` the published events,
`surveys/themes/report_part.py` the themes linked to the goals; without them (a report
built by the follow-up alone) those sections say there is nothing to show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from markupsafe import Markup


@dataclass
class ActionLine:
    """One action as the report lists it, with its status at the end of the report year.
    Texts that fall back to another language are marked with it (`localized`)."""

    title: Markup
    unit: Markup
    status: str
    #: "planned", "started", "done" or "stopped".
    status_code: str
    #: The date that status was reached, in words; "" when never reported.
    since: str
    #: The latest update's comment up to the end of the year ("" if none).
    comment: str


@dataclass
class GoalActions:
    """The actions serving one goal (or one of its sub-goals)."""

    goal_id: int
    goal: Markup
    actions: list[ActionLine]


@dataclass
class Said:
    """One statement residents wrote, in the report's language when a person has approved
    a translation, else as written (`lang` and `direction` are the text's own)."""

    text: str
    lang: str
    direction: str
    #: "31 of 40 who voted agreed"; statements are shown only with enough votes.
    agreement: str
    #: True when no approved translation into the report's language exists yet.
    untranslated: bool = False


@dataclass
class EventEvidence:
    """A published dialogue event on the area's goals or the area itself."""

    #: In the report's language, else in the event's own, marked with it.
    title: Markup
    when: str
    participants: str
    #: Why it is listed: linked to an action on a goal, or held on the focus area.
    reason: str
    statements: list[Said] = field(default_factory=list)


@dataclass
class ThemeRaised:
    """A theme linked to one of the area's goals, with how often residents raised it in
    the year ("12 statements at dialogue events, fewer than 5 survey comments")."""

    goal_id: int
    goal: Markup
    name: Markup
    counts: str
    #: A few statements under the theme, most agreed with first (`agreement` is "").
    examples: list[Said] = field(default_factory=list)


#: "actions": (framework, goals, year) -> [GoalActions];
#: "dialogue": (framework, focus area, goals, year, language code) -> [EventEvidence];
#: "themes": (framework, goals, year, language code) -> [ThemeRaised].
PROVIDERS: dict[str, Callable] = {}


def register(name: str, provider: Callable) -> None:
    """Add a provider (once per name: importing a module twice is harmless)."""
    PROVIDERS.setdefault(name, provider)
