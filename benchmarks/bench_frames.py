"""The grading process under crafted reply frames: its peak memory and the longest call.

Each frame of tests/test_redteam_isolation.py (CRAFTED) is written by a
student's function straight to the worker's reply pipe; a fresh grading
process (capped at --cap GiB of address space, so that a runaway decoder
cannot take the machine) calls that function once and reports how the call
ended, how long it took and how much its resident memory grew.

    python benchmarks/bench_frames.py               # this checkout
    python benchmarks/bench_frames.py --src DIR     # another checkout's grader (e.g. before a change)
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {src!r})
sys.path.insert(1, {root!r})
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
from grader.proxy import RemoteModule
from grader.sandbox.spec import Limits, WorkerSpec
from tests.test_redteam_isolation import CRAFTED, FORGE
value, lengths, blobs = CRAFTED[{name!r}]
source = FORGE.replace("VALUE", value).replace("LENGTHS", lengths).replace("BLOBS", blobs)
spec = WorkerSpec(source=source, filename="affine.py",
                  module="affine", limits=Limits(call_timeout_s=20, total_timeout_s=200))
with RemoteModule(spec, "affine.py") as s:
    s._ready()  # the file loaded: only the frame is timed
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    try:
        s.forge()
        outcome = "returned"
    except BaseException as exc:
        outcome = f"{{type(exc).__name__}}: {{str(exc)[:90]}}"
    seconds = time.monotonic() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"outcome": outcome, "seconds": seconds, "base_mib": base / 1024, "peak_mib": peak / 1024}}))
"""


def measure(name: str, src: Path, cap_gib: float) -> dict:
    script = CHILD.format(src=str(src), root=str(ROOT), cap=int(cap_gib * 2**30), name=name)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=900, cwd=str(src))
    lines = run.stdout.strip().splitlines()
    if run.returncode != 0 or not lines:
        return {"outcome": f"the grading process died ({run.returncode}): {run.stderr.strip()[-150:]}",
                "seconds": float("nan"), "base_mib": float("nan"), "peak_mib": float("nan")}
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", type=Path, default=ROOT, help="the checkout whose grader is measured")
    parser.add_argument("--cap", type=float, default=10.0, help="address space of the grading process, GiB")
    parser.add_argument("--only", default="", help="measure only the frames whose name contains this")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.test_redteam_isolation import CRAFTED

    print(f"grader from {args.src}; grading process capped at {args.cap:g} GiB")
    print(f"{'frame':50} {'call s':>7} {'peak MiB':>9} {'growth':>8}  outcome")
    for name in CRAFTED:
        if args.only not in name:
            continue
        m = measure(name, args.src.resolve(), args.cap)
        print(f"{name[:50]:50} {m['seconds']:7.2f} {m['peak_mib']:9.0f} {m['peak_mib'] - m['base_mib']:8.0f}  "
              f"{m['outcome'][:110]}", flush=True)


if __name__ == "__main__":
    main()
