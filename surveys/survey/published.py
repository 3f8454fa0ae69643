"""What residents answer: a survey's pages and questions as immutable values, kept per version.

Every answering request needs the whole definition (pages, questions, their texts,
settings, conditions and recordings), but it changes only when an author edits it. Each
such change gives the survey a new `Survey.definition_version` (`models.py` does it on
every flush that touches a page or question), so a definition read once is kept in this
process under (survey id, version); a request reads only the Survey row to know which
version is current. The values are frozen dataclasses with read-only mappings and tuples:
shared between threads and requests, never part of a database session.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from surveys.survey.questions import QuestionType, question_type

#: Definitions kept per process (each survey open at once needs one).
CACHE_SIZE = 48


def freeze(value: Any) -> Any:
    """A read-only copy of a JSON value (mappings become read-only, lists tuples)."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(item) for item in value)
    return value


@dataclass(frozen=True, eq=False)
class QuestionDefinition:
    """A question as the answering pages and their checks use it (see `models.Question`)."""

    id: int
    key: str
    type: str
    required: bool
    text: Mapping
    help: Mapping
    settings: Mapping
    condition: Mapping | None
    audio: Mapping
    #: 0-based index of its page in the survey.
    page_index: int

    @property
    def kind(self) -> QuestionType:
        return question_type(self.type)


@dataclass(frozen=True, eq=False)
class PageDefinition:
    """One screen of questions."""

    id: int
    position: int
    title: Mapping
    questions: tuple[QuestionDefinition, ...]


@dataclass(frozen=True, eq=False)
class SurveyDefinition:
    """A survey's pages in order, with lookups by question key and id."""

    survey_id: int
    version: str
    pages: tuple[PageDefinition, ...]
    by_key: Mapping[str, QuestionDefinition] = field(init=False)
    by_id: Mapping[int, QuestionDefinition] = field(init=False)

    def __post_init__(self) -> None:
        questions = self.questions()
        object.__setattr__(self, "by_key", MappingProxyType({q.key: q for q in questions}))
        object.__setattr__(self, "by_id", MappingProxyType({q.id: q for q in questions}))

    def questions(self) -> list[QuestionDefinition]:
        """All questions in survey order."""
        return [q for page in self.pages for q in page.questions]


def build(survey_id: int, version: str, rows) -> SurveyDefinition:
    """A definition from rows of (page id, position, title, question id, key, type, required,
    text, help, settings, condition, audio) ordered by page and question position; a page
    without questions has a row with question id None."""
    pages: dict[int, tuple[int, Mapping, list]] = {}
    for page_id, position, title, q_id, *question in rows:
        if page_id is None:  # a survey without pages
            continue
        index = pages.setdefault(page_id, (len(pages), freeze(title or {}), []))
        if q_id is not None:
            key, type_name, required, text, help_, settings, condition, audio = question
            index[2].append(QuestionDefinition(
                id=q_id, key=key, type=type_name, required=bool(required),
                text=freeze(text or {}), help=freeze(help_ or {}),
                settings=freeze(settings or {}),
                condition=freeze(condition) if condition else None,
                audio=freeze(audio or {}), page_index=index[0]))
    return SurveyDefinition(survey_id, version, tuple(
        PageDefinition(id=page_id, position=number, title=title, questions=tuple(questions))
        for page_id, (number, title, questions) in pages.items()))


class DefinitionCache:
    """Least recently used definitions by (survey id, version); safe for threads."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[tuple[int, str], SurveyDefinition] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, survey_id: int, version: str,
            load: Callable[[], SurveyDefinition]) -> SurveyDefinition:
        """The cached definition, else `load()`'s, kept only when it is of `version` (an
        author's change committed meanwhile gives another: it is used once, not kept)."""
        key = (survey_id, version)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        loaded = load()  # outside the lock: other surveys' requests need not wait
        if loaded.version == version:
            with self._lock:
                self._items[key] = loaded
                self._items.move_to_end(key)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return loaded

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


definitions = DefinitionCache()
