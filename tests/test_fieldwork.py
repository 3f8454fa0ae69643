"""Fieldwork through HTTP: a frame imported (bad rows listed, then skipped on request), a
sample drawn the same way twice, residents answering with their code, outcomes, rates,
the public figures, the purge, and who may see names."""

from __future__ import annotations

import io

import pytest
from openapi_schema_validator import OAS31Validator
from openpyxl import load_workbook
from sqlalchemy import func, select

from surveys import create_app
from surveys.audit.models import AuditEvent
from surveys.core.roles import Role
from surveys.core.time import utcnow
from surveys.extensions import db, limiter
from surveys.fieldwork.codes import format_code, person_hash
from surveys.fieldwork.models import (
    FrameRow,
    FrameUpload,
    SampleFrame,
    SampleMember,
    SampleStratum,
)
from surveys.jobs.models import Job, JobStatus
from surveys.survey.models import Response
from tests.conftest import app_config
from tests.support.frames import frame_file, make_sample
from tests.support.manage import staff
from tests.support.web import FormClient


@pytest.fixture
def org(make_org):
    return make_org("Kommun F")


@pytest.fixture
def worker(make_client, login, org):
    """A member of the fieldwork staff."""
    return staff(make_client(), login, org, Role.fieldwork)


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


BAD = ("19000000-0000;Dubbel;;Gatan 1;43000;Varberg;1980;man;Norr;sverige;;;",
       "77;Ingen gata;;;43000;Varberg;1980;man;Norr;sverige;;;",
       "78;Kort postnummer;;Gatan 2;4300;Varberg;1980;man;Norr;sverige;;;")


def test_bad_rows_are_listed_by_line_and_nothing_is_stored_until_told_to_skip_them(
        app, org, make_survey, worker):
    survey_id = make_survey(org, slug="urval")
    url = f"/manage/surveys/{survey_id}/fieldwork/frame"
    data = frame_file(30, extra=BAD)
    page = worker.post_form(url, {"file": (io.BytesIO(data), "frame.csv")})
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "Line 32: The person id appears already on line 2." in text
    assert "Line 33: The street address or town is missing." in text
    assert "Line 34: The postal code “4300” is not five digits." in text
    assert _count(app, FrameRow) == 0 and _count(app, SampleFrame) == 0
    digest = next(part.split('"')[0] for part in text.split('name="checked" type="hidden" value="')[1:])
    # Ticking "skip" for another file than the one checked skips nothing.
    other = frame_file(30, extra=BAD[:1])
    assert worker.post_form(url, {"file": (io.BytesIO(other), "frame.csv"), "skip": "y",
                                  "checked": digest}).status_code == 400
    assert _count(app, FrameRow) == 0
    done = worker.post_form(url, {"file": (io.BytesIO(data), "frame.csv"), "skip": "y",
                                  "checked": digest})
    assert done.status_code == 302
    with app.app_context():
        frame = db.session.scalar(select(SampleFrame))
        assert frame.row_count == 30 and [line for line, _ in frame.skipped] == [32, 33, 34]
        first = db.session.scalar(select(FrameRow).where(FrameRow.line == 2))
        # the id is kept only as its keyed hash: in no column, in no form
        assert first.person_hash == person_hash("19000000-0000", "test-secret", frame.salt)
        cells = [str(v) for row in db.session.execute(select(FrameRow.__table__)) for v in row]
        assert not [c for c in cells if "19000000" in c]


