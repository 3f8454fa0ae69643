"""Background jobs: inline without Redis, queued in a real Redis and run by `delaktig worker`
with progress that other requests see, failures that can be retried, and only the asker
(or an admin) sees a job."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from surveys import create_app
from surveys.core.roles import Role
from surveys.extensions import db
from surveys.jobs import services
from surveys.jobs.models import Job, JobStatus
from tests.conftest import app_config
from tests.support.jobs import FAILURES, SEEN, submit
from tests.support.servers import Redis
from tests.support.web import FormClient


@pytest.fixture(autouse=True)
def _reset():
    SEEN.clear()
    FAILURES["left"] = 0


def test_without_redis_a_job_runs_at_once_and_its_file_can_be_downloaded(
        app, client, make_org, login):
    org = make_org()
    job_id = submit(app, org)
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.status is JobStatus.done and (job.progress, job.total) == (3, 3)
    login(client, org, Role.analyst)
    page = client.get(f"/jobs/{job_id}?lang=en").get_data(as_text=True)
    assert "Counting to 3" in page and "Ready." in page
    assert 'value="100"' in page and "http-equiv" not in page  # finished: no refresh
    download = client.get(f"/jobs/{job_id}/download")
    assert download.status_code == 200 and download.data == b"1,2,3"
    assert 'filename="count.txt"' in download.headers["Content-Disposition"]
    assert client.get(f"/jobs/{job_id}.json").get_json() == {
        "status": "done", "progress": 3, "total": 3, "percent": 100}


def test_only_the_asker_and_the_organisations_admins_see_a_job(app, make_org, make_client,
                                                               login):
    org, other = make_org(), make_org()
    job_id = submit(app, org)
    assert login(make_client(), org, Role.admin).get(f"/jobs/{job_id}").status_code == 200
    for viewer, role in ((org, Role.author), (other, Role.admin), (other, Role.analyst)):
        client = login(make_client(), viewer, role)
        for path in ("", ".json", "/download"):
            assert client.get(f"/jobs/{job_id}{path}").status_code == 404, (role, path)
        assert client.post_form(f"/jobs/{job_id}/retry").status_code == 404
    assert make_client().get(f"/jobs/{job_id}").status_code == 302  # to the login page


def test_a_failed_job_says_so_keeps_its_row_and_runs_again_when_retried(app, client,
                                                                        make_org, login):
    org = make_org()
    FAILURES["left"] = 1
    job_id = submit(app, org)
    login(client, org, Role.analyst)
    page = client.get(f"/jobs/{job_id}?lang=en").get_data(as_text=True)
    assert "stopped with an error" in page and "Try again" in page
    assert "printer" not in page  # the technical detail is for the log, not the page
    assert client.get(f"/jobs/{job_id}/download").status_code == 404
    with app.app_context():
        assert "printer is on fire" in db.session.get(Job, job_id).error
    assert client.post(f"/jobs/{job_id}/retry").status_code == 400  # no CSRF token
    retried = client.post_form(f"/jobs/{job_id}/retry")
    assert retried.status_code == 303
    assert client.get(f"/jobs/{job_id}/download").data == b"1,2,3"


@pytest.fixture
def redis_app(database_url, tmp_path):
    server = Redis(tmp_path).start()
    app = create_app(app_config(database_url, REDIS_URL=server.url))
    app.test_client_class = FormClient
    yield app
    if "jobs_redis" in app.extensions:
        app.extensions["jobs_redis"].close()
    with app.app_context():
        db.engine.dispose()
    server.stop()


def test_with_redis_a_job_waits_for_the_worker_which_reports_progress_as_it_goes(
        redis_app, make_org, login):
    org = make_org()
    job_id = submit(redis_app, org, to=4)
    client = login(redis_app.test_client(), org, Role.analyst)
    waiting = client.get(f"/jobs/{job_id}?lang=en").get_data(as_text=True)
    assert "Waiting for its turn" in waiting
    assert re.search(r'<noscript><meta http-equiv="refresh" content="\d+"></noscript>', waiting)
    assert '<progress id="job-progress" max="100" value="0">' in waiting
    assert client.get(f"/jobs/{job_id}/download").status_code == 404

    result = redis_app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert SEEN == [(1, 4), (2, 4), (3, 4), (4, 4)]  # committed step by step
    done = client.get(f"/jobs/{job_id}?lang=en").get_data(as_text=True)
    assert "Ready." in done and "refresh" not in done
    assert client.get(f"/jobs/{job_id}/download").data == b"1,2,3,4"


def test_a_job_in_a_rolled_back_request_is_never_queued(redis_app, make_org):
    org = make_org()
    with redis_app.app_context():
        services.submit("test_count", org.id, None, {"to": 2})
        db.session.rollback()
        assert db.session.scalar(select(Job)) is None
        assert services.queue().count == 0


def test_the_worker_command_needs_redis(runner):
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL" in result.output
