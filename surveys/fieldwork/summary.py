"""The drawn sample's response rate in one sentence, as the representation monitor and the
yearly report state it: "Response rate 41.0 % (RR1); 23.0 % among ..."."""

from __future__ import annotations

from flask_babel import gettext as _

from surveys.fieldwork.queries import rate_summary
from surveys.survey.models import Survey
from surveys.survey.results import format_share


def response_rate_sentence(survey: Survey) -> str:
    """RR1 of the sample and of its least answering stratum (among those large enough to
    publish); empty for a survey without a drawn sample."""
    summary = rate_summary(survey)
    if summary is None:
        return ""
    overall, lowest = summary
    if lowest is None:
        return _("Response rate %(rate)s (RR1).", rate=format_share(overall.rates.rr1))
    return _("Response rate %(rate)s (RR1); %(lowest)s among %(stratum)s.",
             rate=format_share(overall.rates.rr1), lowest=format_share(lowest.rates.rr1),
             stratum=lowest.label)
