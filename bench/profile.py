"""Summarise a py-spy raw (collapsed stacks) profile: where the samples go.

uv run python bench/profile.py bench/results/profiles/oms-broadcast-5000.txt [--top 25]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in args.path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        samples = int(count)
        total += samples
        frames = [re.sub(r" \(.*?/(site-packages|src)/", " (", f) for f in stack.split(";")]
        own[frames[-1]] += samples
        for frame in set(frames):
            inclusive[frame] += samples
    print(f"{total} samples")
    print("\nself time:")
    for frame, samples in own.most_common(args.top):
        print(f"  {samples * 100 / total:5.1f}%  {frame}")
    print("\ninclusive time:")
    for frame, samples in inclusive.most_common(args.top):
        print(f"  {samples * 100 / total:5.1f}%  {frame}")


if __name__ == "__main__":
    main()
