"""The demo municipality: loaded once, skewed like real responses, valid to the last answer.

The first test loads the demo for real; the others read the session's snapshot of the same
loader's output (tests.support.snapshot), whose default variant the `demo` command makes.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import numpy as np
import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from surveys.auth.models import Organisation, User
from surveys.core.roles import Role
from surveys.core.time import utcnow
from surveys.demo import load_demo, simulate_population
from surveys.extensions import db
from surveys.runs.queries import approved_run
from surveys.survey.definition import load_template
from surveys.survey.models import Answer, Channel, Question, Response, Survey, SurveyStatus
from surveys.survey.questions import DONT_KNOW


@pytest.fixture
def demo(app_ctx, restore_demo):
    """The demo without the follow-up, as `load_demo(followup=False)` writes it."""
    restore_demo(followup=False)


def counts() -> dict[str, int]:
    return {
        "organisations": db.session.scalar(select(func.count(Organisation.id))),
        "users": db.session.scalar(select(func.count(User.id))),
        "surveys": db.session.scalar(select(func.count(Survey.id))),
        "responses": db.session.scalar(select(func.count(Response.id))),
        "answers": db.session.scalar(select(func.count(Answer.id))),
    }


def answers_by_response() -> dict[int, dict[str, object]]:
    rows = db.session.execute(
        select(Answer.response_id, Question.key, Answer.value).join(Question)
    )
    answers: dict[int, dict[str, object]] = defaultdict(dict)
    for response_id, key, value in rows:
        answers[response_id][key] = value
    return answers


def test_loading_the_demo_twice_changes_nothing_the_second_time(app_ctx):
    load_demo(followup=False)
    first = counts()
    again = load_demo()
    assert counts() == first
    assert "already exists" in again[0]
    assert first["organisations"] == 1 and first["users"] == len(Role) and first["surveys"] == 1
    assert 1800 <= first["responses"] <= 2200

    organisation = db.session.scalar(select(Organisation))
    assert organisation.name == "Exempelby kommun"
    assert {(u.email, u.role) for u in organisation.users} == {
        (f"{role.value}@exempelby.se", role) for role in Role}
    analyst = next(u for u in organisation.users if u.role is Role.analyst)
    assert analyst.check_password("demo-analyst-2026")
    survey = db.session.scalar(select(Survey))
    assert (survey.slug, survey.status) == ("demo", SurveyStatus.open)
    assert survey.languages[0] == "sv" and {"en", "ar"} <= set(survey.languages)
    assert sorted(survey.languages) == sorted(load_template("tillit-och-delaktighet")["languages"])
    assert survey.accepts_answers()


def test_the_respondents_are_skewed_like_real_ones(demo):
    """Fewer young people, men and foreign-born answer than live in the municipality."""
    answers = answers_by_response()
    this_year = date.today().year
    ages = np.array([this_year - a["birth_year"] for a in answers.values()
                     if isinstance(a.get("birth_year"), int)])
    assert len(ages) > 1000 and ages.min() >= 16 and ages.max() <= 84
    young = np.mean(ages < 30)
    # In the simulated population 16-29 year olds are 14 of 69 ages, about a fifth.
    population = simulate_population(np.random.default_rng(1))
    population_young = np.mean(population["age"] < 30)
    assert population_young == pytest.approx(14 / 69, abs=0.02)
    assert young < 0.7 * population_young

    genders = [a["gender"] for a in answers.values() if a.get("gender") in ("woman", "man")]
    assert genders.count("man") / len(genders) < 0.47
    born = [a["born_country"] for a in answers.values()
            if a.get("born_country") not in (None, DONT_KNOW)]
    foreign = 1 - born.count("sweden") / len(born)
    assert foreign < 0.8 * np.mean(population["foreign"])


def test_the_responses_look_like_a_real_wave(demo):
    responses = db.session.execute(
        select(Response.language, Response.channel, Response.started_at, Response.completed_at)
    ).all()
    completed = [r for r in responses if r.completed_at is not None]
    # About one in ten stops part-way.
    assert 0.05 < 1 - len(completed) / len(responses) < 0.15
    minutes = [(r.completed_at - r.started_at).total_seconds() / 60 for r in completed]
    assert min(minutes) >= 5 and max(minutes) <= 25.01
    languages = [r.language for r in responses]
    assert languages.count("sv") / len(languages) > 0.85
    assert languages.count("en") > 20 and languages.count("ar") > 20
    channels = {c: sum(r.channel is c for r in responses) for c in Channel}
    assert channels[Channel.web] > 0.85 * len(responses)
    assert channels[Channel.paper] > 0 and channels[Channel.interview] > 0
    days = {r.started_at.date() for r in responses}
    assert len(days) > 20

    # Trust items go together; "don't know" occurs but is rare.
    answers = answers_by_response().values()
    pairs = np.array([(a["trust_kommun"], a["trust_polis"]) for a in answers
                      if isinstance(a.get("trust_kommun"), int)
                      and isinstance(a.get("trust_polis"), int)])
    assert np.corrcoef(pairs.T)[0, 1] > 0.4
    dont_know = sum(a.get("trust_people") == DONT_KNOW for a in answers)
    assert 0 < dont_know < 0.06 * len(responses)


def test_every_answer_would_pass_its_question_and_conditions_hold(demo):
    survey = db.session.scalar(select(Survey))
    questions = {q.key: q for q in survey.questions()}
    answers = answers_by_response()
    checked = 0
    for given in answers.values():
        for key, value in given.items():
            question = questions[key]
            form = MultiDict([
                (name, str(v))
                for name, field in question.kind.form_values(question, value).items()
                for v in (field if isinstance(field, list) else [field]) if v is not None
            ])
            assert question.kind.parse(question, form) == value, (key, value)
            checked += 1
            condition = question.condition
            if condition:
                source = questions[condition["question"]]
                shown = source.kind.condition_values(given.get(source.key))
                assert shown & {str(v) for v in condition["values"]}, (key, given)
    assert checked == counts()["answers"]
    # The conditional questions were reached: by those who said yes, or were born abroad.
    assert sum("discrimination_grounds" in a for a in answers.values()) > 50
    assert sum("years_in_sweden" in a for a in answers.values()) > 100
    assert not any("discrimination_grounds" in a and a.get("discrimination") != "yes"
                   for a in answers.values())


def test_unfinished_responses_stop_at_a_page_and_answer_nothing_after_it(demo):
    survey = db.session.scalar(select(Survey))
    page_of = {q.key: index for index, page in enumerate(survey.pages) for q in page.questions}
    answers = answers_by_response()
    unfinished = db.session.execute(
        select(Response.id, Response.current_page).where(Response.completed_at.is_(None))
    ).all()
    assert unfinished
    for response_id, current_page in unfinished:
        assert all(page_of[key] < current_page for key in answers.get(response_id, {}))


def test_the_demo_command_prints_the_logins(app, restore_demo, demo_snapshots):
    # the session's default snapshot is the `demo` command's own work (tests.support.snapshot)
    restore_demo()
    printed = demo_snapshots.printed
    for role in Role:
        assert f"{role.value}@exempelby.se" in printed
        assert f"demo-{role.value}-2026" in printed
    assert "demo password" in printed
    # the follow-up: two weighted waves and the public page
    year = utcnow().year
    assert f"two waves, {year - 1} and {year}" in printed
    assert "/indicators/exempelby-kommun" in printed
    assert "Drawn-sample survey /s/demo-urval (closed): 4,000 sampled from 25,000" in printed
    assert "Grannby kommun shares its survey indicators" in printed
    with app.app_context():
        surveys = db.session.scalars(select(Survey).order_by(Survey.slug)).all()
        assert [(s.slug, s.status) for s in surveys] == [
            ("demo", SurveyStatus.open), (f"demo-{year - 1}", SurveyStatus.closed),
            ("demo-urval", SurveyStatus.closed), ("grannby", SurveyStatus.closed)]
        assert all(approved_run(s.id) is not None for s in surveys)
    again = app.test_cli_runner().invoke(args=["demo"])
    assert again.exit_code == 0 and "already exists" in again.output
