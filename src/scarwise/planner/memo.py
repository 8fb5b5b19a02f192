"""The planner's one memo: bounded, switchable, and used only by :func:`scarwise.planner.plan`.

Planning is a pure function of the profile and the knowledge base, so parts of it (the candidates
for a set of targets, a finished recommendation) can be remembered and shared between plans.
Every remembered value lives in one :class:`Memo`, never in module globals elsewhere, so there is
one thing to bound, switch off and clear. The planning functions themselves know nothing of it:
:mod:`scarwise.planner.planning` wraps their calls, and the tests check that a plan made with the
memo on is the plan made with it off. The safety check (:mod:`scarwise.planner.safety`) never
uses it.

Besides the memo proper, a :class:`Memo` keeps the :class:`~scarwise.planner.index.KBIndex` of
each knowledge base it has seen, on or off: that index is the knowledge base compiled for
planning (built once, like the knowledge base is loaded once), not a remembered plan.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Final, TypeVar, cast

from scarwise.knowledge.models import KnowledgeBase
from scarwise.planner.index import KBIndex, build_index

__all__ = ["MEMO", "Memo"]

T = TypeVar("T")

#: How many knowledge bases keep their index (a process normally plans with one).
_INDEX_LIMIT: Final = 8


class Memo:
    """Values of pure functions by (table, knowledge-base index, key), at most ``limit`` of them.

    When full, the memo is emptied and fills again from the plans that follow: simple, safe
    beside other threads (each step is one dict operation), and the key spaces are small enough
    that it rarely happens. With ``enabled`` false, :meth:`get` computes every value afresh.

    Parameters
    ----------
    limit
        Entries kept before the memo is emptied (bounds memory).
    enabled
        Whether :meth:`get` remembers values.
    """

    def __init__(self, limit: int = 50_000, *, enabled: bool = True) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.enabled = enabled
        self._entries: dict[tuple[str, KBIndex, Hashable], object] = {}
        self._indexes: dict[str, KBIndex] = {}

    def __len__(self) -> int:
        """The number of remembered values (indexes not counted)."""
        return len(self._entries)

    def get(self, table: str, index: KBIndex, key: Hashable, make: Callable[[], T]) -> T:
        """``make()``, remembered under ``(table, index, key)`` while the memo is enabled.

        ``make`` must be a pure function of ``key`` and ``index``: the memo cannot tell when it
        is not, and the plans would then depend on what was planned before.
        """
        if not self.enabled:
            return make()
        full_key = (table, index, key)
        found = self._entries.get(full_key, _MISSING)
        if found is not _MISSING:
            return cast("T", found)
        value = make()
        if len(self._entries) >= self.limit:
            self._entries.clear()
        self._entries[full_key] = value
        return value

    def index(self, kb: KnowledgeBase) -> KBIndex:
        """The :class:`KBIndex` of ``kb``, built on first use and kept (whether enabled or not)."""
        found = self._indexes.get(kb.version)
        if found is not None and found.kb is kb:
            return found
        made = build_index(kb)
        if len(self._indexes) >= _INDEX_LIMIT:
            self._indexes.clear()
        self._indexes[kb.version] = made
        return made

    def clear(self) -> None:
        """Forget every remembered value and index."""
        self._entries.clear()
        self._indexes.clear()

    @contextmanager
    def disabled(self) -> Iterator[None]:
        """Within the block, :meth:`get` remembers nothing and computes every value afresh.

        The switch is the memo's own: with the shared :data:`MEMO`, plans made meanwhile on other
        threads are made without it too (they stay the same plans, only slower).
        """
        was = self.enabled
        self.enabled = False
        try:
            yield
        finally:
            self.enabled = was


_MISSING: Final = object()

#: The memo :func:`scarwise.planner.plan` uses unless it is given another.
MEMO: Final = Memo()
