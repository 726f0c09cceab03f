"""Statistical sentencing detectors (issue 3). Filled in by the sentencing-model work."""
DETECTORS: list = []
