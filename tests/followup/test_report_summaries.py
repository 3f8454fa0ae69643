"""The yearly report's plain-language summaries, its parts per focus area, the version for
residents, and its accessible PDF and Word files.

The demo is loaded once into a database of the module's own, with a second organisation.
"""

from __future__ import annotations

import re

import pytest
from flask_babel import gettext
from markupsafe import escape
from sqlalchemy import func, select

from surveys.audit.models import AuditEvent
from surveys.core.roles import Role
from surveys.extensions import db
from surveys.followup import report
from surveys.followup.models import AreaSummary, SUMMARY_MAX_LENGTH
from surveys.followup.report_docx import render_report_docx
from tests.support.pdf import assert_tagged

from .conftest import demo_database
from .test_report import (
    EARLIER,
    LATEST,
    OTHER_ORGANISATION,
    OTHER_PASSWORD,
    _other_organisation,
    demo_user,
    docx_of,
    log_in,
    page_context,
    pdf_text,
    squeeze,
)

#: Words of the method that the residents' version must not use in its main text.
METHOD_WORDS = {
    "sv": [r"\bKI\b", "konfidensintervall", "relativa standardfel", "standardfel"],
    "sv-ll": [r"\bKI\b", "konfidensintervall", "relativa standardfel", "standardfel"],
    "en": [r"\bCI\b", "confidence interval", "relative standard error", "standard error",
           r"p = "],
}


@pytest.fixture(scope="module")
def demo(demo_snapshots):
    with demo_database(demo_snapshots, "summaries") as app:
        with app.app_context():
            _other_organisation()
            db.session.commit()
        yield app


def summaries() -> int:
    return db.session.scalar(select(func.count(AreaSummary.id)))


def visible(html: str) -> str:
    return re.sub(r"\s+", " ", report.visible_text(html))


# -- the draft ---------------------------------------------------------------------------------
def test_the_draft_says_what_changed_and_how_sure_in_plain_words(demo):
    with page_context(demo, "en") as framework:
        areas = {a.key: a for a in framework.focus_areas}
        work = report.area_draft(framework, areas["work"], LATEST)
        trust = report.area_draft(framework, areas["inclusion_trust"], LATEST)
        earlier = report.area_draft(framework, areas["inclusion_trust"], EARLIER)
    # the register indicator rose: an exact change, clearly
    assert "clearly improved since" in work and "percentage points" in work
    # the survey indicators: each either settled in words or listed as "we cannot tell"
    assert re.search(r"(clearly|probably) (improved|worsened)|We cannot tell whether", trust)
    assert "p =" not in trust and "CI" not in trust
    assert earlier.startswith("There is nothing earlier to compare with yet for:")


def test_the_report_opens_each_area_with_its_draft_marked_as_a_draft(demo):
    with page_context(demo, "en") as framework:
        html = report.render_report_html(framework, None, "en")
        draft = report.area_draft(framework, framework.focus_areas[0], LATEST)
    summary = report.visible_text(html[html.index('id="summary-heading"'):
                                       html.index('<table class="summary"')])
    first = report.paragraphs(draft)[0]
    assert " ".join(first.split()) in " ".join(summary.split())
    assert "an analyst has not written this summary yet" in summary
    # then per area: actions, what residents said, the indicators; the method is an appendix
    order = [html.index(f'id="{part}-inclusion_trust"') for part in ("actions", "said",
                                                                       "indicators")]
    assert order == sorted(order) and order[-1] < html.index('id="method-heading"')
    assert "Appendix: method" in html


def test_actions_and_what_residents_said_appear_under_their_area(demo):
    with page_context(demo, "en") as framework:
        built = report.build_report(framework, None)
    areas = {a.key: a for a in built.areas}
    lines = [a for block in areas["inclusion_trust"].actions for a in block.actions]
    assert "Bridge builders in social services" in {a.title for a in lines}
    assert {a.status for a in lines} <= {"Planned", "Started", "Done", "Stopped"}
    events = areas["inclusion_trust"].said
    assert "Held on this focus area" in [e.reason for e in events]  # the evening in the park
    assert {e.reason for e in events} <= {"Held on this focus area",
                                          "An action on this area's goals answers it"}
    statements = [s for e in events for s in e.statements]
    assert statements and all(len(e.statements) <= 3 for e in events)
    assert all(re.fullmatch(r"\d+ of \d+ who voted agreed", s.agreement) for s in statements)


