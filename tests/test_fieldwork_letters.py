"""Letters, reminders and paper for a drawn sample: the letters' PDF read back page by page
(language, code, address), reminders only to those who have not answered, e-mail through a
real local SMTP server, a refusing server listed and retried, and a paper questionnaire
typed in under its code."""

from __future__ import annotations

import io
import unicodedata
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader
from sqlalchemy import select

from surveys.core.roles import Role
from surveys.core.time import utcnow
from surveys.extensions import db
from surveys.fieldwork.aapor import Outcome
from surveys.fieldwork.codes import format_code
from surveys.fieldwork.mail import SendError
from surveys.fieldwork.models import Delivery, Mailing, MailingKind, SampleMember
from surveys.jobs.models import Job, JobStatus
from surveys.survey.models import Channel, Response
from tests.support.frames import make_sample
from tests.support.manage import staff
from tests.support.servers import free_port


@pytest.fixture
def org(make_org):
    return make_org("Kommun L")


@pytest.fixture
def worker(make_client, login, org):
    return staff(make_client(), login, org, Role.fieldwork)


class RefusingSms:
    """An SMS gateway that refuses every message (named by SMS_SENDER in a test)."""

    def send(self, number: str, text: str) -> None:
        raise SendError(f"The SMS gateway refused {number}.")


class Inbox:
    """aiosmtpd handler: keeps every message it is given."""

    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def _pages(data: bytes) -> list[str]:
    """Each page's text, with Arabic presentation forms folded to plain letters."""
    return [unicodedata.normalize("NFKC", page.extract_text() or "")
            for page in PdfReader(io.BytesIO(data)).pages]


def _shape(app) -> None:
    """Make the small sample certain to hold a letter in Arabic and in Somali, and five
    people with an e-mail address."""
    with app.app_context():
        members = db.session.scalars(select(SampleMember).order_by(SampleMember.id)).all()
        for i, member in enumerate(members):
            member.language = {0: "ar", 1: "so"}.get(i, None if i % 4 else member.language)
            member.row.email = f"p{member.id}@example.se" if i < 5 else None
            member.row.mobile = f"070-000 00 0{i}" if i in (3, 6) else None
        db.session.commit()


def _make(worker, survey_id, kind, on="2026-03-02"):
    page = worker.post_form(f"/manage/surveys/{survey_id}/fieldwork/letters",
                            {"kind": kind, "sent_on": on})
    assert page.status_code == 302, page.get_data(as_text=True)
    return int(page.headers["Location"].rsplit("/", 1)[1])


def test_letters_are_one_pdf_with_a_page_per_person_in_their_language(
        app, org, make_survey, worker):
    survey_id = make_survey(org, slug="brev")
    make_sample(app, survey_id, people=60, n=8)
    _shape(app)
    job_id = _make(worker, survey_id, "letter")
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.status is JobStatus.done, job.error
        data = job.result
        mailing = db.session.scalar(select(Mailing))
        assert (mailing.kind, mailing.sent_on.isoformat(), mailing.count) == (
            MailingKind.letter, "2026-03-02", 8)
        people = {m.access_code: (m.language, m.row.name, m.row.street)
                  for m in db.session.scalars(select(SampleMember))}
    pages = _pages(data)
    assert len(pages) == 8
    seen = set()
    for text in pages:
        code = next(c for c in people if format_code(c) in text)
        seen.add(code)
        language, name, street = people[code]
        assert name in text and street in text
        assert f"/s/brev?c={code}" in text
        if language == "ar":
            assert "رمزك الشخصي" in text  # "your personal code", in Arabic
            assert "Din personliga kod" not in text
            assert "Skanna QR-koden för att svara på svenska." in text
        elif language == "so":
            assert "Koodhkaaga gaarka ah" in text and "Din personliga kod" not in text
        else:
            assert "Din personliga kod" in text and "slumpvis" in text
            assert "Scan the QR code to answer in English." in text
        # a line in Somali and in Tigrinya for everyone whose letter is in another language
        if language != "so":
            assert "Soomaali" in text
    assert seen == set(people)
    assert any(people[c][0] == "ar" for c in seen)
    # each kind goes out once
    again = worker.post_form(f"/manage/surveys/{survey_id}/fieldwork/letters",
                             {"kind": "letter", "sent_on": "2026-03-03"})
    assert again.status_code == 409
    assert "already been made" in again.get_data(as_text=True)
    # the mailing is marked on the response-rate table
    overview = worker.get(f"/manage/surveys/{survey_id}/fieldwork").get_data(as_text=True)
    assert "2026-03-02" in overview and "Invitation letter" in overview


