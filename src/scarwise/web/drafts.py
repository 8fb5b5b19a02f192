"""The self-assessment wizard's unfinished answers, kept in memory between its steps.

Each step's form is POSTed and answered with a redirect to the next step's page (a GET), so the
browser's Back and Reload buttons show a page again instead of asking to resubmit a form. The
answers given so far live here meanwhile, under a random id the step pages' addresses carry
(``/assess/<id>/3``): never the answers themselves in an address. A draft belongs to the
visitor who started it (their CSRF cookie's token), is forgotten after :data:`DRAFT_TTL_S` of
no use, and at most :data:`MAX_DRAFTS` are kept (the oldest goes first). Nothing is written to
disk: answers only reach the store when the person saves the result.
"""

from __future__ import annotations

import copy
import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["DRAFT_TTL_S", "MAX_DRAFTS", "Draft", "Drafts"]

#: A draft unused for this long is forgotten, seconds.
DRAFT_TTL_S: Final = 12 * 3600.0
#: At most this many drafts are kept; a new one pushes out the least recently used.
MAX_DRAFTS: Final = 500


@dataclass
class Draft:
    """One visitor's self-assessment in progress."""

    id: str
    owner: str
    answers: dict[str, Any] = field(default_factory=dict)
    #: step index -> field -> the error shown next to it
    errors: dict[int, dict[str, str]] = field(default_factory=dict)
    #: step index -> what was typed there but not kept (shown again, e.g. after Back)
    typed: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: the step whose answers just opened a follow-up question on it
    follow_up: int | None = None


def _owner(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Drafts:
    """The drafts of one server (thread-safe; copies go in and out, never shared objects)."""

    def __init__(
        self,
        *,
        max_drafts: int = MAX_DRAFTS,
        ttl_s: float = DRAFT_TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max = max_drafts
        self._ttl = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[float, Draft]] = OrderedDict()

    def new(self, owner_token: str) -> Draft:
        """A new, empty draft for the visitor whose CSRF token is ``owner_token``."""
        draft = Draft(id=secrets.token_urlsafe(16), owner=_owner(owner_token))
        self.save(draft)
        return copy.deepcopy(draft)

    def get(self, draft_id: str, owner_token: str) -> Draft | None:
        """The draft ``draft_id`` of this visitor (None if unknown, expired or someone else's)."""
        with self._lock:
            self._expire()
            item = self._items.get(draft_id)
            if item is None or not secrets.compare_digest(item[1].owner, _owner(owner_token)):
                return None
            self._items.move_to_end(draft_id)
            self._items[draft_id] = (self._clock(), item[1])
            return copy.deepcopy(item[1])

    def save(self, draft: Draft) -> None:
        """Keep ``draft`` (a copy), as the most recently used."""
        with self._lock:
            self._items[draft.id] = (self._clock(), copy.deepcopy(draft))
            self._items.move_to_end(draft.id)
            self._expire()
            while len(self._items) > self._max:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def _expire(self) -> None:
        oldest = self._clock() - self._ttl
        while self._items:
            key, (used, _) = next(iter(self._items.items()))
            if used >= oldest:
                break
            del self._items[key]
