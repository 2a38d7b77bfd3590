"""One result type: an exercise's GradeResult and a quiz's QuizResult go through the gradebook and JSON alike,
and the rows older versions of dlx stored still read back."""
from __future__ import annotations

import json
import sqlite3

from click.testing import CliRunner

from grader.cli import main
from grader.gradebook import Gradebook
from grader.quiz import grade_answers
from grader.results import GradeResult, QuestionResult, QuizResult, TestResult

EXERCISE = GradeResult("affine", 7, [TestResult("forward", 2.0, 2.0, "passed", test_id="forward_values"),
                                     TestResult("db", 0.0, 1.0, "failed", "db: wrong", test_id="backward_db")],
                       0.5, "printed\n")

# As dlx stored them before results had one type: no test ids, the quiz's questions as plain dicts.
OLD_EXERCISE_ROW = {"score": 9.0, "max_score": 10.0, "exercise": "affine", "seed": 3, "duration_s": 0.2,
                    "dlx_version": "0.1.0", "output": "",
                    "tests": [{"name": "affine_forward: out matches", "score": 9.0, "max_score": 10.0,
                               "status": "failed", "output": "close", "visibility": "visible"}]}
OLD_QUIZ_ROW = {"kind": "quiz", "bank": "init", "title": "Initialisation", "seed": 4, "score": 1.0, "max_score": 2.0,
                "dlx_version": "0.1.0", "ignored": ["nosuch"],
                "tests": [{"name": "vanishing", "kind": "single", "score": 1.0, "max_score": 1.0, "status": "passed",
                           "outcome": "correct", "given": "a", "verdict": "correct", "expected": "a",
                           "output": "correct: a) ...\nwhy", "explanation": "why", "visibility": "visible"},
                          {"name": "he-std", "kind": "numeric", "score": 0.0, "max_score": 1.0, "status": "failed",
                           "outcome": "unanswered", "given": None, "verdict": "no answer", "expected": 0.25,
                           "output": "no answer; the answer is 0.25\nwhy", "explanation": "why",
                           "visibility": "visible"}]}


def test_both_kinds_round_trip_through_json():
    quiz = grade_answers("init", 4, {"vanishing": "a", "nosuch": 1})
    assert isinstance(quiz, QuizResult) and isinstance(quiz, GradeResult)
    assert all(isinstance(t, QuestionResult) and t.test_id == t.name for t in quiz.tests)
    for result in (EXERCISE, quiz):
        again = GradeResult.from_json(json.loads(json.dumps(result.to_json())))
        assert type(again) is type(result) and again == result
    assert quiz.to_json()["kind"] == "quiz" and quiz.to_json()["ignored"] == ["nosuch"]
    assert "kind" not in EXERCISE.to_json() and EXERCISE.to_json()["tests"][1]["id"] == "backward_db"


def test_the_gradebook_records_either_kind_from_the_result(tmp_path):
    quiz = grade_answers("init", 4, {})
    with Gradebook(tmp_path / "book.sqlite3") as book:
        book.record(EXERCISE, "abc")
        book.record(quiz)
        [exercise_row] = book.attempts("exercise", "affine")
        [quiz_row] = book.attempts("quiz", "init")
        standings = {(s.kind, s.item): (s.best, s.max_score) for s in book.standings()}
    assert exercise_row["result"] == EXERCISE and exercise_row["file_hash"] == "abc" and exercise_row["seed"] == 7
    assert quiz_row["result"] == quiz and quiz_row["score"] == quiz.score == 0
    assert standings == {("exercise", "affine"): (2.0, 3.0), ("quiz", "init"): (0.0, quiz.max_score)}


def test_rows_stored_by_older_versions_still_read_back(tmp_path, monkeypatch):
    monkeypatch.setenv("DLX_HOME", str(tmp_path))
    Gradebook().close()
    with sqlite3.connect(tmp_path / "gradebook.sqlite3") as db:
        for kind, item, row in (("exercise", "affine", OLD_EXERCISE_ROW), ("quiz", "init", OLD_QUIZ_ROW)):
            db.execute("INSERT INTO attempts (time, kind, item, score, max_score, seed, file_hash, result) "
                       "VALUES (1, ?, ?, ?, ?, ?, NULL, ?)",
                       (kind, item, row["score"], row["max_score"], row["seed"], json.dumps(row)))
    with Gradebook() as book:
        [exercise] = [a["result"] for a in book.attempts("exercise", "affine")]
        [quiz] = [a["result"] for a in book.attempts("quiz", "init")]
    assert (exercise.item, exercise.score, exercise.max_score, exercise.tests[0].output) == ("affine", 9.0, 10.0, "close")
    assert isinstance(quiz, QuizResult) and (quiz.item, quiz.score, quiz.ignored) == ("init", 1.0, ["nosuch"])
    assert [(t.name, t.outcome, t.expected) for t in quiz.tests] == [("vanishing", "correct", "a"),
                                                                      ("he-std", "unanswered", 0.25)]
    assert quiz.to_json() == {**OLD_QUIZ_ROW, "tests": [{"id": "", **t} for t in OLD_QUIZ_ROW["tests"]]}
    shown = CliRunner().invoke(main, ["score"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0 and "affine" in shown.output and "init" in shown.output, shown.output
