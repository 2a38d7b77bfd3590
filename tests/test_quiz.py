"""The seven quiz banks, grading, and the `dlx quiz` commands (invoked on the click group directly)."""
import json
import math

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.gradebook import Gradebook
from grader.quiz import bank_questions, grade_answers, quiz
from grader.quiz.bank import bank_files, get_bank
from grader.quiz.variant import variants

BANK_IDS = ["backprop", "activations", "init", "optim", "regularization", "shift", "foundations"]
SEEDS = [0, 1, 7, 4242, 999_999]


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DLX_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def run(*args, input=None):
    return CliRunner().invoke(main, ["quiz", *(str(a) for a in args)], input=input, catch_exceptions=False)


def key(bank_id, seed, as_text=False):
    """The answer key for one variant, as a student would send it (numbers or strings)."""
    answers = {}
    for v in variants(get_bank(bank_id), seed):
        if v.kind == "numeric":
            answers[v.id] = f"{v.expected:.3g}" if as_text else v.expected
        elif v.kind == "single":
            answers[v.id] = f" {v.expected[0].upper()} " if as_text else v.expected[0]
        else:
            answers[v.id] = ", ".join(v.expected) if as_text else list(v.expected)
    return answers


def wrong(bank_id, seed):
    answers = {}
    for v in variants(get_bank(bank_id), seed):
        if v.kind == "numeric":
            answers[v.id] = v.expected * 1.5 + 1
        elif v.kind == "single":
            answers[v.id] = next(x for x in v.question.labels if x not in v.expected)
        else:
            answers[v.id] = [x for x in v.question.labels if x not in v.expected]
    return answers


def test_the_seven_banks_exist_and_load():
    assert sorted(p.stem for p in bank_files()) == sorted(BANK_IDS)
    listed = json.loads(run("list", "--json").output)
    assert [b["id"] for b in listed] == BANK_IDS


@pytest.mark.parametrize("bank_id", BANK_IDS)
def test_each_bank_has_enough_questions_of_every_kind(bank_id):
    bank = get_bank(bank_id)
    assert len(bank.questions) >= 8
    assert {q.kind for q in bank.questions} == {"single", "multiple", "numeric"}
    assert any(q.kind == "numeric" and q.params for q in bank.questions), "no parameterised question"
    assert all(q.explanation for q in bank.questions)


@pytest.mark.parametrize("bank_id", BANK_IDS)
@pytest.mark.parametrize("seed", SEEDS)
def test_answer_key_scores_full_marks(bank_id, seed):
    result = grade_answers(bank_id, seed, key(bank_id, seed))
    assert result.score == result.max_score == get_bank(bank_id).max_score
    assert all(t.status == "passed" for t in result.tests)


@pytest.mark.parametrize("bank_id", BANK_IDS)
def test_answer_key_as_text_rounded_to_three_figures_scores_full_marks(bank_id):
    result = grade_answers(bank_id, 3, key(bank_id, 3, as_text=True))
    assert result.score == result.max_score, [t.output for t in result.tests if t.score == 0]


@pytest.mark.parametrize("bank_id", BANK_IDS)
def test_empty_and_wrong_answers_score_zero(bank_id):
    empty = grade_answers(bank_id, 5, {})
    assert empty.score == 0 and {t.outcome for t in empty.tests} == {"unanswered"}
    blank = grade_answers(bank_id, 5, {q.id: "" for q in get_bank(bank_id).questions})
    assert blank.score == 0
    bad = grade_answers(bank_id, 5, wrong(bank_id, 5))
    assert bad.score == 0 and {t.outcome for t in bad.tests} == {"wrong"}


MALFORMED = {
    "single": ["z", "ab", "b)", 2, True, ["a"], {"a": 1}, 1.5],
    "multiple": ["a,z", "q", [1], ["a", 3], {"a": True}, 5, True],
    "numeric": ["abc", "1,5", "nan", "inf", "-Infinity", True, [1.0], {"v": 1}, 10**400],
}


