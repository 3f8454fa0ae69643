"""Small recordings for the audio tests: a real Ogg Vorbis file (tests/data/tone.ogg, half a
second of a 440 Hz tone written by libsndfile), and MP3 and M4A files built here."""

from __future__ import annotations

import struct
from pathlib import Path

OGG = (Path(__file__).resolve().parents[1] / "data" / "tone.ogg").read_bytes()


def mp3(frames: int = 40) -> bytes:
    """Silent MPEG-1 Layer III frames, 128 kbit/s at 44.1 kHz (417 bytes each, ~26 ms)."""
    return (bytes([0xFF, 0xFB, 0x90, 0x64]) + bytes(413)) * frames


def _box(kind: bytes, *parts: bytes) -> bytes:
    payload = b"".join(parts)
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _full(kind: bytes, *parts: bytes) -> bytes:
    return _box(kind, b"\x00\x00\x00\x00", *parts)


def _descriptor(tag: int, payload: bytes) -> bytes:
    return bytes([tag, len(payload)]) + payload


def m4a(seconds: int = 1) -> bytes:
    """An MP4 container with one AAC-LC audio track (no samples: enough for a format check)."""
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = _full(b"mvhd", struct.pack(">IIII", 0, 0, 1000, 1000 * seconds),
                 struct.pack(">IH", 0x10000, 0x100), bytes(10), matrix, bytes(24),
                 struct.pack(">I", 2))
    tkhd = _box(b"tkhd", b"\x00\x00\x00\x07", struct.pack(">IIIII", 0, 0, 1, 0, 1000 * seconds),
                bytes(8), struct.pack(">hhhh", 0, 0, 0x100, 0), matrix, struct.pack(">II", 0, 0))
    mdhd = _full(b"mdhd", struct.pack(">IIIIHH", 0, 0, 8000, 8000 * seconds, 0x55C4, 0))
    hdlr = _full(b"hdlr", bytes(4), b"soun", bytes(12), b"\x00")
    config = _descriptor(5, bytes([0x15, 0x88]))  # AAC-LC, 8 kHz, mono
    decoder = _descriptor(4, bytes([0x40, 0x15]) + bytes(3) + struct.pack(">II", 0, 0) + config)
    esds = _full(b"esds", _descriptor(3, struct.pack(">HB", 1, 0) + decoder
                                      + _descriptor(6, b"\x02")))
    mp4a = _box(b"mp4a", bytes(6), struct.pack(">H", 1), bytes(8),
                struct.pack(">HHHHI", 1, 16, 0, 0, 8000 << 16), esds)
    stbl = _box(b"stbl", _full(b"stsd", struct.pack(">I", 1), mp4a),
                _full(b"stts", struct.pack(">I", 0)), _full(b"stsc", struct.pack(">I", 0)),
                _full(b"stsz", struct.pack(">II", 0, 0)), _full(b"stco", struct.pack(">I", 0)))
    minf = _box(b"minf", _full(b"smhd", bytes(4)), stbl)
    trak = _box(b"trak", tkhd, _box(b"mdia", mdhd, hdlr, minf))
    return _box(b"ftyp", b"M4A ", struct.pack(">I", 0), b"M4A mp42isom") + _box(b"moov", mvhd, trak)
