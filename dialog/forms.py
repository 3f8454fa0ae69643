"""Forms of dialogue events, and the labels their pages show.

Labels are lazy, so they follow the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional, ValidationError

from dialog.models import (
    ANOTHER_LANGUAGE,
    FOCUS_AREAS,
    ActionStatus,
    EventStatus,
    Moderation,
    ModerationKind,
    StatementSource,
    StatementStatus,
    TranslationStatus,
)
from surveys.core.forms import DATETIME_FORMAT, MultiCheckboxField, choices, language_choices, strip
from surveys.core.i18n import LANGUAGES, language, language_name, localized
from surveys.core.time import as_utc

TITLE_MAX, DESCRIPTION_MAX, PROMPT_MAX = 200, 5000, 1000

FOCUS_LABELS = {
    "work": _l("Work"),
    "housing": _l("Housing"),
    "inclusion_trust": _l("Inclusion and trust"),
    "health": _l("Health"),
    "education_language": _l("Education and language"),
    "influence": _l("Influence"),
}
STATUS_LABELS = {
    EventStatus.draft: _l("Draft"),
    EventStatus.open: _l("Open"),
    EventStatus.closed: _l("Closed"),
    EventStatus.published: _l("Published"),
    StatementStatus.pending: _l("Waiting for approval"),
    StatementStatus.visible: _l("Visible"),
    StatementStatus.hidden: _l("Hidden"),
}
SOURCE_LABELS = {
    StatementSource.web: _l("Written on a device"),
    StatementSource.paper: _l("Written on paper"),
    StatementSource.facilitator: _l("Written by a facilitator"),
}
ACTION_LABELS = {
    ModerationKind.approve: _l("approved"),
    ModerationKind.hide: _l("hid"),
    ModerationKind.restore: _l("restored"),
    ModerationKind.mute: _l("muted"),
    ModerationKind.unmute: _l("unmuted"),
}
ACTION_STATUS_LABELS = {
    ActionStatus.planned: _l("Planned"),
    ActionStatus.started: _l("In progress"),
    ActionStatus.done: _l("Done"),
}
TRANSLATION_LABELS = {
    TranslationStatus.machine: _l("Machine translation, not yet checked"),
    TranslationStatus.approved: _l("Approved"),
}
#: Why the translation service gave no draft, in words.
MACHINE_PROBLEMS = {
    "timeout": _l("The translation service did not answer in time. Write the translations "
                  "yourself or try again later."),
    "unavailable": _l("The translation service could not be reached. Write the translations "
                      "yourself or try again later."),
    "garbage": _l("The translation service gave an answer that is not a translation. Those "
                  "statements are still waiting."),
}
DIRECTION_LABELS = {"agree": _l("agreed more than the others"),
                    "disagree": _l("disagreed more than the others")}
MODERATION_LABELS = {
    Moderation.post.value: _l("Post-moderation: statements show at once; you can hide them"),
    Moderation.pre.value: _l("Pre-moderation: statements wait until you approve them"),
}


def field_key(code: str) -> str:
    """A language code as part of a field name: "sv-ll" -> "sv_ll"."""
    return code.replace("-", "_")


class EventForm(FlaskForm):
    """An event's details; a title and description field exists for every language."""

    default_language = SelectField(_l("Default language"), default="sv")
    languages = MultiCheckboxField(
        _l("Event languages"), default=["sv"],
        description=_l("Participants choose among these. The default language is always "
                       "included."))
    starts_at = DateTimeLocalField(_l("Starts"), format=DATETIME_FORMAT, validators=[Optional()],
                                   description=_l("Swedish time (Europe/Stockholm)."))
    ends_at = DateTimeLocalField(_l("Ends"), format=DATETIME_FORMAT, validators=[Optional()],
                                 description=_l("Swedish time (Europe/Stockholm)."))
    place = StringField(_l("Place"), filters=[strip], validators=[Length(max=300)],
                        description=_l("For example the library's address. Leave empty for "
                                       "an online event."))
    online_url = StringField(
        _l("Online link"), filters=[strip],
        validators=[Optional(), Length(max=500),
                    URL(require_tld=False, message=_l("Write a full web address, starting "
                                                      "with https://."))])
    target_groups = TextAreaField(
        _l("Target groups"), validators=[Length(max=2000)],
        description=_l("Who you want to hear, one group on each line, e.g. young people "
                       "16–25."))
    focus_areas = MultiCheckboxField(_l("Focus areas"))
    moderation = RadioField(_l("Moderation"), default=Moderation.post.value)
    require_translations = BooleanField(
        _l("Approve a statement only once it is translated into every event language"),
        description=_l("With pre-moderation: participants then read every statement in their "
                       "own language."))
    for_young_people = BooleanField(
        _l("For children and young people"),
        description=_l("What participants under 13, or who do not say their age, write waits "
                       "for a moderator; the consent text is the simpler one, and the pages use "
                       "easy-to-read texts, also the prompts' easy-to-read Swedish where you "
                       "write it."))
    statement_max_length = IntegerField(
        _l("Longest statement (characters)"), default=280,
        validators=[DataRequired(message=_l("Write a number from 20 to 2000.")),
                    NumberRange(min=20, max=2000, message=_l("Write a number from 20 to 2000."))])
    dot_points = IntegerField(
        _l("Points for dot voting per participant"), default=5,
        validators=[Optional(), NumberRange(min=0, max=50,
                                            message=_l("Write a number from 0 to 50."))],
        description=_l("0 turns dot voting off."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_language.choices = language_choices()
        self.languages.choices = language_choices()
        self.focus_areas.choices = choices((key, FOCUS_LABELS[key]) for key in FOCUS_AREAS)
        self.moderation.choices = choices(MODERATION_LABELS.items())
        for code in LANGUAGES:
            name = language_name(code)
            self[f"title_{field_key(code)}"].label.text = _l("Title in %(language)s",
                                                              language=name)
            self[f"description_{field_key(code)}"].label.text = _l(
                "Description in %(language)s", language=name)

    def chosen_languages(self) -> list[str]:
        """The default language first, then the others in the platform's order."""
        first = self.default_language.data
        return [first] + [c for c in LANGUAGES if c != first and c in (self.languages.data or [])]

    def texts(self, name: str) -> dict[str, str]:
        """{language: text} of `title` or `description`, empty ones left out."""
        return {code: self[f"{name}_{field_key(code)}"].data for code in LANGUAGES
                if self[f"{name}_{field_key(code)}"].data}

    def target_group_list(self) -> list[str]:
        lines = (line.strip() for line in (self.target_groups.data or "").splitlines())
        return list(dict.fromkeys(line for line in lines if line))

    def event_fields(self) -> dict:
        """What `services.create_event` and `update_event` take, from a validated form."""
        return {
            "title": self.texts("title"), "description": self.texts("description"),
            "languages": self.chosen_languages(),
            "starts_at": as_utc(self.starts_at.data), "ends_at": as_utc(self.ends_at.data),
            "place": self.place.data or "", "online_url": self.online_url.data or "",
            "target_groups": self.target_group_list(),
            "focus_areas": self.focus_areas.data or [],
            "moderation": Moderation(self.moderation.data),
            "statement_max_length": self.statement_max_length.data,
            "dot_points": self.dot_points.data or 0,
            "require_translations": bool(self.require_translations.data),
            "for_young_people": bool(self.for_young_people.data),
        }

    def validate_ends_at(self, field):
        if field.data and self.starts_at.data and field.data < self.starts_at.data:
            raise ValidationError(_l("The event cannot end before it starts."))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        title = self[f"title_{field_key(self.default_language.data or 'sv')}"]
        if ok and not title.data:
            title.errors = [*title.errors, _l("Write the title in the default language.")]
            return False
        return ok


for _code in LANGUAGES:
    setattr(EventForm, f"title_{field_key(_code)}", StringField(
        _l("Title"), filters=[strip], validators=[Length(max=TITLE_MAX)]))
    setattr(EventForm, f"description_{field_key(_code)}", TextAreaField(
        _l("Description"), filters=[strip], validators=[Length(max=DESCRIPTION_MAX)]))


class PromptForm(FlaskForm):
    """A prompt's text in each language; only the event's languages are shown."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code in LANGUAGES:
            self[f"text_{field_key(code)}"].label.text = _l(
                "Prompt in %(language)s", language=language_name(code))

    def texts(self, languages: list[str]) -> dict[str, str]:
        return {code: self[f"text_{field_key(code)}"].data for code in languages
                if self[f"text_{field_key(code)}"].data}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        first = self[f"text_{field_key(self.default_language)}"]
        if ok and not first.data:
            first.errors = [*first.errors, _l("Write the prompt in the default language.")]
            return False
        return ok

    #: Set by the view to the event's default language: the one text that is required.
    default_language = "sv"


for _code in LANGUAGES:
    setattr(PromptForm, f"text_{field_key(_code)}", TextAreaField(
        _l("Prompt"), filters=[strip], validators=[Length(max=PROMPT_MAX)]))


@dataclass(frozen=True)
class CheckinQuestion:
    """One check-in question as the page asks it."""

    name: str
    legend: str
    #: (value, label); labels are escaped text or Markup marking another language.
    items: list[tuple[str, str]]
    #: Several answers may be chosen (checkboxes); else one (radio buttons, first "skip").
    multiple: bool = False
    hint: str = ""


def band_label(band: str) -> str:
    """"16-19" -> "16–19" (an en dash, as ranges are written)."""
    return band.replace("-", "–")


def spoken_language_label(code: str) -> Markup:
    """"Arabic (العربية)": the name in the page's language, and its own where it differs."""
    if code == ANOTHER_LANGUAGE:
        return escape(_("Another language"))
    own = language(code)
    name = language_name(code)
    if own.native_name == name:
        return escape(name)
    return Markup('{} (<span lang="{}" dir="{}">{}</span>)').format(
        name, own.tag, own.direction, own.native_name)


def checkin_questions(categories: dict[str, list[str]],
                      districts: dict[str, dict[str, str]], lang: str) -> list[CheckinQuestion]:
    """The check-in's questions: age bands, gender, born, district (by name, in `lang`
    where the organisation has one) and the languages spoken at home."""
    skip = ("", _("I prefer not to say"))
    named = {"kvinna": _("Woman"), "man": _("Man"), "annat": _("Another gender"),
             "inrikes": _("Yes, I was born in Sweden"),
             "utrikes": _("No, I was born in another country")}
    questions = [
        CheckinQuestion("age_group", _("How old are you?"),
                        [(c, _("%(group)s years", group=band_label(c)))
                         for c in categories["age_group"]]),
        CheckinQuestion("gender", _("Gender"),
                        [(c, named.get(c, c)) for c in categories["gender"]]),
        CheckinQuestion("born", _("Were you born in Sweden?"),
                        [(c, named.get(c, c)) for c in categories["born"]]),
    ]
    if categories["district"]:
        questions.append(CheckinQuestion(
            "district", _("Which part of the municipality do you live in?"),
            [(c, localized(districts.get(c) or {"sv": c}, lang, "sv"))
             for c in categories["district"]]))
    questions = [CheckinQuestion(q.name, q.legend, [skip, *q.items]) for q in questions]
    questions.append(CheckinQuestion(
        "home_languages", _("Which languages do you speak at home?"),
        [(c, spoken_language_label(c)) for c in categories["home_languages"]], multiple=True,
        hint=_("Choose all that fit. Leave them all empty if you prefer not to say.")))
    return questions
