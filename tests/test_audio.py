"""Recorded questions: authors upload a reading per language, residents play it beside the
question without JavaScript, and only real MP3/Ogg/M4A files of at most 5 MB are kept."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from surveys.core.roles import Role
from surveys.extensions import db
from surveys.survey.models import Question, SurveyStatus
from tests.support.audio import OGG, m4a, mp3
from tests.support.manage import ids, snapshot, staff, upload
from tests.support.surveys import small_definition


@pytest.fixture(autouse=True)
def _empty_audio_folder(app):
    """Files are not in the database the tests empty: start each test without any."""
    for path in Path(app.config["AUDIO_DIR"]).glob("*"):
        path.unlink()


@pytest.fixture
def setup(app, client, login, make_org, make_survey):
    """A draft survey and its author (English interface); returns (author, question id)."""
    org = make_org()
    survey_id = make_survey(org, slug="liten", definition=small_definition(),
                            status=SurveyStatus.draft)
    author = staff(client, login, org, Role.author)
    return author, ids(app, survey_id)["questions"]["member"], survey_id


def send(author, question_id: int, content: bytes, lang: str = "sv", name: str = "fraga.mp3"):
    return upload(author, f"/manage/questions/{question_id}/audio", content, filename=name,
                  language=lang)


def stored(app, question_id: int) -> dict:
    with app.app_context():
        return dict(db.session.get(Question, question_id).audio)


def files(app) -> list[str]:
    return sorted(p.name for p in Path(app.config["AUDIO_DIR"]).iterdir()
                  if not p.name.startswith("."))


@pytest.mark.parametrize(("content", "name"), [
    (b"\x89PNG\r\n\x1a\n" + bytes(2000), "bild.mp3"),  # an image renamed
    (b"<html>not a sound</html>" * 50, "fraga.ogg"),
    (b"", "tom.mp3"),
])
def test_a_file_that_is_not_a_recording_is_refused(app, setup, content, name):
    author, question_id, _ = setup
    before = snapshot(app)
    sent = send(author, question_id, content, name=name)
    assert sent.status_code == 400
    page = sent.get_data(as_text=True)
    assert ("The file is not a recording in MP3, Ogg or M4A format." in page
            or "Choose a recording." in page)
    assert snapshot(app) == before and files(app) == []


def test_a_recording_over_5_mb_is_refused_with_413(app, setup):
    author, question_id, _ = setup
    big = mp3(frames=5 * 1024 * 1024 // 417 + 1)
    assert len(big) > 5 * 1024 * 1024
    before = snapshot(app)
    sent = send(author, question_id, big)
    assert sent.status_code == 413
    assert "The recording is too large: at most 5 MB." in sent.get_data(as_text=True)
    assert snapshot(app) == before and files(app) == []
    # The refusal is in the author's language.
    author.get("/manage/?lang=sv")
    sent = send(author, question_id, big)
    assert sent.status_code == 413 and "Inspelningen är för stor" in sent.get_data(as_text=True)


def test_a_language_outside_the_survey_is_refused(app, setup):
    author, question_id, _ = setup
    assert send(author, question_id, OGG, lang="fi").status_code == 400
    assert stored(app, question_id) == {}


def test_an_author_uploads_a_recording_and_residents_play_it(app, make_client, setup):
    author, question_id, _ = setup
    sent = send(author, question_id, OGG, lang="ar", name="x.bin")
    assert sent.status_code == 302 and sent.headers["Location"].endswith("#recordings")
    sha = hashlib.sha256(OGG).hexdigest()
    assert stored(app, question_id) == {"ar": {"sha256": sha, "type": "audio/ogg",
                                               "size": len(OGG)}}
    assert files(app) == [sha]
    # The author's question page lists it with a player and a remove button.
    page = author.get(f"/manage/questions/{question_id}").get_data(as_text=True)
    assert '<audio controls preload="none"' in page and "Remove" in page

    with app.app_context():
        db.session.get(Question, question_id).survey.status = SurveyStatus.open
        db.session.commit()
    resident = make_client()
    resident.post_form("/s/liten/start?lang=ar")
    page = resident.get("/s/liten/p/1?lang=ar").get_data(as_text=True)
    url = f"/s/liten/audio/{question_id}/ar?v={sha[:16]}"
    assert (f'<audio controls preload="none" aria-labelledby="q_member-audio" src="{url}">'
            in page)
    assert '<span id="q_member-audio">استمع إلى السؤال</span>' in page
    assert "<script" not in page
    # Only the Arabic page has the player: the Swedish one has no Swedish recording.
    assert "<audio" not in resident.get("/s/liten/p/1?lang=sv").get_data(as_text=True)

    played = resident.get(url, buffered=True)
    assert played.status_code == 200 and played.data == OGG
    assert played.headers["Content-Type"] == "audio/ogg"
    assert played.headers["Accept-Ranges"] == "bytes"
    assert "immutable" in played.headers["Cache-Control"]
    assert "max-age=31536000" in played.headers["Cache-Control"]
    assert played.headers["ETag"] == f'"{sha}"'
    part = resident.get(url, headers={"Range": "bytes=100-199"}, buffered=True)
    assert part.status_code == 206 and part.data == OGG[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(OGG)}"
    again = resident.get(url, headers={"If-None-Match": f'"{sha}"'}, buffered=True)
    assert again.status_code == 304
    # Without the content's version the address may change: it is revalidated every time.
    unversioned = resident.get(f"/s/liten/audio/{question_id}/ar", buffered=True)
    assert unversioned.status_code == 200 and "no-cache" in unversioned.headers["Cache-Control"]
    for wrong in (f"/s/liten/audio/{question_id}/sv", f"/s/liten/audio/{question_id}/fi",
                  "/s/liten/audio/999999/ar"):
        assert resident.get(wrong, buffered=True).status_code == 404


def test_a_recording_is_replaced_and_removed_and_its_file_goes_too(app, setup):
    author, question_id, survey_id = setup
    assert send(author, question_id, mp3()).status_code == 302
    first = stored(app, question_id)["sv"]
    assert first["type"] == "audio/mpeg"
    assert send(author, question_id, m4a(), name="fraga.m4a").status_code == 302
    second = stored(app, question_id)["sv"]
    assert second["type"] == "audio/mp4" and files(app) == [second["sha256"]]
    # The staff preview plays it from the staff address (the survey is still a draft).
    preview = author.get(f"/manage/surveys/{survey_id}/preview/1").get_data(as_text=True)
    assert f"/manage/questions/{question_id}/audio/sv?v={second['sha256'][:16]}" in preview
    played = author.get(f"/manage/questions/{question_id}/audio/sv", buffered=True)
    assert played.status_code == 200 and played.headers["Content-Type"] == "audio/mp4"
    assert "private" in played.headers["Cache-Control"]
    # Residents cannot reach a draft survey's recordings.
    assert author.get(f"/s/liten/audio/{question_id}/sv", buffered=True).status_code == 404

    sent = author.post_form(f"/manage/questions/{question_id}/audio/sv/delete")
    assert sent.status_code == 302
    assert stored(app, question_id) == {} and files(app) == []
    assert author.post_form(f"/manage/questions/{question_id}/audio/sv/delete").status_code == 404


def test_the_same_recording_for_two_questions_is_kept_until_both_let_it_go(app, setup):
    author, question_id, survey_id = setup
    other_id = ids(app, survey_id)["questions"]["sports"]
    assert send(author, question_id, OGG).status_code == 302
    assert send(author, other_id, OGG).status_code == 302
    assert len(files(app)) == 1
    author.post_form(f"/manage/questions/{question_id}/audio/sv/delete")
    assert len(files(app)) == 1  # still used by the other question
    assert author.post_form(f"/manage/questions/{other_id}/delete").status_code == 302
    assert files(app) == []


def test_analysts_cannot_upload_recordings(app, make_client, login, make_org, make_survey):
    org = make_org()
    survey_id = make_survey(org, slug="liten", definition=small_definition(),
                            status=SurveyStatus.draft)
    analyst = staff(make_client(), login, org, Role.analyst)
    question_id = ids(app, survey_id)["questions"]["member"]
    assert send(analyst, question_id, OGG).status_code == 403
    assert stored(app, question_id) == {}


def test_an_upload_without_the_csrf_token_is_refused(app, setup):
    author, question_id, _ = setup
    sent = author.post(f"/manage/questions/{question_id}/audio",
                       data={"language": "sv", "file": (io.BytesIO(OGG), "a.ogg")})
    assert sent.status_code == 400 and stored(app, question_id) == {}
    assert files(app) == []


def test_another_surveys_address_does_not_play_this_surveys_recording(app, make_org, make_survey,
                                                                     make_client, setup):
    author, question_id, _ = setup
    assert send(author, question_id, OGG).status_code == 302
    with app.app_context():
        db.session.get(Question, question_id).survey.status = SurveyStatus.open
        db.session.commit()
    make_survey(make_org(), slug="annan", definition=small_definition("annan"))
    resident = make_client()
    assert resident.get(f"/s/liten/audio/{question_id}/sv", buffered=True).status_code == 200
    assert resident.get(f"/s/annan/audio/{question_id}/sv", buffered=True).status_code == 404
