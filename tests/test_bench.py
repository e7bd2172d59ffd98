"""The benchmark runs end to end at a small size (CI's smoke test; figures are not checked)."""

import json
import subprocess
import sys

from tests.conftest import REPO


def test_invoke_bench_measures_every_kind_of_build_and_reports(tmp_path):
    results = tmp_path / "bench.json"
    command = [sys.executable, "-m", "invoke", "bench", "--posts", "12", "--runs", "1"]
    command += ["--edits", "1", "--sizes", "12", "--results", str(results)]
    finished = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr[-3000:]
    report = json.loads(results.read_text(encoding="utf-8"))
    for kind in ("stock_cold", "engine_cold", "engine_warm_cache", "engine_no_change"):
        assert len(report[kind]) == 1 and report[kind][0] > 0, kind
    # The edit loop only reports once the reloaded page showed each edit.
    assert report["edit_loop"]["body_edit"] > 0 and report["edit_loop"]["title_edit"] > 0
    assert report["scaling"]["12"]["peak_bytes"] > 10 * 1024**2
    printed = finished.stdout + finished.stderr
    assert "stock Pelican, from nothing" in printed
    assert "Goal: from nothing" in printed and "Preview, save to reload" in printed
