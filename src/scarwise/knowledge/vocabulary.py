"""The fixed vocabularies of the knowledge base: treatment ids, plan targets and rule facts.

``TREATMENT_IDS`` mirrors ``shared/contracts/treatments.txt`` line for line (a test compares
them); ids are only ever added at the end, never renamed.
"""

from __future__ import annotations

from typing import Final, Literal

__all__ = [
    "ATROPHIC_TYPES",
    "MARK_TYPES",
    "PHASE_KEYS",
    "RAISED_TYPES",
    "SCAR_TYPES",
    "TARGETS",
    "TREATMENT_IDS",
    "PhaseKey",
    "Target",
]

TREATMENT_IDS: Final[tuple[str, ...]] = (
    "sunscreen",
    "treat-active-acne",
    "topical-retinoid",
    "azelaic-acid",
    "hydroquinone",
    "tranexamic-acid",
    "exfoliation-home",
    "microdermabrasion",
    "superficial-chemical-peel",
    "medium-chemical-peel",
    "deep-chemical-peel",
    "tca-cross",
    "microneedling",
    "rf-microneedling",
    "fractional-nonablative-laser",
    "fractional-ablative-laser",
    "fully-ablative-laser",
    "picosecond-laser",
    "vascular-laser",
    "ipl",
    "light-therapy",
    "dermabrasion",
    "punch-excision",
    "punch-elevation",
    "punch-graft",
    "subcision",
    "dermal-filler",
    "biostimulatory-filler",
    "intralesional-corticosteroid",
    "intralesional-5fu",
    "silicone-gel",
    "topical-antioxidant",
    "wait-and-reassess",
    "topical-alpha-agonist",
    "cryotherapy",
)

ATROPHIC_TYPES: Final = ("icepick", "boxcar_shallow", "boxcar_deep", "rolling")
RAISED_TYPES: Final = ("hypertrophic", "keloid", "papular")
SCAR_TYPES: Final = ATROPHIC_TYPES + RAISED_TYPES
MARK_TYPES: Final = ("erythema", "hyperpigmentation", "hypopigmentation")

Target = Literal[
    "icepick",
    "boxcar_shallow",
    "boxcar_deep",
    "rolling",
    "hypertrophic",
    "keloid",
    "papular",
    "erythema",
    "hyperpigmentation",
    "hypopigmentation",
    "active_acne",
    "all",
]
TARGETS: Final[tuple[str, ...]] = (*SCAR_TYPES, *MARK_TYPES, "active_acne", "all")

#: Phases in the order they are done (``shared/research/clinical-facts.md`` §5, [D]/[M]).
PhaseKey = Literal["prepare", "colour", "focal", "resurfacing", "volume", "maintenance"]
PHASE_KEYS: Final[tuple[str, ...]] = (
    "prepare",
    "colour",
    "focal",
    "resurfacing",
    "volume",
    "maintenance",
)
