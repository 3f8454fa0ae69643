"""The barrier report form. Labels are lazy, so they follow the resident's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class BarrierForm(FlaskForm):
    """What did not work, and optionally how to reach the resident."""

    description = TextAreaField(
        _l("What did not work? Describe the page and the problem."),
        validators=[DataRequired(_l("Describe the problem.")), Length(max=5000)],
    )
    contact = StringField(
        _l("Email or phone, if you want an answer (optional)"), validators=[Length(max=200)]
    )
