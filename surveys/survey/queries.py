"""Reads of surveys and responses: lists, counts and lookups. Nothing here changes anything."""

from __future__ import annotations

from datetime import datetime
from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import String, and_, cast, func, select
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
    Survey,
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


def survey_definition(survey: Survey) -> published.SurveyDefinition:
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


def survey_with_response(slug: str, tokens: Mapping[str, str], *, lock: bool = False
                         ) -> tuple[Survey | None, Response | None]:
    """The survey answered at /s/<slug> and this device's response to it with its answers.
    `tokens` maps survey ids (as text) to the response tokens this device holds, as the
    session keeps them.

    One statement; with `lock` (a page being saved) the response is locked (PostgreSQL)
    and its answers read as objects in a second statement, so they include those of a
    double tap's first request, committed meanwhile. (Joined to the first, every answer's
    row would repeat the survey's texts, decoded again each time.) A page view reads the
    answers with `answer_values`.
    """
    held = [token for token in tokens.values() if isinstance(token, str) and token]
    if held:
        own = and_(Response.survey_id == Survey.id, Response.token.in_(held))
        query = select(Survey, Response).where(Survey.slug == slug)
        query = (query.join(Response, own).with_for_update(of=Response)
                 .options(selectinload(Response.answers)) if lock
                 else query.outerjoin(Response, own))
        row = db.session.execute(query).first()
        if row is not None:
            survey, response = row
            if response is not None and tokens.get(str(survey.id)) != response.token:
                response = None  # held for another survey id (cannot happen unless forged)
            return survey, response
    return db.session.scalar(select(Survey).where(Survey.slug == slug)), None


def answer_values(response_id: int) -> dict[int, Any]:
    """Question id -> stored value of a response's answers (values only: a page view)."""
    return {question_id: value for question_id, value in db.session.execute(
        select(Answer.question_id, Answer.value).where(Answer.response_id == response_id))}


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
