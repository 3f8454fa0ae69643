"""An analyst weights the demo on a 360 px screen: every weighting page passes axe and fits."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from surveys.extensions import db
from surveys.runs import queries as run_queries
from surveys.runs import services as run_svc
from surveys.runs.models import MarginSet
from surveys.runs.services import import_csv
from surveys.runs.weighing import RunSettings
from surveys.survey.models import Survey
from surveys.weighting import DrawnSample
from tests.support.analysis import DATA, DEMO_CSV
from tests.support.browser import axe_violations, log_in

pytestmark = pytest.mark.browser


def test_the_weighting_pages_pass_axe_and_fit_a_phone_in_swedish_and_arabic(
        app, live_server, phone, restore_demo):
    restore_demo(followup=False)
    with app.app_context():
        survey = db.session.scalar(select(Survey).where(Survey.slug == "demo"))
        margins = import_csv(survey.organisation_id, None, "Befolkning 2025", "SCB",
                             date(2025, 12, 31), DEMO_CSV.read_bytes())
        run = run_svc.create_run(survey, margins, RunSettings(
            variables=["age", "gender", "born", "district"], missing="impute"), None)
        run_svc.approve(run, None)
        failed = run_svc.create_run(survey, margins, RunSettings(
            variables=["age", "gender"]), None)
        table, _ = run_queries.input_table(survey, run_queries.scheme_for(survey))
        stratum = pd.Series(["A" if i % 2 else "B" for i in table.index], index=table.index)
        counts = stratum.value_counts()
        drawn = run_svc.create_run(survey, margins, RunSettings(
            variables=["age", "gender", "born", "district"], missing="impute"), None,
            drawn=DrawnSample(stratum, {"A": 20000, "B": 18000},
                              {h: int(2.5 * n) for h, n in counts.items()}))
        kept = run_svc.store_table(survey.organisation_id, None, "tab9999.json",
                                   (DATA / "scb" / "pxwebapi2_tab9999.json").read_bytes())
        db.session.commit()
        assert drawn.error is None
        ids = {"survey": survey.id, "run": run.id, "failed": failed.id, "drawn": drawn.id,
               "margins": db.session.scalar(select(MarginSet.id)), "table": kept.id}
    log_in(phone, live_server.url, "analyst@exempelby.se", "demo-analyst-2026")
    pages = ["/analysis/", f"/analysis/surveys/{ids['survey']}",
             f"/analysis/surveys/{ids['survey']}/mapping",
             f"/analysis/surveys/{ids['survey']}/representation",
             f"/analysis/runs/{ids['run']}", f"/analysis/runs/{ids['failed']}",
             f"/analysis/runs/{ids['drawn']}",
             f"/analysis/margins/{ids['margins']}", "/analysis/margins/csv",
             "/analysis/margins/json-stat", "/analysis/tables",
             f"/analysis/tables/{ids['table']}"]
    for lang in ("sv", "ar"):
        for path in pages:
            phone.goto(f"{live_server.url}{path}?lang={lang}")
            assert phone.locator("h1").count() == 1, path
            wide = phone.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > 361 && !el.closest('.table-wrap'))
                .map(el => el.outerHTML.slice(0, 120))""")
            assert phone.evaluate("document.documentElement.scrollWidth") <= 360, (lang, path, wide[:5])
            assert axe_violations(phone) == [], (lang, path)
    # The R script button sends the export form's choices: a Swedish analyst's default is
    # the semicolon dialect Swedish Excel opens, so the script reads it with read.csv2.
    phone.goto(f"{live_server.url}/analysis/runs/{ids['run']}?lang=sv")
    assert phone.locator('#export-dialect input[value="semicolon"]').is_checked()
    with phone.expect_download() as download:
        phone.get_by_role("button", name="R-skript (.R)").click()
    assert download.value.suggested_filename == f"demo-run{ids['run']}-weighted.R"
    assert 'read.csv2("demo-run' in Path(download.value.path()).read_text(encoding="utf-8")
    # The form errors come back in place, without JavaScript.
    phone.goto(f"{live_server.url}/analysis/margins/csv?lang=sv")
    with phone.expect_navigation():
        phone.locator('main form button[type="submit"]').click()
    assert phone.locator(".error-summary li").count() >= 3
    assert axe_violations(phone) == []
