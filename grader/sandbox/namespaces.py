"""Walls 1: namespaces (network, IPC, PID, mount, and a user namespace when not root) and the new root.

Everything here runs before the student's file, with the privileges dlx was
started with.
"""
from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys
from typing import Any

from .layers import PR_SET_PDEATHSIG, Layers, load_libc, ok
from .seccomp import SYSCALLS

HERE = os.path.dirname(os.path.abspath(__file__))
CLONE_FLAGS = {"user": 0x10000000, "net": 0x40000000, "ipc": 0x08000000, "pid": 0x20000000, "mnt": 0x00020000}
NAMESPACE_LAYERS = {"user": "user namespace", "net": "network namespace", "ipc": "IPC namespace",
                    "pid": "PID namespace", "mnt": "mount namespace"}
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC = 32, 1024, 2048, 4096, 16384
MS_PRIVATE, MS_RELATIME, MS_STRICTATIME = 1 << 18, 1 << 21, 1 << 24
MNT_DETACH = 2
# statvfs flag -> mount flag, so that a read-only bind keeps what the kernel would not let us drop.
STATVFS_MOUNT_FLAGS = {2: MS_NOSUID, 4: MS_NODEV, 8: MS_NOEXEC, 1024: MS_NOATIME, 2048: MS_NODIRATIME,
                       4096: MS_RELATIME}
DEVICES = ("null", "zero", "full", "random", "urandom")
WORK_INODES = 8192  # files and folders in the worker's tmpfs


def _unshare(libc: Any, name: str) -> str | None:
    """Enter a new namespace; None when it worked, else why not."""
    if libc.unshare(CLONE_FLAGS[name]) == 0:
        return None
    return os.strerror(ctypes.get_errno())


def _enter_user_namespace(libc: Any) -> str | None:
    """For a user who is not root: a user namespace in which we keep our own uid (and may create the others)."""
    uid, gid = os.getuid(), os.getgid()
    why = _unshare(libc, "user")
    if why is not None:
        return why
    try:
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
            with open(f"/proc/self/{name}", "w") as f:
                f.write(text)
    except OSError as exc:
        return f"cannot map the user ({exc.strerror})"
    return None


def enter_shared_namespaces(libc: Any | None = None) -> dict[str, str | None]:
    """The namespaces a fork server enters once, for every worker it forks: user (if not root), network, IPC.

    An empty network namespace has only a loopback interface, and it is down:
    nothing can be reached, not even 127.0.0.1 of the machine.
    """
    libc = libc or load_libc()
    entered: dict[str, str | None] = {}
    if os.geteuid() != 0:
        entered["user"] = _enter_user_namespace(libc)
    for name in ("net", "ipc"):
        entered[name] = _unshare(libc, name)
    return entered


def isolate(config: dict, layers: Layers, close_fds: tuple[int, ...], inherited: dict[str, str | None]) -> None:
    """Namespaces and the new root.  With a PID namespace this forks; only the worker itself returns.

    Every worker gets its own PID namespace (two forks): it sees and can name
    no process but its own, so it cannot reach another worker or the grader
    even where they share a user id.  ``inherited``: the namespaces a fork
    server entered for it (name -> None, or why not).
    """
    try:
        libc = load_libc()
    except OSError as exc:
        for name in NAMESPACE_LAYERS.values():
            layers.set(name, False, f"no libc ({exc})")
        return
    root = os.geteuid() == 0
    entered = dict(inherited)
    if root:
        layers.set("user namespace", False, "not needed: dlx runs as root")
    elif "user" not in entered and layers.wanted("userns", "user namespace"):
        entered["user"] = _enter_user_namespace(libc)
    for name in ("net", "ipc"):
        if name not in entered and layers.wanted(f"{name}ns", NAMESPACE_LAYERS[name]):
            entered[name] = _unshare(libc, name)
    if layers.wanted("pidns", "PID namespace"):
        entered["pid"] = _unshare(libc, "pid")
    details = {"net": "no network at all, not even 127.0.0.1", "user": "unprivileged user namespace",
               "ipc": "no shared memory or message queues with other processes",
               "pid": "sees and names no other process; a reaper is pid 1, when it ends every process of the "
                      "submission is killed"}
    for name, why in entered.items():
        layers.set(NAMESPACE_LAYERS[name], why is None, details[name] if why is None else f"unavailable: {why}")
    pid_namespace = "pid" in entered and entered["pid"] is None
    if pid_namespace:
        _split_for_pid_namespace(libc, close_fds)
    if layers.wanted("mountns", "mount namespace"):
        _new_root(config, layers, libc, pid_namespace)


