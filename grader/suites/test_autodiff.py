"""Hidden suite for `autodiff`.

The student's ``Value`` objects stay in the sandbox.  Each test describes
expressions as *plans* (see ``grader.sandbox.trusted.run_plan``): the worker
builds a plan with the student's class and calls ``backward()``; the grading
process runs the same plan with the reference class and compares every
reported ``data`` and ``grad``.
"""
from grader.proxy import RemoteObject, TrustedFunction
from grader.i18n import _
from grader.checks import Feedback, as_float, build, chain_plan, fmt, plan_node, points, run_plan

DEEP = 10_000
RTOL, ATOL = 1e-7, 1e-10  # ATOL is relative to the largest value or gradient of the graph


# -- running and judging plans -------------------------------------------------------
def _node_names(plan, report):
    leaves = [i for i, step in enumerate(plan) if step[0] == "leaf"]
    leaf_names = dict(zip(leaves, ["x", "y", "z"] if len(leaves) <= 3 else [f"x{k}" for k in range(len(leaves))]))
    return [leaf_names.get(i, "out" if i == len(plan) - 1 else f"node {i}") for i in report]


def check_plan(submission, reference, case, plan, report=None, roots=None):
    """The student's ``Value`` gives the reference's data and grad for every reported node."""
    report = list(range(len(plan))) if report is None else report
    got = submission.call(TrustedFunction("value_plan"), submission.name("Value"), plan, report, roots,
                          label=f"Value ({case})")
    check_operations(case, plan, got)
    compare(case, got, run_plan(reference.Value, plan, report, roots), _node_names(plan, report))
    return got


SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "pow": "**"}


def describe_step(plan, k):
    """Step ``k`` of a plan as the student would write it: ``x * y``, ``2.5 - x``, ``node 4.exp()``."""
    names = _node_names(plan, range(len(plan)))
    op, *operands = plan[k]
    args = [names[o] if type(o) is int else fmt(o[0]) for o in operands]
    if op in SYMBOLS:
        return f"{args[0]} {SYMBOLS[op]} {args[1]}"
    if op == "neg":
        return f"-{args[0]}"
    return f"{args[0]}.{op}({', '.join(args[1:])})"


def check_operations(case, plan, got):
    """Every step of the plan returned a Value (the worker reports the first one that did not)."""
    if isinstance(got, dict) and type(got.get("step")) is int and 0 <= got["step"] < len(plan):
        returned = str(got.get("returned"))[:40]
        raise Feedback(_("Value ({case}): {step} returned {returned}; every operation must return a new Value").format(
            case=case, step=describe_step(plan, got['step']),
            returned='None' if returned == 'None' else _("a {type}").format(type=returned)))


def as_value(handle, expression):
    """``handle`` if the student's operation returned a Value (a handle), else a Feedback naming it."""
    if not isinstance(handle, RemoteObject):
        what = "None" if handle is None else f"{fmt(handle)} ({type(handle).__name__})"
        raise Feedback(_("Value: {expression} returned {what}; every operation must return a new Value").format(
                           expression=expression, what=what))
    return handle


def compare(case, got, expected, names):
    """Every ``(data, grad)`` pair in ``got`` matches ``expected``.

    ``case`` describes the expression for the student ("2.0 - x").  Values are
    compared with a relative tolerance plus a small absolute one, scaled to the
    graph, so that rounding in a cancellation cannot fail a correct answer.
    """
    if not isinstance(got, list) or len(got) != len(expected):  # only a broken sandbox could do this
        raise Feedback(_("Value ({case}): the graph could not be evaluated").format(case=case))
    scale = max([1.0] + [abs(v) for pair in expected for v in pair])
    for k, attr in enumerate(("data", "grad")):
        for name, g, e in zip(names, got, expected):
            value = as_float(g[k], f"Value ({case})", f"{name}.{attr}")
            if not abs(value - e[k]) <= RTOL * (abs(value) + abs(e[k])) + ATOL * scale:
                raise Feedback(_("Value ({case}): {name}.{attr}: expected {e}, got {value}").format(
                                   case=case, name=name, attr=attr, e=fmt(e[k]), value=fmt(value)))


def check_cases(submission, reference, cases):
    """``cases`` maps a description to a plan; each plan is checked in turn."""
    for case, plan in cases.items():
        check_plan(submission, reference, case, plan)


def _leaf(value):
    return ["leaf", float(value)]


