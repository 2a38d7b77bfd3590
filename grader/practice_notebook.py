"""The practice notebook `dlx fetch ID --notebook` writes: statement, stub, visible tests, submit.

It holds only what a student may see: the statement and the stub. The
reference and the hidden tests stay in the package; the ``%dlx`` cells grade
the student's functions through the same sandboxed worker as the CLI.
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

from .i18n import _, ngettext
from .errors import DlxError

if TYPE_CHECKING:
    from .catalog import Exercise


def stub_cell_source(stub: str) -> str:
    """The stub without its module docstring (it names the terminal commands; the notebook has its own)."""
    body = ast.parse(stub).body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        lines = stub.splitlines(keepends=True)
        stub = "".join(lines[: body[0].lineno - 1] + lines[body[0].end_lineno:])
    return stub.strip() + "\n"


def build_notebook(exercise: Exercise):  # -> nbformat.NotebookNode
    """The practice notebook for ``exercise`` (nbformat 4)."""
    import nbformat.v4 as nbf

    from .plots.registry import figures_for

    eid = exercise.id
    names = ", ".join(f"`{name}`" for name in exercise.functions)
    pictures = (_(" `%dlx check {id} --plots` draws your functions beside the reference's (needs matplotlib).").format(
        id=eid) if figures_for(eid) else "")
    cells = [
        nbf.new_markdown_cell(exercise.statement.read_text(encoding="utf-8")),
        nbf.new_markdown_cell(
            "## " + _("Your turn") + "\n\n"
            + _("Run the next cell first: it loads dlx's `%dlx` commands. Then complete {names} in the cell after it "
                "and run that cell.").format(names=names) + "\n\n"
            + _("`%dlx check {id}` runs the visible tests, `%dlx hint {id}` shows the next hint, `%dlx submit {id}` "
                "grades your functions with the hidden tests and records the attempt, `%dlx score` shows your "
                "progress.{pictures} Your code runs in dlx's sandbox, never judged in this kernel.").format(
                id=eid, pictures=pictures)),
        nbf.new_code_cell("%load_ext dlx"),
        nbf.new_code_cell(stub_cell_source(exercise.stub.read_text(encoding="utf-8"))),
        nbf.new_markdown_cell("## " + _("Visible tests") + "\n\n"
                              + _("Quick checks on small inputs; they record nothing.")),
        nbf.new_code_cell(f"%dlx check {eid}"),
        nbf.new_markdown_cell("## " + _("Submit") + "\n\n"
                              + _("The hidden tests give your score; every attempt is recorded.")),
        nbf.new_code_cell(f"%dlx submit {eid}"),
    ]
    metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "dlx": {"exercise": eid},
    }
    return nbf.new_notebook(cells=cells, metadata=metadata)


def write_notebook(exercise: Exercise, directory: Path, force: bool = False) -> Path:
    """Write ``ID.ipynb`` into ``directory``; never over existing work without ``force`` (a backup is kept)."""
    try:
        import nbformat
    except ImportError:
        raise DlxError(_("--notebook needs nbformat: pip install 'dlx[jupyter]'")) from None
    from .cli import _backup
    from .report import console

    path = directory / f"{exercise.id}.ipynb"
    if path.exists() and not force:
        raise DlxError(ngettext("{names} already exists; your work is untouched (use --force to replace it; a backup is "
                                "kept)", "{names} already exist; your work is untouched (use --force to replace them; "
                                "a backup is kept)", 1).format(names=path))
    directory.mkdir(parents=True, exist_ok=True)
    if path.exists():
        console.print("[dim]" + _("backed up {file} to {backup}").format(file=path, backup=_backup(path)) + "[/]")
    nbformat.write(build_notebook(exercise), str(path))
    return path