def _split_for_pid_namespace(libc: Any, close_fds: tuple[int, ...]) -> None:
    """After unshare(CLONE_NEWPID): fork a reaper (pid 1 of the new namespace) that forks the worker.

    The first process (the one the grader knows and kills) waits for the reaper
    and ends the way the worker ended (same exit code or signal), so the
    grader's messages are unchanged.  The reaper waits for the worker and then
    exits, and the kernel kills whatever else is left in the namespace: a
    detached, double-forked, setsid() child included.  Killing the first
    process's group kills the reaper too (and with it the namespace).
    """
    status_r, status_w = os.pipe()
    reaper = os.fork()
    if reaper == 0:
        os.close(status_r)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        worker = os.fork()
        if worker == 0:
            os.close(status_w)
            return  # the worker: goes on loading the student's file
        try:
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            os.closerange(3, status_w)
            os.closerange(status_w + 1, 1 << 16)
            while True:
                pid, status = os.waitpid(-1, 0)
                if pid == worker:
                    os.write(status_w, status.to_bytes(4, "little"))
                    break
        finally:
            os._exit(0)
    os.close(status_w)
    for fd in close_fds:
        os.close(fd)
    _, reaper_status = os.waitpid(reaper, 0)
    data = os.read(status_r, 4)
    _end_like(int.from_bytes(data, "little") if len(data) == 4 else reaper_status)


