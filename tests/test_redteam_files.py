"""Red team, part 3: files, the network, the hidden suites and autodiff libraries.

A conftest.py beside the submission, fake results files, tampering with the
grader's or the student's files, connections to 127.0.0.1, searching the disk
for the hidden suites, and a NumPy backward that secretly uses torch.  See
tests/test_redteam.py for the helpers and the checks every case goes through.
"""
from __future__ import annotations

import json
import socket
import threading

import pytest

from grader.catalog import get
from tests.test_redteam import (
    FORWARD_POINTS, FULL_POINTS, SOLUTION, WRONG_BACKWARD_POINTS, at_import, check_aftermath, dlx, make_scene,
    run_case, submit, with_backward,
)


@pytest.fixture
def scene(tmp_path, monkeypatch):
    yield from make_scene(tmp_path, monkeypatch)


HONEST_BACKWARD = "x, w, _ = cache\nreturn dout @ w.T, x.T @ dout, dout.sum(axis=0)"
SECRETS = ("Hidden suite for `affine`", "def test_backward_single_row", "check_layer_gradient(submission",
           "Reference for `affine`")


# -- the student's folder is not the grader's -------------------------------------------------------------
CONFTEST = """
import pathlib
pathlib.Path("{tmp}/late-{token}").write_text("conftest.py was loaded by the grader")
import pytest

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"

def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.points(1000))
"""


@pytest.mark.parametrize("command", ["submit", "check", "grade"])
def test_conftest_beside_the_submission_is_never_loaded(scene, command, monkeypatch):
    (scene.student / "conftest.py").write_text(scene.fill(CONFTEST))
    (scene.student / "pytest.ini").write_text("[pytest]\naddopts = -p conftest --noconftest -x\n")
    (scene.student / "sitecustomize.py").write_text(scene.fill(CONFTEST.split("import pytest")[0]))
    monkeypatch.chdir(scene.student)  # dlx runs from the student's folder
    before = scene.snapshot()
    stub = get("affine").stub.read_text()
    if command == "submit":
        out, latest = submit(scene, stub)
        assert latest == 0 and "score 0/10" in out
    else:
        scene.file.write_text(stub)
        args = ["check", "affine", "--dir", str(scene.student)] if command == "check" else \
            ["grade", "affine", str(scene.file), "--json"]
        code, out = dlx(*args)
        assert code == 0
        assert "not implemented yet" in out
        if command == "grade":
            assert json.loads(out)["score"] == 0
    assert not (scene.tmp / f"late-{scene.token}").exists(), "the student's conftest.py was loaded"
    check_aftermath(scene, before, stub)


# -- fake results and tampering ------------------------------------------------------------------------------
FAKE_RESULTS = """
import json, os, sqlite3
fake = json.dumps({"score": 10, "max_score": 10, "tests": []})
written = []
for path in ["{student}/results-{token}.json", "{home}/results-{token}.json", "{cwd}/results-{token}.json",
             "/tmp/dlx-redteam-{token}", "{student}/affine.py", "{home}/gradebook.sqlite3", "results.json"]:
    try:
        with open(path, "a") as f:
            f.write(fake)
        written.append(path)
    except OSError as exc:
        pass
try:
    db = sqlite3.connect("{home}/gradebook.sqlite3")
    db.execute("insert into attempts values (1, 'exercise', 'affine', 10, 10)")
    db.commit()
    written.append("gradebook")
except Exception:
    pass
print("WRITTEN", written)
"""


def test_fake_results_files_and_gradebook_entries(scene):
    source = with_backward(FAKE_RESULTS + "\n" + HONEST_BACKWARD)
    submit(scene, SOLUTION)  # a gradebook to tamper with
    before = scene.snapshot()
    out, latest = submit(scene, source)
    assert latest == FULL_POINTS  # the honest backward's points; nothing else
    check_aftermath(scene, before, source)
    code, score = dlx("score", "--json")
    item = next(i for i in json.loads(score)["items"] if i["id"] == "affine")
    assert item["attempts"] == 2


def test_results_written_in_the_workers_own_folder_are_ignored(scene):
    body = "open('results.json', 'w').write('{\"score\": 10}')\nreturn 0"
    graded = run_case(scene, with_backward(body))
    assert graded.score == WRONG_BACKWARD_POINTS


