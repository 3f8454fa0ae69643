"""Unweighted response statistics: plain functions over a pandas DataFrame.

No Flask and no database in here, so an analyst can use it from a notebook::

    frame = response_frame(rows)          # rows: mappings or tuples, see RESPONSE_COLUMNS
    overview(frame).completion_rate

A *response frame* has one row per response and the columns in
`RESPONSE_COLUMNS`; ``completed_at`` is missing (NaT) for unfinished responses.
Times are naive UTC, as stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

#: Columns of a response frame.
RESPONSE_COLUMNS = ("id", "language", "channel", "started_at", "completed_at")


@dataclass(frozen=True)
class Tally:
    """Started and completed responses of one group (a language, a channel, or all)."""

    #: The group's value, e.g. "sv" or "web"; None for all responses.
    group: str | None
    started: int
    completed: int
    #: Median minutes from start to completion over the completed responses.
    median_minutes: float | None

    @property
    def completion_rate(self) -> float | None:
        """Completed / started, None when nobody started."""
        return self.completed / self.started if self.started else None


@dataclass(frozen=True)
class Overview:
    """How many started and completed, overall and by language and channel."""

    total: Tally
    by_language: list[Tally]
    by_channel: list[Tally]


def response_frame(rows: Iterable[Mapping | Sequence]) -> pd.DataFrame:
    """A response frame from mappings or tuples in `RESPONSE_COLUMNS` order."""
    records = [
        tuple(row[c] for c in RESPONSE_COLUMNS) if isinstance(row, Mapping) else tuple(row)
        for row in rows
    ]
    frame = pd.DataFrame.from_records(records, columns=list(RESPONSE_COLUMNS))
    for column in ("started_at", "completed_at"):
        frame[column] = pd.to_datetime(frame[column])
    for column in ("language", "channel"):
        frame[column] = frame[column].astype("string")
    return frame


def minutes_to_complete(frame: pd.DataFrame) -> pd.Series:
    """Minutes from start to completion of each completed response."""
    done = frame[frame["completed_at"].notna()]
    return (done["completed_at"] - done["started_at"]).dt.total_seconds() / 60


def median_minutes(frame: pd.DataFrame) -> float | None:
    """Median minutes to complete, None when no response is complete."""
    minutes = minutes_to_complete(frame)
    return float(minutes.median()) if len(minutes) else None


def tally(frame: pd.DataFrame, group: str | None = None) -> Tally:
    """Started, completed and median time of the responses in `frame`."""
    return Tally(
        group=group,
        started=len(frame),
        completed=int(frame["completed_at"].notna().sum()),
        median_minutes=median_minutes(frame),
    )


def tallies(frame: pd.DataFrame, column: str, order: Iterable[str] = ()) -> list[Tally]:
    """One tally per value of `column`: the values in `order` first (even when absent)."""
    present = sorted(frame[column].dropna().unique())
    groups = list(dict.fromkeys([*order, *present]))
    return [tally(frame[frame[column] == group], group) for group in groups]


def overview(
    frame: pd.DataFrame, languages: Iterable[str] = (), channels: Iterable[str] = ()
) -> Overview:
    """The whole picture; `languages` and `channels` fix the order of the groups."""
    return Overview(
        total=tally(frame),
        by_language=tallies(frame, "language", languages),
        by_channel=tallies(frame, "channel", channels),
    )


def shares(counts: Mapping[object, int], base: int) -> dict[object, float | None]:
    """Each count as a share of `base` (None when the base is 0)."""
    return {key: (count / base if base else None) for key, count in counts.items()}
