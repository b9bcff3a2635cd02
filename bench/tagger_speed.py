"""How fast the skill tagger is, on one core, with context handling included.

Usage:
    python bench/tagger_speed.py [--data ../shared/evaldata] [--seconds 5]

Prints utterances per second over the dev sets' items (each with its context), against the
target of 2,000/s; the start-up cost (importing the tagger and tagging one line, in a fresh
interpreter) measured against a bare interpreter's start in the same run, against the target of
1 s; and the time for one 100 kB utterance.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from roleplay.tagger import ContextTurn, tag

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "evaldata"
_ITEMS_FALLBACK = [
    ("我理解您很着急，您是3号下的单，对吗？", [ContextTurn(role="customer", text="我3号下的单到现在还没到，急死了")]),
    ("您希望退款还是换货呢？", []),
    ("So you feel nobody listened to you.", [ContextTurn(role="customer", text="Nobody ever listens to me.")]),
]


def _items(data: Path) -> list[tuple[str, list[ContextTurn]]]:
    items = []
    for name in ("zh_dev.jsonl", "annomi_dev.jsonl"):
        path = data / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            items.append((row["text"], [ContextTurn.model_validate(c) for c in row.get("context") or []]))
    return items or _ITEMS_FALLBACK


def _startup(code: str, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        begin = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - begin)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to keep tagging")
    args = parser.parse_args()
    items = _items(args.data)
    done = 0
    begin = time.perf_counter()
    while time.perf_counter() - begin < args.seconds:
        for text, context in items:
            tag(text, context)
        done += len(items)
    rate = done / (time.perf_counter() - begin)
    print(
        f"throughput: {rate:,.0f} utterances/s on one core over {len(items)} items with context "
        f"(target >= 2,000/s: {rate / 2000:.1f}x the target)"
    )

    bare = _startup("pass")
    loaded = _startup("from roleplay.tagger import tag; tag('您好，请问有什么可以帮您？')")
    print(
        f"start-up: bare interpreter {bare:.3f} s, import + first tag {loaded:.3f} s, "
        f"tagger's own cost {loaded - bare:.3f} s (target < 1 s)"
    )

    huge = ("亲，您说的情况我记下了，" * 10_000)[:100_000] + "请问您是哪天收到的？"
    begin = time.perf_counter()
    tag(huge, [ContextTurn(role="customer", text=huge)])
    print(f"one 100 kB utterance with a 100 kB context: {time.perf_counter() - begin:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
