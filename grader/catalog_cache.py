"""A cache of the parsed exercise bank: `dlx list` and `dlx grade` read one JSON file instead of parsing every
``exercise.toml`` (and importing tomllib).

The cache is a file in the user's data folder (hidden from the sandboxed worker, like the gradebook), used only
while its stamp is the current one: the path, size and modification time of every file under the folders it was
built from (``__pycache__`` aside) and of the code that built it. A missing, stale, damaged or unwritable cache
means building afresh, so the cache never changes what dlx shows. Standard library only, and light.
"""
from __future__ import annotations

import contextlib
import json
import os
from dataclasses import fields
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

from .paths import data_dir

FORMAT = 1  # bump when the encoding below changes
T = TypeVar("T")


def stamp(sources: Sequence[Path]) -> list[list]:
    """``[path, size, mtime_ns]`` of each file in ``sources``, folders walked (their ``__pycache__`` skipped)."""
    found = []
    for source in sources:
        if source.is_file():
            found.append(str(source))
            continue
        for folder, subfolders, files in os.walk(source):
            subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
            found += [os.path.join(folder, name) for name in sorted(files)]
    stamps = []
    for path in found:
        info = os.stat(path)
        stamps.append([path, info.st_size, info.st_mtime_ns])
    return stamps


def _encode(value: Any) -> Any:
    """``value`` as JSON, tagged so that :func:`_decode` gives back the same types (or TypeError)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, Path):
        return {"path": str(value)}
    if type(value) in (tuple, list):
        return {type(value).__name__: [_encode(v) for v in value]}
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"dict": {k: _encode(v) for k, v in value.items()}}
    raise TypeError(f"the catalogue cache cannot hold a {type(value).__name__}")


def _decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    (tag, inner), = value.items()
    if tag == "path":
        return Path(inner)
    if tag in ("tuple", "list"):
        items = [_decode(v) for v in inner]
        return tuple(items) if tag == "tuple" else items
    if tag == "dict":
        return {k: _decode(v) for k, v in inner.items()}
    raise ValueError(f"unknown tag {tag!r}")


def cached(name: str, sources: Sequence[Path], kind: type[T], build: Callable[[], list[T]]) -> list[T]:
    """The dataclass instances ``build()`` returns, read from the cache ``name`` while ``sources`` are unchanged."""
    current = [FORMAT, stamp(sources)]
    try:
        file = data_dir() / f"{name}.json"
        saved = json.loads(file.read_text(encoding="utf-8"))
        if saved["stamp"] == current:
            return [kind(**{k: _decode(v) for k, v in item.items()}) for item in saved["items"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass  # no cache yet, or one that cannot be read: build afresh
    items = build()
    _save(name, current, items)
    return items


def _save(name: str, current: list, items: list) -> None:
    """Replace the cache ``name`` in one step; a cache that cannot be written only costs the next run the parsing."""
    partial = None
    try:
        text = json.dumps({"stamp": current, "items": [{f.name: _encode(getattr(i, f.name)) for f in fields(i)}
                                                       for i in items]})
        file = data_dir() / f"{name}.json"
        partial = file.with_name(f"{file.name}.{os.getpid()}.tmp")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, file)  # readers see the old cache or the new one, never half of one
    except (OSError, TypeError):
        if partial is not None:
            with contextlib.suppress(OSError):
                partial.unlink()
