"""`rounds console` as a person meets it: at a terminal (line editing, Ctrl-D), stopped with
Ctrl-C, and a second console started on the same database file."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.test_console import run_console

COMMAND = [sys.executable, "-m", "rounds.cli", "console", "--user", "sam", "--channel", "ops"]
HELP_DONE = "What Rounds stores, for how long"  # the last line of `help`


def environ(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "ROUNDS_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}", "TERM": "xterm"}


def read_until(fd: int, marker: str, seen: str = "", timeout: float = 30) -> str:
    """What `fd` gives until `marker` has appeared (or the time is up, or it closes)."""
    deadline = time.monotonic() + timeout
    while marker not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk.decode("utf-8", "replace")
    return seen


def started(tmp_path: Path) -> subprocess.Popen[str]:
    """A console over pipes that has answered `help`: up and reading its next line."""
    console = subprocess.Popen(
        COMMAND,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environ(tmp_path),
        text=True,
    )
    assert console.stdin is not None and console.stdout is not None
    console.stdin.write("help\n")
    console.stdin.flush()
    assert HELP_DONE in read_until(console.stdout.fileno(), HELP_DONE)
    return console


def test_ctrl_c_stops_the_console_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    console = started(tmp_path)
    console.send_signal(signal.SIGINT)
    out, err = console.communicate(timeout=30)
    assert console.returncode == 130, err
    assert out.splitlines()[-1] == "Rounds console stopped (Ctrl-C)."
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err


def test_at_a_terminal_the_up_arrow_recalls_a_line_and_ctrl_d_leaves(tmp_path: Path) -> None:
    main, terminal = pty.openpty()
    console = subprocess.Popen(
        COMMAND, stdin=terminal, stdout=terminal, stderr=terminal, env=environ(tmp_path)
    )
    os.close(terminal)
    try:
        seen = read_until(main, "you> ")
        assert "Rounds console. Type `help` to begin" in seen
        os.write(main, b"topics\r")
        assert "Manager–medic collaboration" in read_until(main, "you> ")  # the next prompt
        os.write(main, b"\x1b[A\r")  # Up, Enter: `topics` again
        seen = read_until(main, "you> ")
        assert "Manager–medic collaboration" in seen and "^[[A" not in seen
        assert "I don't know the command" not in seen
        os.write(main, b"\x04")  # Ctrl-D
        seen = read_until(main, "Rounds console closed.")
        assert console.wait(timeout=30) == 0
    finally:
        console.kill()
        os.close(main)
    assert "Rounds console closed." in seen and "Traceback" not in seen


def test_a_second_console_on_the_same_database_is_refused_clearly(tmp_path: Path) -> None:
    first = started(tmp_path)
    try:
        second = run_console("help\n", tmp_path)
        assert second.returncode == 1 and second.stdout == ""
        [line] = second.stderr.splitlines()
        assert "another Rounds console is using the database" in line
        assert str(tmp_path / "c.db") in line and "ROUNDS_DATABASE_URL=" in line
        other = run_console("help\n", tmp_path, ROUNDS_DATABASE_URL=f"sqlite:///{tmp_path}/o.db")
        assert other.returncode == 0, other.stderr  # a database of its own: fine
    finally:
        _, err = first.communicate("", timeout=30)
    assert first.returncode == 0, err
    assert run_console("help\n", tmp_path).returncode == 0  # free again once the first left
