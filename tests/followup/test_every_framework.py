"""Every framework has its own waves, dashboards, report, CSV, public page and API (the demo's
social sustainability programme beside the default strategy), and statistics are done right
in every table: p below 0.001 as "p < 0,001", groups in their natural order, "Förändring"
for the change, Benjamini–Hochberg adjusted p beside the unadjusted one."""

from __future__ import annotations

import csv
import io
import re

import pytest
from docx import Document
from flask_babel import force_locale
from sqlalchemy import select

from surveys.auth.models import Organisation
from surveys.core.roles import Role
from surveys.demo import USERS, email
from surveys.extensions import db
from surveys.followup import present, queries
from surveys.followup.models import Framework
from surveys.followup.report_docx import render_report_docx
from surveys.indicators import benjamini_hochberg

from tests.support.web import page_text as text

from .conftest import demo_database

PASSWORDS = {role: password for role, _, password in USERS}
#: The years-in-Sweden groups in their natural order, as codes and as Swedish labels.
YEARS = ["0_4", "5_9", "10_19", "20_plus"]
YEARS_SV = ["Mindre än 5 år", "5–9 år", "10–19 år", "20 år eller mer"]
#: An indicator broken down by years in Sweden (a share, so it has gaps and group changes).
TRUST = "tillit_manniskor"


@pytest.fixture(scope="module")
def demo(demo_snapshots):
    with demo_database(demo_snapshots, "frameworks") as app:
        yield app


def analyst(app, lang: str = "sv"):
    client = app.test_client()
    client.get(f"/login?lang={lang}")
    reply = client.post_form("/login", {"email": email(Role.analyst),
                                        "password": PASSWORDS[Role.analyst]})
    assert reply.status_code == 302
    return client


def frameworks(app) -> tuple[Framework, Framework]:
    """The demo's default strategy and its social sustainability programme (detached)."""
    with app.app_context():
        found = db.session.scalars(select(Framework).join(Organisation).where(
            Organisation.name == "Exempelby kommun").order_by(Framework.position)).all()
        default = next(f for f in found if f.is_default)
        programme = next(f for f in found if not f.is_default)
        return (_facts(default), _facts(programme))


def _facts(framework: Framework):
    """What the tests need of a framework, read inside the app context."""
    class Facts:
        pass
    facts = Facts()
    facts.id, facts.slug, facts.title = framework.id, framework.slug, framework.title["sv"]
    facts.keys = [i.key for i in framework.all_indicators()]
    facts.public = [i.key for i in framework.all_indicators() if i.public]
    facts.own = [i.key for i in framework.indicators]
    facts.areas = [a.key for a in framework.focus_areas]
    facts.years = [w.year for w in framework.waves]
    return facts


def plain(value: str) -> str:
    """A formatted figure with its spaces as `text` leaves them."""
    return " ".join(value.split())


def in_order(haystack: str, needles: list[str]) -> bool:
    """Every needle found, each after the one before."""
    at = -1
    for needle in needles:
        at = haystack.find(needle, at + 1)
        if at < 0:
            return False
    return True


