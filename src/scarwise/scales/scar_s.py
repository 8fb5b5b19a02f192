"""SCAR-S: Scale for Acne Scar Severity, rated separately for face, chest and back (0-5 each).

Tan JKL, Tang J, Fung K, et al. Development and validation of a Scale for Acne Scar Severity
(SCAR-S) of the face and trunk. J Cutan Med Surg 2010;14(4):156-60. doi:10.2310/7750.2010.09037
(research note R10).

Certainty (``shared/research/clinical-facts.md`` §2.4): six categories per site and "clinically
relevant = mild or worse" are verified [V]; the category names are from memory [M]. The published
combination of the three sites is not verified, so sites are never summed: ``score`` is the
highest site rating.
"""

from __future__ import annotations

from typing import Final

from scarwise.errors import InvalidInput, Problem
from scarwise.scales.models import Provenance, ScarSInput, ScarSItem, ScarSResult

__all__ = ["SCAR_S_LABELS", "SCAR_S_PROVENANCE", "score_scar_s"]

SCAR_S_PROVENANCE: Final = Provenance(
    reference="Tan JKL, et al. J Cutan Med Surg 2010;14:156-60",
    doi="10.2310/7750.2010.09037",
    scoring_certainty="verified",
    note="Six categories per site and 'clinically relevant = mild or worse' verified; category names from memory "
    "(clinical-facts §2.4); sites are never summed.",
)

SCAR_S_LABELS: Final = ("clear", "almost clear", "mild", "moderate", "severe", "very severe")
CLINICALLY_RELEVANT_FROM: Final = 2


def score_scar_s(data: ScarSInput) -> ScarSResult:
    """Per-site SCAR-S ratings; ``score`` is the highest; sites rated 2+ are clinically relevant."""
    rated = {
        site: getattr(data, site)
        for site in ("face", "chest", "back")
        if getattr(data, site) is not None
    }
    if not rated:
        raise InvalidInput(
            problems=[Problem("face|chest|back", "at least one site rated 0-5", "no site")],
            prefix="input",
        )
    items = [
        ScarSItem(item=site, score=value, label=SCAR_S_LABELS[value])
        for site, value in rated.items()
    ]
    worst = max(rated.values())
    return ScarSResult(
        score=worst,
        max=5,
        label=SCAR_S_LABELS[worst],
        items=items,
        clinically_relevant=[s for s, v in rated.items() if v >= CLINICALLY_RELEVANT_FROM],
        reference=SCAR_S_PROVENANCE.reference,
        provenance=SCAR_S_PROVENANCE,
    )
