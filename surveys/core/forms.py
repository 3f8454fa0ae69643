"""What every feature's forms use: choices, checkbox groups, numbers typed either way.

Labels are lazy, so they follow the user's language.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from surveys.core.i18n import LANGUAGES, language, language_name

#: What a datetime-local input sends.
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
NUMBER_RE = re.compile(r"^-?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?$")


def strip(value):
    """A field filter: text without surrounding spaces."""
    return value.strip() if isinstance(value, str) else value


def choices(pairs) -> list[SelectChoice]:
    """Choices for select, radio and checkbox fields from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def language_choices(codes=None) -> list[SelectChoice]:
    """"Arabic – العربية" for the given codes, the platform's languages by default."""
    return choices((code, f"{language_name(code)} – {language(code).native_name}")
                   for code in (codes or LANGUAGES))


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes; templates wrap it in a fieldset with a legend."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class NumberField(Field):
    """A number typed the Swedish or the English way: 1,5 or 1.5 or 1e-10; empty is None."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:g}"

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            text = valuelist[0].strip().replace(" ", "").replace("\u2212", "-")
            if not NUMBER_RE.match(text):
                raise ValueError(_l("Write a number, e.g. 1,5."))
            self.data = float(text.replace(",", "."))


class ConfirmForm(FlaskForm):
    """A button that changes state (approve, delete, open …): only the CSRF token."""


def form_status(form: FlaskForm) -> int:
    """The status a form page answers with: 400 when it comes back after a POST."""
    return 400 if form.is_submitted() else 200


def field_problems(form: FlaskForm | None, error) -> list[str]:
    """Put a service's refusal beside the form field it names, else return it for the summary.

    `error` carries `problems` (sentences) and `field` (a field name or None).
    """
    if error.field and form is not None and error.field in form:
        form[error.field].errors = [*form[error.field].errors, *error.problems]
        return []
    return list(error.problems)
