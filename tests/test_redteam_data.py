"""Red team, part 2: hostile values (lying objects, NaN, huge or deep data, pickles, forged replies, patches).

Only plain data crosses from the worker to the grader, decoded without
pickle and with limits; anything else stays in the worker as a handle, so
no value the student builds is ever compared, converted or unpickled in the
grading process.  Each hostile file keeps exactly what its honest part
earns (see tests/test_redteam.py for the helpers and the checks).
"""
from __future__ import annotations

import pytest

from tests.test_redteam import (
    FORWARD_POINTS, FULL_POINTS, SHORT, SOLUTION, WRONG_BACKWARD_POINTS, at_import, make_scene, run_case,
    with_backward,
)


@pytest.fixture
def scene(tmp_path, monkeypatch):
    yield from make_scene(tmp_path, monkeypatch)


LIARS = """
class Liar:
    shape = (4, 5)
    dtype = "float64"
    ndim = 2
    size = 20
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return True
    def __le__(self, other): return True
    def __gt__(self, other): return False
    def __ge__(self, other): return True
    def __sub__(self, other): return 0.0
    def __rsub__(self, other): return 0.0
    def __abs__(self): return 0.0
    def __float__(self): return 0.0
    def __len__(self): return 3
    def __bool__(self): return True
    def __hash__(self): return 0
    def __array__(self, *args, **kwargs):
        import numpy as np
        return np.zeros(self.shape)
    def __getattr__(self, name): return self
    def __call__(self, *args, **kwargs): return self
    def __iter__(self): return iter([self, self, self])
    def __getitem__(self, item): return self
"""

LYING_BACKWARDS = {
    "a lying object": "return Liar()",
    "a tuple of lying objects": "return Liar(), Liar(), Liar()",
    "a lying ndarray subclass": """
        import numpy as np
        class Lying(np.ndarray):
            def __eq__(self, other): return np.ones(np.shape(other), bool)
            def __sub__(self, other): return np.zeros(np.shape(other))
            def __array__(self, *args, **kwargs): return np.asarray(self)
        x, w, _ = cache
        return tuple(np.zeros(a.shape).view(Lying) for a in (x, w, w[0]))
    """,
    "a float subclass": """
        class F(float):
            def __eq__(self, other): return True
            def __sub__(self, other): return F(0.0)
            def __abs__(self): return F(0.0)
            def __lt__(self, other): return True
            def __le__(self, other): return True
        return F(1.0), F(1.0), F(1.0)
    """,
    "a list holding liars": "return [Liar()] * 3",
    "a dict holding liars": "return {'dx': Liar(), 'dw': Liar(), 'db': Liar()}",
    "an object array": ("import numpy as np\nx, w, _ = cache\n"
                        "return tuple(np.full(a.shape, 0.0, dtype=object) for a in (x, w, w[0]))"),
    "complex numbers": ("import numpy as np\nx, w, _ = cache\n"
                        "return dout @ w.T + 0j, x.T @ dout + 0j, dout.sum(axis=0) + 0j"),
    "a structured array": "import numpy as np\nreturn tuple(np.zeros(3, dtype=[('a', 'f8')]) for _ in range(3))",
    "the student's own module": "import sys\nreturn sys.modules[__name__], sys, Liar",
}


@pytest.mark.parametrize("case", list(LYING_BACKWARDS))
def test_lying_return_values_earn_nothing(scene, case):
    graded = run_case(scene, with_backward(LYING_BACKWARDS[case], LIARS))
    assert graded.score == WRONG_BACKWARD_POINTS
    assert not any(t["status"] == "passed" for name, t in graded.tests.items() if name.startswith("affine_backward:"))


def test_lying_forward_keeps_only_the_honest_backward_points(scene):
    source = LIARS + "\n" + SOLUTION.replace("return x @ w + b, (x, w, b)", "return Liar(), (x, w, b)")
    graded = run_case(scene, source)
    for name, test in graded.tests.items():
        if name.startswith("affine_forward:") or name.startswith("affine_backward:"):
            assert test["status"] == "failed", name  # every gradient test needs a real `out` first
    assert graded.score == 1  # the no-mutation test: true of this file


NON_FINITE = {
    "NaN gradients": ("import numpy as np\nx, w, _ = cache\n"
                      "return np.full(x.shape, np.nan), np.full(w.shape, np.nan), np.full(w.shape[1], np.nan)"),
    "inf gradients": ("import numpy as np\nx, w, _ = cache\n"
                      "return np.full(x.shape, np.inf), np.full(w.shape, -np.inf), np.full(w.shape[1], np.inf)"),
    "NaN floats": "return float('nan'), float('nan'), float('nan')",
}


