"""Every change fieldwork makes: import a frame, draw, use a code, register outcomes,
record mailings, purge. Functions flush; the request commits."""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import delete, update

from surveys.audit import services as audit
from surveys.core.i18n import LANGUAGES
from surveys.core.time import utcnow
from surveys.extensions import db
from surveys.fieldwork import codes, letters, mail, queries, sampling
from surveys.fieldwork.aapor import REGISTERED, Outcome
from surveys.fieldwork.frame_file import FrameCheck, Problem, decode
from surveys.fieldwork.models import (
    Delivery,
    DeliveryChannel,
    FrameRow,
    FrameUpload,
    LetterBatch,
    Mailing,
    MailingKind,
    SampleFrame,
    SampleMember,
    SampleStratum,
)
from surveys.jobs import services as job_services
from surveys.survey import services as survey_services
from surveys.survey.models import Channel, Response, Survey


class FieldworkError(Exception):
    """A refused change; `code` names why (forms.FIELDWORK_ERRORS says it in words)."""

    def __init__(self, code: str, **detail) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


def hash_secret() -> str:
    """The secret of the person-id hash: `FRAME_HASH_SECRET`, else the app's secret key."""
    return current_app.config.get("FRAME_HASH_SECRET") or current_app.config["SECRET_KEY"]


# -- the frame -------------------------------------------------------------------------------
def import_frame(survey: Survey, checked: FrameCheck, file_name: str, user_id: int | None,
                 skip_bad_rows: bool = False) -> SampleFrame:
    """Store the checked file's clean rows as the survey's frame (replacing an undrawn one).

    Refused while the file has problems, unless `skip_bad_rows` says to leave those lines
    out; never once a sample is drawn from the frame.
    """
    if checked.file_problems or not checked.rows:
        raise FieldworkError("file_not_clean")
    if checked.problems and not skip_bad_rows:
        raise FieldworkError("file_not_clean")
    frame = queries.frame_for(survey.id)
    if frame is not None:
        if frame.drawn_at is not None:
            raise FieldworkError("already_drawn")
        db.session.delete(frame)
        db.session.flush()
    frame = SampleFrame(survey_id=survey.id, salt=secrets.token_hex(16), file_name=file_name[:200],
                        row_count=len(checked.rows), imported_by_id=user_id,
                        skipped=[[p.line, p.code] for p in checked.problems])
    db.session.add(frame)
    db.session.flush()
    secret = hash_secret()
    rows = []
    for row in checked.rows:
        values = {k: v for k, v in row.items() if k != "person_id"}
        values["person_hash"] = codes.person_hash(row["person_id"], secret, frame.salt)
        rows.append({"frame_id": frame.id, **values})
    for start in range(0, len(rows), 2000):
        db.session.execute(FrameRow.__table__.insert(), rows[start:start + 2000])
    return frame


def queue_frame_import(survey: Survey, checked: FrameCheck, data: bytes, file_name: str,
                       districts: list[str], skip_bad_rows: bool, organisation_id: int,
                       user_id: int | None):
    """Keep a checked file for a background import and submit the job (large files).

    Refused exactly as `import_frame` would refuse it, so a file with problems is never
    kept; the job deletes the file when it has stored the rows.
    """
    if checked.file_problems or not checked.rows or (checked.problems and not skip_bad_rows):
        raise FieldworkError("file_not_clean")
    frame = queries.frame_for(survey.id)
    if frame is not None and frame.drawn_at is not None:
        raise FieldworkError("already_drawn")
    upload = FrameUpload(survey_id=survey.id, file_name=file_name[:200], data=data,
                         districts=districts, skip=skip_bad_rows)
    db.session.add(upload)
    db.session.flush()
    return job_services.submit("fieldwork_frame_import", organisation_id, user_id,
                               {"upload_id": upload.id, "file_name": upload.file_name})


# -- the draw --------------------------------------------------------------------------------
@dataclass
class Design:
    """What the draw is asked to do, as the design page states it."""

    columns: list[str]
    n: int
    method: str = "proportional"
    minimum: int = 0
    #: Stratum key -> oversampling factor (missing: 1).
    factors: dict[str, float] = field(default_factory=dict)
    seed: int = 0

    def as_dict(self) -> dict:
        return {"method": self.method, "n": self.n, "minimum": self.minimum,
                "factors": self.factors}


