"""The demo: Exempelby kommun, its staff, and the trust survey with ~2,000 synthetic responses.

The responses are skewed the way real ones are. A population of 16-84 year olds is
simulated (age, gender, country of birth, district), and each person answers with
a *response propensity* that is lower for the young, for men and for the
foreign-born, so the respondents over-represent older Swedish-born women, as
municipal surveys do, and weighting has something to correct. Answers hang
together: the trust items share a latent trust level, foreign-born residents
trust people a little less and institutions a little more, a few per cent skip
an item or say "don't know", about one response in ten stops part-way, and
conditional questions are answered only when shown.

Everything is drawn from one seeded NumPy generator, so the data are the same on
every machine; only the dates move with the day the demo is loaded. Tokens and
resume codes are real random secrets, like the app's own.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, select

from dialog.demo import load_dialog_demo
from surveys.actions.demo import load_actions_demo
from surveys.auth.models import Organisation, User
from surveys.core.roles import Role
from surveys.core.time import utcnow
from surveys.extensions import db
from surveys.fieldwork import queries as fieldwork_queries
from surveys.fieldwork.demo import load_drawn_demo
from surveys.followup.demo import PREVIOUS_WAVE, WEIGHTING_VARIABLES, load_followup
from surveys.followup.demo_comparisons import (
    NEIGHBOUR_RESPONDENTS,
    load_comparisons_demo,
    neighbour_taken,
)
from surveys.runs import mapping as mapping_svc
from surveys.runs.models import MarginSet
from surveys.runs.services import approve, create_run, save_scheme
from surveys.runs.weighing import RunSettings
from surveys.survey.definition import load_template
from surveys.survey.models import (
    RESUME_ALPHABET,
    RESUME_LENGTH,
    Answer,
    Channel,
    Response,
    Survey,
    SurveyStatus,
)
from surveys.survey.questions import DONT_KNOW, question_type
from surveys.survey.services import import_definition
from surveys.themes.demo import load_themes_demo

ORGANISATION = "Exempelby kommun"
#: A kommunkod no real municipality has (they end at 2584), as in the demo's SCB-like files.
MUNICIPALITY_CODE = "9999"
SLUG = "demo"
TEMPLATE = "tillit-och-delaktighet"
#: (role, name, password). Fixed passwords: this is a demo, never a real installation.
USERS = [
    (Role.admin, "Agnes Admin", "demo-admin-2026"),
    (Role.author, "Bertil Författare", "demo-author-2026"),
    (Role.facilitator, "Fatima Samtalsledare", "demo-facilitator-2026"),
    (Role.analyst, "Nils Analytiker", "demo-analyst-2026"),
    (Role.interpreter, "Hodan Tolk", "demo-interpreter-2026"),
    (Role.fieldwork, "Sara Fältarbete", "demo-fieldwork-2026"),
    (Role.unit_reporter, "Ulla Enhetsrapportör", "demo-unit_reporter-2026"),
]
#: The languages the demo's interpreter translates dialogue statements into.
INTERPRETER_LANGUAGES = ["so", "sv"]
SEED = 2026
POPULATION = 25_000
#: Expected number of respondents; the realised number varies around it (Poisson sampling).
EXPECTED_RESPONDENTS = 2_000
#: Days the survey has been open.
FIELDWORK_DAYS = 35

DISTRICTS = ["centrum", "norr", "soder", "oster", "vaster"]
ABROAD = ["nordic", "europe", "outside_europe"]


def email(role: Role) -> str:
    """Login of the demo user with `role`."""
    return f"{role.value}@exempelby.se"


# -- the population and who answers ----------------------------------------------------------
def simulate_population(rng: np.random.Generator, size: int = POPULATION) -> pd.DataFrame:
    """Residents aged 16-84: age, gender, country of birth, years in Sweden, district."""
    age = rng.integers(16, 85, size)
    gender = rng.choice(["woman", "man", "other"], size, p=[0.497, 0.497, 0.006])
    foreign = rng.random(size) < np.select([age < 20, age < 45, age < 65], [0.17, 0.27, 0.19], 0.11)
    born = np.where(foreign, rng.choice(ABROAD, size, p=[0.15, 0.30, 0.55]), "sweden")
    years_here = np.where(foreign, np.minimum(age, rng.exponential(14, size)).astype(int), age)
    district = np.where(
        foreign,
        rng.choice(DISTRICTS, size, p=[0.15, 0.17, 0.18, 0.34, 0.16]),
        rng.choice(DISTRICTS, size, p=[0.24, 0.21, 0.23, 0.14, 0.18]),
    )
    return pd.DataFrame({"age": age, "gender": gender, "born": born, "foreign": foreign,
                         "years_here": years_here, "district": district})


def response_propensity(population: pd.DataFrame) -> np.ndarray:
    """Relative chance of answering: ×0.45 at 16-29, ×0.7 at 30-44, ×0.78 men, ×0.5 born abroad."""
    age = population["age"].to_numpy()
    return (
        np.select([age < 30, age < 45], [0.45, 0.7], 1.0)
        * np.where(population["gender"].to_numpy() == "man", 0.78, 1.0)
        * np.where(population["foreign"].to_numpy(), 0.5, 1.0)
    )


def sample_respondents(
    population: pd.DataFrame, rng: np.random.Generator, expected: int = EXPECTED_RESPONDENTS
) -> pd.DataFrame:
    """Everyone answers or not by their own propensity, scaled to `expected` respondents."""
    propensity = response_propensity(population)
    chance = propensity * expected / propensity.sum()
    return population[rng.random(len(population)) < chance].reset_index(drop=True)


# -- their answers ---------------------------------------------------------------------------
def _points(mean, spread, rng, low, high) -> np.ndarray:
    """Integer scale points around `mean`, cut to the scale."""
    values = mean + spread * rng.standard_normal(len(mean))
    return np.clip(np.rint(values), low, high).astype(int)


def _by_group(rng, groups: np.ndarray, choices: list[str], table: dict[str, list[float]]):
    """One choice per person, with probabilities that depend on their group."""
    out = np.empty(len(groups), dtype=object)
    for group, p in table.items():
        mask = groups == group
        out[mask] = rng.choice(choices, mask.sum(), p=p)
    return out


COMMENTS = {
    "sv": [
        "Bättre belysning på gång- och cykelvägarna, tack.",
        "Fler mötesplatser för unga i Öster.",
        "Kommunen borde svara snabbare på e-post.",
        "Bra att ni frågar! Gör det oftare.",
        "Bussarna går för sällan på kvällarna.",
        "Det behövs mer information på fler språk.",
    ],
    "en": [
        "It is hard to find information in English.",
        "More activities for families in the evenings, please.",
        "Thank you for asking residents.",
    ],
    "ar": [
        "نحتاج إلى معلومات أكثر باللغة العربية.",
        "شكراً على هذا الاستبيان.",
        "نريد أماكن أكثر للقاء بين الجيران.",
    ],
    "uk": ["Дякую за опитування.", "Потрібно більше курсів шведської мови."],
}

GROUNDS = ["sex", "transgender_identity", "ethnicity", "religion", "disability",
           "sexual_orientation", "age", "other"]


def simulate_answers(people: pd.DataFrame, languages: np.ndarray, rng: np.random.Generator,
                     today: date, dont_know_keys: set[str], trust_shift: float = 0.0,
                     outside_gap: float = 0.9) -> list[dict[str, object]]:
    """Each respondent's answers (question key -> value), before conditions and drop-outs.

    Only the questions in `dont_know_keys` get "don't know" answers: the others do not offer it.
    `trust_shift` moves everyone's latent trust (in standard deviations) and `outside_gap`
    is how much less residents born outside Europe trust people: the earlier demo wave
    trusts a little less, with a wider gap, so the follow-up has a trend to show.
    """
    n = len(people)
    age = people["age"].to_numpy()
    gender = people["gender"].to_numpy()
    born = people["born"].to_numpy()
    foreign = people["foreign"].to_numpy()
    outside = born == "outside_europe"
    years_here = people["years_here"].to_numpy()

    # Latent levels: general trust, institutional trust (correlated) and belonging.
    trust = rng.standard_normal(n) + trust_shift
    institutions = 0.7 * trust + 0.7 * rng.standard_normal(n)
    belonging = 0.5 * trust + 0.8 * rng.standard_normal(n) + 0.01 * (age - 50)
    columns: dict[str, np.ndarray | list] = {
        "trust_people": _points(6.4 + 1.7 * trust - outside_gap * outside - 0.4 * (born == "europe"), 1.0,
                                rng, 0, 10),
        "trust_kommun": _points(5.5 + 1.4 * institutions + 0.4 * foreign, 1.2, rng, 0, 10),
        "trust_polis": _points(6.3 + 1.4 * institutions + 0.3 * foreign, 1.2, rng, 0, 10),
        "trust_vard": _points(6.6 + 1.2 * institutions, 1.3, rng, 0, 10),
        "trust_skola": _points(5.8 + 1.2 * institutions + 0.3 * foreign, 1.3, rng, 0, 10),
        "belong_neighbourhood": _points(3.5 + 0.9 * belonging, 0.6, rng, 1, 5),
        "belong_municipality": _points(3.7 + 0.9 * belonging - 0.4 * (years_here < 5), 0.6, rng,
                                       1, 5),
        "neighbours_help": _points(3.5 + 0.5 * trust + 0.4 * belonging, 0.7, rng, 1, 5),
        "group_distance": _points(6.2 - 1.0 * trust, 1.5, rng, 0, 10),
        "influence": _points(4.3 + 1.3 * institutions, 1.5, rng, 1, 10),
    }
    middle_aged = (age >= 30) & (age < 65)
    contacted = np.where(rng.random(n) < 0.28 + 0.1 * middle_aged, "yes",
                         np.where(rng.random(n) < 0.04, "dont_remember", "no"))
    columns["contacted_municipality"] = contacted
    columns["citizen_dialogue"] = np.where(
        rng.random(n) < 0.04 + 0.08 * (contacted == "yes"), "yes",
        np.where(rng.random(n) < 0.03, "dont_remember", "no"))
    eligible = (age >= 20) & ~(outside & (years_here < 3))
    columns["voted_municipal"] = np.where(
        ~eligible, "not_eligible",
        np.where(rng.random(n) < 0.03, "dont_remember",
                 np.where(rng.random(n) < 0.86 - 0.15 * (age < 30) - 0.12 * foreign, "yes", "no")))
    p_discriminated = (0.08 + 0.17 * outside + 0.07 * (born == "europe") + 0.04 * (age < 30)
                       + 0.03 * (gender == "woman") + 0.05 * (gender == "other"))
    columns["discrimination"] = np.where(rng.random(n) < p_discriminated, "yes", "no")
    p_ground = np.column_stack([
        np.select([gender == "woman", gender == "other"], [0.35, 0.3], 0.08),
        np.where(gender == "other", 0.5, 0.01),
        np.select([outside, born == "europe", born == "nordic"], [0.75, 0.5, 0.25], 0.08),
        np.where(outside, 0.3, 0.05),
        np.full(n, 0.1),
        np.full(n, 0.06),
        np.where((age < 30) | (age >= 65), 0.35, 0.1),
        np.full(n, 0.1),
    ])
    chosen = rng.random((n, len(GROUNDS))) < p_ground
    columns["discrimination_grounds"] = [
        [g for g, c in zip(GROUNDS, row) if c] or ["other"] for row in chosen
    ]
    writes = rng.random(n) < 0.12
    picks = rng.integers(0, 1000, n)
    columns["other_comments"] = [
        comments[pick % len(comments)] if w and (comments := COMMENTS.get(lang[:2])) else None
        for lang, w, pick in zip(languages, writes, picks)
    ]
    columns["birth_year"] = today.year - age
    columns["gender"] = gender
    columns["born_country"] = born
    columns["years_in_sweden"] = np.select(
        [years_here < 5, years_here < 10, years_here < 20], ["0_4", "5_9", "10_19"], "20_plus")
    columns["district"] = people["district"].to_numpy()
    band = np.select([age < 20, age < 30, age < 65], ["teen", "young", "adult"], "old")
    education = ["compulsory", "upper_secondary", "post_secondary_short", "post_secondary_long"]
    columns["education"] = _by_group(rng, band, education, {
        "teen": [0.7, 0.3, 0, 0], "young": [0.1, 0.45, 0.15, 0.3],
        "adult": [0.12, 0.4, 0.16, 0.32], "old": [0.3, 0.4, 0.12, 0.18]})
    employment = ["employed", "self_employed", "student", "unemployed", "retired", "other"]
    columns["employment"] = _by_group(rng, np.where(foreign & (band == "adult"), "adult_abroad",
                                                     band), employment, {
        "teen": [0.1, 0, 0.85, 0, 0, 0.05], "young": [0.55, 0.03, 0.3, 0.08, 0, 0.04],
        "adult": [0.79, 0.07, 0.03, 0.05, 0, 0.06],
        "adult_abroad": [0.68, 0.08, 0.06, 0.12, 0, 0.06], "old": [0.08, 0.03, 0, 0, 0.85, 0.04]})

    # "Don't know" (or "prefer not to say") and skipped items, per question.
    dont_know = {"trust_skola": 0.08, "group_distance": 0.06, "influence": 0.08,
                 "discrimination": 0.03, "discrimination_grounds": 0.05, "years_in_sweden": 0.03}
    answers = [{} for _ in range(n)]
    for key, values in columns.items():
        dk_share = dont_know.get(key, 0.025) if key in dont_know_keys else 0.0
        skip_share = 0.0 if key == "other_comments" else 0.015
        draw = rng.random(n)
        values = values.tolist() if isinstance(values, np.ndarray) else values
        for i, value in enumerate(values):
            if draw[i] < skip_share:
                continue
            if draw[i] < skip_share + dk_share:
                value = [DONT_KNOW] if key == "discrimination_grounds" else DONT_KNOW
            if value is not None:
                answers[i][key] = value
    return answers


@dataclass
class Timing:
    """When a response began and ended, how far it got, how it arrived."""

    language: str
    channel: Channel
    started_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    #: Index of the first page not answered (the page count when complete).
    stopped_at_page: int


def simulate_timing(people: pd.DataFrame, languages: np.ndarray, rng: np.random.Generator,
                    now: datetime, pages: int) -> list[Timing]:
    """Channel, start time over the fieldwork weeks, duration, and who stopped part-way."""
    n = len(people)
    age = people["age"].to_numpy()
    p_paper = 0.02 + 0.12 * (age >= 70)
    p_interview = 0.01 + 0.06 * np.isin(languages, ["ar", "so", "ti"])
    u = rng.random(n)
    channels = np.where(u < p_paper, "paper",
                        np.where(u < p_paper + p_interview, "interview", "web"))
    # Most answer in the first week after the invitation, a second wave after the reminder.
    reminder = rng.random(n) < 0.3
    day = np.where(reminder, 14 + rng.exponential(4, n), rng.exponential(6, n))
    day = np.minimum(day, FIELDWORK_DAYS - 1).astype(int)
    hour = np.clip(rng.normal(15, 4, n), 6, 21.99)
    launch = datetime(now.year, now.month, now.day) - timedelta(days=FIELDWORK_DAYS)
    minutes = np.clip(rng.lognormal(np.log(11), 0.35, n), 5, 25)
    stops = rng.random(n) < np.where(channels == "web", 0.1 + 0.05 * (age < 30), 0.0)
    stop_page = rng.choice(pages, n, p=_drop_out_pages(pages))
    timings = []
    for i in range(n):
        started = launch + timedelta(days=int(day[i]), hours=float(hour[i]))
        started = started.replace(microsecond=0)
        if stops[i]:
            ended = started + timedelta(minutes=float(minutes[i]) * (stop_page[i] + 0.5) / pages)
        else:
            ended = started + timedelta(minutes=float(minutes[i]))
        ended = ended.replace(microsecond=0)
        timings.append(Timing(
            language=str(languages[i]),
            channel=Channel(str(channels[i])),
            started_at=started,
            updated_at=ended,
            completed_at=None if stops[i] else ended,
            stopped_at_page=int(stop_page[i]) if stops[i] else pages,
        ))
    return timings


def _drop_out_pages(pages: int) -> np.ndarray:
    """Where unfinished responses stop: early pages most often."""
    weights = 0.7 ** np.arange(pages)
    return weights / weights.sum()


#: Answering languages by country of birth: Swedish for most, others mainly among the foreign-born.
LANGUAGE_SHARES = {
    #            sv     sv-ll  en    ar    fa    so    ti    uk
    "sweden": [0.975, 0.015, 0.01, 0, 0, 0, 0, 0],
    "nordic": [0.85, 0, 0.15, 0, 0, 0, 0, 0],
    "europe": [0.55, 0.02, 0.28, 0, 0, 0, 0, 0.15],
    "outside_europe": [0.38, 0.04, 0.13, 0.28, 0.08, 0.05, 0.04, 0],
}
LANGUAGE_CODES = ["sv", "sv-ll", "en", "ar", "fa", "so", "ti", "uk"]


def choose_languages(people: pd.DataFrame, rng: np.random.Generator, offered: list[str]
                     ) -> np.ndarray:
    """Each respondent's language; one the survey does not offer becomes its first language."""
    chosen = _by_group(rng, people["born"].to_numpy(), LANGUAGE_CODES, LANGUAGE_SHARES).astype(str)
    return np.where(np.isin(chosen, offered), chosen, offered[0])