def _both_sides(op, symbol, x, y, c):
    """The cases ``x op y``, ``x op c`` and ``c op x``: with Values, and with a number on either side."""
    return {f"x {symbol} y": [_leaf(x), _leaf(y), [op, 0, 1]], f"x {symbol} {c}": [_leaf(x), [op, 0, [c]]],
            f"{c} {symbol} x": [_leaf(x), [op, [c], 0]]}


def _away_from_zero(rng, low, high, size=None):
    """Uniform magnitudes in [low, high] with random signs."""
    return rng.uniform(low, high, size) * rng.choice([-1.0, 1.0], size)


def _number(rng):
    """A Python number for the other side of an operator: an int or a float."""
    if rng.random() < 0.5:
        return int(rng.integers(2, 6)) * int(rng.choice([-1, 1]))
    return round(float(_away_from_zero(rng, 0.5, 3)), 3)


# -- random expression graphs ---------------------------------------------------------
OPERATIONS = ("add", "sub", "mul", "truediv", "pow", "neg", "exp", "log", "tanh", "sigmoid", "relu", "maximum")


class GraphBuilder:
    """Grows a random plan whose every step uses the previous node (so each one reaches the
    output) and often an earlier node too (shared sub-expressions).  Values are tracked with
    the reference class so that no operation leaves its domain or lands near a kink."""

    def __init__(self, rng, value_cls, n_leaves=3):
        self.rng, self.value_cls = rng, value_cls
        self.plan, self.nodes = [], []
        for v in _away_from_zero(rng, 0.3, 2.0, n_leaves):
            self.push(_leaf(v))

    def push(self, step):
        self.plan.append(step)
        self.nodes.append(plan_node(self.value_cls, self.nodes, step))
        return len(self.nodes) - 1

    def value(self, i):
        return self.nodes[i].data

    def positive(self, i):
        """Node ``i``, or a node in (0.5, 1.5) computed from it when it is not safely positive."""
        if self.value(i) > 0.3:
            return i
        return self.push(["add", self.push(["sigmoid", i]), [0.5]])

    def other(self, prev, ok=lambda v: True):
        """An earlier node (or, if none fits ``ok``, a number) to combine with ``prev``."""
        choices = [i for i in range(prev) if ok(self.value(i))]
        if choices and self.rng.random() < 0.75:
            return int(self.rng.choice(choices))
        while True:
            c = _number(self.rng)
            if ok(c):
                return [c]

    def grow(self, op):
        prev = len(self.nodes) - 1
        if abs(self.value(prev)) > 5:
            prev = self.push(["tanh", prev])
        swap = self.rng.random() < 0.5
        if op in ("add", "sub", "mul"):
            other = self.other(prev)
            self.push([op, other, prev] if swap else [op, prev, other])
        elif op == "truediv":
            if swap:
                self.push([op, self.other(prev), self.positive(prev)])
            else:
                self.push([op, prev, self.other(prev, lambda v: abs(v) > 0.3)])
        elif op == "pow":
            k = [2, 3, -1, 0.5, 1.5, -2.5][int(self.rng.integers(6))]
            integral = k in (2, 3) and abs(self.value(prev)) > 0.1
            self.push([op, prev if integral else self.positive(prev), [k]])
        elif op == "log":
            self.push([op, self.positive(prev)])
        elif op == "exp":
            self.push([op, prev if self.value(prev) < 3 else self.push(["tanh", prev])])
        elif op == "relu":
            self.push([op, prev if abs(self.value(prev)) > 1e-3 else self.push(["add", prev, [0.5]])])
        elif op == "maximum":
            here = self.value(prev)
            self.push([op, prev, self.other(prev, lambda v: abs(v - here) > 1e-3)])
        else:
            self.push([op, prev])


def random_graph(rng, value_cls, rounds=2):
    """A random plan using every operation ``rounds`` times, in random order."""
    builder = GraphBuilder(rng, value_cls)
    for op in rng.permutation(OPERATIONS * rounds):
        builder.grow(str(op))
    return builder.plan


# -- the tests --------------------------------------------------------------------------
@points(1, id="data_and_grad_types")
def test_data_and_grad_types(submission, rng):
    """Value: data is stored as a float and grad starts at 0.0"""
    k = int(rng.integers(2, 10))
    v = submission.call(submission.name("Value"), k, label=f"Value({k})")
    data, grad = v.get("data"), v.get("grad")
    if type(data) is not float or data != k:
        raise Feedback(_("Value({k}).data should be the float {k2}; it is {data} ({type})").format(
                           k=k, k2=float(k), data=fmt(data), type=type(data).__name__))
    if type(grad) is not float or grad != 0.0:
        raise Feedback(_("Value({k}).grad should start as the float 0.0; it is {grad} ({type})").format(
                           k=k, grad=fmt(grad), type=type(grad).__name__))
    out = as_value(submission.op("mul", v, 2.0), "v * 2.0")
    grad = out.get("grad")
    if type(grad) is not float or grad != 0.0:
        raise Feedback(_("Value: (v * 2.0).grad should be 0.0 before backward(); it is {grad}").format(
                           grad=fmt(grad)))


