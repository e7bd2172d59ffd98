"""Two builds of the same sources are byte-identical: the publisher uploads only real changes."""

from pathlib import Path

from tests.conftest import invoke


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_second_clean_build_is_byte_identical(built_site, tmp_path):
    again = tmp_path / "again"
    result = invoke("build", "--output", str(again))
    assert result.returncode == 0, result.stderr
    first, second = tree(built_site), tree(again)
    assert sorted(first) == sorted(second)
    differing = [name for name in first if first[name] != second[name]]
    assert differing == []