@pytest.mark.parametrize("case", list(NON_FINITE))
def test_nan_and_inf_answers_fail(scene, case):
    graded = run_case(scene, with_backward(NON_FINITE[case]))
    assert graded.score == WRONG_BACKWARD_POINTS


def test_nan_forward_fails_its_tests_but_not_an_honest_backward(scene):
    source = SOLUTION.replace("return x @ w + b, (x, w, b)", "return (x @ w + b) * float('nan'), (x, w, b)")
    graded = run_case(scene, source)
    assert graded.tests["affine_forward: out matches the reference"]["status"] == "failed"
    assert "must stay finite" in graded.tests["affine_forward: out matches the reference"]["output"]
    assert graded.score == FULL_POINTS - FORWARD_POINTS


# Too big or too deep to cross: "returned something that cannot be graded".
REFUSED_VALUES = {
    "a 2 GiB broadcast array": "import numpy as np\nreturn np.broadcast_to(np.zeros(1), (2**28,)), 0, 0",
    "a 300 MiB array": "import numpy as np\nreturn np.zeros(300 * 2**17), 0, 0",
    "a 300 MiB string": "return 'x' * (300 * 2**20), 0, 0",
    "a list nested 100,000 deep": "v = []\nfor _ in range(100000):\n    v = [v]\nreturn v",
    "a list that holds itself": "v = []\nv.append(v)\nreturn v, v, v",
    "a million items": "return list(range(10**6)), 0, 0",
}
# Not plain data: they stay in the worker, and the grader gets a handle that is no array.
KEPT_AS_HANDLES = {
    "a dict with tuple keys": "return {(1, 2): 3}, 0, 0",
    "a generator": "return (i for i in range(3))",
    "a memoryview": "return memoryview(b'x' * 100), 0, 0",
}


@pytest.mark.parametrize("case", list(REFUSED_VALUES))
def test_huge_and_deep_values_are_refused(scene, case):
    graded = run_case(scene, with_backward(REFUSED_VALUES[case]))
    assert graded.score == FORWARD_POINTS
    assert "returned something that cannot be graded" in graded.messages()


@pytest.mark.parametrize("case", list(KEPT_AS_HANDLES))
def test_other_values_stay_in_the_worker(scene, case):
    graded = run_case(scene, with_backward(KEPT_AS_HANDLES[case]))
    assert graded.score == WRONG_BACKWARD_POINTS
    assert "in the sandbox>" in graded.messages()


def test_huge_but_legal_array_is_graded_and_fails(scene):
    graded = run_case(scene, with_backward("import numpy as np\nreturn np.zeros(4 * 2**20), 0, 0"))
    assert graded.score == WRONG_BACKWARD_POINTS
    assert "dx has shape (4194304,)" in graded.messages()


PICKLE_BOMB = """
import os
class Evil:
    def __reduce__(self):
        return (exec, ("open('{tmp}/late-{token}', 'w').write('unpickled in the grader')",))
    def __reduce_ex__(self, protocol):
        return self.__reduce__()
    def __getstate__(self):
        open('{tmp}/late-{token}', 'w').write('pickled')
        return {}
"""


@pytest.mark.parametrize("returned", ["Evil()", "Evil(), Evil(), Evil()",
                                      "__import__('numpy').array([Evil()] * 3, dtype=object), 0, 0",
                                      "{'dx': Evil()}"])
def test_objects_whose_unpickling_runs_code_are_never_unpickled(scene, returned):
    graded = run_case(scene, with_backward(f"return {returned}", PICKLE_BOMB))
    assert graded.score == WRONG_BACKWARD_POINTS
    assert not (scene.tmp / f"late-{scene.token}").exists()


MONKEYPATCHES = """
import builtins, math, numpy as np, numpy.testing
np.allclose = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.broadcast(a, b).shape, bool)
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_equal = lambda *a, **k: None
np.isfinite = lambda a: np.ones(np.shape(a), bool)
np.abs = np.absolute = lambda a: np.zeros(np.shape(a))
math.isclose = lambda *a, **k: True
try:
    import pytest
    pytest.approx = lambda expected, *a, **k: expected
    pytest.fail = lambda *a, **k: None
except ImportError:
    pass
import sys, types
sys.modules["grader"] = types.ModuleType("grader")
sys.modules["grader.checks"] = types.SimpleNamespace(assert_close=lambda *a, **k: None, rel_error=lambda *a: 0.0)
"""


ZEROS = "import numpy as np\nx, w, _ = cache\nreturn np.zeros(x.shape), np.zeros(w.shape), np.zeros(w.shape[1])"


def test_monkeypatching_numpy_and_pytest_only_affects_the_worker(scene):
    graded = run_case(scene, with_backward(ZEROS, MONKEYPATCHES))
    assert graded.score == WRONG_BACKWARD_POINTS


