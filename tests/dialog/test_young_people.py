"""Young people and everyone in the room: the check-in asks age bands from 10 up, gender,
the district by the organisation's own name and the languages spoken at home; the room sets
the same bands beside the population; an event for children and young people holds what
under-13s (or those who do not say their age) write for a moderator, asks consent in simpler
words, reads the easy-to-read Swedish texts where they are written and words the key texts
of its writing, voting, dot-voting and "what we heard" pages easy to read."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from dialog import ages, room, services
from dialog.models import (
    Event,
    EventStatus,
    Moderation,
    Participant,
    Statement,
    StatementSource,
    StatementStatus,
)
from dialog.queries import checkin_categories, district_names
from surveys.extensions import db
from surveys.survey.services import create_from_template
from tests.dialog.test_room import table_rows
from tests.support.dialog import create_event, join, set_status, write
from tests.support.dialog_votes import add_checkins, add_margins, add_voters
from tests.support.web import page_text

MARGINS = [
    ("age", "16-29", 2000), ("age", "30-44", 3000), ("age", "45-64", 3000),
    ("age", "65-84", 2000),
    ("district", "centrum", 6000), ("district", "soder", 4000),
]


def participant(app) -> Participant:
    with app.app_context():
        found = db.session.scalar(select(Participant).order_by(Participant.id.desc()))
        db.session.expunge(found)
        return found


def statuses(app) -> dict[str, StatementStatus]:
    with app.app_context():
        return {s.text: s.status for s in db.session.scalars(select(Statement))}


# -- the bands (no Flask) ---------------------------------------------------------------------
def test_bands_from_10_then_the_populations_own_bands_from_20_or_decades():
    assert ages.checkin_bands([]) == ["10-12", "13-15", "16-19", "20-29", "30-39", "40-49",
                                      "50-59", "60-69", "70-79", "80+"]
    assert ages.checkin_bands(["16-29", "30-44", "45-64", "65-84"]) == [
        "10-12", "13-15", "16-19", "20-29", "30-44", "45-64", "65-84", "85+"]
    assert ages.checkin_bands(["18-24", "25-64", "65+"]) == [
        "10-12", "13-15", "16-19", "20-24", "25-64", "65+"]
    one_year = [str(a) + "-" + str(a) for a in range(16, 90)]  # too fine to offer
    assert ages.checkin_bands(one_year)[3:] == ["20-29", "30-39", "40-49", "50-59", "60-69",
                                                "70-79", "80+"]


def test_align_puts_bands_together_until_both_sides_cover_the_same_ages():
    rows = ages.align(ages.checkin_bands([]),
                      ["0-15", "16-19", "20-24", "25-29", "30-49", "50-64", "65+"])
    as_tuples = [(r.label, r.bands, r.population) for r in rows]
    assert as_tuples == [
        ("0-15", (), ("0-15",)),  # a population band no check-in band matches
        ("10-12", ("10-12",), ()), ("13-15", ("13-15",), ()),  # no population figure
        ("16-19", ("16-19",), ("16-19",)),
        ("20-29", ("20-29",), ("20-24", "25-29")),  # population bands summed
        ("30-49", ("30-39", "40-49"), ("30-49",)),  # check-in bands put together
        # 50-64 and 65+ end where 80+ does: everything from 50 is one row
        ("50+", ("50-59", "60-69", "70-79", "80+"), ("50-64", "65+")),
    ]


def test_under_13_or_no_age_is_moderated():
    assert ages.moderated("10-12") and ages.moderated(None) and ages.moderated("nonsense")
    assert not ages.moderated("13-15") and not ages.moderated("16-19")


# -- the check-in ------------------------------------------------------------------------------
@pytest.fixture
def named_org(app, make_org):
    """Margins with district codes, and the template survey whose district question names
    them ("soder" -> "Söder", in English "Söder (south)")."""
    org = make_org()
    add_margins(app, org, MARGINS)
    with app.app_context():
        create_from_template(org.id, "tillit-och-delaktighet", f"tillit-{org.id}")
        db.session.commit()
    return org


def test_the_check_in_asks_bands_gender_districts_by_name_and_home_languages(
        app, client, named_org):
    ev = create_event(app, named_org)
    join(client, ev["code"])
    page = client.get(f"/d/{ev['code']}/checkin").get_data(as_text=True)
    bands = re.findall(r'name="age_group" value="([^"]*)"', page)
    assert bands == ["", "10-12", "13-15", "16-19", "20-29", "30-44", "45-64", "65-84", "85+"]
    assert "10–12 years" in page and "I prefer not to say" in page
    assert re.findall(r'name="gender" value="([^"]*)"', page) == ["", "kvinna", "man", "annat"]
    assert "Another gender" in page
    # the district's name, not its code, in the participant's language
    assert 'value="soder"' in page and "Söder (south)" in page and ">soder<" not in page
    spoken = re.findall(r'name="home_languages" value="([^"]*)"', page)
    assert spoken == ["sv", "en", "ar", "fa", "so", "ti", "uk", "other"]
    assert 'type="checkbox"' in page and 'lang="ar" dir="rtl">العربية</span>' in page
    sent = client.post_form(f"/d/{ev['code']}/checkin", {
        "age_group": "13-15", "gender": "annat", "district": "soder",
        "home_languages": ["ar", "sv", "other"]})
    assert sent.status_code == 302
    stored = participant(app)
    assert (stored.age_group, stored.gender, stored.district) == ("13-15", "annat", "soder")
    assert stored.home_languages == ["ar", "sv", "other"]
    # shown again as answered
    again = client.get(f"/d/{ev['code']}/checkin").get_data(as_text=True)
    assert re.search(r'value="ar" checked', again) and re.search(r'value="13-15" checked', again)


def test_a_district_without_a_name_falls_back_to_its_category(app, make_org):
    org = make_org()
    add_margins(app, org, [("district", "1480R001", 10)])
    with app.app_context():
        assert district_names(org.id, ["1480R001"]) == {"1480R001": {"sv": "1480R001"}}


@pytest.mark.parametrize("field, value, message", [
    ("age_group", "9-11", "Choose one of the age groups offered."),
    ("district", "norr", "Choose one of the parts of the municipality offered."),
    ("home_languages", "de", "Choose languages from the list, or “Another language”."),
    ("gender", "x", "Choose one of the answers offered about gender."),
])
def test_an_unknown_answer_is_refused_with_a_message_and_nothing_is_lost(
        app, client, named_org, field, value, message):
    ev = create_event(app, named_org)
    join(client, ev["code"])
    assert client.post_form(f"/d/{ev['code']}/checkin", {
        "age_group": "16-19", "home_languages": ["sv"]}).status_code == 302
    sent = client.post_form(f"/d/{ev['code']}/checkin", {
        "age_group": "20-29", "gender": "man", "district": "centrum",
        "home_languages": ["so"], field: value})
    assert sent.status_code == 400
    page = sent.get_data(as_text=True)
    assert message in page and 'role="alert"' in page
    # what was sent is on the form again; what was stored before is unchanged
    for name, kept in [("age_group", "20-29"), ("gender", "man"), ("district", "centrum"),
                       ("home_languages", "so")]:
        if name != field:
            assert re.search(rf'name="{name}" value="{kept}" checked', page), name
    stored = participant(app)
    assert (stored.age_group, stored.home_languages, stored.gender) == ("16-19", ["sv"], None)


# -- the room ----------------------------------------------------------------------------------
def test_the_room_compares_the_same_bands_and_counts_home_languages(
        app, client, login, named_org):
    ev = create_event(app, named_org)
    add_checkins(app, ev["id"], [
        *[{"age_group": "10-12", "home_languages": ["sv"]}] * 5,
        *[{"age_group": "16-19", "home_languages": ["sv", "ar"]}] * 3,
        *[{"age_group": "20-29", "home_languages": ["ar"], "district": "soder"}] * 3,
        *[{"age_group": "30-44", "home_languages": ["sv"], "district": "soder"}] * 6,
    ])
    with app.app_context():
        event = db.session.get(Event, ev["id"])
        comparison = room.compare_room(event, checkin_categories(event))
        by_field = {v.field: {r.category: r for r in v.rows} for v in comparison.variables}
        young = by_field["age_group"]["16-29"]
        assert young.bands == ("16-19", "20-29") and young.room_count == 6
        assert young.room_share == pytest.approx(6 / 17)
        assert young.population_share == pytest.approx(0.2)
        assert by_field["age_group"]["10-12"].population_share is None
        spoken = by_field["home_languages"]
        assert (spoken["sv"].room_count, spoken["ar"].room_count) == (14, 6)
        assert spoken["sv"].room_share == pytest.approx(14 / 17)
        # 17 answered, 14 speak Swedish: the 3 who do not would follow, so 14 is withheld
        assert spoken["sv"].complement and spoken["ar"].withheld is None
    login(client, named_org, "facilitator")
    html = client.get(f"/dialog/events/{ev['id']}/room?lang=en").get_data(as_text=True)
    age = table_rows(html, "age_group")
    assert age["10–12 years"][:4] == ["5", "29.4%", "–", "–"]
    assert "No population figure for these ages: the population figures cover 16–84." in \
        age["10–12 years"][4]
    assert age["16–29 years"][:4] == ["6", "35.3%", "2,000", "20.0%"]
    assert "The check-in's bands 16–19, 20–29 put together." in age["16–29 years"][4]
    assert "The population figures cover the ages 16–84." in html
    languages = table_rows(html, "home_languages")
    assert languages["Arabic"][:2] == ["6", "35.3%"]
    assert languages["Swedish"][:2] == ["–", "–"]  # complement of the 3 without Swedish
    assert "shares add up to more than 100 %." in html
    # districts by name on the staff page too
    assert "Söder (south)" in table_rows(html, "district")


# -- events for children and young people ------------------------------------------------------
@pytest.fixture
def young(app, make_org):
    return create_event(app, make_org(), for_young_people=True)


def test_the_facilitator_marks_an_event_for_young_people(app, client, login, make_org):
    org = make_org()
    ev = create_event(app, org)
    login(client, org, "facilitator")
    form = client.get(f"/dialog/events/{ev['id']}/edit").get_data(as_text=True)
    assert 'name="for_young_people"' in form
    fields = {"default_language": "sv", "languages": ["sv", "en"], "title_sv": "Unga",
              "moderation": "post", "statement_max_length": "280", "dot_points": "5",
              "for_young_people": "y"}
    assert client.post_form(f"/dialog/events/{ev['id']}/edit", fields).status_code == 302
    with app.app_context():
        assert db.session.get(Event, ev["id"]).for_young_people is True
    page = client.get(f"/dialog/events/{ev['id']}").get_data(as_text=True)
    assert "for children and young people" in page


def test_under_13_and_unstated_ages_wait_for_a_moderator_13_and_up_do_not(
        app, client, make_client, young):
    code, prompt = young["code"], young["prompts"][0]
    child, unstated, teen = client, make_client(), make_client()
    for phone in (child, unstated, teen):
        join(phone, code)
    child.post_form(f"/d/{code}/checkin", {"age_group": "10-12"})
    teen.post_form(f"/d/{code}/checkin", {"age_group": "13-15"})
    sent = write(child, code, prompt, "Mer fotboll")
    write(unstated, code, prompt, "Ett bibliotek")
    write(teen, code, prompt, "Längre öppettider")
    assert statuses(app) == {"Mer fotboll": StatementStatus.pending,
                             "Ett bibliotek": StatementStatus.pending,
                             "Längre öppettider": StatementStatus.visible}
    thanks = child.get(sent.headers["Location"]).get_data(as_text=True)
    assert "An adult who leads the meeting reads it first." in thanks
    # not shown to others, on the live screen or anywhere, until approved
    assert "Mer fotboll" not in teen.get(f"/d/{code}/vote").get_data(as_text=True)
    with app.app_context():
        statement = db.session.scalar(select(Statement).where(Statement.text == "Mer fotboll"))
        assert services.held_for_moderation(statement.participant)
        services.moderate_statement(statement, None, services.ModerationKind.approve)
        db.session.commit()
    assert statuses(app)["Mer fotboll"] is StatementStatus.visible


def test_13_and_up_follow_the_events_own_moderation(app, client, make_org):
    ev = create_event(app, make_org(), for_young_people=True, moderation=Moderation.pre)
    join(client, ev["code"])
    client.post_form(f"/d/{ev['code']}/checkin", {"age_group": "16-19"})
    write(client, ev["code"], ev["prompts"][0], "Pre-modererat")
    assert statuses(app) == {"Pre-modererat": StatementStatus.pending}


def test_an_ordinary_event_does_not_hold_under_13s(app, client, make_org):
    ev = create_event(app, make_org())
    join(client, ev["code"])
    client.post_form(f"/d/{ev['code']}/checkin", {"age_group": "10-12"})
    write(client, ev["code"], ev["prompts"][0], "Direkt synlig")
    assert statuses(app) == {"Direkt synlig": StatementStatus.visible}


def test_the_moderator_sees_why_a_statement_waits(app, client, make_client, login, make_org):
    org = make_org()
    ev = create_event(app, org, for_young_people=True)
    phone = make_client()
    join(phone, ev["code"])
    write(phone, ev["code"], ev["prompts"][0], "Hej")
    login(client, org, "facilitator")
    page = client.get(f"/dialog/events/{ev['id']}/moderation").get_data(as_text=True)
    assert "Written by a participant under 13, or who has not said their age" in page


def test_the_consent_text_is_the_simpler_one(client, young, make_client, make_org, app):
    page = client.get(f"/d/{young['code']}?lang=en").get_data(as_text=True)
    assert "You do not give your name." in page and "Yes, I want to join" in page
    assert "an adult who leads the meeting reads what you write" in page
    assert "without an account" not in page
    swedish = make_client().get(f"/d/{young['code']}?lang=sv").get_data(as_text=True)
    assert "Du skriver inte ditt namn." in swedish and "Ja, jag vill vara med" in swedish
    ordinary = create_event(app, make_org())
    adult = make_client().get(f"/d/{ordinary['code']}?lang=en").get_data(as_text=True)
    assert "without an account" in adult and "the languages you speak at home" in adult
    assert "You do not give your name." not in adult


def test_easy_to_read_swedish_texts_are_shown_where_written(app, client, make_client, young):
    with app.app_context():
        event = db.session.get(Event, young["id"])
        event.description = {**event.description, "sv-ll": "Säg vad du tycker om parken."}
        event.prompts[0].text = {**event.prompts[0].text, "sv-ll": "Vad gör dig trygg?"}
        db.session.commit()
    consent = client.get(f"/d/{young['code']}?lang=sv").get_data(as_text=True)
    assert "Säg vad du tycker om parken." in consent
    join(client, young["code"], "sv")
    home = client.get(f"/d/{young['code']}/e").get_data(as_text=True)
    assert "Vad gör dig trygg?" in home and "Skriv vad du tycker" in home
    assert '<html lang="sv"' in home and 'lang="sv-ll"' not in home
    # other languages keep their texts; the interface's key texts are the easy-read ones
    english = make_client()
    join(english, young["code"], "en")
    page = english.get(f"/d/{young['code']}/e").get_data(as_text=True)
    assert "Vad gör dig trygg?" not in page and "Write what you think" in page


def test_the_facilitator_writes_the_prompts_easy_to_read_swedish(app, client, login, make_org):
    org = make_org()
    ev = create_event(app, org, for_young_people=True)
    login(client, org, "facilitator")
    page = client.get(f"/dialog/events/{ev['id']}").get_data(as_text=True)
    assert 'name="text_sv_ll"' in page
    sent = client.post_form(f"/dialog/events/{ev['id']}/prompts",
                            {"text_sv": "Vad vill du?", "text_sv_ll": "Vad vill du göra?"})
    assert sent.status_code == 302
    with app.app_context():
        prompt = db.session.get(Event, ev["id"]).prompts[-1]
        assert prompt.text["sv-ll"] == "Vad vill du göra?"
    ordinary = create_event(app, org)
    assert 'name="text_sv_ll"' not in client.get(
        f"/dialog/events/{ordinary['id']}").get_data(as_text=True)


def test_margins_starting_at_18_leave_the_under_20s_without_a_figure(app, make_org):
    org = make_org()
    add_margins(app, org, [("age", "18-29", 10), ("age", "30-64", 30), ("age", "65+", 10)])
    ev = create_event(app, org)
    add_checkins(app, ev["id"], [{"age_group": "16-19"}] * 5 + [{"age_group": "30-64"}] * 5)
    with app.app_context():
        event = db.session.get(Event, ev["id"])
        rows = {r.category: r for r in room.compare_room(
            event, checkin_categories(event)).variables[0].rows}
        assert rows["16-19"].population_count is None and rows["16-19"].room_count == 5
        assert rows["18-29"].no_band and not rows["18-29"].missing
        assert rows["30-64"].population_share == pytest.approx(0.6)


def _with_statements(app, ev: dict, *texts: str) -> None:
    """Visible statements (written on paper), an easy-to-read Swedish description and
    prompt."""
    with app.app_context():
        event = db.session.get(Event, ev["id"])
        event.description = {**event.description, "sv-ll": "Vi pratar om parken."}
        prompt = event.prompts[0]
        prompt.text = {**prompt.text, "sv-ll": "Vad gör dig trygg?"}
        for text in texts:
            services.add_staff_statement(event, prompt, text, "sv", StatementSource.paper)
        db.session.commit()


def test_the_vote_page_speaks_easy_to_read_at_an_event_for_young_people(
        app, client, make_client, young, make_org):
    _with_statements(app, young, "Mer ljus i parken", "Fler bänkar")
    code = young["code"]
    join(client, code, "en")
    page = page_text(client.get(f"/d/{code}/vote"))
    for easy in ("Say what you think about the ideas", "2 ideas left", "I agree",
                 "I do not agree", "I do not know"):
        assert easy in page, easy
    assert "Pass / unsure" not in page and "statements you have not voted on" not in page
    assert "Say what you think about the ideas" in page_text(client.get(f"/d/{code}/e"))
    for _round in range(2):
        offered = int(re.search(r'name="statement_id" value="(\d+)"',
                                client.get(f"/d/{code}/vote").get_data(as_text=True))[1])
        sent = client.post_form(f"/d/{code}/vote", {"statement_id": offered, "value": 0})
        assert sent.status_code == 302
    done = page_text(client.get(sent.headers["Location"]))
    assert "Thank you! We saved what you think." in done
    assert "You have said what you think about all the ideas." in done
    assert "What you said" in done and "Mer ljus i parken : I do not know" in done
    # in Swedish: the lättläst wording and the easy-to-read prompt over the statement
    swedish = make_client()
    join(swedish, code, "sv")
    page = page_text(swedish.get(f"/d/{code}/vote"))
    assert "Tyck till om idéerna" in page and "Jag håller inte med" in page
    assert "Jag vet inte" in page and "Vad gör dig trygg?" in page
    # an ordinary event keeps the ordinary wording
    ordinary = create_event(app, make_org())
    _with_statements(app, ordinary, "Mer ljus")
    adult = make_client()
    join(adult, ordinary["code"], "en")
    page = page_text(adult.get(f"/d/{ordinary['code']}/vote"))
    assert "Vote on statements" in page and "Pass / unsure" in page
    assert "I do not know" not in page and "Vad gör dig trygg?" not in page


def test_the_dot_voting_page_speaks_easy_to_read_at_an_event_for_young_people(
        app, client, make_client, young):
    _with_statements(app, young, "Mer ljus i parken")
    code = young["code"]
    join(client, code, "en")
    page = page_text(client.get(f"/d/{code}/dots"))
    assert "Give points" in page and "Prioritise with points" not in page
    assert "You can give more than one point to the same idea." in page
    assert "Save my points" not in page
    with app.app_context():
        statement = db.session.scalar(select(Statement.id))
    refused = client.post_form(f"/d/{code}/dots", {f"points-{statement}": "two"})
    assert refused.status_code == 400
    assert "Write a whole number: 0, 1, 2 and so on." in page_text(refused)
    assert 'value="two"' in refused.get_data(as_text=True)  # what was typed stays
    too_many = client.post_form(f"/d/{code}/dots", {f"points-{statement}": "99"})
    assert too_many.status_code == 400
    assert "You have 5 points. You gave 99. Take some away. Then send again." in page_text(
        too_many)
    sent = client.post_form(f"/d/{code}/dots", {f"points-{statement}": "2"})
    assert sent.status_code == 302
    assert "Thank you! We saved your points." in page_text(client.get(sent.headers["Location"]))
    swedish = make_client()
    join(swedish, code, "sv")
    page = page_text(swedish.get(f"/d/{code}/dots"))
    assert "Ge poäng" in page and "Du kan ge flera poäng till samma idé." in page
    assert "Inga idéer" not in page


def test_what_we_heard_speaks_easy_to_read_at_an_event_for_young_people(
        app, client, make_client, young, make_org):
    _with_statements(app, young, "Mer ljus i parken")
    with app.app_context():
        statement = db.session.scalar(select(Statement.id))
    voters = add_voters(app, young["id"], [{statement: 1}] * 10)
    with app.app_context():  # five vote in Swedish, five in English: languages compare
        for voter in voters[5:]:
            db.session.get(Participant, voter).language = "en"
        db.session.commit()
    set_status(app, young["id"], EventStatus.published)
    with app.app_context():
        before = db.session.execute(select(Statement.id, Statement.status)).all()
    page = page_text(client.get(f"/d/{young['code']}/heard?lang=sv"))
    # the event's easy-to-read Swedish texts and the lättläst wording of the key texts
    assert "Vi pratar om parken." in page and "Vad gör dig trygg?" in page
    assert "Vi räknar röster på papper också." in page
    assert "Kommunen har inte svarat än. Svaret kommer här." in page
    assert "För få röstade för att vi ska kunna hitta grupper." in page
    assert "Varje språk behöver minst 5 röster." in page
    english = page_text(make_client().get(f"/d/{young['code']}/heard?lang=en"))
    assert "Then no one can find out how you voted." in english
    assert "Each language needs at least 5 votes." in english
    assert "A statement bridges the languages" not in english
    assert "Statements with fewer than" not in english
    with app.app_context():  # a page view writes nothing
        assert db.session.execute(select(Statement.id, Statement.status)).all() == before
    ordinary = create_event(app, make_org())
    set_status(app, ordinary["id"], EventStatus.published)
    adult = page_text(make_client().get(f"/d/{ordinary['code']}/heard?lang=sv"))
    assert "Vi räknar röster på papper också." not in adult
    assert "Vi pratar om parken." not in adult and "Ett samtal om parken." in adult
