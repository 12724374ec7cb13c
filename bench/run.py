"""`make bench`: every benchmark, one table each. Exit 1 if any misses its target."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
BENCHES = [
    "lookup_bench.py",
    "console_bench.py",
    "home_bench.py",  # `home` for a facilitator with 50 reflections, its charts cached
    "slack_bench.py",
    "teams_bench.py",
    "fanout_bench.py",
    "worst_bench.py",  # the costliest inputs, a 2,000-reply close, 10,000 long commands
    "soak_bench.py",  # last: 80 s of mixed load on one server
]


def main() -> int:
    failed = []
    for name in BENCHES:
        print(f"\n=== {name} ===", flush=True)
        env = {**os.environ, "PYTHONPATH": str(HERE.parent)}  # benches use tests' fakes
        if subprocess.run([sys.executable, str(HERE / name)], env=env).returncode != 0:
            failed.append(name)
    print("\nall targets met" if not failed else f"\ntargets missed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
