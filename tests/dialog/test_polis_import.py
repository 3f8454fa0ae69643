"""A municipality that used Pol.is brings its conversation into Delaktig through the importer."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dialog.polis_import import ImportProblem, PolisImportError, read_polis_export
from tests.dialog.polis_reference import CONVERSATIONS, DATA, conversation

# From tests/data/polis/README.md: participants rows, comments, votes rows, groups.
COUNTS = {
    "15-per-hour-seattle": (339, 54, 2995, 2),
    "brexit-consensus": (204, 50, 5312, 2),
    "london.youth.policing": (26, 39, 640, 3),
}
# Comments whose exported agrees/disagrees differ from the latest-vote counts (README).
STALE_COUNTS = {"15-per-hour-seattle": 21, "brexit-consensus": 8, "london.youth.policing": 2}
MODERATED_OUT = {"15-per-hour-seattle": 23, "brexit-consensus": 0, "london.youth.policing": 3}


# --- the three real conversations --------------------------------------------------------


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_each_open_data_conversation_imports_with_the_documented_counts(name: str) -> None:
    conv = conversation(name)
    participants, comments, vote_rows, groups = COUNTS[name]
    assert conv.votes.shape == (participants, comments)
    assert len(conv.statements) == comments
    assert len(conv.vote_log) == vote_rows
    assert conv.polis_groups.nunique() == groups == int(conv.summary["groups"])
    assert conv.summary["voters"] == str(participants)
    assert len(conv.moderated_out) == MODERATED_OUT[name]
    analysed = conv.analysis_votes()
    assert analysed.shape[1] == comments - MODERATED_OUT[name]
    assert not set(conv.moderated_out) & set(analysed.columns)


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_the_matrix_holds_the_latest_vote_and_equals_participants_votes(name: str) -> None:
    conv = conversation(name)
    table = pd.read_csv(DATA / name / "participants-votes.csv").set_index("participant")
    exported = table[[c for c in table.columns if c.isdigit()]]
    exported.columns = exported.columns.astype(int)
    ours = conv.votes.loc[exported.index, exported.columns]
    assert ours.equals(exported.astype(float))
    # Changed votes exist and the later one won.
    log = conv.vote_log.sort_values(["timestamp", "line"])
    changed = log[log.duplicated(["voter", "comment"], keep=False)]
    assert len(changed) > 0
    last = changed.drop_duplicates(["voter", "comment"], keep="last")
    for row in last.itertuples():
        assert conv.votes.at[row.voter, row.comment] == row.vote


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_exported_counters_are_what_the_readme_says(name: str) -> None:
    conv = conversation(name)
    # agrees/disagrees in comments.csv count every vote row, superseded ones included ...
    log = conv.vote_log
    for s in conv.statements.values():
        assert s.agrees == int(((log["comment"] == s.id) & (log["vote"] == 1)).sum())
        assert s.disagrees == int(((log["comment"] == s.id) & (log["vote"] == -1)).sum())
    # ... so they differ from the latest votes on some comments (openData issue #6).
    latest_agree = conv.votes.eq(1).sum(axis=0)
    latest_disagree = conv.votes.eq(-1).sum(axis=0)
    stale = [s.id for s in conv.statements.values()
             if (s.agrees, s.disagrees) != (latest_agree[s.id], latest_disagree[s.id])]
    assert len(stale) == STALE_COUNTS[name]
    # Per-participant counters equal the row's cells.
    p = conv.participants
    assert (p["n-votes"] == conv.votes.notna().sum(axis=1)).all()
    assert (p["n-agree"] == conv.votes.eq(1).sum(axis=1)).all()
    assert (p["n-disagree"] == conv.votes.eq(-1).sum(axis=1)).all()


def test_pol_is_grouped_exactly_those_with_seven_votes_in_seattle_and_london() -> None:
    for name in ("15-per-hour-seattle", "london.youth.policing"):
        conv = conversation(name)
        n_votes = conv.votes.notna().sum(axis=1)
        grouped = conv.polis_groups.notna()
        assert (n_votes[grouped] >= 7).all() and (n_votes[~grouped] < 7).all()
    # brexit was exported from a later vote state than its clustering.
    conv = conversation("brexit-consensus")
    n_votes = conv.votes.notna().sum(axis=1)
    assert ((n_votes < 7) & conv.polis_groups.notna()).sum() == 8


def test_statements_keep_their_text_and_moderation_state() -> None:
    conv = conversation("london.youth.policing")
    assert conv.moderated_out == [0, 2, 3]
    s = conv.statements[35]
    assert s.text.startswith("Eliminate bias") and s.moderated == 1 and not s.moderated_out
    assert s.to_dict()["author_id"] == 23


# --- bad files ---------------------------------------------------------------------------

HEADER_C = "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
HEADER_V = "timestamp,datetime,comment-id,voter-id,vote\n"
HEADER_P = "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,2\n"


def write_export(folder: Path, comments: str | None = None, votes: str | None = None,
                 participants: str | None = None) -> Path:
    """A tiny valid export; pass a file's text to replace it (or "" to leave it out)."""
    files = {
        "comments.csv": HEADER_C
        + '1000,x,0,0,1,0,1,"Two lines:\nthe second"\n'   # lines 2-3
        + "1001,x,1,1,0,1,1,Plain\n"                        # line 4
        + "1002,x,2,1,0,0,-1,Spam\n",                       # line 5
        "votes.csv": HEADER_V
        + "2000,x,0,0,1\n"      # line 2
        + "2001,x,1,0,-1\n"     # line 3
        + "2003,x,0,1,1\n"      # line 4: participant 1 changes their mind ...
        + "2002,x,0,1,0\n",     # line 5: ... this earlier pass is superseded
        "participants-votes.csv": HEADER_P
        + "0,0,1,2,1,1,1,-1,\n"
        + "1,,1,1,1,0,1,,\n",
        "summary.csv": "topic,Test\ngroups,1\n",
    }
    for key, text in (("comments.csv", comments), ("votes.csv", votes),
                      ("participants-votes.csv", participants)):
        if text is not None:
            files[key] = text
    folder.mkdir(parents=True, exist_ok=True)
    for file, text in files.items():
        if text:
            (folder / file).write_text(text, encoding="utf-8")
    return folder


