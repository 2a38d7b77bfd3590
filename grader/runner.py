"""Grade one source file against one exercise's suite: the sandbox, pytest and the plugin together."""
from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import sys
import time
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterator

from . import TORCH_VERSION
from .catalog import Exercise
from .errors import DlxError, GradingError
from .i18n import _
from .intake import read_submission
from .proxy import RemoteModule
from .results import GradeResult, TestResult
from .paths import hidden_from_workers
from .sandbox.spec import Limits, WorkerSpec
from .startup import heavy_imports

PYTEST_INI = Path(__file__).with_name("pytest.ini")
# pytest plugins a grading run does not need; unraisableexception alone costs ~40 ms a failed test in gc.collect.
# Without "assertion" nothing is rewritten (as --assert=plain); the suites use none of the others' fixtures
# (tmp_path, monkeypatch, recwarn, ...). "terminal" stays: its --tb=no spares formatting every failure's traceback
# with the source of each frame (seconds for a file that does not load: each test re-raises its load error).
UNUSED_PLUGINS = ("cacheprovider", "stepwise", "unraisableexception", "threadexception", "logging", "junitxml",
                  "doctest", "pastebin", "faulthandler", "lsof", "unittest", "legacypath", "tmpdir", "monkeypatch",
                  "recwarn", "setuponly", "setupplan", "subtests", "warnings", "debugging", "reports", "assertion")
TORCH_PRELOAD = ("torch", "torch.nn", "torch.nn.functional", "torch.optim", "torch.autograd",
                 "torch._dynamo")  # torch.optim imports it lazily at the first step: load it before the guard


def new_seed() -> int:
    """A fresh per-attempt seed."""
    import secrets  # with hashlib and OpenSSL: loaded while the worker starts, not before

    return secrets.randbelow(2**31)


@lru_cache(maxsize=None)
def load_reference(path: str) -> ModuleType | None:
    """The reference as a module of the grading process (trusted code)."""
    if not Path(path).is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"dlx_reference_{Path(path).stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def worker_spec(exercise: Exercise, source: str, limits: Limits | None = None) -> WorkerSpec:
    """How a worker for this exercise is set up: torch (and its builders) only for the PyTorch exercises."""
    spec = WorkerSpec(source=source, filename=exercise.filename, module=exercise.id,
                      limits=limits or Limits(**exercise.limits), hide=hidden_from_workers())
    if exercise.requires == "torch":
        spec.blocked_imports = ("jax", "tensorflow", "autograd")
        spec.preload = spec.preload + TORCH_PRELOAD
        spec.builders = ("numpy", "torch")
    return spec


