"""The demo's drawn-sample survey weighted from the run form as the drawn sample: strata
from the codes, N_h from the frame, n_h without those found not eligible."""

from __future__ import annotations

from sqlalchemy import func, select

from surveys.extensions import db
from surveys.fieldwork.aapor import Outcome
from surveys.fieldwork.models import SampleMember, SampleStratum
from surveys.runs.models import MarginSet, WeightingRun
from surveys.survey.models import Response, Survey
from tests.support.analysis import RUN_FORM, demo_analyst


def test_a_run_on_the_drawn_sample_uses_its_strata_and_an_open_one_does_not(
        app, client, restore_demo):
    restore_demo()
    demo_analyst(client)
    with app.app_context():
        survey_id = db.session.scalar(select(Survey.id).where(Survey.slug == "demo-urval"))
        open_id = db.session.scalar(select(Survey.id).where(Survey.slug == "demo"))
        organisation_id = db.session.get(Survey, survey_id).organisation_id
        margin_set_id = db.session.scalar(select(MarginSet.id).where(
            MarginSet.organisation_id == organisation_id).order_by(MarginSet.id.desc()))
        # the demo's own run was made this way and approved
        approved = db.session.scalar(select(WeightingRun).where(
            WeightingRun.survey_id == survey_id, WeightingRun.approved_at.is_not(None)))
        assert approved.settings["drawn_sample"] and not approved.failed
        completed = db.session.scalar(select(func.count(Response.id)).join(
            SampleMember, SampleMember.response_id == Response.id).where(
            Response.completed_at.is_not(None)))
        moved = db.session.scalar(select(func.count(SampleMember.id)).where(
            SampleMember.outcome == Outcome.moved_out))
        population = db.session.scalar(select(func.sum(SampleStratum.population)))
    page = client.get(f"/analysis/surveys/{survey_id}").get_data(as_text=True)
    assert "Weight as the drawn sample" in page
    assert "Weight as the drawn sample" not in client.get(
        f"/analysis/surveys/{open_id}").get_data(as_text=True)
    form = {**RUN_FORM, "variables": ["age", "gender", "born", "district"],
            "margin_set": str(margin_set_id)}
    drawn = client.post_form(f"/analysis/surveys/{survey_id}", {**form, "drawn": "y"})
    plain = client.post_form(f"/analysis/surveys/{survey_id}", form)
    assert drawn.status_code == plain.status_code == 302
    with app.app_context():
        runs = db.session.scalars(select(WeightingRun).where(
            WeightingRun.survey_id == survey_id).order_by(WeightingRun.id)).all()
        as_drawn, as_open = runs[-2], runs[-1]
        assert not as_drawn.failed and not as_open.failed
        sample = as_drawn.settings["drawn_sample"]
        assert len(sample["stratum_of_respondent"]) == completed == as_drawn.n_respondents
        assert sum(s["population"] for s in sample["strata"]) == population == 25_000
        assert sum(s["sampled"] for s in sample["strata"]) == 4_000 - moved and moved > 0
        strata = {s["stratum"]: s for s in as_drawn.diagnostics["drawn_sample"]["strata"]}
        young = strata["16–29 × utrikes"]  # oversampled: a smaller design weight than most
        assert young["design_weight"] < strata["45–64 × sverige"]["design_weight"]
        assert as_open.settings.get("drawn_sample") is None
    shown = client.get(drawn.headers["Location"]).get_data(as_text=True)
    assert "16–29 × utrikes" in shown
