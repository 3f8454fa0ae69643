"""The yearly follow-up report for the council: HTML, PDF, the pages that serve it, the command.

The demo (two weighted waves) is loaded once into a database of the module's own. The
figures the report must show are worked out here from `queries.series_for` and
`present.card` directly, the way the dashboard shows them, and looked for in the document.
"""

from __future__ import annotations

import io
import re
import unicodedata
from contextlib import contextmanager
from html import unescape

import pytest
from markupsafe import escape
from pypdf import PdfReader
from sqlalchemy import select

from surveys.auth.models import Organisation, User
from surveys.core.roles import Role
from surveys.core.time import utcnow
from surveys.demo import USERS, email
from surveys.extensions import db
from surveys.followup import present, queries, report, services
from surveys.followup.models import Framework
from surveys.runs.queries import approved_run
from surveys.survey.definition import load_template
from surveys.survey.services import import_definition
from tests.support.analysis import demo_framework
from tests.support.pdf import assert_tagged

from .conftest import demo_database

PASSWORDS = {role: password for role, _, password in USERS}
OTHER_ORGANISATION = "Annanby kommun"
#: The demo's waves: this year and last year.
LATEST = utcnow().year
EARLIER = LATEST - 1
OTHER_PASSWORD = "annanby-analytiker-2026"


@pytest.fixture(scope="module")
def demo(demo_snapshots):
    with demo_database(demo_snapshots, "report") as app:
        with app.app_context():
            _other_organisation()
            db.session.commit()
        yield app


def _other_organisation() -> None:
    """A second municipality with its own framework and a wave of this year not yet weighted."""
    other = Organisation(name=OTHER_ORGANISATION)
    analyst = User(organisation=other, email="analytiker@annanby.se", name="Annanby Analytiker",
                   role=Role.analyst)
    analyst.set_password(OTHER_PASSWORD)
    db.session.add_all([other, analyst])
    db.session.flush()
    survey = import_definition(load_template("tillit-och-delaktighet"), other.id,
                               slug=f"annanby-{LATEST}")
    framework = services.create_from_template(other)
    services.set_wave(framework, survey, LATEST)


def exempelby() -> Framework:
    return db.session.scalar(select(Framework).join(Organisation).where(
        Organisation.name == "Exempelby kommun", Framework.is_default))


@contextmanager
def page_context(app, lang: str):
    """An app and request context with the page in `lang`, as the report builds it."""
    with app.test_request_context("/"), report.in_language(lang):
        yield exempelby()


def dashboard_cards(framework: Framework) -> list[present.Card]:
    """The cards exactly as the dashboard computes them (latest wave)."""
    services.refresh(framework)
    options = present.option_labels(framework)
    return [present.card(s, framework, options, detail=False)
            for s in queries.series_for(framework)]


