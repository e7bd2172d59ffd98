"""The output folders of a build: the site before last to build into, the swap, and its manifest.

A failed build leaves what it wrote in `output.attempted/` (links to its files), to be looked at.

A build writes into `.output.previous` (the site before the current one), keeping the pages that
are still current there and sweeping out the rest, and then swaps it with `output/`. The manifest
keeps each folder's page keys by the folder's identity, so a key vouches only for the folder it
was made in, whatever that folder is renamed to.
"""

import contextlib
import fcntl
import os
import pickle
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

# Touched when writing starts: files older than it that this build did not write are stale.
STARTED_MARKER = ".incremental-started"


def previous_tree(output: Path) -> Path:
    """Where the site before output's is kept, for the next build to start from."""
    return output.with_name(f".{output.name}.previous")


def parked(output: Path) -> Path:
    """Where output waits for a moment while a new build takes its place."""
    return output.with_name(f".{output.name}.swapping")


def attempted_tree(output: Path) -> Path:
    """Where a failed build leaves the site it attempted, to be opened and looked at."""
    return output.with_name(f"{output.name}.attempted")


def keep_attempt(staging: Path, attempted: Path) -> None:
    """Keep what a failed build wrote, as links to its files, in place of an older attempt."""
    shutil.rmtree(attempted, ignore_errors=True)
    if (staging / "index.html").is_file():
        shutil.copytree(staging, attempted, copy_function=os.link)


def remove_stale_staging(output: Path) -> None:
    """Tidy up after builds that were killed mid-way, keeping the previous site for reuse."""
    if not output.exists() and parked(output).is_dir():
        parked(output).rename(output)  # killed between the two renames of a swap
    for stale in output.parent.glob(f".{output.name}.*"):
        if stale != previous_tree(output):
            shutil.rmtree(stale, ignore_errors=True)


def staging_tree(output: Path) -> tuple[Path, bool]:
    """The folder to build into, and whether it holds an earlier site to reuse."""
    previous = previous_tree(output)
    if previous.is_dir():
        return previous, True
    previous.mkdir()
    return previous, False


def swap_into_place(staging: Path, output: Path) -> None:
    """Put staging in output's place, and output in staging's, for the next build to reuse.

    A reader sees the old site or the new one, never a mix; only for an instant neither.
    """
    if output.exists():
        output.rename(parked(output))
    try:
        staging.rename(output)
    except OSError:
        if parked(output).exists():
            parked(output).rename(output)
        raise
    if parked(output).exists():
        parked(output).rename(staging)


@contextlib.contextmanager
def build_lock(output: Path) -> Iterator[None]:
    """Hold output's build lock, so two builds never remove each other's staging directory."""
    with open(output.with_name(f".{output.name}-build.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def write_atomically(path: Path, data: bytes) -> None:
    """Replace a file in one step, so a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as f:
        f.write(data)
    os.replace(f.name, path)


def folder_id(path: str | os.PathLike) -> tuple[int, int] | None:
    """A folder's device and inode: the same folder whatever it is renamed to."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino


def load_manifest(path: Path) -> dict[tuple[int, int], dict[str, str]]:
    """Page keys by the folder they describe, as the last build left them."""
    try:
        with path.open("rb") as file:
            manifest = pickle.load(file)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def save_manifest(path: Path, manifest: dict) -> None:
    """Write the page keys of each folder."""
    write_atomically(path, pickle.dumps(manifest, pickle.HIGHEST_PROTOCOL))


def sweep(root: str, started: Path, produced: set[str], kept: list[str]) -> set[str]:
    """Delete what an earlier build left in root and this one did not write, then the marker.

    A file is stale when the build did not produce it and it is older than the marker the build
    touched as it started; folders named in kept (filled by other tools) are left alone. Returns
    the files left, as paths relative to root with "/" between folders, those in kept aside.
    """
    since = started.stat().st_mtime_ns
    kept_paths = [os.path.join(root, name) for name in kept]
    left = set()
    for folder, _, names in os.walk(root, topdown=False):
        if any(folder == k or folder.startswith(k + os.sep) for k in kept_paths):
            continue
        # os.walk gives folders below root as root + separator + their path.
        relative = folder[len(root) + 1 :]
        prefix = relative.replace(os.sep, "/") + "/" if relative else ""
        for name in names:
            path = os.path.join(folder, name)
            if path not in produced and os.stat(path).st_mtime_ns < since:
                os.unlink(path)
            else:
                left.add(prefix + name)
        if folder != root and not os.listdir(folder):
            os.rmdir(folder)
    started.unlink()
    left.discard(STARTED_MARKER)
    return left
