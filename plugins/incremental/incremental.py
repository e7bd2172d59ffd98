"""Build fast: read sources and render pages on every core, and redo only what changed.

Reading: each source is read (Markdown, highlighting, then typogrify, which this plugin applies
in Pelican's place so that it is cached too) in a pool of worker processes, and the result is
kept in CACHE_PATH under its path and bytes. The cache file's name carries a digest of all else
that shapes reading (settings, plugin code, library versions), so changing any of them starts a
fresh cache. Warnings from reading are kept with the result and repeated on every build, so a
cached post warns, and fails a strict build, as if read anew.

Writing: the writer (given to Pelican through `get_writer`) keys every page by its template,
the site-wide data (settings, theme, plugins, every post's metadata) and the full text of the
posts it shows: its own, or those on its page of a listing. Pages with a new key are rendered in
parallel; the others are hard-linked from the previous build (INCREMENTAL_OUTPUT). This is exact
because a template shows the text of its own post and of the posts on its page only; all it shows
of other posts comes from their metadata. List this plugin before any that reads the output when
the build ends: pages are written when `finalized` reaches it.
"""

import contextlib
import copy
import functools
import hashlib
import logging
import multiprocessing
import os
import pickle
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata as distributions
from pathlib import Path
from typing import ClassVar

import markdown
import smartypants
from jinja2 import FileSystemBytecodeCache
from pelican import readers as pelican_readers
from pelican import signals
from pelican.contents import Content
from pelican.generators import ArticlesGenerator, PagesGenerator
from pelican.paginator import Paginator
from pelican.urlwrappers import URLWrapper
from pelican.utils import get_relative_path, path_to_url, sanitised_join
from pelican.writers import FileOverwriteFailedError, Writer
from typogrify.filters import typogrify

from sitebuild.cpus import usable_cpus

logger = logging.getLogger(__name__)

# Python's packages whose code shapes what a source reads as or a page renders as.
DEFAULT_PACKAGES = (
    "pelican",
    "markdown",
    "pygments",
    "pymdown-extensions",
    "typogrify",
    "smartypants",
    "jinja2",
    "feedgenerator",
)
# Below this many sources or pages, starting worker processes costs more than it saves.
DEFAULT_MIN_PARALLEL = 24
CACHE_FOLDER = "incremental"
# Touched when writing starts: files older than it that this build did not write are stale.
STARTED_MARKER = ".incremental-started"
# A read cache is rewritten, not appended to, when it holds this many more records than twice
# the sources it is used for.
MIN_CACHE_RECORDS = 64
# Read caches of other settings kept, so switching between local and production builds is cheap.
KEPT_READ_CACHES = 4
# Settings that name where this build writes, which differs from build to build.
VOLATILE_SETTINGS = frozenset(
    {"OUTPUT_PATH", "INCREMENTAL_OUTPUT", "localsiteurl", "INCREMENTAL_BUILD_STATE"}
)
# Where a build's state is kept: in its settings, so it lives exactly as long as they do (the
# preview keeps a site's settings while it keeps the site as read).
STATE_SETTING = "INCREMENTAL_BUILD_STATE"
# Attributes of a content object that are not metadata, or are its text (digested apart).
NON_METADATA_ATTRIBUTES = frozenset(
    {"settings", "_context", "_content", "_summary", "content", "summary", "metadata"}
)
TEXT_METADATA = frozenset({"summary"})
MEMORY_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
# smartypants runs some twenty regular expressions over every run of text between two tags.
# Each of these conversions leaves a text without any of its trigger strings as it is, so for
# such a text (most of them) it is skipped: the same output, typogrify about twice as fast.
SMARTYPANTS_TRIGGERS = {
    "process_escapes": ("\\",),
    "convert_dashes": ("--",),
    "convert_dashes_oldschool": ("--",),
    "convert_dashes_oldschool_inverted": ("--",),
    "convert_ellipses": ("...", ". . ."),
    "convert_backticks": ("``", "''"),
    "convert_single_backticks": ("`", "'"),
    "convert_quotes": ("'", '"'),
}
TYPOGRIFY_DASHES = {
    "oldschool": smartypants.Attr.set2,
    "oldschool_inverted": smartypants.Attr.set3,
}


