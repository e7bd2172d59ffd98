"""The site's Content-Security-Policy for the local servers: pages break there as in production."""

import base64
import hashlib
from pathlib import Path

from pelican.settings import read_settings


def site_policy(settings_file: Path) -> str:
    """The CONTENT_SECURITY_POLICY the settings give the site, or '' when they give none."""
    return read_settings(str(settings_file)).get("CONTENT_SECURITY_POLICY") or ""


def with_source(policy: str, directive: str, source: str) -> str:
    """The policy with one more source allowed for a directive (starting it from 'self')."""
    parts = [part.strip() for part in policy.split(";") if part.strip()]
    for number, part in enumerate(parts):
        if part.split()[0].lower() == directive:
            parts[number] = f"{part} {source}"
            return "; ".join(parts)
    return "; ".join([*parts, f"{directive} 'self' {source}"])


def allowing_inline_script(policy: str, script_element: bytes) -> str:
    """The policy, also allowing one inline script (the preview's reload snippet) by its hash."""
    if not policy:
        return policy
    body = script_element.split(b">", 1)[1].rsplit(b"</script>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")
    return with_source(policy, "script-src", f"'sha256-{digest}'")
