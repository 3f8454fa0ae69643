"""Forms of the follow-up pages, and the labels they show.

Labels are lazy, so they follow the analyst's language.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from surveys.core.forms import NumberField, choices
from surveys.core.i18n import LANGUAGES, tr_text
from surveys.followup import messages
from surveys.followup.models import KEY_RE, SLUG_RE, SUMMARY_MAX_LENGTH, Framework
from surveys.followup.queries import goal_tree
from surveys.followup.services import FrameworkError
from surveys.indicators import (
    DONT_KNOW,
    RegisterFormatError,
    RegisterSeries,
    read_register_csv,
    read_register_jsonstat,
)

KIND_LABELS = {
    "share": _l("Share of respondents with certain answers"),
    "mean": _l("Mean of a scale question"),
    "index": _l("Index of several questions (0–100)"),
    "register": _l("Register value imported from a file"),
}
DIRECTION_LABELS = {"higher": _l("Higher is better"), "lower": _l("Lower is better")}
DONT_KNOW_LABELS = {"exclude": _l("Left out"), "include": _l("Counted as not in the set")}
SELECT_LINE = re.compile(r"^\s*([^=]+?)\s*=\s*(\S.*?)\s*$")
ITEM_LINE = re.compile(r"^\s*([A-Za-z0-9_]+)\s+(-?\d+(?:[.,]\d+)?)\s+(-?\d+(?:[.,]\d+)?)"
                       r"(\s+(?:reverse|omvänd))?\s*$")


def _listed(text: str) -> list[int | float | str]:
    """"7, 8, 9" or "yes" -> [7, 8, 9] / ["yes"]: numbers where they are numbers."""
    values: list[int | float | str] = []
    for part in re.split(r"[,;\s]+", text or ""):
        if not part:
            continue
        try:
            number = float(part.replace(",", "."))
            values.append(int(number) if number.is_integer() else number)
        except ValueError:
            values.append(part)
    return values


class IndicatorForm(FlaskForm):
    """An indicator's texts (one field per language) and computation."""

    goal = SelectField(_l("Goal"), coerce=int)
    kind = SelectField(_l("Kind"), choices=choices(KIND_LABELS.items()))
    item = StringField(_l("Question"), validators=[Optional(), Length(max=60)],
                       description=_l("The key of the question, e.g. trust_people."))
    values = StringField(_l("Answers that count"), validators=[Optional(), Length(max=200)],
                         description=_l("Shares: the answers that count, e.g. 7, 8, 9, 10 "
                                        "or yes."))
    dont_know = SelectField(_l("“Don't know” answers"), choices=choices(DONT_KNOW_LABELS.items()))
    dont_know_values = StringField(
        _l("Answers treated as “don't know”"), validators=[Optional(), Length(max=200)],
        description=_l("Besides the platform's “don't know”, e.g. dont_remember."))
    items = TextAreaField(
        _l("Questions of the index"), validators=[Optional(), Length(max=2000)],
        description=_l("One per line: question key, lowest and highest scale value, and "
                       "“reverse” when a high answer is the bad end, e.g. trust_polis 0 10."))
    min_answered = IntegerField(_l("Questions a respondent must answer"),
                                validators=[Optional(), NumberRange(min=1, max=50)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=40)])
    direction = SelectField(_l("Direction"), choices=choices(DIRECTION_LABELS.items()))
    baseline_wave = IntegerField(_l("Baseline year"),
                                 validators=[Optional(), NumberRange(min=1990, max=2100)])
    target_value = NumberField(_l("Target value"),
                               description=_l("Shares as a proportion: 0,6 for 60 %."))
    target_year = IntegerField(_l("Target year"),
                               validators=[Optional(), NumberRange(min=1990, max=2100)])
    public = BooleanField(_l("Show on the public page and in the open API"))

    def definition(self) -> dict:
        """The core's JSON form of what the fields say (validated by the core later)."""
        kind = self.kind.data
        out: dict = {"kind": kind, "direction": self.direction.data,
                     "baseline_wave": self.baseline_wave.data, "target": None}
        if self.target_value.data is not None or self.target_year.data is not None:
            out["target"] = {"value": self.target_value.data, "year": self.target_year.data}
        extra_dk = [DONT_KNOW, *[v for v in _listed(self.dont_know_values.data)
                                 if v != DONT_KNOW]]
        if kind == "share":
            out.update(item=(self.item.data or "").strip(), values=_listed(self.values.data),
                       dont_know=self.dont_know.data, dont_know_values=extra_dk)
        elif kind == "mean":
            out.update(item=(self.item.data or "").strip(), dont_know_values=extra_dk)
        elif kind == "index":
            items = []
            for line in (self.items.data or "").splitlines():
                if not line.strip():
                    continue
                match = ITEM_LINE.match(line)
                if not match:
                    items.append({"column": line.strip()[:60]})  # the core names the problem
                    continue
                items.append({"column": match.group(1),
                              "low": float(match.group(2).replace(",", ".")),
                              "high": float(match.group(3).replace(",", ".")),
                              "reverse": bool(match.group(4))})
            out.update(items=items, min_answered=self.min_answered.data or 1,
                       dont_know_values=extra_dk)
        else:
            out.update(unit=(self.unit.data or "").strip() or None)
        return out

    def fill(self, definition: dict) -> None:
        """Put a stored definition into the fields."""
        self.kind.data = definition["kind"]
        self.direction.data = definition.get("direction", "higher")
        self.baseline_wave.data = definition.get("baseline_wave")
        target = definition.get("target") or {}
        self.target_value.data = target.get("value")
        self.target_year.data = target.get("year")
        self.item.data = definition.get("item", "")
        self.values.data = ", ".join(str(v) for v in definition.get("values", []))
        self.dont_know.data = definition.get("dont_know", "exclude")
        self.dont_know_values.data = ", ".join(
            str(v) for v in definition.get("dont_know_values", []) if v != DONT_KNOW)
        self.items.data = "\n".join(
            f"{i['column']} {i['low']:g} {i['high']:g}" + (" reverse" if i.get("reverse") else "")
            for i in definition.get("items", []))
        self.min_answered.data = definition.get("min_answered")
        self.unit.data = definition.get("unit") or ""


