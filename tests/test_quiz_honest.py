"""Honest quizzes: test-taking tricks score at chance; options are shuffled per student; answers stay hidden
until the attempt is recorded; multiple choice earns partial credit; the summary lists every question."""
import json
import os
import re
import statistics
import subprocess

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.gradebook import Gradebook
from grader.quiz.bank import bank_files, get_bank, load_bank
from grader.quiz.grading import choice_credit, grade_answers
from grader.quiz.variant import make_variant, variants

BANKS = [load_bank(p) for p in bank_files()]
STOP_WORDS = set("the a an of to and in is it its by for on with that this what which be are as at or from not do does "
                 "each one only".split())
HEDGES = {"always", "never", "only", "every", "all", "exactly", "nothing", "no", "none", "any", "whatever"}


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 2 and w not in STOP_WORDS}


def pick(scores: list[float], best: str) -> list[int]:
    """The options a strategy picks: those with the highest (or lowest) score; ties share the credit."""
    target = max(scores) if best == "max" else min(scores)
    return [i for i, s in enumerate(scores) if s == target]


STRATEGIES = {
    "longest": lambda q, opts: pick([len(o) for o in opts], "max"),
    "shortest": lambda q, opts: pick([len(o) for o in opts], "min"),
    "most words shared with the question": lambda q, opts: pick([len(words(o) & words(q)) for o in opts], "max"),
    "fewest hedging words": lambda q, opts: pick([len(set(re.findall(r"[a-z]+", o.lower())) & HEDGES) for o in opts],
                                                 "min"),
    "first": lambda q, opts: [0],
    "last": lambda q, opts: [len(opts) - 1],
}
SEEDS = range(30)


def strategy_score(strategy, bank_list) -> tuple[float, float]:
    """(mean credit of the strategy, mean chance) over every single-choice question of the banks, over many seeds."""
    credit, chance = [], []
    for bank in bank_list:
        for question in bank.questions:
            if question.kind != "single":
                continue
            for seed in SEEDS:
                variant = make_variant(bank, question, seed)
                chosen = STRATEGIES[strategy](variant.text, list(variant.options))
                right = variant.labels.index(variant.expected[0])
                credit.append((right in chosen) / len(chosen))
                chance.append(1 / len(variant.options))
    return statistics.mean(credit), statistics.mean(chance)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_naive_strategies_score_near_chance_over_all_banks(strategy):
    score, chance = strategy_score(strategy, BANKS)
    assert abs(score - chance) <= 0.10, f"{strategy}: {score:.2f} against chance {chance:.2f}"


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("bank", BANKS, ids=lambda b: b.id)
def test_no_bank_gives_itself_away(strategy, bank):
    score, chance = strategy_score(strategy, [bank])
    assert score <= chance + 0.25, f"{bank.id}, {strategy}: {score:.2f} against chance {chance:.2f}"


def test_options_are_shuffled_per_seed_and_stable_for_a_seed():
    bank = get_bank("init")
    question = bank.question("vanishing")
    orders = {make_variant(bank, question, seed).options for seed in range(40)}
    assert len(orders) >= 10  # 24 possible orders of four options
    assert make_variant(bank, question, 7) == make_variant(bank, question, 7)
    firsts = [question.options.index(make_variant(bank, question, s).options[0]) for s in range(400)]
    assert all(40 <= firsts.count(i) <= 160 for i in range(4))  # each option comes first about 100 times


def test_answers_by_text_or_key_mean_the_same_in_every_variant():
    for seed in (1, 2, 3):
        shown = {v.id: v for v in variants(get_bank("init"), seed)}
        vanish, breakers = shown["vanishing"], shown["symmetry-breakers"]
        text = vanish.options[vanish.labels.index(vanish.expected[0])]
        keys = [breakers.keys[breakers.labels.index(x)] for x in breakers.expected]
        result = grade_answers("init", seed, {"vanishing": text, "symmetry-breakers": keys})
        assert {t.name: t.outcome for t in result.tests if t.name in ("vanishing", "symmetry-breakers")} \
            == {"vanishing": "correct", "symmetry-breakers": "correct"}


