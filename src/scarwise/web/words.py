"""Plain words for the pages: scale names and what their numbers mean, measurement terms,
treatment names instead of ids, and plurals.

The numbers themselves come from the library (``scarwise.scales``, ``scarwise.imaging``); this
module only says them in words a person without training reads, each term with a short
explanation the learn page lists (``/learn#term-<id>``). The bands are the scales' own
(``contracts/scales.md``); where a scale has no published severity cut-offs (ECCA) none are
invented.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from scarwise.knowledge import load_knowledge_base

__all__ = [
    "GLOSSARY",
    "SCALE_NAMES",
    "SCAR_WORDS",
    "SKIN_TYPES",
    "Term",
    "plan_terms",
    "plural",
    "scale_name",
    "score_band",
    "score_text",
    "terms_in",
    "treatment_name",
]


@dataclass(frozen=True, slots=True)
class Term:
    """One measurement or word explained: ``id`` is its anchor on the learn page."""

    id: str
    name: str
    text: str
    #: words that show the term is used in a text (for "words used here" boxes)
    spotted_by: tuple[str, ...] = ()


#: Scale id -> the name a page shows.
SCALE_NAMES: Final[Mapping[str, str]] = {
    "fitzpatrick": "Skin type (Fitzpatrick)",
    "ecca": "ECCA acne scar score",
    "gb-qualitative": "Goodman & Baron qualitative grade",
    "gb-quantitative": "Goodman & Baron quantitative score",
    "scar-s": "SCAR-S severity",
}

#: A profile's scar count field -> the kind of scar in words.
SCAR_WORDS: Final[Mapping[str, str]] = {
    "icepick": "icepick",
    "boxcar_shallow": "shallow boxcar",
    "boxcar_deep": "deep boxcar",
    "rolling": "rolling",
    "hypertrophic": "raised (hypertrophic)",
    "keloid": "keloid",
    "papular": "papular",
}

#: Skin phototype (roman numeral) -> how that skin reacts to sun.
SKIN_TYPES: Final[Mapping[str, str]] = {
    "I": "always burns, never tans",
    "II": "usually burns, tans a little",
    "III": "sometimes burns, tans gradually",
    "IV": "rarely burns, tans easily",
    "V": "very rarely burns, tans very easily",
    "VI": "never burns; deeply pigmented skin",
}

#: The questionnaire totals of each skin type (``contracts/scales.md``).
_SKIN_TYPE_TOTALS: Final[Mapping[str, str]] = {
    "I": "0-6",
    "II": "7-12",
    "III": "13-18",
    "IV": "19-24",
    "V": "25-30",
    "VI": "31-32",
}

#: Goodman & Baron qualitative grade -> what it means.
_GB_GRADES: Final[tuple[str, ...]] = (
    "no scarring",
    "flat marks only (red, brown or pale), no dents or bumps",
    "mild: dents or bumps not obvious at a social distance (50 cm), or easily hidden by make-up "
    "or beard shadow",
    "moderate: obvious at a social distance and not easily hidden; dents flatten when the skin "
    "is stretched",
    "severe: obvious at a social distance; dents that do not flatten when stretched, or "
    "marked raised scars",
)

GLOSSARY: Final[tuple[Term, ...]] = (
    Term(
        "skin-type",
        "Skin type (Fitzpatrick phototype)",
        "How skin reacts to sun, from type I (always burns, never tans) to type VI (never "
        "burns). Darker types (IV-VI) get dark marks after lasers, peels and other procedures "
        "more easily, so the plan chooses and times treatments with that in mind. It comes from "
        "an 8-question quiz (0-32 points): "
        + ", ".join(f"{total} type {roman}" for roman, total in _SKIN_TYPE_TOTALS.items())
        + ".",
        ("fitzpatrick", "phototype"),
    ),
    Term(
        "ecca",
        "ECCA acne scar score (0-540)",
        "Counts six kinds of scar: icepick, boxcar, rolling, loose skin (elastolysis), recent "
        "raised scars and keloids or old raised scars. Each kind adds its weight (15 for icepick "
        "up to 50 for keloids) times a band for how many there are: none 0, 1-4 1, 5-20 2, more "
        "than 20 3. 0 means no scars and 540 is the most. There are no official mild, moderate "
        "or severe cut-offs: what matters is how your total changes.",
        ("ecca",),
    ),
    Term(
        "gb-grade",
        "Goodman & Baron qualitative grade (0-4)",
        "One grade for how visible the scarring is: "
        + "; ".join(f"{i} {text}" for i, text in enumerate(_GB_GRADES))
        + ".",
        ("goodman", "gb-qualitative"),
    ),
    Term(
        "ita",
        "ITA° (skin tone angle)",
        "The Individual Typology Angle: a number for how light or dark the skin looks in a "
        "photo, from its colour. Higher is lighter; scarwise groups it as very light, light, "
        "intermediate, tan, brown or dark. It describes this photo's colour, not your skin type.",
        ("ita",),
    ),
    Term(
        "lab",
        "L* a* b* (CIELAB colour)",
        "A standard way to write a colour: L* is lightness (0 black to 100 white), a* goes from "
        "green (below 0) to red (above 0), b* from blue (below 0) to yellow (above 0).",
        ("l* a* b*", "cielab"),
    ),
    Term(
        "redness",
        "Redness (mean a*)",
        "The average a* of the skin in the photo: higher is redder. Compare it only between "
        "photos taken in the same place and light; a change of 1-2 can be the light alone.",
        ("a*", "mean a*"),
    ),
    Term(
        "erythema-index",
        "Erythema index",
        "How much more red than green light the skin reflects (log10 of red over green). "
        "Blood in the skin raises it, so red marks and flushing make it higher.",
        ("erythema index",),
    ),
    Term(
        "melanin-index",
        "Melanin index",
        "How much red light the skin absorbs (log10 of 1 over red). Pigment (melanin) raises "
        "it, so darker skin and brown marks make it higher.",
        ("melanin index",),
    ),
    Term(
        "delta-e",
        "ΔE (colour difference)",
        "How different a mark's colour is from the skin around it (CIEDE2000). About 1-2 is "
        "the smallest difference people notice; the larger, the more the mark stands out.",
        ("δe", "delta e", "delta_e"),
    ),
    Term(
        "pih",
        "PIH (post-inflammatory hyperpigmentation)",
        "Brown or dark flat marks left after spots, injury or some treatments. Commoner and "
        "longer-lasting in darker skin; they usually fade over months, faster with daily "
        "sunscreen.",
        ("pih", "hyperpigmentation", "dark marks"),
    ),
    Term(
        "pie",
        "PIE (post-inflammatory erythema)",
        "Red or pink flat marks left after acne spots. Many fade by themselves within months.",
        ("pie", "erythema"),
    ),
)


@functools.cache
def _treatment_names() -> dict[str, str]:
    return {t.id: t.name for t in load_knowledge_base().treatments.values()}


def treatment_name(treatment_id: Any) -> str:
    """A knowledge-base treatment's name (``punch-excision`` -> ``Punch excision``); an unknown
    id in words (hyphens as spaces)."""
    text = str(treatment_id)
    return _treatment_names().get(text) or text.replace("-", " ").replace("_", " ")


def scale_name(scale: Any) -> str:
    """A scale's name in words (``gb-qualitative`` -> ``Goodman & Baron qualitative grade``)."""
    return SCALE_NAMES.get(str(scale), str(scale))


