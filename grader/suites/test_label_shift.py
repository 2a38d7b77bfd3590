"""Hidden suite for `label_shift`."""
import numpy as np

from grader.proxy import StudentException
from grader.i18n import _
from grader.checks import (CheckedCalls, Feedback, as_array, assert_close, assert_finite, assert_not_mutated,
                            draw_until, fmt, points, rel_error)

CM, LSW, TLD = "confusion_matrix", "label_shift_weights", "target_label_distribution"
# np.linalg.LinAlgError subclasses ValueError, so it is the ValueError the catalogue asks for.
EXACT = 1e-10


def _fractions(labels, num_classes):
    return np.bincount(labels, minlength=num_classes) / len(labels)


def _joint(y_true, y_pred, num_classes):
    """The joint confusion matrix (trusted: computed here)."""
    counts = np.zeros((num_classes, num_classes))
    np.add.at(counts, (y_pred, y_true), 1.0)
    return counts / len(y_true)


def _confused(rng, labels, num_classes, accuracy):
    """Predictions of a simulated classifier: right with probability ``accuracy``, else a uniform other class."""
    wrong = rng.random(len(labels)) >= accuracy
    shift = rng.integers(1, num_classes, size=len(labels))
    return np.where(wrong, (labels + shift) % num_classes, labels)


def _invertible_case(rng, num_classes=3, n_val=60, n_target=40, positive=False):
    """Small validation and target predictions with a well-conditioned C (and, if asked, a positive C^-1 mu)."""
    while True:
        y_val = rng.permutation(np.arange(n_val) % num_classes)
        y_val_pred = _confused(rng, y_val, num_classes, 0.7)
        y_target_pred = rng.integers(0, num_classes, size=n_target)
        C = _joint(y_val, y_val_pred, num_classes)
        if np.linalg.cond(C) > 100:
            continue
        if not positive or np.linalg.solve(C, _fractions(y_target_pred, num_classes)).min() > 0.05:
            return y_val, y_val_pred, y_target_pred


def _weights(submission, *args):
    num_classes = args[-1]
    w = as_array(submission.label_shift_weights(*args), LSW, "w", (num_classes,))
    assert_finite(w, LSW, "w")
    return w


def _many_classes(rng, num_classes=12, accuracy=0.9):
    """Arguments of label_shift_weights with a well-conditioned C of many classes."""
    y_val = rng.permutation(np.arange(100 * num_classes) % num_classes)
    y_val_pred = _confused(rng, y_val, num_classes, accuracy)
    return y_val, y_val_pred, rng.integers(0, num_classes, size=500), num_classes


def _assert_attempts(w, reference, args):
    """w follows the solution of C w = mu (Pearson correlation above 0.9): raising ValueError
    only where C is singular, or not raising it, earns its points only from code that solves where it can.
    A C normalised per class or a mu of counts (judged by other tests) keeps the correlation; a constant or
    random w does not, nor does the solution for a transposed C."""
    expected = reference.label_shift_weights(*args)
    r = float(np.corrcoef(w, expected)[0, 1]) if np.std(w) > 0 else 0.0
    if not r > 0.9:
        raise Feedback(_("{fn}: w = {w} does not follow the solution of C w = mu for a well-conditioned C "
                         "({n} classes; correlation {r:.2f} with the right w)").format(fn=LSW, w=fmt(w), n=len(w), r=r))


def _lopsided_case(rng, num_classes=6):
    """Arguments of label_shift_weights with a well-conditioned C that is far from symmetric (every class is
    mistaken only for the next one) and balanced validation classes: a C normalised per class or a mu of counts
    only scales w, but a transposed C gives a w that does not follow the right one (correlation below 0.7)."""
    def draw():
        y_val = rng.permutation(np.arange(100 * num_classes) % num_classes)
        y_val_pred = np.where(rng.random(len(y_val)) < 0.35, (y_val + 1) % num_classes, y_val)
        y_target_pred = rng.choice(num_classes, size=500, p=rng.dirichlet(np.ones(num_classes)))
        return y_val, y_val_pred, y_target_pred, num_classes

    def transposed_differs(args):
        C, mu = _joint(args[0], args[1], num_classes), _fractions(args[2], num_classes)
        w, w_transposed = (np.maximum(np.linalg.solve(m, mu), 0.0) for m in (C, C.T))
        r = float(np.corrcoef(w, w_transposed)[0, 1]) if np.std(w_transposed) > 0 else 0.0
        return bool(np.linalg.cond(C) < 100 and np.std(w) > 0 and r < 0.7)
    return draw_until(draw, transposed_differs)


