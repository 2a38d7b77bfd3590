"""Export exercises as nbgrader source notebooks that grade exactly like `dlx grade`.

Each notebook has: the statement (read-only); one solution cell, the stub
with every function body replaced by the reference's between `### BEGIN
SOLUTION` and `### END SOLUTION` (so nbgrader releases the stub with its
docstrings); the visible tests (read-only); and one autograded cell per hidden
test, worth that test's points, whose `### BEGIN HIDDEN TESTS` block names
the test. `nbgrader autograde` never runs those cells in a kernel: the
course's ``nbgrader_config.py`` puts :class:`grader.nbautograde.DlxExecute` in
place of nbgrader's Execute, which grades the solution cells' text in dlx's
sandbox (see docs/threat-model.md).
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from .catalog import Exercise
from .errors import DlxError
from .i18n import _, language, ngettext
from .runner import collect_tests
from .safe_read import output_file

SCHEMA_VERSION = 3
CONFIG = '''c = get_config()  # noqa: F821 - provided by nbgrader

c.CourseDirectory.course_id = "{course}"
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
'''
AUTOGRADE = '''
# dlx: autograde grades dlx's notebooks in dlx's sandbox and never runs the student's code in a kernel.
from grader.nbautograde import autograde_preprocessors
c.Autograde.autograde_preprocessors = autograde_preprocessors()
'''


def _nbformat() -> Any:
    try:
        import nbformat
    except ImportError:
        raise DlxError(_("the nbgrader export needs nbformat: pip install 'dlx[nbgrader]'")) from None
    return nbformat


def _meta(grade_id: str, *, grade: bool = False, solution: bool = False, locked: bool = True,
          points: float | None = None) -> dict:
    meta: dict[str, Any] = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
                            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _segment(lines: list[str], start: int, end: int) -> str:
    return "".join(lines[start - 1:end])


def _body_start(node: ast.FunctionDef | ast.ClassDef) -> int:
    """The first line of the body after the docstring (1-based)."""
    first = node.body[0]
    if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)):
        return first.lineno
    return node.body[1].lineno if len(node.body) > 1 else (first.end_lineno or first.lineno) + 1


def solution_cell_source(stub: str, solution: str) -> str:
    """The stub, each top-level function or class body replaced by the reference's inside solution markers.

    Reference-only definitions and imports go in a solution block of their own
    after the stub's imports.
    """
    stub_lines, sol_lines = stub.splitlines(keepends=True), solution.splitlines(keepends=True)
    sol_tree, stub_tree = ast.parse(solution), ast.parse(stub)
    sol_defs = {n.name: n for n in sol_tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    stub_names = {n.name for n in stub_tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    extras = [n for n in sol_tree.body
              if not (isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name in stub_names)
              and not (isinstance(n, ast.Expr) and isinstance(getattr(n, "value", None), ast.Constant))
              and not isinstance(n, (ast.Import, ast.ImportFrom))]
    sol_imports = [n for n in sol_tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    stub_import_text = {ast.unparse(n) for n in stub_tree.body if isinstance(n, (ast.Import, ast.ImportFrom))}

    out: list[str] = []
    cursor = 1
    extras_written = False
    for node in stub_tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in sol_defs:
            start = min([d.lineno for d in node.decorator_list] + [node.lineno])
            if not extras_written:
                out.append(_segment(stub_lines, cursor, start - 1))
                out.append(_extras_block(sol_lines, extras, [n for n in sol_imports
                                                             if ast.unparse(n) not in stub_import_text]))
                extras_written = True
            else:
                out.append(_segment(stub_lines, cursor, start - 1))
            body_start = _body_start(node)
            out.append(_segment(stub_lines, start, body_start - 1))
            indent = " " * node.body[0].col_offset
            ref = sol_defs[node.name]
            ref_body = _segment(sol_lines, _body_start(ref), ref.end_lineno or ref.lineno)
            out.append(f"{indent}### BEGIN SOLUTION\n{_reindent(ref_body, ref.body[0].col_offset, len(indent))}"
                       f"{indent}### END SOLUTION\n")
            cursor = (node.end_lineno or node.lineno) + 1
    out.append(_segment(stub_lines, cursor, len(stub_lines)))
    return "".join(out).rstrip() + "\n"


def _extras_block(sol_lines: list[str], extras: list[ast.stmt], imports: list[ast.stmt]) -> str:
    if not extras and not imports:
        return ""
    parts = [_segment(sol_lines, n.lineno, n.end_lineno or n.lineno) for n in imports + extras]
    return "### BEGIN SOLUTION\n" + "".join(p if p.endswith("\n") else p + "\n" for p in parts) + "### END SOLUTION\n\n\n"


def _reindent(text: str, old: int, new: int) -> str:
    lines = text.splitlines(keepends=True)
    return "".join((" " * new + line[old:]) if line.strip() else line for line in lines)


def notebook(exercise: Exercise, seed: int) -> Any:
    """The nbgrader source notebook of one exercise, in the language of the run (its cells grade in it too)."""
    nbf = _nbformat()
    lang = language()
    cells = [nbf.v4.new_markdown_cell(exercise.statement.read_text(encoding="utf-8"),
                                      metadata=_meta(f"{exercise.id}-statement"))]
    cells.append(nbf.v4.new_markdown_cell(
        _("Complete the functions in the next cell. Keep everything you write for `{id}` in that cell: the tests "
          "grade the code of the cell that defines {functions}.").format(
            id=exercise.id, functions=", ".join(f"`{name}`" for name in exercise.functions)),
        metadata=_meta(f"{exercise.id}-instructions")))
    source = solution_cell_source(exercise.stub.read_text(encoding="utf-8"), exercise.reference.read_text(encoding="utf-8"))
    cells.append(nbf.v4.new_code_cell(source, metadata=_meta(f"{exercise.id}-solution", solution=True, locked=False)))
    cells.append(nbf.v4.new_code_cell(
        "# " + _("Visible tests: run this cell to check your work.") + "\nfrom grader.notebook import visible_tests\n"
        f"visible_tests({exercise.id!r}, globals(), lang={lang!r})", metadata=_meta(f"{exercise.id}-visible-tests")))
    for test in collect_tests(exercise):
        title = _("Hidden test ({points} points): {test}").format(points=f"{test.max_score:g}", test=test.name)
        code = (f"# {title}\n### BEGIN HIDDEN TESTS\n"
                f"from grader.notebook import hidden_test\n"
                f"hidden_test({exercise.id!r}, {test.test_id!r}, globals(), seed={seed}, lang={lang!r})\n"
                "### END HIDDEN TESTS")
        cells.append(nbf.v4.new_code_cell(code, metadata=_meta(f"{exercise.id}-{test.test_id}", grade=True,
                                                               points=test.max_score)))
    nb = nbf.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["dlx"] = {"lang": lang}
    return nb


def _options(question: dict) -> str:
    labels = question.get("labels") or []
    lines = [f"- **{label})** {text}" for label, text in zip(labels, question.get("options") or [])]
    return "\n".join(lines)


def quiz_notebook(bank_id: str, seed: int) -> Any:
    """A quiz bank as a notebook: per question, the text, an answer cell and one autograded cell."""
    from .quiz import bank_questions, grade_answers

    nbf = _nbformat()
    lang = language()
    questions = bank_questions(bank_id, seed)
    key = {t.test_id: t.expected for t in grade_answers(bank_id, seed, {}).tests}
    cells = [
        nbf.v4.new_markdown_cell(
            "# " + _("Quiz: {bank}").format(bank=bank_id) + "\n\n"
            + _('Answer each question in the cell below it, as `answers["<id>"] = ...`: a letter for one choice '
                '(`"b"`), a list of letters for several (`["a", "c"]`), a number for a numeric question. Write the '
                "value itself, not an expression: the grader reads these cells without running them. The "
                "explanations come with your feedback."),
            metadata=_meta(f"quiz-{bank_id}-intro")),
        nbf.v4.new_code_cell("answers = {}", metadata=_meta(f"quiz-{bank_id}-setup")),
    ]
    for number, q in enumerate(questions, 1):
        about = ngettext("{points} point; id `{id}`; {form}", "{points} points; id `{id}`; {form}",
                         1 if q["points"] == 1 else 2).format(
            points=f"{q['points']:g}", id=q["id"], form=q.get("answer_format", q["kind"]))
        text = f"**{number}. {q['text']}** ({about})\n\n{_options(q)}"
        cells.append(nbf.v4.new_markdown_cell(text, metadata=_meta(f"quiz-{bank_id}-{q['id']}-text")))
        cells.append(nbf.v4.new_code_cell(
            f"### BEGIN SOLUTION\nanswers[{q['id']!r}] = {key[q['id']]!r}\n### END SOLUTION",
            metadata=_meta(f"quiz-{bank_id}-{q['id']}-answer", solution=True, locked=False)))
        cells.append(nbf.v4.new_code_cell(
            "# " + _("Graded: question {id} ({points} points)").format(id=q["id"], points=f"{q['points']:g}")
            + "\n### BEGIN HIDDEN TESTS\n"
            f"from grader.notebook import quiz_check\nquiz_check({bank_id!r}, {q['id']!r}, answers, seed={seed}, "
            f"lang={lang!r})\n### END HIDDEN TESTS",
            metadata=_meta(f"quiz-{bank_id}-{q['id']}-check", grade=True, points=q["points"])))
    nb = nbf.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["dlx"] = {"lang": lang}
    return nb


def export(course_dir: Path, assignment: str, exercises: list[Exercise], seed: int, force: bool,
           quizzes: tuple[str, ...] = ()) -> list[Path]:
    """Write ``source/<assignment>/<id>.ipynb`` per exercise and ``quiz_<bank>.ipynb`` per quiz bank,
    and nbgrader_config.py if the course has none (or add dlx's autograde step to the one it has)."""
    if assignment in ("", ".", "..") or Path(assignment).name != assignment:
        raise DlxError(_("--assignment must be a folder name (no / or ..), not {name!r}").format(name=assignment))
    nbf = _nbformat()
    folder = course_dir / "source" / assignment
    targets = [folder / f"{e.id}.ipynb" for e in exercises] + [folder / f"quiz_{b}.ipynb" for b in quizzes]
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        raise DlxError(ngettext("{names} already exists; use --force to overwrite",
                                    "{names} already exist; use --force to overwrite", len(existing)).format(
            names=", ".join(map(str, existing))))
    config = output_file(course_dir / "nbgrader_config.py")
    for target in targets:
        output_file(target)  # a FIFO or device in the way is one line, before anything is written
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    if not config.exists():
        config.write_text(CONFIG.format(course=course_dir.resolve().name) + AUTOGRADE, encoding="utf-8")
        written.append(config)
    elif "grader.nbautograde" not in config.read_text(encoding="utf-8"):
        with config.open("a", encoding="utf-8") as f:
            f.write(AUTOGRADE)
        written.append(config)
    books = [notebook(e, seed) for e in exercises] + [quiz_notebook(b, seed) for b in quizzes]
    for book, target in zip(books, targets):
        nbf.write(book, str(target))
        written.append(target)
    return written
