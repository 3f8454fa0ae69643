"""Who is in the room: the facilitator sees the anonymous check-ins beside the municipality's
population (the organisation's newest margins), whose voices are missing, and never a count
under five, nor one it could be worked out from."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date

import pytest

from dialog import room
from dialog.models import Event
from dialog.queries import checkin_categories
from surveys.extensions import db
from tests.support.dialog_votes import add_checkins, add_margins, add_voters, event_with_statements

POPULATION = [
    ("age", "16-29", 2000), ("age", "30-44", 3000), ("age", "45-64", 3000), ("age", "65-84", 2000),
    ("gender", "kvinna", 5000), ("gender", "man", 5000),
    ("born", "inrikes", 8000), ("born", "utrikes", 2000),
    ("district", "Centrum", 6000), ("district", "Norr", 4000),
]


def checkins() -> list[dict]:
    """12 check-ins: ages 6 × 30-44, 5 × 45-64, 1 × 65-84; 7 women; 1 born abroad; 2 in Norr."""
    ages = ["30-44"] * 6 + ["45-64"] * 5 + ["65-84"]
    return [{"age_group": age, "gender": "kvinna" if i < 7 else "man",
             "born": "utrikes" if i == 11 else "inrikes",
             "district": "Norr" if i in (0, 1) else "Centrum"}
            for i, age in enumerate(ages)]


@pytest.fixture
def full_room(app, make_org):
    org = make_org()
    ev = event_with_statements(app, org, ["Fler lampor."])
    # An older, different margin set must not be used.
    add_margins(app, org, [("age", "16-29", 1)], name="Befolkning 2019",
                reference_date=date(2019, 12, 31))
    add_margins(app, org, POPULATION)
    add_checkins(app, ev["id"], checkins())
    add_voters(app, ev["id"], [{ev["statements"][0]: 1}])  # joined, never checked in
    return {"org": org, **ev}


def table_rows(html: str, field: str) -> dict[str, list[str]]:
    """The room table of one question: row header -> the cells' text."""
    table = re.search(rf'<caption id="room-table-{field}">.*?</table>', html, re.DOTALL).group(0)
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.DOTALL):
        cells = [" ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", c)).split())
                 for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)]
        if cells and cells[0] and not row.lstrip().startswith("<th scope=\"col\""):
            rows[cells[0]] = cells[1:]
    return rows


def test_room_shares_equal_the_hand_computed_shares(app, full_room):
    with app.app_context():
        event = db.session.get(Event, full_room["id"])
        comparison = room.compare_room(event, checkin_categories(event))
        assert comparison.margin_set.name == "Befolkning 2025"
        assert (comparison.participants, comparison.checked_in) == (13, 12)
        by_field = {v.field: {r.category: r for r in v.rows} for v in comparison.variables}
        expected = {
            "age_group": {"10-12": (0, 0 / 12, None), "13-15": (0, 0 / 12, None),
                          "16-29": (0, 0 / 12, 0.2), "30-44": (6, 6 / 12, 0.3),
                          "45-64": (5, 5 / 12, 0.3), "65-84": (1, 1 / 12, 0.2),
                          "85+": (0, 0 / 12, None)},
            "gender": {"kvinna": (7, 7 / 12, 0.5), "man": (5, 5 / 12, 0.5)},
            "born": {"inrikes": (11, 11 / 12, 0.8), "utrikes": (1, 1 / 12, 0.2)},
            "district": {"Centrum": (10, 10 / 12, 0.6), "Norr": (2, 2 / 12, 0.4)},
        }
        for field, categories in expected.items():
            assert list(by_field[field]) == list(categories)
            for category, (count, share, population) in categories.items():
                row = by_field[field][category]
                assert row.room_count == count
                assert row.room_share == pytest.approx(share)
                if population is None:
                    assert row.population_share is None and row.population_count is None
                else:
                    assert row.population_share == pytest.approx(population)
        # the check-in's 16-19 and 20-29 together beside the population's 16-29
        assert by_field["age_group"]["16-29"].bands == ("16-19", "20-29")
        missing = [(v.field, r.category) for v, r in comparison.missing]
        # 0 % vs 20 %, 8.3 % vs 20 % (twice), 16.7 % vs 40 %; nothing else is under half.
        assert sorted(missing) == sorted([("age_group", "16-29"), ("age_group", "65-84"),
                                          ("born", "utrikes"), ("district", "Norr")])
        assert missing[0] == ("district", "Norr")  # the largest gap first
        db.session.rollback()


