"""Reads of sample frames, samples and outcomes. Nothing here changes anything."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from surveys.extensions import db
from surveys.fieldwork import sampling
from surveys.fieldwork.aapor import AAPOR_CODE, final_outcome
from surveys.fieldwork.codes import normalise_code
from surveys.fieldwork.figures import (
    MIN_PUBLISHED,
    Case,
    GroupFigures,
    by,
    group_figures,
    lowest_rr1,
)
from surveys.fieldwork.models import (
    Delivery,
    DeliveryChannel,
    FrameRow,
    LetterBatch,
    Mailing,
    SampleFrame,
    SampleMember,
    SampleStratum,
)
from surveys.survey.models import Response, Survey
from surveys.weighting.sampled import DrawnSample

#: The people page shows this many sampled people at a time.
PEOPLE_PAGE = 200


def frame_for(survey_id: int) -> SampleFrame | None:
    """The survey's sample frame, if one was imported."""
    return db.session.scalar(select(SampleFrame).where(SampleFrame.survey_id == survey_id))


def has_sample(survey: Survey) -> bool:
    """True when the survey's sample is drawn (residents then answer with a code)."""
    return db.session.scalar(select(SampleFrame.id).where(
        SampleFrame.survey_id == survey.id, SampleFrame.drawn_at.is_not(None))) is not None


def frame_districts(frame: SampleFrame) -> list[str]:
    return list(db.session.scalars(select(FrameRow.district).where(
        FrameRow.frame_id == frame.id).distinct().order_by(FrameRow.district)))


def stratum_values(row, columns: list[str], reference_year: int) -> dict[str, str]:
    """A frame row's value of every strata column (age_group from the birth year)."""
    return {c: (sampling.age_group(row.birth_year, reference_year) if c == "age_group"
                else (getattr(row, c) or "–")) for c in columns}


def stratum_key(values: dict[str, str], columns: list[str]) -> str:
    return " × ".join(values[c] for c in columns) if columns else "–"


def frame_strata(frame: SampleFrame, columns: list[str],
                 languages: dict[int, str | None] | None = None
                 ) -> dict[str, tuple[dict, list[int]]]:
    """Stratum key -> (its values, the ids of its frame rows); fills `languages` (row id ->
    preferred language) when given, from the same read."""
    reference_year = frame.imported_at.year
    rows = db.session.execute(select(
        FrameRow.id, FrameRow.birth_year, FrameRow.district, FrameRow.gender,
        FrameRow.birth_country_group, FrameRow.language).where(FrameRow.frame_id == frame.id))
    strata: dict[str, tuple[dict, list[int]]] = {}
    for row in rows:
        if languages is not None:
            languages[row.id] = row.language
        values = stratum_values(row, columns, reference_year)
        strata.setdefault(stratum_key(values, columns), (values, []))[1].append(row.id)
    return strata


def member_by_code(survey: Survey, typed: str, lock: bool = False) -> SampleMember | None:
    """The sampled person whose code was typed or scanned, in this survey's sample;
    `lock` holds the row until the request ends, so two devices sending one code at
    once begin one response (PostgreSQL; SQLite writes one at a time anyway)."""
    code = normalise_code(typed)
    if not code:
        return None
    query = select(SampleMember).join(SampleFrame).where(
        SampleFrame.survey_id == survey.id, SampleMember.access_code == code)
    if lock:
        query = query.with_for_update(of=SampleMember)
    return db.session.scalar(query)


def sample_size(frame: SampleFrame) -> int:
    return db.session.scalar(select(func.count(SampleMember.id)).where(
        SampleMember.frame_id == frame.id)) or 0


def cases(frame: SampleFrame) -> list[Case]:
    """Every sampled person as the figures see them."""
    rows = db.session.execute(
        select(SampleStratum.key, SampleMember.language, SampleMember.channel,
               SampleMember.outcome, Response.id, Response.channel,
               Response.completed_at)
        .select_from(SampleMember)
        .join(SampleStratum, SampleMember.stratum_id == SampleStratum.id)
        .outerjoin(Response, SampleMember.response_id == Response.id)
        .where(SampleMember.frame_id == frame.id))
    found = []
    for key, language, channel, registered, response_id, via, completed in rows:
        outcome = final_outcome(registered, response_id is not None, completed is not None)
        found.append(Case(
            stratum=key,
            # the preferred language from the frame: known for everyone, answer or not
            language=language or "–",
            channel=(via or channel).value if (via or channel) else "–",
            outcome=outcome,
            completed_on=completed.date() if completed else None))
    return found


def mailings(frame: SampleFrame) -> list[Mailing]:
    return list(db.session.scalars(select(Mailing).where(Mailing.frame_id == frame.id)
                                   .order_by(Mailing.sent_on, Mailing.id)))


def people(frame: SampleFrame, page: int = 1) -> list[tuple[SampleMember, FrameRow | None]]:
    """Sampled people with names and addresses, by stratum and name, a page at a time."""
    query = (select(SampleMember, FrameRow)
             .join(SampleStratum, SampleMember.stratum_id == SampleStratum.id)
             .outerjoin(FrameRow, SampleMember.frame_row_id == FrameRow.id)
             .where(SampleMember.frame_id == frame.id)
             .order_by(SampleStratum.key, FrameRow.name, SampleMember.id))
    if page:
        query = query.limit(PEOPLE_PAGE).offset((page - 1) * PEOPLE_PAGE)
    return [tuple(row) for row in db.session.execute(query)]


def members_by_codes(frame: SampleFrame, codes: list[str]) -> dict[str, SampleMember]:
    found: dict[str, SampleMember] = {}
    for start in range(0, len(codes), 500):
        found |= {m.access_code: m for m in db.session.scalars(select(SampleMember).where(
            SampleMember.frame_id == frame.id,
            SampleMember.access_code.in_(codes[start:start + 500])))}
    return found


