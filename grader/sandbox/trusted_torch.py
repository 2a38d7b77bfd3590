"""Grader-written torch code that runs inside the worker of a PyTorch exercise.

The worker of a PyTorch exercise offers these builders (kind "torch" in
:mod:`builders`) besides :mod:`trusted`'s; it is only ever imported
in a worker that preloaded torch.  Each builder returns a plain function that
takes handles or names of the student's objects (a ``torch.autograd.Function``
subclass, an ``nn.Module``) and plain NumPy data, does the torch work here,
and returns plain data only: numbers, strings, lists, dicts and NumPy arrays.
Every judgement is made by the hidden suite in the grading process, which
never imports torch.

Errors in the student's code propagate unchanged (so ``NotImplementedError``
reads "not implemented yet"); problems this module finds itself come back as
data, or as a ``TypeError`` whose message is written for the student.
"""
from __future__ import annotations

import contextlib
import zlib
from typing import Any, Callable, Iterator

import numpy as np
import torch
import torch.autograd.forward_ad
import torch.autograd.functional
import torch.func
from torch.autograd.variable import Variable
from torch.optim.optimizer import register_optimizer_step_pre_hook

BUILDERS: dict[str, Callable[..., Any]] = {}
_REAL_GRAD = torch.autograd.grad


def builder(fn: Callable[..., Any]) -> Callable[..., Any]:
    BUILDERS[fn.__name__] = fn
    return fn


def build(name: str, params: dict) -> Any:
    """The object called ``name``, built from ``params``."""
    if name not in BUILDERS:
        raise KeyError(f"no trusted torch object called {name!r}")
    return BUILDERS[name](**params)


# -- conversions ------------------------------------------------------------------------
def to_numpy(value: Any) -> np.ndarray:
    """A tensor as a NumPy array: floating and complex types become float64 (nothing is rounded
    on the way: a float32 result stays exactly the float32 values), integers int64."""
    t = value.detach().cpu()
    if t.is_complex():
        t = t.real
    if t.dtype == torch.bool:
        t = t.to(torch.int64)
    elif t.is_floating_point():
        t = t.to(torch.float64)
    else:
        t = t.to(torch.int64)
    return t.numpy().copy()


def state_to_plain(state: dict) -> dict:
    """A state dict as ``{key: array}``; 0-d entries (``num_batches_tracked``) as Python numbers,
    since the wire format sends 0-d arrays as shape (1,)."""
    plain: dict[str, Any] = {}
    for key, value in state.items():
        array = to_numpy(value)
        plain[key] = array.item() if array.ndim == 0 else array
    return plain


def _describe(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)} and dtype {_dtype(value)}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"a {type(value).__name__}"


def _dtype(t: torch.Tensor) -> str:
    return str(t.dtype).replace("torch.", "")


def _leaf(array: Any) -> torch.Tensor:
    return torch.tensor(np.asarray(array, dtype=np.float64), dtype=torch.float64, requires_grad=True)


