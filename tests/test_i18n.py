"""Every text a student reads exists in English and Chinese, and both say the same maths and code;
the student's language is chosen by --lang > DLX_LANG > `dlx config lang` > the locale > English."""
import ast
import os
import re
import tomllib
from collections import Counter
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from grader.catalog import catalog, statement_path
from grader.cli import main
from grader.i18n import LANGUAGES, LOCALE_VARIABLES
from grader.paths import exercises_dir

OTHER_LANGUAGES = [lang for lang in LANGUAGES if lang != "en"]
EXERCISES = sorted(p.parent for p in exercises_dir().glob("*/exercise.toml"))

ASCII_WORD = "A-Za-z0-9_"
NUMBER = re.compile(rf"(?<![{ASCII_WORD}.])\d+(?:\.\d+)?(?:e-?\d+)?(?![{ASCII_WORD}])")
BACKTICKED = re.compile(r"``((?:(?!``).)+)``|`([^`]+)`", re.S)  # ``code`` or `code`; it may wrap onto the next line
CALL = re.compile(r"(?<![A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_.]*)\((?!s\))")  # not the plural "word(s)"
MATHS = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.S)
PLACEHOLDER = re.compile(r"(?<!\{)\{[A-Za-z_][A-Za-z0-9_]*(?:[:!][^{}]*)?\}")


def code_lines(markdown: str) -> list[str]:
    """The lines of indented code blocks, comments and trailing spaces removed (comments are translated)."""
    found, previous_blank, in_code = [], True, False
    for line in markdown.splitlines():
        in_code = line.startswith("    ") and (previous_blank or in_code)
        if in_code:
            found.append(line.split("#")[0].rstrip())
        previous_blank = not line.strip()
    return [line for line in found if line.strip()]


def facts(text: str) -> dict[str, object]:
    """What must be identical in every language: numbers, code, calls, maths and placeholders."""
    return {
        "numbers": set(NUMBER.findall(BACKTICKED.sub(" ", text))),
        "backticked code": {" ".join((double or single).split()) for double, single in BACKTICKED.findall(text)},
        "function calls": set(CALL.findall(text)),
        "maths": Counter(MATHS.findall(text)),
        "placeholders": set(PLACEHOLDER.findall(text)),
        "code blocks": code_lines(text),
    }


def assert_same_facts(english: str, translated: str, where: str) -> None:
    wanted, got = facts(english), facts(translated)
    for kind in wanted:
        if isinstance(wanted[kind], set):
            assert got[kind] == wanted[kind], (f"{where}: {kind} differ: only in English {wanted[kind] - got[kind]}, "
                                               f"only in the translation {got[kind] - wanted[kind]}")
        assert got[kind] == wanted[kind], f"{where}: {kind} differ: English {wanted[kind]!r}, translation {got[kind]!r}"


def test_the_facts_checker_catches_a_changed_number_identifier_and_call():
    english = "Use `dx = dout @ w.T` with eps 1e-7 and call affine_forward(x).\n\n    out = x @ w  # shape\n"
    assert_same_facts(english, "用 `dx = dout @ w.T`，eps 取 1e-7，并调用 affine_forward(x)。\n\n    out = x @ w  # 形状\n",
                      "ok")
    for broken in ("用 `dx = dout @ w`，eps 取 1e-7，调用 affine_forward(x)。\n\n    out = x @ w\n",
                   "用 `dx = dout @ w.T`，eps 取 1e-6，调用 affine_forward(x)。\n\n    out = x @ w\n",
                   "用 `dx = dout @ w.T`，eps 取 1e-7，调用 affine_backward(x)。\n\n    out = x @ w\n",
                   "用 `dx = dout @ w.T`，eps 取 1e-7，调用 affine_forward(x)。\n\n    out = x @ w.T\n"):
        with pytest.raises(AssertionError):
            assert_same_facts(english, broken, "broken")
    docstring = "Given ``max_weight``, return ``minimum(w, max_weight)`` as ``out``."  # the prose between is not code
    assert_same_facts(docstring, "给定 ``max_weight``，以 ``out`` 返回 ``minimum(w, max_weight)``。", "ok")
    with pytest.raises(AssertionError):
        assert_same_facts(docstring, "给定 ``max_weight``，以 ``out`` 返回 ``maximum(w, max_weight)``。", "broken")


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
@pytest.mark.parametrize("folder", EXERCISES, ids=lambda p: p.name)
def test_statement_exists_in_every_language_and_says_the_same(folder: Path, lang: str):
    english, translated = statement_path(folder, "en"), statement_path(folder, lang)
    assert english.is_file() and translated.is_file(), f"{folder.name}: a statement is missing in one language"
    assert_same_facts(english.read_text(encoding="utf-8"), translated.read_text(encoding="utf-8"),
                      f"{translated.relative_to(folder.parent)}")


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
@pytest.mark.parametrize("folder", EXERCISES, ids=lambda p: p.name)
def test_title_and_hints_exist_in_every_language_and_say_the_same(folder: Path, lang: str):
    data = tomllib.loads((folder / "exercise.toml").read_text(encoding="utf-8"))
    translated = data.get(lang, {})
    assert set(translated) == {"title", "hints"}, f"{folder.name}: [{lang}] must have exactly a title and hints"
    assert len(translated["hints"]) == len(data["hints"]), f"{folder.name}: hint counts differ"
    assert_same_facts(data["title"], translated["title"], f"{folder.name} title")
    for i, (english, hint) in enumerate(zip(data["hints"], translated["hints"]), 1):
        assert_same_facts(english, hint, f"{folder.name} hint {i}")
        assert hint != english, f"{folder.name} hint {i} is not translated"