@pytest.mark.parametrize("bank_id", BANK_IDS)
def test_malformed_answers_count_as_wrong(bank_id):
    bank = get_bank(bank_id)
    for attempt in range(max(len(v) for v in MALFORMED.values())):
        answers = {q.id: MALFORMED[q.kind][attempt % len(MALFORMED[q.kind])] for q in bank.questions}
        result = grade_answers(bank_id, 11, answers)
        assert result.score == 0
        assert {t.outcome for t in result.tests} == {"malformed"}, answers
        json.dumps(result.to_json())  # whatever was sent, the result stays serialisable


def test_answer_forms_are_lenient_where_documented():
    q = {v.id: v for v in variants(get_bank("backprop"), 0)}
    many, one = q["memory-scaling"], q["add-node"]
    x, y = many.expected[:2]
    texts = [many.options[many.labels.index(letter)] for letter in many.expected]
    keys = [many.keys[many.labels.index(letter)] for letter in many.expected]
    assert len(many.expected) == 2
    one_text = one.options[one.labels.index(one.expected[0])]
    forms = {"memory-scaling": [f"{x},{y}", f"{y} {x}", f"{x}{y}".upper(), [y, x], f"{x};{y}", texts, keys,
                                [texts[0].upper(), keys[1]]],
             "add-node": [one.expected[0], f" {one.expected[0].upper()}", one_text, f"  {one_text.lower()} ",
                          one.keys[one.labels.index(one.expected[0])]],
             "activation-memory": [q["activation-memory"].expected, str(q["activation-memory"].expected)]}
    for question_id, answers in forms.items():
        for answer in answers:
            result = grade_answers("backprop", 0, {question_id: answer})
            entry = next(t for t in result.tests if t.name == question_id)
            assert entry.outcome == "correct", (question_id, answer)


def test_numeric_tolerance_is_relative_by_default():
    v = next(v for v in variants(get_bank("init"), 2) if v.id == "xavier-uniform")
    near, far = v.expected * 1.005, v.expected * 1.03
    graded = grade_answers("init", 2, {"xavier-uniform": near}).tests
    assert next(t for t in graded if t.name == "xavier-uniform").outcome == "correct"
    graded = grade_answers("init", 2, {"xavier-uniform": far}).tests
    assert next(t for t in graded if t.name == "xavier-uniform").outcome == "wrong"


def test_variants_are_reproducible_and_differ_between_seeds():
    texts = {s: next(v.text for v in variants(get_bank("init"), s) if v.id == "xavier-uniform") for s in range(30)}
    assert len(set(texts.values())) > 5
    again = next(v for v in variants(get_bank("init"), 7) if v.id == "xavier-uniform")
    assert again.text == texts[7]
    assert math.isclose(again.expected, math.sqrt(6 / (again.values["fan_in"] + again.values["fan_out"])))
    assert f"n_in = {again.values['fan_in']}" in again.text


def test_explanations_are_returned_and_filled_in():
    result = grade_answers("init", 4, {})
    entry = next(t for t in result.tests if t.name == "he-std")
    assert "{" not in entry.explanation and entry.explanation in entry.output
    assert f"{entry.expected:.6g}" in entry.explanation


def test_show_json_and_bank_questions_hide_the_answers():
    shown = json.loads(run("show", "optim", "--seed", 3, "--json").output)
    assert shown["seed"] == 3 and shown["questions"] == bank_questions("optim", 3)
    for question in shown["questions"]:
        assert set(question) <= {"id", "kind", "points", "text", "options", "labels", "keys", "answer_format"}
        assert "{" not in question["text"]
    assert {q["kind"] for q in shown["questions"]} == {"single", "multiple", "numeric"}


def test_answers_file_is_graded_printed_and_recorded(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({**key("shift", 9), "not-a-question": "a"}))
    result = run("take", "shift", "--seed", 9, "--answers", path, "--json")
    assert result.exit_code == 0
    printed = json.loads(result.stdout)
    assert printed["score"] == printed["max_score"] == get_bank("shift").max_score
    assert printed["ignored"] == ["not-a-question"] and "not-a-question" in result.stderr
    assert len(printed["tests"]) == len(get_bank("shift").questions)
    with Gradebook() as book:
        [attempt] = list(book.attempts("quiz", "shift"))
    assert attempt["seed"] == 9 and attempt["score"] == printed["score"]
    assert attempt["result"].to_json() == {k: v for k, v in printed.items() if k != "reveal"}  # every question was answered


