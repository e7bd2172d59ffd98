"""Invalidate exactly what changed on CloudFront, within the free monthly path budget."""

import logging
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from botocore.exceptions import ClientError

logger = logging.getLogger(__name__)

# CloudFront allows at most 15 wildcard paths in progress per distribution.
MAX_WILDCARDS = 15
RETRY_DELAYS_SECONDS = (5, 10, 20, 40, 60, 60)
POLL_SECONDS = 20
WAIT_SECONDS = 30 * 60


def paths_for_key(key: str) -> list[str]:
    """The URL paths that serve a key: a folder's index.html is also served as the folder."""
    if key == "index.html":
        return ["/", "/index.html"]
    if key.endswith("/index.html"):
        folder = key.removesuffix("index.html")
        return [f"/{folder}", f"/{key}"]
    return [f"/{key}"]


def invalidation_paths(keys: Iterable[str]) -> list[str]:
    """Every path to invalidate for the changed and deleted keys, sorted."""
    return sorted({path for key in keys for path in paths_for_key(key)})


def collapse(paths: list[str], budget: int) -> list[str]:
    """Fit paths into the budget: exact paths, else a wildcard per top folder, else `/*`."""
    if len(paths) <= budget:
        return paths
    groups = sorted({wildcard_for(path) for path in paths})
    wildcards = [group for group in groups if group.endswith("*")]
    if len(groups) <= budget and len(wildcards) <= MAX_WILDCARDS:
        return groups
    return ["/*"]


def wildcard_for(path: str) -> str:
    """The wildcard covering a path's top folder; a file at the root stays itself."""
    top, slash, _ = path.lstrip("/").partition("/")
    return f"/{top}/*" if slash else path


def paths_used_this_month(client, distribution_id: str, now: datetime | None = None) -> int:
    """How many paths this distribution's invalidations have used this calendar month."""
    now = now or datetime.now(UTC)
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    used = 0
    for page in client.get_paginator("list_invalidations").paginate(DistributionId=distribution_id):
        for summary in page["InvalidationList"].get("Items", []):
            if summary["CreateTime"] >= start:
                details = client.get_invalidation(DistributionId=distribution_id, Id=summary["Id"])
                used += details["Invalidation"]["InvalidationBatch"]["Paths"]["Quantity"]
    return used


def invalidate(
    client,
    distribution_id: str,
    paths: list[str],
    *,
    wait: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Create one invalidation, retrying while too many are in progress; return its id."""
    # One reference for every attempt, so a retry of a request that did arrive is not doubled.
    batch = {
        "Paths": {"Quantity": len(paths), "Items": paths},
        "CallerReference": f"publish-{uuid.uuid4()}",
    }
    for delay in (*RETRY_DELAYS_SECONDS, None):
        try:
            response = client.create_invalidation(
                DistributionId=distribution_id, InvalidationBatch=batch
            )
            break
        except ClientError as error:
            if error.response["Error"]["Code"] != "TooManyInvalidationsInProgress" or delay is None:
                raise
            logger.warning("CloudFront: too many invalidations in progress; retrying in %ss", delay)
            sleep(delay)
    invalidation_id = response["Invalidation"]["Id"]
    if wait:
        wait_for_completion(client, distribution_id, invalidation_id, sleep=sleep)
    return invalidation_id


def wait_for_completion(
    client,
    distribution_id: str,
    invalidation_id: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Poll an invalidation until it has completed; raise TimeoutError after WAIT_SECONDS."""
    logger.info("CloudFront: waiting for invalidation %s to complete", invalidation_id)
    waited = 0
    while True:
        got = client.get_invalidation(DistributionId=distribution_id, Id=invalidation_id)
        # AWS says "Completed"; compare without case, as S3-compatible services differ.
        if got["Invalidation"]["Status"].lower() == "completed":
            return
        if waited >= WAIT_SECONDS:
            raise TimeoutError(f"invalidation {invalidation_id} not complete after {waited}s")
        sleep(POLL_SECONDS)
        waited += POLL_SECONDS