def test_reminders_go_only_to_those_who_have_not_answered_by_letter_and_email(
        app, org, make_survey, worker, smtp_server):
    controller, inbox = smtp_server
    app.config.update(SMTP_URL=f"smtp://127.0.0.1:{controller.port}",
                      MAIL_FROM="enkat@kommun.example")
    try:
        survey_id = make_survey(org, slug="paminn")
        make_sample(app, survey_id, people=100, n=16)
        _shape(app)
        with app.app_context():
            members = db.session.scalars(select(SampleMember).order_by(SampleMember.id)).all()
            done = [members[4], members[5]]
            refused = next(m for m in members if m not in done)
            for m in done:
                response = Response(survey_id=survey_id, language="sv", token=f"t{m.id}",
                                    resume_code=f"R{m.id}",
                                    completed_at=utcnow(), channel=Channel.web)
                db.session.add(response)
                db.session.flush()
                m.response_id = response.id
            refused.outcome = Outcome.refused
            skipped = {m.access_code for m in done} | {refused.access_code}
            waiting = {m.access_code: (m.language, m.row.email) for m in members
                       if m.access_code not in skipped}
            db.session.commit()
        job_id = _make(worker, survey_id, "reminder_1", "2026-03-16")
        with app.app_context():
            job = db.session.get(Job, job_id)
            assert job.status is JobStatus.done, job.error
            pages = _pages(job.result)
        assert len(pages) == len(waiting) == 13
        assert not any(format_code(code) in text for code in skipped for text in pages)
        assert all("Påminnelse" in text or "تذكير" in text or "Xusuusin" in text
                   for text in pages)
        wanted = {email: code for code, (_l, email) in waiting.items() if email}
        got = {}
        for envelope in inbox.messages:
            assert envelope.mail_from == "enkat@kommun.example"
            [to] = envelope.rcpt_tos
            text = envelope.content.decode()
            got[to] = text
        assert set(got) == set(wanted) and wanted
        with app.app_context():
            texted = {d.member.access_code for d in db.session.scalars(select(Delivery).where(
                Delivery.channel == "sms", Delivery.sent_at.is_not(None)))}
            assert texted == {m.access_code for m in db.session.scalars(select(SampleMember))
                              if m.row.mobile and m.access_code in waiting} != set()
        for to, text in got.items():
            code = wanted[to]
            message = message_from_bytes(text.encode())
            body = message.get_payload(decode=True).decode()
            language = waiting[code][0]
            assert format_code(code) in body and f"/s/paminn?c={code}" in body
            assert message["Content-Language"] == (language if language in ("ar", "so") else "sv")
            if language == "ar":
                assert "رمزك الشخصي" in body
            elif language is None:
                assert "Din personliga kod" in body
    finally:
        app.config.update(SMTP_URL=None, MAIL_FROM=None)


def test_without_a_mail_server_the_emails_are_listed_and_sent_on_retry(
        app, org, make_survey, worker, smtp_server):
    controller, inbox = smtp_server
    survey_id = make_survey(org, slug="utan-smtp")
    make_sample(app, survey_id, people=100, n=10)
    _shape(app)
    app.config.update(SMTP_URL=f"smtp://127.0.0.1:{free_port()}", MAIL_FROM="a@b.example",
                      SMS_SENDER="tests.test_fieldwork_letters.RefusingSms")
    try:
        job_id = _make(worker, survey_id, "reminder_1")
        with app.app_context():
            assert db.session.get(Job, job_id).status is JobStatus.done
            failed = db.session.scalars(select(Delivery).where(
                Delivery.channel == "email")).all()
            assert failed and all(d.sent_at is None and "refused or did not answer" in d.error
                                  for d in failed)
        page = worker.get(f"/manage/surveys/{survey_id}/fieldwork/letters").get_data(
            as_text=True)
        assert "Not sent" in page and "The SMS gateway refused 070-000 00 03." in page
        app.config.update(SMTP_URL=f"smtp://127.0.0.1:{controller.port}",
                          SMS_SENDER="surveys.fieldwork.mail.LogSmsSender")
        retry = worker.post_form(f"/manage/surveys/{survey_id}/fieldwork/letters/retry")
        assert retry.status_code == 302
        assert len(inbox.messages) == len(failed)
        with app.app_context():
            resent = db.session.scalars(select(Delivery).where(
                Delivery.channel.in_(("email", "sms")))).all()
            assert {d.channel.value for d in resent} == {"email", "sms"}
            assert all(d.sent_at and d.error is None for d in resent)
    finally:
        app.config.update(SMTP_URL=None, MAIL_FROM=None,
                          SMS_SENDER="surveys.fieldwork.mail.LogSmsSender")


def test_a_paper_questionnaire_is_typed_in_under_its_code(app, org, make_survey, worker):
    survey_id = make_survey(org, slug="papper")
    code = make_sample(app, survey_id, people=40, n=10)[3]
    pdf = worker.get(f"/manage/surveys/{survey_id}/fieldwork/paper.pdf?language=ar&code={code}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(_pages(pdf.data))
    assert format_code(code) in text and "رمزك الشخصي" in text
    assert worker.get(f"/manage/surveys/{survey_id}/fieldwork/paper.pdf?language=de"
                      ).status_code == 404
    assert worker.get(f"/manage/surveys/{survey_id}/fieldwork/paper.pdf?code=AAAAAAAAAA"
                      ).status_code == 404
    url = f"/manage/surveys/{survey_id}/fieldwork/paper-entry"
    wrong = worker.post_form(url, {"code": "AAAAA-AAAAA", "language": "sv"})
    assert wrong.status_code == 400 and "No one in the sample has that code." in wrong.get_data(
        as_text=True)
    started = worker.post_form(url, {"code": format_code(code).lower(), "language": "ar"})
    assert started.status_code == 302 and "/s/papper/p/1" in started.headers["Location"]
    with app.app_context():
        member = db.session.scalar(select(SampleMember).where(SampleMember.access_code == code))
        assert member.response.channel is Channel.paper
        assert member.response.language == "ar" and member.response.entered_by_id
        member.response.completed_at = utcnow()
        db.session.commit()
    again = worker.post_form(url, {"code": code, "language": "sv"})
    assert again.status_code == 409
    rates = worker.get(f"/manage/surveys/{survey_id}/fieldwork/rates.csv").get_data(as_text=True)
    assert "paper" in rates
