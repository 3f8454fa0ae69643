"""The follow-up pages: dashboard, editing, register import, waves, settings, public page."""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape

import pytest
from sqlalchemy import select

from surveys.core.i18n import LANGUAGES
from surveys.core.roles import Role
from surveys.core.time import utcnow
from surveys.extensions import db
from surveys.followup import comparisons, queries, services
from surveys.followup.models import Framework, Goal, IndicatorDefinition, IndicatorValue, Wave
from surveys.followup.services import load_template
from surveys.runs.models import RunWeight
from surveys.runs.queries import approved_run
from surveys.survey.models import Answer, Question, Response
from tests.indicators.test_register import scb_dataset
from tests.support.analysis import demo_analyst, demo_framework, upload

#: SCB's employment rate by country of birth 2020-2023 (foreign-born 2023: 64.4 %).
REGISTER_FILE = json.dumps(scb_dataset()).encode()


@pytest.fixture
def demo(app, restore_demo):
    """A small demo (about 500 respondents a wave) in the shared test database."""
    restore_demo(respondents=500)
    with app.app_context():
        framework = demo_framework()
        return {"slug": framework.slug,
                "ids": {d.key: d.id for d in framework.indicators},
                "surveys": {w.year: w.survey_id for w in framework.waves}}


@pytest.fixture
def analyst(client, demo):
    return demo_analyst(client)


def text(reply) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", reply.get_data(as_text=True)))


def framework_now() -> Framework:
    return demo_framework()


def test_the_dashboard_lists_every_focus_area_with_latest_values(analyst, demo):
    reply = analyst.get("/followup/")
    assert reply.status_code == 200
    page = text(reply)
    for area in ("Inclusion and trust", "Influence and participation", "Work and employment",
                 "Housing", "Health", "Education and language"):
        assert area in page
    assert "Trust in other people" in page and "Foreign-born residents in employment" in page


def test_a_focus_area_shows_cards_charts_and_the_same_numbers_as_tables(app, analyst, demo):
    reply = analyst.get("/followup/areas/inclusion_trust")
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200
    with app.app_context():
        trust = next(s for s in queries.series_for(framework_now())
                     if s.definition.key == "tillit_manniskor")
    value = f"{trust.latest.overall.value * 100:.1f}%"
    assert value in html  # the headline and the table say the same
    assert html.count("<svg") >= 2 * 6  # a trend and at least one group chart per indicator
    assert re.search(r'<svg role="img" aria-labelledby="trend-tillit_manniskor-title '
                     r'trend-tillit_manniskor-desc"', html)
    assert f"n = {trust.latest.overall.n:,}" in html
    assert "Born abroad minus Born in Sweden" in html


def test_a_register_indicator_imported_from_json_stat_shows_beside_survey_indicators(
        app, analyst, demo):
    url = f"/followup/indicators/{demo['ids']['forvarvsfrekvens_utrikes']}/register"
    reply = upload(analyst, url, REGISTER_FILE, "scb.json",
                   select="Fodelseregion = 020\nRegion = 1380", source="")
    assert reply.status_code == 302, text(reply)
    page = text(analyst.get("/followup/"))
    row = re.search(r"Foreign-born residents in employment\s+(\d{4})\s+([\d.,]+%)", page)
    assert row and row.groups() == ("2023", "64.4%")
    assert re.search(r"Trust in other people\s+\d{4}\s+[\d.]+%", page)
    area = text(analyst.get("/followup/areas/work"))
    assert re.search(r"Source:\s+SCB", area) and "64.4%" in area


def test_a_broken_register_file_is_refused_with_reasons_and_nothing_changes(app, analyst, demo):
    url = f"/followup/indicators/{demo['ids']['forvarvsfrekvens_utrikes']}/register"
    with app.app_context():
        before = dict(db.session.get(IndicatorDefinition,
                                     demo["ids"]["forvarvsfrekvens_utrikes"]).register_series)
    several = upload(analyst, url, REGISTER_FILE, "scb.json", select="",
                     source="")
    assert several.status_code == 400
    assert "has several categories" in text(several) and "Fodelseregion" in text(several)
    broken = upload(analyst, url, b"year;value\n2020;abc\n", "x.csv", select="", source="")
    assert broken.status_code == 400 and "not a number: abc" in text(broken)
    bad_line = upload(analyst, url, b"{}", "x.json", select="no equals sign", source="")
    assert bad_line.status_code == 400 and "dimension = code" in text(bad_line)
    with app.app_context():
        after = db.session.get(IndicatorDefinition, demo["ids"]["forvarvsfrekvens_utrikes"])
        assert after.register_series == before


