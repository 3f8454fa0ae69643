"""Age bands of the dialogue check-in, and how they line up with the population's bands.

Flask-free. The check-in asks 10–12, 13–15 and 16–19, then from 20 up the bands of the
organisation's population figures (so the room compares band by band with them), or ten-year
bands to 80+ when there are none or they are too fine to offer as answers. Bands are stored
as labels, "16-19" or "80+", like the weighting's age groups.

The population's bands need not match: :func:`align` puts consecutive check-in bands
together until they cover the same ages as consecutive population bands (16–19 and 20–29
beside a population band 16–29), and leaves a check-in band without a population figure
where none can (under-16s when the population starts at 16; 16–19 when it starts at 18).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_BAND = re.compile(r"^\s*(\d{1,3})\s*(?:[-–]\s*(\d{1,3})|(\+))\s*$")
#: The youngest bands, asked whatever the population figures say.
YOUNG_BANDS: tuple[tuple[int, int | None], ...] = ((10, 12), (13, 15), (16, 19))
ADULT_FROM = 20
DECADES: tuple[tuple[int, int | None], ...] = (
    (20, 29), (30, 39), (40, 49), (50, 59), (60, 69), (70, 79), (80, None))
#: More adult bands than this from the population figures: ten-year bands are offered instead.
MAX_ADULT_BANDS = 8
#: At an event for children and young people, what a participant younger than this writes
#: waits for a moderator.
MODERATED_UNDER = 13


def parse(label: str | None) -> tuple[int, int | None] | None:
    """"16-29" -> (16, 29), "85+" -> (85, None); None for anything else."""
    match = _BAND.match(label or "")
    if not match:
        return None
    first = int(match.group(1))
    last = None if match.group(3) else int(match.group(2))
    return None if last is not None and last < first else (first, last)


def label(band: tuple[int, int | None]) -> str:
    """(16, 29) -> "16-29", (85, None) -> "85+"."""
    first, last = band
    return f"{first}+" if last is None else f"{first}-{last}"


def _end(band: tuple[int, int | None]) -> float:
    """The first age after the band (infinity for an open one)."""
    return math.inf if band[1] is None else band[1] + 1


def checkin_bands(population: list[str]) -> list[str]:
    """The check-in's age bands, youngest first, given the population's age categories."""
    bands = [b for b in map(parse, population) if b]
    cuts = sorted({b[0] for b in bands} | {b[1] + 1 for b in bands if b[1] is not None})
    above = [c for c in cuts if c > ADULT_FROM]
    reaches_adults = any(b[1] is None or b[1] >= ADULT_FROM for b in bands)
    if reaches_adults and above and len(above) + 1 <= MAX_ADULT_BANDS:
        starts = [ADULT_FROM, *above]
        adult = [(a, b - 1) for a, b in zip(starts, starts[1:], strict=False)]
        adult.append((starts[-1], None))
    else:
        adult = list(DECADES)
    return [label(b) for b in (*YOUNG_BANDS, *adult)]


@dataclass(frozen=True)
class AgeGroup:
    """One row of the room's age comparison."""

    #: "16-29": the ages the row covers.
    label: str
    #: The check-in bands counted in it (empty: a population band no check-in band matches).
    bands: tuple[str, ...]
    #: The population categories summed for it (empty: no population figure).
    population: tuple[str, ...]

    @property
    def first(self) -> int:
        return parse(self.label)[0]


def align(checkin: list[str], population: list[str]) -> list[AgeGroup]:
    """Rows comparing the check-in's bands with the population's, youngest first.

    A row sums consecutive check-in bands and consecutive population bands that cover the
    same ages, as few as that takes; a check-in band no such run covers is a row without a
    population figure, and a population band left over a row without check-in bands.
    Labels that are no band are left out.
    """
    room = sorted((b, text) for text in checkin if (b := parse(text)))
    people = sorted((b, text) for text in population if (b := parse(text)))
    rows, used = [], set()
    i = 0
    while i < len(room):
        first = room[i][0][0]
        match = None
        start = next((k for k, (b, _) in enumerate(people) if b[0] == first), None)
        if start is not None:
            ends, reach = {}, first  # where a run of contiguous population bands can end
            for k in range(start, len(people)):
                if people[k][0][0] != reach:
                    break
                reach = _end(people[k][0])
                ends[reach] = k
            reach = first
            for j in range(i, len(room)):
                if room[j][0][0] != reach:
                    break
                reach = _end(room[j][0])
                if reach in ends:
                    match = (j, ends[reach])
                    break
        if match is None:
            rows.append(AgeGroup(room[i][1], (room[i][1],), ()))
            i += 1
            continue
        j, k = match
        summed = tuple(text for _, text in people[start:k + 1])
        used.update(summed)
        rows.append(AgeGroup(label((first, room[j][0][1])),
                             tuple(text for _, text in room[i:j + 1]), summed))
        i = j + 1
    rows += [AgeGroup(text, (), (text,)) for b, text in people if text not in used]
    return sorted(rows, key=lambda row: (row.first, not row.bands))


def moderated(age_group: str | None) -> bool:
    """True when, at an event for young people, this participant's free text waits for a
    moderator: checked in younger than MODERATED_UNDER, or no age stated (or one that is
    no band, which says nothing)."""
    band = parse(age_group)
    return band is None or band[0] < MODERATED_UNDER