@dataclass(frozen=True)
class LoggedRecord:
    """A warning or error logged while reading or rendering, to be logged again later."""

    name: str
    level: int
    message: str
    arguments: tuple


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


_writers: dict[str, "IncrementalWriter"] = {}
# Set just before worker processes fork, which inherit it; never used across builds.
_fork_work: tuple = ()


def worker_count(settings: dict) -> int:
    """How many processes to read or render with."""
    return max(1, settings.get("INCREMENTAL_WORKERS") or usable_cpus())


def stable_text(value: object, describe) -> str:
    """A text for a value that is equal for equal values in any process; describe gives parts'."""
    if value is None or isinstance(value, str | bool | int | float):
        return repr(value)
    if isinstance(value, Content):
        return f"Content({value.source_path!r})"
    if isinstance(value, URLWrapper):
        return f"{type(value).__name__}({value.name!r},{value.slug!r},{value.url!r})"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return (
            "{" + ",".join(sorted(f"{describe(k)}:{describe(v)}" for k, v in value.items())) + "}"
        )
    if isinstance(value, set | frozenset):
        return "{" + ",".join(sorted(describe(item) for item in value)) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(describe(item) for item in value) + "]"
    if isinstance(value, os.PathLike):
        return repr(os.fspath(value))
    return MEMORY_ADDRESS.sub("", repr(value))


def plain_text(value: object) -> str:
    """A stable text for a value, naming any post in it by its source."""
    return stable_text(value, plain_text)


def digest(*parts: str | bytes) -> str:
    """A hex digest of some texts, none of which can run into the next."""
    hasher = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def folder_digest(folders: list[str]) -> str:
    """A digest of every file below some folders, names and bytes."""
    parts = []
    for folder in folders:
        root = Path(folder)
        for path in sorted(root.rglob("*")) if root.is_dir() else []:
            if path.is_file() and "__pycache__" not in path.parts:
                parts += [path.relative_to(root).as_posix(), path.read_bytes()]
    return digest(*parts)


def settings_text(settings: dict) -> str:
    """The settings as stable text, without those naming this build's output folder."""
    return plain_text({k: v for k, v in settings.items() if k not in VOLATILE_SETTINGS})


def package_versions(settings: dict) -> str:
    """The installed versions of the packages that shape the output."""
    versions = []
    for name in settings.get("INCREMENTAL_PACKAGES", DEFAULT_PACKAGES):
        try:
            versions.append(f"{name}=={distributions.version(name)}")
        except distributions.PackageNotFoundError:
            versions.append(f"{name} absent")
    return ",".join(versions)


def environment_digest(settings: dict) -> str:
    """A digest of everything besides the sources that shapes the built site."""
    return digest(
        settings_text(settings),
        folder_digest(settings.get("PLUGIN_PATHS", [])),
        folder_digest([settings["THEME"]]),
        package_versions(settings),
    )


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


class RecordCollector(logging.Handler):
    """Keep the warnings and errors logged while it is installed, instead of printing them."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[LoggedRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record with its arguments as plain values."""
        arguments = record.args if isinstance(record.args, tuple) else ()
        plain = tuple(a if isinstance(a, str | int | float) else str(a) for a in arguments)
        message = str(record.msg) if arguments else record.getMessage()
        self.records.append(LoggedRecord(record.name, record.levelno, message, plain))


def collecting_records(action):
    """Run action with every warning and error kept aside; return its result and the records."""
    root = logging.getLogger()
    collector = RecordCollector()
    saved = root.handlers[:]
    root.handlers = [collector]
    try:
        return action(), collector.records
    finally:
        root.handlers = saved


def replay(records: list[LoggedRecord]) -> None:
    """Log kept records again, so they reach this build's handlers."""
    for record in records:
        logger_of_record = logging.getLogger(record.name)
        made = logger_of_record.makeRecord(
            record.name, record.level, "(replayed)", 0, record.message, record.arguments, None
        )
        # Straight to the handlers: Pelican's loggers drop a message they have passed once, and
        # a cold read passed it while it was being kept aside, so logging it again would lose it.
        logger_of_record.callHandlers(made)