@points(1, id="backward_seeds_one")
def test_backward_seeds_one(submission, reference, rng):
    """Value.backward: the output's own grad becomes 1; a second backward() adds to the inputs' grads again"""
    x, c = rng.uniform(-2, 2), _number(rng)
    check_plan(submission, reference, _("backward() on a leaf x"), [_leaf(x)])
    check_plan(submission, reference, f"x * {c}", [_leaf(x), ["mul", 0, [c]]], report=[1])
    leaf = submission.call(submission.name("Value"), float(x), label="Value")
    out = as_value(submission.op("mul", leaf, c), f"x * {c}")
    out.method("backward")
    out.method("backward")
    got = (out.get("grad"), leaf.get("grad"))
    if got != (1.0, 2 * c):
        raise Feedback(_("Value.backward: after z = x * {c} and z.backward() called twice, z.grad should be "
                         "1.0 (set, not added to) and x.grad {value} (added to each time); they are {got} and "
                         "{got2}").format(c=c, value=fmt(2 * c), got=fmt(got[0]), got2=fmt(got[1])))


@points(2, id="add_sub_neg")
def test_add_sub_neg(submission, reference, rng):
    """Value: +, - and unary -, with Values and with numbers on either side"""
    x, y = rng.uniform(-3, 3, 2)
    c = _number(rng)
    check_cases(submission, reference, {**_both_sides("add", "+", x, y, c), **_both_sides("sub", "-", x, y, c),
                                        "-x": [_leaf(x), ["neg", 0]]})


@points(2, id="mul_div")
def test_mul_div(submission, reference, rng):
    """Value: * and /, with Values and with numbers on either side"""
    x, y = _away_from_zero(rng, 0.5, 2.0, 2)
    c = _number(rng)
    check_cases(submission, reference, {**_both_sides("mul", "*", x, y, c), **_both_sides("truediv", "/", x, y, c)})


@points(2, id="pow")
def test_pow(submission, reference, rng):
    """Value: ** with int and float exponents, integer powers also at x = 0"""
    x = float(_away_from_zero(rng, 0.5, 2.0))
    p = rng.uniform(0.5, 2.0)
    check_cases(submission, reference, {
        "x ** 3": [_leaf(x), ["pow", 0, [3]]],
        "x ** 2": [_leaf(x), ["pow", 0, [2]]],
        "x ** -1": [_leaf(x), ["pow", 0, [-1]]],
        f"x ** 0.5, x = {p:.3g}": [_leaf(p), ["pow", 0, [0.5]]],
        f"x ** 2.5, x = {p:.3g}": [_leaf(p), ["pow", 0, [2.5]]],
        f"x ** -1.5, x = {p:.3g}": [_leaf(p), ["pow", 0, [-1.5]]],
        "x ** 2, x = 0.0": [_leaf(0.0), ["pow", 0, [2]]],
        "x ** 3, x = 0.0": [_leaf(0.0), ["pow", 0, [3]]],
    })


@points(2, id="functions")
def test_functions(submission, reference, rng):
    """Value: exp, log, tanh, sigmoid and relu"""
    x = rng.uniform(-3, 3)
    p = rng.uniform(0.2, 5)
    pos, neg = rng.uniform(0.1, 3), -rng.uniform(0.1, 3)
    check_cases(submission, reference, {
        "x.exp()": [_leaf(x), ["exp", 0]],
        f"x.log(), x = {p:.3g}": [_leaf(p), ["log", 0]],
        "x.tanh()": [_leaf(x), ["tanh", 0]],
        "x.sigmoid()": [_leaf(x), ["sigmoid", 0]],
        f"x.relu(), x = {pos:.3g}": [_leaf(pos), ["relu", 0]],
        f"x.relu(), x = {neg:.3g}": [_leaf(neg), ["relu", 0]],
    })


