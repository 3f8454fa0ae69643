"""The nginx sample in deploy/ in front of gunicorn, both real processes on loopback.

The test runs deploy/nginx/delaktig.conf and its snippet with Debian's nginx, with only
what a test must change: loopback ports, the snippet's and the log's paths, and no TLS.
Residents are told apart by the loopback address they connect from (127.0.0.2,
127.0.0.3, ...): nginx appends it to X-Forwarded-For, and the app trusts that one proxy.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from flask import url_for

from tests.support.servers import ROOT, Gunicorn, Nginx, Redis, Resident, free_port, wait_until

SITE = ROOT / "deploy" / "nginx" / "delaktig.conf"
SNIPPET = ROOT / "deploy" / "nginx" / "delaktig-proxy.conf"
YEAR = "public, max-age=31536000, immutable"


def site_for_test(app_port: int, port: int, http_port: int, workdir: Path,
                  certificate: tuple[Path, Path] | None = None, snippet: Path = SNIPPET) -> str:
    """The sample site on loopback ports with local paths; without TLS unless given a
    (certificate, key) pair."""
    site = SITE.read_text()
    replacements = [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{port}{' ssl http2' if certificate else ''};"),
        ("listen [::]:443 ssl http2;", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", ""),
        ("include /etc/nginx/snippets/delaktig-proxy.conf;", f"include {snippet};"),
        ("/var/log/nginx/delaktig.access.log", str(workdir / "access.log")),
    ]
    if certificate:
        replacements += [("/etc/letsencrypt/live/delaktig.example.se/fullchain.pem", str(certificate[0])),
                         ("/etc/letsencrypt/live/delaktig.example.se/privkey.pem", str(certificate[1]))]
    for old, new in replacements:
        assert old in site, f"{SITE.name} no longer has {old!r}: update this test"
        site = site.replace(old, new)
    if certificate:
        return site
    return "\n".join(line for line in site.splitlines() if not line.strip().startswith("ssl_"))


def snippet_with_brotli(workdir: Path) -> Path:
    """The snippet with its brotli lines enabled, as its comment says to do."""
    lines = SNIPPET.read_text().splitlines()
    enabled = [line[2:] if line.startswith("# brotli") else line for line in lines]
    assert sum(a != b for a, b in zip(lines, enabled)) == 3, "the snippet's brotli lines moved"
    copy = workdir / SNIPPET.name
    copy.write_text("\n".join(enabled) + "\n")
    return copy


@pytest.fixture(scope="module")
def stack(app, database_url, tmp_path_factory):
    """nginx, gunicorn with two workers (TRUSTED_PROXIES=1) and Redis; yields (nginx, gunicorn).

    The workers count rate limits together in Redis, as in production, whichever of them
    takes a request; `--preload` imports the app once, to start faster.
    """
    workdir = tmp_path_factory.mktemp("proxy")
    redis = Redis(workdir)
    gunicorn = Gunicorn(workdir, {"SECRET_KEY": "s" * 64, "DATABASE_URL": database_url,
                                  "REDIS_URL": redis.url, "TRUSTED_PROXIES": "1",
                                  "LOGIN_RATE_LIMIT": "3 per minute"}, workers=2, preload=True)
    nginx = Nginx(workdir)
    nginx.http_port = free_port()
    try:
        redis.start()
        gunicorn.start()
        # with Debian's brotli module installed (.ci/run does), brotli is enabled as documented
        snippet = snippet_with_brotli(workdir) if Nginx.BROTLI.exists() else SNIPPET
        nginx.start(site_for_test(gunicorn.port, nginx.port, nginx.http_port, workdir,
                                  snippet=snippet))
        yield nginx, gunicorn
    finally:
        nginx.stop()
        gunicorn.stop()
        redis.stop()


def test_pages_and_style_sheets_are_gzipped_for_clients_that_accept_it(stack):
    nginx, _ = stack
    phone = Resident(nginx.port, "127.0.0.2")
    status, headers, page = phone.request("GET", "/login", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in headers["Vary"]
    assert b'<html lang="sv"' in page
    css_url = re.search(r'href="(/static/style\.css\?v=[0-9a-f]{12})"', page.decode()).group(1)

    status, headers, css = phone.request("GET", css_url, {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    assert headers["Content-Encoding"] == "gzip"
    assert css == (ROOT / "surveys" / "static" / "style.css").read_bytes()

    status, headers, plain = phone.request("GET", "/login")
    assert status == 200 and "Content-Encoding" not in headers and b"<html" in plain


def test_with_the_brotli_module_pages_and_style_sheets_are_brotli_compressed(stack):
    if not Nginx.BROTLI.exists():
        pytest.skip("libnginx-mod-http-brotli-filter is not installed (.ci/run installs it)")
    nginx, _ = stack
    phone = Resident(nginx.port, "127.0.0.2")
    status, headers, page = phone.request("GET", "/login", {"Accept-Encoding": "br, gzip"})
    assert status == 200 and headers["Content-Encoding"] == "br"
    assert b'<html lang="sv"' in page
    css_url = re.search(r'href="(/static/style\.css\?v=[0-9a-f]{12})"', page.decode()).group(1)
    status, headers, css = phone.request("GET", css_url, {"Accept-Encoding": "br"})
    assert status == 200 and headers["Content-Encoding"] == "br"
    assert css == (ROOT / "surveys" / "static" / "style.css").read_bytes()


def test_hashed_static_files_are_cached_for_a_year_and_pages_are_not(stack, app):
    nginx, _ = stack
    phone = Resident(nginx.port, "127.0.0.2")
    page = phone.request("GET", "/login")[2].decode()
    css_url = re.search(r'href="(/static/style\.css\?v=[0-9a-f]{12})"', page).group(1)
    with app.test_request_context():
        script_url = url_for("dialog.static", filename="live.js")

    for url in (css_url, script_url):
        status, headers, _ = phone.request("GET", url)
        assert status == 200
        assert headers.get_all("Cache-Control") == [YEAR], url
    for url in ("/static/style.css", "/static/style.css?v=not-a-hash"):
        assert phone.request("GET", url)[1].get_all("Cache-Control") == ["no-cache"], url
    assert YEAR not in (phone.request("GET", "/login")[1].get("Cache-Control") or "")
    assert phone.request("GET", "/s/missing")[1].get("Cache-Control") != YEAR


def test_rate_limits_count_each_resident_and_a_forged_forwarded_for_does_not_escape(stack):
    nginx, _ = stack
    first, second = Resident(nginx.port, "127.0.0.2"), Resident(nginx.port, "127.0.0.3")
    # LOGIN_RATE_LIMIT is 3 per minute; a wrong password answers 401.
    assert [first.log_in() for _ in range(3)] == [401, 401, 401]
    assert first.log_in() == 429
    # Another address behind the same proxy has its own count...
    assert second.log_in() == 401
    # ...and the first cannot pass for someone else by writing the header nginx appends to.
    for forged in ("127.0.0.9", "198.51.100.7", "198.51.100.7, 127.0.0.3"):
        assert first.log_in({"X-Forwarded-For": forged}) == 429, forged
    assert second.log_in({"X-Forwarded-For": "127.0.0.2"}) == 401


def test_requests_get_an_id_and_one_json_log_line_without_the_address(stack):
    nginx, gunicorn = stack
    phone = Resident(nginx.port, "127.0.0.4")
    status, headers, _ = phone.request("GET", "/indicators/a-private-slug")
    assert status == 404
    request_id = headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id, echoed by the app

    lines = [json.loads(line) for line in gunicorn.output().splitlines()
             if line.startswith("{") and request_id in line]
    assert len(lines) == 1
    assert lines[0]["route"] == "/indicators/<slug>" and lines[0]["status"] == 404
    assert lines[0]["method"] == "GET" and lines[0]["duration_ms"] >= 0
    assert "client" not in lines[0]
    # nginx writes its access log line just after the response has gone out
    access_log = wait_until(lambda: next((line for line in (nginx.workdir / "access.log")
                                          .read_text().splitlines() if request_id in line), None),
                            "nginx's access log line", timeout=5)
    assert access_log.split()[1:3] == ["GET", "404"]
    for log in (gunicorn.output(), (nginx.workdir / "access.log").read_text()):
        assert "127.0.0.4" not in log and "a-private-slug" not in log


def test_probes_pass_through_and_plain_http_is_sent_to_https(stack):
    nginx, _ = stack
    phone = Resident(nginx.port, "127.0.0.5")
    assert phone.request("GET", "/healthz")[::2] == (200, b"ok")
    status, _, body = phone.request("GET", "/readyz")
    assert status == 200 and json.loads(body)["checks"] == {"database": "ok", "redis": "ok"}

    status, headers, _ = phone.request("GET", "/s/demo?lang=ar", port=nginx.http_port)
    assert status == 301 and headers["Location"] == "https://delaktig.example.se/s/demo?lang=ar"


def test_the_tls_server_of_the_sample_is_valid_for_nginx(tmp_path):
    certificate, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                    "-subj", "/CN=delaktig.example.se", "-keyout", str(key), "-out", str(certificate)],
                   check=True, capture_output=True, timeout=30)
    nginx = Nginx(tmp_path)
    checked = nginx.test_config(site_for_test(free_port(), nginx.port, free_port(), tmp_path,
                                              (certificate, key)))
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr
