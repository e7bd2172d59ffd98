"""Bad input fails `invoke build` with a message naming the file, and output/ stays as it was."""

import subprocess
import sys
from pathlib import Path

import pytest

from sitebuild.build import build_lock
from tests.conftest import GOOD_POST, invoke

pytestmark = pytest.mark.slow

PREVIOUS_SITE = "<!doctype html><title>previous build</title>"

BAD_POSTS = {
    "missing title": (
        {"no-title.md": "Date: 2020-01-03\nCategory: Testing\n\nNo title here.\n"},
        ["content/no-title.md", "title"],
    ),
    "unparseable date": (
        {"bad-date.md": "Title: Bad date\nDate: the day after tomorrow\nCategory: Testing\n\nx\n"},
        ["content/bad-date.md", "the day after tomorrow"],
    ),
    "unknown status": (
        {"bad-status.md": "Title: Bad status\nDate: 2020-01-03\nStatus: publishd\n\nx\n"},
        ["content/bad-status.md", "publishd"],
    ),
    "non-UTF-8 bytes": (
        {"latin1.md": "Title: Caf\xe9\nDate: 2020-01-03\n\nna\xefve\n".encode("latin-1")},
        ["content/latin1.md:1:", "not valid UTF-8"],
    ),
    "two posts with one URL": (
        {
            "first.md": "Title: Same\nDate: 2020-01-03\n\nOne.\n",
            "second.md": "Title: Same\nDate: 2020-01-03\n\nTwo.\n",
        },
        ["content/first.md", "content/second.md", "2020/01/03/same/index.html"],
    ),
}


def build_with_previous_output(project: Path):
    """Put a previous build in output/, run `invoke build` and return the result."""
    output = project / "output"
    output.mkdir()
    (output / "index.html").write_text(PREVIOUS_SITE, encoding="utf-8")
    return invoke("build", cwd=project)


def assert_previous_output_untouched(project: Path) -> None:
    """The old site is still there, alone, and no staging directory was left behind."""
    output = project / "output"
    assert [p.name for p in output.iterdir()] == ["index.html"]
    assert (output / "index.html").read_text(encoding="utf-8") == PREVIOUS_SITE
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".output.")) == []


@pytest.mark.parametrize(("posts", "expected"), BAD_POSTS.values(), ids=BAD_POSTS.keys())
def test_bad_post_fails_the_build_naming_the_file(project_copy, posts, expected):
    project = project_copy({"good.md": GOOD_POST, **posts})
    result = build_with_previous_output(project)
    messages = result.stdout + result.stderr
    assert result.returncode != 0, messages
    for text in expected:
        assert text in messages
    assert "Traceback" not in messages
    assert_previous_output_untouched(project)


def test_non_utf8_error_names_the_line_and_column(project_copy):
    post = b"Title: Fine\nDate: 2020-01-03\n\nFirst line.\nA caf\xe9 here.\n"
    project = project_copy({"good.md": GOOD_POST, "cafe.md": post})
    result = build_with_previous_output(project)
    assert "content/cafe.md:5:6: not valid UTF-8 (byte 0xe9)" in result.stderr


def test_broken_template_fails_naming_template_and_line(project_copy):
    project = project_copy({"good.md": GOOD_POST})
    template = project / "theme" / "templates" / "article.html"
    template.write_text(template.read_text(encoding="utf-8") + "\n{% if %}\n", encoding="utf-8")
    result = build_with_previous_output(project)
    assert result.returncode != 0
    lines = template.read_text(encoding="utf-8").count("\n")
    assert f"article.html:{lines}: template error" in result.stdout + result.stderr
    assert_previous_output_untouched(project)


def test_misspelt_template_variable_fails_naming_template_and_line(project_copy):
    project = project_copy({"good.md": GOOD_POST})
    footer = project / "theme" / "templates" / "partials" / "footer.html"
    footer.write_text("<footer>\n{{ AUTHR }}\n</footer>\n", encoding="utf-8")
    result = build_with_previous_output(project)
    assert result.returncode != 0
    expected = "theme/templates/partials/footer.html:2: template error: 'AUTHR' is undefined"
    assert expected in result.stderr
    assert_previous_output_untouched(project)


# An inline image, so only its missing alt text is wrong.
PIXEL = "data:image/gif;base64,R0lGODlhAQABAAAAACw="
IMAGE_WITHOUT_ALT = f'Title: Picture\nDate: 2020-01-03\n\n<img src="{PIXEL}">\n'


def test_a_warning_fails_only_a_strict_build(project_copy):
    project = project_copy({"good.md": GOOD_POST, "picture.md": IMAGE_WITHOUT_ALT})
    strict = invoke("build", "--strict", cwd=project)
    assert strict.returncode != 0
    assert "picture.md" in strict.stderr
    assert not (project / "output").exists()
    relaxed = invoke("build", cwd=project)
    assert relaxed.returncode == 0, relaxed.stderr
    assert "picture.md" in relaxed.stderr
    assert (project / "output" / "2020" / "01" / "03" / "picture" / "index.html").is_file()


def test_a_warning_fails_the_build_in_ci(project_copy):
    project = project_copy({"good.md": GOOD_POST, "picture.md": IMAGE_WITHOUT_ALT})
    result = invoke("build", cwd=project, env={"CI": "true"})
    assert result.returncode != 0
    assert "picture.md" in result.stderr


def test_a_good_build_replaces_the_previous_output(project_copy):
    project = project_copy({"good.md": GOOD_POST})
    result = build_with_previous_output(project)
    assert result.returncode == 0, result.stderr
    index = (project / "output" / "index.html").read_text(encoding="utf-8")
    assert "/2020/01/02/a-good-post/" in index
    assert (project / "output" / "2020" / "01" / "02" / "a-good-post" / "index.html").is_file()
    # The replaced site is kept beside it, for the next build to start from.
    kept = [p.name for p in project.iterdir() if p.name.startswith(".output.")]
    assert kept == [".output.previous"]
    assert (project / ".output.previous" / "index.html").read_text("utf-8") == PREVIOUS_SITE


def test_one_build_reports_every_bad_post(project_copy):
    bad_posts = {name: text for posts, _ in BAD_POSTS.values() for name, text in posts.items()}
    project = project_copy({"good.md": GOOD_POST, **bad_posts})
    result = build_with_previous_output(project)
    assert result.returncode != 0
    for _, expected in BAD_POSTS.values():
        for text in expected:
            assert text in result.stderr
    assert_previous_output_untouched(project)


def test_a_second_build_waits_for_the_first(project_copy):
    project = project_copy({"good.md": GOOD_POST})
    output = project / "output"
    with build_lock(output):
        second = subprocess.Popen(
            [sys.executable, "-m", "sitebuild"], cwd=project, stderr=subprocess.PIPE, text=True
        )
        with pytest.raises(subprocess.TimeoutExpired):
            second.wait(timeout=3)
        assert not output.exists()
    assert second.wait(timeout=60) == 0, second.stderr.read()
    assert (output / "index.html").is_file()


BROKEN_LINK_POST = "Title: Linked\nDate: 2020-01-04\n\nSee [the old post](/2019/01/01/gone/).\n"


def test_a_broken_internal_link_fails_the_build_naming_the_post_and_page(project_copy):
    project = project_copy({"good.md": GOOD_POST, "linked.md": BROKEN_LINK_POST})
    result = invoke("build", cwd=project)
    assert result.returncode != 0
    assert "content/linked.md:4: broken link to /2019/01/01/gone/" in result.stderr
    assert "on 2020/01/04/linked/index.html" in result.stderr
    assert not (project / "output").exists()


def test_a_failed_build_leaves_its_attempt_to_look_at_and_reports_by_file(project_copy):
    posts = {
        "good.md": GOOD_POST,
        "linked.md": BROKEN_LINK_POST.replace(").", ") and [another](/nowhere/)."),
        "other.md": "Title: Other\nDate: 2020-01-03\n\nSee [this](/missing/).\n",
    }
    project = project_copy(posts)
    result = build_with_previous_output(project)
    assert result.returncode != 0
    assert_previous_output_untouched(project)
    attempt = project / "output.attempted"
    assert "the attempted site is in output.attempted/" in result.stderr
    # Every page the build wrote can be opened, the broken one too.
    assert "Linked" in (attempt / "2020/01/04/linked/index.html").read_text(encoding="utf-8")
    assert (attempt / "2020/01/02/a-good-post/index.html").is_file()
    # Grouped by file, though the check meets other.md's page (2020/01/03) first.
    problems = [line for line in result.stderr.splitlines() if "broken link" in line]
    assert [line.split(":")[1].strip() for line in problems] == [
        "content/linked.md",
        "content/linked.md",
        "content/other.md",
    ]
    # A good build takes its place, and the attempt goes.
    (project / "content" / "linked.md").unlink()
    (project / "content" / "other.md").unlink()
    assert invoke("build", cwd=project).returncode == 0
    assert not attempt.exists()