TAMPER = """
import os, shutil, pathlib
targets = ["{root}/solutions/affine.py", "{root}/grader/suites/test_affine.py", "{root}/grader/sandbox/worker.py",
           "{root}/grader/proxy.py", "{student}/affine.py", "{student}/notes.txt", "{home}/gradebook.sqlite3"]
try:
    import grader
    targets.append(os.path.join(os.path.dirname(grader.__file__), "suites", "test_affine.py"))
except Exception:
    pass
done = []
for target in targets:
    for name, action in [
        ("write", lambda: open(target, "w").write("def test_free_points(): pass\\n")),
        ("append", lambda: open(target, "a").write("\\n# tampered\\n")),
        ("chmod", lambda: os.chmod(target, 0o777)),
        ("utime", lambda: os.utime(target, (0, 0))),
        ("truncate", lambda: os.truncate(target, 0)),
        ("rename", lambda: os.rename(target, target + ".bak")),
        ("remove", lambda: os.remove(target)),
        ("symlink", lambda: os.symlink("/dev/null", target + ".lnk")),
    ]:
        try:
            action()
            done.append((name, target))
        except Exception:
            pass
for folder in ["{student}", "{home}", "{root}/grader/suites"]:
    try:
        shutil.rmtree(folder)
        done.append(("rmtree", folder))
    except Exception:
        pass
print("TAMPERED", done)
"""


def test_tampering_with_the_graders_and_the_students_files(scene):
    submit(scene, SOLUTION)
    source = with_backward(TAMPER + "\n" + HONEST_BACKWARD)
    before = scene.snapshot()
    out, latest = submit(scene, source)
    assert latest == FULL_POINTS
    check_aftermath(scene, before, source)


def test_tampering_at_import(scene):
    graded = run_case(scene, at_import(TAMPER))
    assert graded.score == FULL_POINTS
    assert "TAMPERED []" in graded.output


# -- the network ------------------------------------------------------------------------------------------
class Listener:
    """A TCP and a UDP socket on 127.0.0.1 that record every connection or datagram."""

    def __init__(self):
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(16)
        self.tcp.settimeout(0.2)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.settimeout(0.2)
        self.port, self.udp_port = self.tcp.getsockname()[1], self.udp.getsockname()[1]
        self.seen: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.stop.is_set():
            for sock, kind in ((self.tcp, "tcp"), (self.udp, "udp")):
                try:
                    if kind == "tcp":
                        conn, addr = sock.accept()
                        conn.close()
                    else:
                        _, addr = sock.recvfrom(1024)
                    self.seen.append(f"{kind} from {addr}")
                except (socket.timeout, OSError):
                    pass

    def close(self) -> list[str]:
        self.stop.set()
        self.thread.join(timeout=2)
        self.tcp.close()
        self.udp.close()
        return self.seen


NETWORK = """
import socket, errno
errors = []
def attempt(name, action):
    try:
        action()
        errors.append(name + ": CONNECTED")
    except Exception as exc:
        errors.append(name + ": " + type(exc).__name__ + ": " + str(exc))
def tcp():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(1)
    s.connect(("127.0.0.1", PORT))
def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"hello", ("127.0.0.1", UDP_PORT))
def create():
    socket.create_connection(("127.0.0.1", PORT), timeout=1)
def url():
    import urllib.request
    urllib.request.urlopen("http://127.0.0.1:%d/" % PORT, timeout=1)
def raw_socket():
    import _socket
    s = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
    s.connect(("127.0.0.1", PORT))
for name, action in [("tcp", tcp), ("udp", udp), ("create_connection", create), ("urllib", url),
                     ("_socket", raw_socket)]:
    attempt(name, action)
print("NETWORK", errors)
"""


def test_no_connection_to_127_0_0_1(scene):
    listener = Listener()
    try:
        network = NETWORK.replace("UDP_PORT", str(listener.udp_port)).replace("PORT", str(listener.port))
        graded = run_case(scene, with_backward(network + "\n" + HONEST_BACKWARD, network))
    finally:
        seen = listener.close()
    assert not seen, f"the submission reached the listener: {seen}"
    assert graded.score == FULL_POINTS
    assert "CONNECTED" not in graded.output
    assert "has no network access" in graded.output


