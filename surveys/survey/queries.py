"""Reads of surveys and responses: lists, counts and lookups. Nothing here changes anything."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import String, and_, bindparam, cast, func, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import selectinload

from surveys.extensions import db
from surveys.survey import published, stats
from surveys.survey.models import (
    RESUME_LENGTH,
    Answer,
    Page,
    Question,
    Response,
    ResponseRow,
    Survey,
    SurveyRow,
    normalise_resume_code,
)


# -- surveys ---------------------------------------------------------------------------------
def organisation_surveys(organisation_id: int, *, with_questions: bool = True) -> list[Survey]:
    """The organisation's surveys, newest first (with pages and questions loaded)."""
    query = (select(Survey).where(Survey.organisation_id == organisation_id)
             .order_by(Survey.created_at.desc(), Survey.id.desc()))
    if with_questions:
        query = query.options(selectinload(Survey.pages).selectinload(Page.questions))
    return list(db.session.scalars(query))


def survey_by_id(survey_id: int) -> Survey | None:
    """A survey by its id (the caller checks whose it is)."""
    return db.session.get(Survey, survey_id)


def survey_by_slug(slug: str) -> Survey | None:
    """The survey answered at /s/<slug>, whatever its state (the row only: answering pages
    take its pages and questions from `survey_definition`)."""
    return db.session.scalar(select(Survey).where(Survey.slug == slug))


def survey_definition(survey: Survey | SurveyRow) -> published.SurveyDefinition:
    """The survey's pages and questions as immutable values, read once per version."""
    return published.definitions.get(survey.id, survey.definition_version,
                                     lambda: _read_definition(survey.id))


def _read_definition(survey_id: int) -> published.SurveyDefinition:
    # One statement, so the version read is the one the pages and questions belong to
    # even when an author's change commits meanwhile.
    rows = db.session.execute(
        select(Survey.definition_version, Page.id, Page.position, Page.title, Question.id,
               Question.key, Question.type, Question.required, Question.text, Question.help,
               Question.settings, Question.condition, Question.audio)
        .select_from(Survey)
        .outerjoin(Page, Page.survey_id == Survey.id)
        .outerjoin(Question, Question.page_id == Page.id)
        .where(Survey.id == survey_id)
        .order_by(Page.position, Question.position)
    ).all()
    return published.build(survey_id, rows[0][0], [row[1:] for row in rows])


def slug_taken(slug: str) -> bool:
    """True when a survey already has this address."""
    return db.session.scalar(select(Survey.id).where(Survey.slug == slug)) is not None


def audio_in_use(sha256: str) -> bool:
    """True while some question still refers to the recording with this hash."""
    return db.session.scalar(select(Question.id).where(
        cast(Question.audio, String).contains(sha256)).limit(1)) is not None


# -- responses -------------------------------------------------------------------------------
def response_counts(organisation_id: int) -> dict[int, tuple[int, int]]:
    """Survey id -> (responses started, responses completed)."""
    rows = db.session.execute(
        select(Response.survey_id, func.count(Response.id), func.count(Response.completed_at))
        .join(Survey, Survey.id == Response.survey_id)
        .where(Survey.organisation_id == organisation_id)
        .group_by(Response.survey_id)
    )
    return {survey_id: (started, completed) for survey_id, started, completed in rows}


def has_responses(survey: Survey) -> bool:
    """True once anyone (resident or staff) has started answering."""
    return db.session.scalar(
        select(Response.id).where(Response.survey_id == survey.id).limit(1)
    ) is not None


def fieldwork(survey_id: int) -> tuple[int, int, datetime | None, datetime | None]:
    """(responses, completed, first started, last completed) of the survey."""
    return tuple(db.session.execute(select(
        func.count(Response.id), func.count(Response.completed_at),
        func.min(Response.started_at), func.max(Response.completed_at),
    ).where(Response.survey_id == survey_id)).one())


def resume_code_taken(survey: Survey, code: str) -> bool:
    """True when another response of the survey has this resume code."""
    return db.session.scalar(
        select(Response.id).where(Response.survey_id == survey.id, Response.resume_code == code)
    ) is not None


# The answering pages' reads: Core statements built once, so each one's cache key is
# computed once per process rather than per request, and rows read as plain values (the
# ORM's identity map and instance states cost more than the statements themselves).
_SURVEYS, _RESPONSES, _ANSWERS = Survey.__table__, Response.__table__, Answer.__table__
_SURVEY_COLUMNS = tuple(_SURVEYS.c[f.name] for f in fields(SurveyRow))
_RESPONSE_COLUMNS = tuple(_RESPONSES.c[f.name] for f in fields(ResponseRow))
_OWN_RESPONSE = and_(_RESPONSES.c.survey_id == _SURVEYS.c.id,
                     _RESPONSES.c.token.in_(bindparam("tokens", expanding=True)))
