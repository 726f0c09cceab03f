"""The one place that says which detectors exist, in the order they run.

A new detector is a class fitting detectors/base.Detector, added to DETECTORS
below; the run, the flags export, the model cards and `make eval` pick it up.
"""
from __future__ import annotations

from .base import Detector
from .rules import RULE_DETECTORS

DETECTORS: list[Detector] = [
    *RULE_DETECTORS,
]


def by_name() -> dict[str, Detector]:
    return {d.name: d for d in DETECTORS}
