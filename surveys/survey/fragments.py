"""A question's HTML on an answering page, rendered once per language and kept.

Rendering a question (its heading, help, recording and every option through Jinja macros)
was a quarter of the CPU time of an answering request, yet an unanswered question looks
the same for every resident who reads the page in the same languages. So the HTML of a
question shown with no value and no error is kept in this process, under the question's
published definition (immutable, see `published.py`) and everything else it depends on:
the content language, the interface locale, the fallback language, easy-to-read texts and
the survey's address (recordings' links). A question with a value or an error is rendered
every time, and nothing a resident typed is kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import g
from flask_babel import get_locale
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from surveys.core.i18n import easy_read
from surveys.survey.published import QuestionDefinition

#: Questions kept per process (a survey of 25 questions in 8 languages needs 200).
CACHE_SIZE = 2048

_kept: OrderedDict[tuple, Markup] = OrderedDict()
_lock = threading.Lock()


def _render(context: Context, question: QuestionDefinition) -> Markup:
    """What `{% include "survey/questions/<type>.html" %}` would write at this point."""
    template = context.environment.get_template(f"survey/questions/{question.type}.html")
    return Markup(template.render(context.get_all(), question=question))


@pass_context
def question_html(context: Context, question: QuestionDefinition) -> Markup:
    """The question's fields on the page being rendered (template global)."""
    values, errors = context.get("values") or {}, context.get("errors") or {}
    if question.key in errors or any(name in values
                                     for name in question.kind.field_names(question)):
        return _render(context, question)
    # The question object is its definition version's (kept alive by the key, so its id is
    # never reused while its entry lives).
    key = (question, g.get("content_language"), str(get_locale()), g.get("fallback_language"),
           easy_read(), context["survey"].slug)
    with _lock:
        html = _kept.get(key)
        if html is not None:
            _kept.move_to_end(key)
            return html
    html = _render(context, question)
    with _lock:
        _kept[key] = html
        while len(_kept) > CACHE_SIZE:
            _kept.popitem(last=False)
    return html