def problems(folder: Path) -> list[ImportProblem]:
    with pytest.raises(PolisImportError) as info:
        read_polis_export(folder)
    return info.value.problems


def test_a_small_export_reads_with_the_later_vote_winning(tmp_path: Path) -> None:
    conv = read_polis_export(write_export(tmp_path / "x"))
    assert conv.votes.loc[1, 0] == 1.0          # the later (by timestamp) vote
    assert np.isnan(conv.votes.loc[1, 1])
    assert conv.statements[0].text == "Two lines:\nthe second"
    assert conv.moderated_out == [2]
    assert list(conv.analysis_votes().columns) == [0, 1]
    assert conv.polis_groups.isna().tolist() == [False, True]
    assert conv.summary == {"topic": "Test", "groups": "1"}


def test_a_missing_column_is_named_with_its_file(tmp_path: Path) -> None:
    folder = write_export(tmp_path / "x", votes="timestamp,comment-id,voter-id\n1,0,0\n")
    assert problems(folder) == [ImportProblem("votes.csv", 1, "vote", None, "missing column")]


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    folder = write_export(tmp_path / "x", votes="")
    assert problems(folder) == [ImportProblem("votes.csv", None, None, None, "file is missing")]


def test_votes_that_are_not_numbers_are_listed_with_line_numbers(tmp_path: Path) -> None:
    votes = HEADER_V + "2000,x,0,0,1\n2001,x,1,0,yes\n2002,x,0,1,2\n2003,x,zero,1,1\n"
    found = problems(write_export(tmp_path / "x", votes=votes))
    assert [(p.line, p.column, p.value) for p in found] == [
        (3, "vote", "yes"), (4, "vote", "2"), (5, "comment-id", "zero")]
    assert "votes.csv line 3: column 'vote' value 'yes'" in str(found[0])


