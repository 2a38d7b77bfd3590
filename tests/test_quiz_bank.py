"""Loading and validating bank files: broken banks are reported with file, question and field."""
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.quiz import bank as bank_module
from grader.quiz import quiz
from grader.quiz.bank import BankError, get_bank, load_bank
from grader.quiz.variant import variants

HEADER = 'id = "demo"\ntitle = "A demo bank"\n'
CHOICE = '''
[[questions]]
id = "q1"
kind = "single"
text = "Pick one."
options = ["this", "that", "other"]
answer = "b"
explanation = "Because."
'''
NUMERIC = '''
[[questions]]
id = "num"
kind = "numeric"
text = "Compute x squared for x = {x}."
answer = "x ** 2"
explanation = "It is {answer}."
[questions.params]
x = { range = [1, 3], digits = 1 }
'''


def write(tmp_path, text, name="demo"):
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_bank_loads(tmp_path):
    bank = load_bank(write(tmp_path, HEADER + CHOICE + NUMERIC))
    assert [q.id for q in bank.questions] == ["q1", "num"] and bank.max_score == 2
    [choice, numeric] = variants(bank, 3)
    [letter] = choice.expected  # options are shuffled per seed: the right one keeps its text
    assert choice.options[choice.labels.index(letter)] == bank.questions[0].options[1]
    assert sorted(choice.options) == sorted(bank.questions[0].options) and numeric.expected == pytest.approx(numeric.values["x"] ** 2)
    assert f"x = {numeric.values['x']:.1f}." in numeric.text and 1 <= numeric.values["x"] <= 3


@pytest.mark.parametrize("edit, where, field, problem", [
    (lambda t: t.replace('explanation = "Because."\n', ""), "question 'q1'", "explanation", "missing"),
    (lambda t: t.replace('kind = "single"', 'kind = "essay"'), "question 'q1'", "kind", "must be one of"),
    (lambda t: t.replace('answer = "b"', 'answer = "e"'), "question 'q1'", "answer", "from a, b, c"),
    (lambda t: t.replace('answer = "b"', 'answer = ["b"]'), "question 'q1'", "answer", "one letter"),
    (lambda t: t.replace('options = ["this", "that", "other"]', 'options = ["only"]'), "question 'q1'",
     "options", "2 to 26"),
    (lambda t: t.replace('explanation = "Because."', 'explaination = "Because."'), "question 'q1'",
     "explaination", "unknown"),
    (lambda t: t.replace('id = "q1"', 'id = "Bad Id"'), "question #1", "id", "lower-case"),
    (lambda t: t.replace('id = "num"', 'id = "q1"'), "question 'q1'", "id", "earlier question"),
    (lambda t: t.replace('text = "Pick one."', 'text = "Pick {one}."'), "question 'q1'", "text",
     "unknown placeholder {one}"),
    (lambda t: t.replace('kind = "single"', 'kind = "single"\npoints = -1'),
     "question 'q1'", "points", "positive"),
    (lambda t: t.replace('answer = "x ** 2"', 'answer = "x ** 2 + y"'), "question 'num'", "answer",
     "unknown name 'y'"),
    (lambda t: t.replace('answer = "x ** 2"', 'answer = "x.real"'), "question 'num'", "answer", "Attribute"),
    (lambda t: t.replace('answer = "x ** 2"', 'answer = "open(x)"'), "question 'num'", "answer",
     "only these functions"),
    (lambda t: t.replace('answer = "x ** 2"\n', ''), "question 'num'", "answer", "missing"),
    (lambda t: t.replace('x = { range = [1, 3], digits = 1 }', 'x = { range = [3] }'), "question 'num'",
     "params.x", "two numbers"),
    (lambda t: t.replace('x = { range = [1, 3], digits = 1 }', 'x = { choices = [] }'), "question 'num'",
     "params.x", "non-empty list"),
    (lambda t: t.replace('x = { range = [1, 3], digits = 1 }', 'x = { range = [1.25, 3], digits = 1 }'),
     "question 'num'", "params.x", "at most 1 decimal(s)"),
    (lambda t: t.replace('x = { range = [1, 3], digits = 1 }', 'sqrt = { choices = [1] }'), "question 'num'",
     "params.sqrt", "plain name"),
    (lambda t: t.replace("for x = {x}", "for some x"), "question 'num'", "text", "does not show the parameter {x}"),
    (lambda t: t.replace("It is {answer}.", "It is {answr}."), "question 'num'", "explanation",
     "unknown placeholder {answr}"),
    (lambda t: t.replace("It is {answer}.", "It is {answer:.q}."), "question 'num'", "explanation",
     "invalid format"),
    (lambda t: t + '[questions.derived]\nd = "1 / (x - x)"\n', "question 'num'", "derived.d", "division by zero"),
    (lambda t: t.replace('answer = "x ** 2"', 'answer = "x - x"'), "question 'num'", "abs_tol", "exactly 0"),
    (lambda t: t.replace('answer = "x ** 2"', 'answer = "log(x - 1)"'), "question 'num'", "answer", "math error"),
    (lambda t: t.replace('answer = "x ** 2"', 'answer = "x ** 2"\nrel_tol = -0.1'), "question 'num'",
     "rel_tol", ">= 0"),
    (lambda t: t.replace('answer = "x ** 2"', 'answer = "x ** 2"\noptions = ["a", "b"]'), "question 'num'",
     "options", "unknown for a numeric question"),
])
def test_validation_errors_name_file_question_and_field(tmp_path, edit, where, field, problem):
    path = write(tmp_path, edit(HEADER + CHOICE + NUMERIC))
    with pytest.raises(BankError) as error:
        load_bank(path)
    message = str(error.value)
    assert message.startswith(f"{path}: {where}: field '{field}': "), message
    assert problem in message, message