def docstrings_blanked(source: str) -> tuple[str, list[tuple[str, str]]]:
    """A Python file's code with every docstring emptied (``ast.dump``), and its docstrings by where they are."""
    tree, found = ast.parse(source), []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and \
                ast.get_docstring(node, clean=False) is not None:
            found.append((getattr(node, "name", "the module"), ast.get_docstring(node)))  # its indentation removed
            node.body[0].value = ast.Constant("")
    return ast.dump(tree), found


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
@pytest.mark.parametrize("folder", EXERCISES, ids=lambda p: p.name)
def test_stub_exists_in_every_language_with_the_same_code_and_facts(folder: Path, lang: str):
    """The translated stub is the English one with its docstrings (and comments) translated: the code, and the
    numbers and code its docstrings mention, are the same; every docstring is translated."""
    english, translated = folder / f"{folder.name}.py", folder / f"{folder.name}.{lang}.py"
    assert translated.is_file(), f"{folder.name}: no {translated.name}"
    code, docs = docstrings_blanked(english.read_text(encoding="utf-8"))
    translated_code, translated_docs = docstrings_blanked(translated.read_text(encoding="utf-8"))
    assert [where for where, _doc in translated_docs] == [where for where, _doc in docs], f"{translated.name}: docstrings"
    assert translated_code == code, f"{translated.name}: its code differs from {english.name}'s"
    for (where, doc), (_where, translated_doc) in zip(docs, translated_docs):
        assert_same_facts(doc, translated_doc, f"{translated.name}, docstring of {where}")
        assert translated_doc != doc, f"{translated.name}: the docstring of {where} is not translated"
    assert catalog(lang)[folder.name].stub == translated and catalog("en")[folder.name].stub == english


def test_the_stub_checker_sees_code_changes_but_not_docstring_changes():
    english = 'def f(x):\n    """Return ``x + 1``."""\n    return x + 1\n'
    assert docstrings_blanked(english)[0] == docstrings_blanked('def f(x):\n    """返回 ``x + 1``。"""\n    return x + 1\n')[0]
    assert docstrings_blanked(english)[0] != docstrings_blanked('def f(x):\n    """返回 ``x + 1``。"""\n    return x + 2\n')[0]


# --- choosing the language, through the `dlx` command ---

