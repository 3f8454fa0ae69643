"""Unusual bursts of votes: the mark ballot stuffing leaves without any address being kept.

One device is one cookie, so a person can vote again from a fresh cookie jar; the vote cap
per statement and address (`DIALOG_STATEMENT_VOTES_PER_ADDRESS`) bounds how fast. What is
left shows in the votes themselves: many devices that joined moments before, each voting on
this one statement (and almost nothing else), all the same way, within seconds. People in
a room who join together go on to vote on further statements and do not all agree, so
such a run stands out. The moderation page lists the runs for a person to judge; muting
the devices sets their votes aside. Plain Python: no Flask, no database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

#: Votes within this many seconds of the first of a run belong to the same burst.
WINDOW = timedelta(seconds=10)
#: Fewer votes than this in a window are ordinary.
MIN_VOTES = 10
#: A device counts as fresh when it joined this short a time before its vote ...
FRESH = timedelta(minutes=2)
#: ... and has cast no more than this many votes in all.
MAX_VOTES_PER_DEVICE = 2


@dataclass(frozen=True)
class VoteRecord:
    """One device's vote as the detector sees it."""

    participant: int
    statement: int
    value: int
    at: datetime
    joined_at: datetime
    device_votes: int  #: how many statements this device voted on in all


@dataclass(frozen=True)
class Burst:
    """Fresh devices voting the same way on one statement within `WINDOW`."""

    statement: int
    value: int
    participants: tuple[int, ...]
    first: datetime
    last: datetime

    @property
    def seconds(self) -> int:
        """The burst's duration, rounded up to whole seconds (at least 1)."""
        return max(1, -int(-(self.last - self.first).total_seconds() // 1))


def is_fresh(vote: VoteRecord) -> bool:
    """A device that joined just before this vote and has voted on almost nothing."""
    return (vote.device_votes <= MAX_VOTES_PER_DEVICE
            and timedelta(0) <= vote.at - vote.joined_at <= FRESH)


def find_bursts(votes: list[VoteRecord], *, window: timedelta = WINDOW,
                min_votes: int = MIN_VOTES) -> list[Burst]:
    """Every run of at least `min_votes` fresh devices' equal votes on one statement whose
    first and last vote lie within `window`; overlapping runs are one burst. Largest first."""
    runs: dict[tuple[int, int], list[VoteRecord]] = defaultdict(list)
    for vote in votes:
        if is_fresh(vote):
            runs[vote.statement, vote.value].append(vote)
    bursts = []
    for (statement, value), run in runs.items():
        run.sort(key=lambda v: (v.at, v.participant))
        in_burst = [False] * len(run)
        end = 0
        for start in range(len(run)):
            end = max(end, start)
            while end + 1 < len(run) and run[end + 1].at - run[start].at <= window:
                end += 1
            if end - start + 1 >= min_votes:
                in_burst[start:end + 1] = [True] * (end - start + 1)
        members: list[VoteRecord] = []
        for index, vote in enumerate(run):
            # a gap longer than the window between marked votes starts a new burst
            if in_burst[index] and members and vote.at - members[-1].at > window:
                bursts.append(_burst(statement, value, members))
                members = []
            if in_burst[index]:
                members.append(vote)
        if members:
            bursts.append(_burst(statement, value, members))
    return sorted(bursts, key=lambda b: (-len(b.participants), b.first, b.statement))


def _burst(statement: int, value: int, members: list[VoteRecord]) -> Burst:
    return Burst(statement, value, tuple(sorted(v.participant for v in members)),
                 members[0].at, members[-1].at)
