"""Practice in Jupyter: `dlx fetch --notebook` and the `%dlx` magic, driven through a real kernel."""
import ast
import importlib.util
import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from grader.catalog import catalog, get
from grader.cli import main
from grader.gradebook import Gradebook
from grader.practice_notebook import build_notebook
from tests.helpers import reference_text, stub_text

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

KERNEL = "dlx-test"


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DLX_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture()
def kernel(tmp_path, monkeypatch):
    """A kernelspec that runs this interpreter (so the kernel imports this worktree's dlx)."""
    spec = tmp_path / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": KERNEL, "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return KERNEL


def dlx(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def reference_bodies(exercise_id: str) -> list[str]:
    """The body of every function (and method) of the reference's graded names that the stub does not give.

    A body is its statements after the docstring, as written in the reference, indentation included.
    """
    text, stub = reference_text(exercise_id), stub_text(exercise_id)
    lines = text.splitlines(keepends=True)
    graded = [node for node in ast.parse(text).body
              if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in get(exercise_id).functions]
    bodies = []
    for function in (f for node in graded for f in ast.walk(node) if isinstance(f, ast.FunctionDef)):
        body = function.body[1:] if ast.get_docstring(function) else function.body
        if body:
            bodies.append("".join(lines[body[0].lineno - 1: body[-1].end_lineno]))
    return [body for body in bodies if body not in stub]


def outputs(cell) -> str:
    """Everything a cell showed, as text (the text/plain of rich output, the streams)."""
    return "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in cell.outputs)


def run(notebook, kernel_name, cwd):
    nbclient.NotebookClient(notebook, kernel_name=kernel_name, timeout=180,
                            resources={"metadata": {"path": str(cwd)}}).execute()


@pytest.mark.parametrize("exercise_id", list(catalog()))
def test_the_notebook_has_the_stub_and_never_the_reference(exercise_id):
    notebook = build_notebook(get(exercise_id))
    stub_cell = notebook.cells[3].source
    for name in get(exercise_id).functions:
        assert f"def {name}(" in stub_cell or f"class {name}" in stub_cell
    compile(stub_cell, "stub", "exec")
    text = json.dumps(notebook)
    bodies = reference_bodies(exercise_id)
    assert bodies
    assert not [body for body in bodies if json.dumps(body)[1:-1] in text]


def test_fetch_notebook_never_destroys_work(tmp_path):
    assert dlx("fetch", "affine", "--notebook", "--dir", str(tmp_path)).exit_code == 0
    path = tmp_path / "affine.ipynb"
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    sources = [c.source for c in notebook.cells if c.cell_type == "code"]
    assert any("def affine_forward" in s and "NotImplementedError" in s for s in sources)
    assert "%dlx check affine" in sources and "%dlx submit affine" in sources
    path.write_text("my work")
    again = dlx("fetch", "affine", "--notebook", "--dir", str(tmp_path))
    assert again.exit_code == 2 and "untouched" in again.output and path.read_text() == "my work"
    assert dlx("fetch", "affine", "--notebook", "--dir", str(tmp_path), "--force").exit_code == 0
    backups = list(tmp_path.glob("affine.ipynb.bak-*"))
    assert len(backups) == 1 and backups[0].read_text() == "my work"


def test_a_wrong_answer_then_a_right_one_in_a_real_kernel(tmp_path, kernel):
    assert dlx("fetch", "affine", "--notebook", "--dir", str(tmp_path)).exit_code == 0
    fetched = (tmp_path / "affine.ipynb").read_text()
    assert not [body for body in reference_bodies("affine") if json.dumps(body)[1:-1] in fetched]
    notebook = nbformat.read(tmp_path / "affine.ipynb", as_version=4)
    fetched_cells = len(notebook.cells)
    new = nbformat.v4.new_code_cell
    added = {  # after the fetched cells, in this order
        # the stub as fetched is the wrong answer; then the reference, redefined in a later cell, is the right one
        "right answer": reference_text("affine"),
        # grading happens in a new process: what the kernel changes (here a dlx module) never reaches it
        "kernel state": "import grader.runner\ngrader.runner.grade_source = None",
        "right": "%dlx submit affine",
        "score": "%dlx score",
        "hint": "%dlx hint affine",
        "plots": "%dlx check affine --plots",
        "unknown": "%dlx submit nope",
        # a function redefined in a later cell wins, as it does in the kernel
        "redefinition": "def affine_forward(x, w, b):\n    raise NotImplementedError",
        "redefined": "%dlx check affine",
    }
    notebook.cells += [new(source) for source in added.values()]
    notebook.cells.insert(3, new("%dlx check affine"))  # before the student's cell has run
    run(notebook, kernel, tmp_path)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert not any(o.output_type == "error" for c in code for o in c.outputs)
    cell = dict(zip(added, notebook.cells[fetched_cells + 1:]))
    too_early = outputs(code[1])
    assert too_early.startswith("dlx: ") and "not defined in this kernel" in too_early
    assert too_early.count("\n") == 1 and "Traceback" not in too_early
    check, wrong = outputs(code[3]), outputs(code[4])
    assert "0/2 visible tests passed" in check and "not implemented yet" in check
    assert "score 0/10" in wrong and "Recorded" in wrong
    assert "score 10/10" in outputs(cell["right"]) and "Best so far: 10/10" in outputs(cell["right"])
    assert "affine" in outputs(cell["score"]) and "total" in outputs(cell["score"])
    assert "Hint 1 of 3" in outputs(cell["hint"])
    unknown = outputs(cell["unknown"])
    assert unknown.startswith("dlx: unknown exercise 'nope'") and unknown.count("\n") == 1
    redefined = outputs(cell["redefined"])
    assert "affine_forward is not implemented yet" in redefined and "0/2 visible tests passed" in redefined
    if importlib.util.find_spec("matplotlib"):  # the pictures, inline (PNG outputs), where the plots extra is installed
        assert [o for o in cell["plots"].outputs if "image/png" in o.get("data", {})]
        assert "2/2 visible tests passed" in outputs(cell["plots"])
    rich = [o for o in cell["right"].outputs if o.output_type == "display_data"]
    assert rich and "text/html" in rich[0].data  # rich output where the frontend shows HTML
    with Gradebook() as book:
        attempts = list(book.attempts("exercise", "affine"))
    assert [a["score"] for a in attempts] == [0, 10]


def test_plain_ipython_terminal(tmp_path):
    """In a terminal IPython, the magic prints text; a function defined in the same cell as `%dlx` is graded."""
    plots = "%dlx check affine --plots\n" if importlib.util.find_spec("matplotlib") else ""
    cell = reference_text("affine") + "\n%load_ext dlx\n%dlx submit affine\n%dlx score\n" + plots
    env = {**os.environ, "COLUMNS": "120", "IPYTHONDIR": str(tmp_path / "ipython")}
    done = subprocess.run([sys.executable, "-m", "IPython", "--no-banner", "--colors=NoColor", "-c", cell],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert "score 10/10" in done.stdout and "dlx progress" in done.stdout
    assert "<" not in done.stdout.split("score 10/10")[0]  # text, not HTML
    if plots:  # no images in a terminal: the CLI's report, beside the working folder
        assert "Pictures:" in done.stdout and (tmp_path / "affine_plots.html").is_file()
    with Gradebook() as book:
        assert [a["score"] for a in book.attempts("exercise", "affine")] == [10]


def test_logged_in_to_a_course_submit_goes_to_the_course_server(tmp_path, monkeypatch):
    """`%dlx submit` in course mode is `dlx submit`'s course path; `--offline` records locally."""
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    from tests.course_server import CourseServer, Person, set_clock

    (tmp_path / "course.toml").write_text(
        '[course]\nname = "Notebook course"\n\n[[assignment]]\nid = "hw1"\nexercises = ["affine"]\n'
        "opens = 2026-01-01T00:00:00Z\ndue = 2026-03-01T12:00:00Z\n")
    set_clock(tmp_path / "clock", "2026-02-01T09:00:00+00:00")
    server = CourseServer(tmp_path / "course.toml", tmp_path / "data", tmp_path / "clock").start()
    try:
        instructor = Person(tmp_path / "instructor", tmp_path / "instructor-work")
        instructor.dlx("login", server.url, "--code", server.instructor_code)
        (tmp_path / "roster.csv").write_text("login,name\nalice,Alice\n")
        instructor.dlx("course", "roster", "import", str(tmp_path / "roster.csv"),
                       "--codes", str(tmp_path / "codes.csv"))
        code = (tmp_path / "codes.csv").read_text().splitlines()[1].split(",")[-1]
        alice = Person(tmp_path / "alice", tmp_path / "alice-work")
        alice.dlx("login", server.url, "--code", code)
        cell = reference_text("affine") + "\n%load_ext dlx\n%dlx submit affine\n%dlx score\n%dlx submit affine --offline\n"
        env = {**os.environ, "DLX_HOME": str(alice.home), "COLUMNS": "200", "IPYTHONDIR": str(tmp_path / "ipython")}
        done = subprocess.run([sys.executable, "-m", "IPython", "--no-banner", "--colors=NoColor", "-c", cell],
                              cwd=alice.workdir, env=env, capture_output=True, text=True, timeout=300)
    finally:
        server.stop()
    assert "Received by the course" in done.stdout and "Recorded by the course" in done.stdout, done.stderr
    assert "course record of alice" in done.stdout
    assert done.stdout.count("affine: score 10/10") == 2 and "Best so far: 10/10" in done.stdout
    monkeypatch.setenv("DLX_HOME", str(alice.home))
    with Gradebook() as book:  # only the --offline attempt is in the local gradebook
        assert [a["score"] for a in book.attempts("exercise", "affine")] == [10]