def test_small_groups_are_suppressed_on_the_dashboard_and_the_public_page(app, analyst, demo):
    reply = analyst.post_form("/followup/settings", {
        "slug": demo["slug"], "min_group_size": "80", "max_rse": "0,3",
        "groupings": "born, years_in_sweden, gender, age, district",
        "gaps": "born utrikes inrikes", "published": "y"})
    assert reply.status_code == 302, text(reply)
    with app.app_context():
        services.refresh(framework_now())
        trust = next(s for s in queries.series_for(framework_now())
                     if s.definition.key == "tillit_manniskor")
        years = trust.latest.groups["years_in_sweden"]
        small = [e for e in years if e.suppressed == "small_group"]
        assert small and all(e.value is None and e.n is None for e in small)
        shown = [e for e in years if e.suppressed is None]
        assert all(e.n >= 80 for e in shown)
        # no grouping leaves exactly one group out: it would be the total minus the others
        for estimates in trust.latest.groups.values():
            assert sum(e.suppressed in ("small_group", "complement") for e in estimates) != 1
        complements = [e for es in trust.latest.groups.values() for e in es
                       if e.suppressed == "complement"]
    assert complements
    for url in ("/followup/areas/inclusion_trust",
                f"/indicators/{demo['slug']}/inclusion_trust?lang=en"):
        page = text(analyst.get(url))
        assert "Fewer than 80 respondents: not shown" in page
        assert "Groups with fewer than 80 respondents are not shown" in page
        assert "Not shown, so that no small group can be worked out from the other" in page


def test_editing_an_indicator_recomputes_it(app, analyst, demo):
    indicator_id = demo["ids"]["tillit_manniskor"]
    form = edit_form(analyst, indicator_id)
    with app.app_context():
        before = next(s for s in queries.series_for(framework_now())
                      if s.definition.key == "tillit_manniskor").latest.overall.value
    reply = analyst.post_form(f"/followup/indicators/{indicator_id}/edit",
                              {**form, "values": "9, 10"})
    assert reply.status_code == 302, text(reply)
    analyst.get(f"/followup/indicators/{indicator_id}")
    with app.app_context():
        after = next(s for s in queries.series_for(framework_now())
                     if s.definition.key == "tillit_manniskor")
        assert after.indicator.values == frozenset({9.0, 10.0})
        assert after.latest.overall.value < before


def edit_form(client, indicator_id: int) -> dict[str, str]:
    """The edit form's current values, as a browser would send them back."""
    html = client.get(f"/followup/indicators/{indicator_id}/edit").get_data(as_text=True)
    data = {}
    for tag in re.findall(r"<(?:input|select|textarea)[^>]*>(?:[^<]*</textarea>)?", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        if tag.startswith("<textarea"):
            data[name.group(1)] = unescape(re.search(r">([^<]*)</textarea>", tag).group(1))
        elif tag.startswith("<select"):
            continue
        elif 'type="checkbox"' in tag:
            if "checked" in tag:
                data[name.group(1)] = "y"
        else:
            value = re.search(r'value="([^"]*)"', tag)
            data[name.group(1)] = unescape(value.group(1)) if value else ""
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html,
                                    re.DOTALL):
        chosen = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected',
                           options)
        data[name] = next(g for g in chosen.groups() if g is not None)
    return data


@pytest.mark.parametrize("change,message", [
    ({"values": "dk"}, "is not valid (dont_know_in_value_set)"),
    ({"values": ""}, "is not valid (empty_value_set)"),
    ({"title_sv": ""}, "Write the title in Swedish."),
    ({"title_ar": ""}, "A public indicator needs its title in every language. Missing: ar."),
    ({"target_value": "0,7", "target_year": ""}, "is not valid"),
    ({"baseline_wave": "20x"}, "Baseline year"),
    ({"goal": "999999"}, "Goal"),
])
def test_a_wrong_edit_is_refused_with_its_reason_and_nothing_changes(
        app, analyst, demo, change, message):
    indicator_id = demo["ids"]["tillit_manniskor"]
    with app.app_context():
        before = dict(db.session.get(IndicatorDefinition, indicator_id).definition)
    reply = analyst.post_form(f"/followup/indicators/{indicator_id}/edit",
                              {**edit_form(analyst, indicator_id), **change})
    assert reply.status_code == 400
    assert message in text(reply)
    with app.app_context():
        assert db.session.get(IndicatorDefinition, indicator_id).definition == before


