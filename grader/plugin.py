"""The pytest plugin that runs a suite against one submission and records points and feedback."""
from __future__ import annotations

import zlib
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from .i18n import _
from .proxy import RemoteModule, SandboxError
from .results import TestResult
from .checks import Feedback


class GradingPlugin:
    """Gives suites their fixtures and turns each test's outcome into a :class:`TestResult`."""

    def __init__(self, submission: RemoteModule | None, reference: ModuleType | RemoteModule | None, seed: int):
        self._submission, self._reference, self._seed = submission, reference, seed
        self.results: dict[str, TestResult] = {}
        self.order: list[str] = []

    # -- fixtures -----------------------------------------------------------------
    @pytest.fixture
    def submission(self) -> RemoteModule:
        """The student's module, running in the sandbox."""
        if self._submission is None:
            raise RuntimeError("no submission to grade")
        return self._submission

    @pytest.fixture
    def reference(self) -> ModuleType | RemoteModule:
        """The reference: a module of the grading process (a sandboxed proxy for PyTorch exercises)."""
        if self._reference is None:
            raise RuntimeError("this exercise has no reference installed")
        return self._reference

    @pytest.fixture
    def seed(self) -> int:
        return self._seed

    @pytest.fixture
    def rng(self, request: pytest.FixtureRequest) -> np.random.Generator:
        """Inputs for this test: the attempt's seed mixed with the test's id, so neither order nor names matter."""
        return np.random.default_rng([self._seed, zlib.crc32(stable_id(request.node).encode())])

    # -- hooks ----------------------------------------------------------------------
    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "points(n, id): the points a test is worth and its stable id")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            marker = item.get_closest_marker("points")
            max_score = float(marker.args[0]) if marker else 1.0
            function = getattr(item, "function", None)
            doc = (function.__doc__ or "").strip().splitlines() if function is not None else []
            name = doc[0].strip() if doc else item.name
            self.results[item.nodeid] = TestResult(name, 0.0, max_score, "failed", "not run",
                                                   test_id=stable_id(item))
            self.order.append(item.nodeid)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> Any:
        outcome = yield
        report = outcome.get_result()
        result = self.results.get(item.nodeid)
        if result is None:
            return
        if report.when == "call" and report.passed:
            result.score, result.status, result.output = result.max_score, "passed", ""
        elif report.failed and (report.when == "call" or result.output == "not run"):
            result.score, result.status = 0.0, "failed"
            result.output = describe_failure(call.excinfo)

    def collected(self) -> list[TestResult]:
        return [self.results[n] for n in self.order]


def stable_id(item: pytest.Item) -> str:
    """The test's stable id: the ``id`` of its points marker (else its function's name without ``test_``),
    with the parameters of a parametrised test, e.g. ``dx`` or ``shape[2-3]``."""
    marker = item.get_closest_marker("points")
    function = getattr(item, "originalname", None) or item.name.partition("[")[0]
    base = marker.kwargs.get("id") if marker is not None else None
    base = base or function.removeprefix("test_")
    callspec = getattr(item, "callspec", None)
    return f"{base}[{callspec.id}]" if callspec is not None else base


def describe_failure(excinfo: pytest.ExceptionInfo | None) -> str:
    """The student-facing message for a failed test; never the suite's code."""
    if excinfo is None:
        return _("failed")
    exc = excinfo.value
    if isinstance(exc, (Feedback, SandboxError)):
        return str(exc)
    if isinstance(exc, AssertionError):
        return str(exc) or _("a check failed")
    return _("your result could not be checked ({error}); check the types and shapes you return").format(
        error=f"{type(exc).__name__}: {exc}")
