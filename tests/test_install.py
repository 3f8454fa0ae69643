"""A built wheel works without the checkout: catalogs, migrations and the `delaktig` command.

The wheel is built from this tree and installed into a fresh virtual environment; the
commands then run from an empty directory, so nothing can be read from the checkout.
The dependencies are taken from the test environment (a path file), which keeps the
test to seconds; the package itself, its data and its entry points come from the wheel.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[1]


def arabic(msgid: str) -> str:
    """The Arabic catalog's translation of `msgid`."""
    with open(ROOT / "translations/ar/LC_MESSAGES/messages.po", "rb") as handle:
        return read_po(handle, locale="ar")[msgid].string


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out),
                    str(ROOT)], check=True, capture_output=True)
    return next(out.glob("delaktig-*.whl"))


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel installed (not editable); its bin folder."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"),
                    "install", "-q", "--no-deps", str(wheel)], check=True, capture_output=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin"


def test_the_wheel_carries_compiled_catalogs_migrations_and_the_command(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for lang in ("sv", "en", "ar", "fa", "so", "ti", "uk"):
        assert f"surveys/translations/{lang}/LC_MESSAGES/messages.mo" in names
    assert not [n for n in names if n.endswith(".po")]
    assert "surveys/migrations/env.py" in names
    assert any(n.startswith("surveys/migrations/versions/") for n in names)
    assert "surveys/wsgi.py" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "delaktig = surveys.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


@pytest.mark.postgres
def test_an_installed_wheel_upgrades_loads_the_demo_and_serves_arabic_from_an_empty_directory(
        installed, tmp_path, postgres):
    """As the README's production section: the wheel, an empty directory, PostgreSQL, gunicorn."""
    workdir = tmp_path / "empty"
    workdir.mkdir()
    database = postgres.create_database("installed")
    env = {"PATH": f"{installed}:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "SECRET_KEY": "k" * 64, "DATABASE_URL": database, "SESSION_COOKIE_SECURE": "0"}

    def run(*args: str) -> str:
        done = subprocess.run([str(installed / "delaktig"), *args], cwd=workdir, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    where = subprocess.run([str(installed / "python"), "-c",
                            "import surveys; print(surveys.__file__)"],
                           cwd=workdir, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.startswith(str(installed.parent)), where.stdout
    run("db", "upgrade")
    assert "analyst@exempelby.se" in run("demo")
    assert "/s/<slug>" in run("routes")

    port = free_port()
    server = subprocess.Popen(
        [str(installed / "python"), "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}",
         "surveys.wsgi:app"], cwd=workdir, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        page = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/s/demo?lang=ar") as reply:
                    page = reply.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert page is not None, "gunicorn did not answer"
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert '<html lang="ar" dir="rtl"' in page
    assert arabic("I agree, start the survey") in page
    assert "I agree, start the survey" not in page