def test_a_new_indicator_is_validated_and_computed(app, analyst, demo):
    form = edit_form(analyst, demo["ids"]["tillit_kommun"])
    new = {**form, "key": "tillit_polis_hog", "item": "trust_polis", "public": "",
           "title_sv": "Förtroende för polisen", "title_en": "Trust in the police"}
    taken = analyst.post_form("/followup/indicators/new", {**new, "key": "tillit_kommun"})
    assert taken.status_code == 400 and "already has the key tillit_kommun" in text(taken)
    reply = analyst.post_form("/followup/indicators/new", new)
    assert reply.status_code == 302, text(reply)
    assert "Trust in the police" in text(analyst.get(reply.headers["Location"]))
    with app.app_context():
        made = next(s for s in queries.series_for(framework_now())
                    if s.definition.key == "tillit_polis_hog")
        assert len(made.waves) == 2 and made.latest.overall.value is not None


def test_a_question_the_wave_lacks_is_named_on_the_dashboard(app, analyst, demo):
    form = edit_form(analyst, demo["ids"]["paverka"])
    reply = analyst.post_form(f"/followup/indicators/{demo['ids']['paverka']}/edit",
                              {**form, "item": "no_such_question"})
    assert reply.status_code == 302
    page = text(analyst.get("/followup/"))
    assert "has no question no_such_question for the indicator paverka" in page


def test_waves_link_surveys_to_years(app, analyst, demo):
    (older, newer) = sorted(demo["surveys"])
    taken = analyst.post_form("/followup/waves", {"survey_id": demo["surveys"][older],
                                                  "year": str(newer)})
    assert taken.status_code == 302
    assert f"already is the wave of {newer}" in text(analyst.get("/followup/"))
    bad = analyst.post_form("/followup/waves", {"survey_id": demo["surveys"][older],
                                                "year": "1700"})
    assert bad.status_code == 303
    assert "between 1990 and 2100" in text(analyst.get("/followup/"))
    removed = analyst.post_form("/followup/waves", {"survey_id": demo["surveys"][older],
                                                    "year": ""})
    assert removed.status_code == 302
    with app.app_context():
        assert [w.year for w in framework_now().waves] == [newer]
        # the programme counts the same survey as its own wave: its figures stay
        assert db.session.scalar(select(IndicatorValue).join(Wave).where(
            Wave.year == older, Wave.framework_id == framework_now().id)) is None
        trust = next(s for s in queries.series_for(framework_now())
                     if s.definition.key == "tillit_manniskor")
        assert [w.year for w in trust.waves] == [newer]
        assert trust.follow_up.overall.since_previous is None


def test_wrong_settings_are_refused(analyst, demo, make_org, app):
    other = make_org("Annanby kommun")
    with app.app_context():
        from surveys.followup.services import create_from_template

        create_from_template(db.session.merge(other))
        db.session.commit()
        other_slug = db.session.scalar(select(Framework.slug).where(
            Framework.organisation_id == other.id))
    base = {"slug": demo["slug"], "min_group_size": "10", "max_rse": "0,3",
            "groupings": "born", "gaps": "", "published": "y"}
    for change, message in [({"slug": other_slug}, "already uses that address"),
                            ({"slug": "Å!"}, "Lower-case letters, digits and hyphens only"),
                            ({"gaps": "born utrikes"}, "Line 1 of the gaps"),
                            ({"min_group_size": "1"}, "Smallest group shown")]:
        reply = analyst.post_form("/followup/settings", {**base, **change})
        assert reply.status_code == 400, change
        assert message in text(reply)


@pytest.mark.parametrize("role", [Role.author, Role.facilitator])
def test_only_analysts_and_admins_see_the_follow_up(client, make_org, login, role):
    org = make_org()
    login(client, org, role)
    assert client.get("/followup/").status_code == 403
    assert client.post_form("/followup/create").status_code == 403


def test_the_follow_up_needs_a_login(client):
    reply = client.get("/followup/")
    assert reply.status_code == 302 and "/login" in reply.headers["Location"]


