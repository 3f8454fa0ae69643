"""What an action can answer: the kinds of things it links to, registered by their features.

The actions feature does not know dialogue events (or, later, themes): the feature that owns
a kind registers a `LinkKind` here (dialogue events: `dialog/action_links.py`), and actions
store links as (kind, id) in `ActionLink`. A new kind (e.g. the themes of what residents
said) is one more `register` call in its own feature; forms, pages and the demo pick it up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LinkKind:
    """One kind of thing an action answers."""

    #: Stored in `ActionLink.kind`, e.g. "dialogue_event".
    key: str
    #: The form's label for the choice, e.g. _l("Dialogue events it answers").
    label: object
    #: (id, name) of everything of this kind the organisation has: (organisation_id) -> list.
    choices: Callable[[int], list[tuple[int, str]]]
    #: Where a linked thing is shown, or None: (id) -> URL path.
    url: Callable[[int], str | None]


#: The registered kinds, by key, in the order they were registered.
KINDS: dict[str, LinkKind] = {}


def register(kind: LinkKind) -> None:
    """Make `kind` available to actions (once per key; importing a module twice is harmless)."""
    KINDS.setdefault(kind.key, kind)
