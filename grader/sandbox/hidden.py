"""The paths a worker must not see: the grader's suites and references, wherever a copy lies, and blocked packages."""
from __future__ import annotations

import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Iterable

# Packages that come with a blocked one and would give it away.
COMPANIONS = {"torch": ("functorch", "torchgen")}


@lru_cache(maxsize=None)
def package_locations(names: tuple[str, ...]) -> tuple[str, ...]:
    """Where the packages ``names`` (and their companions) are installed; nothing is imported."""
    from importlib.machinery import PathFinder

    found = []
    for name in names:
        for module in (name, *COMPANIONS.get(name, ())):
            try:
                spec = PathFinder.find_spec(module)
            except (ImportError, ValueError):
                continue
            if spec is None:
                continue
            if spec.submodule_search_locations:
                found.extend(spec.submodule_search_locations)
            elif spec.origin and os.path.isfile(spec.origin):
                found.append(spec.origin)
    return tuple(os.path.realpath(p) for p in found)


@lru_cache(maxsize=None)
def grader_copies() -> tuple[Path, ...]:
    """Every copy of the grader a worker could see: the one running, a checkout, and those installed on this
    interpreter's paths or anywhere in the Python installations the worker's root holds."""
    import site

    roots = {Path(__file__).resolve().parents[2]}
    # The worker's new root holds whole Python installations, not only this interpreter's paths: a venv's
    # base installation, or the system's, may hold another copy of dlx.
    installations = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, "/usr", "/usr/local"}
    patterns = ("lib*/python3*/site-packages", "lib*/python3*/dist-packages")
    packages = [str(p) for base in installations for pattern in patterns for p in Path(base).glob(pattern)]
    for entry in [*sys.path, *site.getsitepackages(), site.getusersitepackages(), *packages]:
        if entry and (Path(entry) / "grader" / "sandbox" / "worker.py").is_file():
            roots.add(Path(entry).resolve())
    return tuple(sorted(roots))


def hidden_paths(grader_folders: Iterable[str | Path] = (), blocked_imports: tuple[str, ...] = ()) -> list[str]:
    """What a worker must not see: ``grader_folders`` (the caller's suites, references and gradebook), the hidden
    suites and the references of every copy of the grader on the interpreter's paths, and the blocked packages."""
    found: list[Path | str] = list(grader_folders)
    for root in grader_copies():
        found += [root / "grader" / "suites", root / "grader" / "solutions", root / "solutions",
                  root / "grader" / "bank" / "solutions"]  # the last: where earlier copies kept them
    found += package_locations(tuple(blocked_imports))
    return sorted({os.path.realpath(p) for p in found})
