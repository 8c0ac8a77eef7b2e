"""Run every benchmark (`make bench`); each writes its own section of docs/benchmarks.md.

`python benchmarks/run.py [--large]`: `--large` adds the `--scale 100` runs, which take
tens of minutes and about 12 GiB of memory.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    "load",
    "memory",
    "api",
    "recommend",
    "analytics",
    "planning",
    "neo4j",
    "explorer",
    "loadtest",
]
SCALED = ("load", "memory")  # the scripts --large runs at --scale 100 too


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large", action="store_true", help="also measure at --scale 100")
    args = parser.parse_args()
    failed = []
    for name in SCRIPTS:
        extra = ["--scale", "1", "--scale", "100"] if args.large and name in SCALED else []
        print(f"== {name}", flush=True)
        done = subprocess.run([sys.executable, str(HERE / f"{name}.py"), *extra], check=False)
        if done.returncode:
            failed.append(name)
    if failed:
        sys.exit(f"benchmarks failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