def _assert_solves(submission, reference, rng):
    # a lopsided C: a constant or random w does not follow the solution, nor does the solution for a transposed C
    # (judged by other tests too, but a file that solves the wrong system earns no points for when it raises)
    args = _lopsided_case(rng)
    _assert_attempts(_weights(submission, *args), reference, args)


def _expect_value_error(submission, args, why):
    try:
        got = submission.label_shift_weights(*args)
    except StudentException as exc:
        if "ValueError" in exc.exc_types:  # ValueError or a subclass (numpy's LinAlgError is one)
            return
        raise
    raise Feedback(_("{fn}: C is singular here ({why}), so C w = mu has no unique solution; "
                     "it should raise ValueError, but it returned {got}").format(fn=LSW, why=why, got=fmt(got)))


@points(2, id="confusion_orientation")
def test_confusion_orientation(submission, reference, rng):
    """confusion_matrix: rows are predicted classes, columns true classes"""
    y_true = rng.integers(0, 4, size=30)
    y_pred = rng.integers(0, 4, size=30)
    C = as_array(submission.confusion_matrix(y_true, y_pred, 4), CM, "C", (4, 4))
    expected = reference.confusion_matrix(y_true, y_pred, 4)
    if rel_error(C, expected) > EXACT and rel_error(C, expected.T) <= EXACT:
        raise Feedback(_("{fn}: C is transposed: C[i, j] counts samples predicted i whose true label is j").format(
            fn=CM))
    assert_close(C, expected, CM, "C", EXACT)


@points(1, id="confusion_joint_and_absent_classes")
def test_confusion_joint_and_absent_classes(submission, reference, rng):
    """confusion_matrix: normalised over all samples; absent classes give zeros"""
    present = np.sort(rng.permutation(6)[:4])  # two of the six classes never occur
    y_true, y_pred = rng.choice(present, size=40), rng.choice(present, size=40)
    name = _("C (num_classes = 6, two classes absent)")
    C = as_array(submission.confusion_matrix(y_true, y_pred, 6), CM, name, (6, 6))
    assert_finite(C, CM, name)
    if not abs(C.sum() - 1.0) < 1e-9:
        raise Feedback(_("{fn}: the entries of C should sum to 1 (each is a fraction of all samples); "
                         "they sum to {total}").format(fn=CM, total=fmt(C.sum())))
    assert_close(C, reference.confusion_matrix(y_true, y_pred, 6), CM, name, EXACT)


@points(2, id="weights_perfect_classifier")
def test_weights_perfect_classifier(submission, rng):
    """label_shift_weights: a perfect classifier gives w = q / p exactly, also when the target predictions miss
    the last class"""
    num_classes = 4
    y_val = rng.permutation(np.repeat(np.arange(num_classes), rng.integers(5, 30, size=num_classes)))
    never_predicted = _(", class {c} never predicted on the target").format(c=num_classes - 1)
    for classes, case in ((num_classes, ""), (num_classes - 1, never_predicted)):
        y_target_pred = rng.integers(0, classes, size=50)
        # C is diagonal with the validation label fractions p, and mu holds the target fractions q.
        expected = _fractions(y_target_pred, num_classes) / _fractions(y_val, num_classes)
        w = _weights(submission, y_val, y_val.copy(), y_target_pred, num_classes)
        assert_close(w, expected, LSW, _("w (perfect classifier: y_val_pred == y_val{case})").format(case=case), EXACT)


@points(2, id="weights_confused_classifier")
def test_weights_confused_classifier(submission, reference, rng):
    """label_shift_weights: solves C w = mu for an imperfect classifier"""
    args = (*_invertible_case(rng, positive=True), 3)
    assert_close(_weights(submission, *args), reference.label_shift_weights(*args), LSW, "w", 1e-9)


@points(1, id="weights_clipped")
def test_weights_clipped(submission, reference, rng):
    """label_shift_weights: negative weights are clipped to 0"""
    while True:  # every target prediction is class 0: C^-1 mu is C^-1's first column, usually with negative entries
        y_val, y_val_pred, _target = _invertible_case(rng)
        y_target_pred = np.zeros(40, dtype=np.int64)
        C, mu = reference.confusion_matrix(y_val, y_val_pred, 3), _fractions(y_target_pred, 3)
        w = np.linalg.solve(C, mu)
        # ...and C's orientation matters for the clipped result too, so a transposed C cannot pass by luck
        if w.min() < -0.05 and rel_error(np.maximum(w, 0), np.maximum(np.linalg.solve(C.T, mu), 0)) > 1e-3:
            break
    w = _weights(submission, y_val, y_val_pred, y_target_pred, 3)
    if w.min() < 0:
        raise Feedback(_("{fn}: w[{i}] = {value}; negative weights must be clipped to 0").format(
            fn=LSW, i=int(np.argmin(w)), value=fmt(w.min())))
    assert_close(w, reference.label_shift_weights(y_val, y_val_pred, y_target_pred, 3), LSW, "w", 1e-9)