def _end_like(status: int) -> None:
    """Exit with the same code, or die of the same signal, as a process whose wait status is ``status``."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        try:
            signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError):
            pass
        os.kill(os.getpid(), sig)
        os._exit(128 + sig)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def _root_sources(work: str) -> tuple[list[str], list[tuple[str, str]]]:
    """What the new root holds, read-only: Python, its packages, the system's libraries, /etc and this folder.

    Returns the real directories (or files) to bind, without nesting, and the
    symbolic links to recreate (e.g. /lib -> usr/lib).  A folder that holds
    the working folder (/, or /tmp with every other worker's folder) is never
    bound.
    """
    wanted = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, HERE,
              "/usr", "/lib", "/lib64", "/lib32", "/libx32", "/etc", *(p for p in sys.path if p)]
    links, real = [], set()
    for path in wanted:
        path = os.path.abspath(path)
        if not os.path.exists(path):
            continue
        if os.path.islink(path):
            links.append((path, os.readlink(path)))
        real.add(os.path.realpath(path))
    kept: list[str] = []
    for path in sorted(real):
        if (work + "/").startswith(path.rstrip("/") + "/"):
            continue
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept, links


def _mount_flags(path: str) -> int:
    """The flags of the mount holding ``path`` that a read-only bind must keep."""
    try:
        flags = os.statvfs(path).f_flag
    except OSError:
        return 0
    return sum(ms for st, ms in STATVFS_MOUNT_FLAGS.items() if flags & st)


def _bind(libc: Any, source: str, target: str, writable: bool = False, flags: int = MS_NOSUID | MS_NODEV) -> None:
    """Bind ``source`` on ``target`` (created), then make it read-only (unless ``writable``) with ``flags``."""
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.exists(target):
            os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))
    encoded_target = os.fsencode(target)
    if libc.mount(os.fsencode(source), encoded_target, None, MS_BIND, None) != 0:
        # a tree holding mounts we may not reveal one by one (user namespaces) can only be bound whole
        ok(libc.mount(os.fsencode(source), encoded_target, None, MS_BIND | MS_REC, None), f"bind {source}")
    flags |= MS_BIND | MS_REMOUNT | _mount_flags(source)
    if not writable:
        flags |= MS_RDONLY
    ok(libc.mount(None, encoded_target, None, flags, None), f"remount {target}")


def _new_root(config: dict, layers: Layers, libc: Any, pid_namespace: bool) -> None:
    """A private mount namespace whose root holds only what the worker needs, read-only, and its folder.

    The hidden suites, the references, the gradebook, the student's own
    folder, other workers' folders and /tmp are simply not there; the
    configured ``hide`` paths (e.g. the grader's suites inside an installed
    package, the folders of torch and friends in NumPy exercises) are covered
    with an empty, unreadable file system.
    """
    name = "mount namespace"
    why = _unshare(libc, "mnt")
    if why is not None:
        layers.set(name, False, f"unavailable: {why}")
        return
    work = os.path.realpath(config["cwd"])
    new = work  # the new root is assembled on top of the working folder, kept open as work_fd
    work_fd = os.open(work, os.O_PATH | os.O_DIRECTORY)
    staged = False
    try:
        ok(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "make / private")
        ok(libc.mount(b"dlx-root", os.fsencode(new), b"tmpfs", MS_NOSUID | MS_NODEV,
                       b"size=1m,nr_inodes=4096,mode=755"), "tmpfs root")
        staged = True
        sources, links = _root_sources(work)
        for source in sources:
            _bind(libc, source, new + source)
        for link, target in links:
            if not os.path.lexists(new + link):
                os.makedirs(os.path.dirname(new + link), exist_ok=True)
                os.symlink(target, new + link)
        for device in DEVICES:
            if os.path.exists(f"/dev/{device}"):
                _bind(libc, f"/dev/{device}", f"{new}/dev/{device}", writable=True, flags=MS_NOSUID | MS_NOEXEC)
        os.makedirs(new + "/proc", exist_ok=True)
        # /proc (of this PID namespace: only the submission's processes) only where processes are allowed
        proc = pid_namespace and bool(config.get("limits", {}).get("processes")) and libc.mount(b"proc", os.fsencode(new + "/proc"), b"proc",
                                            MS_NOSUID | MS_NODEV | MS_NOEXEC, None) == 0
        disk = config.get("limits", {}).get("disk_bytes")
        if disk:  # the one writable place: a tmpfs of its own, gone with the namespace, never the host's disk
            owner = config.get("uid") if os.geteuid() == 0 and config.get("uid") is not None \
                and "uid" not in layers.off else os.getuid()
            os.makedirs(new + work, exist_ok=True)
            ok(libc.mount(b"dlx-work", os.fsencode(new + work), b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                           f"size={disk},nr_inodes={WORK_INODES},mode=700,uid={owner},gid={owner}".encode()),
                "tmpfs for the working folder")
        else:
            _bind(libc, f"/proc/self/fd/{work_fd}", new + work, writable=True,
                  flags=MS_NOSUID | MS_NODEV | MS_NOEXEC)
        hidden = 0
        for path in config.get("hide", []):
            target = new + path
            if os.path.isdir(target) and not os.path.islink(target):
                ok(libc.mount(b"dlx-hidden", os.fsencode(target), b"tmpfs",
                               MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, b"size=4k,mode=000"), f"hide {path}")
                hidden += 1
            elif os.path.isfile(target):
                _bind(libc, "/dev/null", target)
                hidden += 1
        ok(libc.mount(None, os.fsencode(new), None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, None),
            "read-only root")
        os.chdir(new)
        arch = SYSCALLS.get(os.uname().machine)
        if arch is None:
            raise OSError(0, "pivot_root: unknown architecture")
        ok(libc.syscall(ctypes.c_long(arch["pivot_root"]), b".", b"."), "pivot_root")
        ok(libc.umount2(b".", MNT_DETACH), "detach the old root")
        os.chdir("/")
        os.chdir(work)
    except OSError as exc:
        if staged:  # back to the whole file system, with the other layers
            try:
                os.chdir("/")
                libc.umount2(os.fsencode(new), MNT_DETACH)
                os.chdir(work)
            except OSError:
                pass
        layers.set(name, False, f"unavailable: {exc}")
        return
    finally:
        os.close(work_fd)
    layers.set(name, True, "a read-only root with Python and its libraries; the only writable folder is the "
               f"worker's own{'; /proc shows only the submission' if proc else ''}")
    layers.set("hidden paths", True, f"{hidden} of the grader's folders (suites, references, gradebook, "
               "blocked packages) covered")
    if disk:
        layers.set("writable space cap", True, f"the worker's folder is a tmpfs of {disk / 2**20:g} MiB and "
                   f"{WORK_INODES} files in its own mount namespace; nothing reaches the host's disk")

