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

from .i18n import _
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
    ("separate process", True, "the student's code never runs in the grading process; only plain data comes back"),
    ("new session, killed as a whole", True, "every worker starts its own session; a timeout kills the whole group"),
    ("deadlines and output cap", True, "a CPU-time deadline per call and per submission, a wall-clock one for "
     "code that waits; output capped"),
]

# What is lost where a layer is not active (the others still hold).
LOST = {
    "PID namespace": "a worker can see and name other processes (the seccomp filter still stops it from "
                     "signalling, limiting or rescheduling them)",
    "seccomp filter": "a worker can signal, limit (prlimit) and reschedule every process of its own user: "
                      "other workers, and the grading process itself when dlx is not root",
    "user of its own per worker": "workers share a user id: only the PID namespace and the seccomp filter keep "
                                  "them from each other" ,
    "writable space cap": "a submission can fill the disk of the temporary folder (only each file is limited)",
    "mount namespace": "a worker sees the file system with its user's rights; the hidden suites are hidden by the "
                       "audit hook only",
    "network namespace": "only the seccomp filter keeps a worker off the network",
    "unprivileged user": "the worker keeps root",
    "process limit": "only the seccomp filter and the PID namespace stop new processes",
    "audit hook": "error messages are less clear; the kernel layers still refuse the same things",
}


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
    for name, active, detail in layers:  # the layers' names and details stay English (docs/threat-model.md's)
        table.add_row(escape(name), "[green]" + _("yes") + "[/]" if active else "[yellow]" + _("no") + "[/]",
                      escape(detail))
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
                                  "docs/threat-model.md).").format(layers=", ".join(inactive)) + "[/]")
        for name in inactive:
            if name in LOST:
                console.print("[yellow]" + _("Lost without the {layer}:").format(layer=escape(name)) + "[/] "
                              + escape(LOST[name]))