def add_language_fields(form_class: type, prefix: str, label, max_length: int,
                        area: bool = False) -> None:
    """One text field per platform language, named `<prefix>_<code>`; `label(name)` names it."""
    for code, language in LANGUAGES.items():
        field_class = TextAreaField if area else StringField
        setattr(form_class, f"{prefix}_{code.replace('-', '_')}", field_class(
            label(language.native_name), validators=[Optional(), Length(max=max_length)],
            render_kw={"lang": language.tag, "dir": language.direction}))


add_language_fields(IndicatorForm, "title",
                    lambda name: _l("Title (%(language)s)", language=name), 200)
add_language_fields(IndicatorForm, "description",
                    lambda name: _l("Description (%(language)s)", language=name), 1000,
                    area=True)


def texts_from(form: FlaskForm, prefix: str) -> dict[str, str]:
    """{language code: text} from the per-language fields."""
    return {code: getattr(form, f"{prefix}_{code.replace('-', '_')}").data or ""
            for code in LANGUAGES}


def fill_texts(form: FlaskForm, prefix: str, texts: dict[str, str]) -> None:
    for code in LANGUAGES:
        getattr(form, f"{prefix}_{code.replace('-', '_')}").data = (texts or {}).get(code, "")


class NewIndicatorForm(IndicatorForm):
    """An indicator's key (fixed once made) and everything an edit has."""

    key = StringField(_l("Key"), validators=[InputRequired(), Regexp(KEY_RE.pattern, message=_l(
        "Lower-case letters, digits and _ only, starting with a letter."))],
        description=_l("A stable name used in the API and exports, e.g. trust_neighbours."))


