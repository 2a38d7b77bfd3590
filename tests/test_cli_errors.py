"""No traceback from dlx, ever: bad input is one `dlx: ...` line on stderr and exit 2; Ctrl-C stops cleanly.

These run the installed `dlx` command in a subprocess, as a student would.
"""
import csv
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import reference_text

DLX = [shutil.which("dlx") or "dlx"]
PYTHON_M = [sys.executable, "-m", "grader"]  # the same command without the script on PATH
SOLUTION = reference_text("affine")
# A submission whose forward pass spins until the call deadline: grading is surely under way when Ctrl-C comes.
SLOW = SOLUTION.replace("def affine_forward(x, w, b):", "def affine_forward(x, w, b):\n    while True:\n        pass\n")


@pytest.fixture()
def env(tmp_path):
    return {**os.environ, "DLX_HOME": str(tmp_path / "home"), "PYTHONUNBUFFERED": "1"}


def run(args, env, cwd, timeout=60, **kwargs):
    return subprocess.run([*DLX, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, **kwargs)


def assert_one_line_error(result, *words):
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert lines and lines[-1].startswith("dlx: "), result.stderr
    for word in words:
        assert word in lines[-1], (word, lines[-1])


def without_dac_override(args):
    """Run as root without the right to write into read-only folders (or as is, for a normal user)."""
    if os.geteuid() != 0:
        return args
    if shutil.which("setpriv") is None:
        pytest.skip("needs setpriv to take root's file-permission override away")
    return ["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search", "--", *args]


def run_restricted(args, env, cwd):
    return subprocess.run(without_dac_override([*DLX, *args]), env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("args, words", [
    (["grade", "affine", "x.py", "--seed", "-1"], ["--seed", "-1"]),
    (["grade", "affine", "x.py", "--seed", str(2**70)], ["--seed"]),
    (["submit", "affine", "--seed", "-5"], ["--seed"]),
    (["quiz", "take", "nosuch"], ["unknown quiz bank"]),
    (["quiz", "take", "optim", "--seed", "-3"], ["--seed"]),
    (["grade", "nosuch", "x.py"], ["unknown exercise"]),
    (["nosuch"], ["No such command"]),
    (["check", "affine", "--bogus"], ["--bogus"]),
])
def test_bad_command_lines_are_one_line(tmp_path, env, args, words):
    (tmp_path / "x.py").write_text(SOLUTION)
    assert_one_line_error(run(args, env, tmp_path), *words)


@pytest.mark.parametrize("text, words", [
    ('{"vanishing": "a",', ["not valid JSON", "line 1"]),
    ('["a", "b"]', ["must hold a JSON object"]),
    (b"\xff\xfe{}", ["not UTF-8"]),
    ("[" * 100_000, ["not usable JSON"]),
])
def test_bad_quiz_answers_files_are_one_line(tmp_path, env, text, words):
    path = tmp_path / "answers.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    assert_one_line_error(run(["quiz", "take", "init", "--answers", "answers.json"], env, tmp_path), *words)
    assert_one_line_error(run(["quiz", "take", "init", "--answers", "missing.json"], env, tmp_path), "does not exist")
    assert_one_line_error(run(["quiz", "take", "init", "--json"], env, tmp_path), "--json needs --answers")
    assert_one_line_error(run(["quiz", "take", "init", "--seed", "4", "--new-variant"], env, tmp_path), "not both")


def test_course_commands_bad_input_is_one_line(tmp_path, env):
    pytest.importorskip("sqlalchemy", reason="the course server needs the server extra: pip install 'dlx[server]'")
    (tmp_path / "course.toml").write_text("[course\n")
    assert_one_line_error(run(["course", "check", "course.toml"], env, tmp_path), "course.toml")
    assert_one_line_error(run(["login", "ftp://example.org", "--code", "c"], env, tmp_path), "not an http(s) URL")


def test_python_m_grader_is_the_dlx_command(tmp_path, env):
    version = subprocess.run([*PYTHON_M, "--version"], env=env, capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("dlx, version "), version.stdout + version.stderr
    listed = subprocess.run([*PYTHON_M, "quiz", "list", "--json"], env=env, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0 and '"id": "init"' in listed.stdout, listed.stderr
    failed = subprocess.run([*PYTHON_M, "quiz", "take", "nosuch"], env=env, cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert_one_line_error(failed, "unknown quiz bank")


def test_bad_files(tmp_path, env):
    os.mkfifo(tmp_path / "fifo.py")
    (tmp_path / "folder" / "affine.py").mkdir(parents=True)
    with open(tmp_path / "big.py", "wb") as f:
        f.truncate(50 * 2**20)
    (tmp_path / "latin1.py").write_bytes(SOLUTION.encode() + b'\nname = "Ren\xe9"\n')
    assert_one_line_error(run(["grade", "affine", "/dev/zero"], env, tmp_path, timeout=20), "not a regular file")
    assert_one_line_error(run(["grade", "affine", "fifo.py"], env, tmp_path, timeout=20), "not a regular file")
    assert_one_line_error(run(["grade", "affine", "folder/affine.py"], env, tmp_path), "folder")
    assert_one_line_error(run(["check", "affine", "--dir", "folder"], env, tmp_path), "folder")
    assert_one_line_error(run(["grade", "affine", "big.py"], env, tmp_path), "larger than 1 MiB")
    assert_one_line_error(run(["grade", "affine", "latin1.py"], env, tmp_path), "not UTF-8", "line")
    assert_one_line_error(run(["grade", "affine", "missing.py"], env, tmp_path), "does not exist")


def test_a_file_with_a_bom_is_graded_like_python_runs_it(tmp_path, env):
    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbf" + SOLUTION.encode())
    result = run(["grade", "affine", "bom.py"], env, tmp_path)
    assert result.returncode == 0 and "score 10/10" in result.stdout, result.stdout + result.stderr


def test_dlx_home_that_is_a_file_or_read_only(tmp_path, env):
    (tmp_path / "file").write_text("")
    assert_one_line_error(run(["list"], {**env, "DLX_HOME": str(tmp_path / "file")}, tmp_path), "not a folder")
    readonly = tmp_path / "ro"
    readonly.mkdir()
    readonly.chmod(0o555)
    result = run_restricted(["score"], {**env, "DLX_HOME": str(readonly)}, tmp_path)
    assert_one_line_error(result, "read-only")
    assert "damaged" not in result.stderr


def test_missing_gradebook_is_created_never_called_damaged(tmp_path, env):
    result = run(["score"], {**env, "DLX_HOME": str(tmp_path / "new" / "home")}, tmp_path)
    assert result.returncode == 0 and "damaged" not in result.stdout + result.stderr


def test_damaged_gradebook_is_called_damaged(tmp_path, env):
    home = tmp_path / "home"
    home.mkdir()
    (home / "gradebook.sqlite3").write_bytes(b"this is not sqlite" * 100)
    assert_one_line_error(run(["score"], env, tmp_path), "damaged")


def test_read_only_dir_and_out(tmp_path, env):
    readonly = tmp_path / "ro"
    readonly.mkdir()
    readonly.chmod(0o555)
    assert_one_line_error(run_restricted(["fetch", "affine", "--dir", str(readonly)], env, tmp_path), "ro")
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "alice.py").write_text(SOLUTION)
    result = run_restricted(["grade-batch", "affine", str(subs), "--out", str(readonly / "g.csv")], env, tmp_path)
    assert_one_line_error(result, "cannot write")


def test_grade_batch_empty_folder_is_an_error(tmp_path, env):
    (tmp_path / "empty").mkdir()
    assert_one_line_error(run(["grade-batch", "affine", "empty"], env, tmp_path), "no submissions")


def test_grade_batch_csv_says_why_and_escapes_formulas(tmp_path, env):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "=HYPERLINK(1).py").write_text(SOLUTION)
    (subs / "bob.py").write_text("def broken(:\n")
    (subs / "carol.py").write_text("import torch\n" + SOLUTION)
    (subs / "dave.py").write_text(SOLUTION.replace("return x @ w + b", "return 0.5 * (x @ w + b)", 1))
    result = run(["grade-batch", "affine", "subs", "--out", "g.csv", "--workers", "1"], env, tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    rows = {r["student"]: r for r in csv.DictReader((tmp_path / "g.csv").open())}
    assert "'=HYPERLINK(1)" in rows and rows["'=HYPERLINK(1)"]["error"] == ""
    assert "SyntaxError" in rows["bob"]["error"]
    assert "torch" in rows["carol"]["error"]
    assert rows["dave"]["error"] and float(rows["dave"]["score"]) < 10


def _wait_for_worker(proc, timeout=30.0):
    """Wait until dlx has started a grading worker (a child process): grading is under way."""
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if children.exists() and children.read_text().split():
            time.sleep(0.3)
            return
        time.sleep(0.02)
    pytest.fail("dlx started no grading worker")


@pytest.mark.parametrize("command", ["submit", "check"])
def test_ctrl_c_stops_grading_records_nothing_and_exits_130(tmp_path, env, command):
    (tmp_path / "affine.py").write_text(SLOW)
    proc = subprocess.Popen([*DLX, command, "affine"], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    _wait_for_worker(proc)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert "did not finish" not in out + err  # stopped by Ctrl-C, not by the call's time limit
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in out + err and err.strip().splitlines()[-1].startswith("dlx: interrupted")
    assert (tmp_path / "affine.py").read_text() == SLOW
    assert {p.name for p in tmp_path.iterdir()} <= {"affine.py", "home"}  # no stray files
    score = run(["score", "--json"], env, tmp_path)
    assert '"attempts"' not in score.stdout  # nothing recorded


def test_ctrl_c_ends_watch(tmp_path, env):
    (tmp_path / "affine.py").write_text(SOLUTION)
    proc = subprocess.Popen([*DLX, "check", "affine", "--watch"], env=env, cwd=tmp_path, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split():
        time.sleep(0.05)
    time.sleep(2.0)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0 and "stopped watching" in out and "Traceback" not in out + err


def test_ctrl_c_in_grade_batch_prints_no_traceback_and_the_rerun_resumes(tmp_path, env):
    subs = tmp_path / "subs"
    subs.mkdir()
    for i in range(3):
        (subs / f"fast{i}.py").write_text(SOLUTION)
    (subs / "slow.py").write_text(SLOW)
    proc = subprocess.Popen([*DLX, "grade-batch", "affine", "subs", "--out", "g.csv", "--workers", "1"], env=env,
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    cache = tmp_path / "g.csv.cache.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (cache.exists() and cache.read_text().count("\n") >= 3):
        time.sleep(0.05)
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)  # as the terminal does: the whole process group
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in out + err and "resume" in err.strip().splitlines()[-1]
    rerun = run(["grade-batch", "affine", "subs", "--out", "g.csv", "--workers", "1"], env, tmp_path, timeout=120)
    assert rerun.returncode == 0 and "Graded 4 submissions" in rerun.stdout
    lines = cache.read_text().splitlines()
    assert sum('"student": "fast' in line for line in lines) == 3  # the fast ones were not graded again


def test_an_output_file_that_is_a_fifo_is_refused_before_anything_is_written(tmp_path, env):
    """A FIFO (or a device: as root, /dev/full was once replaced by the CSV) where dlx writes is one line."""
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "alice.py").write_text(SOLUTION)
    for name in ("g.csv", "h.csv.cache.jsonl", "bundle.zip", "json/alice.json"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        os.mkfifo(tmp_path / name)
    assert_one_line_error(run(["grade-batch", "affine", "subs", "--out", "g.csv"], env, tmp_path, timeout=30),
                          "g.csv", "not a regular file")
    assert_one_line_error(run(["grade-batch", "affine", "subs", "--out", "h.csv"], env, tmp_path, timeout=30),
                          "h.csv.cache.jsonl", "not a regular file")
    result = run(["grade-batch", "affine", "subs", "--out", "j.csv", "--json-dir", "json"], env, tmp_path, timeout=60)
    assert_one_line_error(result, "alice.json", "not a regular file")
    assert_one_line_error(run(["gradescope", "build", "affine", "--out", "bundle.zip"], env, tmp_path, timeout=30),
                          "bundle.zip", "not a regular file")
    assert_one_line_error(run(["grade-batch", "affine", "nosuch"], env, tmp_path), "nosuch", "does not exist")
    if importlib.util.find_spec("matplotlib") is not None:  # the pictures' report beside the student's file
        (tmp_path / "affine.py").write_text(SOLUTION)
        os.mkfifo(tmp_path / "affine_plots.html")
        assert_one_line_error(run(["check", "affine", "--plots"], env, tmp_path, timeout=60),
                              "affine_plots.html", "not a regular file")


def test_a_course_file_that_is_a_fifo_does_not_hang(tmp_path, env):
    pytest.importorskip("sqlalchemy", reason="the course server needs the server extra: pip install 'dlx[server]'")
    os.mkfifo(tmp_path / "course.toml")
    (tmp_path / "latin1.toml").write_bytes(b'[course]\nname = "Ren\xe9"\n')
    for command in (["course", "check", "course.toml"], ["serve", "course.toml"]):
        assert_one_line_error(run(command, env, tmp_path, timeout=30), "course.toml", "not a regular file")
    assert_one_line_error(run(["course", "check", "latin1.toml"], env, tmp_path), "latin1.toml", "not UTF-8")


def test_an_nbgrader_assignment_must_be_a_folder_name(tmp_path, env):
    pytest.importorskip("nbformat", reason="nbgrader export needs the nbgrader extra: pip install 'dlx[nbgrader]'")
    for name in ("../../elsewhere", "", "..", "a/b"):
        result = run(["nbgrader", "export", "course", "--assignment", name, "affine"], env, tmp_path)
        assert_one_line_error(result, "--assignment must be a folder name")
    assert not (tmp_path / "elsewhere").exists() and not (tmp_path / "course").exists()


@pytest.mark.parametrize("url", ["http://[::1", "http://exa mple.org", "http://localhost:99999", "http://",
                                 "http://" + "a" * 300 + ".org", "http://localhost:1/\x01"])
def test_a_login_url_no_server_can_have_is_one_line(tmp_path, env, url):
    assert_one_line_error(run(["login", url, "--code", "c"], env, tmp_path), "not a usable URL")


def test_a_host_and_port_without_scheme_is_an_http_url(tmp_path, env):
    result = run(["login", "localhost:1", "--code", "c"], env, tmp_path)
    assert_one_line_error(result, "cannot reach the course server at http://localhost:1")


def test_usage_errors_spanning_lines_are_one_line_and_a_group_alone_shows_its_help(tmp_path, env):
    assert_one_line_error(run(["config"], env, tmp_path), "missing argument 'KEY'", "lang")  # click's "Choose from:\n\t"
    for group in ([], ["quiz"], ["nbgrader"]):
        result = run(group, env, tmp_path)
        assert result.returncode == 2 and result.stderr.startswith("Usage: dlx"), result.stderr
        assert "dlx: Usage" not in result.stderr and "Commands:\n" in result.stderr


@pytest.mark.parametrize("entry", ["python -m grader", "dlx"])
def test_ctrl_c_while_dlx_is_loading_is_one_line(entry, monkeypatch, capsys):
    import builtins
    import runpy

    from grader import launch

    real_import = builtins.__import__

    def interrupted_import(name, globals=None, locals=None, fromlist=(), level=0):
        if name == "cli" and level == 1 and (globals or {}).get("__package__") == "grader":
            raise KeyboardInterrupt  # as if Ctrl-C came while click, NumPy and the CLI load
        return real_import(name, globals, locals, fromlist, level)

    monkeypatch.setattr(builtins, "__import__", interrupted_import)
    monkeypatch.setattr(sys, "argv", ["dlx", "score"])
    with pytest.raises(SystemExit) as stopped:
        if entry == "dlx":
            launch.main()
        else:
            runpy.run_module("grader", run_name="__main__")
    assert stopped.value.code == 130
    assert capsys.readouterr().err == "dlx: interrupted; nothing was recorded\n"


def test_grade_batch_errors_come_before_the_progress_bar(tmp_path, env):
    (tmp_path / "empty").mkdir()
    result = run(["grade-batch", "affine", "empty"], env, tmp_path)
    assert_one_line_error(result, "no submissions")
    assert result.stdout == ""  # no progress bar of a batch that never starts


COURSE_FILE = """[course]
name = "bad input"
[[assignment]]
id = "hw1"
exercises = ["affine"]
opens = 2026-03-01T00:00:00+01:00
due = 2030-01-01T00:00:00+00:00
"""


def test_serve_and_worker_with_an_unusable_port_host_database_or_queue_are_one_line(tmp_path, env):
    pytest.importorskip("sqlalchemy", reason="the course server needs the server extra: pip install 'dlx[server]'")
    import socket

    (tmp_path / "course.toml").write_text(COURSE_FILE)
    serve = ["serve", "course.toml", "--data", "data"]
    assert_one_line_error(run([*serve, "--port", "99999"], env, tmp_path), "--port", "99999")
    assert_one_line_error(run([*serve, "--host", "no such host"], env, tmp_path), "cannot listen on no such host")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        assert_one_line_error(run([*serve, "--port", port], env, tmp_path), f"cannot listen on 127.0.0.1:{port}")
    for database in ("nosuch://x", "sqlite:////no/such/folder/course.db"):
        assert_one_line_error(run([*serve, "--database", database], env, tmp_path), "cannot use the database")
    pytest.importorskip("huey", reason="dlx worker needs the scale extra: pip install 'dlx[scale]'")
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        nobody = closed.getsockname()[1]
    worker = ["worker", "--queue", f"redis://127.0.0.1:{nobody}/0", "--database", "sqlite:///x.db",
              "--course", "course.toml"]
    assert_one_line_error(run(worker, env, tmp_path, timeout=30), "cannot reach the queue")
