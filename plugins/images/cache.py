"""Each picture's plan, from the cache or encoded now on every core, by the static file it is.

The cache (CACHE_PATH/images/) keeps one folder per picture's bytes and variant settings; a
folder with a plan is complete. Pictures' digests and folders' plans are kept in one index by
file identity, so a build that changed no picture reads none, nor any plan.
"""

import concurrent.futures
import hashlib
import json
import logging
import multiprocessing
import pickle
from dataclasses import asdict, dataclass, field
from pathlib import Path

import PIL
from pelican.contents import Static

from sitebuild.cpus import usable_cpus
from sitebuild.staging import write_atomically

from .encode import PLAN_FILE, ImageProblem, Plan, available_formats, encode_picture

logger = logging.getLogger(__name__)

DEFAULT_WIDTHS = [480, 800, 1200, 1600]
DEFAULT_FORMATS = ["avif", "webp"]
# Pillow's own limit: above it, a picture is refused as a possible decompression bomb.
DEFAULT_MAX_PIXELS = 89_478_485
# Raised when what the encoder makes for the same settings changes.
ENCODER_VERSION = 2
CACHE_FOLDER = "images"
# Each picture's digest and each folder's plan, kept for the next build.
INDEX_FILE = "index.pickle"
RASTER_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"}


@dataclass
class Published:
    """A picture file of the site as published: its plan, and its variants' addresses."""

    plan: Plan | None
    # The cache folder holding its clean copy and variants.
    folder: Path | None = None
    # (type, srcset) for each variant format, best first.
    sources: list[tuple[str, str]] = field(default_factory=list)
    problem: str = ""


def option(settings: dict, name: str, default):
    """A setting of this plugin, or its default."""
    return settings.get(f"IMAGES_{name}", default)


def variant_settings(settings: dict) -> tuple[list[int], list[str], int]:
    """The widths, formats and pixel limit variants are made with."""
    widths = sorted(int(w) for w in option(settings, "WIDTHS", DEFAULT_WIDTHS))
    formats = available_formats(list(option(settings, "FORMATS", DEFAULT_FORMATS)))
    return widths, formats, int(option(settings, "MAX_PIXELS", DEFAULT_MAX_PIXELS))


def settings_key(settings: dict) -> str:
    """A digest of all that shapes what the encoder makes, naming the cache's folders."""
    shaping = [*variant_settings(settings), ENCODER_VERSION, PIL.__version__]
    return hashlib.sha256(json.dumps(shaping).encode()).hexdigest()[:12]


def identity(path: Path) -> tuple:
    """What changes whenever the file's bytes may have changed (not the change time)."""
    status = path.stat()
    # Publishing a picture hard-links it, which sets its change time on every build.
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


class PictureIndex:
    """Each picture's digest and each cache folder's plan, kept by file identity in one file.

    A build where no picture changed reads this one file, not every picture and every plan. It
    keeps what the last build asked for, so pictures removed or re-encoded do not pile up.
    """

    def __init__(self, file: Path) -> None:
        self.file = file
        try:
            kept = pickle.loads(file.read_bytes())
            self.digests: dict[str, tuple[tuple, str]] = kept["digests"]
            self.plans: dict[str, tuple[tuple, dict]] = kept["plans"]
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, KeyError, TypeError):
            self.digests, self.plans = {}, {}
        self.changed = False
        self.asked: set[str] = set()

    def digest(self, path: Path) -> str:
        """The file's SHA-256."""
        now = identity(path)
        self.asked.add(str(path))
        kept = self.digests.get(str(path))
        if kept and kept[0] == now:
            return kept[1]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        self.digests[str(path)] = (now, digest)
        self.changed = True
        return digest

    def plan(self, folder: Path) -> Plan | None:
        """The plan a cache folder holds, or None when the picture is not encoded yet."""
        try:
            now = identity(folder / PLAN_FILE)
        except OSError:
            return None
        self.asked.add(str(folder))
        kept = self.plans.get(str(folder))
        if kept and kept[0] == now:
            return Plan.from_data(kept[1])
        plan = Plan.load(folder)
        if plan is not None:
            self.plans[str(folder)] = (now, asdict(plan))
            self.changed = True
        return plan

    def save(self) -> None:
        """Keep the digests and plans this build asked for, for the next build."""
        digests = {k: v for k, v in self.digests.items() if k in self.asked}
        plans = {k: v for k, v in self.plans.items() if k in self.asked}
        if self.changed or len(digests) + len(plans) < len(self.digests) + len(self.plans):
            kept = {"digests": digests, "plans": plans}
            write_atomically(self.file, pickle.dumps(kept, pickle.HIGHEST_PROTOCOL))


def encode_in_worker(job: tuple) -> Plan | str:
    """Encode one picture; a problem comes back as its description."""
    try:
        return encode_picture(*job)
    except ImageProblem as problem:
        return str(problem)
    except Exception as error:  # a Pillow failure on odd input is that input's problem
        return f"could not be encoded ({type(error).__name__}: {error})"


def encode_all(jobs: list[tuple]) -> list[Plan | str]:
    """Encode pictures, on every core when there are several."""
    workers = min(len(jobs), usable_cpus())
    if workers <= 1:
        return [encode_in_worker(job) for job in jobs]
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
        return list(pool.map(encode_in_worker, jobs))


def plan_pictures(statics: list[Static], settings: dict) -> dict[str, Published]:
    """Each picture file's plan, from the cache or encoded now, by its source key."""
    cache = Path(settings["CACHE_PATH"], CACHE_FOLDER).resolve()
    index = PictureIndex(cache / INDEX_FILE)
    widths, formats, max_pixels = variant_settings(settings)
    key = settings_key(settings)
    published: dict[str, Published] = {}
    jobs, waiting = [], []
    for static in statics:
        source = Path(static.source_path)
        if source.suffix.lower() not in RASTER_SUFFIXES:
            continue
        folder = cache / f"{index.digest(source)[:40]}-{key}"
        plan = index.plan(folder)
        published[static.get_relative_source_path()] = Published(plan, folder)
        if plan is None:
            jobs.append((str(source), str(folder), widths, formats, max_pixels))
            waiting.append(static.get_relative_source_path())
    for source_key, result in zip(waiting, encode_all(jobs), strict=True):
        entry = published[source_key]
        if isinstance(result, str):
            entry.problem = result
        else:
            entry.plan = result
            index.plan(entry.folder)  # kept for the next build
    index.save()
    if jobs:
        logger.info("encoded %d of %d pictures", len(jobs), len(published))
    return published