@pytest.fixture
def student(tmp_path, monkeypatch):
    """A student with an empty gradebook, no DLX_LANG and an English-neutral locale."""
    monkeypatch.setenv("DLX_HOME", str(tmp_path / "home"))
    for name in ("DLX_LANG", *LOCALE_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def dlx(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


AFFINE = tomllib.loads((exercises_dir() / "affine" / "exercise.toml").read_text(encoding="utf-8"))


def listed_language(*args) -> str:
    """The language `dlx [args] list` shows its titles in."""
    output = dlx(*args, "list").output
    zh, en = AFFINE["zh"]["title"], AFFINE["title"]
    assert (zh in output) != (en in output), output
    return "zh" if zh in output else "en"


def test_language_precedence_flag_env_setting_locale_default(student, monkeypatch):
    assert listed_language() == "en"
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert listed_language() == "zh"
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")  # LC_ALL outranks LANG
    assert listed_language() == "en"
    assert dlx("config", "lang", "zh").exit_code == 0
    assert listed_language() == "zh"  # the setting outranks the locale
    monkeypatch.setenv("DLX_LANG", "en")
    assert listed_language() == "en"  # DLX_LANG outranks the setting
    assert listed_language("--lang", "zh") == "zh"  # --lang outranks everything
    assert listed_language() == "en"  # and lasts one run only
    monkeypatch.delenv("DLX_LANG")
    assert dlx("config", "lang", "auto").exit_code == 0
    assert listed_language() == "en"  # back to the locale (LC_ALL=en_US)


def test_config_shows_the_language_and_where_it_comes_from(student):
    assert dlx("config", "lang").output.strip() == "lang = en (from the default)"
    dlx("config", "lang", "zh")
    assert dlx("config", "lang").output.strip() == "lang = zh（来自 dlx config lang）"  # now said in Chinese


@pytest.mark.parametrize("args", [("--lang", "fr", "list"), ("config", "lang", "fr"), ("config", "colour", "zh")])
def test_an_unknown_language_is_one_line_and_exit_2(student, args):
    result = dlx(*args)
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) <= 2, result.output


def test_an_unknown_dlx_lang_is_one_line_and_exit_2(student, monkeypatch):
    monkeypatch.setenv("DLX_LANG", "fr")
    result = dlx("list")
    assert result.exit_code == 2 and "DLX_LANG='fr'" in result.output


def test_fetch_writes_the_stub_and_statement_in_the_students_language(student):
    for lang, stub, statement in (("zh", "affine.zh.py", "statement.zh.md"), ("en", "affine.py", "statement.md")):
        folder = student / lang
        assert dlx("--lang", lang, "fetch", "affine", "--dir", str(folder)).exit_code == 0
        for written, source in (("affine.md", statement), ("affine.py", stub)):
            wanted = (exercises_dir() / "affine" / source).read_text(encoding="utf-8")
            assert (folder / written).read_text(encoding="utf-8") == wanted, (lang, written)
    assert dlx("--lang", "en", "fetch", "affine", "--dir", str(folder), "--force").exit_code == 0
    assert (folder / "affine.md").read_text(encoding="utf-8") == (exercises_dir() / "affine" / "statement.md").read_text(
        encoding="utf-8")


def test_hint_prints_the_hint_in_the_students_language(student):
    dlx("config", "lang", "zh")
    output = "".join(dlx("hint", "affine").output.split())  # rich wraps lines anywhere in Chinese text
    assert "".join(AFFINE["zh"]["hints"][0].split()) in output
    assert "".join(dlx("--lang", "en", "hint", "affine").output.split()).count("".join(AFFINE["hints"][1].split()))


def test_plain_tables_align_chinese_text_by_its_display_width():
    from grader.plain import table, width

    lines = table(("id", "title", "points"), [("affine", AFFINE["zh"]["title"], "10"), ("x", "Affine", "9")],
                  right=(2,)).splitlines()
    assert len({width(line) for line in lines}) == 1, lines
    assert width("仿射层") == 6 and width("affine") == 6


# --- quiz banks ---

BANKS = sorted((exercises_dir() / "quizzes").glob("*.toml"))


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
@pytest.mark.parametrize("path", BANKS, ids=lambda p: p.stem)
def test_quiz_bank_exists_in_every_language_and_says_the_same(path: Path, lang: str):
    bank = tomllib.loads(path.read_text(encoding="utf-8"))
    assert lang in bank, f"{path.name}: no [{lang}] table with the bank's title and description"
    assert set(bank[lang]) == {"title", "description"} & set(bank) | {"title"}, f"{path.name}: [{lang}] keys"
    for key in bank[lang]:
        assert_same_facts(bank[key], bank[lang][key], f"{path.name} {key}")
    for question in bank["questions"]:
        where = f"{path.name} question {question['id']!r}"
        translated = question.get(lang)
        assert translated is not None, f"{where}: no [questions.{lang}]"
        assert set(translated) == {"text", "explanation"} | ({"options"} if "options" in question else set()), where
        for key in ("text", "explanation"):
            assert_same_facts(question[key], translated[key], f"{where} {key}")
            assert translated[key] != question[key], f"{where} {key} is not translated"
        for i, (english, option) in enumerate(zip(question.get("options", []), translated.get("options", [])), 1):
            assert_same_facts(english, option, f"{where} option {i}")
        assert len(translated.get("options", [])) == len(question.get("options", [])), f"{where}: option counts differ"


def test_a_quiz_is_loaded_in_the_students_language(student):
    from grader.quiz.bank import get_bank

    path = BANKS[0]
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    zh, en = get_bank(path.stem, lang="zh"), get_bank(path.stem, lang="en")
    assert zh.title == raw["zh"]["title"] and en.title == raw["title"]
    assert [q.correct for q in zh.questions] == [q.correct for q in en.questions]
    assert zh.questions[0].text != en.questions[0].text
    listed = dlx("--lang", "zh", "quiz", "list").output
    assert raw["zh"]["title"][:4] in listed


def test_quiz_text_lines_join_without_spaces_inside_chinese():
    from grader.quiz.bank import unwrap

    assert unwrap("乘积随深度缩小，\n前面的层 He\n初始化 and\nmore\n\n下一段") == "乘积随深度缩小，前面的层 He 初始化 and more\n\n下一段"


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_translated_options_give_no_answer_away(lang):
    """The naive strategies of test_quiz_honest (longest option, shortest, ...) stay near chance in every language."""
    from grader.quiz.bank import load_bank
    from tests.test_quiz_honest import STRATEGIES, strategy_score

    banks = [load_bank(path, lang) for path in BANKS]
    for strategy in STRATEGIES:
        score, chance = strategy_score(strategy, banks)
        assert abs(score - chance) <= 0.10, f"{lang}, {strategy}: {score:.2f} against chance {chance:.2f}"
        for bank in banks:
            score, chance = strategy_score(strategy, [bank])
            assert score <= chance + 0.25, f"{lang}, {bank.id}, {strategy}: {score:.2f} against chance {chance:.2f}"


def test_option_keys_and_answers_are_the_same_in_every_language():
    """An answers file written with option keys grades the same whichever language the quiz was read in."""
    from grader.quiz.bank import load_bank
    from grader.quiz.variant import variants

    for path in BANKS:
        english = variants(load_bank(path, "en"), 3)
        for lang in OTHER_LANGUAGES:
            for en, translated in zip(english, variants(load_bank(path, lang), 3)):
                assert translated.keys == en.keys and translated.expected == en.expected, (path.stem, en.id)


def test_lang_flag_does_not_outlive_its_run(student):
    from grader.catalog import catalog

    dlx("--lang", "zh", "list")
    assert catalog()["affine"].title == AFFINE["title"]


# --- the message catalogues (gettext, through Babel) ---

LOCALE_DIR = Path(__file__).resolve().parents[1] / "grader" / "locale"
DOMAINS = ("dlx", "click")  # dlx's own messages; click's usage texts that students see
MARKUP = re.compile(r"\[/?[a-z ]*\]")  # rich markup: [bold], [/], [bold green]


def read_catalogue(lang: str, domain: str):
    from babel.messages.pofile import read_po

    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po").open("rb") as f:
        return read_po(f, locale=lang)


def message_facts(text: str) -> dict[str, object]:
    return {**facts(text), "markup": Counter(MARKUP.findall(text))}


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_every_message_is_translated_and_keeps_its_placeholders_numbers_and_code(lang, domain):
    catalogue = read_catalogue(lang, domain)
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        english = message.id[-1] if isinstance(message.id, tuple) else message.id  # the plural form has every placeholder
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(forms):
            problems.append(f"{message.id!r}: {'fuzzy' if message.fuzzy else 'not translated'}")
            continue
        for form in forms:
            wanted, got = message_facts(english), message_facts(form)
            differ = [kind for kind in wanted if wanted[kind] != got[kind]]
            if differ:
                problems.append(f"{message.id!r} -> {form!r}: {', '.join(differ)} differ")
            if form == english and any(c.isalpha() for c in MARKUP.sub("", PLACEHOLDER.sub("", english))):
                problems.append(f"{message.id!r} is not translated (the same text)")
    assert not problems, "\n".join(problems)


def test_the_message_checker_catches_a_lost_placeholder_number_markup_and_code():
    english = "[bold]{fn}[/]: moves by 1e-6; run `dlx hint {id}`"
    assert message_facts(english) == message_facts("[bold]{fn}[/]：变动 1e-6；运行 `dlx hint {id}`")
    for broken in ("{fn}：变动 1e-6；运行 `dlx hint {id}`", "[bold]{fn}[/]：变动 1e-5；运行 `dlx hint {id}`",
                   "[bold]{fn}[/]：变动 1e-6；运行 `dlx hint`", "[bold]{name}[/]：变动 1e-6；运行 `dlx hint {id}`"):
        assert message_facts(english) != message_facts(broken), broken


def test_every_message_in_the_code_is_in_the_catalogue():
    """A new or changed _()/N_() message, command docstring or help= text needs the catalogue updated
    (docs/translating.md: extract, update, translate, compile)."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    root = LOCALE_DIR.parents[1]
    extracted = {message for _, _, message, _, _ in extract_from_dir(
        str(root / "grader"), method_map=[("**.py", "grader.i18n_extract:extract_click"),
                                          ("server/templates/**.html", "jinja2.ext:babel_extract")],
        keywords={**DEFAULT_KEYWORDS, "N_": None})}
    extracted |= {message for _, _, message, _, _ in extract_from_dir(  # the visible tests' names and messages
        str(exercises_dir()), method_map=[("*/test_visible.py", "grader.i18n_extract:extract_click")],
        keywords={**DEFAULT_KEYWORDS, "N_": None})}
    for lang in OTHER_LANGUAGES:
        catalogue = read_catalogue(lang, "dlx")
        known = {m.id for m in catalogue if m.id}
        assert extracted - known == set(), f"messages missing from {lang}/dlx.po: {sorted(map(str, extracted - known))}"
        assert known - extracted == set(), f"{lang}/dlx.po has messages the code no longer uses: " \
                                           f"{sorted(map(str, known - extracted))}"


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_the_compiled_catalogue_is_up_to_date_with_the_po_file(lang, domain):
    """The .mo shipped in the package (runtime uses only the standard library's gettext) is the .po compiled."""
    import io

    from babel.messages.mofile import write_mo

    compiled = io.BytesIO()
    write_mo(compiled, read_catalogue(lang, domain))
    shipped = (LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.mo").read_bytes()
    assert shipped == compiled.getvalue(), f"{lang}/{domain}.mo is stale: run pybabel compile (docs/translating.md)"


def test_messages_follow_the_language_of_the_run(student, monkeypatch):
    from grader import i18n

    assert dlx("--lang", "zh", "hint", "nope").output.startswith("dlx: 没有这道练习 'nope'")
    assert dlx("hint", "nope").output.startswith("dlx: unknown exercise 'nope'")
    with i18n.speaking("zh"):
        assert i18n._("score {score}/{max_score}") == "得分 {score}/{max_score}"
    assert i18n._("score {score}/{max_score}") == "score {score}/{max_score}"


def test_help_and_clicks_own_texts_are_translated_and_english_comes_back(student):
    zh = dlx("--lang", "zh", "submit", "--help").output
    assert "用法:" in zh and "用隐藏测试为你的文件评分" in zh and "Grade your file" not in zh and "Usage:" not in zh
    en = dlx("submit", "--help").output
    assert "Usage:" in en and "Grade your file with the hidden tests" in en and "用法" not in en


WRONG_AFFINE = (exercises_dir().parent / "solutions" / "affine.py").read_text(encoding="utf-8").replace(
    "return x @ w + b, (x, w, b)", "return x @ w, (x, w, b)")


@pytest.mark.parametrize("command", ["submit", "grade"])
def test_a_chinese_student_reads_a_wrong_answers_result_in_chinese(student, monkeypatch, command):
    monkeypatch.setenv("DLX_LANG", "zh")
    folder = student / "work"
    assert dlx("fetch", "affine", "--dir", str(folder)).exit_code == 0
    (folder / "affine.py").write_text(WRONG_AFFINE, encoding="utf-8")
    args = ("submit", "affine", "--dir", str(folder)) if command == "submit" else ("grade", "affine",
                                                                                   str(folder / "affine.py"))
    result = dlx(*args)
    output = "".join(result.output.split())  # rich wraps Chinese text anywhere
    assert result.exit_code == 0, result.output
    assert "affine:得分" in output and "随机种子" in output and "卡住了？`dlxhintaffine`" in output, result.output
    assert "affine_forward：out：相对误差(relativeerror)" in output and "应为" in output, result.output
    # "relative error" stays, glossed once: 相对误差 (relative error)
    for english in ("score ", "expected", " got ", "seed", "Stuck?", "Recorded"):
        assert english not in result.output, (english, result.output)
    if command == "submit":
        assert "已记录。目前最好成绩" in output


# --- nbgrader export ---

def test_nbgrader_export_writes_and_grades_the_notebook_in_its_language(student):
    nbformat = pytest.importorskip("nbformat")  # the nbgrader extra
    from grader.nbautograde import dlx_cell, grade_notebook

    course = student / "course"
    result = dlx("nbgrader", "export", str(course), "affine", "--assignment", "a1", "--lang", "zh")
    assert result.exit_code == 0 and "wrote" in result.output, result.output  # the instructor's run speaks English
    nb = nbformat.read(str(course / "source" / "a1" / "affine.ipynb"), as_version=4)
    assert nb.cells[0].source == (exercises_dir() / "affine" / "statement.zh.md").read_text(encoding="utf-8")
    assert nb.cells[1].source.startswith("请在下一个单元格中补全函数") and nb.metadata["dlx"] == {"lang": "zh"}
    hidden = [c for c in nb.cells if c.metadata["nbgrader"]["grade"]]
    cells = {c.metadata["nbgrader"]["grade_id"]: dlx_cell(c.source) for c in hidden}
    assert {cell.lang for cell in cells.values()} == {"zh"} and hidden[0].source.startswith("# 隐藏测试")
    solution = next(c for c in nb.cells if c.metadata["nbgrader"]["grade_id"] == "affine-solution")
    solution.source = WRONG_AFFINE
    grade_notebook(nb, cells, {"affine-solution"}, set(cells))  # autograde, in a run whose language is English
    failed = [c.outputs[0].evalue for c in hidden if c.outputs[0].output_type == "error"]
    assert failed and all("相对误差" in text and "relative error" in text for text in failed), failed
    passed = [c.outputs[0].text for c in hidden if c.outputs[0].output_type == "stream"]
    assert passed and all(text.startswith("通过：") for text in passed), passed
    assert dlx("nbgrader", "export", str(course), "affine", "--assignment", "a2").exit_code == 0
    english = nbformat.read(str(course / "source" / "a2" / "affine.ipynb"), as_version=4)
    assert english.cells[1].source.startswith("Complete the functions") and english.metadata["dlx"] == {"lang": "en"}


# --- the course server: the course's language, or the student's ---

ZH_COURSE = """\
[course]
name = "中文课程"
lang = "zh"

[[assignment]]
id = "hw1"
exercises = ["affine"]
opens = 2026-01-01T00:00:00Z
due = 2026-03-01T12:00:00+01:00
"""


def test_a_course_language_must_be_one_dlx_speaks(tmp_path):
    pytest.importorskip("sqlalchemy", reason="the course server needs the server extra")
    from grader.server.config import ConfigError, load_course

    path = tmp_path / "course.toml"
    path.write_text(ZH_COURSE, encoding="utf-8")
    assert load_course(path).lang == "zh"
    path.write_text(ZH_COURSE.replace('lang = "zh"', 'lang = "fr"'), encoding="utf-8")
    with pytest.raises(ConfigError, match="lang must be one of en, zh"):
        load_course(path)


@pytest.fixture(scope="module")
def zh_course(tmp_path_factory):
    pytest.importorskip("fastapi", reason="the course server needs the server extra: pip install 'dlx[server]'")
    pytest.importorskip("uvicorn", reason="the course server needs the server extra: pip install 'dlx[server]'")
    from tests.course_server import CourseServer, api, set_clock

    root = tmp_path_factory.mktemp("zh-course")
    (root / "course.toml").write_text(ZH_COURSE, encoding="utf-8")
    set_clock(root / "clock", "2026-02-01T09:00:00+00:00")
    server = CourseServer(root / "course.toml", root / "data", root / "clock", workers=1).start()
    try:
        instructor = api(server.url, "POST", "/api/login", json_body={"code": server.instructor_code})[1]["token"]
        code = api(server.url, "POST", "/api/roster", instructor,
                   json_body={"people": [{"login": "alice"}]})[1]["codes"][0]["code"]
        yield server.url, api(server.url, "POST", "/api/login", json_body={"code": code})[1]["token"]
    finally:
        server.stop()


def _graded_feedback(url: str, token: str, query: str = "") -> str:
    import uuid

    from tests.course_server import api

    submission_id = str(uuid.uuid4())
    status, out = api(url, "PUT", f"/api/submissions/{submission_id}?exercise=affine{query}", token,
                      body=WRONG_AFFINE.encode())
    assert status == 201, out
    for _ in range(10):
        status, out = api(url, "GET", f"/api/submissions/{submission_id}?wait=30", token)
        if out["status"] != "queued":
            break
    assert out["status"] == "graded", out
    return "\n".join(t["output"] for t in out["feedback"]["tests"])


def test_the_course_speaks_its_language_and_a_student_may_choose_theirs(zh_course):
    from tests.course_server import api

    url, token = zh_course
    status, out = api(url, "GET", "/api/exercises/nope", token)
    assert status == 404 and out["detail"] == "'nope' 不是这门课的练习", out
    status, out = api(url, "GET", "/api/exercises/nope?lang=en", token)
    assert status == 404 and out["detail"] == "'nope' is not an exercise of this course", out
    assert api(url, "GET", "/api/exercises/nope?lang=fr", token)[0] == 400
    in_zh, in_en = _graded_feedback(url, token), _graded_feedback(url, token, "&lang=en")
    assert "相对误差" in in_zh and "expected" not in in_zh, in_zh  # graded in the course's language
    assert "relative error" in in_en and "相对误差" not in in_en, in_en  # in the language it was submitted in


def test_the_pages_speak_the_course_language_and_remember_a_students_choice(zh_course):
    import urllib.request

    url, _token = zh_course
    with urllib.request.urlopen(url + "/login") as page:
        html = page.read().decode()
    assert '<html lang="zh">' in html and "请输入老师给你的登录码" in html and "Log in" not in html
    with urllib.request.urlopen(url + "/login?lang=en") as page:
        html, cookies = page.read().decode(), page.headers.get_all("set-cookie")
    assert '<html lang="en">' in html and "Enter the login code" in html
    assert any(cookie.startswith("dlx_lang=en;") for cookie in cookies), cookies
    request = urllib.request.Request(url + "/login", headers={"Cookie": "dlx_lang=en"})
    with urllib.request.urlopen(request) as page:
        assert "Enter the login code" in page.read().decode()


def test_a_course_serves_its_exercises_and_pages_in_the_readers_language(zh_course):
    """The server loads its exercises once, in its own language; each request reads them in the request's."""
    import httpx

    from tests.course_server import api

    url, token = zh_course
    status, out = api(url, "GET", "/api/exercises/affine", token)
    assert status == 200 and out["title"] == AFFINE["zh"]["title"] and out["hints"] == AFFINE["zh"]["hints"], out
    assert out["files"]["affine.md"] == (exercises_dir() / "affine" / "statement.zh.md").read_text(encoding="utf-8")
    status, out = api(url, "GET", "/api/exercises/affine?lang=en", token)
    assert out["title"] == AFFINE["title"] and out["files"]["affine.md"].startswith("# Affine layer"), out["title"]
    status, out = api(url, "GET", "/api/course", token)
    assert [e["title"] for a in out["assignments"] for e in a["exercises"]] == [AFFINE["zh"]["title"]], out
    with httpx.Client(base_url=url, follow_redirects=True) as browser:
        form = browser.get("/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
        page = browser.post("/login", data={"csrf": csrf, "code": token}).text
    assert "alice (学生)" in page and "(student)" not in page, page
    assert " · graded" not in page and "· affine ·" not in page, page  # a graded attempt shows its score, not a status


def test_the_pictures_page_is_drawn_in_the_readers_language(zh_course):
    """The course's pictures of an attempt: the page and the figures' labels in each reader's language (a figure
    drawn for a Chinese reader is not shown to an English one)."""
    pytest.importorskip("matplotlib", reason="pictures need the plots extra: pip install 'dlx[plots]'")
    import httpx

    url, token = zh_course
    _graded_feedback(url, token)  # an attempt to draw
    with httpx.Client(base_url=url, follow_redirects=True, timeout=120) as browser:
        form = browser.get("/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
        student_page = browser.post("/login", data={"csrf": csrf, "code": token}).text
        link = re.search(r'href="(/ui/submissions/[^"]+/pictures)"', student_page).group(1)
        in_zh = browser.get(link).text
        in_en = browser.get(link + "?lang=en").text
    assert "图：affine" in in_zh and "参考实现" in in_zh and "beside the reference" not in in_zh, in_zh
    assert "Pictures: affine" in in_en and "beside the reference" in in_en and "参考实现" not in in_en
    titles = [re.findall(r"<h2>([^<]+)</h2>", page) for page in (in_zh, in_en)]
    assert titles[0] and len(titles[0]) == len(titles[1]) and titles[0] != titles[1], titles


def test_a_gradescope_bundle_gives_feedback_in_its_language(tmp_path):
    import json
    import zipfile

    from grader.gradescope import build, grade_submission

    build(["affine"], tmp_path / "autograder.zip", lang="zh")
    root = tmp_path / "autograder"
    with zipfile.ZipFile(tmp_path / "autograder.zip") as bundle:
        bundle.extractall(root / "source")
    assert json.loads((root / "source" / "config.json").read_text())["lang"] == "zh"
    (root / "submission").mkdir()
    (root / "submission" / "affine.py").write_text(WRONG_AFFINE, encoding="utf-8")
    result = grade_submission(root)  # graded in a run whose language is English
    outputs = "\n".join(t["output"] for t in result["tests"] if t["status"] == "failed")
    assert "相对误差" in outputs and "expected" not in outputs, outputs
    assert "随机种子" in result["output"] and any("可见测试：" in t["name"] for t in result["tests"]), result


def test_an_unusable_dlx_home_is_one_line_in_either_language(student, monkeypatch):
    """Reading the language setting needs DLX_HOME: its own error must not ask for the language again."""
    home = student / "a-file"
    home.write_text("not a folder")
    monkeypatch.setenv("DLX_HOME", str(home))
    english = dlx("list")
    assert english.exit_code == 2 and "as dlx's data folder" in english.output, english.output
    monkeypatch.setenv("DLX_LANG", "zh")
    chinese = dlx("list")
    assert chinese.exit_code == 2 and "用作 dlx 的数据文件夹" in chinese.output, chinese.output


# --- the suites' own test names and feedback ---

WRONG_BACKWARD = (exercises_dir().parent / "solutions" / "affine.py").read_text(encoding="utf-8").replace(
    "return dout @ w.T, x.T @ dout, dout.sum(axis=0)", "return dout @ w.T, x.T @ dout, dout.mean(axis=0)")
TRANSPOSED_C = (exercises_dir().parent / "solutions" / "label_shift.py").read_text(encoding="utf-8").replace(
    "np.add.at(counts, (y_pred, y_true), 1.0)", "np.add.at(counts, (y_true, y_pred), 1.0)")
SUITE_CASES = {  # exercise: (wrong file, a test name and a suite-specific feedback in English and in Chinese)
    "affine": (WRONG_BACKWARD, ("affine_backward: db sums over the batch", "affine_backward：db对批量求和"),
               ("affine_backward: dw is right", "affine_backward：dw正确")),
    "label_shift": (TRANSPOSED_C, ("confusion_matrix: rows are predicted classes, columns true classes",
                                   "confusion_matrix：行是预测类别，列是真实类别"),
                    ("C is transposed: C[i, j] counts samples predicted i whose true label is j",
                     "C被转置了：C[i,j]统计的是预测为i、真实标签为j的样本")),
}


@pytest.mark.parametrize("exercise", sorted(SUITE_CASES))
def test_the_suites_test_names_and_feedback_are_in_the_students_language(student, monkeypatch, exercise):
    """The stored results keep the English names (stable ids and columns); the student reads them translated."""
    source, *pairs = SUITE_CASES[exercise]
    folder = student / "work"
    assert dlx("fetch", exercise, "--dir", str(folder)).exit_code == 0
    (folder / f"{exercise}.py").write_text(source, encoding="utf-8")
    english = dlx("grade", exercise, str(folder / f"{exercise}.py"))
    assert english.exit_code == 0, english.output
    for sentence, _chinese in pairs:
        assert sentence in " ".join(english.output.split()), english.output  # rich wraps long lines
    assert not re.search(r"[\u4e00-\u9fff]", english.output), english.output
    monkeypatch.setenv("DLX_LANG", "zh")
    chinese = dlx("submit", exercise, "--dir", str(folder))
    output = "".join(chinese.output.split())  # rich wraps Chinese text anywhere
    assert chinese.exit_code == 0, chinese.output
    for sentence, translated in pairs:
        assert translated in output and sentence not in " ".join(chinese.output.split()), (translated, chinese.output)
    assert "已记录。目前最好成绩" in output, chinese.output
    from grader.gradebook import Gradebook

    with Gradebook() as book:  # the recorded attempt keeps the English test names
        names = {t.name for attempt in book.attempts("exercise", exercise) for t in attempt["result"].tests}
    assert pairs[0][0] in names and not any(re.search(r"[\u4e00-\u9fff]", name) for name in names), names


# --- the walk-through: what a Chinese student sees has no English sentence left ---

ENGLISH_WORD = r"(?:[A-Za-z][a-z]+(?:'[a-z]+)?|a)"
ENGLISH_RUN = re.compile(rf"(?<![\w./-]){ENGLISH_WORD}(?: {ENGLISH_WORD}){{2,}}(?![\w/-])")  # three words in a row
NOT_PROSE = re.compile(r"\b\w*(?:Error|Exception|Warning)\b(?:：|: )[^（\n]*"  # Python's own text of an exception
                       r"|\b(?:dlx|main)(?: [a-z][a-z_-]*)+")  # a command (CliRunner names the program "main")


FUNCTION_WORD = re.compile(r"(?<![\w./-])(?:the|with|of|for|and|is|are|to|by|at|from|not|when)(?![\w.(/-])")  # prose glue


def english_runs(text: str) -> list[str]:
    """The runs of three or more English words, and English function words, in ``text``, outside inline code,
    commands and Python's exceptions (identifiers, paths and comma-separated lists of ids are not runs)."""
    text = NOT_PROSE.sub(" ", BACKTICKED.sub(" ", " ".join(text.split())))
    return [found.group(0) for found in ENGLISH_RUN.finditer(text)] + FUNCTION_WORD.findall(ENGLISH_RUN.sub(" ", text))


def test_the_english_finder_finds_a_sentence_and_ignores_code():
    assert english_runs("dlx: missing argument 'KEY'") == []  # two words: below the threshold
    assert english_runs("dlx：缺少参数 'KEY'，可选值：lang") == []
    assert english_runs("Show this message and exit.") == ["Show this message and exit"]
    assert english_runs("运行 `dlx check affine --watch now` 或 ValueError: list index out of range（第 3 行）") == []
    assert english_runs("已有的练习：gates, autodiff, gradcheck；log-sum-exp；/tmp/pytest-of-root；dlx quiz take BANK") == []
    assert english_runs("dx (against a numerical gradient of your forward)：相对误差") == [
        "against a numerical gradient of your forward"]
    assert english_runs("Value (x ** 2 with x = 0.0)：dx of f = x * y") == ["with", "of"]
    assert english_runs("Value (x ** 2, x = 0.0)：f = x * y 的 dx；x.to(y)；a.is_leaf") == []


ZH_SCREENS = [  # (command line, exit status): help, usage errors and bad input a student meets
    (("--help",), 0), (("submit", "--help"), 0), (("watch", "--help"), 0), (("login", "--help"), 0),
    (("quiz", "take", "--help"), 0), (("config", "--help"), 0), (("submit",), 2), (("config",), 2),
    (("config", "lang", "fr"), 2), (("submit", "affine", "--seed", "abc"), 2), (("submit", "affine", "--seed", "-1"), 2),
    (("submit", "nope"), 2), (("hint", "nope"), 2), (("quiz", "take", "nope"), 2), (("frobnicate",), 2),
    (("grade", "affine", "missing.py"), 2), (("--lang", "fr", "list"), 2), (("--bogus",), 2), (("list",), 0),
    (("score",), 0), (("quiz", "list"), 0),
]


@pytest.mark.parametrize("args,status", ZH_SCREENS, ids=lambda v: " ".join(v) if isinstance(v, tuple) else None)
def test_a_chinese_students_screen_has_no_english_sentence(student, monkeypatch, args, status):
    monkeypatch.setenv("DLX_LANG", "zh")
    result = dlx(*args)
    assert result.exit_code == status, result.output
    assert not english_runs(result.output), (english_runs(result.output), result.output)
    if status == 2:
        assert len(result.output.strip().splitlines()) == 1, result.output  # one line, a choice's values too


def test_clicks_help_option_and_type_names_follow_each_run(student):
    """click writes --help's text and a path's name in the language of the moment it creates them; dlx shows
    them in each run's language, and its metavars stay the English placeholders (Chinese ones misalign columns)."""
    for _round in range(2):
        zh = dlx("--lang", "zh", "--help").output + dlx("--lang", "zh", "watch", "--help").output
        assert "显示这条帮助信息并退出" in zh and "显示版本号并退出" in zh and "--dir DIRECTORY" in zh, zh
        en = dlx("--help").output + dlx("watch", "--help").output
        assert "Show this message and exit." in en and "Show the version and exit." in en, en
        assert "--dir DIRECTORY" in en and not re.search(r"[\u4e00-\u9fff]", en), en
    assert "'abc' 不是有效的整数" in dlx("--lang", "zh", "submit", "affine", "--seed", "abc").output
    assert "is not a valid integer range" in dlx("submit", "affine", "--seed", "abc").output


def test_a_broken_gradebook_is_explained_in_chinese(student, monkeypatch):
    monkeypatch.setenv("DLX_LANG", "zh")
    home = student / "home"
    home.mkdir()
    (home / "gradebook.sqlite3").write_text("not a database")
    damaged = dlx("score")
    assert damaged.exit_code == 2 and "已损坏" in damaged.output and not english_runs(
        damaged.output.replace("file is not a database", "")), damaged.output  # sqlite's reason is quoted as is
    monkeypatch.setenv("DLX_HOME", str(student / "no" / "such"))
    (student / "no").write_text("a file where a folder belongs")
    missing = dlx("list")
    assert missing.exit_code == 2 and not english_runs(missing.output), missing.output


def test_the_system_reason_of_a_refusal_is_translated():
    import errno

    from grader import i18n
    from grader.errors import os_error_message

    error = FileNotFoundError(errno.ENOENT, "No such file or directory", "affine.py")
    with i18n.speaking("zh"):
        assert os_error_message(error) == i18n._("cannot use {file}: {reason}").format(
            file="affine.py", reason="没有这个文件或文件夹")
    assert os_error_message(error) == "cannot use affine.py: no such file or folder"


def test_an_unknown_exercise_is_said_in_the_students_language_wherever_it_is_met():
    """catalog.get's error: the CLI, `%dlx submit nope` and the course server all show it as it is."""
    from grader import i18n
    from grader.catalog import UnknownExercise, get

    with i18n.speaking("zh"), pytest.raises(UnknownExercise, match="没有这道练习 'nope'"):
        get("nope")
    with pytest.raises(UnknownExercise, match="unknown exercise 'nope'"):
        get("nope")


def test_a_chinese_quiz_reads_naturally(student, monkeypatch):
    """The prompt, the verdicts and the attempt's number, as a student answering in the terminal sees them."""
    monkeypatch.setenv("DLX_LANG", "zh")
    answers = "a\n1\n" * 40  # every question gets a valid answer: a letter, or a number after a refused letter
    result = CliRunner().invoke(main, ["quiz", "take", "backprop"], input=answers, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    output = "".join(result.output.split())  # rich wraps Chinese text anywhere
    assert "你的答案（一个字母a-d，或选项的键或文字）：" in output and "✘答错了：你的答案是a；答案是" in output, output
    assert "已记录为backprop的第1次作答" in output and "#1" not in output, output
    assert not english_runs(result.output), english_runs(result.output)


WRONG_FILES = [  # (exercise, a typical mistake of tests/test_mistakes_<exercise>.py, visible tests?): once English
    ("autodiff", "pow_derivative_as_k_out_over_x", False), ("gates", "add_splits_the_gradient", False),
    ("activations", "sigmoid_computed_in_float32", True), ("losses", "hinge_gradient_sign", True),
    ("linear_models", "svm_gradient_forgets_weight_decay", True),
    ("linear_models", "sum_loss_with_its_own_gradient_keeps_the_gradient_point", True),
]


@pytest.mark.parametrize("exercise,name,visible", WRONG_FILES, ids=[f"{e}-{n}" for e, n, _v in WRONG_FILES])
def test_the_feedback_of_a_wrong_file_has_no_english_sentence(exercise, name, visible):
    import importlib

    from grader import i18n
    from tests.helpers import grade, pick, reference_text

    wrong = pick(importlib.import_module(f"tests.test_mistakes_{exercise}").MISTAKES, name)
    with i18n.speaking("zh"):
        right = grade(exercise, reference_text(exercise), seed=1, visible=visible)
        result = grade(exercise, wrong.source(reference_text(exercise)), seed=1, visible=visible)
        shown = [(i18n._(t.name), t.output) for t in result.tests]
    assert all(t.passed for t in right.tests), [t.output for t in right.tests]  # the translated checks still work
    assert any(not t.passed for t in result.tests), shown
    leaks = [(test, output) for test, output in shown if english_runs(test) or english_runs(output)]
    assert not leaks, leaks


def test_no_function_that_translates_also_assigns_the_name_underscore():
    """``_ = ...`` (or ``for _ in``, ``(_, x) = ...``) in a function makes ``_`` local there: its ``_("...")`` then
    raises UnboundLocalError, a correct file loses the points. Name the throwaway (``_unused``)."""
    from grader.paths import SUITES_DIR

    root = SUITES_DIR.parents[1]
    files = [*exercises_dir().glob("*/test_visible.py"), *(root / "grader").rglob("*.py"), *(root / "tests").glob("*.py")]
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
              ast.GeneratorExp)

    def names(node: ast.AST) -> Iterator[ast.Name]:  # the names of this scope, not of the scopes nested in it
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, scopes):
                if isinstance(child, ast.Name) and child.id == "_":
                    yield child
                yield from names(child)

    found = []
    for path in files:
        for scope in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(scope, scopes):
                used = list(names(scope))
                if any(isinstance(n.ctx, ast.Store) for n in used) and any(isinstance(n.ctx, ast.Load) for n in used):
                    found.append(f"{path.relative_to(root)}:{scope.lineno}")
    assert not found, found


def test_the_torch_workers_reports_and_refusals_are_translated():
    """trusted_torch.py writes English in the worker; the suites show it in the student's language."""
    from grader import i18n
    from grader.proxy import refusal, reported

    with i18n.speaking("zh"):
        assert reported("torch.enable_grad() to build an autograd graph inside backward").startswith(
            "torch.enable_grad()，在 backward 中")
        assert refusal("dlx: autograd may not be used here: compute the gradient by hand") == \
            "dlx：这里不能使用 autograd：请手工计算梯度"
        for problem in ("train_classifier should return a torch.nn.Module; it returned a list of 3 items",
                        "train_classifier should return a torch.nn.Module; it returned a function",
                        "the model returned a tensor of shape (5,) and dtype float32 for a batch of inputs, not a "
                        "tensor of logits"):
            shown = reported(problem)
            assert not english_runs(shown) and re.search(r"[\u4e00-\u9fff]", shown), shown
    assert reported("train_classifier should return a torch.nn.Module; it returned a function").endswith("a function")


def test_a_servers_exercise_is_read_in_each_requests_language():
    from grader.catalog import get, in_language, statement_path

    english = get("affine")
    chinese = in_language(english, "zh")
    assert chinese.title == AFFINE["zh"]["title"] and chinese.hints == tuple(AFFINE["zh"]["hints"])
    assert chinese.statement == statement_path(english.folder, "zh") and chinese.points == english.points
    assert in_language(chinese, "en") == english


# --- dlx doctor and dlx --version ---

def test_doctor_shows_every_wall_in_chinese_and_its_json_stays_english(student, monkeypatch):
    import json
    import re

    from grader import doctor, i18n
    from grader.sandbox.spec import WorkerSpec

    layers = doctor.sandbox_layers()
    with i18n.speaking("zh"):
        for name, _active, detail in layers:
            assert doctor.shown(name) != name and name in doctor.shown(name), name  # the English term in brackets
            if not re.fullmatch(r"[A-Z_]+ \d+", detail):  # e.g. "RLIMIT_NPROC 0" says itself
                assert doctor.shown(detail) != detail, detail
    out = " ".join(dlx("--lang", "zh", "doctor").output.split())
    assert "dlx 沙箱防护层" in out and "PID 命名空间 (PID namespace)" in out and "完全没有网络" in out
    assert json.loads(dlx("--lang", "zh", "doctor", "--json").output) == json.loads(dlx("doctor", "--json").output)
    real = doctor.sandbox_layers
    spec = WorkerSpec(source="def probe():\n    return 1\n", filename="probe.py", module="probe",
                      layers_off=("pidns", "seccomp"))
    monkeypatch.setattr(doctor, "sandbox_layers", lambda: real(spec))
    out = " ".join(dlx("--lang", "zh", "doctor").output.split())
    assert "已关闭（layers_off）" in out
    assert "缺少 PID 命名空间 (PID namespace) 会失去： worker 能看到并指名其他进程" in out, out
    assert "Lost without" not in out and "switched off" not in out


def test_the_version_says_版本_in_chinese_without_loading_click(student, monkeypatch):
    import subprocess
    import sys

    from grader import __version__

    def launched(**env):
        done = subprocess.run([sys.executable, "-c", "import sys; from grader.launch import main; main()", "--version"],
                              capture_output=True, text=True, timeout=60, env={**os.environ, **env})
        return done.stdout

    assert launched() == f"dlx, version {__version__}\n"
    assert launched(DLX_LANG="zh") == launched(LANG="zh_CN.UTF-8") == f"dlx，版本 {__version__}\n"
    assert launched(DLX_LANG="xx") == f"dlx, version {__version__}\n"  # other commands say what is wrong
    assert dlx("--lang", "zh", "--version").output == f"dlx，版本 {__version__}\n"
    assert dlx("--version").output == f"dlx, version {__version__}\n"
    from tests.test_lazy_imports import loaded

    monkeypatch.setenv("DLX_LANG", "zh")
    assert loaded("grader.launch", ["--version"], ("click", "grader.cli", "sqlite3"), student) == []