def skipped_without_triggers(convert, triggers: tuple[str, ...]):
    """A smartypants conversion that returns a text untouched when no trigger is in it."""

    @functools.wraps(convert)
    def quick(text: str, *arguments):
        return convert(text, *arguments) if any(t in text for t in triggers) else text

    quick.incremental_original = convert
    return quick


@contextlib.contextmanager
def quick_smartypants() -> Iterator[None]:
    """Within the block, smartypants skips the conversions that cannot change a text."""
    originals = {name: getattr(smartypants, name) for name in SMARTYPANTS_TRIGGERS}
    for name, triggers in SMARTYPANTS_TRIGGERS.items():
        setattr(smartypants, name, skipped_without_triggers(originals[name], triggers))
    try:
        yield
    finally:
        for name, convert in originals.items():
            setattr(smartypants, name, convert)


@contextlib.contextmanager
def reused_markdown() -> Iterator[None]:
    """Within the block, Pelican's Markdown reader reuses its Markdown instances."""
    original = pelican_readers.Markdown
    pelican_readers.Markdown = ReusedMarkdown
    try:
        yield
    finally:
        pelican_readers.Markdown = original


def speed_ups(settings: dict) -> contextlib.AbstractContextManager:
    """The opt-in speed-ups (INCREMENTAL_SPEEDUPS) for one read, undone when it ends."""
    if not settings.get("INCREMENTAL_SPEEDUPS"):
        return contextlib.nullcontext()
    stack = contextlib.ExitStack()
    stack.enter_context(reused_markdown())
    if settings.get("INCREMENTAL_TYPOGRIFY"):
        stack.enter_context(quick_smartypants())
    return stack


class ReusedMarkdown:
    """Markdown's constructor for Pelican's reader: one instance per configuration, reset.

    Pelican makes a Markdown instance for every file, and making one (loading and configuring
    every extension) costs a fifth of converting a post; reset() clears all a conversion left.
    Pelican's reader takes the metadata preprocessor out of the instance after converting a
    file (so that it can convert the summary), and it is put back.
    """

    made: ClassVar[list[tuple[dict, markdown.Markdown, object, float]]] = []

    def __new__(cls, **config) -> markdown.Markdown:
        """The instance made with an equal configuration, reset, or a new one."""
        for known, instance, meta, priority in cls.made:
            if known == config:
                if "meta" not in instance.preprocessors:
                    instance.preprocessors.register(meta, "meta", priority)
                return instance.reset()
        instance = markdown.Markdown(**config)
        # Python-Markdown has no public way to read a processor's priority.
        priority = next(p.priority for p in instance.preprocessors._priority if p.name == "meta")
        cls.made.append((copy.deepcopy(config), instance, instance.preprocessors["meta"], priority))
        return instance


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
    readers, paths, settings = _fork_work
    path = paths[index]
    reader = readers[path.rsplit(".", 1)[-1]]
    try:
        return index, read_source(reader, path, settings)
    except Exception as error:  # handed to Pelican, which reports it per file
        return index, sendable(error)


