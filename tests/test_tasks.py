"""The invoke tasks a user types: each is listed with its help, and clean/rebuild do their job."""

import pytest

from tests.conftest import GOOD_POST, invoke

pytestmark = pytest.mark.slow

TASKS = ["build", "clean", "preview", "publish", "rebuild", "serve"]


def test_every_task_is_listed_with_its_help():
    listing = invoke("--list").stdout
    for name in TASKS:
        line = next(line for line in listing.splitlines() if line.strip().startswith(name))
        assert len(line.split()) > 2, f"{name} has no help text"
    assert "preview (livereload)" in listing


@pytest.mark.parametrize("name", TASKS)
def test_every_task_documents_its_options(name):
    result = invoke("--help", name)
    assert result.returncode == 0
    assert "Docstring:" in result.stdout
    assert "none" not in result.stdout.split("Docstring:")[1].splitlines()[1]


def test_clean_removes_output_and_cache_and_rebuild_brings_output_back(project_copy):
    project = project_copy({"good.md": GOOD_POST})
    assert invoke("build", cwd=project).returncode == 0
    # The build keeps its caches there.
    assert (project / "cache").is_dir()
    assert invoke("clean", cwd=project).returncode == 0
    assert not (project / "output").exists()
    assert not (project / "cache").exists()
    assert invoke("rebuild", cwd=project).returncode == 0
    assert (project / "output" / "2020" / "01" / "02" / "a-good-post" / "index.html").is_file()


def test_build_prod_uses_publishconf_and_the_site_url(project_copy):
    project = project_copy({"good.md": GOOD_POST})
    result = invoke("build", "--prod", cwd=project, env={"SITEURL": "https://blog.example"})
    assert result.returncode == 0, result.stderr
    index = (project / "output" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://blog.example/2020/01/02/a-good-post/"' in index
    assert '<link rel="canonical" href="https://blog.example/">' in index
