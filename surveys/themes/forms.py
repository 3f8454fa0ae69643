"""Forms of themes and series, and the labels their pages show."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from surveys.auth.access import MAX_ID
from surveys.core.forms import MultiCheckboxField, choices, strip
from surveys.core.i18n import LANGUAGES
from surveys.themes.models import NAME_MAX

#: The groupings of a theme's counts, as the theme page names them.
GROUPING_LABELS = {"age": _l("Age"), "gender": _l("Gender"), "born": _l("Country of birth"),
                   "district": _l("District")}
#: Categories the check-in and the weighting share, in words.
CATEGORY_LABELS = {"kvinna": _l("Woman"), "man": _l("Man"), "annat": _l("Another gender"),
                   "inrikes": _l("Born in Sweden"), "utrikes": _l("Born abroad"),
                   "": _l("Not stated")}


def _add_name_fields(form_class: type, label) -> None:
    """One name field per platform language, `name_<code>`."""
    for code, language in LANGUAGES.items():
        setattr(form_class, f"name_{code.replace('-', '_')}", StringField(
            label(language.native_name), filters=[strip],
            validators=[Optional(), Length(max=NAME_MAX)],
            render_kw={"lang": language.tag, "dir": language.direction}))


def names_from(form: FlaskForm) -> dict[str, str]:
    """{language code: name} from the per-language fields."""
    return {code: getattr(form, f"name_{code.replace('-', '_')}").data or ""
            for code in LANGUAGES}


def fill_names(form: FlaskForm, names: dict[str, str]) -> None:
    for code in LANGUAGES:
        getattr(form, f"name_{code.replace('-', '_')}").data = (names or {}).get(code, "")


class ThemeForm(FlaskForm):
    """A theme's names (Swedish required; the others fall back to it) and its goals."""

    goals = MultiCheckboxField(_l("Goals it speaks to"), coerce=int, choices=[])

    def set_goals(self, goals: list[tuple[int, str]]) -> None:
        self.goals.choices = choices(goals)


_add_name_fields(ThemeForm, lambda name: _l("Name (%(language)s)", language=name))


class SeriesForm(FlaskForm):
    """A series' names."""


_add_name_fields(SeriesForm, lambda name: _l("Name (%(language)s)", language=name))


class TagForm(FlaskForm):
    """The themes of one statement or answer."""

    themes = MultiCheckboxField(_l("Themes"), coerce=int)


def chosen_ids(values: list[str]) -> list[int] | None:
    """The ids ticked or chosen on a page, in order without repeats; None when one of them
    is not a whole number an id can be (nothing is then done with the others)."""
    ids: list[int] = []
    for text in values:
        text = text.strip()
        if not (text.isascii() and text.isdigit() and len(text) < 11) or not (
                0 < int(text) <= MAX_ID):
            return None
        if int(text) not in ids:
            ids.append(int(text))
    return ids