# -- hand-written means hand-written: no autograd inside a custom Function -------------------
FORBIDDEN = [
    (torch.autograd, ("grad", "backward"), "torch.autograd"),
    (torch.autograd.functional, ("vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"), "torch.autograd.functional"),
    (torch.func, ("grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "linearize"), "torch.func"),
    (torch.autograd.forward_ad, ("make_dual", "unpack_dual", "dual_level", "enter_dual_level"),
     "torch.autograd.forward_ad"),
    (torch.Tensor, ("backward",), "Tensor"),
]


class _Engine:
    """Stands in for torch's autograd engine while student code runs.

    Every path to reverse-mode autograd from Python (``torch.autograd.grad``,
    ``Tensor.backward``, ``torch.autograd.functional``, ``torch.func.grad``/``vjp``,
    however they were imported) ends in ``Variable._execution_engine.run_backward``.
    A call is let through only when the grader itself asked for one
    (:meth:`grader_call`); a call from inside the student's code is recorded
    and refused.
    """

    def __init__(self, real: Any, record: Callable[[str], None]):
        self._real, self._record, self._pass = real, record, False

    def run_backward(self, *args: Any, **kwargs: Any) -> Any:
        if self._pass:
            self._pass = False
            return self._real.run_backward(*args, **kwargs)
        self._record("the autograd engine (torch.autograd.grad, .backward() or similar)")
        raise RuntimeError("dlx: autograd may not be used here: compute the gradient by hand")

    def grader_call(self) -> None:
        self._pass = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class AutogradGuard:
    """While active, any use of autograd (reverse or forward mode) by student code is recorded
    in :attr:`calls` and refused with a ``RuntimeError``.  The student's own module globals that
    are bound to those functions (``from torch.autograd import grad``) are swapped too."""

    def __init__(self, student_globals: list[dict]):
        self.calls: list[str] = []
        self._globals = [g for g in student_globals if isinstance(g, dict)]
        self.engine: _Engine | None = None

    def _record(self, what: str) -> None:
        if what not in self.calls:
            self.calls.append(what)

    def _refuser(self, label: str) -> Callable[..., Any]:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            self._record(label)
            raise RuntimeError(f"dlx: {label} may not be used here: compute the gradient by hand")
        return refuse

    def no_graph(self) -> Any:
        """While active, an operation that records an autograd graph node (possible only under
        ``torch.enable_grad()``, since the caller switched autograd off) is recorded: a
        backward that builds a graph means to differentiate it.  (Not for forward: there
        ``ctx.save_for_backward`` itself goes through these hooks.)"""
        def pack(tensor: torch.Tensor) -> torch.Tensor:
            self._record("torch.enable_grad() to build an autograd graph inside backward")
            return tensor

        return torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor)

    @contextlib.contextmanager
    def active(self) -> Iterator["AutogradGuard"]:
        saved: list[tuple[Any, str, Any]] = []
        try:
            replaced: dict[int, Callable[..., Any]] = {}
            for owner, names, prefix in FORBIDDEN:
                for name in names:
                    original = owner.__dict__.get(name) if isinstance(owner, type) else getattr(owner, name, None)
                    if original is None:
                        continue
                    label = f"{prefix}.{name}"
                    refuser = self._refuser(label)
                    replaced[id(original)] = refuser
                    if isinstance(owner, type):
                        replaced[id(getattr(owner, name))] = refuser
                    saved.append((owner, name, original))
                    setattr(owner, name, refuser)
            for module_globals in self._globals:
                for key, value in list(module_globals.items()):
                    if id(value) in replaced:
                        saved.append((module_globals, key, value))
                        module_globals[key] = replaced[id(value)]
            self.engine = _Engine(Variable._execution_engine, self._record)
            saved.append((Variable, "_execution_engine", Variable._execution_engine))
            Variable._execution_engine = self.engine
            yield self
        finally:
            for owner, name, original in reversed(saved):
                if isinstance(owner, dict):
                    owner[name] = original
                else:
                    setattr(owner, name, original)
            self.engine = None


def _student_globals(*objects: Any) -> list[dict]:
    found: list[dict] = []
    for obj in objects:
        for attr in ("forward", "backward", "__init__"):
            g = getattr(getattr(obj, attr, None), "__globals__", None)
            if isinstance(g, dict) and all(g is not f for f in found):
                found.append(g)
    return found


def _function_class(cls: Any, name: str) -> Any:
    if not (isinstance(cls, type) and issubclass(cls, torch.autograd.Function)):
        raise TypeError(f"{name} should be a subclass of torch.autograd.Function (with static methods forward "
                        "and backward); it is not")
    return cls


def _tensors_in(value: Any, depth: int = 0) -> Iterator[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        yield value
    elif depth < 3 and isinstance(value, (list, tuple)):
        for item in value:
            yield from _tensors_in(item, depth + 1)
    elif depth < 3 and isinstance(value, dict):
        for item in value.values():
            yield from _tensors_in(item, depth + 1)


def _kept_graph(ctx: Any) -> bool:
    """Whether ``forward`` left in ``ctx`` a tensor that carries an autograd graph of its own.

    ``Function.apply`` runs ``forward`` with autograd off, so anything computed there has no
    ``grad_fn``, except the Function's own outputs (whose ``grad_fn`` is ``ctx`` itself).  A
    tensor with another ``grad_fn`` was built under ``torch.enable_grad()`` to be
    differentiated later by autograd.
    """
    try:
        saved = list(ctx.saved_tensors)
    except Exception:  # noqa: BLE001 - nothing saved, or already freed
        saved = []
    try:
        attributes = list(vars(ctx).values())
    except TypeError:
        attributes = []
    return any(t.grad_fn is not None and t.grad_fn is not ctx for t in _tensors_in(saved + attributes))


@builder
def torch_function_probe(h: float | None = None) -> Callable[..., dict]:
    """Runs a custom ``torch.autograd.Function`` on float64 inputs and reports what it did.

    ``probe(cls, inputs, grad_out=None)`` returns a dict:

    - ``out``: the forward's output (float64 array), or None with ``out_kind`` describing it;
      ``out_dtype`` the tensor's own dtype (``"float64"``); ``grad_dtypes`` likewise;
    - ``grads`` (only when ``grad_out`` is given): what ``backward(ctx, grad_out)`` returned,
      one entry per returned value: an array, or None with ``grad_kinds`` describing it;
      ``n_grads`` how many values it returned;
    - ``autograd``: the autograd entry points the student's code tried to use (empty if none);
      when one was refused the probe stops there and reports it;
    - ``kept_graph``: whether forward saved a tensor that carries its own autograd graph;
    - ``mutated``: the inputs (positions ``0, 1, ..``, or ``"grad_out"``) whose values changed;
    - ``perturbed`` (when ``h`` is given and ``grad_out`` too): the forward's outputs at every
      input moved by ``+h`` then ``-h`` in one element, inputs in order, elements in C order, then
      ``CENTRE_REPEATS`` outputs at the unperturbed inputs (all called in an order drawn from the
      inputs): an array of shape ``(2 * total elements + CENTRE_REPEATS, *out.shape)`` for the
      numerical Jacobian, or None if the outputs were not all tensors of the same shape.

    The backward is called directly (``grad_fn.apply``, as the engine would, with autograd
    off), so its return value is seen exactly as written, before the engine would reshape it.
    """

    def probe(cls: Any, inputs: list, grad_out: Any = None) -> dict:
        name = getattr(cls, "__name__", "the Function")
        cls = _function_class(cls, name)
        tensors = [_leaf(a) for a in inputs]
        before = [t.detach().clone() for t in tensors]
        guard = AutogradGuard(_student_globals(cls))
        report: dict[str, Any] = {"out": None, "out_kind": "", "out_dtype": "", "grads": [], "grad_kinds": [],
                                  "grad_dtypes": [], "n_grads": 0, "autograd": guard.calls, "kept_graph": False,
                                  "mutated": [], "perturbed": None}

        def changed() -> list:
            found: list = [i for i, (t, b) in enumerate(zip(tensors, before)) if not torch.equal(t.detach(), b)]
            return found

        try:
            with guard.active():
                out = cls.apply(*tensors)
        except Exception:
            if guard.calls:
                return report
            raise
        report["mutated"] = changed()
        if not isinstance(out, torch.Tensor):
            report["out_kind"] = _describe(out)
            return report
        report["out"] = to_numpy(out)
        report["out_dtype"] = _dtype(out)
        ctx = out.grad_fn
        report["kept_graph"] = ctx is not None and _kept_graph(ctx)
        if grad_out is None:
            return report
        g = torch.tensor(np.asarray(grad_out, dtype=np.float64), dtype=torch.float64)
        g_before = g.clone()
        if ctx is None:
            report["n_grads"] = len(tensors)
            report["grads"] = [None] * len(tensors)
            report["grad_kinds"] = ["missing: the output is not connected to the inputs"] * len(tensors)
            report["grad_dtypes"] = [""] * len(tensors)
            return report
        try:
            with guard.active(), torch.no_grad(), guard.no_graph():
                grads = ctx.apply(g)
        except Exception:
            if guard.calls:
                return report
            raise
        grads = grads if isinstance(grads, tuple) else (grads,)
        report["n_grads"] = len(grads)
        for grad in grads:
            if isinstance(grad, torch.Tensor):
                report["grads"].append(to_numpy(grad))
                report["grad_kinds"].append("")
                report["grad_dtypes"].append(_dtype(grad))
            else:
                report["grads"].append(None)
                report["grad_kinds"].append(_describe(grad) if grad is not None else "None")
                report["grad_dtypes"].append("")
        report["mutated"] += [i for i in changed() if i not in report["mutated"]]
        if not torch.equal(g, g_before):
            report["mutated"].append("grad_out")
        if h is not None:
            try:
                report["perturbed"] = _perturbed_outputs(cls, inputs, float(h), tuple(out.shape), guard)
            except Exception:
                if guard.calls:
                    return report
                raise
        return report

    return probe


CENTRE_REPEATS = 3


def _perturbed_outputs(cls: Any, inputs: list, h: float, shape: tuple, guard: AutogradGuard) -> np.ndarray | None:
    """The forward at every input moved by +h then -h, then CENTRE_REPEATS times at the inputs themselves:
    called in an order drawn from the inputs (so the code cannot tell which call is which), returned in
    this order. The repeats must give the forward's out again, or the forward is not one function."""
    arrays = [np.asarray(a, dtype=np.float64) for a in inputs]
    argsets = []
    for k, base in enumerate(arrays):
        for i in np.ndindex(base.shape):
            for step in (h, -h):
                moved = base.copy()
                moved[i] += step
                argsets.append([moved if j == k else a for j, a in enumerate(arrays)])
    argsets += [arrays] * CENTRE_REPEATS
    seed = zlib.crc32(b"".join(np.ascontiguousarray(a).tobytes() for a in arrays))
    outputs: list = [None] * len(argsets)
    with guard.active(), torch.no_grad():
        for position in np.random.default_rng(seed).permutation(len(argsets)):
            out = cls.apply(*[torch.tensor(a, dtype=torch.float64) for a in argsets[position]])
            if not isinstance(out, torch.Tensor) or tuple(out.shape) != shape:
                return None
            outputs[position] = to_numpy(out)
    return np.stack(outputs)


@builder
def torch_function_chain() -> Callable[..., dict]:
    """``chain(Sigmoid, Linear, LogSumExp, x, w, b, weights)``: ``out = LogSumExp(Linear(Sigmoid(x), w, b))``
    and the gradients of ``sum(weights * out)`` with respect to x, w and b, computed by torch's
    engine through the three backward methods.  Returns ``{"out", "grads", "autograd"}``."""

    def chain(sig: Any, lin: Any, lse: Any, x: Any, w: Any, b: Any, weights: Any) -> dict:
        classes = [_function_class(c, getattr(c, "__name__", "a Function")) for c in (sig, lin, lse)]
        tx, tw, tb = _leaf(x), _leaf(w), _leaf(b)
        guard = AutogradGuard(_student_globals(*classes))
        try:
            with guard.active():
                out = classes[2].apply(classes[1].apply(classes[0].apply(tx), tw, tb))
                if not isinstance(out, torch.Tensor):
                    raise TypeError(f"LogSumExpFunction returned {_describe(out)}, not a tensor")
                loss = (out * torch.tensor(np.asarray(weights, dtype=np.float64))).sum()
                assert guard.engine is not None
                guard.engine.grader_call()
                with guard.no_graph():
                    grads = _REAL_GRAD(loss, [tx, tw, tb], allow_unused=True)
        except Exception:
            if guard.calls:
                return {"out": None, "grads": [], "autograd": guard.calls}
            raise
        return {"out": to_numpy(out), "grads": [None if g is None else to_numpy(g) for g in grads],
                "autograd": guard.calls}

    return chain


# -- nn.Module helpers ---------------------------------------------------------------------
def _module(obj: Any, what: str) -> torch.nn.Module:
    if not isinstance(obj, torch.nn.Module):
        raise TypeError(f"{what} should be a torch.nn.Module; it is {_describe(obj)}")
    return obj


@builder
def torch_state_dict() -> Callable[[Any], dict]:
    """``state(module)``: the module's state dict as ``{key: array}`` (floats as float64; 0-d
    entries as Python numbers)."""

    def state(module: Any) -> dict:
        return state_to_plain(_module(module, "the block").state_dict())

    return state


@builder
def torch_module_summary() -> Callable[[Any], dict]:
    """``summary(module)``: ``{"parameters": [[name, shape], ...], "buffers": [[name, shape], ...]}``."""

    def summary(module: Any) -> dict:
        module = _module(module, "the block")
        return {"parameters": [[n, list(p.shape)] for n, p in module.named_parameters()],
                "buffers": [[n, list(b.shape)] for n, b in module.named_buffers()]}

    return summary


@builder
def torch_load_state() -> Callable[[Any, dict], dict]:
    """``load(module, state)``: converts the module to float64, then loads ``state`` with
    ``strict=True`` if its keys and shapes are exactly the module's.  Returns
    ``{"missing": [...], "unexpected": [...], "mismatched": [[key, shape here, shape sent], ...]}``
    (all empty when the state was loaded)."""

    def load(module: Any, state: dict) -> dict:
        module = _module(module, "the block").double()
        own = module.state_dict()
        report = {"missing": [k for k in own if k not in state],
                  "unexpected": [k for k in state if k not in own],
                  "mismatched": [[k, list(own[k].shape), list(np.shape(v))] for k, v in state.items()
                                 if k in own and tuple(own[k].shape) != tuple(np.shape(v))]}
        if not any(report.values()):
            tensors = {k: torch.as_tensor(np.asarray(v)).to(own[k].dtype) for k, v in state.items()}
            module.load_state_dict(tensors, strict=True)
        return report

    return load


@builder
def torch_module_run() -> Callable[..., dict]:
    """``run(module, x, train, grad_out)``: a forward pass in training (``train=True``) or
    evaluation mode on the float64 ``x``, then ``out.backward(grad_out)``.  When ``grad_out``
    is None, x does not require a gradient and no backward pass is run.  Returns ``{"out", "x_grad" (None if no gradient reached x),
    "state" (the state dict afterwards), "x_changed"}``."""

    def run(module: Any, x: Any, train: bool, grad_out: Any = None) -> dict:
        module = _module(module, "the block").double()
        module.train(bool(train))
        tx = torch.tensor(np.asarray(x, dtype=np.float64), dtype=torch.float64, requires_grad=grad_out is not None)
        before = tx.detach().clone()
        out = module(tx)
        if not isinstance(out, torch.Tensor):
            raise TypeError(f"forward returned {_describe(out)}, not a tensor")
        result: dict[str, Any] = {"out": to_numpy(out), "x_grad": None, "x_changed": False}
        if grad_out is not None and out.requires_grad:
            go = torch.tensor(np.asarray(grad_out, dtype=np.float64))
            if tuple(go.shape) == tuple(out.shape):
                # the scalar sum(out * grad_out) has the same gradient as out.backward(grad_out), and
                # avoids torch's first-call import of sympy (~0.4 s) for a non-scalar backward
                (out * go).sum().backward()
                result["x_grad"] = None if tx.grad is None else to_numpy(tx.grad)
        result["x_changed"] = not torch.equal(tx.detach(), before)
        result["state"] = state_to_plain(module.state_dict())
        return result

    return run


@builder
def torch_predict() -> Callable[[Any, Any], dict]:
    """``predict(model, X)``: ``model.eval()``, then the model's output for the float32 ``X`` under
    ``torch.no_grad()``.  Returns ``{"logits": float64 array}``, or ``{"problem": text}`` when the
    model is not an ``nn.Module`` or does not return a tensor (exceptions from the model propagate)."""

    def predict(model: Any, X: Any) -> dict:
        if not isinstance(model, torch.nn.Module):
            return {"problem": f"train_classifier should return a torch.nn.Module; it returned {_describe(model)}"}
        model.eval()
        with torch.no_grad():
            out = model(torch.as_tensor(np.asarray(X, dtype=np.float32)))
        if not isinstance(out, torch.Tensor):
            return {"problem": f"the model returned {_describe(out)} for a batch of inputs, not a tensor of logits"}
        return {"logits": to_numpy(out)}

    return predict


@builder
def torch_training_curves(max_points: int = 60, max_elements: int = 2_000_000) -> Callable[..., dict]:
    """``curves(train, X, y, num_classes, seed, X_val, y_val)``: runs ``train(X, y, num_classes, seed)``
    while keeping the parameters as they are before each ``torch.optim`` step (thinned to at most
    about ``max_points`` states), then evaluates each kept state and the final one in evaluation mode
    on both sets.  Returns ``{"steps", "train_loss", "train_acc", "val_loss", "val_acc"}`` (arrays;
    buffers such as BatchNorm's running statistics keep their final values; ``"note"`` when no
    optimiser stepped), or ``{"problem": text}`` when the result is not a model with the right
    output.  For the pictures of ``dlx --plots``: nothing is judged here."""

    def curves(train: Any, X: Any, y: Any, num_classes: int, seed: int, X_val: Any, y_val: Any) -> dict:
        kept: list[tuple[int, list, list]] = []
        counter = {"step": 0, "stride": 1}

        def keep(optimizer: Any, args: Any, kwargs: Any) -> None:
            params = [p for group in optimizer.param_groups for p in group["params"]]
            if counter["step"] % counter["stride"] == 0 and sum(p.numel() for p in params) <= max_elements:
                kept.append((counter["step"], params, [p.detach().clone() for p in params]))
                if len(kept) > max_points:
                    kept[:] = kept[::2]
                    counter["stride"] *= 2
            counter["step"] += 1

        hook = register_optimizer_step_pre_hook(keep)
        try:
            model = train(X, y, num_classes, seed)
        finally:
            hook.remove()
        if not isinstance(model, torch.nn.Module):
            return {"problem": f"train_classifier should return a torch.nn.Module; it returned {_describe(model)}"}
        data = [(torch.as_tensor(np.asarray(a, dtype=np.float32)), torch.as_tensor(np.asarray(b, dtype=np.int64)))
                for a, b in ((X, y), (X_val, y_val))]
        final = [(p, p.detach().clone()) for p in model.parameters()]
        result: dict[str, list] = {key: [] for key in ("steps", "train_loss", "train_acc", "val_loss", "val_acc")}
        states = [(step, list(zip(params, values))) for step, params, values in kept] + [(counter["step"], final)]
        model.eval()
        try:
            for step, state in states:
                with torch.no_grad():
                    for p, value in state:
                        p.copy_(value)
                    result["steps"].append(step)
                    for (inputs, labels), name in zip(data, ("train", "val")):
                        out = model(inputs)
                        if not isinstance(out, torch.Tensor) or out.shape != (len(labels), num_classes):
                            return {"problem": f"the model returned {_describe(out)} for a batch of inputs, not "
                                               f"logits of shape ({len(labels)}, {num_classes})"}
                        result[f"{name}_loss"].append(float(torch.nn.functional.cross_entropy(out.double(), labels)))
                        result[f"{name}_acc"].append(float((out.argmax(dim=1) == labels).double().mean()))
        finally:
            with torch.no_grad():
                for p, value in final:
                    p.copy_(value)
        curves_found: dict[str, Any] = {key: np.array(value, dtype=float) for key, value in result.items()}
        if not kept:
            curves_found["note"] = ("no torch.optim optimiser stepped during train_classifier, so only the final "
                                    "model is shown")
        return curves_found

    return curves
