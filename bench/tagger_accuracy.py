"""Measure the skill tagger against the outside-labelled dev sets.

Usage:
    python bench/tagger_accuracy.py [--data ../shared/evaldata] [--errors N]

Prints, on the Chinese set, precision / recall / F1 / support for each question type, the two
restatement labels and "is a question at all", and macro-F1 over the five question types; on the
AnnoMI set (English), Cohen's kappa for the three-way label none / open / closed and F1 for "any
restatement" against AnnoMI's reflection label. ``--errors N`` lists N misses per label, to study
the error *patterns* (never to copy items into rules).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's package, not an installed one

from roleplay.acts import QUESTION_TYPES  # noqa: E402
from roleplay.tagger import ContextTurn, TagResult, tag  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "evaldata"


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: bool, predicted: bool) -> None:
        self.tp += gold and predicted
        self.fp += predicted and not gold
        self.fn += gold and not predicted

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn


def load(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def run(item: dict[str, object]) -> TagResult:
    context = [ContextTurn.model_validate(turn) for turn in item.get("context") or []]  # type: ignore[attr-defined]
    return tag(str(item["text"]), context)


def chinese(items: list[dict[str, object]], show_errors: int) -> None:
    labels = [*QUESTION_TYPES, "restate_fact", "restate_feeling", "any_question"]
    scores = {label: Score() for label in labels}
    errors: dict[str, list[str]] = {label: [] for label in labels}
    for item in items:
        result = run(item)
        gold_q = set(item["question_types"])  # type: ignore[call-overload]
        pred_q = set(result.question_types)
        pairs = {q: (q in gold_q, q in pred_q) for q in QUESTION_TYPES}
        pairs["restate_fact"] = (bool(item["restate_fact"]), result.restate_fact)
        pairs["restate_feeling"] = (bool(item["restate_feeling"]), result.restate_feeling)
        pairs["any_question"] = (bool(gold_q), bool(pred_q))
        for label, (gold, predicted) in pairs.items():
            scores[label].add(gold, predicted)
            if gold != predicted and len(errors[label]) < show_errors:
                kind = "missed" if gold else "false"
                rules = [f"{a.act}:{a.rule}" for a in result.acts]
                errors[label].append(f"  {kind} {item['id']}: {item['text']!s:.90}  -> {rules}")
    print(f"Chinese dev set: {len(items)} utterances")
    print(f"{'label':<18}{'P':>7}{'R':>7}{'F1':>7}{'support':>9}")
    for label in labels:
        s = scores[label]
        print(f"{label:<18}{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}{s.support:>9}")
    macro = sum(scores[q].f1 for q in QUESTION_TYPES) / len(QUESTION_TYPES)
    print(f"macro-F1 over the five question types: {macro:.3f}  (target >= 0.80)")
    print(f"restate_fact F1 {scores['restate_fact'].f1:.3f} (>= 0.80)")
    print(f"restate_feeling F1 {scores['restate_feeling'].f1:.3f} (>= 0.85)")
    print(f"question precision {scores['any_question'].precision:.3f} (>= 0.90)")
    for label, lines in errors.items():
        if lines:
            print(f"\nerrors for {label}:")
            print("\n".join(lines))


def three_way(types: Iterable[str]) -> str:
    """AnnoMI codes one question per utterance: open wins when both kinds are present."""
    found = set(types)
    if "open" in found:
        return "open"
    return "closed" if found else "none"


def kappa(pairs: list[tuple[str, str]]) -> float:
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    gold, pred = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(gold[c] * pred[c] for c in gold) / (n * n)
    return (observed - expected) / (1 - expected)


def annomi(items: list[dict[str, object]], show_errors: int) -> None:
    pairs: list[tuple[str, str]] = []
    reflection = Score()
    errors: list[str] = []
    for item in items:
        result = run(item)
        gold = three_way(item["question_types"])  # type: ignore[arg-type]
        predicted = three_way(result.question_types)
        pairs.append((gold, predicted))
        gold_reflection = item["reflection"] is not None
        predicted_reflection = result.restate_fact or result.restate_feeling
        reflection.add(gold_reflection, predicted_reflection)
        if (gold != predicted or gold_reflection != predicted_reflection) and len(errors) < show_errors:
            change = f"q {gold}->{predicted} refl {gold_reflection}->{predicted_reflection}"
            errors.append(f"  {item['id']}: {change}: {item['text']!s:.100}")
    matrix = Counter(pairs)
    print(f"\nAnnoMI dev set: {len(items)} therapist utterances")
    print("confusion (gold -> predicted): " + ", ".join(f"{g}->{p}: {c}" for (g, p), c in sorted(matrix.items())))
    print(f"none/open/closed Cohen's kappa: {kappa(pairs):.3f}  (target >= 0.55; experts 0.74)")
    print(
        f"any restatement vs reflection: P {reflection.precision:.3f} R {reflection.recall:.3f} "
        f"F1 {reflection.f1:.3f} support {reflection.support}  (target F1 >= 0.50)"
    )
    if errors:
        print("\n".join(errors))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with zh_dev.jsonl, annomi_dev.jsonl")
    parser.add_argument("--errors", type=int, default=0, help="list this many errors per label")
    args = parser.parse_args()
    if not (args.data / "zh_dev.jsonl").exists():
        print(f"no zh_dev.jsonl in {args.data}; pass --data", file=sys.stderr)
        return 2
    chinese(load(args.data / "zh_dev.jsonl"), args.errors)
    annomi(load(args.data / "annomi_dev.jsonl"), args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
