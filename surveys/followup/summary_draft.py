"""A focus area's plain-language summary drafted from its stored figures, in the current
language: what improved, what worsened, for whom, and how sure we are.

The reading is `surveys.indicators.plain_summary` (Benjamini–Hochberg over the area's
tests); this module only puts its findings into sentences. The analyst edits the draft and
saves it (`services.save_area_summary`); until then the report shows the draft, marked so.
"""

from __future__ import annotations

from flask_babel import gettext as _

from surveys.core.i18n import tr_text
from surveys.followup import present
from surveys.followup.values import IndicatorSeries
from surveys.indicators.plain_summary import (
    Certainty,
    Finding,
    Movement,
    Read,
    area_findings,
)


def findings(series: list[IndicatorSeries]) -> dict[str, Finding]:
    """The area's findings by indicator key (indicators with figures only)."""
    with_figures = [s for s in series if s.follow_up is not None]
    found = area_findings([(s.follow_up, s.indicator.direction) for s in with_figures])
    return {f.key: f for f in found}


def certainty_note() -> str:
    """What the words of certainty mean, said once where the summaries are."""
    return _("“Clearly” means that the change holds even when every comparison in a focus "
             "area is tested together; “probably” means weaker evidence; “we cannot tell” "
             "means the change is within what chance gives.")


def certainty_word(certainty: Certainty) -> str:
    return {Certainty.CLEAR: _("clearly"), Certainty.PROBABLE: _("probably"),
            Certainty.UNCLEAR: _("we cannot tell")}[certainty]


def change_sentence(title: str, read: Read) -> str:
    """"Trust in people clearly improved since 2025." and the like."""
    if read.movement is Movement.UNCHANGED:
        return _("%(indicator)s is unchanged since %(wave)s.", indicator=title, wave=read.since)
    if read.certainty is Certainty.UNCLEAR:
        return _("We cannot tell whether %(indicator)s changed since %(wave)s.",
                 indicator=title, wave=read.since)
    improved = read.movement is Movement.IMPROVED
    if read.certainty is Certainty.CLEAR:
        return (_("%(indicator)s clearly improved since %(wave)s.", indicator=title,
                  wave=read.since) if improved else
                _("%(indicator)s clearly worsened since %(wave)s.", indicator=title,
                  wave=read.since))
    return (_("%(indicator)s probably improved since %(wave)s.", indicator=title,
              wave=read.since) if improved else
            _("%(indicator)s probably worsened since %(wave)s.", indicator=title,
              wave=read.since))


def _settled(finding: Finding) -> bool:
    """A clear or probable improvement or worsening (not "we cannot tell", not unchanged)."""
    read = finding.overall
    return read is not None and read.certainty is not Certainty.UNCLEAR \
        and read.movement is not Movement.UNCHANGED


def _order(finding: Finding) -> tuple[int, int]:
    read = finding.overall
    return (read.movement is Movement.WORSENED, read.certainty is Certainty.PROBABLE)


def draft(series: list[IndicatorSeries], options: dict[str, dict[str, str]]) -> str:
    """The draft as plain text, paragraphs separated by blank lines ("" without figures):
    improvements, then worsenings (clear before probable), each with the groups that
    changed most and the largest clear gap; then what we cannot tell, in one sentence."""
    by_key = {s.definition.key: s for s in series}
    found = list(findings(series).values())
    if not found:
        return ""

    def title(finding: Finding) -> str:
        return tr_text(by_key[finding.key].definition.title)

    def amount(finding: Finding, value: float) -> str:
        s = by_key[finding.key]
        return present.difference_text(s.latest.estimator, value,
                                       (s.definition.register_series or {}).get("unit"))

    def gap_sentence(finding: Finding) -> str:
        gap = finding.gap
        return _("In %(indicator)s, the largest clear gap is between %(a)s and %(b)s: "
                 "%(gap)s.", indicator=title(finding),
                 a=present.group_label(gap.variable, gap.minuend, options),
                 b=present.group_label(gap.variable, gap.subtrahend, options),
                 gap=amount(finding, gap.value))

    paragraphs = []
    for finding in sorted(filter(_settled, found), key=_order):
        sentence = [change_sentence(title(finding), finding.overall),
                    _("The change is %(change)s.", change=amount(finding,
                                                                 finding.overall.change))]
        if finding.groups:
            sentence.append(_("It changed most for %(groups)s.", groups=_(", ").join(
                _("%(group)s (%(change)s, %(certainty)s)",
                  group=present.group_label(g.variable, g.group, options),
                  change=amount(finding, g.read.change),
                  certainty=certainty_word(g.read.certainty)) for g in finding.groups)))
        if finding.gap is not None:
            sentence.append(gap_sentence(finding))
        paragraphs.append(" ".join(sentence))
    paragraphs += [change_sentence(title(f), f.overall) for f in found
                   if f.overall is not None and f.overall.movement is Movement.UNCHANGED]
    unclear = [f for f in found if f.overall is not None and not _settled(f)
               and f.overall.movement is not Movement.UNCHANGED]
    for since in dict.fromkeys(f.overall.since for f in unclear):
        listed = [f for f in unclear if f.overall.since == since]
        sentence = [_("We cannot tell whether these changed since %(wave)s: %(indicators)s.",
                      wave=since, indicators=_(", ").join(
                          f"{title(f)} ({amount(f, f.overall.change)})" for f in listed))]
        sentence += [gap_sentence(f) for f in listed if f.gap is not None]
        paragraphs.append(" ".join(sentence))
    first = [title(f) for f in found if f.overall is None]
    if first:
        paragraphs.append(_("There is nothing earlier to compare with yet for: %(indicators)s.",
                            indicators=_(", ").join(first)))
    return "\n\n".join(paragraphs)
