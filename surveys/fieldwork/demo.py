"""The demo's second survey, run the drawn way: a register extract of the demo's 25,000
residents, a stratified sample of 4,000 (young and foreign-born strata oversampled), the
invitation letter and two reminders on stated dates, outcomes that look like a Swedish
municipal postal survey (about 40 % answer, far fewer young men born abroad), returned
letters and refusals, and an approved weighting run in three steps.

Nothing here lays out letters (the demo only records the mailings, to stay fast); the
caller brings the responses (`respond`) and the weighting (`weigh`), which live above
this feature.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import select, update

from surveys.extensions import db
from surveys.fieldwork import queries, services
from surveys.fieldwork.aapor import Outcome
from surveys.fieldwork.frame_file import FrameCheck
from surveys.fieldwork.models import FrameRow, MailingKind, SampleMember
from surveys.survey.definition import load_template
from surveys.survey.models import Response, Survey, SurveyStatus
from surveys.survey.services import import_definition

SLUG = "demo-urval"
TEMPLATE = "tillit-och-delaktighet"
SAMPLE = 4_000
COLUMNS = ["age_group", "birth_country_group"]
SEED = 20260301
#: Days after the invitation letter that the reminders went out, and the field period.
REMINDERS = (10, 21)
FIELD_DAYS = 35
#: Registered outcomes among those who did not answer: share of the sample each.
REGISTERED = {Outcome.unknown_address: 0.015, Outcome.moved_out: 0.008,
              Outcome.refused: 0.025, Outcome.deceased: 0.002, Outcome.unable: 0.004}
#: The extract's preferred languages of residents born abroad (None: none given).
LANGUAGES = (["ar", "so", "ti", "fa", "uk", "en", None], [0.2, 0.08, 0.06, 0.06, 0.05, 0.05, 0.5])


def frame_rows(population: pd.DataFrame, year: int, rng: np.random.Generator) -> FrameCheck:
    """The demo's residents as the importer's clean rows (names and addresses invented)."""
    foreign = population["foreign"].to_numpy()
    language = np.where(foreign, rng.choice(np.array(LANGUAGES[0], dtype=object),
                                            len(population), p=LANGUAGES[1]), None)
    has_email = rng.random(len(population)) < 0.35
    has_mobile = rng.random(len(population)) < 0.25
    gender = {"woman": "kvinna", "man": "man", "other": "annat"}
    rows = [{"line": i + 2, "person_id": f"{year - age}{i:08d}", "name": f"Invånare {i + 1}",
             "care_of": "", "street": f"Exempelgatan {i % 240 + 1}",
             "postal_code": f"{43200 + i % 90:05d}", "town": "Exempelby",
             "birth_year": int(year - age), "gender": gender[g], "district": d,
             "birth_country_group": "utrikes" if f else "sverige", "language": lang,
             "mobile": f"070-{i:07d}" if has_mobile[i] else None,
             "email": f"invanare{i + 1}@exempel.example" if has_email[i] else None}
            for i, (age, g, d, f, lang) in enumerate(zip(
                population["age"], population["gender"], population["district"], foreign,
                language))]
    return FrameCheck(rows=rows, lines=len(rows) + 1)


def answer_chance(people: pd.DataFrame) -> np.ndarray:
    """Chance of answering: lower for the young, men and people born abroad, lowest for
    young men born abroad (a real municipal survey's pattern), about 40 % overall."""
    age = people["age"].to_numpy()
    foreign = people["foreign"].to_numpy()
    man = people["gender"].to_numpy() == "man"
    chance = (np.select([age < 30, age < 45, age < 65], [0.42, 0.52, 0.64], 0.76)
              * np.where(man, 0.85, 1.0) * np.where(foreign, 0.55, 1.0)
              * np.where(man & foreign & (age < 30), 0.6, 1.0))
    return np.clip(chance, 0, 0.9)


def load_drawn_demo(organisation, population: pd.DataFrame, now: datetime,
                    respond: Callable[[Survey, pd.DataFrame], list[int]],
                    weigh: Callable[[Survey], object]) -> list[str]:
    """Create the drawn-sample survey with its fieldwork; lines to print."""
    rng = np.random.default_rng(SEED)
    survey = import_definition(load_template(TEMPLATE), organisation.id, slug=SLUG)
    survey.status = SurveyStatus.closed
    letter_day = (now - timedelta(days=FIELD_DAYS + 7)).replace(hour=8, minute=0, second=0,
                                                                microsecond=0)
    survey.opens_at, survey.closes_at = letter_day, letter_day + timedelta(days=FIELD_DAYS)
    db.session.flush()
    frame = services.import_frame(survey, frame_rows(population, letter_day.year, rng),
                                  "befolkningsregister-utdrag.csv", None)
    frame.imported_at = letter_day - timedelta(days=14)
    strata = queries.frame_strata(frame, COLUMNS)
    factors = {key: (2.0 if values["age_group"] == "16–29" else 1.0)
               * (2.0 if values["birth_country_group"] == "utrikes" else 1.0)
               for key, (values, _ids) in strata.items()}
    services.draw_sample(frame, services.Design(columns=COLUMNS, n=SAMPLE, minimum=40,
                                                factors=factors, seed=SEED))
    frame.drawn_at = letter_day - timedelta(days=10)

    # who answers, and when: most after the letter, then after each reminder
    members = db.session.execute(select(SampleMember.id, FrameRow.line).join(
        FrameRow, SampleMember.frame_row_id == FrameRow.id).where(
        SampleMember.frame_id == frame.id).order_by(SampleMember.id)).all()
    people = population.iloc[[line - 2 for _m, line in members]].reset_index(drop=True)
    answers = rng.random(len(people)) < answer_chance(people)
    wave = rng.choice(3, len(people), p=[0.58, 0.27, 0.15])
    starts = np.array([0, *REMINDERS])[wave] + np.minimum(rng.exponential(3, len(people)), 9)
    respondents = np.flatnonzero(answers)
    ids = respond(survey, people.iloc[respondents].reset_index(drop=True))
    db.session.execute(update(SampleMember), [
        {"id": members[i][0], "response_id": rid, "code_used_at": letter_day}
        for i, rid in zip(respondents, ids)])
    times = [letter_day + timedelta(days=float(starts[i]), hours=float(rng.uniform(1, 12)))
             for i in respondents]
    db.session.execute(update(Response), [
        {"id": rid, "started_at": at, "updated_at": at + timedelta(minutes=14)}
        for rid, at in zip(ids, times)])
    db.session.execute(update(Response).where(Response.id.in_(ids),
                                              Response.completed_at.is_not(None))
                       .values(completed_at=Response.updated_at))

    # returned letters, refusals, deaths and moves among those who did not answer
    silent = np.flatnonzero(~answers)
    picked = rng.permutation(silent)
    start, registered = 0, []
    for outcome, share in REGISTERED.items():
        count = round(share * len(people))
        on = (letter_day + timedelta(days=int(rng.integers(3, FIELD_DAYS)))).date()
        registered += [{"id": members[i][0], "outcome": outcome, "outcome_on": on}
                       for i in picked[start:start + count]]
        start += count
    db.session.execute(update(SampleMember), registered)

    # the mailings as recorded: everyone, then those who had not answered by then
    completed_by = sorted(times[k] for k, rid in enumerate(ids))
    for kind, day in ((MailingKind.letter, 0), (MailingKind.reminder_1, REMINDERS[0]),
                      (MailingKind.reminder_2, REMINDERS[1])):
        sent = letter_day + timedelta(days=day)
        answered = sum(1 for t in completed_by if t < sent)
        services.record_mailing(frame, kind, sent.date(), len(people) - answered - start)
    db.session.flush()

    weigh(survey)
    summary = queries.rate_summary(survey)
    overall, lowest = summary
    return [(f"Drawn-sample survey /s/{SLUG} (closed): {len(people):,} sampled from "
             f"{len(population):,} in {len(strata)} strata, letter on {letter_day.date()} and "
             f"reminders on day {REMINDERS[0]} and {REMINDERS[1]}; "
             f"RR1 {overall.rates.rr1:.1%}, RR3 {overall.rates.rr3:.1%}, lowest stratum "
             f"{lowest.label} RR1 {lowest.rates.rr1:.1%}; approved three-step weighting.")]
