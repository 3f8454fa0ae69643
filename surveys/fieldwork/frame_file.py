"""Reading and checking a sample frame file (CSV from a population register extract).

Flask-free. The file may be UTF-8 (with or without a byte-order mark) or Windows-1252,
with `,` or `;` between fields; headers may be English or Swedish. Every row is checked,
and every problem is reported with its line number and a code that `forms.py` puts into
words; nothing is kept of a row that has a problem.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

#: Column name -> the header spellings accepted for it (compared lower-case, trimmed).
COLUMNS: dict[str, tuple[str, ...]] = {
    "person_id": ("person_id", "personnummer", "id", "personid"),
    "name": ("name", "namn"),
    "care_of": ("care_of", "c/o", "co", "careof"),
    "street": ("street", "address", "adress", "utdelningsadress", "gatuadress"),
    "postal_code": ("postal_code", "postcode", "postnummer"),
    "town": ("town", "city", "postort", "ort"),
    "birth_year": ("birth_year", "födelseår", "fodelsear"),
    "gender": ("gender", "sex", "kön", "kon"),
    "district": ("district", "distrikt", "område", "omrade", "stadsdel"),
    "birth_country_group": ("birth_country_group", "country_of_birth", "födelselandsgrupp",
                            "fodelselandsgrupp", "födelseland", "fodelseland"),
    "language": ("language", "preferred_language", "språk", "sprak"),
    "mobile": ("mobile", "mobil", "mobilnummer"),
    "email": ("email", "e-mail", "epost", "e-post"),
}
REQUIRED = ("person_id", "name", "street", "postal_code", "town", "birth_year", "gender",
            "district", "birth_country_group")
OPTIONAL = ("care_of", "language", "mobile", "email")
#: Birth years accepted: the register holds nobody born earlier.
FIRST_BIRTH_YEAR = 1900
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MOBILE = re.compile(r"^\+?[0-9 ()-]{6,20}$")


@dataclass(frozen=True)
class Problem:
    """A line's problem: `code` names it (see forms.FRAME_PROBLEMS), `value` shows it."""

    line: int
    code: str
    value: str = ""


@dataclass
class FrameCheck:
    """What reading a file found: clean rows (with their lines) and every problem."""

    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: Problems of the file as a whole (encoding, missing columns); nothing can be kept.
    file_problems: list[Problem] = field(default_factory=list)
    lines: int = 0

    @property
    def bad_lines(self) -> list[int]:
        return sorted({p.line for p in self.problems})


def decode(data: bytes) -> str:
    """The file's text: UTF-8 when it is valid UTF-8, otherwise Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(header: str) -> str:
    return ";" if header.count(";") > header.count(",") else ","


def _columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Column name -> position in the file, and the required columns missing."""
    spelled = {spelling: name for name, spellings in COLUMNS.items() for spelling in spellings}
    found: dict[str, int] = {}
    for position, title in enumerate(header):
        name = spelled.get(title.strip().lower())
        if name and name not in found:
            found[name] = position
    return found, [name for name in REQUIRED if name not in found]


def check(data: bytes, reference_year: int, districts: Iterable[str] = ()) -> FrameCheck:
    """Read and check a frame file; `districts`, when given, are the only ones allowed."""
    result = FrameCheck()
    text = decode(data)
    if not text.strip():
        result.file_problems.append(Problem(1, "empty"))
        return result
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        header = next(reader)
    except csv.Error:
        result.file_problems.append(Problem(1, "not_csv"))
        return result
    columns, missing = _columns(header)
    if missing:
        result.file_problems += [Problem(1, "missing_column", name) for name in missing]
        return result
    known = {d.strip().casefold(): d.strip() for d in districts if d.strip()}
    seen: dict[str, int] = {}
    try:
        _read_rows(reader, columns, reference_year, known, seen, result)
    except csv.Error:
        # e.g. a field beyond the csv module's limit: the rest of the file cannot be read
        result.file_problems.append(Problem(reader.line_num, "not_csv"))
    if not result.lines and not result.file_problems:
        result.file_problems.append(Problem(1, "no_rows"))
    return result


def _read_rows(reader, columns: dict[str, int], reference_year: int, known: dict[str, str],
               seen: dict[str, int], result: FrameCheck) -> None:
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        result.lines += 1
        row = {name: (cells[i].strip() if i < len(cells) else "") for name, i in columns.items()}
        problems = _row_problems(row, line, reference_year, known, seen)
        if problems:
            result.problems += problems
            continue
        row["line"] = line
        row["postal_code"] = row["postal_code"].replace(" ", "")
        row["birth_year"] = int(row["birth_year"])
        if known:
            row["district"] = known[row["district"].casefold()]
        for name in OPTIONAL:
            row[name] = row.get(name) or ("" if name == "care_of" else None)
        result.rows.append(row)


def _row_problems(row: dict, line: int, reference_year: int, known: dict[str, str],
                  seen: dict[str, int]) -> list[Problem]:
    problems = []
    person = "".join(ch for ch in row["person_id"] if ch.isalnum())
    if not person:
        problems.append(Problem(line, "missing_id"))
    elif person in seen:
        problems.append(Problem(line, "duplicate_id", str(seen[person])))
    else:
        seen[person] = line
    if not row["name"]:
        problems.append(Problem(line, "missing_name"))
    if not row["street"] or not row["town"]:
        problems.append(Problem(line, "missing_address"))
    postal = row["postal_code"].replace(" ", "")
    if not (len(postal) == 5 and postal.isascii() and postal.isdigit()):
        problems.append(Problem(line, "bad_postal_code", row["postal_code"]))
    year = row["birth_year"]
    if not (year.isascii() and year.isdigit() and FIRST_BIRTH_YEAR <= int(year) <= reference_year):
        problems.append(Problem(line, "bad_birth_year", year))
    if not row["gender"]:
        problems.append(Problem(line, "missing_gender"))
    if not row["district"]:
        problems.append(Problem(line, "missing_district"))
    elif known and row["district"].casefold() not in known:
        problems.append(Problem(line, "unknown_district", row["district"]))
    if not row["birth_country_group"]:
        problems.append(Problem(line, "missing_birth_country_group"))
    if row.get("language") and not _LANGUAGE.match(row["language"]):
        problems.append(Problem(line, "bad_language", row["language"]))
    if row.get("email") and not _EMAIL.match(row["email"]):
        problems.append(Problem(line, "bad_email", row["email"]))
    if row.get("mobile") and not _MOBILE.match(row["mobile"]):
        problems.append(Problem(line, "bad_mobile", row["mobile"]))
    for name, limit in (("name", 200), ("care_of", 200), ("street", 200), ("town", 100),
                        ("gender", 20), ("district", 100), ("birth_country_group", 40)):
        if len(row.get(name) or "") > limit:
            problems.append(Problem(line, "too_long", name))
    return problems
