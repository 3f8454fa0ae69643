"""Machine drafts of translations from a service that speaks the LibreTranslate HTTP API.

One call is ``POST {url}/translate`` with the JSON ``{"q", "source", "target", "format":
"text", "api_key"?}``; the answer is ``{"translatedText": "..."}``. Any other answer, an
error status, a refused connection or a timeout is a :class:`MachineError` with a `reason`
the page words for people ("timeout", "unavailable", "garbage"). Flask-free: the caller
passes the address, key and timeout from the app's configuration.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

#: Language codes the service knows, where ours differ; None: no machine drafts for it.
SERVICE_CODES: dict[str, str | None] = {"sv-ll": None}
#: Longest answer accepted, in characters: anything longer is not a translation of a statement.
MAX_ANSWER = 20_000


def supported(code: str) -> bool:
    """True when the service can be asked about this language."""
    return SERVICE_CODES.get(code, code) is not None


class MachineError(Exception):
    """The service gave no usable translation; `reason` is timeout, unavailable or garbage."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class Translator:
    """Where the service is and how long to wait for one answer (seconds)."""

    url: str
    api_key: str = ""
    timeout: float = 3.0

    def translate(self, text: str, source: str, target: str) -> str:
        """`text` from `source` into `target`, as the service words it."""
        body = {"q": text, "source": SERVICE_CODES.get(source, source),
                "target": SERVICE_CODES.get(target, target), "format": "text"}
        if self.api_key:
            body["api_key"] = self.api_key
        request = urllib.request.Request(
            self.url.rstrip("/") + "/translate", data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read(MAX_ANSWER * 4 + 1)
        except TimeoutError as error:
            raise MachineError("timeout", str(error)) from error
        except urllib.error.URLError as error:
            if isinstance(getattr(error, "reason", None), TimeoutError):
                raise MachineError("timeout", str(error)) from error
            raise MachineError("unavailable", str(error)) from error
        except (OSError, ValueError) as error:  # reset connections, malformed addresses
            raise MachineError("unavailable", str(error)) from error
        return _translated_text(raw)


def _translated_text(raw: bytes) -> str:
    """The translation in a LibreTranslate answer, or MachineError("garbage")."""
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise MachineError("garbage", "not JSON") from error
    text = answer.get("translatedText") if isinstance(answer, dict) else None
    if isinstance(text, str):
        text = text.replace("\x00", "").strip()  # PostgreSQL refuses NUL in text
    if not isinstance(text, str) or not text or len(text) > MAX_ANSWER:
        raise MachineError("garbage", "no translatedText")
    return text
