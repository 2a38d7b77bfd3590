"""The nbgrader export, through nbgrader 0.9.6 itself: its recorded grades equal `dlx grade`'s.

Hostile notebooks are in test_redteam_nbgrader.py.
"""
import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

import grader
from grader import notebook as kernel_cells
from grader.catalog import catalog, get
from grader.cli import main
from grader.nbautograde import dlx_cell, grade_notebook, quiz_answers
from grader.nbexport import notebook
from grader.quiz import grade_answers
from grader.runner import grade_source
from tests.helpers import mutate, reference_text

SEED = 7
SUITE_IDS = Path(__file__).with_name("suite_ids.json")
ROOT = Path(grader.__file__).resolve().parent.parent
SOLUTION = reference_text("affine")
STUDENTS = {
    "alice": SOLUTION,
    "bob": None,  # hands in the released notebook untouched
    "carol": mutate(SOLUTION, "dout.sum(axis=0)", "dout.mean(axis=0)"),
    "dave": "import sys, warnings\nprint('noise', file=sys.stderr)\nwarnings.warn('careful')\n" + SOLUTION,
    "erin": SOLUTION.replace("def affine_backward(dout, cache):", "def affine_backward(dout, cache)"),
}


def _quiz_key():
    return {t.name: t.expected for t in grade_answers("init", SEED, {}).tests}


QUIZ_ANSWERS = {  # per student: answers written into the released quiz notebook (None: left untouched)
    "alice": "key", "bob": None, "carol": "half", "dave": "junk", "erin": "key",
}


def _quiz_answers(kind):
    key = _quiz_key()
    if kind == "key":
        return key
    if kind == "half":
        return {q: a for i, (q, a) in enumerate(key.items()) if i % 2 == 0}
    return {q: "zzz" for q in key}


