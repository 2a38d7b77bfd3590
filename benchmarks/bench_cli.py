"""Benchmark: how long the student's commands take, from command to result.

    python benchmarks/bench_cli.py [--runs 7] [--no-compile]

Measures (median of --runs, in a throw-away DLX_HOME and folder):
0. `python -c pass`: the interpreter's own start-up on this machine, which every command pays (with the .pth
   files of its site-packages: an editable install's import hook alone can cost 20 ms; a plain install none);
1. `dlx --version` and `dlx list` (start-up: targets under 0.15 s);
2. `dlx grade affine FILE` on the reference (target under 0.3 s);
   `dlx list` and `dlx grade` both cold (DLX_DAEMON=0) and warm (handed to the warm grader, started beforehand
   and untimed, see grader/daemon.py);
3. `dlx check affine --watch`: from saving the file to the result on screen (target under 0.3 s).
First it compiles dlx's bytecode, as `pip install` does (an editable install under PYTHONDONTWRITEBYTECODE=1
has none, and then every command compiles each module it imports: ~0.1 s for `dlx grade`); --no-compile skips it.
The commands run interleaved, so that the machine's load touches every figure alike; each line says how far
above the floor its median is. It prints one line per figure; timings are never asserted by the tests.
"""
from __future__ import annotations

import argparse
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grader
from grader.catalog import get


def compile_bytecode() -> None:
    """Write the package's bytecode beside its modules, as `pip install` does for an installed package."""
    import compileall

    folder = Path(grader.__file__).parent
    if compileall.compile_dir(str(folder), quiet=1):
        print(f"bytecode compiled in {folder} (as pip install does)")
    else:
        print(f"could not compile the bytecode in {folder}: the figures include compiling dlx's modules")


def timed(command: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def watch_latency(dlx: str, env: dict[str, str], cwd: Path, runs: int) -> list[float]:
    """Seconds from rewriting affine.py to the watcher printing the result line, ``runs`` times."""
    reference = get("affine").reference.read_text(encoding="utf-8")
    target = cwd / "affine.py"
    target.write_text(reference, encoding="utf-8")
    proc = subprocess.Popen([dlx, "check", "affine", "--watch"], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    buffer = b""

    def wait_for(marker: bytes, deadline: float) -> bool:
        nonlocal buffer
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 0.05)
            if ready:
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    return False
                buffer += chunk
                if marker in buffer:
                    buffer = buffer[buffer.index(marker) + len(marker):]
                    return True
        return False

    times = []
    try:
        if not wait_for(b"visible tests passed", time.perf_counter() + 30):
            raise SystemExit("the watcher printed no first result")
        for i in range(runs):
            time.sleep(0.6)
            while select.select([proc.stdout], [], [], 0)[0] and os.read(proc.stdout.fileno(), 65536):
                pass  # a run the last save started twice (its truncation, then its text) is not this save's
            buffer = b""
            target.write_text(reference + f"\n# edit {i}\n", encoding="utf-8")
            start = time.perf_counter()
            if not wait_for(b"visible tests passed", start + 30):
                raise SystemExit("the watcher did not re-run after a save")
            times.append(time.perf_counter() - start)
    finally:
        proc.terminate()
        proc.wait(10)
    return times


def start_warm_grader(dlx: str, env: dict[str, str], cwd: Path, reference: Path) -> None:
    """Start the warm grader (a cold `dlx grade` starts it) and wait until it answers."""
    subprocess.run([dlx, "grade", "affine", str(reference)], cwd=cwd, env=env, check=True, capture_output=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = subprocess.run([dlx, "daemon", "status"], cwd=cwd, env=env, capture_output=True, text=True)
        if "pid " in status.stdout:
            return
        time.sleep(0.2)
    raise SystemExit("the warm grader did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description="dlx command latency benchmark")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-compile", action="store_true", help="Measure without writing dlx's bytecode first.")
    args = parser.parse_args()
    dlx = shutil.which("dlx")
    if dlx is None:
        sys.exit("install dlx first: pip install .")
    if not args.no_compile:
        compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="dlx-bench-cli-") as tmp:
        work = Path(tmp)
        cold = {**os.environ, "DLX_HOME": str(work / "home"), "DLX_DAEMON": "0"}
        warm = {**cold, "DLX_DAEMON": "1", "XDG_RUNTIME_DIR": str(work / "run")}
        (work / "run").mkdir(mode=0o700)
        reference = work / "reference.py"
        reference.write_text(get("affine").reference.read_text(encoding="utf-8"), encoding="utf-8")
        figures = {
            "python -c pass (the floor)": ([sys.executable, "-c", "pass"], cold),
            "dlx --version": ([dlx, "--version"], cold),
            "dlx list (cold)": ([dlx, "list"], cold),
            "dlx list (warm)": ([dlx, "list"], warm),
            "dlx grade affine FILE (cold)": ([dlx, "grade", "affine", str(reference)], cold),
            "dlx grade affine FILE (warm)": ([dlx, "grade", "affine", str(reference)], warm),
        }
        start_warm_grader(dlx, warm, work, reference)
        times: dict[str, list[float]] = {name: [] for name in figures}
        try:
            for command, env in figures.values():
                timed(command, env, work)  # warm the file cache (and dlx's catalogue cache)
            for _ in range(args.runs):  # interleaved: a change in the machine's load touches every figure alike
                for name, (command, env) in figures.items():
                    times[name].append(timed(command, env, work))
        finally:
            subprocess.run([dlx, "daemon", "stop"], cwd=work, env=warm, capture_output=True)
        floor = statistics.median(times["python -c pass (the floor)"])
        for name, seconds in times.items():
            median = statistics.median(seconds)
            above = "" if "floor" in name else f", {(median - floor) * 1000:.0f} ms above the floor"
            print(f"{name:34s} median {median:.3f} s  (min {min(seconds):.3f}, max {max(seconds):.3f}{above})")
        times = watch_latency(dlx, cold, work, args.runs)
        print(f"{'dlx check --watch, save→result':34s} median {statistics.median(times):.3f} s  "
              f"(min {min(times):.3f}, max {max(times):.3f})")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
