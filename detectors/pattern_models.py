"""Statistical 终本 and integrity detectors (issue 3). Filled in by the pattern-model work."""
DETECTORS: list = []
