"""Read what the bucket holds and apply a plan to it."""

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from deploy.headers import ObjectHeaders, is_document
from deploy.plan import Action, LocalFile, RemoteObject, Step

logger = logging.getLogger(__name__)

# Our own record on every object: ETags are not MD5s for multipart or KMS-encrypted objects.
MD5_KEY = "md5"
WORKERS = 8
DELETE_BATCH = 1000  # the most DeleteObjects accepts at once


def object_metadata(file: LocalFile) -> dict:
    """The arguments that set an object's headers and our metadata."""
    return {
        "ContentType": file.headers.content_type,
        "CacheControl": file.headers.cache_control,
        "Metadata": {MD5_KEY: file.md5},
    }


def list_keys(client, bucket: str) -> list[str]:
    """Every key in the bucket."""
    keys = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys.extend(item["Key"] for item in page.get("Contents", []))
    return keys


def describe(client, bucket: str, key: str) -> RemoteObject:
    """What the bucket says about one object: our MD5 and the headers it is served with."""
    head = client.head_object(Bucket=bucket, Key=key)
    md5 = head.get("Metadata", {}).get(MD5_KEY, "")
    headers = None
    if md5:
        headers = ObjectHeaders(head.get("ContentType", ""), head.get("CacheControl", ""))
    return RemoteObject(key, md5, headers)


def remote_objects(client, bucket: str) -> dict[str, RemoteObject]:
    """Every object in the bucket with our metadata, read in parallel."""
    keys = list_keys(client, bucket)
    with ThreadPoolExecutor(WORKERS) as pool:
        described = pool.map(lambda key: describe(client, bucket, key), keys)
        return {item.key: item for item in described}


def write(client, bucket: str, step: Step) -> None:
    """Send one upload, update or header change."""
    file = step.local
    if step.action is Action.RETAG:
        # Same bytes, new headers: rewrite the metadata in place without sending the body.
        client.copy_object(
            Bucket=bucket,
            Key=step.key,
            CopySource={"Bucket": bucket, "Key": step.key},
            MetadataDirective="REPLACE",
            **object_metadata(file),
        )
        return
    with file.path.open("rb") as body:
        client.put_object(Bucket=bucket, Key=step.key, Body=body, **object_metadata(file))


def write_all(
    client, bucket: str, steps: Iterable[Step], done: Callable[[Step], None]
) -> list[tuple[Step, Exception]]:
    """Send the steps, assets before documents; return those that failed for good."""
    failures = []
    steps = list(steps)
    # Every asset lands before the first document that may refer to it.
    groups = [
        [step for step in steps if not is_document(step.key)],
        [step for step in steps if is_document(step.key)],
    ]
    for group in groups:
        with ThreadPoolExecutor(WORKERS) as pool:
            futures = {pool.submit(write, client, bucket, step): step for step in group}
            for future, step in futures.items():
                error = future.exception()
                if error is None:
                    done(step)
                else:
                    failures.append((step, error))
        if failures:
            break  # documents would refer to assets that did not arrive
    return failures


def delete_all(client, bucket: str, steps: list[Step], done: Callable[[Step], None]) -> None:
    """Delete the keys of the steps in batches; raise if the bucket refuses any."""
    for start in range(0, len(steps), DELETE_BATCH):
        batch = steps[start : start + DELETE_BATCH]
        response = client.delete_objects(
            Bucket=bucket,
            Delete={"Objects": [{"Key": step.key} for step in batch], "Quiet": True},
        )
        errors = response.get("Errors", [])
        if errors:
            named = ", ".join(f"{e['Key']} ({e.get('Code', 'error')})" for e in errors)
            raise RuntimeError(f"the bucket refused to delete: {named}")
        for step in batch:
            done(step)
