"""What the cells of an exported notebook call in a kernel, and the outcome each graded cell shows.

In a kernel (the student's visible tests, the instructor's own run of the
source notebook), the cells find the source of the cells that defined the
exercise's functions and hand that text to the same worker process and
hidden suite as `dlx grade`. `nbgrader autograde` never runs them: the kernel
that ran the student's cells cannot be trusted to judge them, so
:mod:`grader.nbautograde` grades instead (and these functions refuse to run
there). Nothing here writes to stderr (nbgrader zeroes a test cell that does).
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import linecache
import os
import warnings
from types import FunctionType
from typing import Any, Iterator

from .i18n import _, speaking
from .results import GradeResult

_cache: dict[tuple[str, str, int, bool, str], GradeResult] = {}


class TestFailed(AssertionError):
    """A failed dlx test; its message is the feedback."""


def _code_objects(obj: Any) -> Iterator[Any]:
    if isinstance(obj, FunctionType):
        yield obj.__code__
    elif isinstance(obj, type):
        for member in vars(obj).values():
            member = getattr(member, "__func__", member)
            if isinstance(member, property):
                member = member.fget
            if isinstance(member, FunctionType):
                yield member.__code__


def student_source(namespace: dict[str, Any], names: list[str]) -> str:
    """The source of every cell that defined one of ``names``, in the order first met."""
    files: list[str] = []
    for name in names:
        for code in _code_objects(namespace.get(name)):
            if code.co_filename not in files and linecache.getlines(code.co_filename):
                files.append(code.co_filename)
    return "\n\n".join("".join(linecache.getlines(f)) for f in files)


@contextlib.contextmanager
def _silent() -> Iterator[None]:
    """No warning and no stray output reaches the cell's stderr."""
    sink = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stderr(sink):
        warnings.simplefilter("ignore")
        yield


def in_language(lang: str | None) -> contextlib.AbstractContextManager:
    """The notebook's language (``lang=`` in its cells, from `dlx nbgrader export --lang`), or the run's."""
    return speaking(lang) if lang else contextlib.nullcontext()


def grade_namespace(exercise_id: str, namespace: dict[str, Any], seed: int, visible: bool = False) -> GradeResult:
    """Grade the functions defined in the notebook (cached for identical code and seed)."""
    from .catalog import get
    from .runner import grade_source

    exercise = get(exercise_id)
    source = student_source(namespace, list(exercise.functions))
    key = (exercise_id, hashlib.sha256(source.encode()).hexdigest(), seed, visible, exercise.lang)
    if key not in _cache:
        with _silent():
            _cache[key] = grade_source(exercise, source, seed, visible=visible)
    return _cache[key]


def hidden_outcome(result: GradeResult, test_id: str) -> tuple[bool, str]:
    """Whether one hidden test passed, and what its cell shows: ``passed: <name>`` or the feedback."""
    test = next((t for t in result.tests if t.test_id == test_id), None)
    if test is None:
        return False, _("{exercise}: test {test} is not in this version of dlx").format(exercise=result.item,
                                                                                        test=test_id)
    return test.passed, _("passed: {test}").format(test=_(test.name)) if test.passed else f"{_(test.name)}: {test.output}"


def _refuse_in_autograde() -> None:
    """During `nbgrader autograde` the kernel has run the student's cells: it must not judge them."""
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        raise TestFailed(_("not graded: dlx cells are graded by dlx's preprocessor, not in the kernel, and this "
                           "course's nbgrader_config.py does not load it; run `dlx nbgrader export` again "
                           "(it adds the lines) and autograde with --force"))


def hidden_test(exercise_id: str, test_id: str, namespace: dict[str, Any], seed: int, lang: str | None = None) -> None:
    """One hidden test, as one autograded cell: prints ``passed: <name>`` or raises with the feedback.

    For the instructor's own runs of the source notebook; `nbgrader autograde` never calls it.
    """
    with in_language(lang):
        _refuse_in_autograde()
        passed, message = hidden_outcome(grade_namespace(exercise_id, namespace, seed), test_id)
    if not passed:
        raise TestFailed(message)
    print(message)


def visible_tests(exercise_id: str, namespace: dict[str, Any], lang: str | None = None) -> None:
    """The visible tests, as a read-only cell: a line per test; raises if any failed."""
    with in_language(lang):
        result = grade_namespace(exercise_id, namespace, 0, visible=True)
        for test in result.tests:
            print(("✓ " if test.passed else "✗ ") + _(test.name) + ("" if test.passed else f"\n    {test.output}"))
        failed = [t for t in result.tests if not t.passed]
        if failed:
            raise TestFailed(_("{failed} of {total} visible tests failed (see above)").format(
                failed=len(failed), total=len(result.tests)))


def quiz_outcome(result: GradeResult, question_id: str) -> tuple[bool, str]:
    """Whether one quiz question was answered right, and what its cell shows."""
    test = next((t for t in result.tests if t.test_id == question_id), None)
    if test is None:
        return False, _("{bank}: question {question} is not in this version of dlx").format(bank=result.item,
                                                                                            question=question_id)
    return test.passed, test.output if test.passed else f"{question_id}: {test.output}"


def quiz_check(bank_id: str, question_id: str, answers: dict[str, Any], seed: int, lang: str | None = None) -> None:
    """One quiz question, as one autograded cell: prints the explanation, raises if the answer is wrong.

    For the instructor's own runs of the source notebook; `nbgrader autograde` never calls it.
    """
    from .quiz import grade_answers

    with in_language(lang):
        _refuse_in_autograde()
        given = {question_id: answers[question_id]} if question_id in answers else {}
        with _silent():
            result = grade_answers(bank_id, seed, given)
        passed, message = quiz_outcome(result, question_id)
    if not passed:
        raise TestFailed(message)
    print(message)
