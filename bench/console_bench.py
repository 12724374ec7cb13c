"""How long `rounds console` takes from start to its first answer.

Starts the real command with a pipe, sends `quote` at once, and times the first line of the
reply. A bare `python -c pass` start is timed in the same run for comparison, because these
machines are noisy. Target: first answer within 1.5 s."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 7
TARGET_S = 1.5


def first_answer(db: Path) -> float:
    env = {**os.environ, "ROUNDS_DATABASE_URL": f"sqlite:///{db}"}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rounds.cli", "console"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert proc.stdin and proc.stdout
    proc.stdin.write("quote\n")
    proc.stdin.flush()
    for line in proc.stdout:
        if line.startswith("“"):
            break
    elapsed = time.perf_counter() - started
    proc.stdin.close()
    proc.wait(timeout=30)
    return elapsed


def bare_python() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        first = [first_answer(Path(tmp) / f"c{i}.db") for i in range(RUNS)]
    bare = [bare_python() for _ in range(RUNS)]
    worst = max(first)
    print("console start to first answer (fresh database each run)")
    print(f"{'measure':<34}{'median s':>10}{'max s':>10}")
    print(f"{'rounds console, `quote`':<34}{statistics.median(first):>10.3f}{worst:>10.3f}")
    print(f"{'bare python -c pass':<34}{statistics.median(bare):>10.3f}{max(bare):>10.3f}")
    verdict = "PASS" if worst <= TARGET_S else "FAIL"
    print(f"target: max <= {TARGET_S} s ... {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
