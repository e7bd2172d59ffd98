"""Index a built site for Pagefind, so its search page works offline with no server."""

import gzip
import hashlib
import json
import logging
import subprocess
import sys
from pathlib import Path

import cbor2

logger = logging.getLogger(__name__)

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


def index_site(site: Path) -> None:
    """Write Pagefind's index of the pages marked data-pagefind-body into site/pagefind/."""
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--silent"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not (site / "pagefind" / "pagefind.js").is_file():
        raise SearchIndexError(f"pagefind failed: {(result.stderr or result.stdout).strip()}")
    sort_filters(site / "pagefind")
    for name in UNUSED_FILES:
        (site / "pagefind" / name).unlink(missing_ok=True)
    logger.info("search index written to %s", site / "pagefind")