def test_the_room_page_shows_shares_counts_and_suppresses_fewer_than_five(
        app, client, login, full_room):
    login(client, full_room["org"], "facilitator")
    page = client.get(f"/dialog/events/{full_room['id']}/room?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    hidden = "Not shown, so that no small group can be worked out from the other figures"
    age = table_rows(html, "age_group")
    assert age["30–44 years"] == ["6", "50.0%", "3,000", "30.0%", ""]
    # 12 answered - 6 - 5 would give the one aged 65-84: the 5 are withheld with them
    assert age["45–64 years"] == ["–", "–", "3,000", "30.0%", hidden]
    assert age["65–84 years"] == ["–", "–", "2,000", "20.0%", f"Missing voice. {hidden}"]
    assert age["16–29 years"] == ["fewer than 5", "–", "2,000", "20.0%",
                                  "Missing voice. The check-in's bands 16–19, 20–29 put together."]
    # under-16s and the oldest: counted, but no population figure to compare with
    assert age["10–12 years"] == ["fewer than 5", "–", "–", "–",
                                  "No population figure for these ages: the population figures "
                                  "cover 16–84."]
    assert age["85+ years"][2:4] == ["–", "–"]
    assert age["Answered"] == ["12", ""]
    assert table_rows(html, "gender")["Women"] == ["7", "58.3%", "5,000", "50.0%", ""]
    assert table_rows(html, "born")["Born outside Sweden"][:2] == ["–", "–"]
    assert table_rows(html, "born")["Born in Sweden"][:2] == ["–", "–"]
    assert table_rows(html, "district")["Norr"] == ["–", "–", "4,000", "40.0%",
                                                    f"Missing voice. {hidden}"]
    # The count of a small group appears nowhere, not even in the chart or the missing list,
    # and neither does a count it could be worked out from.
    missing = re.search(r'<ul class="missing-voices">.*?</ul>', html, re.DOTALL).group(0)
    assert "Norr" in missing and "Born outside Sweden" in missing and hidden in missing
    assert not re.search(r"(?<![\d.])(16\.7|8\.3|91\.7|83\.3)%", html)
    ages = re.search(r'<h2 id="room-age_group">.*?</table>', html, re.DOTALL).group(0)
    assert "41.7%" not in ages and "41.7%" in table_rows(html, "gender")["Men"]  # 5 of 12
    # One accessible chart per question, with the same categories as the table.
    assert html.count('<svg role="img"') == 4
    assert re.search(r'<title id="room-chart-age_group-title">', html)


def test_without_margins_the_page_explains_how_to_import_them(app, client, login, make_org):
    org = make_org()
    ev = event_with_statements(app, org, [])
    add_checkins(app, ev["id"], [{"age_group": "30-39", "gender": "man", "born": "inrikes"}] * 1)
    login(client, org, "facilitator")
    page = client.get(f"/dialog/events/{ev['id']}/room?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="no-margins"' in html and 'href="/analysis/"' in html
    assert table_rows(html, "gender")["Men"] == ["fewer than 5", "–", "–", "–", ""]
    assert "Missing voice<" not in html


def test_another_organisations_margins_are_never_used(app, client, login, make_org):
    org, other = make_org(), make_org()
    add_margins(app, other, POPULATION)
    ev = event_with_statements(app, org, [])
    login(client, org, "facilitator")
    html = client.get(f"/dialog/events/{ev['id']}/room?lang=en").get_data(as_text=True)
    assert 'id="no-margins"' in html and "Befolkning 2025" not in html
