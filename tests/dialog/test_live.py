"""The projector's live screen: how many joined, most agreed, most divided and the dot-voting
priorities, web votes and paper tallies together; the JSON the screen polls equals the
database, and only the event's own organisation's facilitators and admins see either."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dialog.models import DotAllocation, PaperTally, Participant, Vote
from surveys.extensions import db
from tests.support.dialog_votes import add_dots, add_paper, add_voters, event_with_statements

TEXTS = ["Fler lampor längs gångvägen.", "Öppna fritidsgården på helgerna.",
         "Bänkar i skuggan vid lekplatsen.", "Stäng parken på natten."]
SCREENS = ("live", "live.json", "room", "groups")


@pytest.fixture
def evening(app, make_org):
    """An event where four statements got web votes, dots and paper tallies."""
    org = make_org()
    ev = event_with_statements(app, org, TEXTS)
    lamps, youth, benches, closing = ev["statements"]
    add_voters(app, ev["id"], [
        {lamps: 1, youth: 1, benches: 1, closing: -1},
        {lamps: 1, youth: -1, benches: 0, closing: 1},
        {lamps: 1, youth: 1, closing: -1},
        {lamps: 0, youth: -1, benches: 1, closing: 1},
    ])
    add_dots(app, ev["id"], [{youth: 3, benches: 2}, {youth: 1}])
    add_paper(app, benches, agree=5, disagree=1, passed=2, dots=4)
    return {"org": org, **ev}


def database_counts(app, event_statements: list[int]) -> dict[int, dict[str, int]]:
    """Counted straight from the tables, independently of the code under test."""
    with app.app_context():
        out = {}
        for sid in event_statements:
            web = dict(db.session.execute(select(Vote.value, func.count()).where(
                Vote.statement_id == sid).group_by(Vote.value)).all())
            dots = db.session.scalar(select(func.coalesce(func.sum(DotAllocation.points), 0))
                                     .where(DotAllocation.statement_id == sid))
            paper = db.session.execute(select(
                func.coalesce(func.sum(PaperTally.agree), 0),
                func.coalesce(func.sum(PaperTally.disagree), 0),
                func.coalesce(func.sum(PaperTally.pass_count), 0),
                func.coalesce(func.sum(PaperTally.dots), 0)).where(
                PaperTally.statement_id == sid)).one()
            out[sid] = {"agree": web.get(1, 0) + paper[0], "disagree": web.get(-1, 0) + paper[1],
                        "pass": web.get(0, 0) + paper[2], "dots": dots + paper[3],
                        "paper_agree": paper[0], "paper_disagree": paper[1],
                        "paper_pass": paper[2], "paper_dots": paper[3]}
        return out


def test_the_live_json_equals_the_database_paper_tallies_included(app, client, login, evening):
    login(client, evening["org"], "facilitator")
    reply = client.get(f"/dialog/events/{evening['id']}/live.json")
    assert reply.status_code == 200
    assert reply.headers["Cache-Control"] == "no-store"
    data = reply.get_json()
    expected = database_counts(app, evening["statements"])
    with app.app_context():
        joined = db.session.scalar(select(func.count(Participant.id)).where(
            Participant.event_id == evening["id"]))
    assert data["joined"] == joined == 6
    keys = list(expected[evening["statements"][0]])
    for item in data["statements"]:
        assert {k: item[k] for k in keys} == expected[item["id"]]
    assert {i["id"] for i in data["statements"]} == set(evening["statements"])
    assert data["paper_votes"] == 8
    assert data["web_votes"] == 15
    assert data["votes"] == 23
    lamps, youth, benches, closing = evening["statements"]
    # Lamps: 3 of 4 agree; benches 7 of 11 (5 on paper); youth 2 of 4; closing 2 of 4.
    assert [i["id"] for i in data["most_agreed"]][:2] == [lamps, benches]
    # Closing and youth split the room evenly, benches hardly.
    assert {i["id"] for i in data["most_divisive"][:2]} == {closing, youth}
    assert [(i["id"], i["dots"]) for i in data["priorities"]] == [(benches, 6), (youth, 4)]
    benches_item = next(i for i in data["priorities"] if i["id"] == benches)
    assert benches_item["from_paper"] and benches_item["paper_dots"] == 4


def test_a_new_vote_shows_in_the_next_poll(app, client, login, evening):
    login(client, evening["org"], "facilitator")
    url = f"/dialog/events/{evening['id']}/live.json"
    before = client.get(url).get_json()
    add_voters(app, evening["id"], [{evening["statements"][3]: 1}], prefix="late")
    after = client.get(url).get_json()
    assert after["joined"] == before["joined"] + 1
    assert after["web_votes"] == before["web_votes"] + 1


def test_the_live_page_is_complete_without_javascript(app, client, login, evening):
    login(client, evening["org"], "admin")
    page = client.get(f"/dialog/events/{evening['id']}/live?lang=en")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert evening["code"] in html and f"/d/{evening['code']}" in html
    assert f'src="/dialog/events/{evening["id"]}/qr.svg"' in html
    assert f'href="/dialog/events/{evening["id"]}/live" id="live-refresh"' in html
    assert 'src="/dialog/static/live.js?v=' in html and "<script>" not in html
    for text in TEXTS[:3]:
        assert text in html
    assert "6 have joined" in html and "23 votes (8 of them on paper)" in html
    # Benches: 2 agree and 1 pass on phones, 5 agree, 1 disagree and 2 pass on paper.
    assert "7 agree · 1 disagree · 3 pass (8 of them on paper)" in html
    assert "6 points (4 of them on paper)" in html

    script = client.get("/dialog/static/live.js")
    assert script.status_code == 200 and b"fetch(source" in script.data
    assert f'data-source="/dialog/events/{evening["id"]}/live.json"' in html
    script.close()


def test_statement_text_is_escaped_on_the_screen_and_in_the_json(app, client, login, make_org):
    org = make_org()
    ev = event_with_statements(app, org, ["<b>fet</b> & <script>x</script>"])
    add_voters(app, ev["id"], [{ev["statements"][0]: 1}])
    login(client, org, "facilitator")
    html = client.get(f"/dialog/events/{ev['id']}/live").get_data(as_text=True)
    assert "&lt;b&gt;fet&lt;/b&gt; &amp; &lt;script&gt;" in html and "<b>fet" not in html
    data = client.get(f"/dialog/events/{ev['id']}/live.json").get_json()
    assert data["most_agreed"][0]["text"] == "<b>fet</b> & <script>x</script>"


def test_an_empty_event_shows_empty_lists_not_an_error(app, client, login, make_org):
    org = make_org()
    ev = event_with_statements(app, org, [])
    login(client, org, "facilitator")
    data = client.get(f"/dialog/events/{ev['id']}/live.json").get_json()
    assert (data["joined"], data["votes"], data["most_agreed"]) == (0, 0, [])
    assert client.get(f"/dialog/events/{ev['id']}/live").status_code == 200


@pytest.mark.parametrize("screen", SCREENS)
def test_only_facilitators_and_admins_of_the_organisation_see_the_screens(
        app, make_client, login, make_org, evening, screen):
    url = f"/dialog/events/{evening['id']}/{screen}"
    anonymous = make_client().get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for role in ("analyst", "author"):
        assert login(make_client(), evening["org"], role).get(url).status_code == 403
    for role in ("facilitator", "admin"):
        assert login(make_client(), evening["org"], role).get(url).status_code == 200
    other = make_org()
    for role in ("facilitator", "admin"):
        assert login(make_client(), other, role).get(url).status_code == 404
    missing = f"/dialog/events/{evening['id'] + 999}/{screen}"
    assert login(make_client(), evening["org"], "admin").get(missing).status_code == 404
