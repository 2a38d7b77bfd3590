"""Lazy submissions, generated for any exercise from its reference: files that do none of the work.

Each family answers every call with values of the right kind that compute
nothing: ``None``, zeros, the inputs handed back, the identity (an input of the
right shape, e.g. ``out = x`` and ``dx = dout``), NaN, random numbers and
constants.  The shapes and types come from the reference, which the lazy file
carries as text and runs, on copies of the arguments, only to learn what shape
of answer to fake; for a layer's forward it also hands the reference's cache to
its own backward, so that every backward can fake its shapes too.  No family
may earn a point.
"""
from __future__ import annotations

from grader.catalog import get

FAMILIES = ("none", "zeros", "inputs", "identity", "nan", "random", "constant")

_TEMPLATE = r'''
import copy as _copy
import types as _types

import numpy as _np

_FAMILY = {family!r}
_REF = {{"__name__": "reference"}}
exec(compile({source!r}, "<reference>", "exec"), _REF)
try:
    import torch as _torch
except ImportError:
    _torch = None


def _arrays(args):
    """The array-like arguments, flattened out of lists and tuples, in order."""
    found = []
    for a in args:
        if isinstance(a, (list, tuple)):
            found.extend(_arrays(a))
        elif isinstance(a, _np.ndarray) or (_torch is not None and isinstance(a, _torch.Tensor)):
            found.append(a)
    return found


def _same_shape(value, args):
    for a in _arrays(args):
        if tuple(a.shape) == tuple(value.shape):
            return a.copy() if isinstance(a, _np.ndarray) else a.clone()
    return None


def _number(value, args):
    if _FAMILY in ("inputs", "identity"):
        for a in args:
            if isinstance(a, type(value)) and not isinstance(a, bool):
                return a
        return value * 0 if _FAMILY == "identity" else (args[0] if args else None)
    if isinstance(value, bool):
        return {{"zeros": False, "nan": False, "constant": True, "random": bool(_np.random.default_rng(1).random() < .5)}}[_FAMILY]
    if isinstance(value, int):
        return {{"zeros": 0, "nan": 0, "constant": 1, "random": int(_np.random.default_rng(2).integers(0, max(2, value + 1)))}}[_FAMILY]
    return {{"zeros": 0.0, "nan": float("nan"), "constant": 1.0, "random": float(_np.random.default_rng(3).normal())}}[_FAMILY]


def _array(value, args):
    """A NumPy array shaped like ``value``."""
    if _FAMILY in ("inputs", "identity"):
        same = _same_shape(value, args)
        if same is not None:
            return same
        if _FAMILY == "inputs" and args:
            return args[0]
        return _np.zeros_like(value)
    gen = _np.random.default_rng(value.size)
    if value.dtype.kind == "b":
        return {{"zeros": _np.zeros_like(value), "nan": _np.zeros_like(value), "constant": _np.ones_like(value),
                "random": gen.random(value.shape) < 0.5}}[_FAMILY]
    if value.dtype.kind in "iu":
        top = int(value.max()) + 1 if value.size else 2
        return {{"zeros": _np.zeros_like(value), "nan": _np.zeros_like(value), "constant": _np.ones_like(value),
                "random": gen.integers(0, max(2, top), value.shape).astype(value.dtype)}}[_FAMILY]
    return {{"zeros": _np.zeros_like(value), "nan": _np.full_like(value, _np.nan), "constant": _np.ones_like(value),
            "random": gen.normal(size=value.shape).astype(value.dtype)}}[_FAMILY]


def _tensor(value, args):
    if _FAMILY in ("inputs", "identity"):
        same = _same_shape(value, args)
        if same is not None:
            return same
        if _FAMILY == "inputs" and args:
            return args[0]
        return _torch.zeros_like(value)
    gen = _torch.Generator().manual_seed(value.numel())
    if not value.is_floating_point():
        return _torch.ones_like(value) if _FAMILY == "constant" else _torch.zeros_like(value)
    return {{"zeros": _torch.zeros_like(value), "nan": _torch.full_like(value, float("nan")),
            "constant": _torch.ones_like(value),
            "random": _torch.randn(value.shape, generator=gen, dtype=value.dtype)}}[_FAMILY]


def _fake(value, args):
    """A lazy answer shaped like the reference's ``value``."""
    if _FAMILY == "none" or value is None:
        return None
    if isinstance(value, (bool, int, float, _np.integer, _np.floating, _np.bool_)):
        return _number(value.item() if isinstance(value, _np.generic) else value, args)
    if isinstance(value, _np.ndarray):
        return _array(value, args)
    if _torch is not None and isinstance(value, _torch.Tensor):
        return _tensor(value.detach(), args)
    if _torch is not None and isinstance(value, _torch.nn.Module):
        return _LazyModule(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_fake(v, args) for v in value)
    if isinstance(value, dict):
        return {{k: _fake(v, args) for k, v in value.items()}}
    if isinstance(value, _types.GeneratorType):
        return (_fake(v, args) for v in list(value))
    if type(value) in _CLASSES.values() or type(value).__name__ in _CLASSES:
        return _LAZY[type(value).__name__]._wrap(value)
    return value


def _copies(args):
    try:
        return _copy.deepcopy(args)
    except Exception:
        return args


def _unwrap(value):
    if isinstance(value, (list, tuple)):
        return type(value)(_unwrap(v) for v in value)
    return getattr(value, "_lazy_ref", value)


def _function(name):
    ref = _REF[name]

    def lazy(*args, **kwargs):
        if _FAMILY == "none":
            return None
        template = ref(*_copies(_unwrap(args)), **_copies(kwargs))
        if name.endswith("_forward") and isinstance(template, tuple):  # keep the cache for our own backward
            return tuple(v if i == 1 else _fake(v, args) for i, v in enumerate(template))
        return _fake(template, args)
    lazy.__name__ = name
    return lazy


def _autograd_function(name, ref):
    class Lazy(_torch.autograd.Function):
        @staticmethod
        def forward(ctx, *inputs):
            return _fake(ref.forward(ctx, *inputs), inputs)

        @staticmethod
        def backward(ctx, *grads):
            return _fake(ref.backward(ctx, *grads), grads)
    Lazy.__name__ = Lazy.__qualname__ = name
    return Lazy


if _torch is not None:
    class _LazyModule(_torch.nn.Module):
        """A module that answers with lazy outputs shaped like the reference module's."""

        def __init__(self, ref):
            super().__init__()
            object.__setattr__(self, "_lazy_ref", ref)

        def forward(self, *inputs):
            with _torch.no_grad():
                template = self._lazy_ref(*inputs)
            return _fake(template, inputs)


def _module_class(name, ref):
    class Lazy(_torch.nn.Module):
        def __init__(self, *args, **kwargs):
            super().__init__()
            object.__setattr__(self, "_lazy_ref", ref(*args, **kwargs))

        def forward(self, *inputs):
            with _torch.no_grad():
                template = self._lazy_ref(*inputs)
            return _fake(template, inputs)
    Lazy.__name__ = Lazy.__qualname__ = name
    return Lazy


def _plain_class(name, ref):
    """A class whose every method and attribute answers lazily from a hidden reference instance."""
    namespace = {{}}

    def _wrap(cls, instance):
        obj = object.__new__(cls)
        object.__setattr__(obj, "_lazy_ref", instance)
        return obj

    def __init__(self, *args, **kwargs):
        object.__setattr__(self, "_lazy_ref", ref(*_copies(_unwrap(args)), **_copies(kwargs)))

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        value = getattr(object.__getattribute__(self, "_lazy_ref"), attr)
        return value if callable(value) else _fake(value, ())

    def method(attr):
        def call(self, *args, **kwargs):
            if _FAMILY == "none":
                return None
            target = object.__getattribute__(self, "_lazy_ref")
            return _fake(getattr(target, attr)(*_unwrap(args), **kwargs), (self,) + args)
        call.__name__ = attr
        return call

    for attr, value in vars(ref).items():
        if callable(value) and attr not in ("__init__", "__getattr__", "__getattribute__", "__setattr__",
                                            "__new__", "__init_subclass__", "__class__"):
            namespace[attr] = method(attr)
    namespace.update(__init__=__init__, __getattr__=__getattr__, _wrap=classmethod(_wrap))
    return type(name, (), namespace)


_CLASSES = {{name: value for name, value in _REF.items() if isinstance(value, type) and name in {functions!r}}}
_LAZY = {{}}
for _name in {functions!r}:
    _value = _REF[_name]
    if not isinstance(_value, type):
        globals()[_name] = _function(_name)
    elif _torch is not None and issubclass(_value, _torch.autograd.Function):
        globals()[_name] = _autograd_function(_name, _value)
    elif _torch is not None and issubclass(_value, _torch.nn.Module):
        globals()[_name] = _module_class(_name, _value)
    else:
        globals()[_name] = _LAZY[_name] = _plain_class(_name, _value)
'''


def lazy_source(exercise_id: str, family: str) -> str:
    """A submission for ``exercise_id`` that answers every call lazily, in the manner of ``family``."""
    if family not in FAMILIES:
        raise ValueError(f"unknown lazy family {family!r}")
    exercise = get(exercise_id)
    return _TEMPLATE.format(family=family, source=exercise.reference.read_text(), functions=list(exercise.functions))
