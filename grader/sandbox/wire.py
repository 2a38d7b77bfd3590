"""The wire format between the grading process and a worker: plain data only.

A message is a JSON tree plus binary blobs for NumPy arrays (``.npy`` bytes,
always read with ``allow_pickle=False``).  Nothing is ever unpickled.  Values
that are not plain data are replaced, by the side that owns them, with a
handle (``{"H": id}``) that only the owner can resolve.

This module is imported by the worker too, so it depends on the standard
library and NumPy only.
"""
from __future__ import annotations

import io
import json
import struct
import time
from typing import Any, Callable

import numpy as np

MAX_DEPTH = 32
MAX_ITEMS = 200_000
MAX_FRAME_BYTES = 256 * 1024 * 1024
MAX_HEAD_BYTES = 32 * 1024 * 1024  # the JSON part of a frame (arrays travel as blobs)
# Every item costs at most this many of "[", "{" and "," in the JSON head (a handle: "{", two inside, one after).
MARKS_PER_ITEM = 4
MAX_NDIM = 32
NUMERIC_KINDS = "biuf"
# The only array dtypes that cross the boundary, in either byte order.
ARRAY_DTYPES = frozenset(np.dtype(t).newbyteorder(order).str for t in ("?", "i1", "i2", "i4", "i8", "u1", "u2",
                         "u4", "u8", "f2", "f4", "f8") for order in "<>")
BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")

_HEADER = struct.Struct("<Q")
HEADER_BYTES = _HEADER.size  # a frame, and the JSON head inside it, start with their length in this many bytes


class WireError(Exception):
    """Data that cannot cross the boundary (too large, too deep, malformed)."""


class Encoder:
    """Turns a value into a JSON tree and blobs; unknown objects go to ``on_other``."""

    def __init__(self, on_other: Callable[[Any], dict] | None = None):
        self.blobs: list[bytes] = []
        self.items = 0
        self.size = 0
        self.on_other = on_other

    def tree(self, value: Any, depth: int = 0) -> Any:
        self.items += 1
        if depth > MAX_DEPTH:
            raise WireError(f"nested more than {MAX_DEPTH} levels deep")
        if self.items > MAX_ITEMS:
            raise WireError(f"more than {MAX_ITEMS} items")
        if value is None or type(value) in (bool, int, str):
            if type(value) is str:
                self._grow(len(value))
            return value
        if type(value) is float:
            return {"f": repr(value)} if value != value or value in (float("inf"), float("-inf")) else value
        if type(value) is list:
            return [self.tree(v, depth + 1) for v in value]
        if type(value) is tuple:
            return {"T": [self.tree(v, depth + 1) for v in value]}
        if type(value) is dict and all(type(k) in (str, int) for k in value):
            return {"D": [[k, self.tree(v, depth + 1)] for k, v in value.items()]}
        if type(value) is np.ndarray and value.dtype.kind in NUMERIC_KINDS and not value.dtype.fields:
            if self.size + value.nbytes > MAX_FRAME_BYTES:  # before copying it into a buffer
                raise WireError(f"more than {MAX_FRAME_BYTES // 2**20} MiB of data")
            buf = io.BytesIO()
            np.save(buf, value, allow_pickle=False)  # keeps 0-d arrays 0-d; any memory layout
            data = buf.getvalue()
            self._grow(len(data))
            self.blobs.append(data)
            return {"A": len(self.blobs) - 1}
        if isinstance(value, np.bool_):  # kept apart: a suite may require a Python bool
            return {"B": bool(value)}
        if isinstance(value, np.generic) and value.dtype.kind in NUMERIC_KINDS:
            return self.tree(value.item(), depth)
        if isinstance(value, np.random.Generator):
            return {"G": _jsonable_state(value.bit_generator.state)}
        if self.on_other is not None:
            return self.on_other(value)
        raise WireError(f"cannot send a {type(value).__name__}")

    def _grow(self, n: int) -> None:
        self.size += n
        if self.size > MAX_FRAME_BYTES:
            raise WireError(f"more than {MAX_FRAME_BYTES // 2**20} MiB of data")

    def frame(self, message: Any) -> bytes:
        head = json.dumps({"m": self.tree(message), "b": [len(b) for b in self.blobs]}).encode()
        if len(head) > MAX_HEAD_BYTES:
            raise WireError(f"more than {MAX_HEAD_BYTES // 2**20} MiB of numbers and text outside arrays")
        return b"".join([_HEADER.pack(len(head)), head, *self.blobs])


