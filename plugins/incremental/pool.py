"""Work done in forked worker processes, one per core, which inherit the parent's memory."""

import multiprocessing
import pickle

from sitebuild.cpus import usable_cpus

# Below this many sources or pages, starting worker processes costs more than it saves.
DEFAULT_MIN_PARALLEL = 24


def worker_count(settings: dict) -> int:
    """How many processes to read or render with."""
    return max(1, settings.get("INCREMENTAL_WORKERS") or usable_cpus())


def sendable(error: BaseException) -> BaseException:
    """The error itself if it survives pickling, else one that says the same."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # any failure to pickle means we send a plain copy
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


# What the workers of the current forked_map inherit; set only while they run.
_inherited: tuple = ()


def inherited() -> tuple:
    """The work the parent handed to this worker process."""
    return _inherited


def forked_map(function, work: tuple, count: int, workers: int, initializer=None) -> list:
    """Run function(0..count-1) in forked workers, each inheriting work (see inherited())."""
    global _inherited
    context = multiprocessing.get_context("fork")
    chunk = max(1, count // (workers * 8))
    _inherited = work
    try:
        with context.Pool(workers, initializer=initializer) as pool:
            return pool.map(function, range(count), chunksize=chunk)
    finally:
        _inherited = ()
