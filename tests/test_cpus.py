"""The processor count works where the system lacks Linux's affinity call (macOS)."""

import os

from sitebuild.cpus import usable_cpus


def test_without_affinity_calls_the_machines_count_is_used(monkeypatch):
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.delattr(os, "process_cpu_count", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert usable_cpus() == 6


def test_an_unknown_count_means_one_processor(monkeypatch):
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.delattr(os, "process_cpu_count", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert usable_cpus() == 1


def test_affinity_wins_over_the_machines_count(monkeypatch):
    monkeypatch.delattr(os, "process_cpu_count", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert usable_cpus() == 3


def test_process_cpu_count_is_preferred_where_python_has_it(monkeypatch):
    monkeypatch.setattr(os, "process_cpu_count", lambda: 5, raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert usable_cpus() == 5


def test_no_module_of_the_project_calls_sched_getaffinity_itself():
    from tests.conftest import REPO

    callers = [
        path.relative_to(REPO)
        for folder in ("sitebuild", "plugins", "deploy", "bench")
        for path in (REPO / folder).rglob("*.py")
        if "sched_getaffinity(" in path.read_text(encoding="utf-8") and path.name != "cpus.py"
    ]
    assert callers == []
