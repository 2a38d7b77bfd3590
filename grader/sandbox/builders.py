"""The registry of builders: which module builds the grader's trusted objects in a worker, by kind.

A worker offers the builders of the kinds its :class:`~grader.sandbox.spec.WorkerSpec`
names (``("numpy",)``, or ``("numpy", "torch")`` for a PyTorch exercise); a
``TrustedFunction`` is built by the first of them that has a builder of its
name.  The modules are imported on first use: the torch one only in a worker
that preloaded torch.
"""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

MODULES = {"numpy": "trusted", "torch": "trusted_torch"}  # kind -> module of this package with BUILDERS and build()


class Builders:
    """The builders of the kinds ``kinds``, in order."""

    def __init__(self, kinds: tuple[str, ...] | list[str] = ("numpy",)):
        self.kinds = tuple(kinds)
        self.modules: dict[str, ModuleType] = {}

    def module(self, kind: str) -> ModuleType:
        if kind not in self.modules:
            self.modules[kind] = importlib.import_module(f".{MODULES[kind]}", __package__)
        return self.modules[kind]

    def build(self, name: str, params: dict) -> Any:
        """The object called ``name``, built from ``params`` by the first kind that has such a builder."""
        for kind in self.kinds:
            module = self.module(kind)
            if name in module.BUILDERS:
                return module.build(name, params)
        raise KeyError(f"no trusted object called {name!r} among the {' and '.join(self.kinds)} builders")