class SettingsForm(FlaskForm):
    """Disclosure rules, groupings, gaps and the public page."""

    slug = StringField(_l("Address of the public page"), validators=[
        InputRequired(), Regexp(SLUG_RE.pattern, message=_l(
            "Lower-case letters, digits and hyphens only."))])
    min_group_size = IntegerField(_l("Smallest group shown"),
                                  validators=[InputRequired(), NumberRange(min=3, max=1000)],
                                  description=_l("Groups with fewer respondents are suppressed "
                                                 "everywhere figures leave this page."))
    max_rse = NumberField(_l("Largest relative standard error before “uncertain”"),
                          validators=[InputRequired(), NumberRange(min=0.01, max=10)],
                          description=_l("0,3 means 30 %."))
    groupings = StringField(_l("Break down by"), validators=[InputRequired(), Length(max=300)],
                            description=_l("Weighting variables or single-choice questions, "
                                           "separated by commas."))
    gaps = TextAreaField(_l("Gaps"), validators=[Optional(), Length(max=1000)],
                         description=_l("One per line: variable, group, minus group, e.g. "
                                        "born utrikes inrikes."))
    published = BooleanField(_l("Publish the public page"))

    def grouping_list(self) -> list[str]:
        """The groupings, written with commas, semicolons or spaces between them."""
        return [p for p in re.split(r"[,;\s]+", self.groupings.data) if p]

    def gap_rows(self) -> list[list[str]]:
        """The gaps, one per line: variable, group, minus group; FrameworkError naming a bad
        line."""
        gaps = []
        for number, line in enumerate((self.gaps.data or "").splitlines(), start=1):
            parts = [p for p in re.split(r"[,;\s]+", line.strip()) if p]
            if not parts:
                continue
            if len(parts) != 3:
                raise FrameworkError("bad_gap_line", line=number)
            gaps.append(parts)
        return gaps


class WaveForm(FlaskForm):
    """Which year a survey counts as (empty: not a wave)."""

    survey_id = IntegerField(validators=[InputRequired()])
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=1990, max=2100)])


class RegisterForm(FlaskForm):
    """A register file: CSV (year and value) or JSON-stat 2.0 from SCB."""

    file = FileField(_l("File"), validators=[FileRequired(message=_l("Choose a file."))])
    select = TextAreaField(
        _l("Categories to use (JSON-stat)"), validators=[Optional(), Length(max=500)],
        description=_l("One per line: dimension = code, e.g. Fodelseregion = 020. Needed when "
                       "the file has several categories of a dimension."))
    source = StringField(_l("Source"), validators=[Optional(), Length(max=300)],
                         description=_l("Used when the file does not name its source."))

    def read(self) -> tuple[RegisterSeries | None, list[str]]:
        """(the yearly series, []) from the JSON-stat or CSV file, or (None, problems in
        words)."""
        selected, problems = self._selected()
        if problems:
            return None, problems
        raw = self.file.data.read()
        source = (self.source.data or "").strip() or None
        try:
            if raw.lstrip()[:1] == b"{":
                return read_register_jsonstat(raw, select=selected, source=source), []
            return read_register_csv(raw, source=source), []
        except RegisterFormatError as error:
            return None, [messages.register_problem(p.code, p.details) for p in error.problems]

    def _selected(self) -> tuple[dict[str, str], list[str]]:
        """"Fodelseregion = 020" lines -> ({"Fodelseregion": "020"}, problems)."""
        selected, problems = {}, []
        for number, line in enumerate((self.select.data or "").splitlines(), start=1):
            if not line.strip():
                continue
            match = SELECT_LINE.match(line)
            if match:
                selected[match.group(1)] = match.group(2)
            else:
                problems.append(messages.register_problem("bad_select_line", {"line": number}))
        return selected, problems


class TitleForm(FlaskForm):
    """A focus area's or goal's title in each language."""


add_language_fields(TitleForm, "title", lambda name: _l("Title (%(language)s)", language=name),
                    300)


def _place_choices(framework: Framework) -> list[tuple[str, str]]:
    """"area:<id>" (the top of a focus area) and "goal:<id>" (under a goal) of every place
    a goal can go in the framework, indented by depth; archived goals left out."""
    out = []
    for area in framework.focus_areas:
        out.append((f"area:{area.id}", tr_text(area.title)))
        out += [(f"goal:{g.id}", f"{tr_text(area.title)}: {'— ' * (depth + 1)}{tr_text(g.title)}")
                for g, depth in goal_tree(area, archived=False)]
    return out


def place_ref(value: str) -> tuple[str, int]:
    """("area", id) or ("goal", id) of a chosen place."""
    kind, _sep, number = (value or "").partition(":")
    return kind, int(number) if number.isdigit() else 0


