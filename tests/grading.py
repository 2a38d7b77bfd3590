"""Shared helpers for the project's tests of the hidden suites.

Every suite is tested the same way: the reference scores full marks on
several seeds, the untouched stub scores zero, and typical mistakes (the
reference with one edit) lose exactly the points they should.
"""
from __future__ import annotations

from pathlib import Path

from grader.catalog import get
from grader.results import GradeResult
from grader.runner import grade_source

SEEDS = (0, 1, 12345)


def solution_text(exercise_id: str) -> str:
    return get(exercise_id).solution.read_text()


def stub_text(exercise_id: str) -> str:
    return get(exercise_id).stub.read_text()


def grade(exercise_id: str, source: str, seed: int = 0, visible: bool = False) -> GradeResult:
    return grade_source(get(exercise_id), source, seed, visible=visible)


def mutate(source: str, old: str, new: str, count: int = 1) -> str:
    """The source with ``old`` replaced by ``new``; ``old`` must occur exactly ``count`` times."""
    found = source.count(old)
    assert found == count, f"expected {count} occurrence(s) of {old!r}, found {found}"
    return source.replace(old, new)


def failed_tests(result: GradeResult) -> set[str]:
    return {t.name for t in result.tests if not t.passed}


def assert_loses(result: GradeResult, *must_fail: str) -> None:
    """The result lost points, and every test whose name contains one of ``must_fail`` failed."""
    failed = failed_tests(result)
    assert result.score < result.max_score, "the mistake lost no points"
    for fragment in must_fail:
        assert any(fragment in name for name in failed), f"no failed test mentions {fragment!r}: {sorted(failed)}"


def assert_loses_only(result: GradeResult, *must_fail: str) -> GradeResult:
    """The tests matching ``must_fail`` failed and every other test passed (partial credit works)."""
    assert_loses(result, *must_fail)
    extra = {name for name in failed_tests(result) if not any(f in name for f in must_fail)}
    assert not extra, f"these tests should have passed: {sorted(extra)}"
    return result


def output_of(result: GradeResult, fragment: str) -> str:
    """The feedback of the first test whose name contains ``fragment``."""
    return next(t.output for t in result.tests if fragment in t.name)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path
