"""Warning levels (高/中/低): one documented mapping from what a warning is about and how strong it is.

A level answers the court president's question "which warnings do I read first this week", so "high"
must stay a minority. It is set here, once, for every detector (base.finish_flags), from:

- the detector's kind — a written rule (`statute`), a rule of thumb (`heuristic`), a record that
  contradicts itself (`data_quality`), or a statistical model (`statistical`);
- for a written rule, what a breach puts at stake: a sentence the statute does not allow on the
  recorded facts touches a person's liberty (high); a procedural or financial duty (终本 steps, funds
  held, edits after closing) is medium;
- for a statistical warning, its strength: the false-discovery-adjusted q-value behind the score
  (score = −log10(q) / 6, so q ≈ 1.6·10⁻⁵ is 0.8 and q = 10⁻³ is 0.5).

| kind | level |
|---|---|
| statute, sentencing (a sentence outside what the law allows) | high |
| statute, other categories; statute rules in LEGAL_STAKE_MEDIUM | medium |
| heuristic, data_quality | low |
| statistical, score ≥ 0.8 (q ≤ 1.6·10⁻⁵) | high |
| statistical, score ≥ 0.5 (q ≤ 10⁻³) | medium |
| statistical, weaker | low |

A level is a reading order, never a finding.
"""
from __future__ import annotations

import math

from courtwatch.core.vocabulary import LEVELS

KINDS = ("statute", "heuristic", "data_quality", "statistical")
# Written sentencing rules whose breach is a wrong sentence but not a wrong deprivation of liberty.
LEGAL_STAKE_MEDIUM = frozenset({"missing_mandatory_fine"})
STATISTICAL_HIGH = 0.8
STATISTICAL_MEDIUM = 0.5


def kind_of(detector) -> str:
    """The detector's kind (a rule says its own; every other detector is a statistical model)."""
    kind = getattr(detector, "kind", "statistical")
    if kind not in KINDS:
        raise ValueError(f"detector {detector.name} has unknown kind {kind!r}")
    return kind


def statistical_level(score: float) -> str:
    if score >= STATISTICAL_HIGH:
        return "high"
    if score >= STATISTICAL_MEDIUM:
        return "medium"
    return "low"


def triage_level(detector, score: float, flag_kind: str | None = None) -> str:
    """The level of one warning of `detector` with `score` (see the table above).

    `flag_kind` is the kind one warning states for itself (its evidence's `rule_kind`), where a rule's rows
    differ: case_past_time_limit measures a case whose procedure is not recorded against the longest limit
    of its kind, and says so — that warning is a heuristic and is read as one.
    """
    kind = flag_kind or kind_of(detector)
    if kind not in KINDS:
        raise ValueError(f"detector {detector.name} returned a warning of unknown kind {kind!r}")
    if kind in ("heuristic", "data_quality"):
        return "low"
    if kind == "statute":
        if detector.category == "sentencing" and detector.name not in LEGAL_STAKE_MEDIUM:
            return "high"
        return "medium"
    return statistical_level(float(score))


def score_words(kind: str, score: float) -> tuple[str, str]:
    """What the 0–1 score means, in a sentence each in Chinese and English."""
    if kind != "statistical":
        return ("规则提示：记录显示不符合成文规则（或经验规则、记录自相矛盾），分数不表示程度，按级别排序。",
                "A rule warning: the record does not meet a written rule (or a rule of thumb, or contradicts "
                "itself); the score is not a degree, the level sets the order.")
    q = 10 ** (-6 * float(score))
    if q <= 1e-6:
        zh, en = "不到百万分之一", "under one in a million"
    else:
        one_in = 10 ** round(math.log10(1 / q))
        zh = f"约{_chinese_fraction(one_in)}"
        en = f"about one in {one_in:,}"
    return (f"统计强度：按错误发现率校正后，同类案件中纯属偶然出现这样偏离的可能性{zh}。",
            f"Statistical strength: after false-discovery adjustment, the chance of a deviation this large "
            f"among peers by coincidence is {en}.")


def _chinese_fraction(one_in: int) -> str:
    names = {1: "一", 10: "十分之一", 100: "百分之一", 1000: "千分之一", 10_000: "万分之一",
             100_000: "十万分之一", 1_000_000: "百万分之一"}
    return names.get(one_in, f"{one_in}分之一")


assert set(("low", "medium", "high")) == set(LEVELS)
