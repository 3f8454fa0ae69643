"""Analysts read unweighted results and export the raw answers."""

from __future__ import annotations

import ast
import csv
import io
import time
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from surveys.core.data import safe_cell
from surveys.core.roles import Role
from surveys.extensions import db
from surveys.survey import stats
from surveys.survey.definition import load_template
from surveys.survey.models import Answer, Channel, Response, Survey

T0 = datetime(2026, 3, 2, 9, 0, 0)


class Tables(HTMLParser):
    """Every table of a page as {caption: [[cell text, ...], ...]}."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption = self._row = self._cell = None
        self._rows: list[list[str]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows, self._caption = [], ""
        elif tag == "caption":
            self._cell = ""
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "caption":
            self._caption, self._cell = self._cell.strip(), None
        elif tag in ("td", "th"):
            self._row.append(" ".join(self._cell.split()))
            self._cell = None
        elif tag == "tr":
            self._rows.append(self._row)
        elif tag == "table":
            self.tables[self._caption] = self._rows

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def answer_survey(client, pages: dict[int, dict], lang: str = "sv", stop_after: int | None = None):
    """A resident answers /s/demo page by page through the real forms."""
    client.get(f"/s/demo?lang={lang}")
    location = client.post_form("/s/demo/start").headers["Location"]
    submitted = 0
    while "/thanks" not in location:
        if submitted == stop_after:
            return
        n = int(location.rstrip("/").rsplit("/", 1)[1])
        reply = client.post_form(location, {"action": "next", **pages.get(n, {})})
        assert reply.status_code == 302, reply.get_data(as_text=True)
        location = reply.headers["Location"]
        submitted += 1


@pytest.fixture
def answered(app, make_org, make_survey, make_client):
    """Five responses whose figures are worked out by hand in the tests.

    | # | language | channel | trust_people | discrimination | completed | minutes |
    | 1 | sv       | web     | 7            | yes (sex, age) | yes       | 10      |
    | 2 | en       | web     | 3            | no             | yes       | 20      |
    | 3 | ar       | web     | don't know   | prefer not     | yes       | 6       |
    | 4 | sv       | web     | 9            | -              | no        | -       |
    | 5 | sv       | paper   | 5            | -              | yes       | 8       |
    """
    org = make_org()
    survey_id = make_survey(org)
    answer_survey(make_client(), {
        1: {"q_trust_people": "7"},
        3: {"q_discrimination": "yes"},
        4: {"q_discrimination_grounds": ["sex", "age"],
            "q_other_comments": "=HYPERLINK(\"http://x\") säger Åsa"},
        5: {"q_gender": "woman", "q_birth_year": "1980"},
    }, lang="sv")
    answer_survey(make_client(), {
        1: {"q_trust_people": "3"}, 3: {"q_discrimination": "no"}, 5: {"q_gender": "man"},
    }, lang="en")
    answer_survey(make_client(), {
        1: {"q_trust_people": "dk"}, 3: {"q_discrimination": "dk"},
    }, lang="ar")
    answer_survey(make_client(), {1: {"q_trust_people": "9"}}, lang="sv", stop_after=1)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        trust = next(q for q in survey.questions() if q.key == "trust_people")
        paper = Response(survey=survey, token="paper-token-1", resume_code="PAPER001",
                         language="sv", channel=Channel.paper, current_page=5)
        paper.answers.append(Answer(question=trust, value=5))
        db.session.add(paper)
        db.session.flush()
        responses = db.session.scalars(
            select(Response).where(Response.survey_id == survey_id).order_by(Response.id)
        ).all()
        assert len(responses) == 5
        for index, (response, minutes) in enumerate(zip(responses, [10, 20, 6, None, 8]), 1):
            response.started_at = T0 + timedelta(hours=index)
            response.completed_at = (
                None if minutes is None else response.started_at + timedelta(minutes=minutes)
            )
        db.session.commit()
    return org, survey_id


def results_page(client, survey_id, query=""):
    page = client.get(f"/results/{survey_id}{query}")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_an_analyst_sees_counts_rates_and_times_worked_out_by_hand(client, login, answered):
    org, survey_id = answered
    login(client, org, Role.analyst)
    html = results_page(client, survey_id, "?lang=en")
    tables = Tables(html).tables

    assert "unweighted" in html
    assert dict(tables["Responses started and completed"]) == {
        "Started": "5",
        "Completed": "4",
        "Completion rate": "80.0%",
        # Median of 6, 8, 10 and 20 minutes.
        "Median time to complete (minutes)": "9.0",
    }
    by_language = {row[0]: row[1:] for row in tables["Responses by language"][1:]}
    assert by_language.pop("Swedish") == ["3", "2", "66.7%", "9.0"]
    assert by_language.pop("English") == ["1", "1", "100.0%", "20.0"]
    assert by_language.pop("Arabic") == ["1", "1", "100.0%", "6.0"]
    # The survey's other languages are listed too, with nobody in them.
    assert "Easy-to-read Swedish" in by_language
    assert all(row == ["0", "0", "–", "–"] for row in by_language.values())
    assert tables["Responses by channel"][1:] == [
        ["Web", "4", "3", "75.0%", "10.0"],
        ["Paper form", "1", "1", "100.0%", "8.0"],
        ["Interview", "0", "0", "–", "–"],
    ]
    # trust_people: 7, 3, don't know, 9, 5: each a fifth; the mean leaves "don't know" out.
    trust = tables["Answers to question 1 (n = 5)"]
    counted = {row[0].split(" ")[0]: row[1:] for row in trust[1:]}
    for point in ("3", "5", "7", "9", "Don't"):
        assert counted[point] == ["1", "20.0%"]
    assert counted["0"] == ["0", "0.0%"] and counted["10"] == ["0", "0.0%"]
    assert "Mean: 6.0 · Median: 6.0" in html
    # discrimination_grounds, shown only to the one who said yes.
    grounds = dict((row[0], row[1:]) for row in tables["Answers to question 15 (n = 1)"][1:])
    assert grounds["Sex"] == ["1", "100.0%"] and grounds["Age"] == ["1", "100.0%"]
    assert grounds["Religion or other belief"] == ["0", "0.0%"]


def test_question_figures_can_leave_out_unfinished_responses(client, login, answered):
    org, survey_id = answered
    login(client, org, Role.analyst)
    html = results_page(client, survey_id, "?lang=en&completed=1")
    tables = Tables(html).tables
    # Response 4 (trust 9) stopped part-way: 7, 3, 5 and don't know remain.
    assert "Answers to question 1 (n = 4)" in tables
    assert "Mean: 5.0 · Median: 5.0" in html
    # The response counts still cover everyone who began.
    assert dict(tables["Responses started and completed"])["Started"] == "5"


def test_figures_follow_the_analysts_locale(client, login, answered):
    org, survey_id = answered
    login(client, org, Role.analyst)
    tables = Tables(results_page(client, survey_id, "?lang=sv")).tables
    started, completed, rate, median = list(tables.values())[0]
    assert (started[1], completed[1]) == ("5", "4")
    # Decimal comma, and a (non-breaking) space before the per cent sign.
    assert rate[1] == "80,0 %"
    assert median[1] == "9,0"


def read_csv(reply) -> list[list[str]]:
    body = reply.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def expected_columns() -> list[str]:
    """The export columns, worked out from the template by hand."""
    columns = ["response_id", "language", "channel", "started_at", "completed_at"]
    for page in load_template("tillit-och-delaktighet")["pages"]:
        for q in page["questions"]:
            if q["type"] == "multiple_choice":
                columns += [f"{q['key']}__{o['code']}" for o in q["settings"]["options"]]
                columns += [f"{q['key']}__dk"] if q["settings"].get("dont_know") else []
            else:
                columns.append(q["key"])
    return columns


def test_the_raw_answer_file_has_one_row_per_response_in_survey_order(client, login, answered):
    org, survey_id = answered
    login(client, org, Role.analyst)
    reply = client.get(f"/results/{survey_id}/answers.csv")
    assert reply.status_code == 200
    assert reply.content_type == "text/csv; charset=utf-8"
    assert "attachment" in reply.headers["Content-Disposition"]
    assert reply.headers["Cache-Control"] == "no-store"
    rows = read_csv(reply)
    header, body = rows[0], rows[1:]
    assert header == expected_columns()
    table = [dict(zip(header, row)) for row in body]
    assert [r["response_id"] for r in table] == ["1", "2", "3", "4", "5"]
    assert [r["language"] for r in table] == ["sv", "en", "ar", "sv", "sv"]
    assert [r["channel"] for r in table] == ["web", "web", "web", "web", "paper"]
    assert [r["trust_people"] for r in table] == ["7", "3", "dk", "9", "5"]
    first = table[0]
    assert first["started_at"] == (T0 + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert first["completed_at"] == (T0 + timedelta(hours=1, minutes=10)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    assert table[3]["completed_at"] == ""
    # Multiple choice: one 0/1 column per option; empty when the question was not shown.
    assert [first[f"discrimination_grounds__{c}"] for c in ("sex", "age", "ethnicity", "dk")] == [
        "1", "1", "0", "0"]
    assert table[1]["discrimination_grounds__sex"] == ""
    # Free text is exported (Swedish letters intact) but cannot run as a formula in Excel.
    assert first["other_comments"] == "'=HYPERLINK(\"http://x\") säger Åsa"
    assert first["birth_year"] == "1980" and first["gender"] == "woman"


def test_the_export_says_nothing_that_identifies_a_resident(app, client, login, answered):
    org, survey_id = answered
    login(client, org, Role.analyst)
    body = client.get(f"/results/{survey_id}/answers.csv").get_data(as_text=True)
    with app.app_context():
        secrets = db.session.execute(
            select(Response.id, Response.token, Response.resume_code)
            .where(Response.survey_id == survey_id)
        ).all()
    for response_id, token, resume_code in secrets:
        assert token not in body and resume_code not in body


def test_the_export_can_hold_completed_responses_only_keeping_their_numbers(
        client, login, answered):
    org, survey_id = answered
    login(client, org, Role.analyst)
    rows = read_csv(client.get(f"/results/{survey_id}/answers.csv?completed=1"))
    assert [row[0] for row in rows[1:]] == ["1", "2", "3", "5"]


@pytest.mark.parametrize("cell, safe", [
    ("=1+1", "'=1+1"), ("+46 70", "'+46 70"), ("-minus", "'-minus"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("Bra = bättre", "Bra = bättre"), (-3, -3), (None, None), ("", ""),
])
def test_text_that_looks_like_a_formula_is_defused(cell, safe):
    assert safe_cell(cell) == safe


def test_only_analysts_and_admins_read_results(make_client, login, answered):
    org, survey_id = answered
    for role, status in [(Role.author, 403), (Role.facilitator, 403), (Role.analyst, 200),
                         (Role.admin, 200)]:
        client = login(make_client(), org, role)
        assert client.get(f"/results/{survey_id}").status_code == status, role
        assert client.get(f"/results/{survey_id}/answers.csv").status_code == status, role


def test_nobody_logged_out_reads_results(client, answered):
    _, survey_id = answered
    for url in (f"/results/{survey_id}", f"/results/{survey_id}/answers.csv"):
        reply = client.get(url)
        assert reply.status_code == 302 and "/login" in reply.headers["Location"]


def test_another_municipality_cannot_tell_the_survey_exists(client, login, make_org, answered):
    _, survey_id = answered
    login(client, make_org(), Role.analyst)
    assert client.get(f"/results/{survey_id}").status_code == 404
    assert client.get(f"/results/{survey_id}/answers.csv").status_code == 404
    assert client.get("/results/999999").status_code == 404


def test_a_survey_without_responses_shows_dashes_not_errors(client, login, make_org, make_survey):
    org = make_org()
    survey_id = make_survey(org)
    login(client, org, Role.analyst)
    tables = Tables(results_page(client, survey_id, "?lang=en")).tables
    assert dict(tables["Responses started and completed"]) == {
        "Started": "0", "Completed": "0", "Completion rate": "–",
        "Median time to complete (minutes)": "–",
    }
    rows = read_csv(client.get(f"/results/{survey_id}/answers.csv"))
    assert rows == [expected_columns()]


def test_the_export_of_the_demo_is_fast_and_needs_a_fixed_number_of_queries(app, client,
                                                                           restore_demo):
    restore_demo(followup=False)
    with app.app_context():
        survey_id = db.session.scalar(select(Survey.id).where(Survey.slug == "demo"))
        count = db.session.scalar(
            select(func.count(Response.id)).where(Response.survey_id == survey_id))
    login = client.post_form(
        "/login", {"email": "analyst@exempelby.se", "password": "demo-analyst-2026"})
    assert login.status_code == 302
    statements = []
    with app.app_context():
        engine = db.engine

    def count_statement(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count_statement)
    try:
        clock = time.perf_counter()
        reply = client.get(f"/results/{survey_id}/answers.csv")
        rows = read_csv(reply)
        elapsed = time.perf_counter() - clock
        page = client.get(f"/results/{survey_id}")
    finally:
        event.remove(engine, "before_cursor_execute", count_statement)
    assert len(rows) == count + 1 and count > 1500
    assert len(statements) < 40, statements
    assert elapsed < 10  # a ceiling against N+1 queries, not a benchmark
    assert page.status_code == 200


# -- the statistics module on its own (no Flask, no database) --------------------------------
def test_the_statistics_module_works_on_plain_rows():
    frame = stats.response_frame([
        {"id": 1, "language": "sv", "channel": "web", "started_at": T0,
         "completed_at": T0 + timedelta(minutes=12)},
        (2, "sv", "web", T0, None),
        (3, "so", "interview", T0, T0 + timedelta(minutes=30)),
    ])
    overview = stats.overview(frame, languages=["sv", "en"], channels=["web", "paper"])
    assert overview.total == stats.Tally(None, 3, 2, 21.0)
    assert overview.total.completion_rate == pytest.approx(2 / 3)
    # Listed groups first, even when empty; others present after them.
    assert [(t.group, t.started, t.completed) for t in overview.by_language] == [
        ("sv", 2, 1), ("en", 0, 0), ("so", 1, 1)]
    assert overview.by_language[1].completion_rate is None
    assert [t.group for t in overview.by_channel] == ["web", "paper", "interview"]
    assert stats.shares({"a": 1, "b": 3}, 4) == {"a": 0.25, "b": 0.75}
    assert stats.shares({"a": 0}, 0) == {"a": None}


def test_the_statistics_module_has_no_flask_in_it():
    import surveys.survey.stats as module

    tree = ast.parse(Path(module.__file__).read_text("utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert "pandas" in imported
    assert not {name for name in imported if name.split(".")[0] in ("flask", "flask_babel",
                                                                    "sqlalchemy", "surveys")}


def test_matrix_and_number_questions_are_summarised_per_item(app, client, login, make_org,
                                                             make_survey):
    text = {"sv": "Text", "en": "Text"}
    definition = {
        "format": "delaktig-survey/1", "slug": "small", "default_language": "sv",
        "languages": ["sv", "en"],
        "texts": {"title": {"sv": "Liten", "en": "Small"}, "intro": text, "consent": text,
                  "thanks": text},
        "pages": [{"title": {}, "questions": [
            {"key": "services", "type": "matrix", "text": {"sv": "Tjänster", "en": "Services"},
             "settings": {
                 "items": [{"code": "library", "label": {"sv": "Bibliotek", "en": "Library"}},
                           {"code": "pool", "label": {"sv": "Badhus", "en": "Pool"}}],
                 "options": [{"code": "good", "label": {"sv": "Bra", "en": "Good"}},
                             {"code": "bad", "label": {"sv": "Dålig", "en": "Bad"}}],
                 "dont_know": "dont_know"}},
            {"key": "children", "type": "number", "text": {"sv": "Barn", "en": "Children"},
             "settings": {"min": 0, "max": 20, "integer": True}},
        ]}],
    }
    org = make_org()
    survey_id = make_survey(org, slug="small", definition=definition)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        services, children = survey.questions()
        given = [({"library": "good", "pool": "bad"}, 2), ({"library": "good"}, 0),
                 ({"library": "bad", "pool": "dk"}, 7)]
        for index, (matrix, number) in enumerate(given):
            response = Response(survey=survey, token=f"t{index}", resume_code=f"CODE000{index}",
                                language="sv", completed_at=T0)
            response.answers += [Answer(question=services, value=matrix),
                                 Answer(question=children, value=number)]
            db.session.add(response)
        db.session.commit()
    login(client, org, Role.analyst)
    html = results_page(client, survey_id, "?lang=en")
    tables = Tables(html).tables
    assert tables["Answers to question 1, Library (n = 3)"][1:] == [
        ["Good", "2", "66.7%"], ["Bad", "1", "33.3%"], ["Don't know", "0", "0.0%"]]
    assert tables["Answers to question 1, Pool (n = 2)"][1:] == [
        ["Good", "0", "0.0%"], ["Bad", "1", "50.0%"], ["Don't know", "1", "50.0%"]]
    # 2, 0 and 7 children.
    assert "Mean: 3.0 · Median: 2.0 · Smallest: 0.0 · Largest: 7.0" in html
    rows = read_csv(client.get(f"/results/{survey_id}/answers.csv"))
    assert rows[0][5:] == ["services__library", "services__pool", "children"]
    assert [row[5:] for row in rows[1:]] == [["good", "bad", "2"], ["good", "", "0"],
                                            ["bad", "dk", "7"]]
