"""The learn pages' view, generated from the knowledge base (never written twice).

:func:`learn_view` selects the scar types, prevention tips, treatments and explained words
(``scarwise.web.words.GLOSSARY``) that match a search, and gathers, for each treatment, the
rules that exclude it ("who should not have it"), delay it ("when to wait") or call for care, so
the template only lays out what the knowledge base says, each claim with its reference ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scarwise.web.words import GLOSSARY, Term

__all__ = ["LearnView", "TreatmentEntry", "drawing_for", "learn_view"]

_DRAWINGS = Path(__file__).parent / "static" / "drawings"


@dataclass(frozen=True)
class TreatmentEntry:
    """One treatment and the rules that keep it from some people."""

    treatment: Any
    excluded_when: list[Any] = field(default_factory=list)
    #: rules that make it wait (``defer``: not before week N)
    deferred_when: list[Any] = field(default_factory=list)
    cautioned_when: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class LearnView:
    """What the learn page shows for one search (``query`` empty: everything)."""

    query: str
    kb: Any
    scar_types: list[Any]
    prevention: list[Any]
    treatments: list[TreatmentEntry]
    cited: list[Any]
    terms: list[Term] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.scar_types or self.prevention or self.treatments or self.terms)


def drawing_for(scar_type_id: str) -> str | None:
    """The URL of the drawing of a scar type, if there is one."""
    return (
        f"/static/drawings/{scar_type_id}.svg"
        if (_DRAWINGS / f"{scar_type_id}.svg").is_file()
        else None
    )


def _matches(words: list[str], *texts: object) -> bool:
    haystack = " ".join(str(t) for t in texts if t).lower()
    return all(w in haystack for w in words)


def learn_view(kb: Any, query: str = "") -> LearnView:
    """The scar types, prevention tips and treatments of ``kb`` that contain every word of ``query``."""
    query = " ".join(query.split())[:100]
    words = query.lower().split()
    scar_types = [
        s
        for s in kb.scar_types.values()
        if _matches(words, s.id, s.name, s.plain, s.recognise, s.forms, s.note)
    ]
    prevention = [p for p in kb.prevention if _matches(words, p.text)]
    entries = []
    for t in kb.treatments.values():
        entry = TreatmentEntry(
            treatment=t,
            excluded_when=[r for r in kb.rules if r.effect == "exclude" and t.id in r.treatments],
            deferred_when=[r for r in kb.rules if r.effect == "defer" and t.id in r.treatments],
            cautioned_when=[r for r in kb.rules if r.effect == "caution" and t.id in r.treatments],
        )
        texts = [
            getattr(c, "text", None) or getattr(c, "note", "")
            for c in (*t.cautions, *t.indications)
        ] + [r.text for r in (*entry.excluded_when, *entry.deferred_when, *entry.cautioned_when)]
        if _matches(words, t.id, t.name, t.plain, t.mechanism, t.group, *texts):
            entries.append(entry)
    cited_ids: list[str] = list(kb.expectations.references)
    for s in scar_types:
        cited_ids += s.size.references
    for p in prevention:
        cited_ids += p.references
    for e in entries:
        t = e.treatment
        cited_ids += (
            t.evidence.references
            + t.downtime_days.references
            + t.cost.references
            + t.pih_risk.references
        )
        for part in (t.sessions, t.interval_weeks, t.duration_months):
            if part is not None:
                cited_ids += part.references
        rules = (*e.excluded_when, *e.deferred_when, *e.cautioned_when)
        for item in (*t.indications, *t.cautions, *rules):
            cited_ids += item.references
    cited = [kb.references[r] for r in dict.fromkeys(cited_ids) if r in kb.references]
    terms = [t for t in GLOSSARY if _matches(words, t.name, t.text, t.id)]
    return LearnView(query, kb, scar_types, prevention, entries, cited, terms)
