"""Walls 4: a seccomp filter, the kernel's list of the system calls graded code may make."""
from __future__ import annotations

import ctypes
import os

from .layers import PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, Layers, load_libc, ok

# Per architecture: the audit arch, the syscalls used here, those a filter refuses with EPERM.
SYSCALLS = {
    "x86_64": {
        "arch": 0xC000003E, "seccomp": 317, "pivot_root": 155, "clone": 56, "clone3": 435,
        "signals": (62, 200, 234, 129, 297),  # kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo
        # pid first: prlimit64, sched_{set,get}{param,scheduler,affinity,attr}, sched_rr_get_interval,
        # get_robust_list, migrate_pages, move_pages
        "own": (302, 142, 143, 144, 145, 203, 204, 314, 315, 148, 274, 256, 279),
        # (which, who): getpriority/setpriority (PRIO_PROCESS 0), ioprio_get/ioprio_set (IOPRIO_WHO_PROCESS 1)
        "priorities": ((140, 0), (141, 0), (252, 1), (251, 1)),
        "fork": (57, 58),  # fork, vfork
        "refused": (59, 322, 41, 101, 310, 311, 165, 166, 155, 161, 272, 308, 112, 109, 250, 248, 249, 321, 298,
                    323, 425, 426, 427, 246, 320, 175, 313, 176, 169, 163, 167, 168, 424, 438, 304, 303, 428, 429,
                    430, 431, 432, 433, 442, 135, 179, 172, 173, 154, 126, 170, 171, 212, 153, 164, 227, 159, 305,
                    103, 312, 440, 434, 448),
    },
    "aarch64": {
        "arch": 0xC00000B7, "seccomp": 277, "pivot_root": 41, "clone": 220, "clone3": 435,
        "signals": (129, 130, 131, 138, 240),
        "own": (261, 118, 121, 119, 120, 122, 123, 274, 275, 127, 100, 238, 239),
        "priorities": ((141, 0), (140, 0), (31, 1), (30, 1)),
        "fork": (),
        "refused": (221, 281, 198, 117, 270, 271, 40, 39, 41, 51, 97, 268, 157, 154, 219, 217, 218, 280, 241, 282,
                    425, 426, 427, 104, 294, 105, 273, 106, 142, 89, 224, 225, 424, 438, 265, 264, 428, 429, 430,
                    431, 432, 433, 442, 92, 60, 91, 161, 162, 18, 58, 170, 112, 171, 266, 116, 272, 440, 434, 448),
    },
}




def seccomp_program(arch: dict, own_pid: int, allow_fork: bool) -> list[tuple[int, int, int, int]]:
    """A classic-BPF seccomp filter: refuse (EPERM) what graded code never needs; allow the rest.

    Refused: exec, sockets, ptrace and other processes' memory, mount and
    namespaces, keys, BPF, perf, userfaultfd, io_uring, modules, reboot and
    clock changes, ...; clone() unless it makes a thread (so no fork, vfork
    or posix_spawn); every system call that names another process as its
    target: signals (kill, tgkill, rt_sigqueueinfo, ...) to any process but
    this one; limits, scheduling, priorities and I/O priorities of any
    process but this one (pid 0 or our own); pidfds, kcmp, ptrace and other
    processes' memory always.  clone3() says
    ENOSYS, so that the C library falls back to clone().  Another
    architecture's system calls (e.g. int 0x80, x32) kill the process.
    """
    load, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    allow, kill, errno = 0x7FFF0000, 0x80000000, 0x00050000
    eperm, enosys, clone_thread = 1, 38, 0x00010000
    prog = [(load, 0, 0, 4), (jeq, 1, 0, arch["arch"]), (ret, 0, 0, kill), (load, 0, 0, 0)]
    if arch["arch"] == 0xC000003E:
        prog += [(jge, 0, 1, 0x40000000), (ret, 0, 0, kill)]
    refused = list(arch["refused"]) + ([] if allow_fork else list(arch["fork"]))
    for nr in refused:
        prog += [(jeq, 0, 1, nr), (ret, 0, 0, errno | eperm)]
    prog += [(jeq, 0, 1, arch["clone3"]), (ret, 0, 0, errno | enosys)]
    if not allow_fork:
        prog += [(jeq, 0, 4, arch["clone"]), (load, 0, 0, 16), (jset, 1, 0, clone_thread),
                 (ret, 0, 0, errno | eperm), (ret, 0, 0, allow)]
    for nr in arch["signals"]:
        prog += [(jeq, 0, 4, nr), (load, 0, 0, 16), (jeq, 1, 0, own_pid), (ret, 0, 0, errno | eperm),
                 (ret, 0, 0, allow)]
    for nr in arch["own"]:  # the pid (first argument, low 32 bits: a pid_t) is 0 or ours
        prog += [(jeq, 0, 5, nr), (load, 0, 0, 16), (jeq, 2, 0, 0), (jeq, 1, 0, own_pid),
                 (ret, 0, 0, errno | eperm), (ret, 0, 0, allow)]
    for nr, which in arch["priorities"]:  # (which, who): a process, and that process is 0 or us
        prog += [(jeq, 0, 7, nr), (load, 0, 0, 16), (jeq, 0, 3, which), (load, 0, 0, 24), (jeq, 2, 0, 0),
                 (jeq, 1, 0, own_pid), (ret, 0, 0, errno | eperm), (ret, 0, 0, allow)]
    prog.append((ret, 0, 0, allow))
    return prog


def install_seccomp(config: dict, layers: Layers) -> None:
    """The filter of :func:`seccomp_program`, on every thread of the worker (fork refused unless allowed)."""
    name = "seccomp filter"
    if not layers.wanted("seccomp", name):
        return
    arch = SYSCALLS.get(os.uname().machine)
    if arch is None:
        layers.set(name, False, f"no system call table for {os.uname().machine}")
        return

    class SockFilter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint32)]

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]

    allow_fork = bool(config.get("limits", {}).get("processes"))
    program = seccomp_program(arch, os.getpid(), allow_fork)
    filters = (SockFilter * len(program))(*(SockFilter(*i) for i in program))
    fprog = SockFprog(len(program), filters)
    try:
        libc = load_libc()
        ok(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        # SECCOMP_SET_MODE_FILTER with SECCOMP_FILTER_FLAG_TSYNC: every thread of the process, at once
        if libc.syscall(ctypes.c_long(arch["seccomp"]), ctypes.c_ulong(1), ctypes.c_ulong(1), ctypes.byref(fprog)):
            ok(libc.prctl(PR_SET_SECCOMP, 2, ctypes.addressof(fprog), 0, 0), "seccomp")
    except OSError as exc:
        layers.set(name, False, f"unavailable: {exc}")
        return
    layers.set(name, True, f"{len(program)} instructions: no fork, exec, sockets, ptrace, mount; no system "
               "call may target another process (signals, limits, scheduling, priorities, pidfds)")

