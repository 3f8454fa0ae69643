"""A statement as a reader sees it: in their language when a person has approved a
translation, else as written, with its own language marked and a translation on the way.

Machine drafts are never shown to participants or the public: only approved translations.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialog.models import Statement
from surveys.core.i18n import Language, language


@dataclass(frozen=True)
class Version:
    """A statement's text in one language."""

    code: str
    text: str
    #: True for the text as it was written.
    original: bool

    @property
    def language(self) -> Language:
        return language(self.code)


@dataclass(frozen=True)
class Shown:
    """What a reader of `wanted` sees of a statement."""

    #: The text shown first: the approved translation into the wanted language, else the
    #: original.
    main: Version
    #: The original, when `main` is a translation (the reader may open it beneath).
    original: Version | None
    #: No approved translation into the wanted language yet: a translation is coming.
    waiting: bool


def original(statement: Statement) -> Version:
    return Version(statement.language, statement.text, True)


def shown(statement: Statement, wanted: str) -> Shown:
    """`statement` for a reader of `wanted` (a language code)."""
    written = original(statement)
    if wanted == statement.language:
        return Shown(written, None, False)
    translation = statement.translation(wanted)
    if translation is not None and translation.approved:
        return Shown(Version(wanted, translation.text, False), written, False)
    return Shown(written, None, True)


def versions(statement: Statement, languages: list[str]) -> list[Version]:
    """The original first, then every approved translation in the order of `languages`."""
    found = [original(statement)]
    for code in languages:
        translation = statement.translation(code)
        if code != statement.language and translation is not None and translation.approved:
            found.append(Version(code, translation.text, False))
    return found