def _jsonable_state(state: Any) -> Any:
    if isinstance(state, dict):
        return {k: _jsonable_state(v) for k, v in state.items()}
    if isinstance(state, np.integer):
        return int(state)
    if isinstance(state, np.ndarray):
        return {"__array__": state.tolist(), "dtype": str(state.dtype)}
    return state


def _state_from_json(state: Any, depth: int = 0) -> Any:
    """A bit generator's state; only small integer arrays of an allowed dtype (its sender may be hostile)."""
    if depth > 4:
        raise WireError("malformed generator state")
    if isinstance(state, dict):
        if "__array__" in state:
            values, dtype = state["__array__"], state.get("dtype")
            if dtype not in ("uint32", "uint64", "int64") or type(values) is not list or len(values) > 1024 \
                    or any(type(v) is not int for v in values):
                raise WireError("malformed generator state")
            return np.array(values, dtype=dtype)
        return {k: _state_from_json(v, depth + 1) for k, v in state.items()}
    if state is None or type(state) in (int, str, bool, float):
        return state
    raise WireError("malformed generator state")


def make_generator(state: dict) -> np.random.Generator:
    """Rebuild a Generator from the state sent over the wire."""
    if type(state) is not dict:
        raise WireError("malformed generator state")
    state = _state_from_json(state)
    name = state.get("bit_generator")
    if name not in BIT_GENERATORS:
        raise WireError(f"unknown bit generator {name!r}")
    bitgen = getattr(np.random, name)()
    bitgen.state = state
    return np.random.Generator(bitgen)


