"""Synthetic sample frames: a population register extract as a municipality receives it."""

from __future__ import annotations

import numpy as np

HEADER = ("person_id;name;care_of;street;postal_code;town;birth_year;gender;district;"
          "birth_country_group;language;mobile;email")
DISTRICTS = ("Centrum", "Norr", "Söder", "Väster")


def frame_rows(n: int, seed: int = 1) -> list[str]:
    """`n` people: 16-90 years old, four districts, a fifth born abroad, some with a language."""
    rng = np.random.default_rng(seed)
    years = rng.integers(1936, 2010, n)
    districts = rng.choice(DISTRICTS, n, p=[0.4, 0.2, 0.25, 0.15])
    abroad = rng.random(n) < 0.2
    lines = []
    for i in range(n):
        language = ("ar" if i % 3 else "so") if abroad[i] and i % 2 else ""
        lines.append(";".join((
            f"19{i:06d}-{i % 10000:04d}", f"Person Nummer{i}", "Anna Värd" if i % 50 == 0 else "",
            f"Storgatan {i % 200 + 1}", f"{43000 + i % 900:05d}", "Varberg", str(years[i]),
            "kvinna" if i % 2 else "man", str(districts[i]),
            "utrikes" if abroad[i] else "sverige", language,
            "070-123 45 67" if i % 7 == 0 else "", f"p{i}@example.se" if i % 5 == 0 else "")))
    return lines


def frame_file(n: int, seed: int = 1, extra: tuple[str, ...] = (),
               encoding: str = "utf-8") -> bytes:
    """The frame as a `;`-separated file; `extra` lines are added at the end."""
    return "\n".join((HEADER, *frame_rows(n, seed), *extra)).encode(encoding) + b"\n"


def make_sample(app, survey_id: int, people: int = 60, n: int = 20, seed: int = 7,
                columns: tuple[str, ...] = ("district",), draw: bool = True) -> list[str]:
    """Import a synthetic frame into the survey and (by default) draw; returns the codes."""
    from sqlalchemy import select

    from surveys.extensions import db
    from surveys.fieldwork import frame_file as reading
    from surveys.fieldwork import services
    from surveys.fieldwork.models import SampleMember
    from surveys.survey.models import Survey

    with app.test_request_context():
        survey = db.session.get(Survey, survey_id)
        frame = services.import_frame(survey, reading.check(frame_file(people), 2026),
                                      "frame.csv", None)
        if draw:
            services.draw_sample(frame, services.Design(columns=list(columns), n=n, seed=seed))
        db.session.commit()
        return sorted(db.session.scalars(select(SampleMember.access_code).where(
            SampleMember.frame_id == frame.id)))
