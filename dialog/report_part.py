"""What residents said, as the yearly report shows it per focus area
(`surveys.followup.report_parts`).

Imported by `dialog.blueprint`, so the provider is registered whenever the app is. The
events are the organisation's published ones of the report year that were held on the
focus area or that an action on one of its goals answers. Each shows its most agreed
statements among those with enough votes to be published (`queries.MIN_VOTES_SHOWN`), in
the report's language where a person has approved a translation, else as written.
"""

from __future__ import annotations

from flask_babel import format_date, format_decimal, ngettext
from flask_babel import gettext as _

from dialog import queries, translated
from dialog.models import Event, EventStatus
from surveys.actions.queries import linked_targets
from surveys.core.i18n import LANGUAGES, localized
from surveys.followup.models import FocusArea, Framework, Goal
from surveys.followup.report_parts import EventEvidence, Said, register

#: Statements shown per event.
TOP_STATEMENTS = 3


def _said(figures: queries.StatementFigures, lang: str) -> Said:
    # easy-to-read Swedish readers read statements written or translated into Swedish
    wanted = LANGUAGES[lang].tag if lang in LANGUAGES else lang
    shown = translated.shown(figures.statement, wanted)
    return Said(text=shown.main.text, lang=shown.main.language.tag,
                direction=shown.main.language.direction,
                agreement=_("%(agree)s of %(votes)s who voted agreed",
                            agree=format_decimal(figures.agree),
                            votes=format_decimal(figures.votes)),
                untranslated=shown.waiting)


def top_statements(event: Event, lang: str) -> list[Said]:
    """The event's most agreed statements with published counts, most agreed first."""
    shown = [f for f in queries.statement_figures(event.id) if f.shown]
    shown.sort(key=lambda f: (-f.agree / f.votes, -f.votes, f.id))
    return [_said(f, lang) for f in shown[:TOP_STATEMENTS]]


def residents_said(framework: Framework, area: FocusArea, goals: list[Goal], year: int,
                   lang: str) -> list[EventEvidence]:
    """The published events of `year` on the area or answered by its goals' actions."""
    answered = linked_targets(framework.organisation_id, [g.id for g in goals],
                              "dialogue_event")
    out = []
    for event in reversed(queries.organisation_events(framework.organisation_id)):
        held = event.starts_at or event.created_at
        on_area = area.key in (event.focus_areas or [])
        if event.status is not EventStatus.published or held.year != year or not (
                on_area or event.id in answered):
            continue
        participants = queries.participant_count(event.id)
        out.append(EventEvidence(
            title=localized(event.title, lang, event.default_language),
            when=format_date(held, "long"),
            participants=ngettext("%(num)s participant", "%(num)s participants",
                                  participants),
            reason=(_("An action on this area's goals answers it") if event.id in answered
                    else _("Held on this focus area")),
            statements=top_statements(event, lang)))
    return out


register("dialogue", residents_said)
