"""Languages, locale selection and localized-text helpers."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from babel.numbers import format_decimal as babel_format_decimal
from flask import g, has_request_context, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape


@dataclass(frozen=True)
class Language:
    """A platform language: its code, its own name in its own script, and direction."""

    code: str
    native_name: str
    direction: str = "ltr"
    #: The BCP 47 tag for HTML `lang`, when it differs from the code.
    html_lang: str | None = None
    #: The interface catalog used with this content language, when it differs from the code.
    ui: str | None = None

    @property
    def tag(self) -> str:
        return self.html_lang or self.code

    @property
    def ui_locale(self) -> str:
        return self.ui or self.code


#: Every language a survey can be written in, in the order the switch shows them.
LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("sv", "Svenska"),
        # Easy-to-read Swedish is a content language: its own survey texts, Swedish interface.
        Language("sv-ll", "Lättläst svenska", html_lang="sv", ui="sv"),
        Language("en", "English"),
        Language("ar", "العربية", "rtl"),
        Language("fa", "فارسی", "rtl"),
        Language("so", "Soomaali"),
        Language("ti", "ትግርኛ"),
        Language("uk", "Українська"),
    )
}

#: Language names in the staff member's interface language (the native names are above).
LANGUAGE_NAMES = {
    "sv": _l("Swedish"),
    "sv-ll": _l("Easy-to-read Swedish"),
    "en": _l("English"),
    "ar": _l("Arabic"),
    "fa": _l("Persian"),
    "so": _l("Somali"),
    "ti": _l("Tigrinya"),
    "uk": _l("Ukrainian"),
}

#: Languages with an interface catalog in translations/.
UI_LOCALES = ("sv", "en", "ar", "fa", "so", "ti", "uk")
DEFAULT_LOCALE = "sv"


def language(code: str) -> Language:
    """The registered language for `code` (Swedish for an unknown code)."""
    return LANGUAGES.get(code) or LANGUAGES[DEFAULT_LOCALE]


def language_name(code: str) -> str:
    """A language's name in the interface language, e.g. "Arabic"."""
    return str(LANGUAGE_NAMES.get(code, code))


def requested_language(allowed: list[str] | tuple[str, ...]) -> str:
    """The language to show: ?lang=, then the remembered choice, then Accept-Language."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        session["lang"] = asked
        session.permanent = True
    for candidate in (asked, session.get("lang")):
        if candidate in allowed:
            return candidate
        if candidate in LANGUAGES and LANGUAGES[candidate].ui_locale in allowed:
            return LANGUAGES[candidate].ui_locale
    return request.accept_languages.best_match(list(allowed)) or allowed[0]


def select_locale() -> str:
    """Flask-Babel locale selector: the page's content language if set, else the visitor's."""
    if not has_request_context():  # CLI commands and background work
        return DEFAULT_LOCALE
    content = g.get("content_language")
    if content in LANGUAGES:
        return LANGUAGES[content].ui_locale
    return requested_language(UI_LOCALES)


def current_language() -> Language:
    """The language the page is shown in (content language on survey pages)."""
    code = g.get("content_language")
    if code is None:
        from flask_babel import get_locale

        code = str(get_locale())
    return language(code)


def localized(text: dict | None, lang: str, fallback: str | None = None) -> Markup:
    """Escaped text in `lang`; a fallback-language text is marked with its own lang and dir."""
    text = text or {}
    if text.get(lang):
        return escape(text[lang])
    if fallback and text.get(fallback):
        other = language(fallback)
        return Markup('<span lang="{}" dir="{}">{}</span>').format(
            other.tag, other.direction, text[fallback]
        )
    return Markup("")


def tr(text: dict | None) -> Markup:
    """A survey text in the page's content language, falling back to the survey's default."""
    return localized(text, current_language().code, g.get("fallback_language"))


def tr_text(text: dict | None) -> str:
    """The same text as `tr`, as plain text (for attributes, SVG titles, option labels)."""
    text = text or {}
    return text.get(current_language().code) or text.get(g.get("fallback_language") or "", "")


@lru_cache(maxsize=256)
def _numbered(locale: str, points: tuple) -> list[tuple]:
    return [(p, babel_format_decimal(p, locale=locale)) for p in points]


def numbered(points) -> list[tuple]:
    """(value, the value written in the page's locale) for scale points; cached, since every
    scale question of every page view formats the same eleven numbers."""
    return _numbered(str(get_locale()), tuple(points))


def init_app(app) -> None:
    """Template helpers for languages."""

    @app.context_processor
    def languages():
        return {
            "LANGUAGES": LANGUAGES,
            "UI_LOCALES": UI_LOCALES,
            "current_language": current_language,
            "tr": tr,
            "options": lambda items: [(item["code"], tr(item["label"])) for item in items],
            "numbered": numbered,
        }

    app.jinja_env.filters["multiline"] = lambda text: Markup("<br>").join(
        escape(text).split("\n")
    )
