"""Import a Pol.is open-data export: the vote matrix, the statements and Pol.is' own groups.

Municipalities that ran a conversation on Pol.is (pol.is or a self-hosted server) can bring
it into Delaktig through the conversation's CSV export, the format of the Computational
Democracy Project's open-data repository (https://github.com/compdemocracy/openData):

``comments.csv``
    one row a statement: ``timestamp`` (ms since epoch), ``datetime``, ``comment-id``,
    ``author-id``, ``agrees``, ``disagrees``, ``moderated`` (1 accepted, 0 not yet
    moderated, -1 moderated out) and ``comment-body``.
``votes.csv``
    the vote log: ``timestamp``, ``datetime``, ``comment-id``, ``voter-id``, ``vote``
    (1 agree, -1 disagree, 0 pass). A voter who changed their mind appears more than once
    for the same comment; the latest vote counts.
``participants-votes.csv``
    one row a participant: ``participant``, optionally ``xid``, ``group-id`` (the opinion
    group Pol.is assigned; empty = not clustered), ``n-comments``, ``n-votes``, ``n-agree``,
    ``n-disagree``, then one column per comment id with the participant's latest vote.
``summary.csv`` (optional)
    ``key,value`` rows without a header: topic, url, voters, comments, groups, ...

:func:`read_polis_export` builds the vote matrix from the log (latest vote per participant
and comment, ties in time broken by file order) and checks that it agrees cell by cell with
``participants-votes.csv``. Anything it cannot trust (a missing file or column, a vote that
is not -1/0/1, an id that is not an integer, a vote on an unknown comment, a cell that
contradicts the log) is collected with its file and line number and raised together as one
:class:`PolisImportError`, so a user can fix a file in one pass.

Note: ``agrees``/``disagrees`` in ``comments.csv`` count every row of the log, superseded
votes included (compdemocracy/openData issue #6); they are kept as given and not used.

Use the result with :func:`dialog.opinion.analyse`::

    conversation = read_polis_export("exports/my-conversation")
    result = analyse(conversation.votes, moderated_out=conversation.moderated_out)
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "ImportProblem",
    "PolisConversation",
    "PolisImportError",
    "PolisStatement",
    "read_polis_export",
]

COMMENTS_COLUMNS = ("timestamp", "comment-id", "author-id", "moderated", "comment-body")
VOTES_COLUMNS = ("timestamp", "comment-id", "voter-id", "vote")
PARTICIPANT_COLUMNS = ("participant", "group-id")
#: Per-participant summary columns of participants-votes.csv that are not comment ids.
PARTICIPANT_META = ("participant", "xid", "group-id", "n-comments", "n-votes", "n-agree",
                    "n-disagree")
#: Problems listed in the exception message; all of them stay in ``problems``.
MESSAGE_LIMIT = 20


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong in an export file; ``line`` is the physical line where the row starts."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    problem: str

    def __str__(self) -> str:
        where = self.file + (f" line {self.line}" if self.line is not None else "")
        what = f" column {self.column!r}" if self.column else ""
        value = f" value {self.value!r}" if self.value is not None else ""
        return f"{where}:{what}{value}: {self.problem}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {"file": self.file, "line": self.line, "column": self.column,
                "value": self.value, "problem": self.problem}


class PolisImportError(ValueError):
    """The export cannot be imported; ``problems`` lists every problem found, by file and line."""

    code = "polis_import"

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = list(problems)
        shown = "\n".join(f"  {p}" for p in self.problems[:MESSAGE_LIMIT])
        more = len(self.problems) - MESSAGE_LIMIT
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(f"Pol.is export has {len(self.problems)} problem(s):\n{shown}{tail}")

    def to_dict(self) -> dict[str, Any]:
        """Code, message and problems as a JSON-friendly dict."""
        return {"code": self.code, "message": str(self),
                "problems": [p.to_dict() for p in self.problems]}


@dataclass(frozen=True)
class PolisStatement:
    """A Pol.is comment (a statement participants vote on)."""

    #: Pol.is comment id (``tid``); the column name in the vote matrix.
    id: int
    #: The statement as written by its author.
    text: str
    #: Pol.is participant id of the author.
    author_id: int | None
    #: 1 accepted, 0 not yet moderated, -1 moderated out.
    moderated: int
    #: Creation time, milliseconds since the epoch.
    timestamp: int | None
    #: Counts as exported (all vote rows, superseded ones included; see module docstring).
    agrees: int | None
    disagrees: int | None

    @property
    def moderated_out(self) -> bool:
        """True when a moderator removed the statement; it is then left out of the analysis."""
        return self.moderated == -1

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {"id": self.id, "text": self.text, "author_id": self.author_id,
                "moderated": self.moderated, "timestamp": self.timestamp,
                "agrees": self.agrees, "disagrees": self.disagrees}


@dataclass
class PolisConversation:
    """An imported Pol.is conversation."""

    #: Folder name of the export.
    name: str
    #: summary.csv as key -> value (empty when the file is absent).
    summary: dict[str, str]
    #: Statements by comment id, in comment-id order.
    statements: dict[int, PolisStatement]
    #: Vote matrix: one row a participant (participants-votes.csv order), one column a comment
    #: id (ascending, every comment of comments.csv); 1 / -1 / 0, NaN = not voted.
    votes: pd.DataFrame
    #: Pol.is' opinion group per participant (nullable Int64; <NA> = not clustered).
    polis_groups: pd.Series
    #: participants-votes.csv summary columns (n-comments, n-votes, ...) per participant.
    participants: pd.DataFrame
    #: votes.csv as read: timestamp, comment, voter, vote, line (superseded votes included).
    vote_log: pd.DataFrame = field(repr=False)

    @property
    def moderated_out(self) -> list[int]:
        """Comment ids a moderator removed (moderated = -1)."""
        return [s.id for s in self.statements.values() if s.moderated_out]

    def analysis_votes(self) -> pd.DataFrame:
        """The vote matrix without moderated-out statements."""
        return self.votes.drop(columns=self.moderated_out)


# --- reading helpers -------------------------------------------------------------------


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield (physical start line, fields) per CSV record; quoted fields may span lines."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        end = 0
        for record in reader:
            start, end = end + 1, reader.line_num
            if record and any(f.strip() for f in record):
                yield start, record


def _int(text: str) -> int | None:
    """Parse an integer written as ``12`` or ``12.0``; None when it is not one."""
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if math.isfinite(number) and number.is_integer() else None


def _vote(text: str) -> int | None:
    """A vote is -1, 0 or 1 (also accepted as -1.0 etc.); None when it is anything else."""
    number = _int(text)
    return number if number in (-1, 0, 1) else None


class _Table:
    """A CSV file read into header + records, collecting problems as it goes."""

    def __init__(self, path: Path, required: tuple[str, ...], problems: list[ImportProblem],
                 header: bool = True) -> None:
        self.name = path.name
        self.problems = problems
        self.header: list[str] = []
        self.records: list[tuple[int, list[str]]] = []
        self.ok = False
        if not path.is_file():
            problems.append(ImportProblem(self.name, None, None, None, "file is missing"))
            return
        try:
            rows = list(_rows(path))
        except (UnicodeDecodeError, csv.Error) as exc:
            problems.append(ImportProblem(self.name, None, None, None, f"not a UTF-8 CSV: {exc}"))
            return
        if not header:
            self.records, self.ok = rows, True
            return
        if not rows:
            problems.append(ImportProblem(self.name, 1, None, None, "file is empty"))
            return
        line, self.header = rows[0]
        self.header = [h.strip() for h in self.header]
        self.records = rows[1:]
        missing = [c for c in required if c not in self.header]
        for column in missing:
            problems.append(ImportProblem(self.name, line, column, None, "missing column"))
        duplicated = sorted({h for h in self.header if self.header.count(h) > 1})
        for column in duplicated:
            problems.append(ImportProblem(self.name, line, column, None, "duplicate column"))
        self.ok = not missing and not duplicated
        self.index = {h: i for i, h in enumerate(self.header)}

    def cell(self, record: list[str], column: str) -> str:
        i = self.index[column]
        return record[i] if i < len(record) else ""

    def check_width(self, line: int, record: list[str]) -> bool:
        if len(record) != len(self.header):
            self.problems.append(ImportProblem(
                self.name, line, None, None,
                f"{len(record)} fields where the header has {len(self.header)}"))
            return False
        return True

    def integer(self, line: int, record: list[str], column: str, *,
                empty_ok: bool = False) -> tuple[bool, int | None]:
        """(ok, value) for an integer cell; records a problem when it is not one."""
        raw = self.cell(record, column)
        if raw.strip() == "" and empty_ok:
            return True, None
        value = _int(raw)
        if value is None:
            self.problems.append(ImportProblem(self.name, line, column, raw, "not an integer"))
            return False, None
        return True, value


# --- the three files -------------------------------------------------------------------


def _read_comments(table: _Table) -> tuple[dict[int, PolisStatement], set[int]]:
    """Statements by id, and every id seen (also on rows refused for another field, so
    that votes on them are not reported a second time as votes on unknown comments)."""
    statements: dict[int, PolisStatement] = {}
    first_line: dict[int, int] = {}
    seen: set[int] = set()
    for line, rec in table.records:
        if not table.check_width(line, rec):
            continue
        ok_id, cid = table.integer(line, rec, "comment-id")
        ok_mod, moderated = table.integer(line, rec, "moderated")
        _, author = table.integer(line, rec, "author-id", empty_ok=True)
        _, stamp = table.integer(line, rec, "timestamp", empty_ok=True)
        counts = {}
        for column in ("agrees", "disagrees"):
            counts[column] = (table.integer(line, rec, column, empty_ok=True)[1]
                              if column in table.index else None)
        if ok_id and cid is not None:
            seen.add(cid)
        if ok_mod and moderated not in (-1, 0, 1):
            table.problems.append(ImportProblem(table.name, line, "moderated", str(moderated),
                                                "must be 1, 0 or -1"))
            ok_mod = False
        if not (ok_id and ok_mod) or cid is None or moderated is None:
            continue
        if cid in statements:
            table.problems.append(ImportProblem(table.name, line, "comment-id", str(cid),
                                                f"duplicate of line {first_line[cid]}"))
            continue
        first_line[cid] = line
        statements[cid] = PolisStatement(
            id=cid, text=table.cell(rec, "comment-body"), author_id=author, moderated=moderated,
            timestamp=stamp, agrees=counts["agrees"], disagrees=counts["disagrees"])
    return dict(sorted(statements.items())), seen


def _read_votes(table: _Table, known: set[int]) -> pd.DataFrame:
    rows: list[tuple[int, int, int, int, int]] = []
    for line, rec in table.records:
        if not table.check_width(line, rec):
            continue
        ok_t, stamp = table.integer(line, rec, "timestamp")
        ok_c, cid = table.integer(line, rec, "comment-id")
        ok_v, voter = table.integer(line, rec, "voter-id")
        raw = table.cell(rec, "vote")
        vote = _vote(raw)
        if vote is None:
            table.problems.append(ImportProblem(table.name, line, "vote", raw,
                                                "must be 1 (agree), -1 (disagree) or 0 (pass)"))
        if ok_c and cid not in known:
            table.problems.append(ImportProblem(table.name, line, "comment-id", str(cid),
                                                "unknown comment (not in comments.csv)"))
            ok_c = False
        if ok_t and ok_c and ok_v and vote is not None:
            rows.append((stamp, cid, voter, vote, line))  # type: ignore[arg-type]
    return pd.DataFrame(rows, columns=["timestamp", "comment", "voter", "vote", "line"])


def _read_participants(table: _Table, known: set[int]
                       ) -> tuple[pd.DataFrame, dict[int, tuple[int, dict[int, float]]], set[int]]:
    """Summary columns, {participant: (line, {comment: vote})} and the comment ids exported."""
    comment_columns: list[tuple[str, int]] = []
    for name in table.header:
        if name in PARTICIPANT_META:
            continue
        cid = _int(name)
        if cid is None or cid not in known:
            table.problems.append(ImportProblem(
                table.name, 1, name, None,
                "unknown comment id in header (not in comments.csv)" if cid is not None
                else "column is neither a summary column nor a comment id"))
        else:
            comment_columns.append((name, cid))
    meta = [c for c in PARTICIPANT_META if c in table.index and c not in ("participant", "xid")]
    summary: list[dict[str, Any]] = []
    cells: dict[int, tuple[int, dict[int, float]]] = {}
    for line, rec in table.records:
        if not table.check_width(line, rec):
            continue
        ok, pid = table.integer(line, rec, "participant")
        if not ok or pid is None:
            continue
        if pid in cells:
            table.problems.append(ImportProblem(table.name, line, "participant", str(pid),
                                                f"duplicate of line {cells[pid][0]}"))
            continue
        row: dict[str, Any] = {"participant": pid}
        for column in meta:
            row[column] = table.integer(line, rec, column, empty_ok=True)[1]
        summary.append(row)
        votes: dict[int, float] = {}
        for name, cid in comment_columns:
            raw = table.cell(rec, name)
            if raw.strip() == "":
                continue
            vote = _vote(raw)
            if vote is None:
                table.problems.append(ImportProblem(
                    table.name, line, name, raw, "must be 1, -1, 0 or empty"))
            else:
                votes[cid] = float(vote)
        cells[pid] = (line, votes)
    frame = pd.DataFrame(summary, columns=["participant", *meta]).set_index("participant")
    return frame.astype("Int64"), cells, {cid for _, cid in comment_columns}


def _read_summary(table: _Table) -> dict[str, str]:
    summary: dict[str, str] = {}
    for line, rec in table.records:
        if len(rec) != 2 or not rec[0].strip():
            table.problems.append(ImportProblem(table.name, line, None, None,
                                                "expected two fields: key,value"))
            continue
        summary[rec[0].strip()] = rec[1]
    return summary


def _latest_votes(log: pd.DataFrame) -> pd.DataFrame:
    """Latest vote per (voter, comment): greatest timestamp, then the later line in the file."""
    ordered = log.sort_values(["timestamp", "line"], kind="stable")
    return ordered.drop_duplicates(["voter", "comment"], keep="last")


FILE_ORDER = ("comments.csv", "votes.csv", "participants-votes.csv", "summary.csv")


def _in_file_order(problems: list[ImportProblem]) -> list[ImportProblem]:
    """Problems by file (comments, votes, participants, summary), then by line."""
    def key(p: ImportProblem) -> tuple[int, int]:
        rank = FILE_ORDER.index(p.file) if p.file in FILE_ORDER else len(FILE_ORDER)
        return rank, p.line or 0
    return sorted(problems, key=key)


def read_polis_export(directory: str | Path, *, check_cells: bool = True) -> PolisConversation:
    """Read a Pol.is open-data export folder into a :class:`PolisConversation`.

    The vote matrix comes from ``votes.csv`` (the latest vote per participant and comment);
    every voter must have a row in ``participants-votes.csv``, and with ``check_cells``
    (default) every cell there must equal the matrix, both ways. Rows are the participants of
    ``participants-votes.csv`` in file order; columns are all comment ids of ``comments.csv``
    in ascending order (moderated-out ones included; see
    :meth:`PolisConversation.analysis_votes` and :attr:`PolisConversation.moderated_out`).

    Raises :class:`PolisImportError` listing every problem with its file and line.
    """
    folder = Path(directory)
    problems: list[ImportProblem] = []
    if not folder.is_dir():
        raise PolisImportError([ImportProblem(str(folder), None, None, None,
                                              "folder does not exist")])
    comments = _Table(folder / "comments.csv", COMMENTS_COLUMNS, problems)
    votes = _Table(folder / "votes.csv", VOTES_COLUMNS, problems)
    participants = _Table(folder / "participants-votes.csv", PARTICIPANT_COLUMNS, problems)
    summary: dict[str, str] = {}
    if (folder / "summary.csv").exists():
        summary = _read_summary(_Table(folder / "summary.csv", (), problems, header=False))

    statements, known = _read_comments(comments) if comments.ok else ({}, set())
    # Without a usable comments.csv every comment id would be reported as unknown.
    log = _read_votes(votes, known) if votes.ok and comments.ok else None
    meta, cells, exported = (_read_participants(participants, known)
                             if participants.ok and comments.ok else (None, {}, set()))
    if log is None or meta is None:
        raise PolisImportError(_in_file_order(problems))

    latest = _latest_votes(log)
    order = list(cells)
    unknown_voters = latest.loc[~latest["voter"].isin(cells)]
    for voter, group in unknown_voters.groupby("voter", sort=True):
        problems.append(ImportProblem(
            votes.name, int(group["line"].min()), "voter-id", str(voter),
            "voter has no row in participants-votes.csv"))
    matrix = (latest.pivot(index="voter", columns="comment", values="vote")
              .reindex(index=order, columns=list(statements)).astype(float))
    matrix.index.name, matrix.columns.name = "participant", "statement"

    # After a bad row the log lacks a vote; comparing cells then would only repeat it.
    if check_cells and not problems:
        for pid, (line, row) in cells.items():
            expected = matrix.loc[pid]
            for cid, vote in row.items():
                if expected[cid] != vote:
                    problems.append(ImportProblem(
                        participants.name, line, str(cid), str(int(vote)),
                        "differs from the latest vote in votes.csv "
                        + ("(none)" if math.isnan(expected[cid]) else f"({int(expected[cid])})")))
            # A vote in the log on a comment that participants-votes.csv shows as empty.
            for cid in expected.index[expected.notna()]:
                if cid in exported and cid not in row:
                    problems.append(ImportProblem(
                        participants.name, line, str(cid), "",
                        f"empty, but votes.csv has {int(expected[cid])}"))
    if problems:
        raise PolisImportError(_in_file_order(problems))

    groups = meta["group-id"].rename("polis_group") if "group-id" in meta else pd.Series(
        pd.NA, index=meta.index, dtype="Int64", name="polis_group")
    return PolisConversation(
        name=folder.name, summary=summary, statements=statements, votes=matrix,
        polis_groups=groups, participants=meta.drop(columns=["group-id"], errors="ignore"),
        vote_log=log.reset_index(drop=True))
