"""Access codes and the keyed hash of person ids (Flask-free).

A code is 10 characters from 25 that cannot be mistaken for each other (no 0/O, 1/I/L,
2/Z, 5/S, 8/B), so 25^10 ≈ 2^46 codes: guessing one of 4,000 codes at the rate-limited
10 tries a minute takes about 30,000 years on average.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
LENGTH = 10


def new_code(taken: set[str]) -> str:
    """A fresh random code not in `taken` (which it joins)."""
    while True:
        # one draw of a number below 25^10, written in the alphabet's 25 digits
        number = secrets.randbelow(len(ALPHABET) ** LENGTH)
        digits = []
        for _ in range(LENGTH):
            number, digit = divmod(number, len(ALPHABET))
            digits.append(ALPHABET[digit])
        code = "".join(digits)
        if code not in taken:
            taken.add(code)
            return code


def format_code(code: str) -> str:
    """A code as printed, in two groups: ``K7MPQ-2QXDA``."""
    return f"{code[:5]}-{code[5:]}"


def normalise_code(text: str) -> str:
    """What someone typed, without spaces, hyphens or case; letters people confuse with
    the alphabet's own (O for 0 is not in it) are left to fail the look-up."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[:LENGTH + 6]


def person_hash(person_id: str, secret: str, salt: str) -> str:
    """HMAC-SHA-256 of the person id (spaces and hyphens dropped) under the app's secret
    and the frame's salt: the same person in one frame always gets the same hash, and
    without the secret the hash cannot be tested against guessed ids."""
    cleaned = "".join(ch for ch in person_id if ch.isalnum())
    return hmac.new(secret.encode(), f"{salt}:{cleaned}".encode(), hashlib.sha256).hexdigest()
