"""How many processors this process may run on, on Linux, macOS and Windows alike."""

import os


def usable_cpus() -> int:
    """The processors this process may use: its affinity where the system tells it, else all."""
    # os.process_cpu_count (Python 3.13+) honours affinity everywhere; sched_getaffinity is
    # Linux-only, and macOS has neither, so the machine's count is the last resort.
    counter = getattr(os, "process_cpu_count", None)
    if counter is not None:
        return counter() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1
