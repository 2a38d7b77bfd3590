"""Instant start: the CLI loads only what a command needs (timings are in benchmarks/bench_cli.py, not here)."""
import json
import os
import subprocess
import sys

import pytest

from grader.cli import main

HEAVY = ("numpy", "pytest", "rich", "grader.runner", "grader.sandbox.client",
         "urllib.request", "grader.cli_course", "hashlib")  # urllib: only a logged-in student talks to a course
PARSING = ("tomllib",)  # the catalogue comes from its cache once a command has built it
PROBE = """
import json, sys
from {module} import main
sys.argv[1:] = {args!r}
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)), file=sys.stderr)
"""


def loaded(module: str, args: list[str], heavy: tuple[str, ...], home) -> list[str]:
    """Which of ``heavy`` a run of ``dlx args`` through ``module``'s main imported."""
    result = subprocess.run([sys.executable, "-c", PROBE.format(module=module, args=args, heavy=heavy)],
                            capture_output=True, text=True, env={**os.environ, "DLX_HOME": str(home)}, timeout=60)
    return json.loads(result.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [["--version"], ["list"], ["list", "--json"], ["hint", "affine"],
                                  ["--lang", "zh", "list"], ["config", "lang"]])
def test_light_commands_import_nothing_heavy(tmp_path, args):
    first = loaded("grader.cli", args, HEAVY, tmp_path)
    allowed = {"rich"} if args[0] == "hint" else set()  # hints are printed with rich markup
    assert set(first) <= allowed, f"`dlx {' '.join(args)}` imported {first}"
    again = loaded("grader.cli", args, HEAVY + PARSING, tmp_path)
    assert set(again) <= allowed, f"`dlx {' '.join(args)}` imported {again} with the catalogue cached"


def test_the_version_and_a_bare_list_need_not_even_click(tmp_path, capsys):
    assert loaded("grader.launch", ["--version"], ("click", "grader.cli"), tmp_path) == []
    assert loaded("grader.launch", ["list"], ("click", "grader.cli", *HEAVY), tmp_path) == []
    launched = subprocess.run([sys.executable, "-c", "from grader.launch import main; main()", "--version"],
                              capture_output=True, text=True, timeout=60)
    with pytest.raises(SystemExit):
        main(["--version"])
    assert launched.returncode == 0 and launched.stdout == capsys.readouterr().out  # word for word click's


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("args", [["list"], ["--lang", "zh", "list", "--json"], ["nonsense"]])
def test_the_program_runs_the_cli_otherwise(tmp_path, args, lang):
    """The same output, by the CLI or by the program (whose bare `dlx list` is printed before click loads)."""
    env = {**os.environ, "DLX_HOME": str(tmp_path), "DLX_LANG": lang}
    launched, direct = (subprocess.run([sys.executable, "-c", f"from {module} import main; main()", *args],
                                       capture_output=True, text=True, env=env, timeout=60)
                        for module in ("grader.launch", "grader.cli"))
    assert (launched.returncode, launched.stdout, launched.stderr) == (direct.returncode, direct.stdout, direct.stderr)


def test_what_shows_the_result_loads_while_the_worker_starts(monkeypatch):
    """`meanwhile` runs once, after the worker is spawned and before the suite (and so the first call) runs."""
    import grader.runner as runner
    from grader.catalog import get

    events = []
    spawn = runner.RemoteModule.start
    monkeypatch.setattr(runner.RemoteModule, "start", lambda self: (events.append("spawn"), spawn(self))[1])
    suite = runner.run_tests
    monkeypatch.setattr(runner, "run_tests", lambda *a, **k: (events.append("suite"), suite(*a, **k))[1])
    exercise = get("affine")
    result = runner.grade_source(exercise, exercise.reference.read_text(), 5, meanwhile=lambda: events.append("meanwhile"))
    assert result.score == result.max_score
    assert events == ["spawn", "meanwhile", "suite"]


def test_failures_are_recorded_without_formatting_tracebacks(monkeypatch):
    """pytest never looks up the source of a failed test's frames (--tb=no): a file that does not load fails
    every test with the same, ever longer, traceback."""
    import _pytest._code.source as source

    import grader.runner as runner
    from grader.catalog import get

    looked_up = []
    lookup = source.getstatementrange_ast
    monkeypatch.setattr(source, "getstatementrange_ast", lambda *a, **k: (looked_up.append(a), lookup(*a, **k))[1])
    exercise = get("affine")
    result = runner.grade_source(exercise, exercise.reference.read_text().replace("):", ")", 1), 5)
    assert result.score == 0 and all(t.status == "failed" for t in result.tests)
    assert looked_up == []


@pytest.mark.parametrize("chosen", [{}, {"OPENBLAS_NUM_THREADS": "3"}, {"OMP_NUM_THREADS": "2"}])
def test_the_program_runs_blas_in_one_thread_unless_the_user_chose(monkeypatch, chosen):
    from grader.startup import BLAS_THREADS, one_blas_thread

    for name in BLAS_THREADS:
        monkeypatch.delenv(name, raising=False)
    for name, value in chosen.items():
        monkeypatch.setenv(name, value)
    one_blas_thread()
    assert {name: os.environ[name] for name in BLAS_THREADS if name in os.environ} == (chosen or {"OPENBLAS_NUM_THREADS": "1"})
