"""Validated acne-scar and skin scales as pure functions (``contracts/scales.md``)."""

from scarwise.scales.models import ScoreResult
from scarwise.scales.registry import SCALES, Scale, get_scale, score

__all__ = ["SCALES", "Scale", "ScoreResult", "get_scale", "score"]
