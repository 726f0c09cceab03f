"""What every part of the generator shares: draws, scale, courts, staff, law and the truth being planted."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .courts import Bar, Staff


@dataclass
class Context:
    rngs: dict[str, np.random.Generator]
    scale: float
    noise: float
    courts: pd.DataFrame
    staff: Staff
    bar: Bar
    frames: pd.DataFrame           # law.frames(thresholds)
    thresholds: dict[str, float]
    rules: dict[str, float]
    truth: list[dict] = field(default_factory=list)
    # Lawful exceptions: records a rule must NOT flag (lawful_exceptions.csv; make eval counts their flags).
    exceptions: list[dict] = field(default_factory=list)

    def plant(self, kind: str, subject_type: str, domain: str, *, case=None, defendant=None,
              judge=None, court=None, lawyer=None, magnitude=None, note=None, _into=None):
        """Record planted anomalies (arrays of equal length; case numbers local to `domain`)."""
        sizes = [len(np.atleast_1d(v)) for v in (case, defendant, judge, court, lawyer) if v is not None]
        n = max(sizes) if sizes else 0
        if n == 0:
            return

        def col(v, dtype=np.int64, fill=-1):
            if v is None:
                return np.full(n, fill, dtype=dtype)
            return np.broadcast_to(np.asarray(v, dtype=dtype), n).copy()

        (self.truth if _into is None else _into).append(dict(
            kind=kind, subject_type=subject_type, domain=domain,
            case=col(case), defendant=col(defendant), judge=col(judge), court=col(court),
            lawyer=col(lawyer), magnitude=col(magnitude, np.float64, np.nan),
            note=np.broadcast_to(np.asarray(note if note is not None else "", dtype=object), n).copy(),
        ))

    def lawful(self, kind: str, detectors: tuple[str, ...], subject_type: str, domain: str, **ids):
        """Record lawful exceptions that each of `detectors` must leave unflagged (ids as for `plant`)."""
        for detector in detectors:
            before = len(self.exceptions)
            self.plant(kind, subject_type, domain, _into=self.exceptions, **ids)
            for row in self.exceptions[before:]:
                row["detector"] = detector