def squeeze(text: str) -> str:
    """Text compared without spaces, line breaks or direction marks, in NFKC form (PDF
    text extraction breaks lines and may give Arabic presentation forms)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")


def pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def section(html: str, element_id: str) -> str:
    """The HTML of the <section> whose heading has `element_id`."""
    start = html.index(f'id="{element_id}"')
    return html[start:html.index("</section>", start)]


def log_in(client, login: str, password: str):
    reply = client.post_form("/login", {"email": login, "password": password})
    assert reply.status_code == 302, reply.get_data(as_text=True)
    return client


def demo_user(app, role: Role):
    client = app.test_client()
    client.get("/login?lang=sv")
    return log_in(client, email(role), PASSWORDS[role])


# -- the document ------------------------------------------------------------------------------
def test_the_report_shows_every_indicator_with_its_latest_value_as_the_dashboard_does(demo):
    with page_context(demo, "sv") as framework:
        html = report.render_report_html(framework, None, "sv")
        cards = dashboard_cards(framework)
        areas = [str(present.tr(a.title)) for a in framework.focus_areas]
    assert len(cards) == 14
    assert html.startswith("<!doctype html>") and '<html lang="sv" dir="ltr">' in html
    assert "<nav" not in html and 'rel="stylesheet"' not in html  # standalone: style inline
    summary = section(html, "summary-heading")
    for card in cards:
        assert card.latest is not None, card.key
        assert str(escape(card.title)) in summary
        assert str(escape(card.latest.value)) in summary, (card.key, card.latest.value)
        # ... and in the indicator's own section, beside its charts and tables
        assert str(escape(card.latest.value)) in section(html, f"ind-{card.key}")
    for area in areas:
        assert f">{escape(area)}</h2>" in html
    assert html.count("<svg") >= 2 * 13  # a trend and group charts for the survey indicators


def test_the_summary_gives_each_change_since_the_previous_wave_with_its_test(demo):
    with page_context(demo, "en") as framework:
        html = report.render_report_html(framework, None, "en")
        trust = next(s for s in queries.series_for(framework)
                     if s.definition.key == "tillit_manniskor")
        change = trust.follow_up.overall.since_previous
        p_value = present.format_decimal(change.p_value, "0.000")
        points = present.difference_text("proportion", change.value)
    row = re.search(r'<a href="#ind-tillit_manniskor">.*?</tr>', html, re.DOTALL).group(0)
    assert f"{escape(points)} (p = {p_value})" in row
    assert f"since {EARLIER}" in row
    assert ("Improved" if change.significant else "No significant change") in row


def test_the_method_section_states_each_waves_run_and_its_design_effect(demo):
    with page_context(demo, "sv") as framework:
        html = report.render_report_html(framework, None, "sv")
        waves = {w.year: (approved_run(w.survey_id), w.survey) for w in framework.waves}
        approver = db.session.get(User, waves[LATEST][0].approved_by_id)
        counts = {year: (run.n_respondents, run.diagnostics) for year, (run, _) in waves.items()}
    assert sorted(waves) == [EARLIER, LATEST]
    for year, (n, diagnostics) in counts.items():
        wave = section(html, f"wave-{year}")
        deff = re.search(r'class="kish-deff"><data value="([^"]+)">', wave).group(1)
        effective = re.search(r'class="effective-n"><data value="([^"]+)">', wave).group(1)
        assert float(deff) == diagnostics["kish_deff"]
        assert float(effective) == diagnostics["effective_n"]
        assert f"{n:,}".replace(",", "\u00a0") in wave  # completed responses weighted
        assert f"Befolkning 16–84 år, 31 dec {EARLIER}" in wave
    assert approver.name in section(html, f"wave-{LATEST}")
    assert approver.email not in html and "@" not in section(html, "method-heading")


def test_the_method_section_says_how_categories_were_imputed_and_what_it_leaves_out(demo):
    with page_context(demo, "en") as framework:
        html = report.render_report_html(framework, None, "en")
        seeds = {w.year: approved_run(w.survey_id).settings["seed"] for w in framework.waves}
    for year, seed in seeds.items():
        notes = re.findall(r'<dd class="run-note">(.*?)</dd>', section(html, f"wave-{year}"),
                           re.DOTALL)
        imputed = next(n for n in notes if "hot-deck" in n)
        assert f"(seed {seed})" in imputed
        assert "do not include the uncertainty this adds" in imputed
        assert any("“annat” has no population figure" in unescape(n) for n in notes)


def test_the_rules_are_stated_with_the_frameworks_own_numbers(demo):
    with page_context(demo, "en") as framework:
        framework.min_group_size, framework.max_rse = 7, 0.25
        try:
            html = report.render_report_html(framework, None, "en")
        finally:
            db.session.rollback()
    rules = section(html, "rules-heading")
    assert "fewer than 7 respondents" in rules
    assert "above 25%" in rules
    assert "fewer than 10" not in html


def test_a_report_for_the_earlier_year_ends_with_that_year(demo):
    with page_context(demo, "en") as framework:
        html = report.render_report_html(framework, EARLIER, "en")
    assert f"<title>Yearly follow-up {EARLIER}:" in html
    assert f'id="wave-{EARLIER}"' in html and f'id="wave-{LATEST}"' not in html
    assert f"since {EARLIER}" not in html  # the first wave has nothing to compare with


# -- the PDF -----------------------------------------------------------------------------------
@pytest.mark.rendering
def test_the_swedish_pdf_has_numbered_pages_and_every_title_and_value(demo):
    with page_context(demo, "sv") as framework:
        data = report.render_report_pdf(framework, None, "sv")
        cards = dashboard_cards(framework)
        title = report.build_report(framework).title
    assert data.startswith(b"%PDF-")
    reader, text = pdf_text(data)
    assert len(reader.pages) > 1
    assert reader.metadata.title == title
    assert_tagged(reader, "sv")
    squeezed = squeeze(text)
    for card in cards:
        assert squeeze(card.title) in squeezed, card.title
        assert squeeze(card.latest.value) in squeezed, card.latest.value
    last = reader.pages[-1].extract_text()
    assert re.search(rf"\b{len(reader.pages)} / {len(reader.pages)}\b", last)  # the footer


@pytest.mark.rendering
def test_the_arabic_pdf_keeps_the_arabic_titles_and_the_values(demo):
    with page_context(demo, "ar") as framework:
        data = report.render_report_pdf(framework, None, "ar")
        cards = dashboard_cards(framework)
    reader, text = pdf_text(data)
    assert_tagged(reader, "ar")
    squeezed = squeeze(text)
    for card in cards:
        assert re.search("[\u0600-\u06ff]", card.title), card.title  # an Arabic title
        # pypdf gives WeasyPrint's Arabic back in logical order, letters unshaped
        assert squeeze(card.title) in squeezed, card.title
        assert squeeze(card.latest.value) in squeezed, card.latest.value
    # The charts' Arabic group labels are drawn in joined (presentation) letter forms
    assert re.search("[\ufe70-\ufefc]", text)


# -- the pages ---------------------------------------------------------------------------------
def test_an_analyst_reads_the_report_in_the_browser_with_a_link_to_the_pdf(demo):
    analyst = demo_user(demo, Role.analyst)
    reply = analyst.get("/followup/report?lang=sv")
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200
    assert '<link rel="stylesheet" href="/static/report.css?v=' in html
    assert "<style" not in html.split("<body")[0]  # the CSP allows no inline style
    assert "style-src 'self'" in reply.headers["Content-Security-Policy"]
    assert f'action="/followup/report.pdf?year={LATEST}&amp;lang=sv"' in html
    assert f'href="/followup/report?year={EARLIER}&amp;lang=sv"' in html
    with analyst.get("/static/report.css") as css:
        assert css.status_code == 200 and b"@page" in css.data
    assert "/followup/report" in analyst.get("/followup/").get_data(as_text=True)


def test_the_pdf_is_made_as_a_job_and_named_after_the_organisation_year_and_language(demo):
    # The residents' version: the same job and renderer as the staff PDF (whose content the
    # tests above check), in a tenth of the layout time.
    admin = demo_user(demo, Role.admin)
    url = f"/followup/report.pdf?year={EARLIER}&lang=ar&audience=residents"
    assert admin.get(url).status_code == 405
    made = admin.post_form(url)
    assert made.status_code == 303
    job_page = made.headers["Location"]
    assert job_page.startswith("/jobs/")
    page = admin.get(job_page + "?lang=en").get_data(as_text=True)
    assert f"The {EARLIER} report for residents as PDF (Arabic)" in page and "Ready." in page
    reply = admin.get(job_page + "/download")
    assert reply.status_code == 200
    assert reply.mimetype == "application/pdf"
    assert reply.headers["Content-Disposition"] == (
        f'attachment; filename="uppfoljning-exempelby-kommun-{EARLIER}-ar-invanare.pdf"')
    assert reply.data.startswith(b"%PDF-")


@pytest.mark.parametrize("role", [Role.author, Role.facilitator])
def test_authors_and_facilitators_may_not_see_the_report(demo, role):
    client = demo_user(demo, role)
    assert client.get("/followup/report").status_code == 403
    assert client.post_form("/followup/report.pdf").status_code == 403


def test_a_visitor_who_is_not_logged_in_is_sent_to_the_login(demo):
    client = demo.test_client()
    for reply in (client.get("/followup/report"), client.post_form("/followup/report.pdf")):
        assert reply.status_code == 302
        assert "/login" in reply.headers["Location"]


def test_another_organisation_gets_the_report_of_its_own_framework_only(demo):
    client = demo.test_client()
    client.get("/login?lang=en")
    log_in(client, "analytiker@annanby.se", OTHER_PASSWORD)
    html = client.get(f"/followup/report?year={LATEST}&lang=en").get_data(as_text=True)
    assert OTHER_ORGANISATION in html and "Exempelby" not in html
    assert "No approved weighting run" in html
    with demo.app_context():
        values = {c.latest.value for c in _exempelby_cards(demo)}
    assert not any(f">{escape(v)}<" in html for v in values)
    assert client.get(f"/followup/report?year={EARLIER}").status_code == 404


def _exempelby_cards(app) -> list[present.Card]:
    with page_context(app, "en") as framework:
        return dashboard_cards(framework)


def test_an_unknown_year_is_not_found_and_says_which_years_there_are(demo):
    analyst = demo_user(demo, Role.analyst)
    for url in ("/followup/report?year=2019&lang=en", "/followup/report.pdf?year=2019"):
        reply = analyst.post_form(url) if url.endswith("2019") else analyst.get(url)
        assert reply.status_code == 404
        assert f"{EARLIER}, {LATEST}" in unescape(reply.get_data(as_text=True))
    for wrong in ("twenty", "²", "٢٠٢٦", "99999999999"):
        assert analyst.get(f"/followup/report?year={wrong}").status_code == 400, wrong


def test_an_unknown_language_is_refused_with_the_languages_there_are(demo):
    analyst = demo_user(demo, Role.analyst)
    for url in ("/followup/report?lang=xx", "/followup/report.pdf?lang=de"):
        reply = analyst.post_form(url) if ".pdf" in url else analyst.get(url)
        assert reply.status_code == 400
        assert "sv, sv-ll, en, ar, fa, so, ti, uk" in reply.get_data(as_text=True)


# -- the command ------------------------------------------------------------------------------
def test_the_command_writes_the_report_as_pdf_docx_and_html(demo, tmp_path):
    runner = demo.test_cli_runner()
    pdf, html, word = tmp_path / "rapport.pdf", tmp_path / "rapport.html", tmp_path / "r.docx"
    for out in (pdf, html, word):
        # the residents' version: the staff PDF's renderer is tested above, in less time
        result = runner.invoke(args=["report", "--organisation", "Exempelby kommun",
                                     "--year", str(LATEST), "--lang", "sv", "--out", str(out),
                                     "--audience", "residents"])
        assert result.exit_code == 0, result.output
        assert f"to {out}" in result.output
    assert pdf.read_bytes().startswith(b"%PDF-")
    document = html.read_text(encoding="utf-8")
    assert '<html lang="sv"' in document and "<style>" in document
    assert "Tillit till andra människor" in document
    assert "Tillit till andra människor" in [p.text for p in docx_of(word.read_bytes()).paragraphs]


@pytest.mark.parametrize(("arguments", "message"), [
    (["--organisation", "Ingenstans kommun"], "No organisation is named 'Ingenstans kommun'"),
    (["--organisation", "Exempelby kommun", "--year", "2019"], "no wave for 2019"),
    (["--organisation", "Exempelby kommun", "--lang", "de"], "Unknown language 'de'"),
    (["--organisation", OTHER_ORGANISATION, "--year", str(EARLIER)], f"no wave for {EARLIER}"),
])
def test_the_command_refuses_what_it_cannot_report(demo, tmp_path, arguments, message):
    out = tmp_path / "rapport.pdf"
    result = demo.test_cli_runner().invoke(args=["report", *arguments, "--out", str(out)])
    assert result.exit_code != 0
    assert message in result.output
    assert not out.exists()


def test_the_command_writes_the_report_of_another_framework_of_the_organisation(demo, tmp_path):
    with demo.app_context():
        programme = db.session.scalar(select(Framework).where(Framework.is_default.is_(False)))
        slug, title = programme.slug, programme.title["sv"]
        areas = [area.title["sv"] for area in programme.focus_areas]
        default_areas = [area.title["sv"] for area in demo_framework().focus_areas]
    out = tmp_path / "program.html"
    result = demo.test_cli_runner().invoke(args=[
        "report", "--organisation", "Exempelby kommun", "--framework", slug,
        "--audience", "residents", "--out", str(out)])
    assert result.exit_code == 0, result.output
    document = out.read_text(encoding="utf-8")
    assert title in document and all(area in document for area in areas)
    assert not any(area in document for area in default_areas)  # not the default framework
    refused = demo.test_cli_runner().invoke(args=[
        "report", "--organisation", "Exempelby kommun", "--framework", "ingen-sadan",
        "--out", str(tmp_path / "r.html")])
    assert refused.exit_code != 0
    assert "Exempelby kommun has no framework 'ingen-sadan'" in refused.output
    assert slug in refused.output  # the frameworks it has are named
    assert not (tmp_path / "r.html").exists()


def test_the_command_refuses_an_organisation_without_a_framework(demo, tmp_path):
    with demo.app_context():
        db.session.add(Organisation(name="Tomby kommun"))
        db.session.commit()
    result = demo.test_cli_runner().invoke(args=[
        "report", "--organisation", "Tomby kommun", "--out", str(tmp_path / "r.html")])
    assert result.exit_code != 0
    assert "Tomby kommun has no indicator framework yet" in result.output


def test_characters_no_installed_font_has_are_detected_not_hidden():
    # U+0378 is unassigned: no font can have it; Latin and Arabic letters DejaVu has
    assert report.missing_characters("Tillit الثقة \u0378") == ["\u0378"]


# -- the Word document -------------------------------------------------------------------------
def docx_of(data: bytes):
    from docx import Document

    return Document(io.BytesIO(data))


def test_the_word_document_has_the_reports_headings_tables_and_figures(demo):
    from docx.oxml.ns import qn
    from flask_babel import gettext

    from surveys.followup.report_docx import render_report_docx

    with page_context(demo, "sv") as framework:
        data = render_report_docx(framework, None, "sv")
        cards = dashboard_cards(framework)
        summary, method = gettext("Summary"), gettext("Appendix: method")
        actions, said = gettext("Actions and their status"), gettext("What residents said")
        built = report.build_report(framework, None)
    document = docx_of(data)
    assert document.core_properties.language == "sv"
    assert document.core_properties.title == built.title
    headings = [(p.style.name, p.text) for p in document.paragraphs
                if p.style.name.startswith("Heading")]
    titles = [str(a.title) for a in built.areas]
    # the summaries open the report, area by area; then each area's own chapter; the method last
    assert headings[0] == ("Heading 1", summary)
    assert [t for style, t in headings if style == "Heading 2"][:len(titles)] == titles
    chapters = [t for style, t in headings if style == "Heading 1"]
    assert chapters == [summary, *titles, method]
    assert [t for _style, t in headings].count(actions) == len(titles)
    assert [t for _style, t in headings].count(said) == len(titles)
    headings = [t for _style, t in headings]
    # every indicator has its heading and its latest value in the summary table
    summary_table = document.tables[0]
    assert summary_table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    summary_rows = {row.cells[1].text: row.cells[3].text for row in summary_table.rows[1:]}
    assert len(summary_rows) == len(cards) == 14
    for card in cards:
        assert card.title_text in headings
        if card.latest:
            assert summary_rows[card.title_text] == card.latest.value
    assert not any(qn("w:bidi") in p._p.xml for p in document.paragraphs[:5])


def test_the_arabic_word_document_runs_right_to_left(demo):
    from docx.oxml.ns import qn

    from surveys.followup.report_docx import render_report_docx

    with page_context(demo, "ar") as framework:
        document = docx_of(render_report_docx(framework, EARLIER, "ar"))
        title = report.build_report(framework, EARLIER).title
    assert document.core_properties.language == "ar" and title in document.paragraphs[1].text
    body = [p for p in document.paragraphs if p.text]
    assert all(p._p.pPr is not None and p._p.pPr.find(qn("w:bidi")) is not None for p in body)
    assert all(t._tbl.tblPr.find(qn("w:bidiVisual")) is not None for t in document.tables)
    assert re.search("[\u0600-\u06ff]", document.paragraphs[1].text)


def test_the_word_document_is_made_as_a_job_from_the_report_page(demo):
    admin = demo_user(demo, Role.admin)
    page = admin.get(f"/followup/report?year={EARLIER}&lang=sv").get_data(as_text=True)
    assert f'action="/followup/report.docx?year={EARLIER}&amp;lang=sv"' in page
    assert admin.get(f"/followup/report.docx?year={EARLIER}&lang=sv").status_code == 405
    made = admin.post_form(f"/followup/report.docx?year={EARLIER}&lang=sv")
    assert made.status_code == 303
    job_page = made.headers["Location"]
    assert f"The {EARLIER} report as a Word document (Swedish)" in admin.get(
        job_page + "?lang=en").get_data(as_text=True)
    reply = admin.get(job_page + "/download")
    assert reply.status_code == 200 and reply.mimetype == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert reply.headers["Content-Disposition"] == (
        f'attachment; filename="uppfoljning-exempelby-kommun-{EARLIER}-sv.docx"')
    assert docx_of(reply.data).core_properties.language == "sv"
    assert admin.post_form("/followup/report.docx?year=1999&lang=sv").status_code == 404
