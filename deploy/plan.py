"""Compare output/ with the bucket by content and plan what to send, in a safe order."""

import hashlib
import math
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from deploy.headers import ObjectHeaders, headers_for, is_document
from sitebuild.redirects import REDIRECTS_FILE

# How the theme marks a draft's page (the preview shows drafts; the published site never may).
DRAFT_MARK = b'data-post-status="draft"'


class Action(Enum):
    """What the publisher does with one key."""

    UPLOAD = "upload"
    UPDATE = "update"
    RETAG = "retag"
    DELETE = "delete"


@dataclass(frozen=True)
class LocalFile:
    """A file of the built site, as it should be in the bucket."""

    key: str
    path: Path
    md5: str
    headers: ObjectHeaders


@dataclass(frozen=True)
class RemoteObject:
    """An object in the bucket, as our metadata describes it (empty when it has none)."""

    key: str
    md5: str
    headers: ObjectHeaders | None


@dataclass(frozen=True)
class Step:
    """One change to the bucket, and why."""

    action: Action
    key: str
    reason: str
    local: LocalFile | None = None


@dataclass
class Plan:
    """The changes that make the bucket mirror output/, in the order they must happen."""

    steps: list[Step] = field(default_factory=list)
    unchanged: int = 0
    remote_count: int = 0

    def of(self, action: Action) -> list[Step]:
        """The steps of one kind."""
        return [step for step in self.steps if step.action is action]

    @property
    def writes(self) -> list[Step]:
        """Uploads, updates and header changes: assets first, then what refers to them."""
        return [step for step in self.steps if step.action is not Action.DELETE]

    @property
    def deletes(self) -> list[Step]:
        """Deletes, which come after every write has succeeded."""
        return self.of(Action.DELETE)

    def totals(self) -> dict[str, int]:
        """How many keys each action touches, and how many stay as they are."""
        counts = {action.value: len(self.of(action)) for action in Action}
        return {**counts, "unchanged": self.unchanged}


def file_md5(path: Path) -> str:
    """The hex MD5 of a file's bytes."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def local_files(output: Path) -> dict[str, LocalFile]:
    """Every file under output/, by bucket key; the redirect map goes to CloudFront instead."""
    files = {}
    for path in sorted(output.rglob("*")):
        if path.is_file() and path != output / REDIRECTS_FILE:
            key = path.relative_to(output).as_posix()
            files[key] = LocalFile(key, path, file_md5(path), headers_for(key))
    return files


def describe_header_change(old: ObjectHeaders | None, new: ObjectHeaders) -> str:
    """Which headers differ, for the plan's reasons."""
    if old is None:
        return "headers not recorded"
    changed = []
    if old.content_type != new.content_type:
        changed.append(f"Content-Type {old.content_type!r} -> {new.content_type!r}")
    if old.cache_control != new.cache_control:
        changed.append(f"Cache-Control {old.cache_control!r} -> {new.cache_control!r}")
    return "headers changed: " + "; ".join(changed)


def make_plan(local: dict[str, LocalFile], remote: dict[str, RemoteObject]) -> Plan:
    """Plan the writes (assets before documents) and deletes that turn remote into local."""
    plan = Plan(remote_count=len(remote))
    writes = []
    for key, file in local.items():
        existing = remote.get(key)
        if existing is None:
            writes.append(Step(Action.UPLOAD, key, "new", file))
        elif existing.md5 != file.md5:
            reason = "content changed" if existing.md5 else "no checksum recorded"
            writes.append(Step(Action.UPDATE, key, reason, file))
        elif existing.headers != file.headers:
            reason = describe_header_change(existing.headers, file.headers)
            writes.append(Step(Action.RETAG, key, reason, file))
        else:
            plan.unchanged += 1
    writes.sort(key=lambda step: (is_document(step.key), step.key))
    deletes = [
        Step(Action.DELETE, key, "not in output/") for key in sorted(remote) if key not in local
    ]
    plan.steps = writes + deletes
    return plan


def delete_allowance(remote_count: int, share: float) -> int:
    """How many deletes one publish may make without being forced."""
    return math.floor(remote_count * share)


def is_draft(key: str, path: Path) -> bool:
    """Whether a file of the site is a draft's page, as the theme marks them."""
    return key.endswith(".html") and DRAFT_MARK in path.read_bytes()


def check_output(output: Path, local: dict[str, LocalFile]) -> str | None:
    """Say why output/ cannot be what should be published, or None when it looks like a site."""
    if not output.is_dir():
        return f"{output} does not exist; build the site first"
    if "index.html" not in local:
        return f"{output} has no index.html; it is not a built site"
    drafts = [key for key, file in local.items() if is_draft(key, file.path)]
    if drafts:
        return f"{output} holds drafts ({', '.join(drafts[:5])}); build it with --prod"
    return None