def test_the_calculator_shows_margins_and_the_same_seed_draws_the_same_people(
        app, org, make_survey, worker):
    chosen = []
    for slug in ("forsta", "andra"):
        survey_id = make_survey(org, slug=slug)
        make_sample(app, survey_id, people=200, draw=False)
        url = f"/manage/surveys/{survey_id}/fieldwork/design"
        assert worker.get(url).status_code == 200
        form = {"columns": ["district", "age_group"], "method": "proportional", "n": "40",
                "minimum": "2", "seed": "4711", "rate": "40", "factor-0": "2", "rate-0": "20",
                "shown_columns": "district,age_group"}
        # Inputs of a table shown for other strata never draw: the page calculates again.
        again = worker.post_form(url, {**form, "shown_columns": "district", "action": "draw"})
        assert again.status_code == 200 and _count(app, SampleMember) == 40 * len(chosen)
        page = worker.post_form(url, {**form, "action": "calculate"})
        assert page.status_code == 200
        assert "Sample and expected margin of error per stratum" in page.get_data(as_text=True)
        assert worker.post_form(url, {**form, "action": "draw"}).status_code == 302
        assert _count(app, SampleMember) == 40 * len(chosen) + 40
        with app.app_context():
            frame = db.session.scalar(select(SampleFrame).where(SampleFrame.survey_id == survey_id))
            lines = sorted(db.session.scalars(select(FrameRow.line).join(
                SampleMember, SampleMember.frame_row_id == FrameRow.id).where(
                SampleMember.frame_id == frame.id)))
            strata = db.session.scalars(select(SampleStratum).where(
                SampleStratum.frame_id == frame.id)).all()
            assert sum(s.sample_size for s in strata) == 40 == len(lines)
            assert all(s.sample_size >= min(2, s.population) for s in strata)
            assert frame.seed == 4711 and frame.allocation["factors"]
            chosen.append(lines)
    assert chosen[0] == chosen[1]
    # A drawn sample is final.
    assert worker.post_form(f"/manage/surveys/{survey_id}/fieldwork/frame", {
        "file": (io.BytesIO(frame_file(10)), "f.csv")}).status_code == 400


def test_a_code_starts_once_resumes_on_any_device_and_a_wrong_code_is_explained(
        app, org, make_survey, make_client):
    survey_id = make_survey(org, slug="med-kod")
    code = make_sample(app, survey_id)[0]
    phone = make_client()
    start = phone.get(f"/s/med-kod?c={code}&lang=en").get_data(as_text=True)
    assert f'value="{code}"' in start and "Your code from the letter" in start
    assert f'value="{code}"' in phone.get(f"/s/med-kod/code?c={code}").get_data(as_text=True)
    # Reading the pages began nothing.
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 0
    first = phone.post_form("/s/med-kod/code", {"code": format_code(code).lower()})
    assert first.status_code == 302 and first.headers["Location"].endswith("/s/med-kod/p/1")
    assert phone.get("/s/med-kod/p/1").status_code == 200
    laptop = make_client()
    again = laptop.post_form("/s/med-kod/code", {"code": code})
    assert again.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 1
        response = db.session.scalar(select(Response))
        response.completed_at = utcnow()
        db.session.commit()
    used = make_client().post_form("/s/med-kod/code?lang=en", {"code": code})
    assert used.status_code == 409 and "already been used" in used.get_data(as_text=True)
    wrong = make_client().post_form("/s/med-kod/code?lang=en", {"code": "AAAAA-AAAAA"})
    assert wrong.status_code == 400
    assert "We found no one with that code" in wrong.get_data(as_text=True)
    assert make_client().get("/s/no-such/code").status_code == 404


