"""Command-line tasks: `delaktig create-org | demo | report | translate ...`.

`delaktig` is the Flask command line with the app preset (`delaktig db upgrade`,
`delaktig run`); in a checkout `flask --app wsgi ...` is the same.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import select

from surveys.auth import queries as auth_queries
from surveys.auth import services as auth_services
from surveys.auth.models import Organisation, User
from surveys.core.jsonstat import region_level
from surveys.extensions import db

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"


def create_organisation(name: str, email: str, password: str, admin_name: str,
                        municipality_code: str | None = None) -> User:
    """An organisation and its first admin; refuses duplicates and a code that is not a
    kommunkod."""
    if municipality_code is not None and region_level(municipality_code) != "municipality":
        raise click.ClickException(
            f"{municipality_code!r} is not a municipality code (four digits, e.g. 1480).")
    if auth_queries.organisation_by_name(name) is not None:
        raise click.ClickException(f"An organisation named {name!r} already exists.")
    if auth_queries.user_by_email(email) is not None:
        raise click.ClickException(f"A user with email {email!r} already exists.")
    admin = auth_services.create_organisation(name, email=email, password=password,
                                              admin_name=admin_name,
                                              municipality_code=municipality_code)
    db.session.commit()
    return admin


def fill_source_catalog(lang: str = "en") -> None:
    """The msgids are English: the English catalog is the msgids themselves."""
    from babel.messages.pofile import read_po, write_po

    path = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as handle:
        catalog = read_po(handle, locale=lang)
    for message in catalog:
        if message.id:
            message.string = message.id
            message.flags.discard("fuzzy")
    with open(path, "wb") as handle:
        write_po(handle, catalog, width=76)


def default_framework(organisation_name: str):
    """The organisation's default framework, or the command's refusal."""
    from surveys.followup.queries import framework_of

    organisation = db.session.scalar(select(Organisation).where(
        Organisation.name == organisation_name))
    if organisation is None:
        raise click.ClickException(f"No organisation is named {organisation_name!r}.")
    framework = framework_of(organisation.id)
    if framework is None:
        raise click.ClickException(f"{organisation_name} has no indicator framework yet.")
    return framework


def organisation_framework(organisation_name: str, slug: str | None):
    """The organisation's framework at /indicators/<slug>, or its default framework when no
    slug is given; or the command's refusal, which names the organisation's frameworks."""
    from surveys.followup.queries import organisation_frameworks

    framework = default_framework(organisation_name)
    if slug is None or slug == framework.slug:
        return framework
    frameworks = organisation_frameworks(framework.organisation_id, archived=True)
    chosen = next((f for f in frameworks if f.slug == slug), None)
    if chosen is None:
        raise click.ClickException(
            f"{organisation_name} has no framework {slug!r}; its frameworks: "
            f"{', '.join(f.slug for f in frameworks)}.")
    return chosen


def write_report(organisation_name: str, year: int | None, lang: str, out: Path,
                 audience: str = "staff", framework_slug: str | None = None) -> None:
    """The `report` command: refuses unknown organisations, languages, years and formats."""
    from surveys.followup import report
    from surveys.core.i18n import LANGUAGES

    extension = out.suffix.lower().lstrip(".")
    if extension not in ("pdf", "html", "docx"):
        raise click.ClickException(f"Write to a .pdf, .docx or .html file, not {out.name!r}.")
    if lang not in LANGUAGES:
        raise click.ClickException(f"Unknown language {lang!r}: use one of "
                                   f"{', '.join(LANGUAGES)}.")
    framework = organisation_framework(organisation_name, framework_slug)
    try:
        year = report.report_year(framework, year)
    except report.ReportError as error:
        if error.code == "no_waves":
            raise click.ClickException(
                f"{organisation_name} has no survey wave linked to a year yet.") from None
        raise click.ClickException(
            f"{organisation_name} has no wave for {year}; waves: "
            f"{', '.join(str(y) for y in error.years)}.") from None
    if extension == "docx":
        from surveys.followup.report_docx import render_report_docx

        out.write_bytes(render_report_docx(framework, year, lang, audience))
        click.echo(f"Wrote the {year} report of {organisation_name} ({lang}) to {out}.")
        return
    html = report.render_report_html(framework, year, lang, audience=audience)
    if extension == "pdf":
        out.write_bytes(report.html_to_pdf(html))
    else:
        out.write_text(html, encoding="utf-8")
    missing = report.missing_characters(report.visible_text(html))
    if missing and extension == "pdf":
        click.echo(f"Warning: no installed font has {' '.join(missing)}; those characters "
                   "show as empty boxes in the PDF.", err=True)
    click.echo(f"Wrote the {year} report of {organisation_name} ({lang}) to {out}.")


def kolada_problem_text(problems) -> str:
    """Kolada's problems as one line for the terminal (English, like the other commands)."""
    return "; ".join(f"{p.code} ({', '.join(f'{k}={v}' for k, v in p.details.items())})"
                     if p.details else p.code for p in problems)