@pytest.mark.parametrize("text, field, problem", [
    ('id = "other"\ntitle = "T"\n' + CHOICE, "id", "must match the file name"),
    ('id = "demo"\n' + CHOICE, "title", "missing"),
    (HEADER, "questions", "at least one"),
    (HEADER + 'colour = "red"\n' + CHOICE, "colour", "unknown key"),
])
def test_bank_level_errors_name_file_and_field(tmp_path, text, field, problem):
    path = write(tmp_path, text)
    with pytest.raises(BankError, match=f"field '{field}'") as error:
        load_bank(path)
    assert str(error.value).startswith(str(path)) and problem in str(error.value)


def test_invalid_toml_names_the_file_and_line(tmp_path):
    path = write(tmp_path, HEADER + "[[questions]]\nid = \n")
    with pytest.raises(BankError, match="invalid TOML") as error:
        load_bank(path)
    assert str(path) in str(error.value) and "line 4" in str(error.value)


def test_literal_braces_and_number_formats(tmp_path):
    text = HEADER + NUMERIC.replace("Compute x squared", "For the set {{1, 2}}, compute x squared").replace(
        "It is {answer}.", "It is {answer:.2f}, i.e. {{x²}}.")
    [variant] = variants(load_bank(write(tmp_path, text)), 0)
    assert variant.text.startswith("For the set {1, 2}, compute")
    assert variant.explanation == f"It is {variant.expected:.2f}, i.e. {{x²}}."


def test_edited_bank_is_reloaded(tmp_path):
    path = write(tmp_path, HEADER + CHOICE)
    assert load_bank(path).questions[0].correct == ("b",)
    path.write_text(HEADER + CHOICE.replace('answer = "b"', 'answer = "c"'))
    os.utime(path, ns=(1, 10**18))  # a different modification time, whatever the clock resolution
    assert load_bank(path).questions[0].correct == ("c",)


def test_list_skips_a_broken_bank_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("DLX_HOME", str(tmp_path / "home"))
    write(tmp_path, HEADER + CHOICE)
    write(tmp_path, 'id = "broken"\ntitle = "B"\n' + CHOICE.replace('answer = "b"', 'answer = "z"'), "broken")
    monkeypatch.setattr(bank_module, "quizzes_dir", lambda: tmp_path)
    result = CliRunner().invoke(quiz, ["list", "--json"])
    assert result.exit_code == 0
    assert "broken.toml: question 'q1': field 'answer'" in result.stderr
    assert '"id": "demo"' in result.stdout and '"broken"' not in result.stdout
    assert get_bank("demo", tmp_path).title == "A demo bank"


def test_the_example_in_the_docs_is_a_valid_bank(tmp_path):
    docs = (Path(__file__).resolve().parent.parent / "docs" / "quizzes.md").read_text(encoding="utf-8")
    example = docs.split("```toml\n", 1)[1].split("```", 1)[0]
    bank = load_bank(write(tmp_path, example, "init"))
    assert [q.kind for q in bank.questions] == ["single", "multiple", "numeric"]
    assert "{" not in variants(bank, 1)[2].explanation