def test_outcomes_rates_files_and_the_public_figures(app, org, make_survey, worker, make_client):
    survey_id = make_survey(org, slug="utfall")
    codes = make_sample(app, survey_id, people=100, n=30)
    base = f"/manage/surveys/{survey_id}/fieldwork"
    make_client().post_form("/s/utfall/code", {"code": codes[0]})
    assert worker.post_form(f"{base}/outcome", {"code": codes[1], "outcome": "refused",
                                                "on": "2026-03-02"}).status_code == 302
    assert worker.post_form(f"{base}/outcome", {"code": "nope", "outcome": "refused"}
                            ).status_code == 400
    lines = f"code,outcome,date\n{codes[2]},moved_out,2026-03-03\n{codes[3]},deceased,\n"
    assert worker.post_form(f"{base}/outcomes", {"file": (io.BytesIO(lines.encode()), "o.csv")}
                            ).status_code == 302
    bad = f"{codes[4]},refused\nXXXXXXXXXX,refused\n{codes[5]},complete\n"
    refused = worker.post_form(f"{base}/outcomes", {"file": (io.BytesIO(bad.encode()), "o.csv")})
    assert refused.status_code == 400
    assert "Line 2: No one in the sample has the code" in refused.get_data(as_text=True)
    assert worker.post_form(f"{base}/mailings", {"kind": "letter", "sent_on": "2026-03-01",
                                                 "count": "30"}).status_code == 302
    page = worker.get(f"{base}?lang=en").get_data(as_text=True)
    assert "Per stratum" in page and "Invitation letter" in page
    chart = page[page.index('<figure class="chart">'):page.index("</figure>")]
    assert '<polyline class="series"' in chart and chart.count('<line class="target"') == 1
    api = make_client().get("/api/v1/surveys/utfall/fieldwork").get_json()
    assert api["sample_size"] == 30
    # 1 started (P), 1 refused, 1 moved out (NE), 1 deceased (O), 26 nothing returned (UH)
    assert api["counts"] == {"I": 0, "P": 1, "R": 1, "NC": 0, "O": 1, "UH": 26, "UO": 0,
                             "NE": 1}
    assert api["rates"]["RR2"] == pytest.approx(1 / 29, abs=1e-6)
    assert api["rates"]["e"] == pytest.approx(3 / 4)
    spec = make_client().get("/api/v1/openapi.json").json
    root = {"$ref": "#/components/schemas/FieldworkFigures", "components": spec["components"]}
    assert not [e.message for e in OAS31Validator(root).iter_errors(api)]
    assert all(s["sampled"] >= 10 for s in api["strata"])
    assert sum(s["sampled"] for s in api["strata"]) <= 30
    csv = worker.get(f"{base}/rates.csv").get_data(as_text=True)
    assert csv.startswith("\ufeffbreakdown,group,sampled,I,P,R,NC,O,UH,UO,NE,RR1")
    xlsx = load_workbook(io.BytesIO(worker.get(f"{base}/rates.xlsx").data))
    assert xlsx.active["C2"].value == 30
    assert make_client().get("/api/v1/surveys/no-such/fieldwork").status_code == 404


def test_the_purge_deletes_names_and_the_link_and_keeps_strata_and_outcomes(
        app, org, make_survey, worker):
    survey_id = make_survey(org, slug="rensa")
    codes = make_sample(app, survey_id, people=50, n=20)
    base = f"/manage/surveys/{survey_id}/fieldwork"
    worker.post_form(f"{base}/outcome", {"code": codes[0], "outcome": "refused"})
    assert "Person Nummer" in worker.get(f"{base}/people").get_data(as_text=True)
    merge = worker.post_form(f"{base}/people.csv").get_data(as_text=True)
    assert merge.count("/s/rensa?c=") == 20 and "Storgatan" in merge
    with app.app_context():
        taken = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "sample_addresses_downloaded"))
        assert taken.detail == {"people": 20}
    assert worker.get(f"{base}/purge").status_code == 200
    assert worker.post_form(f"{base}/purge").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(FrameRow.id))) == 0
        assert db.session.scalar(select(func.count(SampleMember.id)).where(
            SampleMember.frame_row_id.is_not(None))) == 0
        assert sum(db.session.scalars(select(SampleStratum.sample_size))) == 20
        assert db.session.scalar(select(SampleStratum.population).limit(1)) > 0
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "fieldwork_purged"))
        assert event.detail["rows"] == 50
    assert "Person Nummer" not in worker.get(f"{base}/people").get_data(as_text=True)
    assert worker.post_form(f"{base}/purge").status_code == 409
    page = worker.get(f"{base}?lang=en").get_data(as_text=True)
    assert "Names and addresses were purged" in page


@pytest.mark.parametrize("role,overview,people", [
    (Role.analyst, 200, 403), (Role.author, 200, 403), (Role.facilitator, 403, 403),
    (Role.fieldwork, 200, 200), (Role.admin, 200, 200)])
def test_only_admins_and_fieldwork_staff_see_names(app, org, make_survey, make_client, login,
                                                   role, overview, people):
    survey_id = make_survey(org, slug=f"roller-{role.value}")
    make_sample(app, survey_id)
    client = staff(make_client(), login, org, role)
    base = f"/manage/surveys/{survey_id}/fieldwork"
    page = client.get(base)
    assert page.status_code == overview
    assert "Person Nummer" not in page.get_data(as_text=True)
    for url in ("/people", "/frame", "/purge"):
        assert client.get(base + url).status_code == people, url
    assert client.post_form(base + "/people.csv").status_code == people
    # The design page of a drawn sample sends to the overview; only the allowed get that far.
    assert client.get(base + "/design").status_code == (403 if people == 403 else 302)