@points(1, id="sigmoid_stable")
def test_sigmoid_stable(submission, reference, rng):
    """Value.sigmoid: right, finite and warning-free for |x| up to 1e4"""
    for magnitude in (rng.uniform(30, 700), rng.uniform(710, 1e3), rng.uniform(1e3, 1e4)):
        for x in (magnitude, -magnitude):
            case = f"x.sigmoid(), x = {x:.6g}"
            got = check_plan(submission, reference, case, [_leaf(x), ["sigmoid", 0]])
            if submission.last.warnings:
                raise Feedback(_("Value ({case}) raised a warning: {warnings}").format(
                                   case=case, warnings=submission.last.warnings[0]))
            # a tiny value is right to within one rounding of 1 (2**-53): 0.5 * (1 + tanh(x / 2)) is, a clipped x is not
            value, expected = got[1][0], run_plan(reference.Value, [_leaf(x), ["sigmoid", 0]])[1][0]
            if not abs(value - expected) <= RTOL * (abs(value) + abs(expected)) + 2.0**-53:
                raise Feedback(_("Value ({case}): out.data: expected {expected}, got {value}; a tiny value "
                                 "must be right to within about 1e-16 (is x clipped?)").format(
                                   case=case, expected=fmt(expected), value=fmt(value)))


@points(1, id="relu_at_zero")
def test_relu_at_zero(submission, reference):
    """Value.relu: the gradient at exactly 0 is 0"""
    check_plan(submission, reference, "x.relu(), x = 0.0", [_leaf(0.0), ["relu", 0]])


@points(1, id="maximum")
def test_maximum(submission, reference, rng):
    """Value.maximum: the gradient goes to the larger input, however small the difference"""
    x = rng.uniform(-2, 2)
    y = x + _away_from_zero(rng, 0.1, 2.0)
    c = round(x + float(_away_from_zero(rng, 0.1, 2.0)), 3)
    near = x + float(rng.choice([-1e-12, 1e-12])) * max(1.0, abs(x))  # not a tie
    check_cases(submission, reference, {
        "x.maximum(y)": [_leaf(x), _leaf(y), ["maximum", 0, 1]],
        "y.maximum(x)": [_leaf(x), _leaf(y), ["maximum", 1, 0]],
        f"x.maximum({c})": [_leaf(x), ["maximum", 0, [c]]],
        f"x.maximum(y), y - x = {near - x:.3g}": [_leaf(x), _leaf(near), ["maximum", 0, 1]],
    })


@points(1, id="maximum_ties")
def test_maximum_ties(submission, reference, rng):
    """Value.maximum: a tie splits the gradient 0.5 / 0.5"""
    x = round(float(rng.uniform(-2, 2)), 3)
    check_cases(submission, reference, {
        f"x.maximum(y), x = y = {x}": [_leaf(x), _leaf(x), ["maximum", 0, 1]],
        f"x.maximum({x}), x = {x}": [_leaf(x), ["maximum", 0, [x]]],
    })


@points(1, id="accumulation")
def test_accumulation(submission, reference, rng):
    """Value: a node used several times receives the sum of its gradients"""
    x = float(_away_from_zero(rng, 0.5, 2.0))
    a, b = _number(rng), _number(rng)
    check_cases(submission, reference, {
        "x + x": [_leaf(x), ["add", 0, 0]],
        "x * x": [_leaf(x), ["mul", 0, 0]],
        "(x * x) * x": [_leaf(x), ["mul", 0, 0], ["mul", 1, 0]],
        "x.maximum(x)": [_leaf(x), ["maximum", 0, 0]],
    })
    check_plan(submission, reference, _("backward() on x * {a}, then on x * {b}").format(a=a, b=b),
               [_leaf(x), ["mul", 0, [a]], ["mul", 0, [b]]], roots=[1, 2])


@points(3, id="random_graphs")
def test_random_graphs(submission, reference, rng):
    """Value.backward: random expression graphs with shared sub-expressions"""
    for k in (1, 2):
        plan = random_graph(rng, reference.Value)
        check_plan(submission, reference, _("random expression {k}, {n} nodes").format(k=k, n=len(plan)), plan)


@points(2, id="deep_graph")
def test_deep_graph(submission, reference, rng):
    """Value.backward: works on a graph 10,000 nodes deep"""
    chain = TrustedFunction("value_chain", {"seed": int(rng.integers(2**31)), "depth": DEEP})
    case = _("a chain {n:,} nodes deep").format(n=DEEP)
    got = submission.call(chain, submission.name("Value"), label=f"Value ({case})")
    check_operations(case, chain_plan(**chain.params), got)
    compare(case, got, build(chain.name, chain.params)(reference.Value), ["x", "y", "z", "out"])
