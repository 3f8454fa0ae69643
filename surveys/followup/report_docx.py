"""The yearly follow-up report as a Word document (DOCX) that staff edit further.

The content is the same `report.build_report` that the HTML and PDF show, in the same
order (the areas' summaries, then per area its actions, what residents said and its
indicators, then the method appendix), for staff or for residents, laid out with
python-docx: headings that Word's navigation pane and table of contents use, real tables
with header rows, the document's language and title in its properties, and for Arabic or
Persian right-to-left paragraphs, runs and tables. Charts are left out: each has its
table beside it, which is what an editor works with.
"""

from __future__ import annotations

import io

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from flask_babel import gettext as _
from flask_babel import pgettext
from markupsafe import Markup

from surveys.followup import present
from surveys.followup.models import Framework
from surveys.followup.summary_draft import certainty_note
from surveys.followup.report import (
    AreaSection,
    GoalSection,
    Report,
    build_report,
    in_language,
)


def render_report_docx(framework: Framework, year: int | None = None,
                       lang: str = "sv", audience: str = "staff") -> bytes:
    """The report for `year` in `lang` for `audience` as DOCX bytes."""
    with in_language(lang):
        return ReportDocument(build_report(framework, year, audience)).save()


# (msgids with "%%" are formatted with `% {}`: the templates' gettext formats them always,
# Flask-Babel's only when given variables)
def plain(text) -> str:
    """Text without markup (card titles carry a language span when they fall back)."""
    return Markup(text).striptags() if isinstance(text, Markup) else str(text or "")


