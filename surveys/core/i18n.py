"""Languages, locale selection and localized-text helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import langcodes
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
        """The interface catalog shown with this language unless a survey chooses another."""
        return self.ui or (self.code if self.code in UI_LOCALES else DEFAULT_LOCALE)


#: Languages with an interface catalog in translations/.
UI_LOCALES = ("sv", "en", "ar", "fa", "so", "ti", "uk")
DEFAULT_LOCALE = "sv"


#: The platform's languages: every interface language, and easy-to-read Swedish.
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

#: Content-only languages offered by name when authors choose a survey's languages: Sweden's
#: national minority languages, then large languages of newer arrivals. Any other valid
#: BCP 47 tag can be typed in; its names then come from CLDR (`langcodes`).
MORE_LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("fi", "suomi"),
        Language("fit", "meänkieli"),
        Language("se", "davvisámegiella"),
        Language("sma", "åarjelsaemien gïele"),
        Language("smj", "julevsámegiella"),
        Language("rom", "romani čhib"),
        Language("rmy", "romani čhib (vlax)"),
        Language("yi", "ייִדיש", "rtl"),
        # Dari readers read the Persian interface.
        Language("prs", "دری", "rtl", ui="fa"),
        Language("ckb", "کوردیی سۆرانی", "rtl"),
        Language("kmr", "kurdî (kurmancî)"),
    )
}

#: Every language offered by name, in the order authors see them.
OFFERED: dict[str, Language] = LANGUAGES | MORE_LANGUAGES

#: Scripts written right to left (ISO 15924), for tags not in the lists above.
RTL_SCRIPTS = frozenset({"Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg", "Mand",
                         "Samr", "Mend", "Yezi"})
#: RFC 5646 asks implementations to keep tags of at least 35 characters.
TAG_MAX = 35
#: Subtags of letters and digits joined by hyphens (langcodes alone also takes "sv_SE").
TAG_SYNTAX = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")

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
    "fi": _l("Finnish"),
    "fit": _l("Meänkieli"),
    "se": _l("Northern Sami"),
    "sma": _l("Southern Sami"),
    "smj": _l("Lule Sami"),
    "rom": _l("Romani"),
    "rmy": _l("Vlax Romani"),
    "yi": _l("Yiddish"),
    "prs": _l("Dari"),
    "ckb": _l("Kurdish (Sorani)"),
    "kmr": _l("Kurdish (Kurmanji)"),
}


def normalise_tag(text: str) -> str | None:
    """`text` as a BCP 47 tag in its usual case (``pa-Arab-PK``), or None if it is not a
    valid one. Offered codes (also ``sv-ll``) pass as they are; subtags are not replaced
    by preferred values, so ``prs`` stays Dari rather than becoming ``fa-AF``."""
    text = (text or "").strip()
    if text in OFFERED:
        return text
    if len(text) > TAG_MAX or not TAG_SYNTAX.match(text) or not langcodes.tag_is_valid(text):
        return None
    parts = text.split("-")
    # Language lower case, script title case, region upper case, the rest lower case.
    shaped = [parts[0].lower()]
    extension = False
    for part in parts[1:]:
        extension = extension or len(part) == 1  # after a singleton: lower case to the end
        if extension:
            shaped.append(part.lower())
        elif len(part) == 4 and part.isalpha():
            shaped.append(part.title())
        elif len(part) == 2 and part.isalpha() or len(part) == 3 and part.isdigit():
            shaped.append(part.upper())
        else:
            shaped.append(part.lower())
    return "-".join(shaped)


@lru_cache(maxsize=512)
def _described(code: str) -> Language:
    """A language known only by its tag: its own name and direction from CLDR data."""
    described = langcodes.Language.get(code, normalize=False)
    script = described.script or described.maximize().script
    base = described.language or ""
    return Language(code, described.autonym() or code,
                    "rtl" if script in RTL_SCRIPTS else "ltr",
                    ui=base if base in UI_LOCALES else None)


def language(code: str) -> Language:
    """The language for `code`: offered by name, or described from its tag (Swedish for a
    code that is not a valid tag)."""
    if code in OFFERED:
        return OFFERED[code]
    return _described(code) if normalise_tag(code) else LANGUAGES[DEFAULT_LOCALE]


def language_name(code: str) -> str:
    """A language's name in the interface language, e.g. "Arabic"."""
    if code in LANGUAGE_NAMES:
        return str(LANGUAGE_NAMES[code])
    if normalise_tag(code) is None:
        return code
    locale = str(get_locale() or DEFAULT_LOCALE) if has_request_context() else DEFAULT_LOCALE
    return langcodes.Language.get(code, normalize=False).display_name(locale)


