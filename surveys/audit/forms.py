"""The audit log's filter (a GET form: it only reads)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from surveys.audit.queries import AuditFilter
from surveys.audit.services import ACTIONS


class AuditFilterForm(FlaskForm):
    """Person, action and dates."""

    class Meta:
        csrf = False

    user = SelectField(_l("Person"), validators=[Optional()])
    action = SelectField(_l("Action"), validators=[Optional()])
    since = DateField(_l("From (date)"), validators=[Optional()])
    until = DateField(_l("To (date)"), validators=[Optional()])

    def __init__(self, users, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user.choices = [("", _l("Everyone"))] + [(str(u.id), u.name) for u in users]
        self.action.choices = [("", _l("Every action"))] + list(ACTIONS.items())

    def chosen(self) -> AuditFilter:
        """The filter; call after `validate()`."""
        return AuditFilter(user_id=int(self.user.data) if self.user.data else None,
                           action=self.action.data or None, since=self.since.data,
                           until=self.until.data)