# -- every framework ---------------------------------------------------------------------------
def test_the_programme_has_its_own_waves_dashboards_report_and_csv(demo):
    default, programme = frameworks(demo)
    assert programme.own == [] and set(programme.keys) < set(default.keys)
    assert programme.years == default.years and len(programme.years) == 2
    client = analyst(demo)
    base = f"/followup/f/{programme.slug}"
    overview = client.get(f"{base}/")
    assert overview.status_code == 200
    page = text(overview)
    assert programme.title in page and default.title not in page
    assert f'action="{base}/waves"' in overview.get_data(as_text=True)
    for area in programme.areas:
        dashboard = client.get(f"{base}/areas/{area}")
        assert dashboard.status_code == 200, area
    dashboard = text(client.get(f"{base}/areas/trygghet_gemenskap"))
    with demo.test_request_context("/"), force_locale("sv"), demo.app_context():
        framework = db.session.get(Framework, programme.id)
        (trust,) = present.cards(framework, queries.series_for(
            framework, [i for i in framework.all_indicators() if i.key == TRUST]), True)
    assert plain(trust.latest.value) in dashboard and plain(trust.latest.interval) in dashboard
    report = client.get(f"{base}/report?lang=sv")
    assert report.status_code == 200 and programme.title in text(report)
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"{base}/values.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["indicator"] for r in rows} == set(programme.keys)
    # the default framework stays where it was
    assert client.get("/followup/").status_code == 200
    assert default.title in text(client.get("/followup/"))
    assert client.get(f"{base}/areas/no_such_area").status_code == 404
    assert client.get("/followup/f/no-such-framework/").status_code == 404


def test_the_programme_has_its_own_public_page_and_api(demo):
    default, programme = frameworks(demo)
    client = demo.test_client()
    public = client.get(f"/indicators/{programme.slug}?lang=sv")
    assert public.status_code == 200 and programme.title in text(public)
    assert client.get(f"/indicators/{programme.slug}/trygghet_gemenskap").status_code == 200
    listed = client.get(f"/api/v1/frameworks/{programme.slug}/indicators").get_json()
    assert listed["slug"] == programme.slug and listed["waves"] == programme.years
    assert [i["key"] for i in listed["indicators"]] == programme.public
    # each indicator placed under the programme's own goal that follows it
    detail = client.get(f"/api/v1/frameworks/{programme.slug}").get_json()
    assert [a["key"] for a in detail["focus_areas"]] == programme.areas
    keys = {k for a in detail["focus_areas"] for g in a["goals"] for k in g["indicators"]}
    assert keys == set(programme.public)
    one = client.get(f"/api/v1/frameworks/{programme.slug}/indicators/{TRUST}").get_json()
    assert one["indicator"]["focus_area"] == "trygghet_gemenskap"
    assert client.get(f"/api/v1/frameworks/{programme.slug}/indicators/"
                      "no_such_key").status_code == 404


# -- statistics done right ---------------------------------------------------------------------
@pytest.mark.parametrize(("lang", "small", "ordinary"), [
    ("sv", "p < 0,001", "p = 0,012"), ("en", "p < 0.001", "p = 0.012")])
def test_p_values_below_a_thousandth_are_written_as_less_than(demo, lang, small, ordinary):
    with demo.test_request_context("/"), force_locale(lang):
        assert present.p_text(0.0004) == small and present.p_text(0.0) == small
        assert present.p_text(0.0123) == ordinary
        assert present.p_text(0.001) == ordinary.replace("012", "001")
        assert present.p_text(None) == ""


def smallest_p(app) -> float:
    """The smallest p-value anywhere in the default framework's latest figures."""
    with app.app_context():
        framework = db.session.get(Framework, frameworks(app)[0].id)
        found = []
        for series in queries.series_for(framework):
            follow = series.follow_up
            if follow is None:
                continue
            changes = [follow.overall.since_previous, *(
                g.comparison.since_previous for g in follow.groups)]
            found += [c.p_value for c in changes if c is not None]
            found += [g.p_value for g in follow.latest.gaps]
        return min(p for p in found if p is not None)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_no_table_says_p_is_zero(demo, lang):
    client = analyst(demo, lang)
    small = "< 0,001" if lang == "sv" else "< 0.001"
    zero = "0,000" if lang == "sv" else "0.000"
    pages = [text(client.get(f"/followup/areas/{area}")) for area in frameworks(demo)[0].areas]
    report = text(client.get(f"/followup/report?lang={lang}"))
    for page in (*pages, report):
        assert f"p = {zero}" not in page and f" {zero} " not in page
    # some test of the demo's is below a thousandth: the report (every indicator) says so
    assert smallest_p(demo) < 0.001
    assert small in report and any(small in page for page in pages)