def requested_language(allowed: list[str] | tuple[str, ...]) -> str:
    """The language to show: ?lang=, then the remembered choice, then Accept-Language."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGES or asked in allowed:
        session["lang"] = asked
        session.permanent = True
    for candidate in (asked, session.get("lang")):
        if candidate in allowed:
            return candidate
        if candidate in LANGUAGES and LANGUAGES[candidate].ui_locale in allowed:
            return LANGUAGES[candidate].ui_locale
    return request.accept_languages.best_match(list(allowed)) or allowed[0]


def select_locale() -> str:
    """Flask-Babel locale selector: the interface a survey chose for its content language,
    else the content language's own, else the visitor's."""
    if not has_request_context():  # CLI commands and background work
        return DEFAULT_LOCALE
    if g.get("interface_locale") in UI_LOCALES:
        return g.interface_locale
    content = g.get("content_language")
    if content in LANGUAGES:
        return LANGUAGES[content].ui_locale
    return requested_language(UI_LOCALES)


def current_language() -> Language:
    """The language the page is shown in (content language on survey pages)."""
    code = g.get("content_language")
    if code is None:
        code = str(get_locale())
    return language(code)


def interface_language() -> Language:
    """The language of the page's interface: `<html lang dir>`, buttons and messages."""
    locale = get_locale()  # also in jobs, under force_locale; None outside any app context
    return language(str(locale) if locale else DEFAULT_LOCALE)


def _marked(value: str, code: str) -> Markup:
    """`value` escaped, in a span naming its language when the page around speaks another."""
    own = language(code)
    page = interface_language()
    if own.tag == page.tag and own.direction == page.direction:
        return escape(value)
    return Markup('<span lang="{}" dir="{}">{}</span>').format(own.tag, own.direction, value)


def localized(text: dict | None, lang: str, fallback: str | None = None) -> Markup:
    """Escaped text in `lang` (else in `fallback`), marked with its own lang and dir wherever
    that differs from the interface's, e.g. Finnish survey texts in a Swedish interface."""
    text = text or {}
    if text.get(lang):
        return _marked(text[lang], lang)
    if fallback and text.get(fallback):
        return _marked(text[fallback], fallback)
    return Markup("")


#: A content language -> its easy-to-read variant, read first on easy-read pages where written.
EASY_READ = {"sv": "sv-ll"}


def easy_read() -> bool:
    """True on pages that ask for easy-to-read texts (`g.easy_read`, set by a dialogue event
    for children and young people). Content texts then come in the easy-to-read variant of
    the page's language where one is written (`EASY_READ`); the interface has no catalog of
    its own for sv-ll (it is a content language with the Swedish interface, see `LANGUAGES`),
    so templates choose a second, easy-read wording of their key texts, a msgid of its own,
    whose Swedish is the lättläst wording and which every catalog translates plainly."""
    return has_request_context() and bool(g.get("easy_read"))


def _content_code(text: dict) -> str:
    """The code of the text to show: the page's content language, or its easy-to-read
    variant on an easy-read page when that text is written."""
    code = current_language().code
    easier = EASY_READ.get(code)
    return easier if easier and text.get(easier) and easy_read() else code


def tr(text: dict | None) -> Markup:
    """A survey text in the page's content language, falling back to the survey's default."""
    text = text or {}
    return localized(text, _content_code(text), g.get("fallback_language"))


def tr_text(text: dict | None) -> str:
    """The same text as `tr`, as plain text (for attributes, SVG titles, option labels)."""
    text = text or {}
    return text.get(_content_code(text)) or text.get(g.get("fallback_language") or "", "")


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
            "easy_read": easy_read,
            "interface_language": interface_language,
            "language": language,
            "tr": tr,
            "options": lambda items: [(item["code"], tr(item["label"])) for item in items],
            "numbered": numbered,
        }

    app.jinja_env.filters["multiline"] = lambda text: Markup("<br>").join(
        escape(text).split("\n")
    )
