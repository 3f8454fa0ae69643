"""Forms of fieldwork, the labels its pages show and its problems put into words.

Labels are lazy, so they follow the user's language.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from surveys.core.forms import MultiCheckboxField, NumberField, choices, language_choices, strip
from surveys.fieldwork.aapor import REGISTERED, Outcome
from surveys.fieldwork.frame_file import Problem
from surveys.fieldwork.models import MailingKind
from surveys.fieldwork.sampling import METHODS, STRATA_COLUMNS

COLUMN_LABELS = {
    "district": _l("District"),
    "age_group": _l("Age group"),
    "gender": _l("Gender"),
    "birth_country_group": _l("Country of birth"),
    "language": _l("Preferred language"),
}
METHOD_LABELS = {
    "proportional": _l("Proportional to the stratum's size"),
    "equal": _l("Equal in every stratum"),
}
OUTCOME_LABELS = {
    Outcome.complete: _l("Completed"),
    Outcome.partial: _l("Started, not finished"),
    Outcome.refused: _l("Refused"),
    Outcome.non_contact: _l("Not reached during fieldwork"),
    Outcome.deceased: _l("Deceased"),
    Outcome.unable: _l("Unable to answer"),
    Outcome.language_barrier: _l("Language barrier"),
    Outcome.no_reply: _l("Nothing returned"),
    Outcome.unknown_address: _l("Returned letter, address unknown"),
    Outcome.other_unknown: _l("Unknown, other reason"),
    Outcome.moved_out: _l("Moved out of the area"),
    Outcome.not_eligible: _l("Not eligible, other reason"),
}
MAILING_LABELS = {
    MailingKind.letter: _l("Invitation letter"),
    MailingKind.reminder_1: _l("First reminder"),
    MailingKind.reminder_2: _l("Second reminder"),
    MailingKind.other: _l("Other mailing"),
}
#: The AAPOR codes in words (Standard Definitions, 10th edition).
CODE_LABELS = {
    "I": _l("Complete"), "P": _l("Partial"), "R": _l("Refusal and break-off"),
    "NC": _l("Non-contact"), "O": _l("Other eligible"), "UH": _l("Unknown if at the address"),
    "UO": _l("Unknown, other"), "NE": _l("Not eligible"),
}


def problem_text(problem: Problem) -> str:
    """A frame or outcome file's problem in words, with its line."""
    messages = {
        "empty": lambda v: _("The file is empty."),
        "not_csv": lambda v: _("The file cannot be read as CSV from here on (a field may be "
                               "far too long or a quote not closed)."),
        "no_rows": lambda v: _("The file has a header but no rows."),
        "missing_column": lambda v: _("The column “%(name)s” is missing.", name=v),
        "missing_id": lambda v: _("The person id is missing."),
        "duplicate_id": lambda v: _("The person id appears already on line %(line)s.", line=v),
        "missing_name": lambda v: _("The name is missing."),
        "missing_address": lambda v: _("The street address or town is missing."),
        "bad_postal_code": lambda v: _("The postal code “%(value)s” is not five digits.",
                                       value=v),
        "bad_birth_year": lambda v: _("The birth year “%(value)s” is not a year from 1900 "
                                      "until this year.", value=v),
        "missing_gender": lambda v: _("The gender is missing."),
        "missing_district": lambda v: _("The district is missing."),
        "unknown_district": lambda v: _("The district “%(value)s” is not one of the "
                                        "districts listed.", value=v),
        "missing_birth_country_group": lambda v: _("The country of birth group is missing."),
        "bad_language": lambda v: _("“%(value)s” is not a language code such as sv or ar.",
                                    value=v),
        "bad_email": lambda v: _("“%(value)s” is not an e-mail address.", value=v),
        "bad_mobile": lambda v: _("“%(value)s” is not a mobile number.", value=v),
        "too_long": lambda v: _("The column “%(name)s” is too long.", name=v),
        "unknown_code": lambda v: _("No one in the sample has the code “%(value)s”.", value=v),
        "unknown_outcome": lambda v: _("“%(value)s” is not an outcome that can be "
                                       "registered.", value=v),
        "bad_date": lambda v: _("Write the date as year-month-day, e.g. 2025-12-31."),
    }
    return _("Line %(line)s: %(problem)s", line=problem.line,
             problem=messages[problem.code](problem.value))


def error_text(code: str) -> str:
    """A refused change in words."""
    return {
        "file_not_clean": _("Nothing was stored: the file has problems. Correct them, or "
                            "choose to skip the rows listed."),
        "already_drawn": _("The sample is already drawn from this frame; it cannot be "
                           "changed."),
        "purged": _("The names and addresses were purged after fieldwork."),
        "code_used": _("This code has already been used to answer the survey. Thank you!"),
        "outcome_not_registrable": _("That outcome comes from the answers themselves."),
        "unknown_method": _("Choose how to allocate the sample."),
        "bad_factor": _("An oversampling factor must be a number above 0."),
        "n_beyond_population": _("The sample cannot be larger than the frame."),
        "minimum_beyond_n": _("The minimum per stratum needs a larger sample."),
    }[code]


def parse_date(f) -> date | None | bool:
    """The date typed into `f` (year-month-day): None when empty; False, with the error on
    the field, when it is not a date."""
    if not f.data:
        return None
    try:
        return date.fromisoformat(f.data)
    except ValueError:
        f.errors = [*f.errors, _("Write the date as year-month-day, e.g. 2025-12-31.")]
        return False