def apply_survey_rules(definition: dict, answers: dict[str, object], stopped_at_page: int
                       ) -> dict[str, object]:
    """Keep only what the resident could have given: shown questions, pages reached."""
    kept: dict[str, object] = {}
    types = {q["key"]: question_type(q["type"]) for page in definition["pages"]
             for q in page["questions"]}
    for page in definition["pages"][:stopped_at_page]:
        for question in page["questions"]:
            key, condition = question["key"], question.get("condition")
            if condition:
                source = condition["question"]
                given = types[source].condition_values(kept.get(source))
                if not given & {str(v) for v in condition["values"]}:
                    continue
            if key in answers:
                kept[key] = answers[key]
    return kept


# -- loading ---------------------------------------------------------------------------------
def _refusal() -> str | None:
    """Why the demo must not be loaded now (None when it may)."""
    if db.session.scalar(select(Organisation.id).where(Organisation.name == ORGANISATION)):
        return f"The demo already exists ({ORGANISATION}); nothing was changed."
    if db.session.scalar(select(Survey.id).where(Survey.slug == SLUG)):
        return f"Another organisation's survey uses the address /s/{SLUG}; nothing was changed."
    if db.session.scalar(select(User.id).where(User.email.in_([email(r) for r, *_ in USERS]))):
        return ("A demo login (…@exempelby.se) belongs to another organisation; "
                "nothing was changed.")
    if neighbour_taken():
        return "The demo's neighbour (Grannby kommun) is in the way; nothing was changed."
    return None


