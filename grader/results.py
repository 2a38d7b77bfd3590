"""Grading results, shaped like Gradescope's results.json."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from . import __version__


@dataclass
class TestResult:
    """One test: its points and what the student should read."""

    name: str
    score: float
    max_score: float
    status: str  # "passed" or "failed"
    output: str = ""
    visibility: str = "visible"
    test_id: str = ""  # the test's stable id in its suite, e.g. "dx"; "id" in the JSON

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass
class GradeResult:
    """A graded attempt of one exercise."""

    exercise: str
    seed: int
    tests: list[TestResult] = field(default_factory=list)
    duration_s: float = 0.0
    output: str = ""
    dlx_version: str = __version__

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 6)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests), 6)

    def to_json(self) -> dict[str, Any]:
        """Gradescope's results.json fields plus dlx's own."""
        return {
            "score": self.score,
            "max_score": self.max_score,
            "exercise": self.exercise,
            "seed": self.seed,
            "duration_s": round(self.duration_s, 4),
            "dlx_version": self.dlx_version,
            "output": self.output,
            "tests": [
                {"id": t.test_id, **{k: v for k, v in asdict(t).items() if k != "test_id"}} for t in self.tests
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "GradeResult":
        tests = [TestResult(**{k: v for k, v in t.items() if k in TestResult.__dataclass_fields__},
                            test_id=t.get("id", ""))
                 for t in data.get("tests", [])]
        return cls(data["exercise"], data["seed"], tests, data.get("duration_s", 0.0), data.get("output", ""),
                   data.get("dlx_version", __version__))
