"""`dlx doctor`: which of the sandbox's layers are active on this machine, and why not when they are not.

The answer comes from a real worker: dlx starts one exactly as it would for
a submission, and the worker reports what it managed to set up (see
grader/sandbox/layers.py and docs/threat-model.md).  Where the kernel or the
user refuses a layer, grading still works; the others hold.
"""
from __future__ import annotations

import json
import os
import sys

import click

from .i18n import N_, _, translate_filled
from .paths import hidden_from_workers
from .sandbox.client import WorkerProcess
from .sandbox.errors import SandboxError
from .sandbox.hidden import hidden_paths
from .sandbox.spawn import worker_env
from .sandbox.spec import Limits, WorkerSpec
from .sandbox.users import NOBODY, lease_uid, sandbox_uid

PROBE = "def probe():\n    return 1\n"
# Layers of the grading process itself (the worker reports its own).
CLIENT_LAYERS = [
    (N_("separate process"), True,
     N_("the student's code never runs in the grading process; only plain data comes back")),
    (N_("new session, killed as a whole"), True,
     N_("every worker starts its own session; a timeout kills the whole group")),
    (N_("deadlines and output cap"), True, N_("a CPU-time deadline per call and per submission, a wall-clock one for "
                                              "code that waits; output capped")),
]

# What is lost where a layer is not active (the others still hold).
LOST = {
    "PID namespace": N_("a worker can see and name other processes (the seccomp filter still stops it from "
                        "signalling, limiting or rescheduling them)"),
    "seccomp filter": N_("a worker can signal, limit (prlimit) and reschedule every process of its own user: "
                         "other workers, and the grading process itself when dlx is not root"),
    "user of its own per worker": N_("workers share a user id: only the PID namespace and the seccomp filter keep "
                                     "them from each other"),
    "writable space cap": N_("a submission can fill the disk of the temporary folder (only each file is limited)"),
    "mount namespace": N_("a worker sees the file system with its user's rights; the hidden suites are hidden by the "
                          "audit hook only"),
    "network namespace": N_("only the seccomp filter keeps a worker off the network"),
    "unprivileged user": N_("the worker keeps root"),
    "process limit": N_("only the seccomp filter and the PID namespace stop new processes"),
    "audit hook": N_("error messages are less clear; the kernel layers still refuse the same things"),
}

# Every layer's name and detail as the worker (grader/sandbox/) and this module say them, in docs/threat-model.md's
# English: the table shows them translated (:func:`shown`); --json keeps the English.
TEMPLATES = (
    N_("scrubbed environment"), N_("no PYTHON* variables or secrets; {threads}"),
    N_("drop to nobody"), N_("DLX_SANDBOX_KEEP_USER is set: workers keep root"),
    N_("user of its own per worker"),
    N_("dlx is not root: workers share dlx's user id; the PID namespace and the seccomp filter keep them from each "
       "other and from the grading process"),
    N_("each worker runs as a user id no other live worker has (from {uid})"),
    N_("no free user id in DLX_SANDBOX_UIDS (or not mapped here): workers share nobody"),
    N_("worker"), N_("a probe worker could not start: {error}"), N_("the probe did not load: {error}"),
    N_("user namespace"), N_("network namespace"), N_("IPC namespace"), N_("PID namespace"), N_("mount namespace"),
    N_("not needed: dlx runs as root"), N_("no network at all, not even 127.0.0.1"),
    N_("unprivileged user namespace"), N_("no shared memory or message queues with other processes"),
    N_("sees and names no other process; a reaper is pid 1, when it ends every process of the submission is killed"),
    N_("a read-only root with Python and its libraries; the only writable folder is the worker's own"),
    N_("a read-only root with Python and its libraries; the only writable folder is the worker's own; /proc shows "
       "only the submission"),
    N_("hidden paths"), N_("{n} of the grader's folders (suites, references, gradebook, blocked packages) covered"),
    N_("{n} of the grader's folders: reads refused by the audit hook only (no mount namespace)"),
    N_("writable space cap"),
    N_("the worker's folder is a tmpfs of {size} MiB and {files} files in its own mount namespace; nothing reaches "
       "the host's disk"),
    N_("no mount namespace: only the per-file limit holds, and the worker's folder on the host's disk can fill up"),
    N_("resource limits"), N_("process limit"), N_("ignored: the worker keeps root"),
    N_("unprivileged user"), N_("uid {uid} (dlx runs as root)"), N_("cannot become uid {uid}: {error}"),
    N_("the worker keeps root (DLX_SANDBOX_KEEP_USER)"), N_("uid {uid} (dlx does not run as root)"),
    N_("no capabilities"), N_("every capability dropped"), N_("no_new_privs"), N_("no set-uid gain, ever"),
    N_("not dumpable"),
    N_("no other process of the same user may read or write its memory, environment or files through /proc"),
    N_("seccomp filter"), N_("no system call table for {machine}"),
    N_("{n} instructions: no fork, exec, sockets, ptrace, mount; no system call may target another process "
       "(signals, limits, scheduling, priorities, pidfds)"),
    N_("audit hook"),
    N_("refuses torch and friends, processes, network, ctypes, changes outside the folder, reads of the grader's "
       "files"),
    N_("unavailable: {error}"), N_("no libc ({error})"), N_("switched off (layers_off)"),
)
LIMITS = (N_("cpu {n} s"), N_("address space {n} MiB"), N_("file size {n} MiB"), N_("open files {n}"), N_("core {n}"))


