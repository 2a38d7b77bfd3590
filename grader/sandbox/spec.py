"""What a worker is asked to do: the file it loads, what it may use, which guards it installs."""
from __future__ import annotations

from dataclasses import dataclass, field

# Imported before the worker drops its privileges, so that code which uses them
# needs no file the unprivileged user may be unable to read.
PRELOAD = ("numpy", "numpy.linalg", "numpy.random", "numpy.fft", "math", "cmath", "copy", "itertools",
           "functools", "collections", "dataclasses", "typing", "random", "statistics", "numbers", "heapq",
           "bisect", "enum", "abc", "re", "time", "contextlib", "operator", "decimal", "fractions")


@dataclass
class Limits:
    """What one submission may use.

    The time limits count the CPU time of the student's code, from the moment the
    worker has finished its own start-up (interpreter, NumPy, torch), so that a
    correct file gets the same verdict on an idle machine and on a busy one.
    Code that waits instead of computing (``time.sleep``, a blocked read) is
    stopped after ``wall_factor`` times the call's CPU limit of wall-clock time,
    not counting the time it waited for a CPU (see :class:`~grader.sandbox.clock.Clock`).
    """

    call_timeout_s: float = 5.0  # CPU seconds for one call (or for loading the file)
    total_timeout_s: float = 30.0  # CPU seconds for all the calls of one grading
    wall_factor: float = 3.0  # a call that waits is stopped after wall_factor * its CPU limit
    startup_timeout_s: float = 180.0  # the worker's own start-up (not the student's time), measured like waiting
    cpu_s: int = 30
    memory_bytes: int = 3 * 2**30
    file_bytes: int = 16 * 2**20
    disk_bytes: int = 64 * 2**20  # everything the worker writes, together (its folder is a tmpfs of this size)
    open_files: int = 64
    processes: int = 0
    output_bytes: int = 32 * 1024
    max_restarts: int = 3
    max_timeouts: int = 2


@dataclass
class WorkerSpec:
    """What a worker loads and which guards it installs."""

    source: str
    filename: str
    module: str
    limits: Limits = field(default_factory=Limits)
    blocked_imports: tuple[str, ...] = ("torch", "jax", "tensorflow", "autograd", "mxnet", "paddle")
    preload: tuple[str, ...] = PRELOAD
    # The kinds of builders of trusted objects the worker offers (see grader/sandbox/builders.py).
    builders: tuple[str, ...] = ("numpy",)
    # The grader's own folders the caller knows of (its suites, references and gradebook), hidden from the worker
    # besides every copy of the grader's suites and references and the blocked packages (see hidden.py).
    hide: tuple[str, ...] = ()
    # For the project's own tests only: switch named layers off to prove that the others hold
    # ("guard", "seccomp", "nproc", "rlimits", "uid", "mountns", "pidns", "netns", "ipcns", "userns").
    layers_off: tuple[str, ...] = ()

