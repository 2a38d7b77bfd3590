"""Every hidden test has a stable id, and the ids and points of each suite match tests/suite_ids.json.

A test's id names it in every result and seeds its inputs, so changing one is a deliberate act: edit the
suite, then rewrite the table with ``python -m tests.test_suite_ids`` and commit both.
"""
import importlib.util
import json
from pathlib import Path

import pytest

from grader.catalog import catalog
from grader.runner import collect_tests, run_tests

TABLE = Path(__file__).with_name("suite_ids.json")


def suite_table() -> dict[str, dict[str, float]]:
    """``{exercise: {test id: points}}``, in the suites' order, as collected now."""
    return {exercise_id: {t.test_id: t.max_score for t in collect_tests(exercise)}
            for exercise_id, exercise in catalog().items()}


@pytest.fixture(scope="module")
def collected():
    return suite_table()


def test_ids_and_points_match_the_table(collected):
    table = json.loads(TABLE.read_text(encoding="utf-8"))
    assert collected.keys() == table.keys()
    for exercise_id, tests in collected.items():
        assert list(tests.items()) == list(table[exercise_id].items()), (
            f"{exercise_id}: the suite's ids or points differ from tests/suite_ids.json; if that is deliberate, "
            "rewrite the table with `python -m tests.test_suite_ids`")


def test_points_add_up_to_the_exercise(collected):
    for exercise_id, tests in collected.items():
        assert sum(tests.values()) == catalog()[exercise_id].points, exercise_id


@pytest.mark.parametrize("exercise_id", list(catalog()))
def test_every_test_declares_its_id(exercise_id):
    """An id given with the points marker, not derived from the function's name."""
    path = catalog()[exercise_id].suite
    spec = importlib.util.spec_from_file_location(f"suite_ids_{exercise_id}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tests = {name: fn for name, fn in vars(module).items() if name.startswith("test_") and callable(fn)}
    assert tests
    for name, fn in tests.items():
        marks = [m for m in getattr(fn, "pytestmark", []) if m.name == "points"]
        assert marks and marks[0].kwargs.get("id"), f"{exercise_id}: {name} has no @points(n, id=...)"


DRAW_SUITE = '''from grader.checks import Feedback, points


@points(1, id="draw")
def test_{name}(rng):
    """{doc}"""
    raise Feedback(str(rng.integers(2**62)))
'''


def test_inputs_follow_the_id_not_the_name(tmp_path):
    """Renaming a test function or rewording its docstring changes neither its id nor its inputs."""
    drawn = []
    for name, doc in (("first_name", "one wording"), ("renamed", "another wording")):
        suite = tmp_path / name / "test_suite.py"
        suite.parent.mkdir()
        suite.write_text(DRAW_SUITE.format(name=name, doc=doc))
        [result] = run_tests(suite, None, None, 7)
        assert result.test_id == "draw" and result.name == doc
        drawn.append(result.output)
    assert drawn[0] == drawn[1] and drawn[0].isdigit()
    [other_seed] = run_tests(suite, None, None, 8)
    assert other_seed.output != drawn[0]


if __name__ == "__main__":
    TABLE.write_text(json.dumps(suite_table(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {TABLE}")
