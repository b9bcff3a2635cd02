"""Does tagger scoring tell good practice from poor? Two checks, printed as figures.

Usage:
    python bench/grading_discrimination.py [--data ../shared/evaldata]

1. The customer engine's scripted students (tests/students.py): a good and a poor student chat
   offline with every shipped persona in every scenario; each pair of transcripts is graded with the
   default rubric. Per dimension: the mean level of each, and in how many pairs good >= poor / good > poor.
2. AnnoMI (English counselling transcripts by experts, high- vs low-quality practice): tagger
   scoring of the listening, question and restatement dimensions; the AUC of each and of their mean
   for telling high from low quality (target >= 0.75).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
import tempfile
from pathlib import Path
from statistics import mean

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from roleplay.grading.grade import grade_transcript  # noqa: E402
from roleplay.library import Library  # noqa: E402
from roleplay.store import SessionStore, open_database  # noqa: E402
from roleplay.transcript import Transcript, read_transcripts  # noqa: E402
from tests.students import STUDENTS, practise  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "evaldata"
SKILL_DIMENSIONS = ("listen_facts", "listen_feelings", "questioning", "restate_facts", "restate_feelings")


async def _transcript(library: Library, store: SessionStore, persona: str, scenario: str, student: str) -> Transcript:
    session = await practise(library, store, persona, scenario, STUDENTS[student], seed=11)
    return await session.end()


async def synthetic(library: Library) -> None:
    rubric = library.rubrics["default"]
    with tempfile.TemporaryDirectory() as folder:
        store = SessionStore(open_database(f"sqlite:///{Path(folder, 'd.db').as_posix()}"))
        levels: dict[str, dict[str, list[float]]] = {"good": {}, "poor": {}}
        pairs = 0
        at_least = {d.dimension_id: 0 for d in rubric.dimensions}
        both = {d.dimension_id: 0 for d in rubric.dimensions}
        above = {d.dimension_id: 0 for d in rubric.dimensions}
        for persona in sorted(library.personas):
            for scenario in sorted(library.scenarios):
                reports = {}
                for name in ("good", "poor"):
                    transcript = await _transcript(library, store, persona, scenario, name)
                    reports[name] = await grade_transcript(transcript, rubric, library=library)
                pairs += 1
                for dim in rubric.dimensions:
                    good = next(d.level for d in reports["good"].dimensions if d.dimension_id == dim.dimension_id)
                    poor = next(d.level for d in reports["poor"].dimensions if d.dimension_id == dim.dimension_id)
                    for name, value in (("good", good), ("poor", poor)):
                        if value is not None:
                            levels[name].setdefault(dim.dimension_id, []).append(value)
                    if good is not None and poor is not None:
                        both[dim.dimension_id] += 1
                        at_least[dim.dimension_id] += good >= poor
                        above[dim.dimension_id] += good > poor
    print(f"1. scripted students, {pairs} persona x scenario pairs, default rubric (tagger scoring)")
    print("   (pairs counted where both chats have the dimension; a chat ended early has some n/a)")
    print(f"   {'dimension':<18}{'good':>7}{'poor':>7}{'good>=poor':>12}{'good>poor':>11}")
    for dim in rubric.dimensions:
        good = levels["good"].get(dim.dimension_id, [])
        poor = levels["poor"].get(dim.dimension_id, [])
        good_mean = mean(good) if good else float("nan")
        poor_mean = mean(poor) if poor else float("nan")
        print(
            f"   {dim.dimension_id:<18}{good_mean:>7.2f}{poor_mean:>7.2f}"
            f"{at_least[dim.dimension_id]:>8}/{both[dim.dimension_id]:<3}{above[dim.dimension_id]:>7}/{both[dim.dimension_id]}"
        )


def auc(high: list[float], low: list[float]) -> float:
    """Probability that a random high-quality session scores above a random low-quality one (ties 1/2)."""
    wins = sum(1.0 if h > lo else 0.5 if h == lo else 0.0 for h in high for lo in low)
    return wins / (len(high) * len(low))


async def annomi(library: Library, data: Path) -> None:
    rubric = library.rubrics["default"]
    quality = {row["transcript"]: row["mi_quality"] for row in csv.DictReader((data / "annomi_dev_quality.csv").open())}
    scores: dict[str, dict[str, list[float]]] = {"high": {}, "low": {}}
    for name, label in sorted(quality.items()):
        transcript = read_transcripts(data / "annomi_dev_transcripts" / f"{name}.txt")[0]
        transcript = transcript.model_copy(update={"language": "en"})
        report = await grade_transcript(transcript, rubric, library=library)
        levels = {d.dimension_id: d.level for d in report.dimensions}
        skill = [levels[d] for d in SKILL_DIMENSIONS if levels.get(d) is not None]
        for dim in SKILL_DIMENSIONS:
            if levels.get(dim) is not None:
                scores[label].setdefault(dim, []).append(levels[dim])  # type: ignore[arg-type]
        scores[label].setdefault("mean of the five", []).append(mean(skill) if skill else 0.0)
    high, low = scores["high"], scores["low"]
    counts = f"{len(high['mean of the five'])} high-quality, {len(low['mean of the five'])} low-quality"
    print(f"\n2. AnnoMI dev transcripts: {counts}")
    for dim in (*SKILL_DIMENSIONS, "mean of the five"):
        h, lo = high.get(dim, []), low.get(dim, [])
        if h and lo:
            print(f"   {dim:<18} AUC {auc(h, lo):.3f}   mean high {mean(h):.2f}, low {mean(lo):.2f}")
    print(f"   target: AUC of the mean >= 0.75 -> {auc(high['mean of the five'], low['mean of the five']):.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    library = Library.load(ROOT)
    asyncio.run(synthetic(library))
    if (args.data / "annomi_dev_quality.csv").exists():
        asyncio.run(annomi(library, args.data))
    else:
        print(f"\n(no AnnoMI data in {args.data}; pass --data)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