def test_multiple_choice_partial_credit_rule():
    bank = get_bank("activations")
    variant = make_variant(bank, bank.question("relu-advantages"), 0)  # 3 right options of 5
    right = list(variant.expected)
    wrong = [x for x in variant.labels if x not in right]
    assert choice_credit(variant, tuple(right)) == 1
    assert choice_credit(variant, tuple(right[:2])) == pytest.approx(2 / 3)
    assert choice_credit(variant, tuple(right[:2] + wrong[:1])) == pytest.approx(2 / 3 - 1 / 2)
    assert choice_credit(variant, tuple(variant.labels)) == 0  # everything: nothing gained
    assert choice_credit(variant, tuple(wrong)) == 0
    result = grade_answers("activations", 0, {"relu-advantages": right[:2]})
    entry = next(t for t in result.tests if t.name == "relu-advantages")
    assert entry.outcome == "partial" and entry.score == pytest.approx(2 / 3, abs=1e-6)


@pytest.fixture()
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DLX_HOME", str(tmp_path / "home"))
    return tmp_path


def quiz(*args):
    return CliRunner().invoke(main, ["quiz", *map(str, args)], catch_exceptions=False)


def test_an_empty_answers_file_reveals_no_answer(home):
    empty = home / "empty.json"
    empty.write_text("{}")
    bank = get_bank("optim")
    result = quiz("take", "optim", "--seed", 5, "--answers", empty, "--json")
    printed = json.loads(result.stdout)
    assert all("expected" not in t and "explanation" not in t for t in printed["tests"])
    text = quiz("take", "optim", "--seed", 5, "--answers", empty).output
    for v in variants(bank, 5):
        assert v.explanation[:50] not in text.replace("\n", " ")
        if v.kind == "numeric":
            assert f"{v.expected:.6g}" not in text
    assert "the answer is" not in text
    with Gradebook() as book:
        assert len(list(book.attempts("quiz", "optim"))) == 2  # recorded, with their answers kept in the gradebook


def test_answered_questions_are_revealed_after_recording_and_policy_is_a_setting(home):
    answers = home / "a.json"
    v = next(v for v in variants(get_bank("optim"), 5) if v.kind == "single")
    answers.write_text(json.dumps({v.id: v.options[0]}))
    printed = json.loads(quiz("take", "optim", "--seed", 5, "--answers", answers, "--json").stdout)
    entry = next(t for t in printed["tests"] if t["name"] == v.id)
    assert "explanation" in entry and printed["reveal"] == "answered"
    assert quiz("reveal", "never").exit_code == 0
    printed = json.loads(quiz("take", "optim", "--seed", 5, "--answers", answers, "--json").stdout)
    assert all("expected" not in t for t in printed["tests"])
    quiz("reveal", "attempt")
    printed = json.loads(quiz("take", "optim", "--seed", 5, "--answers", answers, "--json").stdout)
    assert all("expected" in t for t in printed["tests"])
    assert "* attempt" in quiz("reveal").output
    assert quiz("reveal", "sometimes").exit_code == 2


def test_letters_in_an_answers_file_still_work_with_a_clear_note(home):
    v = next(v for v in variants(get_bank("shift"), 3) if v.kind == "single")
    answers = home / "old.json"
    answers.write_text(json.dumps({v.id: v.expected[0]}))
    result = CliRunner().invoke(main, ["quiz", "take", "shift", "--seed", "3", "--answers", str(answers), "--json"])
    entry = next(t for t in json.loads(result.stdout)["tests"] if t["name"] == v.id)
    assert entry["outcome"] == "correct" and "letters name options in the order of your variant" in result.stderr