def _plan(frame: SampleFrame, design: Design, languages: dict | None = None
          ) -> tuple[dict[str, tuple[dict, list[int]]], dict[str, int]]:
    """The strata of the frame and the sample size of each (a read: nothing is stored)."""
    strata = queries.frame_strata(frame, design.columns, languages)
    population = {key: len(ids) for key, (_values, ids) in strata.items()}
    sizes = sampling.allocate(population, design.n, design.method, design.minimum,
                              design.factors)
    return strata, sizes


def draw_sample(frame: SampleFrame, design: Design) -> int:
    """Draw the sample, give every sampled person a code; returns the sample size."""
    if frame.drawn_at is not None:
        raise FieldworkError("already_drawn")
    if frame.purged_at is not None:
        raise FieldworkError("purged")
    languages: dict[int, str | None] = {}
    strata, sizes = _plan(frame, design, languages)
    drawn = sampling.draw({k: ids for k, (_v, ids) in strata.items()}, sizes, design.seed)
    taken: set[str] = set()
    members = []
    for key in sorted(strata):
        values, ids = strata[key]
        stratum = SampleStratum(frame_id=frame.id, key=key[:300], values=values,
                                population=len(ids), sample_size=sizes[key],
                                factor=design.factors.get(key, 1.0))
        db.session.add(stratum)
        db.session.flush()
        members += [{"frame_id": frame.id, "stratum_id": stratum.id, "frame_row_id": row_id,
                     "access_code": codes.new_code(taken), "language": languages.get(row_id)}
                    for row_id in drawn[key]]
    for start in range(0, len(members), 2000):
        db.session.execute(SampleMember.__table__.insert(), members[start:start + 2000])
    frame.strata_columns = list(design.columns)
    frame.allocation = design.as_dict()
    frame.seed = design.seed
    frame.drawn_at = utcnow()
    audit.record("sample_drawn", subject=frame.survey.slug,
                 organisation_id=frame.survey.organisation_id, n=design.n, seed=design.seed,
                 strata=len(strata))
    return len(members)


def note_addresses_download(frame: SampleFrame, people: int) -> None:
    """Names and addresses left the app (for letters): the audit log says who took them."""
    audit.record("sample_addresses_downloaded", subject=frame.survey.slug,
                 organisation_id=frame.survey.organisation_id, people=people)


def new_seed() -> int:
    """A seed to state on the design page (the author may type their own)."""
    return secrets.randbelow(10**9)


# -- residents with a code -------------------------------------------------------------------
def use_code(survey: Survey, member: SampleMember, language: str) -> Response:
    """The response a code answers with: its unfinished one, or a new one (once only)."""
    if member.response is not None:
        if member.response.completed_at is not None:
            raise FieldworkError("code_used")
        return member.response
    response = survey_services.start_response(survey, language)
    member.response_id = response.id
    member.code_used_at = utcnow()
    db.session.flush()
    return response


# -- outcomes and mailings -------------------------------------------------------------------
def register_outcome(member: SampleMember, outcome: Outcome | None,
                     channel: Channel | None = None, on: date | None = None) -> None:
    """Set (or, with None, clear) what staff know became of a sampled person."""
    if outcome is not None and outcome not in REGISTERED:
        raise FieldworkError("outcome_not_registrable")
    member.outcome = outcome
    member.channel = channel
    member.outcome_on = (on or utcnow().date()) if outcome else None


@dataclass
class OutcomeFileResult:
    registered: int = 0
    problems: list[Problem] = field(default_factory=list)