def _logins() -> list[str]:
    lines = ["Logins (demo passwords, published in the source: for trying Delaktig only,",
             "never on a server with real data):"]
    lines += [f"  {email(role):28} {password:24} {role.value}" for role, _, password in USERS]
    return lines


def _resume_codes(count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        codes.add("".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_LENGTH)))
    return list(codes)


@dataclass
class WaveSpec:
    """One demo survey wave: where it lives and how its residents differ from the latest."""

    slug: str
    year: int
    status: SurveyStatus
    #: When fieldwork ended (the latest wave: now).
    ended_at: datetime
    trust_shift: float = 0.0
    outside_gap: float = 0.9
    #: Expected number of respondents (smaller for quick tests).
    respondents: int = EXPECTED_RESPONDENTS


def load_wave(organisation: Organisation, facilitator: User, definition: dict,
              population: pd.DataFrame, spec: WaveSpec, rng: np.random.Generator
              ) -> tuple[Survey, int, int]:
    """A survey from the template with its synthetic responses; (survey, responses, answers)."""
    survey = import_definition(definition, organisation.id, slug=spec.slug)
    survey.status = spec.status
    if spec.status is SurveyStatus.closed:
        survey.opens_at = spec.ended_at - timedelta(days=FIELDWORK_DAYS)
        survey.closes_at = spec.ended_at
    db.session.flush()
    people = sample_respondents(population, rng, spec.respondents)
    ids, answers = add_responses(survey, facilitator, definition, people, spec, rng)
    return survey, len(ids), answers


