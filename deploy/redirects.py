"""Keep CloudFront's key-value store of old addresses equal to the map the build wrote.

The viewer-request function (infra/site.yaml) answers a request for an old address with a
301 to the new one it finds in the store. The store is changed with the fewest key writes,
in batches, each conditional on the store's version (ETag), so two publishes never interleave.
"""

import json
import logging
from pathlib import Path

from sitebuild.redirects import REDIRECTS_FILE

logger = logging.getLogger(__name__)

# CloudFront's limit on keys put and deleted in one UpdateKeys call.
BATCH = 50


class RedirectsError(Exception):
    """The redirect map cannot be published as it is."""


def built_map(output: Path) -> dict[str, str] | None:
    """The redirect map the build wrote into output, or None if it wrote none."""
    path = output / REDIRECTS_FILE
    if not path.is_file():
        return None
    try:
        redirects = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise RedirectsError(f"{path} is not JSON ({error}); build again") from None
    return redirects


def stored_map(client, kvs_arn: str) -> tuple[dict[str, str], str]:
    """Every key and value in the store, and the store's version."""
    etag = client.describe_key_value_store(KvsARN=kvs_arn)["ETag"]
    stored: dict[str, str] = {}
    for page in client.get_paginator("list_keys").paginate(KvsARN=kvs_arn):
        stored.update({item["Key"]: item["Value"] for item in page.get("Items", [])})
    return stored, etag


def changes(stored: dict[str, str], wanted: dict[str, str]) -> tuple[list[dict], list[dict]]:
    """The keys to put (new or changed) and to delete, in a fixed order."""
    puts = [
        {"Key": key, "Value": value}
        for key, value in sorted(wanted.items())
        if stored.get(key) != value
    ]
    deletes = [{"Key": key} for key in sorted(stored.keys() - wanted.keys())]
    return puts, deletes


def sync_redirects(client, kvs_arn: str, wanted: dict[str, str]) -> tuple[int, int]:
    """Make the store hold exactly wanted; return how many keys were put and deleted."""
    stored, etag = stored_map(client, kvs_arn)
    puts, deletes = changes(stored, wanted)
    # Puts first: an address that moves keeps answering; deletes only once all are in.
    batches = [{"Puts": puts[i : i + BATCH]} for i in range(0, len(puts), BATCH)]
    batches += [{"Deletes": deletes[i : i + BATCH]} for i in range(0, len(deletes), BATCH)]
    for batch in batches:
        etag = client.update_keys(KvsARN=kvs_arn, IfMatch=etag, **batch)["ETag"]
    if puts or deletes:
        logger.info("redirects: %d put, %d deleted", len(puts), len(deletes))
    return len(puts), len(deletes)