def test_score_says_which_attempt_first_scored_full_marks(home):
    bank = get_bank("backprop")
    empty, full = home / "empty.json", home / "full.json"
    empty.write_text("{}")
    answers = {}
    for v in variants(bank, 4):
        texts = [] if v.kind == "numeric" else [v.options[v.labels.index(x)] for x in v.expected]
        answers[v.id] = v.expected if v.kind == "numeric" else texts[0] if v.kind == "single" else texts
    full.write_text(json.dumps(answers))
    quiz("take", "backprop", "--seed", 4, "--answers", empty)
    out = quiz("take", "backprop", "--seed", 4, "--answers", full).output
    assert "first full marks at attempt #2" in out
    quiz("take", "backprop", "--seed", 4, "--answers", full)
    score = json.loads(CliRunner().invoke(main, ["score", "--json"]).output)
    item = next(i for i in score["items"] if i["id"] == "backprop")
    assert item["attempts"] == 3 and item["full_marks_attempt"] == 2
    table = CliRunner().invoke(main, ["score"], env={"COLUMNS": "200"}).output
    assert "full marks at" in table and "#2" in table


def test_interactive_attempt_ends_with_a_summary_per_question(home):
    pexpect = pytest.importorskip("pexpect")
    bank = get_bank("shift")
    shown = variants(bank, 8)
    child = pexpect.spawn("dlx", ["quiz", "take", "shift", "--seed", "8"], env={**os.environ, "COLUMNS": "120"},
                          encoding="utf-8", timeout=30)
    for v in shown:
        child.expect("Your answer")
        if v.kind == "numeric":
            child.sendline(f"{v.expected:.6g}")
        else:
            child.sendline(v.expected[0] if v.kind == "single" else ",".join(v.expected[:1]))  # multiple: partial
    child.expect(pexpect.EOF)
    out = child.before
    tail = out[out.index("question  "):] if "question  " in out else out
    for number, v in enumerate(shown, start=1):
        assert re.search(rf"\b{number}\s+{re.escape(v.id)}\s", tail), v.id
    assert "◐" in tail or all(len(v.expected) == 1 for v in shown if v.kind == "multiple")
    assert "Recorded as attempt #1" in out


def test_foundations_bank_covers_the_listed_concepts_with_their_chinese_terms():
    bank = get_bank("foundations")
    text = " ".join(q.text + " " + q.explanation + " " + " ".join(q.options) for q in bank.questions)
    for term in ("语义鸿沟", "嵌入", "端到端", "逐层无监督预训练", "精调", "结构风险", "经验风险", "公平", "问责", "透明",
                 "自归一化", "恒等映射", "残差"):
        assert term in text, term
    assert sum(q.kind == "numeric" for q in bank.questions) >= 4
    ids = {q.id for q in bank.questions}
    assert {"semantic-gap", "embedding", "end-to-end", "pretraining", "structural-vs-empirical",
            "predictions-to-decisions", "selu-weights", "residual-gradient"} <= ids


def test_quitting_after_answers_were_revealed_records_the_attempt(home):
    """Ctrl-C (or the end of the input) after a question's solution was shown records what was answered, so
    peeking at the solutions and quitting shows in the gradebook; before any answer, nothing is recorded."""
    pexpect = pytest.importorskip("pexpect")
    first = variants(get_bank("shift"), 8)[0]
    env = {**os.environ, "COLUMNS": "120"}
    child = pexpect.spawn("dlx", ["quiz", "take", "shift", "--seed", "8"], env=env, encoding="utf-8", timeout=30)
    child.expect("Your answer")
    child.sendintr()  # Ctrl-C before any answer
    child.expect("interrupted; nothing was recorded")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    child = pexpect.spawn("dlx", ["quiz", "take", "shift", "--seed", "8"], env=env, encoding="utf-8", timeout=30)
    child.expect("Your answer")
    child.sendline(first.expected[0] if first.kind != "numeric" else f"{first.expected:.6g}")
    child.expect("Your answer")  # the first solution is on the screen, the second question asked
    child.sendintr()
    child.expect("recorded as attempt #1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    ended = subprocess.run(["dlx", "quiz", "take", "shift", "--seed", "8"], input="a\n", env=env, text=True,
                           capture_output=True, timeout=60)
    assert ended.returncode == 2 and "the input ended" in ended.stderr and "attempt #2" in ended.stderr
    with Gradebook() as book:
        attempts = list(book.attempts("quiz", "shift"))
    assert len(attempts) == 2 and attempts[0]["score"] == first.question.points