def test_change_is_förändring_in_swedish_tables_and_change_in_english(demo):
    sv, en = analyst(demo, "sv"), analyst(demo, "en")
    for client, word, wrong in ((sv, "Förändring", "Ändra"), (en, "Change", None)):
        for url in ("/followup/report", "/followup/areas/inclusion_trust"):
            html = client.get(url).get_data(as_text=True)
            headings = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', html)
            assert word in headings, (url, word)
            assert wrong not in headings, url


def test_groups_are_in_their_natural_order_in_pages_api_csv_and_reports(demo):
    client = analyst(demo, "sv")
    dashboard = text(client.get("/followup/areas/inclusion_trust"))
    assert in_order(dashboard, YEARS_SV)
    report = text(client.get("/followup/report?lang=sv"))
    assert in_order(report, YEARS_SV)
    public = demo.test_client()
    slug = frameworks(demo)[0].slug
    detail = public.get(f"/api/v1/frameworks/{slug}/indicators/{TRUST}").get_json()
    for wave in detail["indicator"]["waves"]:
        codes = [g["group"] for g in wave["groups"] if g["variable"] == "years_in_sweden"]
        assert codes == YEARS, wave["year"]
    changes = [g["group"] for g in detail["indicator"]["follow_up"]["groups"]
               if g["variable"] == "years_in_sweden"]
    assert changes == YEARS
    body = public.get(f"/api/v1/frameworks/{slug}/indicators.csv?group=years_in_sweden"
                      f"&indicator={TRUST}").get_data(as_text=True).lstrip("\ufeff")
    for year in frameworks(demo)[0].years:
        rows = [r["group"] for r in csv.DictReader(io.StringIO(body))
                if r["row_type"] == "group" and r["year"] == str(year)]
        assert rows == YEARS, year
    staff_csv = client.get("/followup/values.csv").get_data(as_text=True)
    assert in_order(staff_csv, [f",years_in_sweden,{code}," for code in YEARS])
    with demo.test_request_context("/"), demo.app_context():
        framework = db.session.get(Framework, frameworks(demo)[0].id)
        document = Document(io.BytesIO(render_report_docx(framework, None, "sv")))
    cells = " | ".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert in_order(cells, YEARS_SV)


def test_group_changes_and_gaps_carry_the_adjusted_p_and_the_flags_follow_it(demo):
    slug = frameworks(demo)[0].slug
    detail = demo.test_client().get(
        f"/api/v1/frameworks/{slug}/indicators/{TRUST}").get_json()["indicator"]
    groups = [g["since_previous"] for g in detail["follow_up"]["groups"]
              if g["since_previous"] is not None]
    assert len(groups) > 5
    adjusted = benjamini_hochberg([g["p_value"] for g in groups])
    for change, expected in zip(groups, adjusted, strict=True):
        if expected is None:
            assert change["p_adjusted"] is None
            continue
        assert change["p_adjusted"] == pytest.approx(expected)
        assert change["p_adjusted"] >= change["p_value"]
        assert change["significant"] == (change["p_adjusted"] < 0.05)
        if not change["significant"]:
            assert change["assessment"] == "unchanged"
    overall = detail["follow_up"]["since_previous"]
    assert overall["p_adjusted"] == overall["p_value"]  # one test on its own
    latest = detail["waves"][-1]["gaps"]
    gap_adjusted = benjamini_hochberg([g["p_value"] for g in latest])
    for gap, expected in zip(latest, gap_adjusted, strict=True):
        assert gap["p_adjusted"] == pytest.approx(expected)
        assert gap["significant"] == (expected is not None and expected < 0.05)
    # the page shows both, side by side
    page = analyst(demo, "en").get("/followup/areas/inclusion_trust").get_data(as_text=True)
    assert "Adjusted p (Benjamini–Hochberg)" in page