def add_responses(survey: Survey, facilitator: User, definition: dict, people: pd.DataFrame,
                  spec: WaveSpec, rng: np.random.Generator) -> tuple[list[int], int]:
    """Synthetic responses of `people` (one row each, in order); (response ids, answers)."""
    languages = choose_languages(people, rng, list(survey.languages))
    offers_dont_know = {q["key"] for page in definition["pages"] for q in page["questions"]
                        if q.get("settings", {}).get("dont_know")}
    answers = simulate_answers(people, languages, rng, spec.ended_at.date(), offers_dont_know,
                               trust_shift=spec.trust_shift, outside_gap=spec.outside_gap)
    timings = simulate_timing(people, languages, rng, spec.ended_at, len(definition["pages"]))

    last_page = len(definition["pages"]) - 1
    codes = _resume_codes(len(people))
    response_rows = [
        {
            "survey_id": survey.id,
            "token": secrets.token_urlsafe(32),
            "resume_code": code,
            "language": t.language,
            "channel": t.channel,
            "entered_by_id": None if t.channel is Channel.web else facilitator.id,
            "current_page": min(t.stopped_at_page, last_page),
            "started_at": t.started_at,
            "updated_at": t.updated_at,
            "completed_at": t.completed_at,
        }
        for t, code in zip(timings, codes)
    ]
    # Core inserts, not the ORM's bulk path: the whole demo (116,000 answers) loads in 4.1 s
    # instead of 4.9 on SQLite, 8.1-8.7 instead of 10.3-11.5 on PostgreSQL
    responses = Response.__table__
    ids = db.session.scalars(
        insert(responses).returning(responses.c.id, sort_by_parameter_order=True), response_rows
    ).all()
    question_ids = {q.key: q.id for q in survey.questions()}
    answer_rows = [
        {"response_id": response_id, "question_id": question_ids[key], "value": value}
        for response_id, given, timing in zip(ids, answers, timings)
        for key, value in apply_survey_rules(definition, given, timing.stopped_at_page).items()
    ]
    db.session.execute(insert(Answer.__table__), answer_rows)
    return ids, len(answer_rows)


