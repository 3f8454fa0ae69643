"""The README's production section, followed as it stands: the wheel, an empty directory,
PostgreSQL, Redis, a job worker, gunicorn, and the sample nginx site in front.

The block's lines run in one bash script, unchanged except for what a test must change
(see `substitutions`): the install takes the wheel built from this tree into a fresh
virtual environment whose dependencies come from the test environment (a path file, as in
tests/test_install.py, so nothing is downloaded, and gunicorn's console script written as pip
would), the addresses of the database and Redis
are the test's own, gunicorn listens on a free port and runs in the background.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import sysconfig
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.support.servers import ROOT, Nginx, Redis, Resident, answers, free_port, wait_until
from tests.support.web import TOKEN_RE
from tests.test_deploy_nginx import SNIPPET, site_for_test
from tests.test_install import arabic

pytestmark = pytest.mark.postgres

PASSWORD = "storby-admin-lösen-1"


def production_block() -> list[str]:
    """The shell lines of the README's first block under "Running in production"."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Running in production", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_the_readme_production_section_runs_as_written(tmp_path, postgres, wheel):
    lines = production_block()
    venv, workdir = tmp_path / "venv", tmp_path / "empty"
    workdir.mkdir()
    redis = Redis(tmp_path)
    port = free_port()
    install = (f"{sys.executable} -m venv --without-pip {venv} && {sys.executable} -m pip "
               f"--python {venv}/bin/python install -q --no-deps {wheel} && echo "
               f"{sysconfig.get_paths()['purelib']} > "
               f"$(echo {venv}/lib/python3*/site-packages)/test_dependencies.pth && "
               # the console script pip would write for the gunicorn dependency
               f"printf '#!{venv}/bin/python\\nfrom gunicorn.app.wsgiapp import run\\n"
               f"raise SystemExit(run())\\n' > {venv}/bin/gunicorn && chmod +x {venv}/bin/gunicorn")
    readme_install = ("python3 -m venv /opt/delaktig/venv && /opt/delaktig/venv/bin/pip install"
                      " /path/to/delaktig")
    substitutions = [
        (readme_install, install),
        ("/opt/delaktig/venv", str(venv)),
        ("postgresql://delaktig:secret@db.internal/delaktig", postgres.create_database("readme")),
        ("redis://cache.internal:6379/0", redis.url),
        ("127.0.0.1:8000 surveys.wsgi:app", f"127.0.0.1:{port} surveys.wsgi:app &"),
    ]
    script = "\n".join(lines)
    for old, new in substitutions:
        assert old in script, f"the README's production block no longer has {old!r}"
        script = script.replace(old, new)
    assert "gunicorn " in script and "delaktig worker &" in script
    script = "set -euo pipefail\n" + script + "\necho $! > gunicorn.pid\n"
    nginx = Nginx(tmp_path)
    redis.start()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    # to files, not pipes: the background worker and gunicorn keep them open
    with out.open("w") as stdout, err.open("w") as stderr:
        done = subprocess.run(["bash", "-c", script], check=False, cwd=workdir, env=env, timeout=600,
                              input=f"{PASSWORD}\n{PASSWORD}\n", stdout=stdout, stderr=stderr,
                              text=True)
    try:
        assert done.returncode == 0, err.read_text()[-3000:]
        printed = out.read_text()
        assert "Created Storby kommun with admin admin@storby.se." in printed
        logins = dict(re.findall(r"^\s+(\S+@exempelby\.se)\s+(\S+)\s+\w+$", printed, re.MULTILINE))
        where = subprocess.run([f"{venv}/bin/python", "-c", "import surveys; print(surveys.__file__)"],
                               cwd=workdir, env=env, capture_output=True, text=True, check=True)
        assert where.stdout.startswith(str(venv)), where.stdout  # the wheel, not the checkout
        wait_until(lambda: answers(f"http://127.0.0.1:{port}/healthz"), "gunicorn", log=err,
                   timeout=120)  # four workers import the app at once
        nginx.http_port = free_port()
        nginx.start(site_for_test(port, nginx.port, nginx.http_port, tmp_path, snippet=SNIPPET))
        check_through_nginx(nginx.port, logins)
    finally:
        nginx.stop()
        pid = workdir / "gunicorn.pid"
        stop = f"kill $(cat {pid}) 2>/dev/null; pkill -f '{venv}/bin/delaktig worker' || true"
        subprocess.run(["bash", "-c", stop], check=False)
        redis.stop()


def log_in(resident: Resident, email: str, password: str) -> int:
    status, _, page = resident.request("GET", "/login")
    found = TOKEN_RE.search(page.decode())
    assert status == 200 and found, (status, page[:300])
    token = found.group(1)
    return resident.request("POST", "/login", body=urllib.parse.urlencode(
        {"csrf_token": token, "email": email, "password": password}),
        headers={"Content-Type": "application/x-www-form-urlencoded"})[0]


def check_through_nginx(port: int, demo_logins: dict[str, str]) -> None:
    resident = Resident(port)
    status, _, body = resident.request("GET", "/readyz")
    assert status == 200 and json.loads(body)["checks"] == {"database": "ok", "redis": "ok"}
    status, _, body = resident.request("GET", "/s/demo?lang=ar")
    page = body.decode()
    assert status == 200 and '<html lang="ar" dir="rtl"' in page
    assert arabic("I agree, start the survey") in page

    admin = Resident(port, "127.0.0.2")
    assert log_in(admin, "admin@storby.se", PASSWORD) == 302
    assert admin.request("GET", "/manage/audit")[0] == 200

    analyst = Resident(port, "127.0.0.3")
    assert log_in(analyst, "analyst@exempelby.se", demo_logins["analyst@exempelby.se"]) == 302
    # the residents' version: the same worker job as the staff PDF, a tenth of its layout time
    report = analyst.request("GET", "/followup/report?lang=sv&audience=residents")[2].decode()
    action = re.search(r'action="(/followup/report\.pdf\?[^"]+)"', report).group(1)
    token = TOKEN_RE.search(report).group(1)
    status, headers, _ = analyst.request(
        "POST", action.replace("&amp;", "&"), body=urllib.parse.urlencode({"csrf_token": token}),
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 303
    job = urllib.parse.urlsplit(headers["Location"]).path
    state = {}
    for _ in range(300):  # the worker takes the job from Redis: up to a minute on a busy machine
        state = json.loads(analyst.request("GET", job + ".json")[2])
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert state["status"] == "done", state
    status, headers, pdf = analyst.request("GET", job + "/download")
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert pdf.startswith(b"%PDF-")


def test_the_block_names_the_commands_the_rest_of_the_readme_explains():
    script = "\n".join(production_block())
    for command in ("delaktig db upgrade", "delaktig create-org", "delaktig worker",
                    "gunicorn -c python:surveys.gunicorn_conf", "TRUSTED_PROXIES=1"):
        assert command in script
    assert Path(ROOT / "deploy/nginx/delaktig.conf").exists()
