"""courtwatch: warnings for human review on sentencing deviation, 终本 cases and integrity risks.

Flow: import folder → queries/ (DuckDB) → detectors/ → flags in the published
database → dashboard/ and briefings. No output of this package is a finding.
"""
__version__ = "0.1.0"