_AT_SLUG = _SURVEYS.c.slug == bindparam("slug")
_SURVEY_AT = select(*_SURVEY_COLUMNS).where(_AT_SLUG)
_SURVEY_WITH_RESPONSE = (select(*_SURVEY_COLUMNS, *_RESPONSE_COLUMNS)
                         .select_from(_SURVEYS.outerjoin(_RESPONSES, _OWN_RESPONSE))
                         .where(_AT_SLUG))
_SURVEY_WITH_LOCKED_RESPONSE = (select(*_SURVEY_COLUMNS, *_RESPONSE_COLUMNS)
                                .select_from(_SURVEYS.join(_RESPONSES, _OWN_RESPONSE))
                                .where(_AT_SLUG).with_for_update(of=_RESPONSES))
_ANSWER_VALUES = select(_ANSWERS.c.question_id, _ANSWERS.c.value).where(
    _ANSWERS.c.response_id == bindparam("response_id"))
_LOCK_RESPONSE = select(_RESPONSES.c.id).where(
    _RESPONSES.c.id == bindparam("response_id")).with_for_update()


def public_survey(slug: str) -> SurveyRow | None:
    """The survey answered at /s/<slug>, whatever its state, as a row of values."""
    row = db.session.connection().execute(_SURVEY_AT, {"slug": slug}).first()
    return SurveyRow(*row) if row is not None else None


def survey_with_response(slug: str, tokens: Mapping[str, str], *, lock: bool = False
                         ) -> tuple[SurveyRow | None, ResponseRow | None]:
    """The survey answered at /s/<slug> and this device's response to it, in one statement.
    `tokens` maps survey ids (as text) to the response tokens this device holds, as the
    session keeps them. With `lock` (a page being saved) the response is locked until the
    transaction ends (PostgreSQL), so a double tap's second send waits for the first and
    then reads its answers (`answer_values`, after this).
    """
    held = [token for token in tokens.values() if isinstance(token, str) and token]
    if held:
        statement = _SURVEY_WITH_LOCKED_RESPONSE if lock else _SURVEY_WITH_RESPONSE
        row = db.session.connection().execute(statement, {"slug": slug, "tokens": held}).first()
        if row is not None:
            survey = SurveyRow(*row[:len(_SURVEY_COLUMNS)])
            response = (ResponseRow(*row[len(_SURVEY_COLUMNS):])
                        if row[len(_SURVEY_COLUMNS)] is not None else None)
            if response is not None and tokens.get(str(survey.id)) != response.token:
                response = None  # held for another survey id (cannot happen unless forged)
            return survey, response
    return public_survey(slug), None


def answer_values(response_id: int) -> dict[int, Any]:
    """Question id -> stored value of a response's answers."""
    return dict(db.session.connection().execute(_ANSWER_VALUES, {"response_id": response_id})
                .all())


def lock_response(response_id: int) -> None:
    """Lock the response until the transaction ends (PostgreSQL), before reading its answers
    to change them: concurrent saves of one response (a double tap) run one after the other."""
    db.session.connection().execute(_LOCK_RESPONSE, {"response_id": response_id})


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


def response_rows(survey_id: int) -> list[Row]:
    """(id, language, channel, started_at, completed_at) of every response, oldest first."""
    return list(db.session.execute(
        select(Response.id, Response.language, Response.channel, Response.started_at,
               Response.completed_at)
        .where(Response.survey_id == survey_id)
        .order_by(Response.id)
    ))


def load_responses(survey_id: int) -> pd.DataFrame:
    """The survey's responses as a response frame (`stats.RESPONSE_COLUMNS`), oldest first."""
    return stats.response_frame(
        (r.id, r.language, r.channel.value, r.started_at, r.completed_at)
        for r in response_rows(survey_id)
    )


def load_answers(survey_id: int, completed_only: bool = False) -> list[tuple[int, int, Any]]:
    """Every stored answer of the survey as (response id, question id, value), in one query."""
    query = (
        select(Answer.response_id, Answer.question_id, Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id == survey_id)
    )
    if completed_only:
        query = query.where(Response.completed_at.is_not(None))
    return [tuple(row) for row in db.session.execute(query)]
