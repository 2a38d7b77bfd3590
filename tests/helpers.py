"""Shared helpers for the project's tests of the hidden suites.

Every suite is tested the same way: the reference scores full marks on
several seeds, the untouched stub scores zero, and typical mistakes (the
reference with one edit) lose exactly the points they should.  The mistakes of
an exercise are a table of ``Mistake`` cases, graded by one shared test
(``mistake_tests``) and named by the suites' stable test ids.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest

from grader.catalog import get
from grader.results import GradeResult
from grader.runner import grade_source, load_reference
from grader.checks import numerical_gradient_array, rel_error

SEEDS = (0, 1, 12345)


def reference_text(exercise_id: str) -> str:
    return get(exercise_id).reference.read_text()


def stub_text(exercise_id: str) -> str:
    return get(exercise_id).stub.read_text()


def grade(exercise_id: str, source: str, seed: int = 0, visible: bool = False) -> GradeResult:
    return grade_source(get(exercise_id), source, seed, visible=visible)


def mutate(source: str, old: str, new: str, count: int = 1) -> str:
    """The source with ``old`` replaced by ``new``; ``old`` must occur exactly ``count`` times."""
    found = source.count(old)
    assert found == count, f"expected {count} occurrence(s) of {old!r}, found {found}"
    return source.replace(old, new)


def failed_ids(result: GradeResult) -> set[str]:
    """The stable ids of the tests that failed."""
    return {t.test_id for t in result.tests if not t.passed}


def output_of(result: GradeResult, test_id: str) -> str:
    """The feedback of the test with stable id ``test_id``."""
    return next(t.output for t in result.tests if t.test_id == test_id)


Edit = tuple[str, str] | tuple[str, str, int]  # (find, replace) or (find, replace, occurrences)


@dataclass(frozen=True)
class Mistake:
    """A typical mistake: the reference with some edits, and what grading it must give.

    ``fails`` are the stable ids (``@points(n, id=...)``) of the tests that must fail. ``keeps`` are the
    ids that must still pass; ``None`` means every other test (exactly ``fails`` fail). ``lost`` is the
    number of points lost, when the case pins it. ``says`` maps a test id to text its feedback contains,
    ``never_says`` to text it must not contain. ``prefix`` goes before the edited source.
    ``build`` replaces the edits when the mistake is more than find and replace (it gets the reference).
    """

    name: str
    edits: tuple[Edit, ...] = ()
    fails: frozenset[str] = frozenset()
    keeps: frozenset[str] | None = None
    lost: float | None = None
    says: tuple[tuple[str, str], ...] = ()
    never_says: tuple[tuple[str, str], ...] = ()
    prefix: str = ""
    seeds: tuple[int, ...] = (0,)
    build: Callable[[str], str] | None = None

    def source(self, solution: str) -> str:
        """The reference with this mistake made."""
        source = self.build(solution) if self.build else solution
        for find, replace, *count in self.edits:
            source = mutate(source, find, replace, *count)
        return self.prefix + source


def mistake(name: str, find: str, replace: str, *fails: str, **options: Any) -> Mistake:
    """A mistake made by one find-and-replace in the reference; ``fails`` are the test ids it must fail."""
    return edited(name, [(find, replace)], *fails, **options)


Feedback = dict[str, str | tuple[str, ...]]  # test id -> one text or several


def edited(name: str, changes: list[Edit], *fails: str, keeps: tuple[str, ...] | None = None,
           says: Feedback | None = None, never_says: Feedback | None = None, **options: Any) -> Mistake:
    """A mistake made by several find-and-replace edits, applied in order."""
    return Mistake(name, tuple(changes), frozenset(fails), None if keeps is None else frozenset(keeps),
                   says=_pairs(says), never_says=_pairs(never_says), **options)


def _pairs(feedback: Feedback | None) -> tuple[tuple[str, str], ...]:
    return tuple((test_id, text) for test_id, texts in (feedback or {}).items()
                 for text in ((texts,) if isinstance(texts, str) else texts))


def check_mistake(exercise_id: str, case: Mistake) -> GradeResult:
    """Grade the mistake on each of its seeds and assert everything it declares; the last result."""
    source = case.source(reference_text(exercise_id))
    for seed in case.seeds:
        result = grade(exercise_id, source, seed)
        ids, failed = {t.test_id for t in result.tests}, failed_ids(result)
        declared = case.fails | (case.keeps or set()) | {test_id for test_id, _ in case.says + case.never_says}
        assert declared <= ids, f"no such test id in {exercise_id}: {sorted(declared - ids)}"
        assert case.fails <= failed, f"seed {seed}: these tests should have failed: {sorted(case.fails - failed)}"
        keeps = ids - case.fails if case.keeps is None else case.keeps
        assert not failed & keeps, f"seed {seed}: these tests should have passed: {sorted(failed & keeps)}"
        if case.lost is not None:
            lost = round(result.max_score - result.score, 6)
            assert lost == case.lost, f"seed {seed}: lost {lost} points, not {case.lost}"
        for test_id, text in case.says:
            assert text in output_of(result, test_id), (test_id, text, output_of(result, test_id))
        for test_id, text in case.never_says:
            assert text not in output_of(result, test_id), (test_id, text, output_of(result, test_id))
    return result


def mistake_tests(exercise_id: str, mistakes: list[Mistake]) -> Callable[[Mistake], None]:
    """One parametrised test that grades every mistake of the table: ``test_mistake = mistake_tests(...)``."""
    names = [m.name for m in mistakes]
    assert len(set(names)) == len(names), "two mistakes share a name"

    @pytest.mark.parametrize("case", mistakes, ids=names)
    def test_mistake(case: Mistake) -> None:
        check_mistake(exercise_id, case)

    return test_mistake


def seeds_agree_test(exercise_id: str, wrong: Mistake, full_marks: float | None = None) -> Callable[[], None]:
    """A test that seeds 3 and 4 give the same score to ``wrong`` and to the reference (``full_marks``, if given)."""

    def scores(source: str) -> set[float]:
        return {grade(exercise_id, source, seed).score for seed in (3, 4)}

    def test_seeds_agree() -> None:
        solution = reference_text(exercise_id)
        assert len(scores(wrong.source(solution))) == 1
        reference = scores(solution)
        assert len(reference) == 1 and (full_marks is None or reference == {full_marks}), reference

    return test_seeds_agree


def pick(mistakes: list[Mistake], name: str) -> Mistake:
    """The mistake of the table called ``name``."""
    return next(m for m in mistakes if m.name == name)


def assert_reference_gradients(exercise_id: str, layer: str, args: list[Any], dout: Any, wrt: int,
                               tolerance: float = 1e-7) -> None:
    """The reference's ``<layer>_backward`` matches a numerical gradient for its first ``wrt`` arguments."""
    reference = load_reference(str(get(exercise_id).reference))
    forward, backward = getattr(reference, f"{layer}_forward"), getattr(reference, f"{layer}_backward")
    grads = backward(dout, forward(*args)[1])
    for i in range(wrt):
        def moved(v: Any, i: int = i) -> Any:
            return forward(*(v if j == i else a for j, a in enumerate(args)))[0]
        assert rel_error(grads[i], numerical_gradient_array(moved, args[i], dout)) < tolerance


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path