def _drawn_responses(facilitator: User, definition: dict, now: datetime, survey: Survey,
                     people: pd.DataFrame) -> list[int]:
    """The drawn-sample survey's respondents' answers (the fieldwork demo sets the times)."""
    spec = WaveSpec(survey.slug, now.year, survey.status, now)
    ids, _answers = add_responses(survey, facilitator, definition, people, spec,
                                  np.random.default_rng(SEED + 1))
    return ids


def _weigh_drawn(analyst: User, survey: Survey) -> None:
    """An approved run in the three steps: strata, non-response, calibration."""
    margin_set = db.session.scalar(select(MarginSet).where(
        MarginSet.organisation_id == survey.organisation_id).order_by(MarginSet.id.desc()))
    save_scheme(survey, {**mapping_svc.default_scheme(survey), "reference_year": utcnow().year},
                analyst.id)
    run = create_run(survey, margin_set, RunSettings(variables=list(WEIGHTING_VARIABLES),
                                                     missing="impute"), analyst.id,
                     drawn=fieldwork_queries.drawn_sample_of(survey))
    if run.failed:
        raise RuntimeError(f"The drawn-sample demo did not weight: {run.error}")
    approve(run, analyst.id)


def _neighbour_wave(definition: dict, population: pd.DataFrame, now: datetime,
                    organisation: Organisation, user: User, slug: str, year: int) -> Survey:
    """The neighbouring organisation's small closed wave of the same survey."""
    spec = WaveSpec(slug, year, SurveyStatus.closed, now, respondents=NEIGHBOUR_RESPONDENTS,
                    trust_shift=0.05)
    survey, *_ = load_wave(organisation, user, definition, population, spec,
                           np.random.default_rng(SEED + 7))
    return survey