def test_another_organisation_sees_none_of_the_demos_indicators(app, client, make_org, login,
                                                                demo):
    org = make_org()
    login(client, org, Role.analyst)
    assert "Create the framework from the template" in text(client.get("/followup/?lang=en"))
    for key, indicator_id in demo["ids"].items():
        assert client.get(f"/followup/indicators/{indicator_id}").status_code == 404, key
        assert client.get(f"/followup/indicators/{indicator_id}/edit").status_code == 404
    # with a framework of its own, the demo's ids still answer 404 and change nothing
    assert client.post_form("/followup/create").status_code == 302
    with app.app_context():
        before = {d.key: dict(d.definition) for d in db.session.scalars(
            select(IndicatorDefinition).where(IndicatorDefinition.id.in_(demo["ids"].values())))}
    for key, indicator_id in demo["ids"].items():
        edited = client.post_form(f"/followup/indicators/{indicator_id}/edit",
                                  {"title_sv": "Kapad", "kind": "mean", "item": "influence"})
        assert edited.status_code == 404, key
        assert client.post_form(f"/followup/indicators/{indicator_id}/register",
                                {"select": ""}).status_code == 404
        assert client.get(f"/followup/indicators/{indicator_id}").status_code == 404
    assert client.post_form("/followup/waves", {
        "survey_id": demo["surveys"][max(demo["surveys"])], "year": "2030"}).status_code == 302
    with app.app_context():
        after = {d.key: dict(d.definition) for d in db.session.scalars(
            select(IndicatorDefinition).where(IndicatorDefinition.id.in_(demo["ids"].values())))}
        assert after == before
        assert db.session.scalar(select(Wave).where(Wave.year == 2030)) is None
    page = text(client.get("/followup/"))
    assert "Trust in other people" in page and "Exempelby" not in page


def test_an_organisation_starts_from_the_template(app, client, make_org, login):
    org = make_org()
    login(client, org, Role.admin)
    assert client.post_form("/followup/create").status_code == 302
    template = load_template()
    with app.app_context():
        framework = db.session.scalar(select(Framework).where(
            Framework.organisation_id == org.id))
        assert [a.key for a in framework.focus_areas] == [
            a["key"] for a in template["focus_areas"]]
        assert len(framework.indicators) == 14 and framework.waves == []
        assert not framework.published
    assert client.get(f"/indicators/{framework.slug}").status_code == 404


def test_the_public_page_speaks_every_language(client, demo):
    template = json.loads(json.dumps(load_template()))
    trust = template["focus_areas"][0]["goals"][0]["subgoals"][0]["indicators"][0]
    for code, language in LANGUAGES.items():
        reply = client.get(f"/indicators/{demo['slug']}?lang={code}")
        html = reply.get_data(as_text=True)
        assert reply.status_code == 200
        assert f'<html lang="{language.tag}" dir="{language.direction}">' in html
        assert trust["title"][code] in unescape(html), code


def test_the_public_page_shows_only_public_indicators(app, client, demo):
    with app.app_context():
        hidden = db.session.get(IndicatorDefinition, demo["ids"]["diskriminering"])
        hidden.public = False
        db.session.commit()
    page = text(client.get(f"/indicators/{demo['slug']}/inclusion_trust?lang=en"))
    assert "Trust in other people" in page and "Experienced discrimination" not in page
    assert client.get(f"/indicators/{demo['slug']}/no_such_area").status_code == 404
    assert client.get("/indicators/no-such-municipality").status_code == 404


def test_analysts_download_every_figure_as_csv(app, analyst, demo):
    reply = analyst.get("/followup/values.csv?dialect=semicolon")
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(reply.get_data(as_text=True).lstrip("\ufeff")),
                               delimiter=";"))
    with app.app_context():
        everything = queries.series_for(framework_now())
    overall = [r for r in rows if r["row_type"] == "overall"]
    assert len(overall) == sum(len(s.waves) for s in everything)
    trust = next(s for s in everything if s.definition.key == "tillit_manniskor")
    latest = next(r for r in overall if r["indicator"] == "tillit_manniskor"
                  and r["year"] == str(trust.latest.year))
    assert float(latest["value"].replace(",", ".")) == trust.latest.overall.value
    suppressed = [r for r in rows if r["suppressed"]]
    assert all(r["value"] == "" and r["n"] == "" for r in suppressed)
    # the comparisons too: Kolada's areas beside the register indicator, the neighbour that
    # shares its survey indicators beside trust, each as the comparison pages show them
    with app.app_context():
        framework = framework_now()
        entries = comparisons.entries_for(framework, queries.series_for(framework))
    compared = [r for r in rows if r["row_type"] == "comparison"]
    assert len(compared) == sum(len(found) for found in entries.values())
    assert {r["variable"] for r in compared} >= {"country", "county", "organisation"}
    neighbour = next(e for e in entries["tillit_manniskor"] if e.role == "organisation")
    row = next(r for r in compared if r["indicator"] == "tillit_manniskor"
               and r["year"] == str(neighbour.year) and r["group_label"] == neighbour.name)
    assert float(row["value"].replace(",", ".")) == neighbour.value
    assert float(row["p_value"].replace(",", ".")) == neighbour.difference.p_value
    assert row["source"] == "shared" and row["n"] == str(neighbour.n)