def score_text(scale: str, result: Mapping[str, Any]) -> str:
    """A score as a page shows it: ``Type III``, ``Grade 3 of 4``, ``120 out of 540``."""
    score, top = result.get("score"), result.get("max")
    if scale == "fitzpatrick":
        roman = result.get("type_roman") or _skin_type_of(score)
        if roman:
            return f"Type {roman}"
    if scale == "gb-qualitative":
        return f"Grade {score} of {top}"
    return f"{score} out of {top}"


def _skin_type_of(total: Any) -> str | None:
    """The skin type a questionnaire total bands into (None for no total)."""
    if not isinstance(total, int):
        return None
    for roman, band in _SKIN_TYPE_TOTALS.items():
        low, high = (int(x) for x in band.split("-"))
        if low <= total <= high:
            return roman
    return None


def score_band(scale: str, result: Mapping[str, Any]) -> str:
    """What a score means, in one line (empty when the scale gives nothing to say)."""
    score = result.get("score")
    if scale == "fitzpatrick":
        roman = str(result.get("type_roman") or "")
        meaning = SKIN_TYPES.get(roman)
        if meaning:
            return (
                f"Skin that {meaning} (quiz total {score} of {result.get('max')}; "
                f"{_SKIN_TYPE_TOTALS[roman]} is type {roman})."
            )
        return ""
    if scale == "gb-qualitative" and isinstance(score, int) and 0 <= score < len(_GB_GRADES):
        text = _GB_GRADES[score]
        return text[0].upper() + text[1:] + "."
    if scale == "ecca":
        return (
            "0 is no scars, 540 the most; each kind of scar adds points by how many there are. "
            "No official severity bands exist: watch how it changes."
        )
    label = result.get("label")
    return str(label).capitalize() + "." if label else ""


def plan_terms(plan: Any) -> list[Term]:
    """The glossary terms a plan's own words use (its references' titles left out)."""
    data = plan if isinstance(plan, Mapping) else plan.model_dump(mode="json")
    return terms_in([str({k: v for k, v in data.items() if k != "references"})])


def terms_in(texts: Iterable[str]) -> list[Term]:
    """The glossary terms some of ``texts`` use (for a "words used here" box)."""
    haystack = " ".join(texts).lower()
    return [t for t in GLOSSARY if any(_word(w).search(haystack) for w in t.spotted_by)]


@functools.cache
def _word(word: str) -> re.Pattern[str]:
    """``word`` as a whole word (``pie`` is not in ``piece``)."""
    return re.compile(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])")


def plural(count: Any, singular: str, many: str | None = None) -> str:
    """``1 scar``, ``2 scars``, ``0 scars`` (``many`` for irregular plurals)."""
    number = count if isinstance(count, int | float) else len(count)
    word = singular if number == 1 else (many or singular + "s")
    shown = int(number) if isinstance(number, float) and number.is_integer() else number
    return f"{shown} {word}"