def test_mutating_arguments_cannot_be_hidden_by_patching_numpy(scene):
    prelude = ("import numpy as np\nnp.array_equal = lambda *a, **k: True\n"
               "np._core.numeric.array_equal = np.array_equal\n")
    body = "x, w, _ = cache\ndout *= 2\nreturn dout @ w.T, x.T @ dout, dout.sum(axis=0)"
    graded = run_case(scene, with_backward(body, prelude))
    no_mutation = graded.tests["affine_forward and affine_backward leave their arguments unchanged"]
    assert no_mutation["output"] == "affine_backward changed its argument dout in place; compute new arrays instead"
    assert graded.score < FULL_POINTS


def test_patching_builtins_breaks_only_the_students_own_worker(scene):
    prelude = "import builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.len = lambda a: 0\n"
    graded = run_case(scene, with_backward(ZEROS, prelude))
    assert graded.score <= WRONG_BACKWARD_POINTS
    assert "broke down" in graded.messages() or "could not" in graded.messages()


def test_monkeypatching_the_worker_itself_earns_nothing(scene):
    prelude = """
    import sys
    wire = sys.modules.get("dlx_sandbox.wire")
    if wire is not None:
        wire.NUMERIC_KINDS = "biufcOSUV"
        wire.MAX_DEPTH = 10**6
    for module in ("dlx_sandbox.serve", "dlx_sandbox.guard"):
        for name in ("OPERATORS", "PROCESS_EVENTS", "NETWORK_EVENTS", "REFUSED_EVENTS", "CHANGE_EVENTS"):
            if hasattr(sys.modules.get(module), name):
                setattr(sys.modules[module], name, type(getattr(sys.modules[module], name))())
    """
    body = "import os\nos.fork()\nreturn 0"
    graded = run_case(scene, with_backward(body, prelude))
    assert graded.score == FORWARD_POINTS  # the hook keeps its own copies: the fork is refused all the same
    assert "may not start or signal processes" in graded.messages()


FORGERY = """
import sys
wire = sys.modules["dlx_sandbox.wire"]
frame = sys._getframe()
while frame is not None and "worker" not in frame.f_locals:
    frame = frame.f_back
fd = frame.f_locals["worker"].reply_fd
import numpy as np

fake = {"ok": True, "v": [np.zeros((4, 3)), {"A": 0}], "mut": [], "w": []}
wire.write_frame(fd, wire.encode({"ok": True, "v": ["affine_forward", "affine_backward"]}))
for _ in range(40):
    wire.write_frame(fd, wire.encode(fake))
"""


def test_forged_replies_on_the_reply_pipe_earn_nothing(scene):
    graded = run_case(scene, at_import(FORGERY))
    assert graded.score <= FORWARD_POINTS


def test_garbage_on_the_reply_pipe_is_a_crash(scene):
    prelude = FORGERY.split("import numpy")[0] + "import os\nos.write(fd, b'\\xff' * 64)\n"
    graded = run_case(scene, at_import(prelude))
    assert graded.score == 0
    messages = graded.messages()
    assert "unreadable" in messages or "stopped answering" in messages or "could not" in messages


def test_forged_huge_frame_header_times_out(scene, monkeypatch):
    prelude = FORGERY.split("import numpy")[0] + "import os, struct\nos.write(fd, struct.pack('<Q', 2**28))\n"
    graded = run_case(scene, at_import(prelude), monkeypatch, SHORT)
    assert graded.score == 0 and graded.seconds < 15


HOSTILE_EXCEPTIONS = {
    "a huge message": "raise ValueError('x' * 10**7)",
    "an unprintable exception": "class E(Exception):\n    def __str__(self): raise RuntimeError('no')\nraise E()",
    "an exception named Feedback": "class Feedback(AssertionError): pass\nraise Feedback('all tests passed')",
    "a flood of warnings": "import warnings\nfor i in range(10**5):\n    warnings.warn('w' * 1000 + str(i))\nreturn 0",
    "KeyboardInterrupt": "raise KeyboardInterrupt",
    "GeneratorExit": "raise GeneratorExit",
}


@pytest.mark.parametrize("case", list(HOSTILE_EXCEPTIONS))
def test_hostile_exceptions_and_warnings(scene, case):
    graded = run_case(scene, with_backward(HOSTILE_EXCEPTIONS[case]))
    assert graded.score == (WRONG_BACKWARD_POINTS if "warnings" in case else FORWARD_POINTS)
    assert len(graded.text) < 200_000


def test_arrays_keep_shape_and_values_whatever_their_layout():
    import numpy as np

    from grader.sandbox import wire

    for array in (np.array(3.5), np.arange(6.0).reshape(2, 3).T, np.arange(10)[::3], np.ones((2, 2), dtype=">f8")):
        back = wire.decode(wire.encode({"x": array}))["x"]
        assert back.shape == array.shape and np.array_equal(back, array)