class NewGoalForm(FlaskForm):
    """A goal under a focus area, or a sub-goal under a goal (at any depth)."""

    parent = SelectField(_l("Where"), coerce=str)
    title_sv = StringField(_l("Title in Swedish"), validators=[InputRequired(), Length(max=300)])

    def __init__(self, *args, framework: Framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent.choices = choices(_place_choices(framework))

    def parent_ref(self) -> tuple[str, int]:
        """("area", id) or ("goal", id) of the chosen place."""
        return place_ref(self.parent.data)


class ReparentForm(FlaskForm):
    """Where a goal (with its sub-goals) goes: the top of a focus area or under a goal."""

    parent = SelectField(_l("Put it under"), coerce=str)

    def __init__(self, *args, framework: Framework, **kwargs):
        super().__init__(*args, **kwargs)
        # the goal itself and its sub-goals stay listed: choosing one is refused in words
        self.parent.choices = choices(_place_choices(framework))


class MoveForm(FlaskForm):
    """One step up or down."""

    direction = SelectField(choices=choices([("up", "up"), ("down", "down")]),
                            validators=[InputRequired()])


class NewFrameworkForm(FlaskForm):
    """A new framework: its title in Swedish, and where its structure comes from."""

    title_sv = StringField(_l("Title in Swedish"), validators=[InputRequired(), Length(max=300)],
                           description=_l("E.g. “Programme for social sustainability”."))
    source = SelectField(_l("Start from"), choices=choices([
        ("empty", _l("Nothing: add focus areas and goals yourself")),
        ("template", _l("The template's focus areas and goals, following the indicators "
                        "you already have"))]), default="empty")


class NewAreaForm(FlaskForm):
    """A focus area at the end of a framework."""

    title_sv = StringField(_l("Title in Swedish"), validators=[InputRequired(), Length(max=300)])


class LinkIndicatorForm(FlaskForm):
    """An indicator of the organisation a goal should follow too."""

    indicator_id = SelectField(_l("Indicator"), coerce=int)
    action = SelectField(choices=choices([("link", "link"), ("unlink", "unlink")]),
                         default="link")


def goal_choices(framework: Framework) -> list:
    """Every goal of the framework as "Focus area: (— sub-)goal", for an indicator's goal."""
    out = []
    for area in framework.focus_areas:
        for goal, depth in goal_tree(area):
            out.append((goal.id, f"{tr_text(area.title)}: {'— ' * depth}{tr_text(goal.title)}"))
    return choices(out)


class TokenForm(FlaskForm):
    """Name a new token after the program that will use it."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)],
                       description=_l("What the token is for, e.g. “Open data portal”."))


class ComparisonForm(FlaskForm):
    """Whom the indicators are compared with, and whether survey indicators are shared."""

    group_id = StringField(_l("Kolada comparison group"), validators=[
        Optional(), Length(max=20), Regexp(r"^[Gg][0-9]{1,8}$", message=_l(
            "Write a Kolada group id: G and digits, e.g. G124026."))],
        description=_l("A municipality group in Kolada, e.g. one of the “similar "
                       "municipalities” groups; empty: no group."))
    show_members = BooleanField(_l("Show each member of the group, not only its mean"))
    share_survey = BooleanField(
        _l("Share this framework's public survey indicators with other organisations on "
           "the platform, and compare with those that share theirs"))


class KpiForm(FlaskForm):
    """The Kolada key figure a register indicator takes its values from."""

    kpi = StringField(_l("Kolada key figure (KPI)"), validators=[
        Optional(), Length(max=20), Regexp(r"^[A-Za-z][0-9]{5}$", message=_l(
            "Write a Kolada KPI id: a letter and five digits, e.g. N00945."))],
        description=_l("Empty: the values come from an imported file."))
    gender = SelectField(_l("Whom"), choices=choices([("T", _l("Everyone")), ("K", _l("Women")),
                                                      ("M", _l("Men"))]), default="T")
class AreaSummaryForm(FlaskForm):
    """A focus area's plain-language summary for one report year and language."""

    text = TextAreaField(
        _l("Summary"),
        filters=[lambda text: text.replace("\r\n", "\n").strip() if text else text],
        validators=[DataRequired(_l("Write the summary, or start again from the draft.")),
                    Length(max=SUMMARY_MAX_LENGTH, message=_l(
                        "The summary is %(length)d characters long; it can be at most "
                        "%(max)d. Shorten it: nothing was saved yet."))],
        description=_l("What improved, what worsened, for whom, and how sure we are. Leave a "
                       "blank line between paragraphs. The version for residents shows this "
                       "text too."))