def load_demo(followup: bool = True, respondents: int = EXPECTED_RESPONDENTS) -> list[str]:
    """Create the demo organisation, users, surveys and responses; commit; say what happened.

    With `followup`, also last year's wave (closed), population margins, an approved
    weighting run per wave, the indicator framework and a register series, so the
    dashboard has trends and gaps to show. Safe to run again: when the demo (or anything
    in its way) exists, nothing changes.
    """
    clock = time.perf_counter()
    refusal = _refusal()
    if refusal:
        return [refusal, *_logins()]

    organisation = Organisation(name=ORGANISATION, municipality_code=MUNICIPALITY_CODE)
    users = {}
    for role, name, password in USERS:
        users[role] = User(organisation=organisation, email=email(role), name=name, role=role)
        users[role].set_password(password)
    users[Role.interpreter].languages = list(INTERPRETER_LANGUAGES)
    db.session.add_all([organisation, *users.values()])
    db.session.flush()
    definition = load_template(TEMPLATE)
    rng = np.random.default_rng(SEED)
    population = simulate_population(rng)
    now = utcnow()
    latest = WaveSpec(SLUG, now.year, SurveyStatus.open, now, respondents=respondents)
    survey, responses, answers = load_wave(organisation, users[Role.facilitator], definition,
                                           population, latest, rng)
    lines = []
    if followup:
        previous = WaveSpec(f"{SLUG}-{now.year - 1}", now.year - 1, SurveyStatus.closed,
                            now - timedelta(days=365), respondents=respondents,
                            **PREVIOUS_WAVE)
        earlier, *_ = load_wave(organisation, users[Role.facilitator], definition, population,
                                previous, np.random.default_rng(SEED - 1))
        lines = load_followup(organisation, users[Role.analyst], population,
                              {previous.year: earlier, latest.year: survey})
        lines += load_comparisons_demo(organisation, population, partial(
            _neighbour_wave, definition, population, now))
    lines += load_dialog_demo(organisation, users[Role.facilitator])
    lines += load_actions_demo(organisation, users) if followup else []
    lines += load_themes_demo(organisation, users[Role.facilitator])
    if followup:  # weighted with the follow-up's margins
        lines += load_drawn_demo(organisation, population, now, respond=partial(
            _drawn_responses, users[Role.facilitator], definition, now), weigh=partial(
            _weigh_drawn, users[Role.analyst]))
    db.session.commit()

    completed = db.session.scalar(select(func.count(Response.id)).where(
        Response.survey_id == survey.id, Response.completed_at.is_not(None)))
    seconds = time.perf_counter() - clock
    return [
        (f"Loaded the demo in {seconds:.1f} s: {ORGANISATION}, survey /s/{SLUG} "
         f"(open, in {', '.join(survey.languages)})."),
        (f"{responses:,} synthetic responses ({completed:,} completed, {answers:,} answers), "
         "skewed towards older Swedish-born women, so weighting has work to do."),
        f"Results: /results/{survey.id}",
        *lines,
        *_logins(),
    ]
