"""Starting, resuming and saving responses: the rules that keep every answer once."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from surveys.core.time import utcnow
from surveys.extensions import db
from surveys.questions import AnswerError
from surveys.survey.models import Answer, Channel, Page, Question, Response, Survey

#: Resume codes avoid characters that look alike (0/O, 1/I/L, 2/Z, 5/S, 8/B).
RESUME_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
RESUME_LENGTH = 8


def format_resume_code(code: str) -> str:
    """Show a resume code in two groups, e.g. ``K7MP-2QXD``."""
    return f"{code[:4]}-{code[4:]}"


def normalise_resume_code(text: str) -> str:
    """What the resident typed, without spaces, hyphens or case."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def start_response(
    survey: Survey, language: str, channel: Channel = Channel.web, entered_by=None
) -> Response:
    """Create an empty response with a fresh token and resume code."""
    while True:
        code = "".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_LENGTH))
        taken = db.session.scalar(
            select(Response.id).where(Response.survey_id == survey.id, Response.resume_code == code)
        )
        if taken is None:
            break
    response = Response(
        survey=survey,
        token=secrets.token_urlsafe(32),
        resume_code=code,
        language=language,
        channel=channel,
        entered_by_id=entered_by.id if entered_by else None,
    )
    db.session.add(response)
    db.session.flush()
    return response


def response_by_token(survey: Survey, token: str | None) -> Response | None:
    """The response a cookie token points to, if it belongs to this survey."""
    if not token:
        return None
    return db.session.scalar(
        select(Response).where(Response.survey_id == survey.id, Response.token == token)
    )


def response_by_resume_code(survey: Survey, typed: str) -> Response | None:
    """The unfinished response a typed resume code belongs to."""
    code = normalise_resume_code(typed)
    if len(code) != RESUME_LENGTH:
        return None
    return db.session.scalar(
        select(Response).where(
            Response.survey_id == survey.id,
            Response.resume_code == code,
            Response.completed_at.is_(None),
        )
    )


def answers_by_key(response: Response) -> dict[str, object]:
    """Question key -> stored answer value."""
    return {answer.question.key: answer.value for answer in response.answers}


def is_shown(question: Question, answers: dict[str, object]) -> bool:
    """True unless the question's display condition is unmet by the earlier answer."""
    condition = question.condition
    if not condition:
        return True
    source = next(
        (q for q in question.page.survey.questions() if q.key == condition["question"]), None
    )
    if source is None or source.key not in answers:
        return False
    given = source.kind.condition_values(answers[source.key])
    return bool(given & {str(v) for v in condition["values"]})


def shown_questions(page: Page, answers: dict[str, object]) -> list[Question]:
    """The questions of a page that the resident sees, given the answers so far."""
    return [q for q in page.questions if is_shown(q, answers)]


def shown_pages(survey: Survey, answers: dict[str, object]) -> list[int]:
    """Indexes of the pages with at least one question shown."""
    return [i for i, page in enumerate(survey.pages) if shown_questions(page, answers)]


@dataclass
class PageResult:
    """What came of submitting a page."""

    errors: dict[str, str] = field(default_factory=dict)
    #: The form values as submitted, to show again next to the errors.
    values: dict[str, object] = field(default_factory=dict)
    next_page: int | None = None
    completed: bool = False


def save_page(response: Response, page_index: int, form, *, going_back: bool = False) -> PageResult:
    """Validate and store one page's answers in the current transaction.

    Answers are replaced, never appended, so submitting the same page twice stores
    each answer once. Nothing is written when any answer on the page is invalid.
    Going back skips the required check but still refuses malformed answers.
    """
    survey = response.survey
    # Serialise concurrent submits of the same response (a double tap) on PostgreSQL.
    db.session.execute(
        select(Response.id).where(Response.id == response.id).with_for_update()
    )
    page = survey.pages[page_index]
    answers = answers_by_key(response)
    result = PageResult()
    parsed: dict[Question, object] = {}
    for question in page.questions:
        # Conditions may refer to earlier questions on the same page.
        if not is_shown(question, answers | {q.key: v for q, v in parsed.items() if v is not None}):
            continue
        try:
            value = question.kind.parse(question, form)
            if value is None and question.required and not going_back:
                raise AnswerError(_l("This question needs an answer."))
        except AnswerError as error:
            result.errors[question.key] = error.message
            result.values.update({name: _raw(form, name) for name in question.kind.field_names(question)})
            continue
        parsed[question] = value
        result.values.update(question.kind.form_values(question, value))
    if result.errors:
        return result

    stored = {answer.question_id: answer for answer in response.answers}
    for question in page.questions:
        value = parsed.get(question)
        if value is None:
            if question.id in stored:
                db.session.delete(stored[question.id])
                response.answers.remove(stored[question.id])
        elif question.id in stored:
            stored[question.id].value = value
        else:
            response.answers.append(Answer(question=question, value=value))
    db.session.flush()
    _forget_hidden_answers(response)

    answers = answers_by_key(response)
    pages = shown_pages(survey, answers)
    if going_back:
        earlier = [i for i in pages if i < page_index]
        result.next_page = earlier[-1] if earlier else page_index
    else:
        later = [i for i in pages if i > page_index]
        if later:
            result.next_page = later[0]
        else:
            result.completed = True
            if response.completed_at is None:
                response.completed_at = utcnow()
    if result.next_page is not None:
        response.current_page = result.next_page
    response.updated_at = utcnow()
    db.session.flush()
    return result


def _forget_hidden_answers(response: Response) -> None:
    """Drop answers to questions that an edited earlier answer now hides."""
    answers = answers_by_key(response)
    hidden = [a.id for a in response.answers if not is_shown(a.question, answers)]
    if hidden:
        db.session.execute(delete(Answer).where(Answer.id.in_(hidden)))
        db.session.expire(response, ["answers"])


def _raw(form, name: str):
    values = form.getlist(name)
    return values if len(values) > 1 else (values[0] if values else None)