class Decoder:
    """Rebuilds a value from a JSON tree and blobs; ``{"H": ..}`` goes to ``on_handle``."""

    def __init__(self, blobs: list, on_handle: Callable[[dict], Any] | None = None, deadline: float | None = None):
        self.blobs = blobs
        self.on_handle = on_handle
        self.deadline = deadline
        self.items = 0

    def value(self, tree: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH + 2:
            raise WireError("nested too deeply")
        self.items += 1
        if self.items > MAX_ITEMS + 16:
            raise WireError(f"more than {MAX_ITEMS} items")
        if self.deadline is not None and self.items % 1024 == 0 and time.monotonic() > self.deadline:
            raise TimeoutError
        if tree is None or type(tree) in (bool, int, float, str):
            return tree
        if type(tree) is list:
            return [self.value(v, depth + 1) for v in tree]
        if type(tree) is not dict or len(tree) == 0:
            raise WireError("malformed message")
        if "f" in tree:
            return float(tree["f"])
        if "T" in tree:
            return tuple(self.value(v, depth + 1) for v in tree["T"])
        if "D" in tree:
            return {_key(k): self.value(v, depth + 1) for k, v in tree["D"]}
        if "B" in tree:
            return np.bool_(tree["B"] is True)
        if "A" in tree:
            if type(tree["A"]) is not int or not 0 <= tree["A"] < len(self.blobs):
                raise WireError("malformed array reference")
            return read_array(self.blobs[tree["A"]])
        if "G" in tree:
            return make_generator(tree["G"])
        if self.on_handle is not None:
            return self.on_handle(tree)
        raise WireError("unexpected object in message")


def _key(key: Any) -> str | int:
    if type(key) not in (str, int):
        raise WireError("malformed dict key")
    return key


def read_array(blob: bytes | memoryview) -> np.ndarray:
    """A numeric array from ``.npy`` bytes, checked before anything is allocated.

    The header must describe a plain numeric dtype and exactly as many bytes
    as follow it, so a forged header (a huge shape, an object dtype) is
    refused instead of allocated or unpickled.
    """
    from numpy.lib import format as npy

    buf = io.BytesIO(bytes(blob[:16 + 10_000]))  # magic and a header of at most numpy's default 10,000 bytes
    version = npy.read_magic(buf)
    if version == (1, 0):
        shape, fortran, dtype = npy.read_array_header_1_0(buf)
    elif version == (2, 0):
        shape, fortran, dtype = npy.read_array_header_2_0(buf)
    else:
        raise WireError(f"unsupported array format {version}")
    if dtype.str not in ARRAY_DTYPES or dtype.fields or dtype.subdtype is not None:
        raise WireError("non-numeric array")
    if type(shape) is not tuple or len(shape) > MAX_NDIM or any(type(n) is not int or n < 0 for n in shape):
        raise WireError("malformed array shape")
    count = 1
    for n in shape:
        count *= n
    offset = buf.tell()
    if count * dtype.itemsize != len(blob) - offset:
        raise WireError("array data does not match its header")
    array = np.frombuffer(blob, dtype=dtype, count=count, offset=offset)
    return array.reshape(shape, order="F" if fortran else "C").copy(order="K")


def encode(message: Any, on_other: Callable[[Any], dict] | None = None) -> bytes:
    """One frame: length of the JSON head, the head, then the array blobs."""
    return Encoder(on_other).frame(message)


def check_head(start: bytes) -> None:
    """Refuse a frame whose first 8 bytes announce a head larger than :data:`MAX_HEAD_BYTES` (before reading it)."""
    (head_len,) = _HEADER.unpack(start)
    if head_len > MAX_HEAD_BYTES:
        raise WireError("malformed message (head too large)")


def decode(frame: bytes | bytearray, on_handle: Callable[[dict], Any] | None = None,
           deadline: float | None = None) -> Any:
    """The inverse of :func:`encode`; raises :class:`WireError` on anything malformed.

    The sender may be hostile: every limit (head size, item count, depth,
    blob sizes, dtypes and shapes) is checked before anything is allocated
    for it; past ``deadline`` (a ``time.monotonic()`` value) it raises TimeoutError.
    """
    try:
        view = memoryview(frame)
        (head_len,) = _HEADER.unpack_from(view, 0)
        if head_len > min(MAX_HEAD_BYTES, len(view) - _HEADER.size):
            raise WireError("malformed message (head too large)")
        head_bytes = bytes(view[_HEADER.size:_HEADER.size + head_len])
        if sum(head_bytes.count(mark) for mark in b"[{,") > MARKS_PER_ITEM * MAX_ITEMS + 64:
            raise WireError(f"more than {MAX_ITEMS} items")
        head = json.loads(head_bytes)
        del head_bytes
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError
        lengths = head["b"]
        offset = _HEADER.size + head_len
        if type(lengths) is not list or len(lengths) > MAX_ITEMS or any(type(n) is not int or n < 0 for n in lengths) \
                or sum(lengths) != len(view) - offset:
            raise WireError("malformed message (array sizes)")
        blobs = []
        for n in lengths:
            blobs.append(view[offset:offset + n])
            offset += n
        return Decoder(blobs, on_handle, deadline).value(head["m"])
    except (WireError, TimeoutError):
        raise
    except (ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError, MemoryError,
            OverflowError, struct.error, OSError) as exc:
        raise WireError(f"malformed message ({type(exc).__name__})") from None


def write_frame(fd: int, frame: bytes) -> None:
    """Write a length-prefixed frame to a file descriptor."""
    import os

    data = _HEADER.pack(len(frame)) + frame
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def read_exact(fd: int, n: int) -> bytes:
    """Read exactly ``n`` bytes or raise EOFError."""
    import os

    chunks, remaining = [], n
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def frame_length(header: bytes) -> int:
    """The length a frame's :data:`HEADER_BYTES` announce; refused when larger than any frame may be."""
    (n,) = _HEADER.unpack(header)
    if n > MAX_FRAME_BYTES + (1 << 20):
        raise WireError("frame too large")
    return n


def read_frame(fd: int) -> bytes:
    """Read one length-prefixed frame (blocking)."""
    return read_exact(fd, frame_length(read_exact(fd, HEADER_BYTES)))
