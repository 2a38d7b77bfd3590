"""The student's module as the hidden suite sees it: a :class:`RemoteModule`, a handle on a sandboxed worker.

``submission.affine_forward(x, w, b)`` runs the student's function in the worker
and returns plain data (numbers, strings, lists, tuples, dicts, numeric NumPy
arrays).  Anything else stays in the worker and comes back as a
:class:`RemoteObject` handle that can be passed back, called, or asked for
attributes.  Failures in the student's code raise :class:`SandboxError`
subclasses whose message is written for the student.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .i18n import N_, _, translate_filled
from .sandbox.client import WorkerProcess
from .sandbox.errors import (
    SandboxError, StudentBadValue, StudentCrash, StudentException, StudentLoadError, StudentMissing, StudentTimeout,
)
from .sandbox.protocol import CALL, COLLECT, GETATTR, MAKE, MAP, MISSING, PROTOCOL, RETURN
from .sandbox.spec import WorkerSpec

FORWARD_CALLS_KEPT = 8

__all__ = ["RemoteModule", "RemoteObject", "TrustedFunction", "SandboxError", "StudentException",
           "StudentMissing", "StudentLoadError", "StudentTimeout", "StudentCrash", "StudentBadValue"]


LOADING = N_("loading your file")
# The worker's refusals (grader/sandbox/guard.py, trusted_torch.py): English there, translated here where shown.
REFUSALS = (
    N_("dlx: {module} may not be used in this exercise (hand-written means hand-written)"),
    N_("dlx: graded code may not read the grader's files ({path})"),
    N_("dlx: graded code may only write inside its working directory, not {path}"),
    N_("dlx: graded code may only change files inside its working directory, not {path}"),
    N_("dlx: graded code may not start or signal processes"),
    N_("dlx: graded code has no network access"),
    N_("dlx: graded code may not use {module} ({event})"),
    N_("dlx: graded code may not change the grader's hook"),
    N_("dlx: {label} may not be used here: compute the gradient by hand"),
)
# What grader/sandbox/trusted_torch.py reports of a student's Function or model: translated where a suite shows it.
REPORTS = (
    N_("torch.enable_grad() to build an autograd graph inside backward"),
    N_("train_classifier should return a torch.nn.Module; it returned {what}"),
    N_("the model returned {what} for a batch of inputs, not a tensor of logits"),
    N_("a tensor of shape {shape} and dtype {dtype}"),
    N_("a {kind} of {n} items"),
    N_("a {kind}"),
)


def refusal(message: str) -> str:
    """``message`` in the student's language when it is one of the sandbox's :data:`REFUSALS`."""
    return translate_filled(message, REFUSALS)


def reported(message: str) -> str:
    """``message`` in the student's language when it is one of trusted_torch.py's :data:`REPORTS`."""
    return translate_filled(message, REPORTS)


@dataclass
class CallInfo:
    """What the worker observed during the last call."""

    function: str = ""
    warnings: list[str] = field(default_factory=list)
    mutated: list[Any] = field(default_factory=list)
    global_random: bool = False  # the call changed NumPy's or Python's global random state


@dataclass(frozen=True)
class TrustedFunction:
    """A grader-provided function, built inside the worker from ``grader/sandbox/trusted.py``."""

    name: str
    params: dict = field(default_factory=dict)


class RemoteObject:
    """A handle to an object that lives in the worker."""

    def __init__(self, submission: "RemoteModule", hid: int, type_name: str, is_callable: bool, generation: int):
        self._submission, self._hid, self.type_name = submission, hid, type_name
        self.is_callable, self._generation = is_callable, generation

    def get(self, name: str) -> Any:
        """The attribute ``name`` of the remote object (plain data or another handle)."""
        return self._submission.remote_getattr(self, name)

    def method(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call the method ``name`` on the remote object."""
        return self._submission.call(self.get(name), *args, label=f"{self.type_name}.{name}", **kwargs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._submission.call(self, *args, label=self.type_name, **kwargs)

    def __repr__(self) -> str:
        return f"<{self.type_name} in the sandbox>"


class RemoteModule:
    """Calls into one student file, restarting the worker after a crash, within a time budget.

    The suites know it as the ``submission`` fixture (and, for PyTorch exercises, ``reference``).
    """

    def __init__(self, spec: WorkerSpec, display_name: str):
        self.spec, self.display_name = spec, display_name
        self.limits = spec.limits
        self.last = CallInfo()
        self.output: list[str] = []
        self.forward_calls: dict[str, list[tuple[tuple, Any]]] = {}  # see _record_forward
        self._worker: WorkerProcess | None = None
        self._loaded: dict | None = None
        self._generation = 0
        self._restarts = 0
        self._timeouts = 0
        self._used_s = 0.0
        self._fatal: SandboxError | None = None
        self.start()

    # -- life cycle -------------------------------------------------------------
    def start(self) -> None:
        """Start a worker now (its start-up overlaps with whatever the caller does next)."""
        if self._worker is None:
            self._worker = WorkerProcess(self.spec)
            self._generation += 1
            self._loaded = None

    def _ready(self) -> WorkerProcess:
        if self._fatal is not None:
            raise self._fatal
        if self._worker is None or not self._worker.alive:
            if self._worker is not None:
                self.close()
                self._restarts += 1
                if self._restarts > self.limits.max_restarts:
                    self._fatal = StudentCrash(_("not run: your code already crashed {n} times").format(
                        n=self._restarts - 1))
                    raise self._fatal
            self.start()
        assert self._worker is not None
        if self._loaded is None:
            self._loaded = self._timed(lambda w, t: w.reply(t), what=LOADING)
            if not self._loaded["ok"]:
                self._fatal = StudentLoadError(self._load_message(self._loaded.get("e")))
                raise self._fatal
        return self._worker

    def _retire(self) -> None:
        if self._worker is not None:
            self._worker.close()
            text = self._worker.tap.text()
            if text:
                self.output.append(text)

    def close(self) -> None:
        """Stop the worker; keep what it printed in :attr:`output`."""
        self._retire()
        self._worker = None

    def __enter__(self) -> "RemoteModule":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- calls ------------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return _RemoteFunction(self, name)

    def call(self, target: Any, *args: Any, label: str | None = None, **kwargs: Any) -> Any:
        """Call ``target`` (a function name or a handle) with plain data or handles."""
        ref = _Ref({"N": target}) if isinstance(target, str) else target
        label = label or (target if isinstance(target, str) else getattr(target, "type_name", "function"))
        result = self._request({"op": CALL, "f": ref, "a": list(args), "k": kwargs}, label)
        if isinstance(target, str) and target.endswith("_forward") and not kwargs:
            self._record_forward(target, args, result)
        return result

    def _record_forward(self, name: str, args: tuple, result: Any) -> None:
        """Keep the first calls of each layer's forward, so that a later check can make them again and judge
        the forward over the whole run (``grader.checks.forward_right_in_run``)."""
        calls = self.forward_calls.setdefault(name, [])
        plain = not any(isinstance(a, (RemoteObject, _Ref, TrustedFunction)) for a in args)
        if plain and len(calls) < FORWARD_CALLS_KEPT:
            calls.append((copy.deepcopy(args), result))

    def map(self, name: str, argsets: list[tuple]) -> list:
        """Call the student's ``name`` once per argument tuple, in one round trip."""
        return self._request({"op": MAP, "f": _Ref({"N": name}), "argsets": [list(a) for a in argsets]}, name)

    def collect(self, iterable: "RemoteObject", limit: int) -> list:
        """Up to ``limit`` items of a remote iterable (e.g. a generator), in one round trip.

        Fewer than ``limit`` items means the iterable ended; ask for more than you expect.
        """
        return list(self._request({"op": COLLECT, "o": iterable, "n": limit}, iterable.type_name))

    def op(self, name: str, *args: Any) -> Any:
        """Apply a Python operator (``add``, ``mul``, ``neg``, ...) in the worker."""
        return self._request({"op": CALL, "f": _Ref({"O": name}), "a": list(args), "k": {}},
                             _("operator {name}").format(name=name))

    def name(self, name: str) -> "_Ref":
        """A reference to ``name`` in the student's module, to pass as an argument (e.g. a class)."""
        return _Ref({"N": name})

    def make(self, trusted: TrustedFunction) -> "RemoteObject":
        """Build a grader-provided object in the worker and keep it there as a handle."""
        return self._request({"op": MAKE, "f": trusted}, trusted.name)

    def remote_getattr(self, obj: RemoteObject, name: str) -> Any:
        return self._request({"op": GETATTR, "o": obj, "n": name}, f"{obj.type_name}.{name}")

    def _request(self, message: dict, label: str) -> Any:
        self._ready()
        generation = self._generation

        def encode_other(value: Any) -> dict:
            if isinstance(value, RemoteObject):
                if value._generation != generation:
                    raise StudentCrash(_("an object from before a crash of your code can no longer be used"))
                return {"H": value._hid}
            if isinstance(value, TrustedFunction):
                return {"F": value.name, "p": value.params}
            if isinstance(value, _Ref):
                return value.tree
            raise TypeError(f"cannot send {type(value).__name__} to the worker")

        def decode_handle(tree: dict) -> RemoteObject:
            return RemoteObject(self, int(tree["H"]), _text(tree.get("t", "object"), 60), bool(tree.get("c")),
                                generation)

        reply = self._timed(lambda w, t: w.request(message, t, encode_other, decode_handle), what=label)
        if not reply["ok"]:
            raise self._error(reply.get("e"), label)
        self.last = CallInfo(label, [_text(w, 300) for w in _items(reply.get("w"))[:20]],
                             [m if isinstance(m, int) else _text(m, 100) for m in _items(reply.get("mut"))[:50]],
                             reply.get("rnd") is True)
        return reply.get("v")

    def _timed(self, action: Any, what: str) -> Any:
        """Run ``action(worker, cpu_seconds)`` within the call's and the submission's CPU budgets."""
        assert self._worker is not None
        shown = _(LOADING) if what == LOADING else what
        left = self.limits.total_timeout_s - self._used_s
        if left <= 0:
            self._fatal = StudentTimeout(_("the time budget for this submission ({seconds} s of CPU time) is used up")
                                         .format(seconds=f"{self.limits.total_timeout_s:g}"))
            raise self._fatal
        budget = min(self.limits.call_timeout_s, left)
        try:
            reply = action(self._worker, budget)
            self._used_s += self._worker.last_cpu_s
            return reply
        except StudentTimeout as exc:
            self._used_s += budget
            self._timeouts += 1
            error = StudentTimeout(_("{what} {reason}").format(what=shown, reason=exc))
            if self._timeouts >= self.limits.max_timeouts:
                self._fatal = StudentTimeout(_("not run: your code already timed out {n} times ({reason})").format(
                    n=self._timeouts, reason=error))
            raise error from None
        except StudentCrash as exc:
            raise StudentCrash(_("{reason} (while {what})").format(reason=exc, what=shown) if what == LOADING
                               else f"{what}: {exc}") from None

    # -- messages ---------------------------------------------------------------
    def _error(self, error: Any, label: str) -> SandboxError:
        # What the worker says is written by code the student controls: only short text and clean frames pass.
        error = error if isinstance(error, dict) else {}
        kind, exc_type, msg = error.get("kind"), _text(error.get("type", "Error"), 100), _text(error.get("msg", ""), 2000)
        if kind == MISSING:
            return StudentMissing(_("{file} does not define `{name}`").format(file=self.display_name, name=msg))
        if kind == RETURN:
            return StudentBadValue(_("{function} returned something that cannot be graded: {reason}").format(
                function=label, reason=msg))
        if kind == PROTOCOL:
            return StudentCrash(_("the grader could not send the inputs for {function} ({reason})").format(
                function=label, reason=msg))
        if exc_type == "NotImplementedError":
            frames = _frames(error.get("tb"))
            raiser = str(frames[-1][1]) if frames else label  # the innermost of the student's functions
            if raiser in (label, "<module>") or label.endswith(f".{raiser}"):
                text = _("{function} is not implemented yet (it still raises NotImplementedError)").format(function=raiser)
            else:
                text = _("{function} is not implemented yet (it still raises NotImplementedError), called by {caller}"
                         ).format(function=raiser, caller=label)
            return StudentException(exc_type, text, [], "")
        raised = (_("{function} raised {error}: {reason}")
            .format(function=label, error=exc_type, reason=refusal(msg)) if msg
                  else _("{function} raised {error}").format(function=label, error=exc_type))
        return StudentException(exc_type, raised,
                                _frames(error.get("tb")), self.display_name, detail=msg,
                                exc_types=tuple(_text(n, 100) for n in _items(error.get("mro"))[:20]))

    def _load_message(self, error: Any) -> str:
        error = error if isinstance(error, dict) else {}
        exc_type, msg = _text(error.get("type", "Error"), 100), _text(error.get("msg", ""), 2000)
        frames = _frames(error.get("tb"))
        where = ""
        if frames:
            line, _function, text = frames[-1]
            where = (_(" at line {line}: `{code}`").format(line=line, code=text) if text
                     else _(" at line {line}").format(line=line))
        return _("{file} could not be loaded: {error}: {reason}{where}").format(
            file=self.display_name, error=exc_type, reason=refusal(msg), where=where)


def _text(value: Any, limit: int) -> str:
    """A string from the worker, at most ``limit`` characters."""
    text = value if isinstance(value, str) else str(value) if isinstance(value, (int, float, bool)) else ""
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _items(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else []


def _frames(value: Any) -> list:
    """Traceback frames from the worker: ``[line, function, text]`` triples, the last five."""
    frames = []
    for frame in _items(value)[-5:]:
        if isinstance(frame, (list, tuple)) and len(frame) == 3 and isinstance(frame[0], int):
            frames.append([frame[0], _text(frame[1], 100), _text(frame[2], 200)])
    return frames


class _Ref:
    """A reference the worker resolves: a name in the student's module or an operator."""

    def __init__(self, tree: dict):
        self.tree = tree


class _RemoteFunction:
    """A student function, called through the proxy."""

    def __init__(self, submission: RemoteModule, name: str):
        self._submission, self.__name__ = submission, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._submission.call(self.__name__, *args, **kwargs)

    def map(self, argsets: list[tuple]) -> list:
        return self._submission.map(self.__name__, argsets)
