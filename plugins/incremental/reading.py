"""Read sources in worker processes ahead of Pelican, and answer its reads from the cache."""

import os
from pathlib import Path

import smartypants
from pelican.generators import ArticlesGenerator, PagesGenerator
from typogrify.filters import typogrify

from .keys import digest
from .logs import collecting_records, replay
from .pool import DEFAULT_MIN_PARALLEL, forked_map, inherited, sendable, worker_count
from .read_cache import BuildState, ReadResult, portable, restored
from .speedups import speed_ups

TYPOGRIFY_DASHES = {
    "oldschool": smartypants.Attr.set2,
    "oldschool_inverted": smartypants.Attr.set3,
}


def typeset(text: str, settings: dict) -> str:
    """Apply typogrify as Pelican does when TYPOGRIFY is on."""
    smartypants.Attr.default = TYPOGRIFY_DASHES.get(
        settings.get("TYPOGRIFY_DASHES"), smartypants.Attr.set1
    )
    # Pelican also turns &quot; into curly quotes, for reStructuredText's sake.
    smartypants.Attr.default |= smartypants.Attr.w
    omitted = dict.fromkeys(settings.get("TYPOGRIFY_OMIT_FILTERS", []), False)
    return typogrify(text, settings.get("TYPOGRIFY_IGNORE_TAGS", []), **omitted)


def read_source(reader, path: str, settings: dict) -> ReadResult:
    """Read one source with the reader's own method, then typeset it if asked."""

    def read() -> tuple[str, dict]:
        with speed_ups(settings):
            return typeset_read()

    def typeset_read() -> tuple[str, dict]:
        content, metadata = reader.incremental_original_read(path)
        if settings.get("INCREMENTAL_TYPOGRIFY"):
            content = typeset(content, settings) if content else content
            for name in ("title", "summary"):
                if isinstance(metadata.get(name), str):
                    metadata[name] = typeset(metadata[name], settings)
        return content, metadata

    (content, metadata), records = collecting_records(read)
    return ReadResult(content, {k: portable(v) for k, v in metadata.items()}, records)


def read_in_worker(index: int) -> tuple[int, ReadResult | BaseException]:
    """Read the index-th source of the work the worker inherited."""
    readers, paths, settings = inherited()
    path = paths[index]
    reader = readers[path.rsplit(".", 1)[-1]]
    try:
        return index, read_source(reader, path, settings)
    except Exception as error:  # handed to Pelican, which reports it per file
        return index, sendable(error)


def source_files(generator) -> list[str]:
    """The absolute paths of the sources a generator is about to read."""
    names = {ArticlesGenerator: "ARTICLE", PagesGenerator: "PAGE"}[type(generator)]
    settings = generator.settings
    found = generator.get_files(settings[f"{names}_PATHS"], exclude=settings[f"{names}_EXCLUDES"])
    return sorted(os.path.abspath(os.path.join(generator.path, name)) for name in found)


def source_key(path: str) -> str:
    """The cache key of a source: its path and its bytes."""
    return digest(path, Path(path).read_bytes())


def file_identity(path: str) -> tuple:
    """What changes when a file is written: its inode, size and modification time."""
    status = os.stat(path)
    return status.st_ino, status.st_size, status.st_mtime_ns


def current_key(state: BuildState, path: str) -> str:
    """A source's key, made again when the file was written since it was last made.

    A build that is forked from a process that read the sources earlier (the preview's) may
    see edited sources under paths it already has keys for.
    """
    identity = file_identity(path)
    known = state.keys_by_path.get(path)
    if known is None or known[0] != identity:
        known = (identity, source_key(path))
        state.keys_by_path[path] = known
    return known[1]


def read_ahead(state: BuildState, readers: dict, paths: list[str]) -> None:
    """Read every source not in the cache, in parallel when there are many."""
    missing = []
    for path in paths:
        try:
            key = current_key(state, path)
        except OSError:
            continue  # Pelican reports an unreadable source when it gets to it
        if key not in state.cached:
            missing.append(path)
    workers = worker_count(state.settings)
    if len(missing) < state.settings.get("INCREMENTAL_MIN_PARALLEL", DEFAULT_MIN_PARALLEL):
        return  # read one by one as Pelican asks, without starting processes
    results = forked_map(read_in_worker, (readers, missing, state.settings), len(missing), workers)
    for index, result in results:
        path = missing[index]
        if isinstance(result, BaseException):
            state.failures[path] = result
        else:
            key = state.keys_by_path[path][1]
            state.cached[key] = result
            state.added.add(key)


class CachedRead:
    """A reader's `read`, answered from the cache and filling it."""

    def __init__(self, reader, state: BuildState) -> None:
        self.reader = reader
        self.state = state

    def __call__(self, path: str) -> tuple[str, dict]:
        """Return the source's content and metadata, as the reader would."""
        state = self.state
        if path in state.failures:
            raise state.failures.pop(path)
        key = current_key(state, path)
        result = state.cached.get(key)
        if result is None:
            result = read_source(self.reader, path, state.settings)
            state.cached[key] = result
            state.added.add(key)
        state.used[key] = result
        replay(result.records)
        metadata = {k: restored(v, state.settings) for k, v in result.metadata.items()}
        return result.content, metadata
