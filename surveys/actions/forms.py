"""Forms of the action plans, and the labels of statuses and unit kinds."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from surveys.actions.links import KINDS
from surveys.actions.models import ActionStatus, UnitKind
from surveys.core.forms import MultiCheckboxField, choices, strip
from surveys.core.i18n import tr_text
from surveys.followup.forms import add_language_fields
from surveys.followup.queries import goal_tree

STATUS_LABELS = {
    ActionStatus.planned: _l("Planned"),
    ActionStatus.started: _l("Started"),
    ActionStatus.done: _l("Done"),
    ActionStatus.stopped: _l("Stopped"),
}
UNIT_KIND_LABELS = {
    UnitKind.committee: _l("Committee"),
    UnitKind.administration: _l("Administration"),
    UnitKind.company: _l("Municipal company"),
}


class DayField(DateField):
    """A date (an <input type="date">, or typed as 2026-03-31 without a date picker)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%Y-%m-%d", **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if text:
            try:
                self.data = datetime.strptime(text, "%Y-%m-%d").date()
            except ValueError:
                raise ValueError(_l("Write a date, e.g. 2026-03-31.")) from None


class ActionForm(FlaskForm):
    """An action's texts (one field per language), owner, dates, goals, indicators, links."""

    unit_id = SelectField(_l("Responsible unit"), coerce=int)
    contact_name = StringField(_l("Contact person"), filters=[strip],
                               validators=[Optional(), Length(max=200)])
    contact = StringField(_l("Contact person's e-mail or phone"), filters=[strip],
                          validators=[Optional(), Length(max=254)])
    starts_on = DayField(_l("Start"), description=_l("E.g. 2026-03-31."))
    ends_on = DayField(_l("End"), description=_l("Leave empty while the action has no end "
                                                 "date."))
    goals = MultiCheckboxField(_l("Goals it serves"), coerce=int)
    indicators = MultiCheckboxField(
        _l("Indicators meant to show its effect"), coerce=int)
    links = MultiCheckboxField(_l("What it answers"), coerce=str)

    def set_choices(self, units, frameworks, indicators, organisation_id: int,
                    kept_goals: frozenset[int] = frozenset()) -> None:
        """The organisation's units, goals (by framework and focus area), indicators and
        everything a registered kind of link offers. Archived goals are offered only when
        the action already serves them (`kept_goals`), so an edit never drops one."""
        self.unit_id.choices = choices((u.id, u.name) for u in units)
        goals = []
        for framework in frameworks:
            for area in framework.focus_areas:
                goals += [(g.id, (f"{tr_text(framework.title)} › {tr_text(area.title)}: "
                                  f"{'— ' * depth}{tr_text(g.title)}"))
                          for g, depth in goal_tree(area)
                          if g.archived_at is None or g.id in kept_goals]
        self.goals.choices = choices(goals)
        self.indicators.choices = choices((i.id, tr_text(i.title) or i.key) for i in indicators)
        self.links.choices = choices(
            (f"{kind.key}:{number}", f"{kind.label}: {name}") for kind in KINDS.values()
            for number, name in kind.choices(organisation_id))

    def link_ids(self) -> dict[str, list[int]]:
        """{kind: [ids]} of the ticked links, every registered kind present."""
        out: dict[str, list[int]] = {key: [] for key in KINDS}
        for value in self.links.data or []:
            kind, _sep, number = value.partition(":")
            if kind in out and number.isdigit():
                out[kind].append(int(number))
        return out


add_language_fields(ActionForm, "title", lambda name: _l("Title (%(language)s)", language=name),
                    300)
add_language_fields(ActionForm, "description",
                    lambda name: _l("Description (%(language)s)", language=name), 2000,
                    area=True)


class StatusForm(FlaskForm):
    """A status update: the status, the day it was reached, a short comment."""

    status = SelectField(_l("Status"), choices=choices(
        (status.value, label) for status, label in STATUS_LABELS.items()),
        validators=[InputRequired()])
    on_date = DayField(_l("Date"), description=_l("The day the status was reached; empty "
                                                  "means today."))
    comment = TextAreaField(_l("Comment"), filters=[strip],
                            validators=[Optional(), Length(max=500)],
                            description=_l("A sentence or two: what happened, what comes next."))


class UnitForm(FlaskForm):
    """A unit's name and kind."""

    name = StringField(_l("Name"), filters=[strip], validators=[InputRequired(), Length(max=200)],
                       description=_l("E.g. Socialnämnden, Kultur- och fritidsförvaltningen, "
                                      "Bostadsbolaget AB."))
    kind = SelectField(_l("Kind"), choices=choices(
        (kind.value, label) for kind, label in UNIT_KIND_LABELS.items()),
        validators=[InputRequired()])


class ReportersForm(FlaskForm):
    """The users who report for a unit."""

    reporters = MultiCheckboxField(_l("Unit reporters"), coerce=int,
                                   description=_l("Users with the role unit reporter. They "
                                                  "see and update this unit's actions only."))
