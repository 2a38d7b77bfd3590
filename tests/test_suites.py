"""Every exercise of the catalogue, graded by its suite: reference full marks on several seeds, stub zero, points as declared."""
import ast

import pytest

from grader.catalog import catalog
from tests.helpers import SEEDS, grade, reference_text, stub_text

ALL_IDS = list(catalog())


@pytest.mark.parametrize("exercise_id", ALL_IDS)
@pytest.mark.parametrize("seed", SEEDS)
def test_reference_scores_full_marks(exercise_id, seed):
    result = grade(exercise_id, reference_text(exercise_id), seed)
    failures = {t.name: t.output for t in result.tests if not t.passed}
    assert not failures, failures
    assert result.score == result.max_score == catalog()[exercise_id].points


@pytest.mark.parametrize("exercise_id", ALL_IDS)
def test_stub_scores_zero(exercise_id):
    result = grade(exercise_id, stub_text(exercise_id), 0)
    assert result.score == 0
    assert all("not implemented yet" in t.output for t in result.tests), [t.output for t in result.tests]


@pytest.mark.parametrize("exercise_id", ALL_IDS)
def test_reference_passes_visible_tests(exercise_id):
    result = grade(exercise_id, reference_text(exercise_id), 0, visible=True)
    assert result.tests and all(t.passed for t in result.tests), [t.output for t in result.tests]


@pytest.mark.parametrize("exercise_id", ALL_IDS)
def test_stub_fails_visible_tests(exercise_id):
    result = grade(exercise_id, stub_text(exercise_id), 0, visible=True)
    assert result.tests and not any(t.passed for t in result.tests)


@pytest.mark.parametrize("exercise_id", ALL_IDS)
def test_stub_defines_the_catalogued_functions(exercise_id):
    exercise = catalog()[exercise_id]
    tree = ast.parse(exercise.stub.read_text())
    defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    assert set(exercise.functions) <= defined
    assert exercise.statement.is_file() and exercise.hints and exercise.visible_tests.is_file()
