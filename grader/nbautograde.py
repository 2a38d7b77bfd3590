"""nbgrader's Execute step for dlx notebooks: grade in dlx's sandbox, never run the student's code in a kernel.

`dlx nbgrader export` registers :class:`DlxExecute` in place of nbgrader's
``Execute`` in ``c.Autograde.autograde_preprocessors``. For a notebook whose
source (as the gradebook holds it, not as the student handed it in) has dlx
cells, no kernel starts: the solution cells' text is graded by the same
sandboxed worker and hidden suite as ``dlx grade --seed N``, quiz answers are
read from the answer cells without running them, and each graded cell gets
its outcome as output (``passed: ...`` on stdout, or an error with the
feedback), which nbgrader's ``SaveAutoGrades`` then records. Every other
notebook is executed by nbgrader's ``Execute`` as usual.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader.converters import Autograde
from nbgrader.preprocessors import Execute

from .errors import GradingError
from .i18n import LANGUAGES, N_, _
from .notebook import hidden_outcome, in_language, quiz_outcome
from .results import GradeResult

CELL_FUNCTIONS = ("hidden_test", "quiz_check")
NOT_DLX = N_("this graded cell is in a notebook graded by dlx, which never runs a kernel for it: it needs grading "
             "by hand")


@dataclass(frozen=True)
class DlxCell:
    """What one of dlx's graded cells checks, read from the source notebook's text."""

    function: str  # "hidden_test" (an exercise's hidden test) or "quiz_check" (a quiz question)
    subject: str  # the exercise id or the quiz bank id
    item: str  # the test id or the question id
    seed: int
    lang: str | None = None  # the notebook's language (`dlx nbgrader export --lang`): the feedback's


def dlx_cell(source: str) -> DlxCell | None:
    """The dlx call in a graded cell's source, as `dlx nbgrader export` writes it, or None."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CELL_FUNCTIONS:
            args = [a.value for a in node.args[:2] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            keywords = {k.arg: k.value.value for k in node.keywords if isinstance(k.value, ast.Constant)}
            seed, lang = keywords.get("seed"), keywords.get("lang")
            if len(args) == 2 and isinstance(seed, int):
                return DlxCell(node.func.id, args[0], args[1], seed, lang if lang in LANGUAGES else None)
    return None


class _Unreadable:
    """An answer written as an expression: graded as malformed, with this text as what was given."""

    def __repr__(self) -> str:
        return "an expression (write the value itself, e.g. \"b\" or 0.125)"


def _value(node: ast.expr) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _Unreadable()


def quiz_answers(sources: list[str]) -> dict[str, Any]:
    """The answers the cells give, read without running them.

    Understood, in order: ``answers["<id>"] = <value>``, ``answers = {...}``
    and ``answers.update({...})`` with literal values; everything else is
    ignored (a cell that does not parse gives no answer).
    """
    answers: dict[str, Any] = {}
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if (isinstance(target, ast.Subscript) and _is_answers(target.value)
                            and isinstance(target.slice, ast.Constant) and isinstance(target.slice.value, str)):
                        answers[target.slice.value] = _value(node.value)
                    elif _is_answers(target) and isinstance(node.value, ast.Dict):
                        answers = _literal_dict(node.value)
            elif (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
                  and isinstance(node.value.func, ast.Attribute) and node.value.func.attr == "update"
                  and _is_answers(node.value.func.value) and len(node.value.args) == 1
                  and isinstance(node.value.args[0], ast.Dict)):
                answers.update(_literal_dict(node.value.args[0]))
    return answers


def _is_answers(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "answers"


def _literal_dict(node: ast.Dict) -> dict[str, Any]:
    return {k.value: _value(v) for k, v in zip(node.keys, node.values)
            if isinstance(k, ast.Constant) and isinstance(k.value, str)}


def _defines(source: str, names: tuple[str, ...]) -> bool:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    return bool(defined & set(names))


def _grade_id(cell: NotebookNode) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def student_cells(nb: NotebookNode, solution_ids: set[str], names: tuple[str, ...] = ()) -> list[str]:
    """The source of the student's code cells that count: the solution cells, and cells the student added
    that define one of ``names`` (all added cells when ``names`` is empty), in notebook order."""
    return [cell.source for cell in nb.cells if cell.cell_type == "code" and (
        _grade_id(cell) in solution_ids or (_grade_id(cell) is None and (not names or _defines(cell.source, names))))]


def _passed(text: str) -> list[NotebookNode]:
    return [new_output("stream", name="stdout", text=text + "\n")]


def _failed(message: str) -> list[NotebookNode]:
    return [new_output("error", ename="TestFailed", evalue=message, traceback=[f"TestFailed: {message}"])]


def grade_notebook(nb: NotebookNode, cells: dict[str, DlxCell], solution_ids: set[str], graded_ids: set[str]) -> None:
    """Write each graded cell's outcome into ``nb``: dlx cells from a sandboxed grading, others failed."""
    from .catalog import get
    from .quiz import grade_answers
    from .runner import grade_source

    results: dict[tuple[str, str, int, str | None], GradeResult] = {}  # an exercise's or a quiz's
    for cell in nb.cells:
        grade_id = _grade_id(cell)
        if cell.cell_type != "code" or grade_id not in graded_ids or grade_id in solution_ids:
            continue
        cell.execution_count = None
        found = cells.get(grade_id)
        if found is None:
            cell.outputs = _failed(_(NOT_DLX))
            continue
        key = (found.function, found.subject, found.seed, found.lang)
        with in_language(found.lang):
            if key not in results:
                if found.function == "hidden_test":
                    exercise = get(found.subject)
                    source = "\n\n".join(student_cells(nb, solution_ids, tuple(exercise.functions)))
                    results[key] = grade_source(exercise, source, found.seed)
                else:
                    results[key] = grade_answers(found.subject, found.seed,
                                                 quiz_answers(student_cells(nb, solution_ids)))
            outcome = hidden_outcome if found.function == "hidden_test" else quiz_outcome
            passed, message = outcome(results[key], found.item)
        cell.outputs = _passed(message) if passed else _failed(message)


def _source_notebook(resources: dict) -> tuple[dict[str, DlxCell], set[str], set[str]]:
    """From the gradebook (what `generate_assignment` recorded, not what the student handed in):
    the dlx cells by grade id, the solution cells' ids and the graded cells' ids."""
    from nbgrader.api import Gradebook

    info = resources["nbgrader"]
    with Gradebook(info["db_url"]) as book:
        source = book.find_notebook(info["notebook"], info["assignment"])
        cells = {c.name: found for c in source.source_cells if (found := dlx_cell(c.source)) is not None}
        return cells, {c.name for c in source.solution_cells}, {c.name for c in source.grade_cells}


class DlxExecute(Execute):
    """nbgrader's Execute, except for notebooks with dlx cells: those are graded by dlx, with no kernel."""

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None) -> tuple[NotebookNode, Any]:
        cells, solution_ids, graded_ids = _source_notebook(resources)
        if not cells:
            return super().preprocess(nb, resources, km)
        _warm_workers()
        try:
            grade_notebook(nb, cells, solution_ids, graded_ids)
        except GradingError as exc:
            self.log.error("dlx could not grade %s: %s", resources["nbgrader"]["notebook"], exc)
            raise
        self.log.info("Graded %s with dlx in its sandbox; no kernel ran the student's code",
                      resources["nbgrader"]["notebook"])
        return nb, resources


def _warm_workers() -> None:
    """Autograde grades many notebooks in one process: fork each worker from a warm fork server, as grade-batch does."""
    from .sandbox.spawn import use_fork_servers

    use_fork_servers(True)


def autograde_preprocessors() -> list:
    """nbgrader's autograde preprocessors, with :class:`DlxExecute` in place of ``Execute``."""
    default = Autograde.class_traits()["autograde_preprocessors"].default()
    return [DlxExecute if p is Execute else p for p in default]