def register_outcome_file(frame: SampleFrame, data: bytes) -> OutcomeFileResult:
    """Outcomes from a CSV of `code,outcome[,date]` lines; all or nothing."""
    text = decode(data)
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";" if ";" in first else ",")
    result = OutcomeFileResult()
    wanted: list[tuple[int, str, Outcome, date | None]] = []
    registrable = {o.value: o for o in REGISTERED}
    try:
        rows = [(reader.line_num, [c.strip() for c in cells]) for cells in reader]
    except csv.Error:
        result.problems.append(Problem(reader.line_num, "not_csv"))
        return result
    for line, cells in rows:
        if not any(cells):
            continue
        if line == 1 and cells[0].lower() in ("code", "kod", "access_code"):
            continue
        code = codes.normalise_code(cells[0])
        outcome = registrable.get(cells[1].lower()) if len(cells) > 1 else None
        if outcome is None:
            result.problems.append(Problem(line, "unknown_outcome", cells[1] if len(cells) > 1 else ""))
            continue
        on = None
        if len(cells) > 2 and cells[2]:
            try:
                on = date.fromisoformat(cells[2])
            except ValueError:
                result.problems.append(Problem(line, "bad_date", cells[2]))
                continue
        wanted.append((line, code, outcome, on))
    members = queries.members_by_codes(frame, [code for _l, code, _o, _d in wanted])
    for line, code, _outcome, _on in wanted:
        if code not in members:
            result.problems.append(Problem(line, "unknown_code", code))
    if result.problems or not wanted:
        if not wanted and not result.problems:
            result.problems.append(Problem(1, "no_rows"))
        return result
    for _line, code, outcome, on in wanted:
        register_outcome(members[code], outcome, on=on)
        result.registered += 1
    return result


def record_mailing(frame: SampleFrame, kind: MailingKind, sent_on: date, count: int) -> Mailing:
    mailing = Mailing(frame_id=frame.id, kind=kind, sent_on=sent_on, count=count)
    db.session.add(mailing)
    db.session.flush()
    return mailing


# -- the purge -------------------------------------------------------------------------------
def purge(frame: SampleFrame) -> int:
    """Delete names, addresses and the code-to-person link; keep strata and outcomes.

    Returns how many people's rows were deleted. Logged in the audit log.
    """
    if frame.purged_at is not None:
        raise FieldworkError("purged")
    db.session.execute(update(SampleMember).where(SampleMember.frame_id == frame.id)
                       .values(frame_row_id=None))
    deleted = db.session.execute(delete(FrameRow).where(FrameRow.frame_id == frame.id)).rowcount
    db.session.execute(delete(FrameUpload).where(FrameUpload.survey_id == frame.survey_id))
    frame.purged_at = utcnow()
    audit.record("fieldwork_purged", subject=frame.survey.slug,
                 organisation_id=frame.survey.organisation_id, rows=deleted)
    db.session.flush()
    return deleted


# -- letters, reminders and the paper questionnaire -------------------------------------------
def start_mailing(frame: SampleFrame, kind: MailingKind, sent_on: date, base_url: str,
                  user_id: int | None) -> Mailing:
    """Record a mailing and lay out its letters in a background job (PDF, one per person).

    The invitation goes to everyone sampled; a reminder only to those who have not
    completed and have no final outcome, and also by e-mail and SMS where the frame has
    an address or a number (sent by the same job). Each kind goes out once.
    """
    if frame.purged_at is not None:
        raise FieldworkError("purged")
    if kind is MailingKind.other:
        raise FieldworkError("unknown_mailing")
    if queries.batch_of_kind(frame, kind) is not None:
        raise FieldworkError("already_sent")
    people = queries.mailing_recipients(frame, reminder=kind is not MailingKind.letter)
    if not people:
        raise FieldworkError("no_recipients")
    mailing = record_mailing(frame, kind, sent_on, len(people))
    rows = []
    for member_id, email, mobile in people:
        rows.append({"mailing_id": mailing.id, "member_id": member_id,
                     "channel": DeliveryChannel.letter.name})
        if kind is not MailingKind.letter:
            rows += [{"mailing_id": mailing.id, "member_id": member_id, "channel": channel.name}
                     for channel, there in ((DeliveryChannel.email, email),
                                            (DeliveryChannel.sms, mobile)) if there]
    for start in range(0, len(rows), 2000):
        db.session.execute(Delivery.__table__.insert(), rows[start:start + 2000])
    batch = LetterBatch(mailing_id=mailing.id)
    db.session.add(batch)
    audit.record("letters_started", subject=frame.survey.slug,
                 organisation_id=frame.survey.organisation_id, kind=kind.value,
                 letters=len(people), on=sent_on.isoformat())
    db.session.flush()
    job = job_services.submit("fieldwork_letters", frame.survey.organisation_id, user_id,
                              {"mailing_id": mailing.id, "base_url": base_url})
    batch.job_id = job.id
    db.session.flush()
    return mailing


