"""The walls, raised in order before the student's file runs (see :mod:`grader.sandbox.worker`).

Namespaces (:mod:`namespaces`), resource limits and privileges (here), and the
seccomp filter (:mod:`seccomp`); the audit hook (:mod:`guard`) comes last,
after the start-up marker.  Each layer that the kernel or the user refuses is
skipped and reported in :class:`Layers`, never fatal.  None of it is reachable
from student code in a useful way (ctypes is refused by the audit hook, and the
kernel-level layers hold even if that hook is bypassed).
"""
from __future__ import annotations

import ctypes
import os
import resource
import time

from . import namespaces, seccomp
from .layers import PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS, Layers, load_libc, ok


def raise_walls(config: dict, layers: Layers, close_fds: tuple[int, ...], inherited: dict[str, str | None]) -> None:
    """Namespaces, limits, privileges, seccomp.  May fork (PID namespace): only the worker itself returns."""
    namespaces.isolate(config, layers, close_fds, inherited)
    apply_limits(config, layers)
    drop_privileges(config, layers)
    seccomp.install_seccomp(config, layers)


def apply_limits(config: dict, layers: Layers) -> None:
    """CPU time (counted from now), address space, file size, open files, processes, no core dumps."""
    limits = config.get("limits", {})
    applied = []

    def cap(which: int, value: int | None, label: str) -> None:
        if value is None:
            return
        try:
            soft, hard = resource.getrlimit(which)
            new_hard = value if hard == resource.RLIM_INFINITY else min(hard, value)
            resource.setrlimit(which, (min(value, new_hard), new_hard))
            shown = f"{value / 2**20:g} MiB" if "size" in label or "space" in label else str(value)
            applied.append(f"{label} {shown}")
        except (ValueError, OSError):
            pass

    if limits.get("disk_bytes") and "writable space cap" not in layers.items:
        layers.set("writable space cap", False, "no mount namespace: only the per-file limit holds, and the "
                   "worker's folder on the host's disk can fill up")
    if not layers.wanted("rlimits", "resource limits"):
        return
    cpu = limits.get("cpu_s")
    if cpu is not None:
        since = int(time.process_time()) + 1  # counted from now: the worker's own start-up is not the student's
        try:
            resource.setrlimit(resource.RLIMIT_CPU, (since + cpu, since + cpu + 5))
            applied.append(f"cpu {cpu} s")
        except (ValueError, OSError):
            pass
    cap(resource.RLIMIT_AS, limits.get("memory_bytes"), "address space")
    cap(resource.RLIMIT_FSIZE, limits.get("file_bytes"), "file size")
    cap(resource.RLIMIT_NOFILE, limits.get("open_files"), "open files")
    cap(resource.RLIMIT_CORE, 0, "core")
    layers.set("resource limits", bool(applied), ", ".join(applied))
    if layers.wanted("nproc", "process limit"):
        # RLIMIT_NPROC counts the processes (and threads) of the real user, everywhere; at 0 no fork or thread
        # can succeed for any user but root, and the hard limit cannot be raised back without privileges.
        processes = limits.get("processes")
        cap(resource.RLIMIT_NPROC, processes, "processes")
        effective = os.geteuid() != 0 or (config.get("uid") is not None and "uid" not in layers.off)
        layers.set("process limit", processes is not None and effective,
                   f"RLIMIT_NPROC {processes}" if effective else "ignored: the worker keeps root")


def drop_privileges(config: dict, layers: Layers) -> None:
    """User ``nobody`` when running as root; no capabilities; no_new_privs."""
    uid = config.get("uid")
    if os.geteuid() == 0 and uid is not None and layers.wanted("uid", "unprivileged user"):
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            layers.set("unprivileged user", True, f"uid {uid} (dlx runs as root)")
        except OSError as exc:
            layers.set("unprivileged user", False, f"cannot become uid {uid}: {exc.strerror}")
    elif os.geteuid() == 0:
        layers.set("unprivileged user", False, "the worker keeps root (DLX_SANDBOX_KEEP_USER)")
    else:
        layers.set("unprivileged user", True, f"uid {os.getuid()} (dlx does not run as root)")
    try:
        libc = load_libc()

        class Header(ctypes.Structure):
            _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

        class Data(ctypes.Structure):
            _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                        ("inheritable", ctypes.c_uint32)]

        ok(libc.capset(ctypes.byref(Header(0x20080522, 0)), (Data * 2)()), "capset")
        layers.set("no capabilities", True, "every capability dropped")
        ok(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        layers.set("no_new_privs", True, "no set-uid gain, ever")
        ok(libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "not dumpable")
        layers.set("not dumpable", True, "no other process of the same user may read or write its memory, "
                   "environment or files through /proc")
    except (OSError, AttributeError) as exc:
        layers.set("no capabilities", False, f"unavailable: {exc}")