def test_the_organisation_edits_its_focus_areas_and_goals(app, analyst, demo):
    assert analyst.get("/followup/structure").status_code == 200
    area = analyst.get("/followup/areas/housing/title")
    assert area.status_code == 200
    titles = {f"title_{code.replace('-', '_')}": f"Bostäder {code}" for code in LANGUAGES}
    assert analyst.post_form("/followup/areas/housing/title", titles).status_code == 302
    refused = analyst.post_form("/followup/areas/housing/title", {**titles, "title_sv": " "})
    assert refused.status_code == 400 and "Write the title in Swedish." in text(refused)
    with app.app_context():
        framework = framework_now()
        housing = next(a for a in framework.focus_areas if a.key == "housing")
        assert housing.title["ar"] == "Bostäder ar" and housing.title["sv"] == "Bostäder sv"
        area_id = housing.id
        goal_in_use = housing.goals[0].id
    assert analyst.post_form("/followup/goals/new", {
        "parent": f"area:{area_id}", "title_sv": "Fler möten mellan grannar"}).status_code == 302
    with app.app_context():
        goal = next(g for g in framework_now().focus_areas[3].goals
                    if g.title["sv"] == "Fler möten mellan grannar")
        goal_id = goal.id
    assert analyst.post_form("/followup/goals/new", {
        "parent": f"goal:{goal_id}", "title_sv": "Gårdsfester"}).status_code == 302
    # a goal with a sub-goal, or with indicators, stays: 409, with the reason in words
    for kept in (goal_id, goal_in_use):
        reply = analyst.post_form(f"/followup/goals/{kept}/delete")
        assert reply.status_code == 409
        assert "Only a goal without indicators, sub-goals or actions can be deleted" in text(
            reply)
    with app.app_context():
        housing = next(a for a in framework_now().focus_areas if a.key == "housing")
        sub = next(g for g in housing.goals if g.parent_id == goal_id)
        assert {g.id for g in housing.goals} >= {goal_id, goal_in_use}
        sub_id = sub.id
    assert analyst.post_form(f"/followup/goals/{sub_id}/delete").status_code == 302
    assert analyst.post_form(f"/followup/goals/{goal_id}/delete").status_code == 302
    with app.app_context():
        housing = next(a for a in framework_now().focus_areas if a.key == "housing")
        assert {g.id for g in housing.goals}.isdisjoint({goal_id, sub_id})


def test_another_organisation_cannot_touch_the_demos_goals(app, client, make_org, login, demo):
    with app.app_context():
        goal_id = framework_now().focus_areas[0].goals[0].id
        goals_before = len(db.session.scalars(select(Goal)).all())
        template_goals = sum(len(a.goals) for a in framework_now().focus_areas)
    org = make_org()
    login(client, org, Role.analyst)
    client.post_form("/followup/create")
    assert client.get(f"/followup/goals/{goal_id}/title").status_code == 404
    assert client.post_form(f"/followup/goals/{goal_id}/title",
                            {"title_sv": "Kapad"}).status_code == 404
    assert client.post_form(f"/followup/goals/{goal_id}/delete").status_code == 404
    assert client.post_form("/followup/goals/new", {
        "parent": f"goal:{goal_id}", "title_sv": "Kapad"}).status_code == 404
    with app.app_context():
        assert db.session.get(Goal, goal_id).title["sv"] != "Kapad"
        # the other organisation's own template goals, and nothing under the demo's
        assert len(db.session.scalars(select(Goal)).all()) == goals_before + template_goals