@dataclass
class Sent:
    """What one round of sending did: how many went, and the errors of those that did not."""

    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def send_messages(mailing: Mailing, base_url: str) -> Sent:
    """Send the mailing's e-mails and SMS not yet sent; a refusal is kept on the delivery
    (listed for a retry), never raised. Without SMTP settings the e-mails wait."""
    survey = mailing_survey(mailing)
    result = Sent()
    pending = queries.unsent_messages(mailing)
    emails = [d for d in pending if d.channel is DeliveryChannel.email]
    texts = [d for d in pending if d.channel is DeliveryChannel.sms]
    config = current_app.config

    def failed(delivery: Delivery, error: str) -> None:
        delivery.error = error[:300]
        result.failed += 1
        if error not in result.errors:
            result.errors.append(error)

    def sent(delivery: Delivery) -> None:
        delivery.sent_at, delivery.error = utcnow(), None
        result.sent += 1

    if emails:
        try:
            mailer = mail.SmtpMailer(config.get("SMTP_URL"), config.get("MAIL_FROM"))
        except mail.SendError as error:
            for delivery in emails:
                failed(delivery, str(error))
        else:
            try:
                for delivery in emails:
                    member, row = delivery.member, delivery.member.row
                    if row is None or not row.email:
                        failed(delivery, "no address (purged)")
                        continue
                    lang = letters.letter_language(survey, member.language)
                    subject, text = letters.reminder_mail(survey, lang, base_url,
                                                          member.access_code)
                    try:
                        mailer.send(mail.Mail(row.email, LANGUAGES[lang].tag, subject, text))
                    except mail.SendError as error:
                        failed(delivery, str(error))
                    else:
                        sent(delivery)
            finally:
                mailer.close()
    if texts:
        try:
            sender = mail.sms_sender(config.get("SMS_SENDER") or "")
        except mail.SendError as error:
            for delivery in texts:
                failed(delivery, str(error))
        else:
            for delivery in texts:
                member, row = delivery.member, delivery.member.row
                if row is None or not row.mobile:
                    failed(delivery, "no number (purged)")
                    continue
                lang = letters.letter_language(survey, member.language)
                try:
                    sender.send(row.mobile, letters.reminder_sms(survey, lang, base_url,
                                                                 member.access_code))
                except mail.SendError as error:
                    failed(delivery, str(error))
                else:
                    sent(delivery)
    db.session.flush()
    return result


def mailing_survey(mailing: Mailing) -> Survey:
    return db.session.get(SampleFrame, mailing.frame_id).survey


def mark_letters_made(mailing: Mailing) -> None:
    """The batch's letters are laid out: they count as sent on the mailing's date."""
    db.session.execute(update(Delivery).where(
        Delivery.mailing_id == mailing.id, Delivery.channel == DeliveryChannel.letter,
        Delivery.sent_at.is_(None)).values(sent_at=utcnow()))


def start_paper_entry(survey: Survey, member: SampleMember, language: str, user) -> Response:
    """Staff type in a returned paper questionnaire under the person's code: the response
    is theirs (channel paper), so completing it completes them."""
    if member.response is not None:
        if member.response.completed_at is not None:
            raise FieldworkError("code_used")
        raise FieldworkError("code_started")
    response = survey_services.start_staff_entry(survey, language, Channel.paper, user)
    member.response_id = response.id
    member.code_used_at = utcnow()
    audit.record("paper_entry_started", subject=survey.slug,
                 organisation_id=survey.organisation_id, code=member.access_code)
    db.session.flush()
    return response