@points(1, id="singular_missing_class")
def test_singular_missing_class(submission, reference, rng):
    """label_shift_weights: raises ValueError when a class is missing from y_val or never predicted"""
    _assert_solves(submission, reference, rng)
    y_val, y_val_pred, y_target_pred = _invertible_case(rng)
    missing = int(rng.integers(0, 3))
    kept = y_val != missing
    _expect_value_error(submission, (y_val[kept], y_val_pred[kept], y_target_pred, 3),
                        _("class {c} never occurs in y_val").format(c=missing))
    never = y_val_pred == missing
    y_val_pred = np.where(never, (missing + 1) % 3, y_val_pred)
    _expect_value_error(submission, (y_val, y_val_pred, y_target_pred, 3),
                        _("class {c} is never predicted").format(c=missing))


def _from_counts(rng, counts):
    """Shuffled (y_true, y_pred) with counts[i, j] samples predicted i whose true label is j."""
    num_classes = len(counts)
    y_pred = np.repeat(np.repeat(np.arange(num_classes), num_classes), counts.ravel())
    y_true = np.repeat(np.tile(np.arange(num_classes), num_classes), counts.ravel())
    order = rng.permutation(len(y_true))
    return y_true[order], y_pred[order]


@points(1, id="singular_identical_confusion")
def test_singular_identical_confusion(submission, reference, rng):
    """label_shift_weights: raises ValueError when two classes are confused identically"""
    _assert_solves(submission, reference, rng)
    # True classes 1 and 2 get the predictions in the same proportions, so columns 1 and 2 of C are parallel.
    # Keep a case where rounding hides the singularity from np.linalg.solve (it does so about half the time):
    # the test is about an explicit check, as the docstring asks.
    while True:
        counts = rng.integers(2, 15, size=(4, 4)) + np.diag(rng.integers(20, 40, size=4))
        counts[:, 2] = rng.integers(2, 4) * counts[:, 1]
        try:
            np.linalg.solve(counts / counts.sum(), np.full(4, 0.25))
        except np.linalg.LinAlgError:
            continue
        break
    y_val, y_val_pred = _from_counts(rng, counts)
    _expect_value_error(submission, (y_val, y_val_pred, rng.integers(0, 4, size=40), 4),
                        _("true classes 1 and 2 get each prediction in the same proportion"))


@points(1, id="invertible_many_classes")
def test_invertible_many_classes(submission, reference, rng):
    """label_shift_weights: no ValueError for a well-conditioned C with many classes"""
    y_val, y_val_pred, y_target_pred, num_classes = _many_classes(rng)
    try:
        _weights(submission, y_val, y_val_pred, y_target_pred, num_classes)
    except StudentException as exc:
        if "ValueError" not in exc.exc_types:
            raise
        C = _joint(y_val, y_val_pred, num_classes)
        raise Feedback(_("{fn} raised {error} for an invertible C (12 classes, 90% accuracy, condition number "
                         "{cond:.2g}, determinant {det:.1e}); a determinant is tiny for many "
                         "classes even when C is far from singular: test the rank or the condition number").format(
            fn=LSW, error=exc.exc_type, cond=np.linalg.cond(C), det=np.linalg.det(C))) from None
    _assert_solves(submission, reference, rng)  # any finite answer is not a solution


