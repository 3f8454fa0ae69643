"""Fieldwork's background work: a mailing's letters as one PDF, its e-mails and SMS."""

from __future__ import annotations

from flask_babel import gettext as _

from surveys.extensions import db
from surveys.fieldwork import letters, queries, services
from surveys.fieldwork.forms import MAILING_LABELS
from surveys.fieldwork.models import Mailing, MailingKind
from surveys.jobs.models import Job
from surveys.jobs.services import JobResult, Progress, job_kind


def _title(params: dict) -> str:
    mailing = db.session.get(Mailing, params["mailing_id"])
    what = MAILING_LABELS[mailing.kind] if mailing else MAILING_LABELS[MailingKind.other]
    return _("Letters as PDF: %(what)s", what=what)


@job_kind("fieldwork_letters", title=_title)
def letters_pdf(job: Job, progress: Progress) -> JobResult:
    """E-mails and SMS first (refusals are kept to retry), then the letters, a chunk at a time."""
    mailing = db.session.get(Mailing, job.params["mailing_id"])
    base_url = job.params["base_url"]
    survey = services.mailing_survey(mailing)
    services.send_messages(mailing, base_url)
    recipients = [letters.Recipient(m.access_code, m.language, r.name, r.care_of, r.street,
                                    r.postal_code, r.town)
                  for m, r in queries.letter_recipients(mailing)]
    data = letters.letters_pdf(survey, survey.organisation.name, mailing.kind, mailing.sent_on,
                               base_url, recipients, progress)
    services.mark_letters_made(mailing)
    return JobResult(f"{survey.slug}-{mailing.kind.value}-{mailing.sent_on.isoformat()}.pdf",
                     "application/pdf", data)