def test_answers_file_without_json_prints_feedback(tmp_path):
    path = tmp_path / "answers.json"
    symmetry = next(v for v in variants(get_bank("init"), 1) if v.id == "symmetry")
    path.write_text(json.dumps({"symmetry": symmetry.expected[0], "he-std": "lots"}))
    result = run("take", "init", "--seed", 1, "--answers", path)
    assert result.exit_code == 0
    assert f"correct: {symmetry.expected[0]})" in result.output and "unreadable answer" in result.output
    assert "1 / 13 points" in result.output


@pytest.mark.parametrize("content, message", [
    (None, "does not exist"),
    ("{not json", "not valid JSON"),
    ('["a", "b"]', "must hold a JSON object"),
    (b"\xff\xfe\x00junk", "cannot be read"),
    ("[" * 100_000, "not usable JSON"),
])
def test_bad_answers_file_is_a_one_line_error(tmp_path, content, message):
    path = tmp_path / "answers.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    result = run("take", "init", "--answers", path, "--json")
    assert result.exit_code != 0
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    with Gradebook() as book:
        assert list(book.attempts("quiz", "init")) == []


def test_unknown_bank_and_bad_flags_are_one_line_errors():
    for args in (["take", "nope"], ["show", "nope", "--json"], ["take", "init", "--json"],
                 ["take", "init", "--seed", "3", "--new-variant"]):
        result = run(*args)
        assert result.exit_code != 0 and len(result.output.strip().splitlines()) == 1, result.output
        assert result.output.startswith("dlx: ") and result.exit_code == 2


def test_interactive_quiz_reprompts_grades_and_records():
    bank = get_bank("backprop")
    lines = []
    for v in variants(bank, 21):
        if v.kind == "numeric":
            lines += ["twelve", f"{v.expected:.4g}"]  # an invalid answer first: asked again
        elif v.kind == "single":
            lines += ["zz", v.expected[0]]
        else:
            lines += [",".join(v.expected)]
    result = run("take", "backprop", "--seed", 21, input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    assert "Error: expected a number" in result.output and "Error: 'zz' is not one of the options" in result.output
    assert f"{bank.max_score:g} / {bank.max_score:g} points" in result.output
    assert bank.questions[0].explanation[:40] in result.output.replace("\n", " ")
    with Gradebook() as book:
        [attempt] = list(book.attempts("quiz", "backprop"))
    assert attempt["score"] == bank.max_score and attempt["seed"] == 21


def test_interactive_wrong_answers_show_the_right_one():
    first = variants(get_bank("activations"), 0)
    lines = [next(x for x in v.question.labels if x not in v.expected) if v.kind != "numeric" else "12345"
             for v in first]
    result = run("take", "activations", "--seed", 0, input="\n".join(lines) + "\n")
    assert result.exit_code == 0
    assert f"the answer is {first[0].expected[0]}" in result.output and "0 / 13 points" in result.output


def test_default_seed_is_per_user_stable_and_renewable(tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_text("{}")
    first = json.loads(run("show", "init", "--json").output)["seed"]
    assert json.loads(run("show", "init", "--json").output)["seed"] == first
    with Gradebook() as book:
        assert book.get_setting("quiz_seed") == str(first)
    run("take", "init", "--new-variant", "--answers", "/dev/null")  # invalid file: nothing changes
    assert json.loads(run("show", "init", "--json").output)["seed"] == first
    for _ in range(5):  # a new draw may repeat the old seed with probability 1e-6 per try
        renewed = run("take", "init", "--new-variant", "--answers", empty)
        with Gradebook() as book:
            seed = int(book.get_setting("quiz_seed"))
            last = list(book.attempts("quiz", "init"))[-1]
        assert last["seed"] == seed
        if seed != first:
            break
    assert seed != first and renewed.exit_code == 0
    assert json.loads(run("show", "init", "--json").output)["seed"] == seed
