"""Forms of survey authoring, and the labels its pages show.

Labels are lazy, so they follow the staff member's language.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp, ValidationError

from surveys.core.forms import DATETIME_FORMAT, MultiCheckboxField, choices, language_choices, strip
from surveys.core.i18n import LANGUAGES, OFFERED, UI_LOCALES, language_name, normalise_tag
from surveys.survey.definition import SLUG_RE, TEMPLATES
from surveys.survey.models import SurveyStatus
from surveys.survey.questions import CODE_RE, DONT_KNOW_LABELS, QUESTION_TYPES

TEXT_MAX = 20000
#: How a page or question moves: within its page, or to the neighbouring page.
MOVES = ("up", "down", "previous", "next")

#: Survey states as staff read them.
STATUS_LABELS = {
    SurveyStatus.draft: _l("Draft"),
    SurveyStatus.open: _l("Open"),
    SurveyStatus.closed: _l("Closed"),
}


def _lower(value):
    return value.lower() if isinstance(value, str) else value


SLUG_VALIDATORS = [
    Length(max=80),
    Regexp(SLUG_RE, message=_l("Use lower-case letters a-z, digits and hyphens, "
                               "starting and ending with a letter or digit.")),
]


def _other_languages_field():
    return StringField(
        _l("Other languages"), filters=[strip], validators=[Length(max=400)],
        description=_l("Any other language by its BCP 47 tag, several separated by spaces, "
                       "e.g. pa-Arab hy sq."))


class LanguagesMixin:
    """The survey's languages: those offered by name, and others typed as BCP 47 tags."""

    def validate_other_languages(self, field):
        bad = [text for text in (field.data or "").replace(",", " ").split() if not normalise_tag(text)]
        if bad:
            raise ValidationError(_l(
                "%(tags)s: not a valid BCP 47 language tag. Write a language code such as fi, "
                "ckb or pa-Arab.", tags=", ".join(bad)))

    def chosen_languages(self) -> list[str]:
        """The ticked languages, then the typed ones, each once."""
        typed = [normalise_tag(text) for text in
                 (self.other_languages.data or "").replace(",", " ").split()]
        return list(dict.fromkeys([*(self.languages.data or []), *typed]))


class NewSurveyForm(LanguagesMixin, FlaskForm):
    """A new, empty survey."""

    slug = StringField(
        _l("Address"), filters=[strip, _lower], validators=[DataRequired(), *SLUG_VALIDATORS],
        description=_l("Residents answer at /s/address, e.g. tillit-2025."))
    title = StringField(_l("Title"), filters=[strip],
                        validators=[DataRequired(), Length(max=200)],
                        description=_l("In the default language."))
    default_language = SelectField(_l("Default language"), default="sv")
    languages = MultiCheckboxField(_l("Survey languages"), default=["sv"])
    other_languages = _other_languages_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_language.choices = language_choices(OFFERED)
        self.languages.choices = language_choices(OFFERED)