def sendable(error: BaseException) -> BaseException:
    """The error itself if it survives pickling, else one that says the same."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # any failure to pickle means we send a plain copy
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


def forked_map(function, count: int, workers: int, initializer=None) -> list:
    """Run function(0..count-1) in forked workers, which inherit this process's memory."""
    context = multiprocessing.get_context("fork")
    chunk = max(1, count // (workers * 8))
    with context.Pool(workers, initializer=initializer) as pool:
        return pool.map(function, range(count), chunksize=chunk)


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


def write_atomically(path: Path, data: bytes) -> None:
    """Replace a file in one step, so a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as f:
        f.write(data)
    os.replace(f.name, path)


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
    global _fork_work
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
    _fork_work = (readers, missing, state.settings)
    try:
        results = forked_map(read_in_worker, len(missing), workers)
    finally:
        _fork_work = ()
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


def take_over_typography(pelican) -> None:
    """Typeset while reading, so it is cached and parallel, and stop Pelican doing it again."""
    settings = pelican.settings
    if settings.get("TYPOGRIFY"):
        settings["TYPOGRIFY"] = False
        settings["INCREMENTAL_TYPOGRIFY"] = True


def cache_compiled_templates(pelican) -> None:
    """Keep Jinja's compiled templates in CACHE_PATH, so a new process need not compile them."""
    environment = pelican.settings.setdefault("JINJA_ENVIRONMENT", {})
    if "bytecode_cache" not in environment:
        # Jinja keys compiled code by each template's source; the options that shape the code
        # (autoescape, extensions, ...) and Jinja's version name the folder.
        options = digest(
            plain_text(environment), package_versions({"INCREMENTAL_PACKAGES": ["jinja2"]})
        )
        folder = Path(pelican.settings["CACHE_PATH"], CACHE_FOLDER, f"templates-{options[:16]}")
        folder.mkdir(parents=True, exist_ok=True)
        environment["bytecode_cache"] = FileSystemBytecodeCache(str(folder))


def prepare_reading(generator) -> None:
    """Route the generator's reading through the cache and read its uncached sources now."""
    if type(generator) not in (ArticlesGenerator, PagesGenerator):
        return
    state = state_for(generator.settings)
    readers = generator.readers.readers
    for reader in set(readers.values()):
        if not hasattr(reader, "incremental_original_read"):
            reader.incremental_original_read = reader.read
            reader.read = CachedRead(reader, state)
    read_ahead(state, readers, source_files(generator))


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


def manifest_file(settings: dict) -> Path:
    """Where the keys of the pages in the output folder (and the folder built into) are kept."""
    output = os.path.abspath(settings.get("INCREMENTAL_OUTPUT") or settings["OUTPUT_PATH"])
    return Path(settings["CACHE_PATH"], CACHE_FOLDER, f"pages-{digest(output)[:20]}.pickle")


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


@dataclass
class RenderJob:
    """One page to render: where it goes, with which template and context."""

    name: str
    template: object
    context: dict


@dataclass
class PlannedPage:
    """A page to write: its variables, those that key it, and the posts it shows in full."""

    name: str
    template: object
    variables: dict
    key_variables: dict
    shown: list


def paginated_pages(
    name, url, template, kwargs, paginated, per_page, settings
) -> list[PlannedPage]:
    """The pages of a paginated listing, with the variables Pelican's writer gives each."""
    paginators = {
        key: Paginator(name, url, value, settings, per_page) for key, value in paginated.items()
    }
    count = next(iter(paginators.values())).num_pages
    pages = []
    for number in range(1, count + 1):
        variables, shown = dict(kwargs), []
        for key, paginator in paginators.items():
            page = paginator.page(number)
            variables[f"{key}_paginator"] = paginator
            variables[f"{key}_page"] = page
            variables[f"{key}_previous_page"] = paginator.page(number - 1) if number > 1 else None
            variables[f"{key}_next_page"] = paginator.page(number + 1) if number < count else None
            shown += page.object_list
        key_variables = dict(kwargs, page_number=number, page_count=count)
        pages.append(PlannedPage(page.save_as, template, variables, key_variables, shown))
    return pages


def render_job(job: RenderJob, output_path: str) -> str:
    """Render one page and write it to a new file; return its path."""
    html = job.template.render(job.context)
    path = sanitised_join(output_path, job.name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # A new file, never the one an earlier build's hard link shares.
    if os.path.lexists(path):
        os.unlink(path)
    with open(path, "w", encoding="utf-8") as file:
        file.write(html)
    return path


def remembered(url_property: property) -> property:
    """A URL property worked out once per object."""
    known: dict[int, tuple[object, str]] = {}

    def url(owner: object) -> str:
        hit = known.get(id(owner))
        if hit is None or hit[0] is not owner:
            hit = known[id(owner)] = (owner, url_property.fget(owner))
        return hit[1]

    return property(url)


def remember_urls() -> None:
    """In a render worker, work out each post's and category's URLs once.

    Pelican formats them from the settings at every use, some forty times a page; nothing
    changes a post or a category while pages render, and the worker ends with the rendering.
    """
    for owner in (Content, URLWrapper):
        for name in ("url", "save_as"):
            setattr(owner, name, remembered(vars(owner)[name]))


def render_in_worker(index: int) -> tuple[int, list[LoggedRecord] | None]:
    """Render the index-th page of the work the worker inherited; None when it failed."""
    jobs, output_path = _fork_work
    try:
        _, records = collecting_records(lambda: render_job(jobs[index], output_path))
    except Exception:  # the parent renders it again to report the real error
        return index, None
    return index, records


class IncrementalWriter(Writer):
    """Pelican's writer, rendering only changed pages, in parallel, when the build ends."""

    def __init__(self, output_path, settings=None) -> None:
        super().__init__(output_path, settings)
        self.environment = state_for(self.settings).environment
        live = self.settings.get("INCREMENTAL_OUTPUT") or output_path
        self.live_output = os.path.abspath(live)
        self.live_id, self.own_id = folder_id(live), folder_id(output_path)
        self.manifest_path = manifest_file(self.settings)
        manifest = load_manifest(self.manifest_path)
        self.live_keys = manifest.get(self.live_id, {}) if self.live_id else {}
        self.own_keys = manifest.get(self.own_id, {}) if self.own_id else {}
        # Files here are about to change: until this build ends, no key may vouch for them.
        save_manifest(self.manifest_path, {self.live_id: self.live_keys} if self.live_id else {})
        self.sweeping = self.live_id != self.own_id
        self.started = Path(output_path, STARTED_MARKER)
        if self.sweeping:
            self.started.touch()
        self.keys: dict[str, str] = {}
        self.jobs: list[RenderJob] = []
        # Every page of the site, rendered or reused, with its context, in Pelican's order:
        # each is announced as stock Pelican announces what it writes.
        self.announcements: list[tuple[str, dict]] = []
        self.reused = 0
        self.site: str | None = None
        self.site_context: dict = {}
        self.described: dict[int, tuple[object, str]] = {}
        self.full_texts: dict[int, tuple[object, str]] = {}
        _writers[os.path.abspath(output_path)] = self

    def describe(self, value: object) -> str:
        """A stable text for a value, with posts as their metadata; lists of posts memoised."""
        if isinstance(value, Content):
            return self.memoised(value, self.card)
        if isinstance(value, list) and value and isinstance(value[0], Content):
            return self.memoised(value, lambda v: digest(*(self.describe(c) for c in v)))
        if isinstance(value, URLWrapper):
            return self.memoised(value, lambda v: stable_text(v, self.describe))
        return stable_text(value, self.describe)

    def memoised(self, value: object, describe, table: dict | None = None) -> str:
        """Describe a value once per build (the value is kept, so its id stays its own)."""
        table = self.described if table is None else table
        known = table.get(id(value))
        if known is None or known[0] is not value:
            known = (value, describe(value))
            table[id(value)] = known
        return known[1]

    def card(self, content: Content) -> str:
        """A digest of a post's metadata: all a page may show of a post that is not on it."""
        metadata = content.metadata
        # Pelican copies each metadata value to an attribute; an unchanged copy is said once.
        fields = {
            k: v
            for k, v in vars(content).items()
            if k not in NON_METADATA_ATTRIBUTES and metadata.get(k, content) is not v
        }
        fields["metadata"] = {k: v for k, v in metadata.items() if k not in TEXT_METADATA}
        fields["url"], fields["save_as"] = content.url, content.save_as
        return digest(plain_text(fields))

    def full(self, content: Content) -> str:
        """A digest of a post's metadata and text."""
        return self.memoised(
            content,
            lambda c: digest(self.describe(c), c._content or "", str(c.metadata.get("summary"))),
            self.full_texts,
        )

    def context_digest(self, context: dict) -> str:
        """The site digest, plus what a page's own copy of the context changed, if anything."""
        site = self.site_digest(context)
        if context is self.site_context:
            return site
        # Some pages get a copy of the context with a few values of their own (period archives).
        marker = object()
        own = {k: v for k, v in context.items() if self.site_context.get(k, marker) is not v}
        return digest(site, self.describe(own))

    def site_digest(self, context: dict) -> str:
        """A digest of the environment and the site-wide data, made once per build."""
        if self.site is None:
            self.site_context = context
            # Settings in the context are the settings' own objects, already in the environment.
            shared = {
                k: v
                for k, v in context.items()
                if k not in VOLATILE_SETTINGS and v is not self.settings.get(k, context)
            }
            self.site = digest(self.environment, self.describe(shared))
        return self.site

    def reuse(self, name: str, key: str) -> bool:
        """Keep the page this folder has, or link the live one, if its key is unchanged."""
        self.keys[name] = key
        target = sanitised_join(self.output_path, name)
        if self.own_keys.get(name) == key and os.path.isfile(target):
            self._written_files.add(target)
            self.reused += 1
            return True
        source = sanitised_join(self.live_output, name)
        if self.live_keys.get(name) != key or source == target or not os.path.isfile(source):
            return False
        if os.path.lexists(target):
            os.unlink(target)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)
        self._written_files.add(target)
        self.reused += 1
        return True

    def claim(self, name: str, override: bool) -> bool:
        """Apply Pelican's rules for a page written twice; say whether to write this one."""
        path = sanitised_join(self.output_path, name)
        if path in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(f'Failed to overwrite "{path}" a second time')
            logger.info('Skipping "%s", not overwriting', path)
            return False
        if path in self._written_files and not override:
            raise FileOverwriteFailedError(f'Failed to overwrite "{path}": written before')
        if override:
            self._overridden_files.add(path)
        self._written_files.add(path)
        return True

    def page_key(self, context: dict, template, name: str, variables: dict, shown: list) -> str:
        """The key of one page: site, template, name, variables, and the posts it shows in full."""
        shown = shown + [value for value in variables.values() if isinstance(value, Content)]
        return digest(
            self.context_digest(context),
            template.name or "",
            name,
            self.describe({k: v for k, v in variables.items() if not isinstance(v, Content)}),
            *(self.full(content) for content in shown),
        )

    def schedule(self, page: PlannedPage, context: dict, override: bool, relative: bool) -> None:
        """Render the page later, or reuse it now if nothing it shows has changed."""
        if not self.claim(page.name, override):
            return
        key = self.page_key(context, page.template, page.name, page.key_variables, page.shown)
        local = context.copy()
        local["localsiteurl"] = local.get("localsiteurl", None)
        if relative:
            local["SITEURL"] = local["localsiteurl"] = path_to_url(get_relative_path(page.name))
        local["output_file"] = page.name
        local.update(page.variables)
        self.announcements.append((sanitised_join(self.output_path, page.name), local))
        if not self.reuse(page.name, key):
            self.jobs.append(RenderJob(page.name, page.template, local))

    def write_file(
        self,
        name,
        template,
        context,
        relative_urls=False,
        paginated=None,
        template_name=None,
        override_output=False,
        url=None,
        **kwargs,
    ) -> None:
        """Plan a page, or each page of a paginated listing, as Pelican's writer would write it."""
        if not name:
            return
        if paginated is None:
            paginated = {k: v for k, v in kwargs.items() if k in {"articles", "dates"}}
        templates = self.settings["PAGINATED_TEMPLATES"]
        if paginated and template_name in templates:
            per_page = templates[template_name] or self.settings["DEFAULT_PAGINATION"]
            pages = paginated_pages(name, url, template, kwargs, paginated, per_page, self.settings)
        else:
            pages = [PlannedPage(name, template, kwargs, kwargs, [])]
        for page in pages:
            self.schedule(page, context, override_output, relative_urls)

    def write_feed(
        self,
        elements,
        context,
        path=None,
        url=None,
        feed_type="atom",
        override_output=False,
        feed_title=None,
    ):
        """Write a feed, or reuse it when its entries and the site are unchanged."""
        if path:
            entries = elements[: self.settings["FEED_MAX_ITEMS"]]
            key = digest(
                self.context_digest(context),
                "feed",
                path,
                str(url),
                feed_type,
                str(feed_title),
                *(self.full(entry) for entry in entries),
            )
            if self.reuse(path, key):
                return self.announce_feed(elements, context, path, url, feed_type, feed_title)
            target = sanitised_join(self.output_path, path)
            # Pelican writes into the file it finds, which may be the live site's (a hard link).
            if os.path.lexists(target):
                os.unlink(target)
        return super().write_feed(
            elements, context, path, url, feed_type, override_output, feed_title
        )

    def announce_feed(self, elements, context, path, url, feed_type, feed_title):
        """Send the signals of a feed that is kept as it was, as if it had been written."""
        # Pelican's writer makes the feed and sends feed_generated without writing it when it is
        # given no path; the file kept is what writing it would give.
        feed = super().write_feed(
            elements, context, None, url or path, feed_type, False, feed_title
        )
        signals.feed_written.send(
            sanitised_join(self.output_path, path), context=context, feed=feed
        )
        return feed

    def flush(self) -> None:
        """Render and write every scheduled page, on every core when there are many."""
        global _fork_work
        jobs, self.jobs = self.jobs, []
        logger.info("rendering %d pages; %d kept from the last build", len(jobs), self.reused)
        minimum = self.settings.get("INCREMENTAL_MIN_PARALLEL", DEFAULT_MIN_PARALLEL)
        if len(jobs) < minimum or worker_count(self.settings) == 1:
            for job in jobs:
                self.finish_job(job, render_job(job, self.output_path))
            return
        _fork_work = (jobs, self.output_path)
        try:
            workers = worker_count(self.settings)
            results = forked_map(render_in_worker, len(jobs), workers, remember_urls)
        finally:
            _fork_work = ()
        for index, records in results:
            job = jobs[index]
            if records is None:
                render_job(job, self.output_path)  # raises the error, with its traceback
            replay(records or [])
            self.finish_job(job, sanitised_join(self.output_path, job.name))

    def finish_job(self, job: RenderJob, path: str) -> None:
        """Log a written page, as Pelican's writer does."""
        logger.info('Writing "%s"', path)

    def announce_pages(self) -> None:
        """Send content_written for every page of the site, rendered or kept, in Pelican's order."""
        announcements, self.announcements = self.announcements, []
        for path, context in announcements:
            signals.content_written.send(path, context=context)

    def sweep(self, produced: set[str]) -> None:
        """Delete what an earlier build left in this folder and this one did not write."""
        root = os.path.abspath(self.output_path)
        since = self.started.stat().st_mtime_ns
        # Folders that other tools fill after the build (the preview's search index).
        kept = [os.path.join(root, name) for name in self.settings.get("INCREMENTAL_KEEP", [])]
        for folder, _, names in os.walk(root, topdown=False):
            if any(folder == k or folder.startswith(k + os.sep) for k in kept):
                continue
            for name in names:
                path = os.path.join(folder, name)
                if path not in produced and os.stat(path).st_mtime_ns < since:
                    os.unlink(path)
            if folder != root and not os.listdir(folder):
                os.rmdir(folder)
        self.started.unlink()

    def finish(self, static_outputs: set[str]) -> None:
        """Write the scheduled pages, clear out stale files, and keep the keys for next time."""
        self.flush()
        self.announce_pages()
        if self.sweeping:
            self.sweep({os.path.abspath(p) for p in self._written_files} | static_outputs)
        manifest = {self.own_id: self.keys}
        if self.live_id and self.sweeping:
            manifest[self.live_id] = self.live_keys
        save_manifest(self.manifest_path, manifest)


def note_static_outputs(generator) -> None:
    """Remember the static files' outputs, which Pelican may leave as they were."""
    state = generator.settings.get(STATE_SETTING)
    if state is not None:
        for static in getattr(generator, "staticfiles", []):
            state.static_outputs.add(
                os.path.abspath(os.path.join(generator.output_path, static.save_as))
            )


def provide_writer(pelican) -> type:
    """Give Pelican the incremental writer."""
    return IncrementalWriter


def finish_build(pelican) -> None:
    """Write the scheduled pages, then keep the page keys and the read results for next time."""
    writer = _writers.pop(os.path.abspath(pelican.output_path), None)
    state = pelican.settings.pop(STATE_SETTING, None)
    if writer is not None:
        writer.finish(state.static_outputs if state else set())
    if state is not None:
        save_read_cache(state)


def register() -> None:
    """Connect the handlers to Pelican's signals."""
    signals.initialized.connect(take_over_typography)
    signals.initialized.connect(cache_compiled_templates)
    signals.generator_init.connect(prepare_reading)
    signals.get_writer.connect(provide_writer)
    signals.static_generator_finalized.connect(note_static_outputs)
    signals.finalized.connect(finish_build)
