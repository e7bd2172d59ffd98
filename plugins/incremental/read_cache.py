"""What earlier builds read, kept under each source's path and bytes, and this build's state."""

import pickle
from dataclasses import dataclass, field
from pathlib import Path

from pelican.urlwrappers import URLWrapper

from sitebuild.staging import write_atomically

from .keys import environment_digest
from .logs import LoggedRecord

CACHE_FOLDER = "incremental"


# A read cache is rewritten, not appended to, when it holds this many more records than twice
# the sources it is used for.
MIN_CACHE_RECORDS = 64


# Read caches of other settings kept, so switching between local and production builds is cheap.
KEPT_READ_CACHES = 4


# Where a build's state is kept: in its settings, so it lives exactly as long as they do (the
# preview keeps a site's settings while it keeps the site as read).
STATE_SETTING = "INCREMENTAL_BUILD_STATE"


@dataclass(frozen=True)
class WrappedName:
    """A category, tag or author without the settings it carries, so it pickles small."""

    kind: type
    name: str


@dataclass
class ReadResult:
    """What a reader made of one source: its HTML, its metadata and what it logged."""

    content: str
    metadata: dict
    records: list[LoggedRecord]


@dataclass
class BuildState:
    """What this plugin knows during one build."""

    settings: dict
    environment: str
    cache_file: Path
    cached: dict[str, ReadResult]
    records_in_file: int
    used: dict[str, ReadResult] = field(default_factory=dict)
    # Each source's key, with the file's identity when the key was made.
    keys_by_path: dict[str, tuple[tuple, str]] = field(default_factory=dict)
    failures: dict[str, BaseException] = field(default_factory=dict)
    static_outputs: set[str] = field(default_factory=set)
    added: set[str] = field(default_factory=set)
    # The page keys' descriptions of the site, made once where the preview keeps the site read.
    page_keys: object | None = None
    # Posts' and categories' URLs, kept with the site read there (the opt-in speed-ups).
    urls: dict = field(default_factory=dict)


def portable(value: object) -> object:
    """A metadata value with its categories, tags and authors stripped of their settings."""
    if isinstance(value, URLWrapper):
        return WrappedName(type(value), value.name)
    if isinstance(value, list):
        return [portable(item) for item in value]
    return value


def restored(value: object, settings: dict) -> object:
    """A metadata value as the reader made it, from its portable form."""
    if isinstance(value, WrappedName):
        return value.kind(value.name, settings)
    if isinstance(value, list):
        return [restored(item, settings) for item in value]
    return value


def load_read_cache(path: Path) -> tuple[dict[str, ReadResult], int]:
    """The read results kept by earlier builds with the same settings, and how many records.

    The file is a run of (key, result) records, later ones winning; reading stops at the first
    damaged record (a build killed while appending), which costs only those results.
    """
    cached, records = {}, 0
    try:
        with path.open("rb") as file:
            while True:
                key, result = pickle.load(file)
                cached[key] = result
                records += 1
    except FileNotFoundError:
        pass
    except (EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
        pass
    return cached, records


def prune_read_caches(folder: Path, keep: Path) -> None:
    """Delete all but the most recently used read caches."""
    caches = sorted(folder.glob("read-*.records"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in [c for c in caches if c != keep][KEPT_READ_CACHES - 1 :]:
        stale.unlink(missing_ok=True)


def state_for(settings: dict) -> BuildState:
    """This build's state, made when the first generator starts."""
    state = settings.get(STATE_SETTING)
    if state is None:
        environment = environment_digest(settings)
        cache_file = Path(settings["CACHE_PATH"], CACHE_FOLDER, f"read-{environment[:20]}.records")
        state = BuildState(settings, environment, cache_file, *load_read_cache(cache_file))
        settings[STATE_SETTING] = state
    return state


def save_read_cache(state: BuildState) -> None:
    """Append this build's new results; rewrite the file when most of it is no longer used."""
    added = [key for key in state.added if key in state.used]
    if state.records_in_file + len(added) > 2 * len(state.used) + MIN_CACHE_RECORDS:
        records = b"".join(
            pickle.dumps(record, pickle.HIGHEST_PROTOCOL) for record in state.used.items()
        )
        write_atomically(state.cache_file, records)
        prune_read_caches(state.cache_file.parent, state.cache_file)
    elif added:
        state.cache_file.parent.mkdir(parents=True, exist_ok=True)
        with state.cache_file.open("ab") as file:
            for key in added:
                file.write(pickle.dumps((key, state.used[key]), pickle.HIGHEST_PROTOCOL))
