"""ECCA: Échelle d'évaluation clinique des cicatrices d'acné (0-540).

Dréno B, Khammari A, Orain N, et al. ECCA grading scale: an original validated acne scar grading
scale for clinical practice in dermatology. Dermatology 2007;214(1):46-51.
doi:10.1159/000096912 (research note R9; authors, title and DOI partly from memory [M]).

Certainty (``shared/research/clinical-facts.md`` §2.3): six items, one global score and the
inter-rater study are verified [V]; the weights (15, 20, 25, 30, 40, 50) and the count bands
(0; 1-4; 5-20; > 20) are from memory [M]; the range 0-540 is derived [D].
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from scarwise.scales.models import EccaInput, EccaItem, EccaResult, Provenance

__all__ = ["ECCA_PROVENANCE", "ECCA_WEIGHTS", "count_score", "score_ecca"]

ECCA_PROVENANCE: Final = Provenance(
    reference="Dréno B, et al. Dermatology 2007;214:46-51",
    doi="10.1159/000096912",
    scoring_certainty="memory",
    note="Six items and validation verified; weights and count bands from memory (clinical-facts §2.3 [M]); "
    "range 0-540 derived; DOI from memory.",
)

#: Item weights in the contract's order (§2.3 [M]).
ECCA_WEIGHTS: Final[Mapping[str, int]] = {
    "icepick_v": 15,
    "boxcar_u": 20,
    "rolling_m": 25,
    "elastolysis": 30,
    "hypertrophic_recent": 40,
    "keloid_or_old_hypertrophic": 50,
}

ECCA_MAX: Final = 3 * sum(ECCA_WEIGHTS.values())


def count_score(count: int) -> int:
    """Semi-quantitative count score: 0 lesions 0, 1-4 1, 5-20 2, more than 20 3 (§2.3 [M])."""
    if count <= 0:
        return 0
    if count <= 4:
        return 1
    if count <= 20:
        return 2
    return 3


def score_ecca(data: EccaInput) -> EccaResult:
    """ECCA global score = Σ weight × count score, with per-item working."""
    counts = data.counts.model_dump()
    items = []
    for name, weight in ECCA_WEIGHTS.items():
        cs = count_score(counts[name])
        items.append(
            EccaItem(
                item=name, count=counts[name], weight=weight, count_score=cs, score=weight * cs
            )
        )
    return EccaResult(
        score=sum(i.score for i in items),
        max=ECCA_MAX,
        items=items,
        reference=ECCA_PROVENANCE.reference,
        provenance=ECCA_PROVENANCE,
    )
