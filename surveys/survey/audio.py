"""Recorded questions: an upload's format read from its content, and the files on disk.

A recording is stored once in `AUDIO_DIR` (default: ``audio/`` in the instance folder),
named by the SHA-256 of its bytes; questions refer to it by that hash. A name therefore
never points at other content, and a replaced recording gets a new address, so players and
caches may keep a file for as long as they like.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path
from struct import error as struct_error

from flask import current_app
from mutagen import MutagenError
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

#: Largest recording accepted.
MAX_AUDIO_BYTES = 5 * 1024 * 1024
#: Readers tried in turn, with the media type a file they read is served as. MP3 comes last:
#: it has no signature of its own, so its reader searches for frames anywhere.
READERS = ((OggVorbis, "audio/ogg"), (OggOpus, "audio/ogg"), (MP4, "audio/mp4"),
           (MP3, "audio/mpeg"))


def media_type(data: bytes) -> str | None:
    """"audio/mpeg", "audio/ogg" or "audio/mp4" for an MP3, Ogg or M4A (AAC or ALAC)
    recording; None for anything else (a video, an image, a renamed text ...)."""
    for reader, kind in READERS:
        try:
            found = reader(io.BytesIO(data))
        except (MutagenError, ValueError, struct_error, EOFError):
            continue
        if reader is MP4 and not (found.info.codec or "").startswith(("mp4a", "alac")):
            continue
        if found.info.length > 0:
            return kind
    return None


def folder() -> Path:
    """Where recordings are stored (created when missing)."""
    path = Path(current_app.config.get("AUDIO_DIR") or Path(current_app.instance_path) / "audio")
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(sha256: str) -> Path:
    """The file of a stored recording."""
    return folder() / sha256


def store(data: bytes) -> str:
    """Write a recording (once: the same bytes share one file); returns its SHA-256."""
    sha256 = hashlib.sha256(data).hexdigest()
    target = path_of(sha256)
    if not target.exists():
        # Written aside, then renamed: a reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    return sha256


def discard(sha256: str) -> None:
    """Remove a recording's file (when nothing refers to it any more)."""
    path_of(sha256).unlink(missing_ok=True)