def test_a_vote_on_an_unknown_comment_is_refused(tmp_path: Path) -> None:
    votes = HEADER_V + "2000,x,0,0,1\n2001,x,7,0,1\n"
    found = problems(write_export(tmp_path / "x", votes=votes))
    assert [(p.file, p.line, p.column, p.value) for p in found] == [
        ("votes.csv", 3, "comment-id", "7")]
    assert "unknown comment" in found[0].problem


def test_line_numbers_count_physical_lines_after_a_multi_line_statement(tmp_path: Path) -> None:
    comments = (HEADER_C + '1000,x,0,0,1,0,1,"Two lines:\nthe second"\n'
                + "1001,x,1,1,0,1,5,Plain\n1002,x,2,anna,0,0,-1,Spam\n")
    found = problems(write_export(tmp_path / "x", comments=comments))
    # Votes on comment 1 are not reported again as votes on an unknown comment.
    assert [(p.file, p.line, p.column, p.value) for p in found] == [
        ("comments.csv", 4, "moderated", "5"), ("comments.csv", 5, "author-id", "anna")]


def test_a_participants_row_that_contradicts_the_vote_log_is_refused(tmp_path: Path) -> None:
    participants = HEADER_P + "0,0,1,2,1,1,1,1,\n1,,1,1,1,0,1,,\n"
    found = problems(write_export(tmp_path / "x", participants=participants))
    assert [(p.file, p.line, p.column, p.value) for p in found] == [
        ("participants-votes.csv", 2, "1", "1")]
    assert "latest vote in votes.csv (-1)" in found[0].problem
    # The check can be switched off; the log still decides.
    conv = read_polis_export(tmp_path / "x", check_cells=False)
    assert conv.votes.loc[0, 1] == -1.0


def test_unknown_comment_columns_and_unknown_voters_are_refused(tmp_path: Path) -> None:
    participants = ("participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,9\n"
                    "0,0,1,2,1,1,1,-1,\n")
    found = problems(write_export(tmp_path / "x", participants=participants))
    assert [(p.file, p.line, p.column) for p in found] == [
        ("votes.csv", 4, "voter-id"), ("participants-votes.csv", 1, "9")]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    folder = write_export(tmp_path / "x", votes=HEADER_V + "2000,x,0,0,maybe\n2001,x,8,0,1\n",
                          comments=HEADER_C + "1000,x,0,0,1,0,1,Fine\n1001,x,1,1,0,1,1,Other\n"
                          "1002,x,2,1,0,0,-1,Spam\n1003,x,1,1,0,0,1,Again\n")
    with pytest.raises(PolisImportError) as info:
        read_polis_export(folder)
    lines = [(p.file, p.line) for p in info.value.problems]
    assert lines == [("comments.csv", 5), ("votes.csv", 2), ("votes.csv", 3)]
    message = str(info.value)
    assert message.startswith("Pol.is export has 3 problem(s):")
    assert "comments.csv line 5: column 'comment-id' value '1': duplicate of line 3" in message
    payload = info.value.to_dict()
    assert payload["code"] == "polis_import" and len(payload["problems"]) == 3


def test_a_real_export_with_one_corrupted_vote_names_the_line(tmp_path: Path) -> None:
    folder = tmp_path / "brexit"
    shutil.copytree(DATA / "brexit-consensus", folder)
    lines = (folder / "votes.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[100] = lines[100].rsplit(",", 1)[0] + ",agree\n"
    (folder / "votes.csv").write_text("".join(lines), encoding="utf-8")
    found = problems(folder)
    assert [(p.file, p.line, p.column, p.value) for p in found] == [
        ("votes.csv", 101, "vote", "agree")]