class TemplateForm(FlaskForm):
    """A copy of a ready template."""

    template = SelectField(_l("Template"), choices=[])
    slug = StringField(_l("Address"), filters=[strip, _lower],
                       validators=[DataRequired(), *SLUG_VALIDATORS])

    def __init__(self, *args, titles: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.template.choices = choices((name, titles.get(name, name)) for name in TEMPLATES)


class ImportForm(FlaskForm):
    """A survey definition file exported from Delaktig."""

    file = FileField(_l("Survey definition file (JSON)"),
                     validators=[FileRequired(message=_l("Choose a file to import."))])
    slug = StringField(_l("Address (optional)"), filters=[strip, _lower],
                       validators=[Optional(), *SLUG_VALIDATORS],
                       description=_l("Leave empty to use the address written in the file."))


class SettingsForm(LanguagesMixin, FlaskForm):
    """Address, languages, opening times and the survey's own texts."""

    slug = StringField(_l("Address"), filters=[strip, _lower],
                       validators=[DataRequired(), *SLUG_VALIDATORS])
    languages = MultiCheckboxField(_l("Survey languages"))
    other_languages = _other_languages_field()
    opens_at = DateTimeLocalField(
        _l("Opens"), format=DATETIME_FORMAT, validators=[Optional()],
        description=_l("Swedish time (Europe/Stockholm). Leave empty to open at once."))
    closes_at = DateTimeLocalField(
        _l("Closes"), format=DATETIME_FORMAT, validators=[Optional()],
        description=_l("Swedish time (Europe/Stockholm). Leave empty to keep it open until "
                       "you close it."))
    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(), Length(max=200)])
    intro = TextAreaField(_l("Introduction"), validators=[Length(max=TEXT_MAX)],
                          description=_l("Shown on the start page. Needed before opening."))
    consent = TextAreaField(_l("Consent and privacy information"),
                            validators=[Length(max=TEXT_MAX)],
                            description=_l("Shown before the resident starts. Needed before "
                                           "opening."))
    thanks = TextAreaField(_l("Thank-you text"), validators=[Length(max=TEXT_MAX)])
    letter = TextAreaField(_l("Invitation letter"), validators=[Length(max=TEXT_MAX)],
                           description=_l("For a drawn sample: the letter's text. Leave empty "
                                          "for the standard text."))
    reminder = TextAreaField(_l("Reminder letter"), validators=[Length(max=TEXT_MAX)],
                             description=_l("For a drawn sample: the reminders' text (letter, "
                                            "e-mail, SMS). Leave empty for the standard text."))

    #: Survey language -> the name of its interface-language field (see `settings_form`).
    interface_fields: ClassVar[dict[str, str]] = {}

    def __init__(self, *args, survey_languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The survey's own typed-in languages stay ticked choices beside the offered ones.
        self.languages.choices = language_choices(
            [*OFFERED, *(code for code in survey_languages if code not in OFFERED)])

    def chosen_interfaces(self) -> dict[str, str]:
        """Content language -> the interface locale chosen around it."""
        return {lang: self[name].data for lang, name in self.interface_fields.items()}

    def validate_closes_at(self, field):
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The closing time must be after the opening time."))


def settings_form(survey, **kwargs) -> SettingsForm:
    """The settings form with one interface-language choice per survey language that is not
    a platform language (Finnish, Sorani ...; easy-to-read Swedish is always Swedish)."""

    class Form(SettingsForm):
        pass

    fields = {}
    for index, lang in enumerate(code for code in survey.languages if code not in LANGUAGES):
        name = f"interface_{index}"
        fields[lang] = name
        setattr(Form, name, SelectField(
            _l("Interface around %(language)s", language=language_name(lang)),
            choices=language_choices(UI_LOCALES), default=survey.interface_locale(lang)))
    Form.interface_fields = fields
    return Form(survey_languages=survey.languages, **kwargs)


class PageForm(FlaskForm):
    """A page's optional heading in the default language."""

    title = StringField(_l("Page heading (optional)"), filters=[strip],
                        validators=[Length(max=500)])


def parse_lines(text: str | None) -> list[tuple[str, str]]:
    """Lines of ``code = label`` as pairs; blank lines are skipped."""
    pairs = []
    for line in (text or "").splitlines():
        if line.strip():
            code, _sep, label = line.partition("=")
            pairs.append((code.strip(), label.strip()))
    return pairs


def _check_lines(form, field) -> None:
    for number, line in enumerate((field.data or "").splitlines(), start=1):
        if not line.strip():
            continue
        code, sep, label = line.partition("=")
        if not sep or not code.strip() or not label.strip():
            raise ValidationError(_l('Line %(n)s: write it as "code = label", e.g. "yes = Yes".',
                                     n=number))
        if not CODE_RE.match(code.strip()):
            raise ValidationError(_l("Line %(n)s: a code may hold lower-case letters a-z, "
                                     "digits and _ only.", n=number))


def parse_number(text: str | None) -> int | float | None:
    """A typed number (decimal comma allowed) as int when whole, else float; None if empty."""
    text = (text or "").strip().replace(" ", "").replace("\u2212", "-").replace(",", ".")
    if not text:
        return None
    if not re.fullmatch(r"-?\d{1,9}(\.\d{1,6})?", text):
        raise ValueError(text)
    number = float(text)
    return int(number) if number.is_integer() and "." not in text else number


def _check_number(form, field) -> None:
    try:
        parse_number(field.data)
    except ValueError:
        raise ValidationError(_l("Write a number, e.g. 0 or 2,5.")) from None


#: Settings key of a question type -> the form field that edits it.
SETTING_FIELDS = {
    "options": "options",
    "items": "items",
    "min": "low",
    "max": "high",
    "min_label": "min_label",
    "max_label": "max_label",
    "dont_know": "dont_know",
    "integer": "integer",
    "max_length": "max_length",
    "min_age": "min_age",
    "max_age": "max_age",
}


class QuestionForm(FlaskForm):
    """A question's key, texts in the default language, and its type's settings.

    The settings fields shown are those the type's default settings name, so a new
    question type with known settings keys needs no change here.
    """

    type = SelectField(_l("Question type"))
    #: The type whose settings fields the form showed; a changed type shows new fields first.
    shown_type = HiddenField()
    key = StringField(
        _l("Key"), filters=[strip],
        validators=[DataRequired(), Length(max=40),
                    Regexp(CODE_RE, message=_l("Use lower-case letters a-z, digits and _ only."))],
        description=_l("A short name used in exports and conditions, e.g. trust_people."))
    required = BooleanField(_l("An answer is required"))
    text = TextAreaField(_l("Question"), filters=[strip],
                         validators=[DataRequired(), Length(max=TEXT_MAX)])
    help = TextAreaField(_l("Help text (optional)"), filters=[strip],
                         validators=[Length(max=TEXT_MAX)])
    options = TextAreaField(
        _l("Options"), validators=[_check_lines],
        description=_l('One option per line, written "code = label", e.g. "yes = Yes".'))
    items = TextAreaField(
        _l("Statements"), validators=[_check_lines],
        description=_l('One statement per line, written "code = statement".'))
    low = StringField(_l("Lowest value"), validators=[_check_number])
    high = StringField(_l("Highest value"), validators=[_check_number])
    min_label = StringField(_l("Label of the lowest value"), filters=[strip],
                            validators=[Length(max=500)])
    max_label = StringField(_l("Label of the highest value"), filters=[strip],
                            validators=[Length(max=500)])
    dont_know = SelectField(_l("Extra choice"), default="", choices=choices([
        ("", _l("None")),
        ("dont_know", DONT_KNOW_LABELS["dont_know"]),
        ("prefer_not", DONT_KNOW_LABELS["prefer_not"]),
    ]))
    integer = BooleanField(_l("Whole numbers only"))
    max_length = IntegerField(_l("Longest answer (characters)"), validators=[Optional()])
    min_age = IntegerField(_l("Youngest age"), validators=[Optional()])
    max_age = IntegerField(_l("Oldest age"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type.choices = choices((name, kind.label) for name, kind in QUESTION_TYPES.items())

    @staticmethod
    def settings_fields(type_name: str) -> list[str]:
        """Names of the settings fields a question type uses."""
        return [SETTING_FIELDS[key] for key in QUESTION_TYPES[type_name].default_settings()
                if key in SETTING_FIELDS]

    def fill_settings(self, settings: dict, lang: str) -> None:
        """Show stored settings in the default language."""
        for key, name in SETTING_FIELDS.items():
            if key not in settings:
                continue
            value, field = settings[key], self[name]
            if key in ("options", "items"):
                field.data = "\n".join(f"{e['code']} = {e['label'].get(lang, '')}" for e in value)
            elif key in ("min_label", "max_label"):
                field.data = (value or {}).get(lang, "")
            elif key in ("min", "max"):
                field.data = "" if value is None else str(value)
            elif key == "dont_know":
                field.data = value or ""
            else:
                field.data = value

    def switch_type(self, lang: str) -> str | None:
        """After a change of type, the notice that the new type's settings are shown first.

        Fields both types share keep what the author typed; the others start from the
        new type's defaults. None when the type did not change.
        """
        type_name, shown = self.type.data, self.shown_type.data
        if type_name == shown or type_name not in QUESTION_TYPES:
            return None
        kept = set(self.settings_fields(shown))
        defaults = QUESTION_TYPES[type_name].default_settings()
        self.fill_settings({key: value for key, value in defaults.items()
                            if SETTING_FIELDS.get(key) not in kept}, lang)
        self.shown_type.data = type_name
        return _("The question type is now %(type)s. Check its settings below, then save.",
                 type=QUESTION_TYPES[type_name].label)

    def raw_settings(self, type_name: str) -> dict[str, Any]:
        """The settings the form holds for a type, labels in the default language."""
        raw: dict[str, Any] = {}
        for key in QUESTION_TYPES[type_name].default_settings():
            if key not in SETTING_FIELDS:
                continue
            data = self[SETTING_FIELDS[key]].data
            if key in ("options", "items"):
                raw[key] = parse_lines(data)
            elif key in ("min", "max"):
                raw[key] = parse_number(data)
            elif key == "dont_know":
                raw[key] = data or None
            elif key == "integer":
                raw[key] = bool(data)
            else:
                raw[key] = data
        return raw


class ConditionForm(FlaskForm):
    """Show a question only after certain answers to an earlier one."""

    source = HiddenField(validators=[DataRequired()])
    values = MultiCheckboxField(
        _l("Answers that show this question"),
        validators=[DataRequired(message=_l("Tick at least one answer."))])


class MoveForm(FlaskForm):
    """Move a page or question one step."""

    direction = StringField(validators=[AnyOf(MOVES)])


class EntryForm(FlaskForm):
    """Staff start typing in a paper questionnaire or an interview."""

    language = SelectField(_l("Language of the questionnaire"))
    channel = RadioField(_l("Answers come from"), default="paper", choices=choices([
        ("paper", _l("A paper questionnaire")),
        ("interview", _l("An interview")),
    ]))

    def __init__(self, *args, languages: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices(languages)


class AudioForm(FlaskForm):
    """A recording of a question's text in one of the survey's languages."""

    language = SelectField(_l("Language of the recording"))
    file = FileField(_l("Recording (MP3, Ogg or M4A, at most 5 MB)"),
                     validators=[FileRequired(message=_l("Choose a recording."))],
                     render_kw={"accept": ".mp3,.ogg,.oga,.opus,.m4a,audio/mpeg,audio/ogg,"
                                          "audio/mp4"})

    def __init__(self, *args, languages: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices(languages)


def translation_form(refs, lang: str, default_language: str) -> FlaskForm:
    """A form with one field per text id, pre-filled with the `lang` translations."""

    class TranslationForm(FlaskForm):
        pass

    fields = {}
    for ref in refs:
        source = ref.get(default_language)
        long = len(source) > 80 or "\n" in source
        name = "t-" + ref.id.replace(".", "-")
        fields[ref.id] = name
        setattr(TranslationForm, name, (TextAreaField if long else StringField)(
            ref.id, default=ref.get(lang), validators=[Length(max=TEXT_MAX)]))
    form = TranslationForm()
    form.field_names = fields
    return form
