"""Grading results, shaped like Gradescope's results.json: one type for exercises and quizzes.

A :class:`GradeResult` is one graded attempt at one item. An exercise's tests are its
suite's tests (:class:`TestResult`); a quiz (:class:`QuizResult`) is a ``GradeResult``
whose tests are its questions (:class:`QuestionResult`). Every front end (the CLI, the
gradebook, batch grading, Gradescope, nbgrader, the course server) passes these objects
around and turns them into JSON only at its edge, with ``to_json``; ``GradeResult.from_json``
reads back either kind, including what older versions of dlx stored.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from . import __version__


@dataclass
class TestResult:
    """One test: its points and what the student should read."""

    __test__ = False  # not a pytest test class, although its name starts with "Test"

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

    def to_json(self) -> dict[str, Any]:
        """A Gradescope test entry plus ``id``; subclasses add their own fields."""
        return {"id": self.test_id, **{f.name: getattr(self, f.name) for f in fields(self) if f.name != "test_id"}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "TestResult":
        known = {f.name for f in fields(cls)} - {"test_id"}
        return cls(**{k: v for k, v in data.items() if k in known}, test_id=data.get("id", ""))


@dataclass
class QuestionResult(TestResult):
    """One graded quiz answer: a test whose id and name are the question's id."""

    kind: str = ""  # "single", "multiple" or "numeric"
    outcome: str = ""  # "correct", "partial", "wrong", "unanswered" or "malformed"
    given: Any = None  # the canonical answer (a letter, a list of letters, a number), or a brief malformed one
    verdict: str = ""  # what the student may always see: "wrong: you answered b"
    expected: Any = None  # one letter, a list of letters, or a number
    explanation: str = ""

    @property
    def correct(self) -> bool:
        return self.outcome == "correct"


@dataclass
class GradeResult:
    """A graded attempt at one exercise (``item`` is its id): the tests, and what the student's code printed."""

    kind: ClassVar[str] = "exercise"  # the gradebook's kind of item
    test_type: ClassVar[type[TestResult]] = TestResult

    item: str
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
            "exercise": self.item,
            "seed": self.seed,
            "duration_s": round(self.duration_s, 4),
            "dlx_version": self.dlx_version,
            "output": self.output,
            "tests": [t.to_json() for t in self.tests],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "GradeResult":
        """Either kind of result from its JSON (a quiz's says ``"kind": "quiz"``)."""
        if cls is GradeResult and data.get("kind") == QuizResult.kind:
            return QuizResult.from_json(data)
        tests = [cls.test_type.from_json(t) for t in data.get("tests", [])]
        return cls(data["exercise"], data["seed"], tests, data.get("duration_s", 0.0), data.get("output", ""),
                   data.get("dlx_version", __version__))


@dataclass
class QuizResult(GradeResult):
    """A graded attempt at one quiz bank (``item`` is its id): one :class:`QuestionResult` per question.

    A quiz runs no code: its ``duration_s`` and ``output`` stay empty and its JSON leaves them out.
    """

    kind: ClassVar[str] = "quiz"
    test_type: ClassVar[type[TestResult]] = QuestionResult

    tests: list[QuestionResult] = field(default_factory=list)  # type: ignore[assignment]
    title: str = ""
    ignored: list[str] = field(default_factory=list)  # answers to questions the bank does not have

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "bank": self.item, "title": self.title, "seed": self.seed, "score": self.score,
                "max_score": self.max_score, "dlx_version": self.dlx_version, "ignored": list(self.ignored),
                "tests": [t.to_json() for t in self.tests]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "QuizResult":
        tests = [QuestionResult.from_json(t) for t in data.get("tests", [])]
        return cls(data["bank"], data["seed"], tests, dlx_version=data.get("dlx_version", __version__),  # type: ignore[arg-type]
                   title=data.get("title", ""), ignored=list(data.get("ignored", [])))