class ReportDocument:
    """One report laid out as a python-docx document."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.rtl = report.language.direction == "rtl"
        self.doc = Document()
        self._set_language(report.language.tag)
        properties = self.doc.core_properties
        properties.title = report.title
        properties.author = report.organisation
        properties.language = report.language.tag
        properties.subject = report.framework_title
        self._build()

    # -- layout helpers -----------------------------------------------------------------------
    def _set_language(self, tag: str) -> None:
        """Spelling and hyphenation language of every run, right-to-left by default for
        Arabic script (Word reads w:bidi for complex-script text)."""
        defaults = self.doc.styles.element.find(qn("w:docDefaults"))
        run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        language = OxmlElement("w:lang")
        language.set(qn("w:val"), tag)
        language.set(qn("w:bidi"), tag if self.rtl else "ar-SA")
        run_defaults.append(language)

    def _direct(self, paragraph) -> None:
        if not self.rtl:
            return
        paragraph.paragraph_format.alignment = None
        paragraph._p.get_or_add_pPr().append(OxmlElement("w:bidi"))
        for run in paragraph.runs:
            run._r.get_or_add_rPr().append(OxmlElement("w:rtl"))

    def heading(self, text: str, level: int):
        paragraph = self.doc.add_heading(text, level=min(level, 9))
        self._direct(paragraph)
        return paragraph

    def paragraph(self, text: str, style: str | None = None):
        paragraph = self.doc.add_paragraph(text, style=style)
        self._direct(paragraph)
        return paragraph

    def table(self, header: list[str], rows: list[list[str]], caption: str | None = None):
        if caption:
            self.paragraph(caption, style="Caption")
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        if self.rtl:
            table._tbl.tblPr.append(OxmlElement("w:bidiVisual"))
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.bold = True
        # the header row repeats on every page and tells screen readers what the columns are
        header_properties = table.rows[0]._tr.get_or_add_trPr()
        header_properties.append(OxmlElement("w:tblHeader"))
        for values in rows:
            for cell, text in zip(table.add_row().cells, values, strict=True):
                cell.text = text
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    self._direct(paragraph)
                    for run in paragraph.runs:
                        run.font.size = Pt(9)
        return table

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()

    # -- content --------------------------------------------------------------------------------
    def _build(self) -> None:
        report = self.report
        self.paragraph(report.organisation)
        self.heading(report.title, 0)
        self.paragraph(_("Made on %(date)s with Delaktig.", date=report.created))

        self.heading(_("Summary"), 1)
        self.paragraph(certainty_note())
        for area in report.areas:
            self.heading(plain(area.title), 2)
            for text in area.summary.paragraphs or [_("No figures yet.")]:
                self.paragraph(text)
            if not area.summary.written and not report.for_residents:
                self.paragraph(_("Draft made from the figures; an analyst has not written this "
                                 "summary yet."), style="Quote")
        if not report.for_residents:
            self._overview()
        for area in report.areas:
            self.heading(plain(area.title), 1)
            self._actions(area)
            self._said(area)
            self.heading(_("Indicators"), 2)
            if report.for_residents:
                self._plain_indicators(area)
            else:
                for goal in area.goals:
                    self._goal(goal, 3)
        if report.for_residents:
            self._residents_method()
        else:
            self._method()

    def _overview(self) -> None:
        report = self.report
        if report.problems:
            self.heading(_("Figures that could not be computed"), 2)
            for problem in report.problems:
                self.paragraph(problem, style="List Bullet")
        rows = []
        for area_title, area_rows in report.summary:
            for r in area_rows:
                status = r.status + (f" · {r.note}" if r.note else "")
                rows.append([plain(area_title), r.title, r.year, r.value, r.interval, r.n,
                             r.change, status])
        self.table([_("Focus area"), _("Indicator"), _("Year"), _("Value"),
                    _("95 %% confidence interval") % {}, _("Respondents (n)"),
                    pgettext("statistics", "Change"), _("Status")], rows,
                   _("Every indicator: the latest value, its change since the previous wave "
                     "and the status against the target"))

    def _actions(self, area: AreaSection) -> None:
        residents = self.report.for_residents
        self.heading(_("Actions and their status"), 2)
        if not area.actions:
            self.paragraph(_("No actions are linked to the goals of this focus area."))
        header = [_("Action"), _("Responsible"), _("Status")]
        if not residents:
            header.append(_("Latest update"))
        for block in area.actions:
            rows = []
            for a in block.actions:
                status = a.status + (f" ({_('since %(date)s', date=a.since)})" if a.since
                                     else "")
                rows.append([plain(a.title), plain(a.unit), status]
                            + ([] if residents else [a.comment]))
            self.table(header, rows, f"{_('Goal:')} {plain(block.goal)}")

    def _said(self, area: AreaSection) -> None:
        self.heading(_("What residents said"), 2)
        if not area.said:
            self.paragraph(_("No published dialogue event this year was about this focus "
                             "area."))
        for event in area.said:
            self.heading(plain(event.title), 3)
            self.paragraph(f"{event.when} · {event.participants} · {event.reason}")
            for said in event.statements:
                text = f"“{said.text}” – {said.agreement}"
                if said.untranslated:
                    text += " " + _("(not yet translated)")
                self.paragraph(text, style="List Bullet")
            if not event.statements:
                self.paragraph(_("No statement had enough votes to be shown."))
        if area.themes:
            self.heading(_("Themes residents raised about the goals"), 3)
            for theme in area.themes:
                self.paragraph(f"{plain(theme.name)} ({plain(theme.goal)}): {theme.counts}",
                               style="List Bullet")
                for said in theme.examples:
                    self.paragraph(f"“{said.text}”", style="List Bullet 2")

    def _plain_indicators(self, area: AreaSection) -> None:
        if not area.plain:
            self.paragraph(_("No public indicators in this focus area."))
        for p in area.plain:
            self.heading(plain(p.title), 3)
            line = f"{p.value} ({p.year})"
            if p.between:
                line += " – " + _("very probably %(between)s", between=p.between)
            self.paragraph(line)
            for text in (p.note, p.change, p.status):
                if text:
                    self.paragraph(text)

    def _residents_method(self) -> None:
        report = self.report
        self.heading(_("Appendix: how the figures are made"), 1)
        if report.methods:
            latest = report.methods[-1]
            self.paragraph(_("The figures come from a survey that %(responses)s residents "
                             "answered in %(year)s.", responses=latest.completed,
                             year=latest.year))
        self.paragraph(_("The answers are weighted, so that women and men, young and old, "
                         "people born in Sweden and abroad and every district count as much "
                         "as they do among all residents."))
        self.paragraph(_("A survey cannot ask everyone, so each figure is an estimate. "
                         "“Between 45 and 51 %%” means that the true figure is very probably "
                         "in that range.") % {})
        self.paragraph(_("Groups with fewer than %(n)s answers are not shown, so that no one "
                         "can be recognised.", n=report.framework.min_group_size))

    def _goal(self, goal: GoalSection, level: int) -> None:
        label = _("Sub-goal:") if level > 3 else _("Goal:")
        self.heading(f"{label} {goal.title}", level)
        for card in goal.cards:
            self._card(card, level + 1)
        for sub in goal.subgoals:
            self._goal(sub, level + 1)
        if not goal.cards and not goal.subgoals:
            self.paragraph(_("No indicators yet."))

    def _card(self, card: present.Card, level: int) -> None:
        self.heading(plain(card.title_text), level)
        if card.description:
            self.paragraph(plain(card.description))
        if card.latest:
            interval = (f" ({_('95 %% CI') % {}} {card.latest.interval})"
                        if card.latest.interval else "")
            meta = [str(card.latest_year)]
            if card.latest.n:
                meta.append(f"n = {card.latest.n}")
            if card.latest.note:
                meta.append(card.latest.note)
            self.paragraph(f"{card.latest.value}{interval} · {' · '.join(meta)}")
        else:
            self.paragraph(_("No figures yet."))
        for change in card.changes:
            text = f"{change.label}: {change.value}"
            if change.interval:
                text += f" ({change.interval})"
            if change.assessment:
                text += f" – {change.assessment}"
            if change.p_value:
                text += f" ({change.p_value})"
            self.paragraph(text, style="List Bullet")
        self.paragraph(card.status + (f" · {card.target}" if card.target else ""))
        columns = [_("Value"), _("95 %% confidence interval") % {}, _("Respondents (n)"), _("Note")]
        if card.trend_rows:
            self.table([_("Year"), *columns], [_row(r) for r in card.trend_rows],
                       _("%(indicator)s per year", indicator=plain(card.title_text)))
        for group in card.groups:
            self.table([group.label, *columns], [_row(r) for r in group.rows],
                       _("%(indicator)s: %(grouping)s, %(year)s",
                         indicator=plain(card.title_text), grouping=group.label,
                         year=card.latest_year))
        tested = ["p", _("Adjusted p (Benjamini–Hochberg)")]
        if card.gaps:
            self.table([_("Gap"), _("Difference"), _("95 %% confidence interval") % {}, *tested,
                        _("Test")],
                       [[r.label, r.value, r.interval, r.p, r.p_adjusted, r.note]
                        for r in card.gaps],
                       _("Gaps in %(indicator)s", indicator=plain(card.title_text)))
        if card.group_changes:
            self.table([_("Grouping"), _("Group"), pgettext("statistics", "Change"),
                        _("95 %% confidence interval") % {}, *tested, _("Assessment")],
                       [[g.grouping, g.change.label, g.change.value, g.change.interval,
                         g.change.p, g.change.p_adjusted, g.change.assessment]
                        for g in card.group_changes],
                       _("Change in %(indicator)s by group; the p-values of all groups are "
                         "adjusted together", indicator=plain(card.title_text)))

    def _method(self) -> None:
        report = self.report
        self.heading(_("Appendix: method"), 1)
        self.paragraph(_(
            "Each wave's answers are weighted to the population with its approved weighting "
            "run, so that age, gender, country of birth and district weigh as they do among "
            "the residents. Weighting makes estimates less precise: the design effect says by "
            "how much the variance grows, and the effective sample size is the number of "
            "unweighted answers that would be as precise."))
        for wave in report.methods:
            self.heading(_("The wave of %(year)s", year=wave.year), 2)
            facts = [[_("Survey"), wave.survey_title], [_("Fieldwork"), wave.fieldwork],
                     [_("Responses"), wave.responses],
                     [_("Completed responses"), wave.completed]]
            if wave.response_rate:
                facts.append([_("Response rate"), wave.response_rate])
            run = wave.run
            if run is None:
                facts.append([_("Weighting run"),
                              _("No approved weighting run: this wave has no figures.")])
            else:
                facts += [
                    [_("Weighting run"), _("Run %(id)s: %(method)s on %(variables)s",
                                           id=run.id, method=run.method,
                                           variables=", ".join(run.variables))],
                    *[["", note] for note in run.notes],
                    [_("Population margins"), f"{run.margin_name} ({run.margin_source}; "
                     + _("counted %(date)s", date=run.margin_date) + ")"],
                    [_("Approved"), _("%(date)s by %(name)s", date=run.approved_at,
                                      name=run.approved_by)],
                    [_("Weighted responses"), run.n_weighted],
                    [_("Design effect (Kish)"), run.kish_deff_text or "–"],
                    [_("Effective sample size"), run.effective_n_text or "–"]]
            self.table([_("Wave"), str(wave.year)], facts)
        self.heading(_("Disclosure control"), 2)
        for rule in report.rules:
            self.paragraph(rule, style="List Bullet")
        if report.registers:
            self.heading(_("Register statistics"), 2)
            self.paragraph(_("These indicators are not estimated from the survey: their values "
                             "are imported from official statistics, without confidence "
                             "intervals or groups."))
            for r in report.registers:
                text = f"{r.title}: " + _("Source: %(source)s", source=r.source)
                if r.label:
                    text += f" ({r.label})"
                text += "; " + _("years %(years)s", years=r.years)
                if r.updated:
                    text += "; " + _("updated %(date)s", date=r.updated)
                self.paragraph(text, style="List Bullet")


def _row(row: present.Row) -> list[str]:
    return [row.label, row.value, row.interval, row.n, row.note]