@contextlib.contextmanager
def _quiet_pytest_env() -> Iterator[None]:
    """No user plugins or options reach the grading run; nothing it prints reaches the terminal."""
    saved = {k: os.environ.get(k) for k in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD")}
    os.environ.pop("PYTEST_ADDOPTS", None)
    os.environ.pop("PYTEST_PLUGINS", None)
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class _CtrlC:
    """Notes a Ctrl-C inside pytest (whose INTERRUPTED exit code also stands for a suite that cannot be collected)."""

    pressed = False

    def pytest_keyboard_interrupt(self, excinfo: Any) -> None:
        import pytest

        # pytest raises Session.Interrupted (a KeyboardInterrupt) itself when a suite fails to collect
        self.pressed = not isinstance(excinfo.value, (pytest.Session.Interrupted, pytest.Session.Failed))


def run_tests(tests_file: Path, submission: RemoteModule | None, reference: ModuleType | RemoteModule | None,
              seed: int, *, collect_only: bool = False) -> list[TestResult]:
    """Run (or only collect) one pytest file (a hidden suite or the visible tests) with the grading plugin;
    one result per test, in order."""
    with heavy_imports():  # here, not at start-up: the worker started by grade_source boots meanwhile
        import pytest

        from .plugin import GradingPlugin

    plugin = GradingPlugin(submission, reference, seed)
    # no conftest.py is read, and the file's folder is the only one pytest lists
    folder = str(tests_file.parent)
    args = [str(tests_file), "-c", str(PYTEST_INI), "--rootdir", folder, "--confcutdir", folder, "--noconftest",
            "--tb=no", "--import-mode=importlib", "-q", "-s", "--no-header",
            *(arg for name in UNUSED_PLUGINS for arg in ("-p", f"no:{name}"))]
    if collect_only:
        args.append("--collect-only")
    if not (tests_file.parent / "__init__.py").exists():
        sys.modules.pop(tests_file.stem, None)  # every exercise's visible tests are a `test_visible` module
    ctrl_c = _CtrlC()
    with _quiet_pytest_env():
        code = pytest.main(args, plugins=[plugin, ctrl_c])
    if ctrl_c.pressed:
        raise KeyboardInterrupt  # pytest stopped; no partial result may be recorded
    results = plugin.collected()
    if not results:
        raise GradingError(_("the test suite {suite} could not be run (pytest exit code {code})").format(
            suite=tests_file.name, code=int(code)))
    return results


def collect_tests(exercise: Exercise) -> list[TestResult]:
    """The hidden suite's tests (id, name, points) without running them."""
    return run_tests(exercise.suite, None, None, 0, collect_only=True)


def _require_torch(exercise: Exercise) -> None:
    if exercise.requires == "torch" and importlib.util.find_spec("torch") is None:
        raise GradingError(_("{id} is a PyTorch exercise and PyTorch is not installed; install the CPU build with: "
                             "pip install torch=={version}").format(id=exercise.id, version=TORCH_VERSION))


@contextlib.contextmanager
def _reference_for(exercise: Exercise) -> Iterator[Any]:
    """The reference: a module of the grading process, or, for PyTorch exercises, a sandboxed worker.

    The grading process never imports torch: a PyTorch reference runs in a
    worker of its own, called exactly like the student's.
    """
    if exercise.requires != "torch":
        yield load_reference(str(exercise.reference))
        return
    source = exercise.reference.read_text(encoding="utf-8")
    with RemoteModule(worker_spec(exercise, source), f"the reference {exercise.filename}") as reference:
        yield reference


def grade_source(exercise: Exercise, source: str, seed: int | None = None, *, visible: bool = False,
                 limits: Limits | None = None, meanwhile: Callable[[], object] | None = None) -> GradeResult:
    """Grade ``source`` (the text of the student's file) against the hidden or the visible tests.

    ``meanwhile`` runs while the worker starts, e.g. loading what will show the result.
    """
    start = time.perf_counter()
    tests_file = exercise.visible_tests if visible else exercise.suite
    if not tests_file.is_file():
        missing = _("no visible tests for {id} in this installation") if visible else _(
            "no hidden suite for {id} in this installation")
        raise GradingError(missing.format(id=exercise.id))
    _require_torch(exercise)
    with RemoteModule(worker_spec(exercise, source, limits), exercise.filename) as submission, \
            _reference_for(exercise) as reference:
        seed = new_seed() if seed is None else seed  # the worker is starting meanwhile
        if meanwhile is not None:
            meanwhile()
        tests = run_tests(tests_file, submission, reference, seed)
    output = "".join(submission.output)
    return GradeResult(exercise.id, seed, tests, time.perf_counter() - start, output)


def read_source(path: Path, folder: Path | None = None) -> str:
    """The text of a student's file (see :mod:`grader.intake`), or a one-line :class:`GradingError`."""
    try:
        return read_submission(path, folder)
    except DlxError as exc:
        raise GradingError(str(exc)) from None


def grade_file(exercise: Exercise, path: Path, seed: int | None = None, *, visible: bool = False) -> GradeResult:
    """Grade the file at ``path``."""
    return grade_source(exercise, read_source(path), seed, visible=visible)


if __name__ == "__main__":  # pragma: no cover - a debugging aid
    from .catalog import get

    print(grade_file(get(sys.argv[1]), Path(sys.argv[2])).to_json())