def test_the_themes_linked_to_an_areas_goals_are_counted_under_it(demo):
    """The demo tags statements and survey comments with themes linked to goals: the report
    counts them per theme (under 5 as "fewer than 5") and quotes statements, never
    comments."""
    from surveys.themes.queries import raised_about_goals

    with page_context(demo, "en") as framework:
        built = report.build_report(framework, None)
        raised = raised_about_goals(framework.organisation_id, framework.id, built.year, "en")
        html = report.render_report_html(framework, None, "en")
    expected = {(t.name, r.title) for r in raised for t in r.themes if t.statements or t.answers}
    listed = [t for area in built.areas for t in area.themes]
    assert expected and {(t.name.striptags(), t.goal.striptags()) for t in listed} == expected
    for theme in listed:
        assert re.fullmatch(r"(\d+|fewer than 5) statements at dialogue events, "
                            r"(\d+|fewer than 5) survey comments", theme.counts), theme.counts
        assert len(theme.examples) <= 3 and all(s.text and s.lang for s in theme.examples)
    assert "Themes residents raised about the goals" in html
    assert str(listed[0].name) in html


# -- saving a summary ------------------------------------------------------------------------
def test_an_analyst_saves_a_summary_that_the_report_then_opens_with(demo):
    analyst = demo_user(demo, Role.analyst)
    url = f"/followup/areas/health/summary?year={LATEST}&lang=sv"
    with demo.app_context():
        before = summaries()
    page = analyst.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    with page_context(demo, "sv") as framework:
        area = next(a for a in framework.focus_areas if a.key == "health")
        draft = report.area_draft(framework, area, LATEST)
    textarea = html[html.index("<textarea"):html.index("</textarea>")]
    assert 'lang="sv"' in textarea and str(escape(draft)) in textarea  # the draft to start from
    with demo.app_context():
        assert summaries() == before  # a page view writes nothing
    text = "Förtroendet för vården är oförändrat.\r\n\r\nVi fortsätter med familjecentralen."
    saved = analyst.post_form(url, {"text": text})
    assert saved.status_code == 302
    with demo.app_context():
        stored = db.session.scalar(select(AreaSummary).where(AreaSummary.language == "sv",
                                                             AreaSummary.year == LATEST))
        assert stored.text == "Förtroendet för vården är oförändrat.\n\nVi fortsätter med " \
                              "familjecentralen."
        # on record: who wrote what the report says about the area, for which year and language
        logged = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "area_summary_saved")).all()
        assert [(e.subject, e.detail, e.user_id, e.organisation_id) for e in logged] == [
            (stored.focus_area.title["sv"], {"year": LATEST, "language": "sv"},
             stored.updated_by_id, stored.focus_area.framework.organisation_id)]
        assert stored.updated_by_id is not None
    page = analyst.get(f"/followup/report?year={LATEST}&lang=sv").get_data(as_text=True)
    assert "<p>Förtroendet för vården är oförändrat.</p>" in page
    assert "<p>Vi fortsätter med familjecentralen.</p>" in page
    # in another year or language the draft is still shown
    english = analyst.get(f"/followup/report?year={LATEST}&lang=en").get_data(as_text=True)
    assert "Förtroendet för vården" not in english


def test_a_summary_that_is_too_long_or_empty_is_refused_and_the_text_kept(demo):
    analyst = demo_user(demo, Role.analyst)
    url = f"/followup/areas/education_language/summary?year={LATEST}&lang=en"
    with demo.app_context():
        before = summaries()
    long = "x" * (SUMMARY_MAX_LENGTH + 1)
    reply = analyst.post_form(url, {"text": long})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert f"{SUMMARY_MAX_LENGTH + 1}" in html and f"{SUMMARY_MAX_LENGTH}" in html
    assert long in html  # the analyst's text is still in the box
    empty = analyst.post_form(url, {"text": "  "})
    assert empty.status_code == 400
    assert "Write the summary" in empty.get_data(as_text=True)
    with demo.app_context():
        assert summaries() == before


