"""Login and user administration forms, and the role names they show."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Regexp

from surveys.core.forms import MultiCheckboxField, language_choices, strip
from surveys.core.roles import Role

#: Role names in the interface language.
ROLE_LABELS = {
    Role.admin: _l("Administrator"),
    Role.author: _l("Author"),
    Role.facilitator: _l("Facilitator"),
    Role.analyst: _l("Analyst"),
    Role.fieldwork: _l("Fieldwork (sample frames, names and addresses)"),
    Role.interpreter: _l("Interpreter"),
}


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


#: Loose on purpose: the address is checked by the person who receives the password.
EMAIL_RE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def role_choices() -> list[SelectChoice]:
    """Every role, for select fields."""
    return [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]


class NewUserForm(FlaskForm):
    """A new member of staff with an initial password."""

    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), filters=[strip], validators=[
        DataRequired(), Length(max=254),
        Regexp(EMAIL_RE, message=_l("Write an email address, e.g. name@kommun.se."))])
    role = SelectField(_l("Role"), default="author")
    password = PasswordField(
        _l("Initial password"),
        validators=[DataRequired(), Length(min=10, max=200,
                                           message=_l("Use 10 to 200 characters."))],
        description=_l("At least 10 characters. Give it to the person in a safe way."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class LanguagesForm(FlaskForm):
    """The languages a user translates dialogue statements into (interpreters)."""

    languages = MultiCheckboxField(
        _l("Translates into"),
        description=_l("An interpreter translates dialogue statements into these languages "
                       "only."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages.choices = language_choices()


class PasswordForm(FlaskForm):
    """A new password for oneself."""

    current = PasswordField(_l("Current password"),
                            validators=[DataRequired(), Length(max=200)])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)],
                        description=_l("At least 10 characters."))
    repeated = PasswordField(_l("The new password again"),
                             validators=[DataRequired(), Length(max=200)])


class RoleForm(FlaskForm):
    """Another role for a user."""

    role = SelectField(_l("Role"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class ActiveForm(FlaskForm):
    """Deactivate ("0") or reactivate ("1") a user."""

    active = StringField(validators=[AnyOf(("0", "1"))])
