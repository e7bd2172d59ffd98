"""Run a command and measure its wall time and the peak memory of its whole process tree."""

import contextlib
import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.02


@dataclass(frozen=True)
class Measurement:
    """How long a command took and the most memory its processes held at once (PSS)."""

    seconds: float
    peak_bytes: int


class CommandFailed(Exception):
    """A measured command exited non-zero."""


def descendants(pid: int) -> list[int]:
    """The process and all its children, grandchildren and so on."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        # A process may end at any moment: while its tasks are listed, or read.
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{current}/task").iterdir():
                with contextlib.suppress(OSError):
                    queue += [int(c) for c in (task / "children").read_text().split()]
    return found


def proportional_set_size(pid: int) -> int:
    """The process's share of the memory it uses (shared pages split among their users)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def cpu_ticks(pid: int) -> int:
    """The CPU time (in clock ticks) a process and its living descendants have used."""
    total = 0
    for member in descendants(pid):
        with contextlib.suppress(OSError, ValueError, IndexError):  # it may have just ended
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime and stime
    return total


def wait_until_idle(pid: int, timeout: float, window: float = 0.5, busy_ticks: int = 5) -> None:
    """Wait until a process tree uses almost no CPU for a moment, or until timeout passes."""
    deadline = time.monotonic() + timeout
    before = cpu_ticks(pid)
    while time.monotonic() < deadline:
        time.sleep(window)
        now = cpu_ticks(pid)
        if now - before < busy_ticks:
            return
        before = now


def run_measured(command: list[str], cwd: Path | None = None) -> Measurement:
    """Run command; sample its process tree's memory while it runs; fail if it fails."""
    # Earlier builds' writes still on their way to disk would slow this one down: a build
    # that encoded hundreds of photos leaves the disk busy for seconds after it ends.
    os.sync()
    peak = 0
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, sum(map(proportional_set_size, descendants(process.pid))))
            done.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, errors = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise CommandFailed(f"{' '.join(command)} failed:\n{errors[-2000:]}")
    return Measurement(seconds, peak)