def test_figures_that_cannot_be_recomputed_are_withdrawn_not_left_standing(app, analyst, demo):
    """Tightened rules with a gap that cannot be computed: the old figures (made under the
    old rules) must not be served, and the failure is remembered instead of retried."""
    reply = analyst.post_form("/followup/settings", {
        "slug": demo["slug"], "min_group_size": "200", "max_rse": "0,3",
        "groupings": "born", "gaps": "born utrikes utrikes", "published": "y"})
    assert reply.status_code == 400  # the settings page refuses a group minus itself
    with app.app_context():
        framework = framework_now()
        framework.gaps = [["born", "utrikes", "utrikes"]]
        framework.min_group_size = 200
        db.session.commit()
        problems = services.refresh(framework)
        assert {p.code for p in problems} == {"gap_of_group_with_itself"}
        assert all(s.waves == [] for s in queries.series_for(framework)
                   if s.definition.kind != "register")
        # the framework's own figures (the demo's neighbour keeps its own)
        own = select(IndicatorValue).join(Wave).where(Wave.framework_id == framework.id)
        stored = db.session.scalars(own).all()
        assert stored and all(v.result is None and v.problem for v in stored)
        db.session.commit()
        # remembered: a second refresh reports the problems without recomputing
        fingerprints = {v.id: v.computed_at for v in stored}
        assert {p.code for p in services.refresh(framework)} == {"gap_of_group_with_itself"}
        assert {v.id: v.computed_at for v in db.session.scalars(own)} == fingerprints
    page = text(analyst.get(f"/indicators/{demo['slug']}/inclusion_trust?lang=en"))
    assert "No figures yet." in page


def test_texts_are_escaped_once_and_a_missing_translation_is_marked(app, client, demo):
    with app.app_context():
        definition = db.session.get(IndicatorDefinition, demo["ids"]["tillit_manniskor"])
        definition.description = {**definition.description, "en": "Trust & <care>"}
        area = framework_now().focus_areas[0]
        area.title = {"sv": "Inkludering & tillit"}  # not translated yet
        db.session.commit()
    html = client.get(f"/indicators/{demo['slug']}/inclusion_trust?lang=en").get_data(
        as_text=True)
    assert "Trust &amp; &lt;care&gt;" in html and "&amp;amp;" not in html
    assert '<h1><span lang="sv" dir="ltr">Inkludering &amp; tillit</span></h1>' in html
    # option labels in group tables and SVG titles are plain text, escaped once
    assert "Don&amp;#39;t" not in html and "&amp;#39;" not in html


def test_an_answer_corrected_after_approval_is_counted_at_once_and_page_views_never_write(
        app, analyst, demo):
    """The run's input hash covers the weighting categories only; a corrected trust answer
    must still reach the indicator, in the operation that corrects it: a page view only
    reads, and leaves out a figure whose inputs changed behind its back."""
    from werkzeug.datastructures import MultiDict

    from surveys.survey import services as survey_services

    latest_year = max(demo["surveys"])

    def trust() -> float | None:
        series = next(s for s in queries.series_for(framework_now())
                      if s.definition.key == "tillit_manniskor")
        return next((w.overall.value for w in series.waves if w.year == latest_year), None)

    def stored() -> list[tuple]:
        return sorted(db.session.execute(select(
            IndicatorValue.id, IndicatorValue.fingerprint, IndicatorValue.computed_at)).all())

    with app.app_context():
        before = trust()
        run = approved_run(demo["surveys"][latest_year])
        answers = db.session.scalars(
            select(Answer).join(Question).join(RunWeight, RunWeight.response_id ==
                                                Answer.response_id)
            .where(RunWeight.run_id == run.id, Question.key == "trust_people")).all()
        low = [a for a in answers if isinstance(a.value, int) and a.value < 7][:20]
        assert len(low) == 20
        for answer in low[:-1]:  # nineteen residents' answers changed behind the app's back
            answer.value = 10
            db.session.get(Response, answer.response_id).updated_at = utcnow()
        last_id = low[-1].response_id
        db.session.commit()
        rows = stored()
    for path in ("/followup/areas/inclusion_trust", "/followup/",
                 f"/indicators/{demo['slug']}/inclusion_trust"):
        assert analyst.get(path).status_code == 200
    with app.app_context():
        assert stored() == rows  # nothing recomputed or written by the page views
        assert trust() is None  # and the figure whose inputs changed is not served
        last = db.session.get(Response, last_id)
        page = next(i for i, p in enumerate(last.survey.pages)
                    if any(q.key == "trust_people" for q in p.questions))
        # staff correct the twentieth (paper) response through the app
        result = survey_services.save_page(last, page, MultiDict({"q_trust_people": "10"}))
        assert not result.errors
        db.session.commit()
        assert trust() > before