def test_the_representation_monitor_states_the_response_rate_and_the_lowest_stratum(
        app, org, make_survey, make_client, login):
    survey_id = make_survey(org, slug="monitor")
    codes = make_sample(app, survey_id, people=100, n=40)
    make_client().post_form("/s/monitor/code", {"code": codes[0]})
    with app.app_context():
        db.session.scalar(select(Response)).completed_at = utcnow()
        db.session.commit()
    analyst = staff(make_client(), login, org, Role.analyst)
    page = analyst.get(f"/analysis/surveys/{survey_id}/representation?lang=en")
    assert "Response rate 2.5% (RR1); 0.0% among " in page.get_data(as_text=True)


def test_a_large_frame_is_stored_by_a_background_job_and_its_file_not_kept(
        app, org, make_survey, worker, monkeypatch):
    monkeypatch.setitem(app.config, "FRAME_IMPORT_JOB_ROWS", 10)
    survey_id = make_survey(org, slug="stor-ram")
    url = f"/manage/surveys/{survey_id}/fieldwork/frame"
    data = frame_file(30, extra=BAD[1:])
    listed = worker.post_form(url, {"file": (io.BytesIO(data), "stor.csv")})
    assert listed.status_code == 400 and _count(app, FrameUpload) == 0
    digest = listed.get_data(as_text=True).split('name="checked" type="hidden" value="')[1][:64]
    queued = worker.post_form(url, {"file": (io.BytesIO(data), "stor.csv"), "skip": "y",
                                    "checked": digest})
    assert queued.status_code == 302 and "/jobs/" in queued.headers["Location"]
    with app.app_context():  # no Redis in the tests: the job ran inside the request
        job = db.session.scalar(select(Job))
        assert job.status is JobStatus.done, job.error
        assert db.session.scalar(select(SampleFrame.row_count)) == 30
    assert _count(app, FrameUpload) == 0
    report = worker.get(queued.headers["Location"] + "/download").get_data(as_text=True)
    assert "\r\n30,,\r\n,32,missing_address\r\n,33,bad_postal_code" in report


def test_a_qr_code_per_person_and_rate_limited_code_look_ups(database_url, app, org,
                                                            make_survey, worker):
    survey_id = make_survey(org, slug="qr")
    code = make_sample(app, survey_id)[0]
    svg = worker.get(f"/manage/surveys/{survey_id}/fieldwork/qr/{code}.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert f"/s/qr?c={code}" in svg.get_data(as_text=True)
    assert worker.get(f"/manage/surveys/{survey_id}/fieldwork/qr/AAAAAAAAAA.svg"
                      ).status_code == 404
    limited = create_app(app_config(database_url, RATELIMIT_ENABLED=True))
    limited.test_client_class = FormClient
    client = limited.test_client()
    limiter.reset()
    statuses = [client.post_form("/s/qr/code", {"code": f"WRONG{i:05d}"}).status_code
                for i in range(11)]
    assert statuses == [400] * 10 + [429]
    limiter.reset()
    with limited.app_context():
        db.engine.dispose()  # its pooled connections are closed now, not when collected


def test_the_yearly_report_states_the_response_rate_of_a_drawn_wave(app, org, make_survey,
                                                                    make_client):
    from surveys.auth.models import Organisation
    from surveys.followup import report
    from surveys.followup import services as followup
    from surveys.survey.models import Survey

    survey_id = make_survey(org, slug="rapport-urval")
    codes = make_sample(app, survey_id, people=100, n=30)
    make_client().post_form("/s/rapport-urval/code", {"code": codes[0]})  # one partial (P)
    open_survey = make_survey(org, slug="oppen")
    with app.test_request_context("/"), report.in_language("en"):
        framework = followup.create_from_template(db.session.get(Organisation, org.id))
        wave = followup.set_wave(framework, db.session.get(Survey, survey_id), 2026)
        method = report._wave_method(wave)
        open_wave = report._wave_method(followup.set_wave(
            framework, db.session.get(Survey, open_survey), 2025))
    assert method.response_rate.startswith("Response rate 0.0% (RR1)")
    assert open_wave.response_rate == ""
