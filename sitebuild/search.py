"""Index a built site for Pagefind, so its search page works offline with no server."""

import filecmp
import gzip
import hashlib
import itertools
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

import cbor2

from sitebuild.cpus import usable_cpus

logger = logging.getLogger(__name__)

BUNDLE = "pagefind"
# Pagefind holds a whole index in memory until it writes it (about 120 MiB per 1,000 posts), so
# a large site is indexed in parts of at most this many pages, one after another; the search
# page merges them. The first part is the bundle itself, the others are below it.
DEFAULT_PART_PAGES = 2000
# A site with this many pages is indexed in two parts at least, which run at once (Pagefind
# keeps to about one core); a smaller one is quicker in one.
MIN_SPLIT_PAGES = 400
MORE_PARTS = "more"
# In the first part: where each part is and a digest of the pages it indexes.
PARTS_FILE = "parts.json"
# A page Pagefind indexes when any page has the attribute (and then only such pages).
# Characters Pagefind's --glob gives a meaning, which a backslash makes literal.
GLOB_SPECIAL = re.compile(r"[\\*?$:<>()\[\]{},]")
MARKED_BODY = re.compile(rb"<[a-zA-Z][^>]*\sdata-pagefind-body[\s=/>]")
# Every Pagefind index file is gzipped CBOR behind this signature.
SIGNATURE = b"pagefind_dcd"
# Pagefind's ready-made search interfaces; the theme has its own, so they are never loaded.
UNUSED_FILES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)


class SearchIndexError(Exception):
    """Pagefind could not index the site."""


def read_index_file(path: Path) -> bytes:
    """The CBOR payload of a Pagefind index file, without its gzip and signature."""
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise SearchIndexError(f"{path} is not a Pagefind index file")
    return data[len(SIGNATURE) :]


def write_index_file(path: Path, payload: bytes) -> None:
    """Write a Pagefind index file; mtime 0 keeps the gzip header the same on every build."""
    path.write_bytes(gzip.compress(SIGNATURE + payload, compresslevel=9, mtime=0))


def digest(payload: bytes, length: int) -> str:
    """A short content hash for a file name."""
    return hashlib.sha256(payload).hexdigest()[:length]


def sort_filters(bundle: Path) -> None:
    """Rewrite Pagefind's filter and meta files in a fixed order, so equal sites index alike.

    Pagefind 1.5 writes filter values in hash-map order, which changes from run to run, and
    with it the names of the filter file, the meta file and the entry's hash: a rebuild of the
    same sources would republish them. Sorting the values (and renaming what names them) makes
    the index depend on the site alone.
    """
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language in entry["languages"].values():
        meta_path = bundle / f"pagefind.{language['hash']}.pf_meta"
        meta = read_index_file(meta_path)
        prefix = language["hash"].split("_")[0]
        for filter_path in sorted((bundle / "filter").glob(f"{prefix}_*.pf_filter")):
            name, values = cbor2.loads(read_index_file(filter_path))
            payload = cbor2.dumps([name, sorted(values, key=lambda value: value[0])])
            renamed = f"{prefix}_{digest(payload, len(filter_path.stem) - len(prefix) - 1)}"
            filter_path.unlink()
            write_index_file(filter_path.with_name(f"{renamed}.pf_filter"), payload)
            # Same length, so the CBOR string that names the file stays well-formed.
            meta = meta.replace(filter_path.stem.encode(), renamed.encode())
        meta_path.unlink()
        language["hash"] = f"{prefix}_{digest(meta, len(language['hash']) - len(prefix) - 1)}"
        write_index_file(bundle / f"pagefind.{language['hash']}.pf_meta", meta)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), "utf-8")


