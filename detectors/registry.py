"""The one place that says which detectors exist, in the order they run.

A new detector is a class fitting detectors/base.Detector, in its own file
of a family package (rules/, sentencing/, patterns/) and listed in that
package's DETECTORS (RULES for a written rule); the run, the flags export,
the model cards and `make eval` pick it up from here.
"""
from __future__ import annotations

from .base import Detector
from .patterns import DETECTORS as PATTERN_MODELS
from .rules import RULE_DETECTORS
from .sentencing import DETECTORS as SENTENCING_MODELS

DETECTORS: list[Detector] = [
    *RULE_DETECTORS,
    *SENTENCING_MODELS,
    *PATTERN_MODELS,
]


def by_name() -> dict[str, Detector]:
    return {d.name: d for d in DETECTORS}