def _answered_quiz(course, kind):
    nb = nbformat.read(course / "release" / "ps1" / "quiz_init.ipynb", 4)
    if kind is not None:
        for qid, answer in _quiz_answers(kind).items():
            _cell(nb, f"quiz-init-{qid}-answer").source = f"answers[{qid!r}] = {answer!r}"
    return nb


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _nbgrader(course, *args):
    """Run nbgrader; its kernels import this checkout's grader, as the grading process does.

    nbconvert's templates (generate_feedback) are data files of the base interpreter, which a
    virtual environment's Jupyter path leaves out.
    """
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "JUPYTER_PATH": os.pathsep.join([os.environ.get("JUPYTER_PATH", ""),
                                            os.path.join(sys.base_prefix, "share", "jupyter")]).lstrip(os.pathsep)}
    run = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True, text=True,
                         timeout=600, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    return run


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    result = CliRunner().invoke(main, ["nbgrader", "export", str(course), "--assignment", "ps1", "affine",
                                       "--quiz", "init", "--seed", str(SEED)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    _nbgrader(course, "generate_assignment", "ps1")
    released = nbformat.read(course / "release" / "ps1" / "affine.ipynb", 4)
    for student, code in STUDENTS.items():
        nb = nbformat.from_dict(json.loads(json.dumps(released)))
        if code is not None:
            _cell(nb, "affine-solution").source = code
        folder = course / "submitted" / student / "ps1"
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / "affine.ipynb")
        nbformat.write(_answered_quiz(course, QUIZ_ANSWERS[student]), folder / "quiz_init.ipynb")
    _nbgrader(course, "autograde", "ps1")
    return course


def _nbgrader_scores(course, notebook_id):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as book:
        return {s: book.find_submission_notebook(notebook_id, "ps1", s).score for s in STUDENTS}


def test_nbgrader_quiz_scores_equal_dlx_quiz_scores(course):
    scores = _nbgrader_scores(course, "quiz_init")
    expected = {s: grade_answers("init", SEED, _quiz_answers(k) if k else {}).score for s, k in QUIZ_ANSWERS.items()}
    assert scores == expected
    assert scores["alice"] == grade_answers("init", SEED, {}).max_score and scores["bob"] == 0 < scores["carol"]


def test_nbgrader_scores_equal_dlx_scores(course):
    scores = _nbgrader_scores(course, "affine")
    released_stub = _cell(nbformat.read(course / "release" / "ps1" / "affine.ipynb", 4), "affine-solution").source
    expected = {s: grade_source(get("affine"), code if code is not None else released_stub, SEED).score
                for s, code in STUDENTS.items()}
    assert scores == expected, _feedback(course)
    assert scores["alice"] == 10 and scores["bob"] == 0 and scores["carol"] == 9 and scores["dave"] == 10


def _feedback(course):
    """Every error a cell raised in the autograded affine notebooks, to explain a mismatch."""
    found = {}
    for student in STUDENTS:
        nb = nbformat.read(course / "autograded" / student / "ps1" / "affine.ipynb", 4)
        found[student] = [o.get("evalue", "") for c in nb.cells for o in c.get("outputs", [])
                          if o.get("output_type") == "error"]
    return found


def test_failed_cells_carry_dlx_feedback_and_no_stderr(course):
    nb = nbformat.read(course / "autograded" / "carol" / "ps1" / "affine.ipynb", 4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("name") == "stderr"]
    errors = [o for o in outputs if o.output_type == "error"]
    assert any("affine_backward: db: relative error" in o.evalue for o in errors)
    shown = json.dumps(outputs)
    assert "suites/test_affine" not in shown and "check_layer_gradient" not in shown  # no hidden suite code


def test_generate_feedback_runs(course):
    _nbgrader(course, "generate_feedback", "ps1")
    assert (course / "feedback" / "carol" / "ps1" / "affine.html").is_file()


def test_released_notebook_hides_solution_and_tests(course):
    text = (course / "release" / "ps1" / "affine.ipynb").read_text()
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    assert "x, w, _ = cache" not in text and "hidden_test(" not in text


@pytest.mark.parametrize("exercise_id", [e.id for e in catalog().values() if e.requires == "numpy"])
def test_every_exercise_exports_a_valid_notebook(exercise_id):
    exercise = get(exercise_id)
    nb = notebook(exercise, SEED)
    nbformat.validate(nb)
    graded = [c for c in nb.cells if c.metadata["nbgrader"]["grade"]]
    assert sum(c.metadata["nbgrader"]["points"] for c in graded) == exercise.points
    assert len({c.metadata["nbgrader"]["grade_id"] for c in nb.cells}) == len(nb.cells)
    ids = list(json.loads(SUITE_IDS.read_text())[exercise_id])  # each hidden test's cell is named by its stable id
    assert [c.metadata["nbgrader"]["grade_id"] for c in graded] == [f"{exercise_id}-{i}" for i in ids]
    assert all(f"hidden_test({exercise_id!r}, {i!r}, " in c.source for c, i in zip(graded, ids))
    solution = _cell(nb, f"{exercise_id}-solution").source
    ast.parse(solution)
    without_markers = "\n".join(line for line in solution.splitlines() if "### " not in line)
    assert grade_source(exercise, without_markers, SEED).score == exercise.points


@pytest.fixture(scope="module")
def correct_course(tmp_path_factory):
    """Every exercise, handed in with the reference as the solution cell, autograded."""
    course = tmp_path_factory.mktemp("correct")
    result = CliRunner().invoke(main, ["nbgrader", "export", str(course), "--assignment", "ps1", "--seed", str(SEED)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    _nbgrader(course, "generate_assignment", "ps1")
    folder = course / "submitted" / "ref" / "ps1"
    folder.mkdir(parents=True)
    for exercise in catalog().values():
        nb = nbformat.read(course / "release" / "ps1" / f"{exercise.id}.ipynb", 4)
        _cell(nb, f"{exercise.id}-solution").source = exercise.reference.read_text(encoding="utf-8")
        nbformat.write(nb, folder / f"{exercise.id}.ipynb")
    _nbgrader(course, "autograde", "ps1")
    return course


def test_a_correct_course_gets_full_marks_torch_included(correct_course):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{correct_course / 'gradebook.db'}") as book:
        scores = {e.id: book.find_submission_notebook(e.id, "ps1", "ref").score for e in catalog().values()}
    assert {"torch_functions", "resblock_torch", "train_torch"} <= set(scores)
    assert scores == {e.id: e.points for e in catalog().values()}


def test_the_autograde_kernel_never_judges(monkeypatch):
    """A course whose config lacks dlx's autograde step: the cells refuse, so no kernel-side verdict counts."""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(kernel_cells.TestFailed, match="nbgrader_config.py does not load it"):
        kernel_cells.hidden_test("affine", "test_forward_values", {}, seed=SEED)
    with pytest.raises(kernel_cells.TestFailed, match="nbgrader_config.py does not load it"):
        kernel_cells.quiz_check("init", "q", {}, seed=SEED)


def test_export_adds_the_autograde_step_to_an_existing_config(tmp_path):
    config = tmp_path / "nbgrader_config.py"
    config.write_text("c = get_config()\nc.CourseDirectory.course_id = 'mine'\n")
    for _ in range(2):
        result = CliRunner().invoke(main, ["nbgrader", "export", str(tmp_path), "--assignment", "ps1", "--quiz",
                                           "init", "--force"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    text = config.read_text()
    assert text.startswith("c = get_config()\nc.CourseDirectory.course_id = 'mine'\n")
    assert text.count("autograde_preprocessors()") == 1


def test_quiz_answers_are_read_without_running_the_cells():
    sources = ["answers = {}", "answers['a'] = 'b'  # mine\nanswers[\"c\"] = ['a', 'c']",
               "answers.update({'d': 0.125, 'e': 1/8})\nimport os\nos.remove('x')", "answers['f'] = ",
               "answers['g'] = b"]
    found = quiz_answers(sources)
    assert {k: found[k] for k in "acd"} == {"a": "b", "c": ["a", "c"], "d": 0.125}
    assert "f" not in found and "expression" in repr(found["e"]) and "expression" in repr(found["g"])
    key = _quiz_key()
    first = next(iter(key))
    result = grade_answers("init", SEED, quiz_answers([f"answers[{first!r}] = {first}"]))
    assert result.score == 0 and "an expression" in result.tests[0].output


def test_graded_cells_get_dlx_outcomes_and_foreign_graded_cells_fail():
    """Only dlx's cells are judged (from the source's text); any other graded cell fails: no kernel ran it."""
    nb = notebook(get("affine"), SEED)
    hidden = [c for c in nb.cells if c.metadata["nbgrader"]["grade"]]
    cells = {c.metadata["nbgrader"]["grade_id"]: dlx_cell(c.source) for c in hidden}
    assert {(d.function, d.subject, d.seed) for d in cells.values()} == {("hidden_test", "affine", SEED)}
    foreign = nbformat.v4.new_code_cell("assert True", metadata={"nbgrader": {"grade": True, "grade_id": "mine"}})
    added = nbformat.v4.new_code_cell("print('unrelated')\ndef helper():\n    pass")
    nb.cells += [foreign, added]
    _cell(nb, "affine-solution").source = mutate(SOLUTION, "dout.sum(axis=0)", "dout.mean(axis=0)")
    grade_notebook(nb, cells, {"affine-solution"}, {*cells, "mine"})
    outcomes = [c.outputs[0].output_type for c in hidden]
    assert outcomes.count("error") == 1 and outcomes.count("stream") == len(hidden) - 1
    assert foreign.outputs[0].output_type == "error" and "by hand" in foreign.outputs[0].evalue
    assert not added.get("outputs") and not _cell(nb, "affine-solution").outputs
