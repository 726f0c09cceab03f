"""The words flags and reviews are made of, defined once and imported everywhere they are used.

Detectors validate against these, the operational store accepts only these decisions, and the
dashboard and briefings list them in these orders; a new category or decision is added here only.
"""
from __future__ import annotations

# What a warning is about, in the order pages and briefings list them.
CATEGORIES = ("sentencing", "enforcement", "integrity", "data_quality")

# What a warning is raised on (the flags export's subject_type).
SUBJECT_TYPES = ("defendant", "case", "judge", "court", "judge_lawyer")

# Warning strength, weakest first; lists and tables show them strongest first.
LEVELS = ("low", "medium", "high")
LEVELS_STRONGEST_FIRST = tuple(reversed(LEVELS))

# What a reviewer may decide about a warning (recorded with who, when and why; never preselected).
DECISIONS = ("confirm_concern", "dismiss", "escalate", "needs_information")

# A warning nobody has decided on yet: "pending" in briefings' counts, "unreviewed" as a filter state.
PENDING = "pending"
UNREVIEWED = "unreviewed"
REVIEW_STATES = (UNREVIEWED, *DECISIONS)