class FrameForm(FlaskForm):
    """The frame file, the districts it may name, and whether to skip bad rows."""

    file = FileField(_l("Frame file (CSV)"),
                     validators=[FileRequired(message=_l("Choose a file."))],
                     description=_l("UTF-8 or Windows-1252, comma or semicolon separated, one "
                                    "person per line."))
    districts = TextAreaField(
        _l("Districts"), filters=[strip],
        description=_l("One per line. When given, rows naming another district are refused."))
    skip = BooleanField(_l("Skip the rows listed above and import the rest"))
    #: SHA-256 of the file whose problems the user saw: skipping applies only to that file.
    checked = HiddenField()


class DesignForm(FlaskForm):
    """Strata, allocation and seed; per-stratum factors and rates come as stratum fields."""

    columns = MultiCheckboxField(_l("Strata from"),
                                 choices=choices((c, COLUMN_LABELS[c]) for c in STRATA_COLUMNS))
    method = RadioField(_l("Allocation"), default="proportional",
                        choices=choices((m, METHOD_LABELS[m]) for m in METHODS))
    n = IntegerField(_l("Sample size"), validators=[InputRequired(), NumberRange(min=1)])
    minimum = IntegerField(_l("At least this many in every stratum"), default=0,
                           validators=[Optional(), NumberRange(min=0)])
    seed = IntegerField(_l("Seed"), validators=[InputRequired(), NumberRange(min=0, max=2**62)],
                        description=_l("The same seed draws the same sample again."))
    rate = NumberField(_l("Expected response rate, per cent"), default=40,
                       validators=[InputRequired(), NumberRange(min=1, max=100)],
                       description=_l("For strata without a rate of their own."))


def stratum_inputs(form_data, keys: list[str], default_rate: float
                   ) -> tuple[dict[str, float], dict[str, float], list[str]]:
    """Per stratum (fields `factor-i` and `rate-i`, i its place in `keys`): the
    oversampling factors, the expected response rates (shares) and the problems."""
    factors, rates, problems = {}, {}, []
    for i, key in enumerate(keys):
        for name, target, low, high in (("factor", factors, 0.0, 100.0),
                                        ("rate", rates, 0.0, 100.0)):
            text = (form_data.get(f"{name}-{i}") or "").strip().replace(",", ".")
            if not text:
                continue
            try:
                value = float(text)
            except ValueError:
                value = None
            if value is None or not low < value <= high:
                problems.append(_("%(stratum)s: write a number above 0, at most 100.",
                                  stratum=key))
                continue
            target[key] = value if name == "factor" else value / 100
    for key in keys:
        rates.setdefault(key, default_rate / 100)
    return factors, rates, problems


class OutcomeForm(FlaskForm):
    """One person's outcome, by their code."""

    code = StringField(_l("Access code"), filters=[strip],
                       validators=[InputRequired(), Length(max=20)])
    outcome = SelectField(_l("Outcome"), choices=choices(
        [(o.value, OUTCOME_LABELS[o]) for o in REGISTERED] + [("", _l("No outcome (clear)"))]))
    on = StringField(_l("Date"), filters=[strip], validators=[Optional()],
                     render_kw={"placeholder": "2026-03-31", "inputmode": "numeric"},
                     description=_l("Year-month-day; empty: today."))


class OutcomeFileForm(FlaskForm):
    """Many outcomes at once: code,outcome[,date] lines."""

    file = FileField(_l("Outcomes file (CSV)"),
                     validators=[FileRequired(message=_l("Choose a file."))],
                     description=_l("One line per person: code,outcome,date; outcomes as "
                                    "listed in the table of outcomes."))


class MailingForm(FlaskForm):
    """A dated send-out."""

    kind = SelectField(_l("What went out"),
                       choices=choices((k.value, MAILING_LABELS[k]) for k in MailingKind))
    sent_on = StringField(_l("Date"), filters=[strip], validators=[InputRequired()],
                          render_kw={"placeholder": "2026-03-31", "inputmode": "numeric"})
    count = IntegerField(_l("How many"), validators=[InputRequired(), NumberRange(min=0)])


class CodeForm(FlaskForm):
    """A resident's access code from the letter."""

    code = StringField(_l("Your code from the letter"), filters=[strip],
                       validators=[InputRequired(message=_l("Write the code from your letter.")),
                                   Length(max=30)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                  "spellcheck": "false"})


# -- letters, reminders and paper ---------------------------------------------------------------
#: The mailings that make letters (an "other" mailing is only recorded).
LETTER_KINDS = (MailingKind.letter, MailingKind.reminder_1, MailingKind.reminder_2)


def letters_error_text(code: str) -> str:
    """A refused mailing or paper entry in words."""
    return {
        "already_sent": _("These letters have already been made. Each mailing goes out once."),
        "no_recipients": _("No one is left to send these letters to: everyone has answered "
                           "or has a final outcome."),
        "unknown_mailing": _("Choose the invitation or one of the reminders."),
        "code_started": _("This person has begun answering on the web. Let the web response "
                          "be, or register the outcome by hand."),
    }.get(code) or error_text(code)


class LettersForm(FlaskForm):
    """Make the letters of a mailing."""

    kind = RadioField(_l("Which letters"), default=MailingKind.letter.value,
                      choices=choices((k.value, MAILING_LABELS[k]) for k in LETTER_KINDS))
    sent_on = StringField(_l("Posting date"), filters=[strip], validators=[InputRequired()],
                          render_kw={"placeholder": "2026-03-31", "inputmode": "numeric"})


class PaperEntryForm(FlaskForm):
    """Type in a returned paper questionnaire under the code printed on it."""

    code = StringField(_l("Code on the questionnaire"), filters=[strip],
                       validators=[InputRequired(), Length(max=30)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                  "spellcheck": "false"})
    language = SelectField(_l("Language of the questionnaire"))

    def __init__(self, *args, languages: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices(languages)
