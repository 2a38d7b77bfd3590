"""The protocol between the grading process and a worker, written down in one place.

Standard library only: both sides import it (the worker before its walls go up).
Frames are length-prefixed :mod:`wire` messages on two pipes, one each way.

1. The grading process sends the configuration (a dict: source, file name,
   limits, layers switched off, paths to hide, builder kinds, ...).
2. Once its own start-up is over (imports, walls), the worker replies
   :data:`STARTED` and writes :data:`STARTUP_MARKER` to its output: the
   student's time, and what the student's code prints, start there.
3. The worker loads the student's file and replies ``{"ok": True, "v": names,
   "layers": [...]}`` or ``{"ok": False, "e": error, "layers": [...]}``.
4. Every later frame is a request, ``{"op": OP, ...}`` with one of
   :data:`OPERATIONS`; each gets exactly one reply, ``{"ok": True, "v": value,
   "mut": mutated arguments, "w": warnings, "rnd": global random state changed}``
   or ``{"ok": False, "e": {"kind": ERROR_KIND, "type", "msg", "tb", "mro"}}``,
   except :data:`EXIT`, which ends the worker without a reply.
"""
from __future__ import annotations

# -- requests (the "op" of a frame) ---------------------------------------------------------------
CALL = "call"  # f(*a, **k): f a name, a handle, an operator or a trusted function
MAP = "map"  # f once per argument list in "argsets", in one round trip
COLLECT = "collect"  # up to "n" items of the iterable "o"
GETATTR = "getattr"  # the attribute "n" of the object "o"
MAKE = "make"  # a grader-built object "f" (a trusted function), kept in the worker as a handle
EXIT = "exit"  # end the worker (no reply)
OPERATIONS = (CALL, MAP, COLLECT, GETATTR, MAKE, EXIT)

# -- replies --------------------------------------------------------------------------------------
STARTED = {"started": True}
# Written by the worker to its output once its own start-up is over: what comes before is not the student's.
STARTUP_MARKER = b"\x00dlx: the student's code starts here\x00\n"
# The "kind" of an error reply: the student's code raised; a name is missing; the file did not load;
# a value cannot cross the boundary; the grader's own request could not be read.
EXCEPTION, MISSING, LOAD, RETURN, PROTOCOL = "exception", "missing", "load", "return", "protocol"

# -- exit codes -----------------------------------------------------------------------------------
WORKER_BROKEN = 70  # the worker's own machinery failed (student code replaced something it relies on)

# -- the fork server's requests (one JSON line each on a Unix socket) -----------------------------
FORK = "fork"  # carries the worker's three descriptors (commands, replies, output); answered {"pid": pid}
STATUS = "status"  # {"pid": pid}: answered {"status": exit code, or None while it runs}
FORK_SERVER_HOME = "dlx-forkserver-"  # how the fork server's own folder is named (it removes it when orphaned)