def test_saving_needs_the_csrf_token(demo):
    analyst = demo_user(demo, Role.analyst)
    with demo.app_context():
        before = summaries()
    reply = analyst.post(f"/followup/areas/work/summary?year={LATEST}&lang=sv",
                         data={"text": "Utan token."})
    assert reply.status_code == 400
    with demo.app_context():
        assert summaries() == before


@pytest.mark.parametrize("role", [Role.author, Role.facilitator, Role.unit_reporter,
                                  Role.interpreter])
def test_only_analysts_and_admins_write_summaries(demo, role):
    client = demo_user(demo, role)
    url = f"/followup/areas/work/summary?year={LATEST}&lang=sv"
    assert client.get(url).status_code == 403
    assert client.post_form(url, {"text": "Nej."}).status_code == 403
    admin = demo_user(demo, Role.admin)
    assert admin.get(url).status_code == 200


@pytest.mark.parametrize(("query", "status"), [
    ("year=1999&lang=sv", 404), ("year=20x6&lang=sv", 400), ("lang=xx", 400),
])
def test_an_unknown_year_or_language_gets_a_clear_refusal(demo, query, status):
    analyst = demo_user(demo, Role.analyst)
    assert analyst.get(f"/followup/areas/work/summary?{query}").status_code == status
    assert analyst.get("/followup/areas/no_such_area/summary?lang=sv").status_code == 404


def test_another_organisation_writes_into_its_own_framework_only(demo):
    client = demo.test_client()
    client.get("/login?lang=en")
    log_in(client, "analytiker@annanby.se", OTHER_PASSWORD)
    url = f"/followup/areas/housing/summary?year={LATEST}&lang=sv"
    assert client.post_form(url, {"text": "Annanbys egen text."}).status_code == 302
    own = client.get(f"/followup/report?year={LATEST}&lang=sv").get_data(as_text=True)
    assert "Annanbys egen text." in own and OTHER_ORGANISATION in own
    exempelby = demo_user(demo, Role.analyst)
    theirs = exempelby.get(f"/followup/report?year={LATEST}&lang=sv").get_data(as_text=True)
    assert "Annanbys egen text." not in theirs
    assert "Annanbys egen text." not in exempelby.get(url).get_data(as_text=True)


def test_a_focus_area_with_written_summaries_is_not_deleted(demo):
    from surveys.followup import services
    from surveys.followup.services import FrameworkError

    with page_context(demo, "en") as framework:
        area = services.add_area(framework, "Tillfälligt")
        services.save_area_summary(area, LATEST, "sv", "Text.", None)
        with pytest.raises(FrameworkError) as refused:
            services.delete_area(area)
        assert refused.value.code == "area_has_summaries"
        db.session.rollback()


# -- the version for residents -----------------------------------------------------------------
@pytest.mark.parametrize("lang", ["sv-ll", "sv", "en", "ar", "fa", "so", "ti", "uk"])
def test_the_residents_version_has_no_method_terms_and_is_short(demo, lang):
    with page_context(demo, lang) as framework:
        residents = report.render_report_html(framework, None, lang, audience="residents")
        staff = report.render_report_html(framework, None, lang)
        interval = gettext("between %(low)s and %(high)s %%", low="1", high="2")
    main = visible(residents[:residents.index('id="method-heading"')])
    for pattern in METHOD_WORDS.get(lang, []):
        assert not re.search(pattern, main), (lang, pattern)
    assert "<svg" not in residents and "<table class=\"summary\"" not in residents
    assert len(residents) < len(staff) / 5
    assert interval.split("1")[0] in main  # intervals are in words
    assert f'lang="{report.LANGUAGES[lang].tag}"' in residents