def shown(text: str) -> str:
    """A layer's name or detail in this run's language (a list of resource limits item by item)."""
    translated = translate_filled(text, (*(name for name, _active, _detail in CLIENT_LAYERS),
                                         *(detail for _name, _active, detail in CLIENT_LAYERS), *TEMPLATES))
    if translated == text and ", " in text:
        parts = [translate_filled(part, LIMITS) for part in text.split(", ")]
        if all(part != english for part, english in zip(parts, text.split(", "))):
            return _(", ").join(parts)
    return translated


def _user_layer() -> tuple[str, bool, str]:
    """Whether each concurrent worker runs as a user id of its own."""
    name = "user of its own per worker"
    if os.geteuid() != 0:
        return (name, False, "dlx is not root: workers share dlx's user id; the PID namespace and the seccomp "
                "filter keep them from each other and from the grading process")
    uid, lock = lease_uid()
    if lock is not None:
        os.close(lock)
        return name, True, f"each worker runs as a user id no other live worker has (from {uid})"
    if uid == NOBODY:
        return name, False, "no free user id in DLX_SANDBOX_UIDS (or not mapped here): workers share nobody"
    return name, False, "DLX_SANDBOX_KEEP_USER is set: workers keep root"


def sandbox_layers(spec: WorkerSpec | None = None) -> list[tuple[str, bool, str]]:
    """Every layer of the sandbox as (name, active, detail), from a worker started as for a submission."""
    spec = spec or WorkerSpec(source=PROBE, filename="probe.py", module="probe", limits=Limits(),
                              hide=hidden_from_workers())
    layers = list(CLIENT_LAYERS)
    env = worker_env("/tmp")
    threads = ", ".join(f"{k}={v}" for k, v in env.items() if k.endswith("THREADS"))
    layers.append(("scrubbed environment", True, f"no PYTHON* variables or secrets; {threads}"))
    uid = sandbox_uid()
    if os.geteuid() == 0 and uid is None:
        layers.append(("drop to nobody", False, "DLX_SANDBOX_KEEP_USER is set: workers keep root"))
    layers.append(_user_layer())
    worker = WorkerProcess(spec)
    try:
        reply = worker.reply(30)
    except SandboxError as exc:
        layers.append(("worker", False, f"a probe worker could not start: {exc}"))
        return layers
    finally:
        worker.close()
    for item in reply.get("layers", []):
        name, active, detail = item
        layers.append((str(name), bool(active), str(detail)))
    if not reply.get("ok"):
        layers.append(("worker", False, f"the probe did not load: {reply.get('e')}"))
    return layers


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def doctor(as_json: bool) -> None:
    """Which sandbox layers protect grading on this machine."""
    layers = sandbox_layers()
    if as_json:
        click.echo(json.dumps([{"layer": n, "active": a, "detail": d} for n, a, d in layers], indent=2))
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(highlight=False)
    table = Table(title=_("dlx sandbox layers"), show_lines=False)
    table.add_column(_("layer"))
    table.add_column(_("active"))
    table.add_column(_("detail"))
    for name, active, detail in layers:
        table.add_row(escape(shown(name)), "[green]" + _("yes") + "[/]" if active else "[yellow]" + _("no") + "[/]",
                      escape(shown(detail)))
    console.print(table)
    user = _("root (workers run as users of their own)") if os.geteuid() == 0 and sandbox_uid() is not None else \
        _("root (workers keep root)") if os.geteuid() == 0 else f"uid {os.getuid()}"
    system = f"{os.uname().sysname} {os.uname().release} {os.uname().machine}"
    console.print("[dim]" + _("Python {version} on {system}; dlx runs as {user}; hidden from workers: {n} paths.")
        .format(
        version=sys.version.split()[0], system=system, user=user, n=len(hidden_paths(hidden_from_workers()))) + "[/]")
    inactive = [n for n, a, d in layers if not a and not d.startswith("not needed")]
    if inactive:
        console.print("[dim]" + _("Inactive: {layers}. Grading still works: the other layers hold (see "
                                  "docs/threat-model.md).").format(layers=_(", ").join(map(shown, inactive)))
                      + "[/]")
        for name in inactive:
            if name in LOST:
                console.print("[yellow]" + _("Lost without the {layer}:").format(layer=escape(shown(name))) + "[/] "
                              + escape(_(LOST[name])))