def fetch_kolada(organisation_name: str) -> None:
    """The `kolada fetch` command: fetch, commit what came, report every problem."""
    from flask import current_app

    from surveys.followup import comparisons

    framework = default_framework(organisation_name)
    problems = comparisons.fetch_kolada(framework, comparisons.client(current_app.config))
    db.session.commit()
    fatal = {"kolada_no_links", "kolada_no_municipality_code", "kolada_unreachable",
             "kolada_timeout", "kolada_refused", "kolada_garbage"}
    if problems:
        click.echo(f"Kolada: {kolada_problem_text(problems)}", err=True)
    if any(p.code in fatal for p in problems):
        raise click.ClickException("Kolada could not answer everything; see above.")
    click.echo(f"Fetched the comparisons of {organisation_name} from Kolada.")


def init_app(app: Flask) -> None:
    """Register the commands."""

    @app.cli.command("create-org")
    @click.argument("name")
    @click.option("--email", required=True, help="Login of the first admin.")
    @click.option("--admin-name", default="Administratör", show_default=True)
    @click.option("--municipality-code", default=None,
                  help="SCB's kommunkod, e.g. 1480; the API gives it with every indicator.")
    @click.password_option(help="Password of the first admin (asked if not given).")
    def create_org(name: str, email: str, admin_name: str, municipality_code: str | None,
                   password: str) -> None:
        """Create an organisation (municipality) and its first admin."""
        if len(password) < 10:
            raise click.ClickException("Use a password of at least 10 characters.")
        create_organisation(name, email, password, admin_name, municipality_code)
        click.echo(f"Created {name} with admin {email}.")

    @app.cli.command("demo")
    def demo() -> None:
        """Load the demo organisation, users and the open template survey (safe to rerun)."""
        from surveys.demo import load_demo

        for line in load_demo():
            click.echo(line)

    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
    def worker(burst: bool) -> None:
        """Run background jobs from Redis (needs REDIS_URL): reports, letters, exports."""
        from surveys.jobs import services

        worker = services.worker()
        if worker is None:
            raise click.ClickException("Set REDIS_URL: without it jobs run inline, in the "
                                       "request that asks for them.")
        worker.work(burst=burst)

    @app.cli.command("report")
    @click.option("--organisation", required=True, help="The organisation's name.")
    @click.option("--year", type=int, help="The wave's year (default: the latest).")
    @click.option("--lang", default="sv", show_default=True, help="The report's language.")
    @click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True),
                  help="The file to write: .pdf, .docx or .html.")
    @click.option("--audience", type=click.Choice(["staff", "residents"]), default="staff",
                  show_default=True, help="For staff, or the shorter version for residents.")
    @click.option("--framework", "framework_slug",
                  help="The framework's address, as in /indicators/<framework> (default: "
                       "the organisation's first framework).")
    def report_command(organisation: str, year: int | None, lang: str, out: str,
                       audience: str, framework_slug: str | None) -> None:
        """Write the yearly follow-up report of an organisation as PDF, DOCX or HTML."""
        write_report(organisation, year, lang, Path(out), audience, framework_slug)

    @app.cli.group()
    def kolada() -> None:
        """Comparisons from Kolada's open API (KOLADA_URL)."""

    @kolada.command("fetch")
    @click.option("--organisation", required=True, help="The organisation's name.")
    def kolada_fetch(organisation: str) -> None:
        """Fetch the register indicators' key figures for the default framework and keep
        them (what the staff's *Fetch from Kolada* button does)."""
        fetch_kolada(organisation)

    @kolada.command("groups")
    @click.argument("title")
    def kolada_groups(title: str) -> None:
        """List Kolada's municipality groups whose title contains TITLE, with their ids."""
        from flask import current_app

        from surveys.followup import comparisons
        from surveys.indicators.kolada import KoladaError

        try:
            groups = comparisons.client(current_app.config).groups(title)
        except KoladaError as error:
            raise click.ClickException(kolada_problem_text(error.problems)) from None
        for group in groups:
            click.echo(f"{group.id}\t{group.title} ({len(group.members)} members)")

    @app.cli.group()
    def translate() -> None:
        """Interface translations: extract, update, compile (wraps pybabel)."""

    def pybabel(*args: str) -> None:
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True,
                       cwd=ROOT)

    @translate.command()
    def extract() -> None:
        """Collect every marked string into translations/messages.pot."""
        pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
                "--sort-by-file", "--project", "Delaktig", "-o", str(POT), ".")

    @translate.command()
    def update() -> None:
        """Extract, then merge new strings into every catalog."""
        extract.callback()
        pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "--no-fuzzy-matching")
        fill_source_catalog()

    @translate.command()
    @click.argument("lang")
    def init(lang: str) -> None:
        """Start a catalog for a new language."""
        pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", lang)

    @translate.command()
    def compile() -> None:
        """Build the .mo files the app reads."""
        pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")


def main() -> None:
    """The `delaktig` command: Flask's CLI (run, shell, db ...) for `create_app`."""
    from flask.cli import FlaskGroup

    from surveys.app import create_app

    FlaskGroup(create_app=create_app, help="Delaktig: surveys, weighting, indicators and "
               "dialogue for municipalities.").main(prog_name="delaktig")