# -- the hidden suites -----------------------------------------------------------------------------------
SEARCH = """
import os, sys, importlib.util

found = {}
candidates = ["{root}/grader/suites/test_affine.py", "{root}/solutions/affine.py"]
for name in ("grader", "grader.suites"):
    try:
        spec = importlib.util.find_spec(name)
        if spec and spec.origin:
            candidates.append(os.path.join(os.path.dirname(spec.origin), "suites", "test_affine.py"))
    except Exception:
        pass
for path in sys.path + ["/usr/local/lib", "/opt", "/srv", "/home", "/root", "/work", "/tmp", "/"]:
    for dirpath, dirnames, filenames in os.walk(path):
        if dirpath.count("/") - path.count("/") >= 4:
            dirnames[:] = [d for d in dirnames if d in ("grader", "suites", "solutions", "bank")]
        for name in filenames:
            if name in ("test_affine.py", "affine.py") and "dlx-work" not in dirpath:
                candidates.append(os.path.join(dirpath, name))
        if len(candidates) > 200:
            break
for path in candidates:
    try:
        with open(path) as f:
            text = f.read()
        if "Hidden suite" in text or "Reference" in text:
            found[path] = text
    except Exception:
        pass
print("FOUND", len(found), sorted(found))
for text in found.values():
    print(text)
    try:
        open("/tmp/dlx-redteam-{token}", "a").write(text)
    except Exception:
        pass
LOOT = "\\n".join(found.values())
"""


def test_searching_the_disk_for_the_hidden_suites(scene):
    source = with_backward("return LOOT or 'nothing found', LOOT, LOOT", SEARCH)
    before = scene.snapshot()
    out, latest = submit(scene, source)
    check_aftermath(scene, before, source)
    assert latest == WRONG_BACKWARD_POINTS
    assert "FOUND 0" in out or "FOUND" not in out
    gradebook = (scene.home / "gradebook.sqlite3").read_bytes().decode("latin-1")
    for secret in SECRETS:
        assert secret not in out and secret not in gradebook


# -- autodiff libraries in a NumPy exercise ---------------------------------------------------------------
TORCH_TRICKS = {
    "import": "import torch",
    "importlib": "import importlib\ntorch = importlib.import_module('torch')",
    "__import__": "torch = __import__('torch')",
    "exec": "exec('import torch')",
    "sys.modules": "import sys\ntorch = sys.modules['torch']",
    "a cleared meta_path": ("import sys, importlib\nsys.meta_path[:] = [f for f in sys.meta_path "
                            "if 'Refusing' not in type(f).__name__]\ntorch = importlib.import_module('torch')"),
    "a replaced __import__": ("import builtins, importlib\nbuiltins.__import__ = lambda name, *a, **k: "
                              "importlib.import_module(name)\nimport torch"),
    "spec_from_file_location": (
        "import importlib.util, os, sysconfig\n"
        "path = os.path.join(sysconfig.get_paths()['purelib'], 'torch', '__init__.py')\n"
        "spec = importlib.util.spec_from_file_location('not_torch', path)\n"
        "module = importlib.util.module_from_spec(spec)\nspec.loader.exec_module(module)"),
    "the extension module": (
        "import importlib.machinery, glob, os, sysconfig\n"
        "path = glob.glob(os.path.join(sysconfig.get_paths()['purelib'], 'torch', '_C*.so'))[0]\n"
        "importlib.machinery.ExtensionFileLoader('torch._C', path).create_module(None)"),
    "functorch": "import functorch",
    "jax": "import jax",
    "autograd": "import autograd",
}


@pytest.mark.parametrize("trick", list(TORCH_TRICKS))
def test_numpy_exercise_cannot_use_torch(scene, trick):
    body = TORCH_TRICKS[trick] + """
x, w, _ = cache
X = torch.tensor(x, requires_grad=True)
W = torch.tensor(w, requires_grad=True)
out = X @ W
out.backward(torch.tensor(dout))
return X.grad.numpy(), W.grad.numpy(), dout.sum(axis=0)
"""
    graded = run_case(scene, with_backward(body))
    assert graded.score == FORWARD_POINTS
    if trick in ("import", "importlib", "__import__", "exec", "a replaced __import__"):
        assert "torch may not be used in this exercise" in graded.messages()
    assert "requires_grad" not in graded.output