def test_the_residents_version_shows_public_indicators_only(demo):
    from surveys.followup.models import IndicatorDefinition

    with page_context(demo, "sv") as framework:
        hidden = framework.indicators[0]
        hidden.public = False
        db.session.flush()
        html = report.render_report_html(framework, None, "sv", audience="residents")
        staff = report.render_report_html(framework, None, "sv")
        db.session.rollback()
        assert db.session.get(IndicatorDefinition, hidden.id).public
    assert f'id="ind-{hidden.key}"' not in html and f'id="ind-{hidden.key}"' in staff


def test_residents_read_their_version_on_the_public_pages(demo):
    client = demo.test_client()
    index = client.get("/indicators/exempelby-kommun?lang=sv").get_data(as_text=True)
    assert 'href="/indicators/exempelby-kommun/yearly-report?lang=sv"' in index
    reply = client.get(f"/indicators/exempelby-kommun/yearly-report?lang=ar&year={EARLIER}")
    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html and "csrf_token" not in html
    assert client.get("/indicators/exempelby-kommun/yearly-report?lang=xx").status_code == 400
    assert client.get("/indicators/exempelby-kommun/yearly-report?year=1999").status_code == 404
    assert client.get("/indicators/annanby-kommun/yearly-report").status_code == 404


def test_staff_switch_between_the_versions_and_make_the_residents_pdf(demo):
    analyst = demo_user(demo, Role.analyst)
    page = analyst.get(f"/followup/report?year={LATEST}&lang=sv-ll&audience=residents")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'action="/followup/report.pdf?year={LATEST}&amp;lang=sv-ll&amp;audience=residents"' \
        in html
    assert f'href="/followup/report?year={LATEST}&amp;lang=sv-ll"' in html
    assert analyst.get("/followup/report?audience=council").status_code == 400
    made = analyst.post_form(f"/followup/report.docx?year={LATEST}&lang=sv-ll&audience=residents")
    reply = analyst.get(made.headers["Location"] + "/download")
    assert reply.headers["Content-Disposition"] == (
        f'attachment; filename="uppfoljning-exempelby-kommun-{LATEST}-sv-ll-invanare.docx"')


# -- accessible files --------------------------------------------------------------------------
# (the staff version's tags are checked on the PDFs that tests/followup/test_report.py makes)
@pytest.mark.parametrize(("lang", "audience"), [("sv", "residents"), ("ar", "residents")])
def test_the_pdf_is_tagged_with_its_language_title_and_summary(demo, lang, audience):
    with page_context(demo, lang) as framework:
        data = report.render_report_pdf(framework, None, lang, audience)
        built = report.build_report(framework, None, audience)
    reader, text = pdf_text(data)
    assert_tagged(reader, lang)
    assert reader.metadata.title == built.title
    # word by word: text extraction orders mixed Arabic and Latin runs its own way, and
    # loses some Arabic letters (a hamza on an alef): most words, then, in Arabic
    words = [w.strip(".,:;()،") for w in built.areas[0].summary.paragraphs[0].split()[:12]]
    found = [squeeze(w) in squeeze(text) for w in words if w]
    assert all(found) if lang == "sv" else sum(found) >= 0.75 * len(found), (words, found)


@pytest.mark.parametrize("lang", ["sv", "ar"])
def test_the_residents_word_document_has_the_same_headings(demo, lang):
    from docx.oxml.ns import qn

    with page_context(demo, lang) as framework:
        document = docx_of(render_report_docx(framework, None, lang, "residents"))
        built = report.build_report(framework, None, "residents")
        chapters = [gettext("Summary"), *[str(a.title) for a in built.areas],
                    gettext("Appendix: how the figures are made")]
        terms = METHOD_WORDS.get(lang, [])
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == chapters
    assert document.core_properties.title == built.title
    text = "\n".join(p.text for p in document.paragraphs)
    assert built.areas[0].summary.paragraphs[0] in text
    assert not any(re.search(t, text) for t in terms)
    if lang == "ar":
        assert all(p._p.pPr.find(qn("w:bidi")) is not None for p in document.paragraphs
                   if p.text)