def run_pagefind(site: Path, bundle: Path, pages: list[str] | None = None) -> None:
    """Write Pagefind's index of site (only pages, if given) into bundle, in a fixed order."""
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--silent"]
    command += ["--output-path", str(bundle)]
    if pages is not None:
        command += ["--glob", "{" + ",".join(map(glob_literal, pages)) + "}"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not (bundle / "pagefind.js").is_file():
        raise SearchIndexError(f"pagefind failed: {(result.stderr or result.stdout).strip()}")
    sort_filters(bundle)
    for name in UNUSED_FILES:
        (bundle / name).unlink(missing_ok=True)


def glob_literal(path: str) -> str:
    """A glob that matches just this path, in Pagefind's glob syntax."""
    return GLOB_SPECIAL.sub(r"\\\g<0>", path)


def marked_pages(site: Path) -> list[str]:
    """The pages marked data-pagefind-body, the only ones Pagefind indexes when there are any."""
    marked = []
    for page in page_files(site):
        data = (site / page).read_bytes()
        if b"data-pagefind-body" in data and MARKED_BODY.search(data):
            marked.append(page)
    return marked


def split_into_parts(pages: list[str], size: int) -> list[list[str]]:
    """Sorted pages in parts of at most size, a top-level folder (a year) kept whole if it fits.

    Keeping folders together means an edit changes one part, not every part after it.
    """
    parts: list[list[str]] = []
    current: list[str] = []
    for _, folder in itertools.groupby(pages, key=lambda page: page.split("/", 1)[0]):
        members = list(folder)
        for start in range(0, len(members), size):
            chunk = members[start : start + size]
            if current and len(current) + len(chunk) > size:
                parts.append(current)
                current = []
            current += chunk
    return [*parts, current] if current else parts


def part_size(pages: int, largest: int) -> int:
    """How many pages a part holds: half the site's, at most largest; a small site's all."""
    return largest if pages < MIN_SPLIT_PAGES else min(largest, -(-pages // 2))


def part_key(site: Path, pages: list[str]) -> str:
    """A digest of what one part's index depends on: Pagefind's version and its pages."""
    hasher = hashlib.blake2b(metadata.version("pagefind").encode(), digest_size=16)
    for page in pages:
        hasher.update(page.encode() + b"\0")
        hasher.update(hashlib.blake2b((site / page).read_bytes(), digest_size=16).digest())
    return hasher.hexdigest()


def part_place(number: int) -> str:
    """Where the number-th part lives inside the bundle, as a relative URL ('' for the first)."""
    return "" if number == 0 else f"{MORE_PARTS}/{number}/"


def existing_parts(bundle: Path | None) -> dict[str, str]:
    """The parts an earlier index has, as place to key; none when it has no parts file."""
    try:
        parts = json.loads((bundle / PARTS_FILE).read_text(encoding="utf-8"))
        return {part["path"]: part["key"] for part in parts}
    except (TypeError, OSError, ValueError, KeyError):
        return {}


def copy_part(earlier: Path, place: str, bundle: Path) -> None:
    """Hard-link one part of an earlier index into bundle."""
    source = earlier / place

    def others(folder: str, names: list[str]) -> set[str]:
        # The first part holds the others and the parts file; those are copied on their own.
        return {MORE_PARTS, PARTS_FILE} if Path(folder) == source and not place else set()

    shutil.copytree(source, bundle / place, copy_function=os.link, ignore=others)


def index_site(
    site: Path, bundle: Path | None = None, earlier: Path | None = None, part_pages: int = 0
) -> None:
    """Write the search index of site into bundle (site/pagefind), in parts of part_pages.

    Parts are indexed side by side, one per core; parts whose pages are unchanged since the
    earlier index are linked from it instead.
    """
    bundle = bundle or site / BUNDLE
    shutil.rmtree(bundle, ignore_errors=True)
    pages = marked_pages(site)
    if not pages:  # a theme without marks: Pagefind indexes every page, in one part
        run_pagefind(site, bundle)
        logger.info("search index written to %s", bundle)
        return
    parts = split_into_parts(pages, part_size(len(pages), part_pages or DEFAULT_PART_PAGES))
    known = existing_parts(earlier)
    manifest = [
        {"path": part_place(number), "key": part_key(site, part), "pages": len(part)}
        for number, part in enumerate(parts)
    ]
    with tempfile.TemporaryDirectory(prefix=f".{bundle.name}.parts-", dir=bundle.parent) as work:
        # Each part is written apart and moved into place after, as Pagefind owns its folder.
        written = [Path(work, str(number)) for number in range(len(parts))]
        with ThreadPoolExecutor(max_workers=usable_cpus()) as pool:
            runs = [
                pool.submit(run_pagefind, site, written[number], part)
                for number, part in enumerate(parts)
                if earlier is None or known.get(manifest[number]["path"]) != manifest[number]["key"]
            ]
            for run in runs:
                run.result()
        for number, target in enumerate(written):
            place = manifest[number]["path"]
            if target.is_dir():
                (bundle / place).parent.mkdir(parents=True, exist_ok=True)
                target.rename(bundle / place)
            else:
                copy_part(earlier, place, bundle)
    (bundle / PARTS_FILE).write_text(json.dumps(manifest, separators=(",", ":")), "utf-8")
    logger.info("search index written to %s in %d part(s)", bundle, len(manifest))


def page_files(site: Path) -> list[str]:
    """Every HTML page of a site, by its path in the site, sorted."""
    root = os.fspath(site)
    pages = []
    for folder, _, names in os.walk(root):
        prefix = folder[len(root) + 1 :] + "/" if folder != root else ""
        pages += [prefix + name for name in names if name.endswith(".html")]
    return sorted(pages)


def same_file_content(first: Path, second: Path) -> bool:
    """Whether two files hold the same bytes; one file (a hard link) trivially does."""
    return os.path.samefile(first, second) or filecmp.cmp(first, second, shallow=False)


def index_is_current(previous_site: Path, site: Path) -> bool:
    """Whether the previous site's index serves site: it has one, and the same pages.

    Pagefind reads nothing but the pages, so the same pages make the same index.
    """
    if not (previous_site / BUNDLE).is_dir():
        return False
    pages = page_files(site)
    return pages == page_files(previous_site) and all(
        same_file_content(site / page, previous_site / page) for page in pages
    )


def carry_over_index(previous_site: Path, site: Path) -> None:
    """Give site the previous site's search index (hard links), to serve until it is redone."""
    shutil.rmtree(site / BUNDLE, ignore_errors=True)
    if (previous_site / BUNDLE).is_dir():
        shutil.copytree(previous_site / BUNDLE, site / BUNDLE, copy_function=os.link)


def replace_index(site: Path, part_pages: int = 0) -> None:
    """Index the site beside it, reusing its parts that are current, then swap the indexes."""
    fresh = Path(tempfile.mkdtemp(prefix=f".{site.name}.search-", dir=site.parent))
    try:
        index_site(site, fresh / BUNDLE, earlier=site / BUNDLE, part_pages=part_pages)
        old = fresh / "old"
        if (site / BUNDLE).exists():
            (site / BUNDLE).rename(old)
        (fresh / BUNDLE).rename(site / BUNDLE)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
