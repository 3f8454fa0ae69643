"""Final dispositions and outcome rates after AAPOR's Standard Definitions (10th ed., 2023).

Flask-free. A sampled person's *outcome* is what staff registered (a returned letter, a
refusal on the phone) or what their response shows (completed, started); each outcome
belongs to one AAPOR disposition code:

====  ==============================================  =====================================
I     complete interview                              a completed response
P     partial interview                               a response started, not completed
R     refusal and break-off                           refused
NC    non-contact                                     away for the whole field period,
                                                      answered after the deadline
O     other eligible non-interview                    deceased during fieldwork, unable,
                                                      language barrier
UH    unknown if the person is at the address         nothing ever returned, letter
                                                      returned undelivered
UO    unknown eligibility, other                      other unknown
NE    not eligible                                    moved out of the population, other
                                                      not eligible
====  ==============================================  =====================================

The rates (Standard Definitions, section "Response rates"):

- RR1 = I / ((I + P) + (R + NC + O) + (UH + UO))
- RR2 = (I + P) / ((I + P) + (R + NC + O) + (UH + UO))
- RR3 = I / ((I + P) + (R + NC + O) + e (UH + UO))
- RR4 = (I + P) / ((I + P) + (R + NC + O) + e (UH + UO))
- COOP1 = I / ((I + P) + R + O)
- REF1 = R / ((I + P) + (R + NC + O) + (UH + UO))

where e is the estimated share of the unknown-eligibility cases that are eligible. Its
default is the eligible share among the cases whose eligibility is known,
e = (I + P + R + NC + O) / (I + P + R + NC + O + NE), the "proportional allocation" or
CASRO method the Standard Definitions describe; any other stated e may be given.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: AAPOR codes in the order tables show them.
CODES = ("I", "P", "R", "NC", "O", "UH", "UO", "NE")


class Outcome(enum.Enum):
    """What became of one sampled person: registered by staff or shown by their response."""

    complete = "complete"  #: I: answered the whole survey
    partial = "partial"  #: P: started, not finished
    refused = "refused"  #: R: said no (letter, phone, at the door)
    non_contact = "non_contact"  #: NC: away the whole field period, answered too late
    deceased = "deceased"  #: O: died during fieldwork (alive in the register extract)
    unable = "unable"  #: O: physically or mentally unable to answer
    language_barrier = "language_barrier"  #: O: no survey language the person reads
    no_reply = "no_reply"  #: UH: nothing ever came back
    unknown_address = "unknown_address"  #: UH: letter returned, not delivered
    other_unknown = "other_unknown"  #: UO: unknown for another reason
    moved_out = "moved_out"  #: NE: moved out of the surveyed population before fieldwork
    not_eligible = "not_eligible"  #: NE: outside the population for another reason


#: The AAPOR code of every outcome.
AAPOR_CODE: dict[Outcome, str] = {
    Outcome.complete: "I",
    Outcome.partial: "P",
    Outcome.refused: "R",
    Outcome.non_contact: "NC",
    Outcome.deceased: "O",
    Outcome.unable: "O",
    Outcome.language_barrier: "O",
    Outcome.no_reply: "UH",
    Outcome.unknown_address: "UH",
    Outcome.other_unknown: "UO",
    Outcome.moved_out: "NE",
    Outcome.not_eligible: "NE",
}

#: Outcomes staff may register (completes and partials come from the responses themselves).
REGISTERED = tuple(o for o in Outcome if o not in (Outcome.complete, Outcome.partial,
                                                     Outcome.no_reply))


def final_outcome(registered: Outcome | None, started: bool, completed: bool) -> Outcome:
    """One person's outcome: a completed response wins, then what staff registered, then a
    started response; a person of whom nothing is known has sent nothing back."""
    if completed:
        return Outcome.complete
    if registered is not None:
        return registered
    return Outcome.partial if started else Outcome.no_reply


def count_codes(outcomes: Iterable[Outcome]) -> dict[str, int]:
    """Cases per AAPOR code (every code present, zeros included)."""
    counts = dict.fromkeys(CODES, 0)
    for outcome in outcomes:
        counts[AAPOR_CODE[outcome]] += 1
    return counts


@dataclass(frozen=True)
class Rates:
    """The outcome rates of one group of cases; None where a denominator is zero."""

    rr1: float | None
    rr2: float | None
    rr3: float | None
    rr4: float | None
    coop1: float | None
    ref1: float | None
    #: The estimated eligibility of the unknown cases that RR3 and RR4 used.
    e: float | None

    def as_dict(self) -> dict[str, float | None]:
        return {"RR1": self.rr1, "RR2": self.rr2, "RR3": self.rr3, "RR4": self.rr4,
                "COOP1": self.coop1, "REF1": self.ref1, "e": self.e}


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator > 0 else None


def default_e(counts: Mapping[str, int]) -> float | None:
    """The eligible share among cases of known eligibility (None when none is known)."""
    eligible = sum(counts[c] for c in ("I", "P", "R", "NC", "O"))
    return _ratio(eligible, eligible + counts["NE"])


def rates(counts: Mapping[str, int], e: float | None = None) -> Rates:
    """RR1-RR4, COOP1 and REF1 from counts per AAPOR code; `e` defaults to `default_e`.

    With no case of known eligibility the default e is unknown, and RR3 and RR4 are None.
    """
    if e is not None and not 0.0 <= e <= 1.0:
        raise ValueError("e must lie between 0 and 1")
    i, p, r, nc, o = (counts[c] for c in ("I", "P", "R", "NC", "O"))
    unknown = counts["UH"] + counts["UO"]
    e = default_e(counts) if e is None else e
    known = (i + p) + (r + nc + o)
    all_unknown_in = known + unknown
    # Without unknown cases e does not matter: RR3 = RR1 and RR4 = RR2.
    estimated = known + (e or 0.0) * unknown if (e is not None or not unknown) else None
    return Rates(
        rr1=_ratio(i, all_unknown_in),
        rr2=_ratio(i + p, all_unknown_in),
        rr3=_ratio(i, estimated) if estimated is not None else None,
        rr4=_ratio(i + p, estimated) if estimated is not None else None,
        coop1=_ratio(i, (i + p) + r + o),
        ref1=_ratio(r, all_unknown_in),
        e=e,
    )
