"""The themes residents raised, as the yearly report shows them per focus area
(`surveys.followup.report_parts`).

Imported by `surveys.themes.blueprint`, so the provider is registered whenever the app is.
Counts below 5 are written "fewer than 5", as on the theme's page; survey comments are
counted, never quoted.
"""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _

from surveys.core.i18n import LANGUAGES, language, localized
from surveys.extensions import db
from surveys.followup.models import Framework, Goal
from surveys.followup.report_parts import Said, ThemeRaised, register
from surveys.themes.models import Theme
from surveys.themes.queries import MIN_COUNT, RaisedTheme, raised_about_goals


def _count(shown: int | None) -> str:
    return _("fewer than %(num)s", num=MIN_COUNT) if shown is None else format_decimal(shown)


def counts_text(theme: RaisedTheme) -> str:
    """"12 statements at dialogue events, fewer than 5 survey comments"."""
    return _("%(statements)s statements at dialogue events, %(answers)s survey comments",
             statements=_count(theme.statements_shown), answers=_count(theme.answers_shown))


def themes_raised(framework: Framework, goals: list[Goal], year: int,
                  lang: str) -> list[ThemeRaised]:
    """The themes linked to `goals` that residents raised in `year`, goal by goal."""
    wanted = {goal.id: goal for goal in goals}
    tag = LANGUAGES[lang].tag if lang in LANGUAGES else lang
    out = []
    for raised in raised_about_goals(framework.organisation_id, framework.id, year, tag):
        if raised.goal_id not in wanted:
            continue
        for theme in raised.themes:
            if not theme.statements and not theme.answers:
                continue
            # names missing in the report's language are shown in Swedish, marked as such
            # (the query loaded the themes: `get` finds them in the session)
            names = db.session.get(Theme, theme.theme_id).name
            out.append(ThemeRaised(
                goal_id=raised.goal_id, goal=localized(wanted[raised.goal_id].title, lang, "sv"),
                name=localized(names, lang, "sv"), counts=counts_text(theme),
                examples=[Said(text=e.text, lang=e.language,
                               direction=language(e.language).direction, agreement="")
                          for e in theme.examples]))
    return out


register("themes", themes_raised)
