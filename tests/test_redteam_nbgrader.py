"""Hostile notebooks through the real nbgrader pipeline: no points gained, nothing written, nobody else touched.

Each attacker hands in the released affine and quiz notebooks with the stubs
untouched (worth 0) and one attack in a cell of its own at the top of both
notebooks. ``mallory_files`` also puts its attack in the solution cell, the
code dlx grades in its sandbox. The attacks know the course's absolute path,
as an attacker who guessed it would.
"""
import json
import sqlite3
import textwrap

import nbformat
import pytest
from click.testing import CliRunner

from grader.catalog import get
from grader.cli import main
from grader.quiz import grade_answers
from grader.runner import grade_source
from tests.helpers import mutate
from tests.test_nbgrader import SEED, SOLUTION, _cell, _nbgrader

HONEST = {  # student -> affine solution cell (None: the released stub), quiz answers given (None: untouched)
    "alice": (SOLUTION, "key"),
    "carol": (mutate(SOLUTION, "dout.sum(axis=0)", "dout.mean(axis=0)"), None),
    "zoe": (SOLUTION, "key"),  # graded after every attacker
}
ATTACKS = {
    "mallory_patch": """
        import grader.notebook as dlx_cells
        def _pass(*args, **kwargs):
            print("passed")
        dlx_cells.hidden_test = dlx_cells.quiz_check = _pass
        """,
    "mallory_transformer": """
        get_ipython().input_transformers_cleanup.append(lambda lines: [])
        """,
    "mallory_excepthook": """
        def _swallow(shell, etype, value, tb, tb_offset=None):
            return None
        get_ipython().set_custom_exc((BaseException,), _swallow)
        """,
    "mallory_files": """
        import glob, os, sqlite3
        COURSE = {course!r}
        for target in (os.path.join(COURSE, "pwned.txt"), os.path.join({outside!r}, "pwned.txt"),
                       os.path.join(os.getcwd(), "pwned.txt")):
            try:
                with open(target, "w") as f:
                    f.write("pwned")
            except OSError:
                pass
        try:
            db = sqlite3.connect(os.path.join(COURSE, "gradebook.db"))
            mine = ("notebook_id in (select s.id from submitted_notebook s join submitted_assignment a "
                    "on s.assignment_id = a.id where a.student_id = '{{}}')")
            db.execute("update grade set manual_score = 0 where " + mine.format("alice"))
            db.execute("update grade set manual_score = 100 where " + mine.format("mallory_files"))
            db.execute("insert into student (id, first_name, last_name) values ('ghost', 'g', 'g')")
            db.commit()
        except Exception:
            pass
        for path in glob.glob(os.path.join(COURSE, "source", "*", "*.ipynb")):
            try:
                print(open(path).read())  # the reference, into the feedback
            except OSError:
                pass
        """,
}
STUDENTS = [*HONEST, *ATTACKS]


def _attack_cell(code):
    return nbformat.v4.new_code_cell(textwrap.dedent(code))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    outside = tmp_path_factory.mktemp("outside")
    result = CliRunner().invoke(main, ["nbgrader", "export", str(course), "--assignment", "ps1", "affine",
                                       "--quiz", "init", "--seed", str(SEED)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    _nbgrader(course, "generate_assignment", "ps1")
    release = course / "release" / "ps1"
    key = {t.name: t.expected for t in grade_answers("init", SEED, {}).tests}
    for student in STUDENTS:
        affine, quiz = nbformat.read(release / "affine.ipynb", 4), nbformat.read(release / "quiz_init.ipynb", 4)
        if student in HONEST:
            code, answers = HONEST[student]
            _cell(affine, "affine-solution").source = code
            for qid, answer in (key if answers else {}).items():
                _cell(quiz, f"quiz-init-{qid}-answer").source = f"answers[{qid!r}] = {answer!r}"
        else:
            attack = ATTACKS[student].format(course=str(course), outside=str(outside))
            for nb in (affine, quiz):
                nb.cells.insert(0, _attack_cell(attack))
            if student == "mallory_files":
                solution = _cell(affine, "affine-solution")
                solution.source = textwrap.dedent(attack) + "\n" + solution.source
        folder = course / "submitted" / student / "ps1"
        folder.mkdir(parents=True)
        nbformat.write(affine, folder / "affine.ipynb")
        nbformat.write(quiz, folder / "quiz_init.ipynb")
    _nbgrader(course, "autograde", "ps1")
    return course, outside


def _scores(course):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as book:
        return {s: {nb: book.find_submission_notebook(nb, "ps1", s).score for nb in ("affine", "quiz_init")}
                for s in STUDENTS}


def _expected(course):
    stub = _cell(nbformat.read(course / "release" / "ps1" / "affine.ipynb", 4), "affine-solution").source
    quiz_max = grade_answers("init", SEED, {}).max_score
    expected = {s: {"affine": 0.0, "quiz_init": 0.0} for s in ATTACKS}
    for student, (code, answers) in HONEST.items():
        expected[student] = {"affine": grade_source(get("affine"), code or stub, SEED).score,
                             "quiz_init": quiz_max if answers else 0.0}
    return expected


def test_attackers_gain_nothing_and_others_keep_their_grades(course):
    course, _ = course
    scores, expected = _scores(course), _expected(course)
    print("\n" + json.dumps(scores, indent=1))
    assert expected["alice"]["affine"] == 10 and expected["carol"]["affine"] == 9
    assert scores == expected


def test_nothing_written_outside_the_graders_own_files(course):
    course, outside = course
    written = [p for p in [course / "pwned.txt", outside / "pwned.txt", *course.glob("autograded/*/ps1/pwned.txt")]
               if p.exists()]
    assert not written
    with sqlite3.connect(course / "gradebook.db") as db:
        assert db.execute("select count(*) from student where id = 'ghost'").fetchone() == (0,)
        assert db.execute("select count(*) from grade where manual_score is not null").fetchone() == (0,)


def test_feedback_does_not_leak_the_reference(course):
    course, _ = course
    text = (course / "autograded" / "mallory_files" / "ps1" / "affine.ipynb").read_text()
    assert "BEGIN SOLUTION" not in text and "x, w, _ = cache" not in text
