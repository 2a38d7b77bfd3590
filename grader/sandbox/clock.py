"""Measuring a worker's time: CPU seconds, and wall seconds not spent waiting for a CPU, from /proc."""
from __future__ import annotations

import os
import time

from ..i18n import _

def process_tree_times(pid: int) -> tuple[float, float] | None:
    """Seconds of CPU used, and seconds spent waiting for a CPU, so far by process ``pid`` and its descendants.

    Read from /proc: ``stat`` (user and system time, all threads, and reaped
    children) and ``schedstat`` (time runnable but not running, i.e. the
    machine's load).  The descendants count because with a PID namespace the
    student's code runs in a grandchild of the process the grader started.
    None where /proc cannot tell (another system, or the process has gone).
    """
    ticks, delay, pending, seen = 0, 0, [pid], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            with open(f"/proc/{current}/stat", "rb") as f:
                fields = f.read().rpartition(b")")[2].split()
            ticks += sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
        except (OSError, ValueError, IndexError):
            if current == pid:
                return None
            continue
        try:
            with open(f"/proc/{current}/schedstat", "rb") as f:
                delay += int(f.read().split()[1])  # nanoseconds on a run queue, waiting for a CPU
        except (OSError, ValueError, IndexError):
            pass
        try:
            with open(f"/proc/{current}/task/{current}/children", "rb") as f:
                pending += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            pass
    return ticks / _CLOCK_TICKS, delay / 1e9


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class Clock:
    """The time limit of one request, the same on an idle machine and on a busy one.

    Two limits: ``cpu_s`` seconds of the worker's CPU time (code that computes
    too long), and ``wall_s`` seconds of wall-clock time *not spent waiting for
    a CPU* (code that waits: sleeps, blocked reads).  Time the worker was ready
    to run while other processes had the CPUs is the machine's load and counts
    for neither, up to a backstop of ``OVERLOAD_FACTOR * wall_s`` plain wall
    seconds.  Where /proc cannot tell, the wall clock stands in for both.
    """

    OVERLOAD_FACTOR = 10

    def __init__(self, pid: int, cpu_s: float, wall_s: float, start: tuple[float, float] | None = None):
        """``start``: the worker's times when it last sat idle (read now if not given)."""
        self.pid, self.cpu_s, self.wall_s = pid, cpu_s, wall_s
        self.start_wall, self.start = time.monotonic(), start or process_tree_times(pid)
        self.last = self.start
        self.expired = ""  # "cpu", "wall" or "overload" once a limit is reached

    def used(self) -> tuple[float, float]:
        """CPU seconds, and wall seconds less the time spent waiting for a CPU, since the request was sent."""
        wall = time.monotonic() - self.start_wall
        now = self.last = process_tree_times(self.pid) if self.start is not None else None
        if now is None or self.start is None:
            return wall, wall
        return max(now[0] - self.start[0], 0.0), max(wall - (now[1] - self.start[1]), 0.0)

    def next_wait(self) -> float:
        """How long to wait before looking again (a limit cannot be reached sooner); 0 once one is reached."""
        cpu, wall = self.used()
        backstop = self.OVERLOAD_FACTOR * self.wall_s - (time.monotonic() - self.start_wall)
        if cpu >= self.cpu_s:
            self.expired = "cpu"
        elif wall >= self.wall_s:
            self.expired = "wall"
        elif backstop <= 0:
            self.expired = "overload"
        return 0.0 if self.expired else max(min(self.cpu_s - cpu, self.wall_s - wall, backstop), 0.02)

    def timeout_message(self) -> str:
        if self.expired == "cpu":
            return _("did not finish within {seconds} s of CPU time (an infinite loop, or far too slow?)").format(
                seconds=f"{self.cpu_s:g}")
        cpu, _wall = self.used()
        if self.expired == "overload":
            return _("did not finish within {seconds} s: the machine is too busy to grade (your code got only {cpu} s "
                     "of CPU time in them)").format(seconds=f"{self.OVERLOAD_FACTOR * self.wall_s:g}", cpu=f"{cpu:.1f}")
        return _("did not finish within {seconds} s, and computed for only {cpu} s of them: it was waiting "
                 "(time.sleep, input(), a blocked read?)").format(seconds=f"{self.wall_s:g}", cpu=f"{cpu:.1f}")

