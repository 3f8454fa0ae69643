"""Opinion groups: the facilitator sees the groups `dialog.opinion.analyse` finds in the votes,
each group's representative statements with agree shares, common ground and division; with
too few votes, an explanation instead of a map."""

from __future__ import annotations

import re

from dialog import opinion, queries
from tests.support.analysis import text_of
from tests.support.dialog_votes import (
    LIGHTS,
    QUIET,
    SHARED,
    add_voters,
    event_with_statements,
    two_camps,
)


def test_the_groups_page_shows_the_two_camps_analyse_finds(app, client, login, make_org):
    org = make_org()
    ev = two_camps(app, org)
    with app.app_context():
        result = opinion.analyse(queries.vote_matrix(ev["id"]))
    assert result.status == "ok" and result.k == 2 and result.group_sizes == {0: 9, 1: 9}
    camp_of_first = result.group_of(ev["voters"][0])
    assert {result.group_of(p) for p in ev["voters"][0::2]} == {camp_of_first}
    assert {result.group_of(p) for p in ev["voters"][1::2]} == {1 - camp_of_first}

    login(client, org, "facilitator")
    page = client.get(f"/dialog/events/{ev['id']}/groups?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="no-groups"' not in html
    assert html.count("Group 1: 9 participants") == 2 and html.count("Group 2: 9 participants") == 2
    # 18 markers on the map: circles for group 1, squares for group 2, each with its colour.
    svg = re.search(r'<svg role="img" aria-labelledby="map-title map-desc".*?</svg>', html,
                    re.DOTALL).group(0)
    assert svg.count('<circle class="marker group-0"') == 9
    assert svg.count('<rect class="marker group-1"') == 9
    # Each group's representative statements are analyse's, in its order, with agree shares.
    with app.app_context():
        texts = {s.id: s.text for s in queries.visible_statements(ev["id"])}
    for group in result.groups:
        section = text_of(re.search(rf'id="rep-{group.id + 1}">.*?</table>', html,
                                    re.DOTALL).group(0))
        shown = [texts[r.statement] for r in group.representative]
        assert shown and [section.index(t) for t in shown] == sorted(section.index(t)
                                                                     for t in shown)
    lights = text_of(re.search(rf'id="rep-{camp_of_first + 1}">.*?</table>', html,
                               re.DOTALL).group(0))
    assert "Kameror vid entrén. agrees 100.0% (9 of 9) 0.0% (0 of 9)" in lights
    assert "Släck parken efter tio. disagrees 0.0% (0 of 9) 88.9% (8 of 9)" in lights
    # Common ground first: the statement both camps agree with.
    consensus = re.search(r'id="consensus-caption">.*?</table>', html, re.DOTALL).group(0)
    first = text_of(re.search(r"<tbody>.*?</tr>", consensus, re.DOTALL).group(0))
    assert first == f"1 {SHARED} 100.0% (9 of 9) 100.0% (9 of 9)"
    divisive = text_of(re.search(r'id="divisive-caption">.*?</table>', html,
                                 re.DOTALL).group(0))
    assert SHARED not in divisive
    assert sum(text in divisive for text in LIGHTS + QUIET) == 5


def test_too_few_votes_gives_an_explanation_not_an_error(app, client, login, make_org):
    org = make_org()
    ev = event_with_statements(app, org, LIGHTS + QUIET)
    login(client, org, "facilitator")
    empty = client.get(f"/dialog/events/{ev['id']}/groups?lang=en").get_data(as_text=True)
    assert 'id="no-groups"' in empty and "Nobody has voted yet" in empty
    ids = ev["statements"]
    add_voters(app, ev["id"], [{ids[0]: 1, ids[1]: -1}, {s: 1 for s in ids}])
    page = client.get(f"/dialog/events/{ev['id']}/groups?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="no-groups"' in html and "Only 1 participant has voted on enough" in html
    assert "2 participants have voted so far" in html and "<svg" not in html


def test_hidden_statements_stay_out_of_the_groups(app, client, login, make_org):
    from dialog import services
    from dialog.models import ModerationKind, Statement
    from surveys.extensions import db

    org = make_org()
    ev = two_camps(app, org)
    with app.app_context():
        services.moderate_statement(db.session.get(Statement, ev["statements"][0]), None,
                                      ModerationKind.hide)
        db.session.commit()
    login(client, org, "facilitator")
    html = client.get(f"/dialog/events/{ev['id']}/groups?lang=en").get_data(as_text=True)
    assert LIGHTS[0] not in html and LIGHTS[1] in html