def taken_codes(frame: SampleFrame) -> set[str]:
    return set(db.session.scalars(select(SampleMember.access_code).where(
        SampleMember.frame_id == frame.id)))


def rate_summary(survey: Survey) -> tuple[GroupFigures, GroupFigures | None] | None:
    """RR1 of the whole sample and of the stratum that answers least (among strata large
    enough to publish), for the representation monitor; None without a drawn sample."""
    frame = frame_for(survey.id)
    if frame is None or frame.drawn_at is None:
        return None
    found = cases(frame)
    strata = [f for f in by(found, lambda c: c.stratum) if f.sampled >= MIN_PUBLISHED]
    return group_figures("all", found), lowest_rr1(strata)


# -- letters, reminders ------------------------------------------------------------------------
def mailing_recipients(frame: SampleFrame, reminder: bool) -> list[tuple[int, str | None,
                                                                         str | None]]:
    """(member id, e-mail, mobile) of everyone with an address; for a reminder only those
    who have not completed and have no registered outcome."""
    query = (select(SampleMember.id, FrameRow.email, FrameRow.mobile)
             .join(FrameRow, SampleMember.frame_row_id == FrameRow.id)
             .outerjoin(Response, SampleMember.response_id == Response.id)
             .where(SampleMember.frame_id == frame.id)
             .order_by(FrameRow.postal_code, FrameRow.street, SampleMember.id))
    if reminder:
        query = query.where(SampleMember.outcome.is_(None), Response.completed_at.is_(None))
    return [tuple(row) for row in db.session.execute(query)]


def batch_of_kind(frame: SampleFrame, kind) -> LetterBatch | None:
    return db.session.scalar(select(LetterBatch).join(Mailing).where(
        Mailing.frame_id == frame.id, Mailing.kind == kind))


def letter_batches(frame: SampleFrame) -> list[LetterBatch]:
    return list(db.session.scalars(select(LetterBatch).join(Mailing).where(
        Mailing.frame_id == frame.id).order_by(Mailing.sent_on, Mailing.id)))


def mailing_of(frame: SampleFrame, mailing_id: int) -> Mailing | None:
    return db.session.scalar(select(Mailing).where(Mailing.frame_id == frame.id,
                                                   Mailing.id == mailing_id))


def delivery_counts(frame: SampleFrame) -> dict[tuple[int, str], tuple[int, int]]:
    """(mailing id, channel) -> (sent, not sent)."""
    rows = db.session.execute(
        select(Delivery.mailing_id, Delivery.channel,
               func.count(Delivery.sent_at), func.count(Delivery.id))
        .join(Mailing).where(Mailing.frame_id == frame.id)
        .group_by(Delivery.mailing_id, Delivery.channel))
    return {(m, c.value): (sent, total - sent) for m, c, sent, total in rows}


def failed_messages(frame: SampleFrame) -> list[tuple[Delivery, Mailing]]:
    """E-mails and SMS a server refused (or that waited for settings), to send again."""
    return [tuple(row) for row in db.session.execute(
        select(Delivery, Mailing).join(Mailing).where(
            Mailing.frame_id == frame.id, Delivery.sent_at.is_(None),
            Delivery.error.is_not(None)).order_by(Mailing.sent_on, Delivery.id).limit(500))]


def unsent_messages(mailing: Mailing) -> list[Delivery]:
    return list(db.session.scalars(select(Delivery).where(
        Delivery.mailing_id == mailing.id, Delivery.sent_at.is_(None),
        Delivery.channel != DeliveryChannel.letter).order_by(Delivery.id)))


def letter_recipients(mailing: Mailing) -> list[tuple[SampleMember, FrameRow]]:
    """The people of a mailing's letters with their addresses, in postal-code order."""
    return [tuple(row) for row in db.session.execute(
        select(SampleMember, FrameRow)
        .join(Delivery, Delivery.member_id == SampleMember.id)
        .join(FrameRow, SampleMember.frame_row_id == FrameRow.id)
        .where(Delivery.mailing_id == mailing.id, Delivery.channel == DeliveryChannel.letter)
        .order_by(FrameRow.postal_code, FrameRow.street, SampleMember.id))]


# -- weighting ---------------------------------------------------------------------------------
def drawn_sample_of(survey: Survey) -> DrawnSample | None:
    """What the three weighting steps need of the survey's drawn sample: each completed
    response's stratum (through the code it was given under), N_h and n_h. People found
    not eligible (moved out, outside the population) leave n_h. None without a sample."""
    frame = frame_for(survey.id)
    if frame is None or frame.drawn_at is None:
        return None
    strata = {s.id: s for s in frame.strata}
    not_eligible = [o for o, code in AAPOR_CODE.items() if code == "NE"]
    left_out = dict(db.session.execute(
        select(SampleMember.stratum_id, func.count(SampleMember.id))
        .where(SampleMember.frame_id == frame.id, SampleMember.outcome.in_(not_eligible))
        .group_by(SampleMember.stratum_id)).all())
    answered = db.session.execute(
        select(Response.id, SampleMember.stratum_id)
        .join(SampleMember, SampleMember.response_id == Response.id)
        .where(SampleMember.frame_id == frame.id, Response.completed_at.is_not(None))
        .order_by(Response.id)).all()
    return DrawnSample(
        stratum_of_respondent=pd.Series([strata[s].key for _r, s in answered],
                                        index=[r for r, _s in answered], dtype=object),
        population_per_stratum={s.key: s.population for s in strata.values()},
        sampled_per_stratum={s.key: s.sample_size - left_out.get(s.id, 0)
                             for s in strata.values() if s.sample_size - left_out.get(s.id, 0)})
