"""Instant start: the CLI loads only what a command needs (timings are in benchmarks/bench_cli.py, not here)."""
import json
import os
import subprocess
import sys

import pytest

HEAVY = ("numpy", "pytest", "rich", "grader.runner", "grader.sandbox.client")
PROBE = """
import json, sys
from grader.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--version"], ["list"], ["list", "--json"], ["hint", "affine"],
                                  ["--lang", "zh", "list"], ["config", "lang"]])
def test_light_commands_import_nothing_heavy(tmp_path, args):
    result = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *args], capture_output=True, text=True,
                            env={**os.environ, "DLX_HOME": str(tmp_path)}, timeout=60)
    loaded = json.loads(result.stderr.strip().splitlines()[-1])
    allowed = {"rich"} if args[0] == "hint" else set()  # hints are printed with rich markup
    assert set(loaded) <= allowed, f"`dlx {' '.join(args)}` imported {loaded}"
