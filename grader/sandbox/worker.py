"""The sandboxed worker: loads one student file and runs calls on it.

Started by :mod:`grader.sandbox.spawn` as ``python -I -B worker.py CMD_FD REPLY_FD``
(one worker), or as ``python -I -B worker.py --fork-server CTRL_FD PRELOAD
[--private]`` (a warm :mod:`fork server <grader.sandbox.forkserver>` whose
children are workers).  Inside the worker run only this folder's worker side
(imported as the package ``dlx_sandbox``, nothing else of the grader), the
standard library and NumPy (torch in a PyTorch exercise):

- :mod:`serve`: the request loop (configuration, start-up, loading, requests;
  see :mod:`protocol` for the messages and :mod:`wire` for their encoding);
- :mod:`walls` raises the walls, in layers (see docs/threat-model.md); each
  layer that the kernel or the user refuses is skipped and reported in
  :class:`~grader.sandbox.layers.Layers`, never fatal:

  1. namespaces (:mod:`namespaces`): network and IPC (no network, not even
     127.0.0.1), PID (a reaper is pid 1; when it ends the kernel kills every
     process the submission started, detached or not), mount (a new,
     read-only root holding only Python, its libraries and the worker's own
     folder, which is the one writable place; the hidden suites, the references
     and the gradebook are not in it); as root these need nothing, otherwise a
     user namespace;
  2. resource limits: CPU time, address space, file size, open files,
     processes (``RLIMIT_NPROC`` 0: no fork, no thread), no core dumps;
  3. privileges: a user id of its own per worker when dlx runs as root, no
     capabilities, ``no_new_privs``;
  4. a seccomp filter (:mod:`seccomp`): no fork or exec, no sockets, no system
     call that targets another process (signals, limits, scheduling), no
     mount, ptrace, namespaces, BPF, io_uring, ...;
  5. an audit hook (:mod:`guard`; Python level: clear messages, not a boundary
     on its own): no torch and friends in NumPy exercises, no processes, no
     network, no writes outside the working directory, no reads of the
     grader's files, no ctypes;

- :mod:`builders`: the grader's trusted objects (:mod:`trusted`,
  :mod:`trusted_torch`), built on request.

The worker never sees a hidden suite: it only answers requests.
"""
from __future__ import annotations

import os
import sys

PACKAGE = "dlx_sandbox"  # this folder's name as a package inside the worker


if __name__ == "__main__":
    # Run as a script under -I: this folder becomes the package PACKAGE, whose modules import one another
    # relatively.  The worker imports nothing else of the grader (not even grader/__init__.py) and adds no
    # folder to the module search path.
    import importlib.util

    _HERE = os.path.dirname(os.path.abspath(__file__))
    _spec = importlib.util.spec_from_file_location(PACKAGE, os.path.join(_HERE, "__init__.py"),
                                                   submodule_search_locations=[_HERE])
    sys.modules[PACKAGE] = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(sys.modules[PACKAGE])
    if sys.argv[1] == "--fork-server":
        forkserver = importlib.import_module(f"{PACKAGE}.forkserver")
        forkserver.run_fork_server(int(sys.argv[2]), [n for n in sys.argv[3].split(",") if n],
                                   sys.argv[4:5] != ["--private"])
    else:
        importlib.import_module(f"{PACKAGE}.serve").run_worker(int(sys.argv[1]), int(sys.argv[2]))
    os._exit(0)  # without Python's clean-up: the student's code may have broken it
