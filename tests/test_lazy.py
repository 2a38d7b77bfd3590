"""Files that do none of the work score exactly 0 in every exercise (issue 11).

The lazy families of ``tests/lazy.py`` (all ``None``, zeros, the inputs handed
back, the identity, NaN, random numbers, constants) are generated from each
exercise's reference, one grading per exercise and family, each family on its
own seed so that the families together cover several (the constant and zeros
families on one more seed each).  The gaming files of
``tests/gaming.py`` try to collect partial credit for backward passes without
the layer's maths: they earn nothing beyond what their right parts earn.
"""
import pytest

from grader.catalog import catalog
from tests.gaming import AFFINE
from tests.helpers import grade
from tests.lazy import FAMILIES, lazy_source

# Where handing the input back IS the right answer: the gradient of z = x + y is dout for both.
RIGHT_BY_DOING_NOTHING = {
    ("gates", "inputs"): {"add_backward: dx and dy both equal dout"},
    ("gates", "identity"): {"add_backward: dx and dy both equal dout"},
}


# A lazy train_torch file trains the reference inside every call (about 15 s a grading); a model's logits
# have no input of their shape, so these three families cover the kinds of answer the others give too.
SLOW = {"train_torch": ("none", "zeros", "random")}
# A constant or all-zero answer can match a right answer by chance on some drawn inputs (linreg's constant
# model once fitted seed 1's data halfway): these two families also run on one more seed each.
MORE_SEEDS = {"constant": (1,), "zeros": (4,)}
CASES = [(e, f, s) for e in catalog() if e not in SLOW for f in FAMILIES
         for s in (100 + FAMILIES.index(f), *MORE_SEEDS.get(f, ()))]
CASES += [(e, f, 100 + FAMILIES.index(f)) for e, families in SLOW.items() for f in families]


@pytest.mark.parametrize("exercise_id, family, seed", CASES)
def test_lazy_submission_scores_zero(exercise_id, family, seed):
    result = grade(exercise_id, lazy_source(exercise_id, family), seed)
    paid = {t.name for t in result.tests if t.score > 0} - RIGHT_BY_DOING_NOTHING.get((exercise_id, family), set())
    assert not paid, f"{family} (seed {seed}) earned points in: {sorted(paid)}"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_affine_gaming_files_gain_nothing(seed):
    """A constant forward with its trivial backward, the same after three right calls, and a forward whose
    centred differences overflow: no backward point. Only the no-mutation point (the constant files) and
    the forward points the switching file earns while it is right remain: at most what a right forward with
    a wrong backward scores."""
    honest = grade("affine", AFFINE["constant"].replace(
        "return np.full((x.shape[0], w.shape[1]), x.sum() + w.sum() + b.sum()), (x, w, b)",
        "return x @ w + b, (x, w, b)"), seed)
    for name, source in AFFINE.items():
        result = grade("affine", source, seed)
        backward = [t for t in result.tests if t.name.startswith("affine_backward") and t.score > 0]
        assert not backward, (name, [t.name for t in backward])
        assert result.score <= honest.score, (name, result.score, honest.score)