def _simulated_shift(rng, num_classes=3, n_val=20_000, n_target=50_000):
    """Validation data with exact counts, so C is known; target data drawn from q through the same classifier.

    Returns the arguments of label_shift_weights and the true weights q / p.
    """
    p = rng.dirichlet(np.full(num_classes, 6.0))
    while p.min() < 0.2:
        p = rng.dirichlet(np.full(num_classes, 6.0))
    q = rng.dirichlet(np.full(num_classes, 2.0)) * (1 - 0.05 * num_classes) + 0.05
    counts = np.floor(p * n_val).astype(np.int64)
    counts[0] += n_val - counts.sum()
    # M[i, j] = P(predict i | true j): right with probability 0.75 .. 0.9, the rest spread over the others.
    joint = np.zeros((num_classes, num_classes), dtype=np.int64)
    for j in range(num_classes):
        right = rng.uniform(0.75, 0.9)
        spread = rng.dirichlet(np.ones(num_classes - 1)) * (1 - right)
        col = np.insert(spread, j, right)
        joint[:, j] = np.floor(col * counts[j]).astype(np.int64)
        joint[j, j] += counts[j] - joint[:, j].sum()
    y_val, y_val_pred = _from_counts(rng, joint)
    y_target = rng.choice(num_classes, size=n_target, p=q)
    y_target_pred = np.empty(n_target, dtype=np.int64)
    for j in range(num_classes):
        rows = y_target == j
        y_target_pred[rows] = rng.choice(num_classes, size=int(rows.sum()), p=joint[:, j] / counts[j])
    return (y_val, y_val_pred, y_target_pred, num_classes), q / (counts / n_val), joint / n_val


@points(2, id="weights_large_sample")
def test_weights_large_sample(submission, rng):
    """label_shift_weights: recovers the true q / p on a large simulated shift"""
    args, w_true, C = _simulated_shift(rng)
    n_target = len(args[2])
    # The validation counts are exact, so E[mu] = C w_true and the unclipped estimate C^-1 mu is, in each
    # component j, a mean of n_target independent terms Cinv[j, prediction], each within a range R_j.
    # Hoeffding and a union bound over the K components: P(any |w_j - w_true_j| > t_j) <= 2 K exp(-2 n t_j^2 / R_j^2)
    # = 1e-6 for t_j below. Clipping at 0 only moves an estimate towards w_true >= 0.
    # (For these sizes t_j is at most about 0.11, with w_true between 0.14 and 3.5.)
    Cinv = np.linalg.inv(C)
    spread = Cinv.max(axis=1) - Cinv.min(axis=1)
    tol = spread * np.sqrt(np.log(2 * len(w_true) / 1e-6) / (2 * n_target))
    w = _weights(submission, *args)
    bad = np.abs(w - w_true) > tol
    if bad.any():
        j = int(np.argmax(bad))
        raise Feedback(_("{fn}: on {n} target predictions, w[{j}] = {value}, but the true ratio "
                         "q/p is {ratio} (a correct estimate is within {tol:.2g} with probability 1 - 1e-6)").format(
            fn=LSW, n=n_target, j=j, value=fmt(w[j]), ratio=fmt(w_true[j]), tol=tol[j]))


@points(2, id="target_distribution")
def test_target_distribution(submission, reference, rng):
    """target_label_distribution: w * p_source, normalised"""
    w = rng.uniform(0.2, 3.0, size=5)
    y_source = rng.choice([0, 2, 3], size=60)  # classes 1 and 4 (the last) absent from the source
    name = _("q (classes 1 and 4 of 5 absent from y_source)")
    q = as_array(submission.target_label_distribution(w, y_source, 5), TLD, name, (5,))
    assert_close(q, reference.target_label_distribution(w, y_source, 5), TLD, name, EXACT)


@points(1, id="target_distribution_recovers_q")
def test_target_distribution_recovers_q(submission, rng):
    """target_label_distribution: the true weights give back the target distribution"""
    num_classes = 4
    y_source = rng.permutation(np.repeat(np.arange(num_classes), rng.integers(5, 30, size=num_classes)))
    q = rng.dirichlet(np.ones(num_classes)) * 0.9 + 0.1 / num_classes
    scale = float(rng.uniform(2.0, 5.0))  # estimated weights are only known up to noise; q must sum to 1 anyway
    w = scale * q / _fractions(y_source, num_classes)
    got = as_array(submission.target_label_distribution(w, y_source, num_classes), TLD, "q", (num_classes,))
    assert_close(got, q, TLD, f"q (w = {scale:.3g} * q / p_source)", EXACT)


@points(1, id="no_mutation")
def test_no_mutation(submission, reference, rng):
    """label_shift: no function changes its arguments"""
    calls = CheckedCalls(submission, reference)
    y_val, y_val_pred, y_target_pred = _invertible_case(rng)
    for fn, args, names in [
        (CM, (y_val, y_val_pred, 3), ["y_true", "y_pred"]),
        (LSW, (y_val, y_val_pred, y_target_pred, 3), ["y_val", "y_val_pred", "y_target_pred"]),
        (TLD, (rng.uniform(0.5, 2.0, size=3), y_val, 3), ["w", "y_source"]),
    ]:
        calls.call(fn, *args)
        assert_not_mutated(submission, fn, names)
    calls.assert_work_done()
