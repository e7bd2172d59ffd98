"""Index a built site for Pagefind, so its search page works offline with no server."""

import filecmp
import gzip
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import cbor2

logger = logging.getLogger(__name__)

BUNDLE = "pagefind"
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


def index_site(site: Path, bundle: Path | None = None) -> None:
    """Write Pagefind's index of the pages marked data-pagefind-body into bundle (site/pagefind)."""
    bundle = bundle or site / BUNDLE
    shutil.rmtree(bundle, ignore_errors=True)
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--silent"]
    command += ["--output-path", str(bundle)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not (bundle / "pagefind.js").is_file():
        raise SearchIndexError(f"pagefind failed: {(result.stderr or result.stdout).strip()}")
    sort_filters(bundle)
    for name in UNUSED_FILES:
        (bundle / name).unlink(missing_ok=True)
    logger.info("search index written to %s", bundle)


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


def replace_index(site: Path) -> None:
    """Index the site beside it, then put the new index in the old one's place."""
    fresh = Path(tempfile.mkdtemp(prefix=f".{site.name}.search-", dir=site.parent))
    try:
        index_site(site, fresh / BUNDLE)
        old = fresh / "old"
        if (site / BUNDLE).exists():
            (site / BUNDLE).rename(old)
        (fresh / BUNDLE).rename(site / BUNDLE)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
