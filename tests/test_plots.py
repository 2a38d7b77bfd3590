"""`dlx --plots`: each exercise's pictures for the reference and for a typical mistake.

The assertions are on the observations the figures are drawn from (what the
student's functions returned in the sandbox), not on pixels; the PNGs only
have to exist.  The mistakes are those of tests/test_mistakes_<id>.py.
"""
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

import grader.plots
from grader.catalog import get
from grader.cli import main
from grader.plots import build_figures, observe_figures, write_report
from grader.plots.curves import X
from grader.plots.figure import Side, draw_figure, observe_figure, relative_error
from grader.plots.registry import FIGURES, figures_for
from grader.proxy import RemoteModule
from grader.runner import load_reference, worker_spec
from tests.helpers import mutate, reference_text
from tests.test_mistakes_covariate_shift import BETA
from tests.test_mistakes_losses import CE_RETURN
from tests.test_mistakes_stability import LSE

PNG = b"\x89PNG\r\n\x1a\n"
NEEDS_TORCH = {"train_torch"}


def _skip_without_torch(exercise_id):
    if exercise_id in NEEDS_TORCH:
        pytest.importorskip("torch")


def _same(student, reference):
    """Two observations agree (a correct file observed in the sandbox and the reference in process)."""
    assert student.keys() == reference.keys()
    for key, value in reference.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_allclose(student[key], value, rtol=1e-9, atol=1e-12, err_msg=key)
        else:
            assert student[key] == value, key


@pytest.mark.parametrize("exercise_id", sorted(FIGURES))
def test_reference_report_draws_every_figure(exercise_id):
    _skip_without_torch(exercise_id)
    figures = build_figures(get(exercise_id), reference_text(exercise_id))
    assert len(figures) == len(figures_for(exercise_id)) >= 1
    for figure in figures:
        assert figure.note == "" and figure.notes == [], (figure.title, figure.note, figure.notes)
        assert figure.png is not None and figure.png.startswith(PNG) and len(figure.png) > 5000, figure.title
        if exercise_id not in NEEDS_TORCH:  # a trained model is only the same up to thread timing
            _same(figure.student, figure.reference)


def _mistake(exercise_id, title, *edits):
    """The one figure ``title`` for the reference with ``edits`` (pairs old, new), observed and drawn."""
    source = reference_text(exercise_id)
    for old, new in edits:
        source = mutate(source, old, new)
    (figure,) = build_figures(get(exercise_id), source, only=title)
    assert figure.note == "" and figure.png is not None and figure.png.startswith(PNG), figure.note
    return figure.student, figure.reference, figure


def test_optim_adam_without_bias_correction_ends_elsewhere():
    student, reference, _ = _mistake("optim", "adam_step: trajectory and loss",
                                     ("m_hat = m_new / (1 - beta1 ** t)", "m_hat = m_new"),
                                     ("v_hat = v_new / (1 - beta2 ** t)", "v_hat = v_new"))
    assert np.linalg.norm(student["path"][-1] - reference["path"][-1]) > 0.3
    assert np.allclose(student["path"][0], reference["path"][0])  # the same start, a different first step
    assert not np.allclose(student["path"][1], reference["path"][1])


def test_optim_other_optimisers_unaffected_by_an_adam_mistake():
    source = mutate(reference_text("optim"), "m_hat = m_new / (1 - beta1 ** t)", "m_hat = m_new")
    (figure,) = observe_figures(get("optim"), source, only="sgd_step: trajectory and loss")
    _same(figure.student, figure.reference)


def test_optim_a_diverging_path_is_drawn_up_to_where_it_leaves():
    student, reference, figure = _mistake("optim", "sgd_step: trajectory and loss",
                                          ("    return w - lr * dw\n", "    return w + lr * dw\n"))
    assert len(student["path"]) < len(reference["path"]) == 61 and np.max(np.abs(student["path"][-1])) > 1e6
    assert figure.notes == [f"sgd_step: your weights exceed 1e6 at step {len(student['path']) - 1}; "
                            "the path stops there"]


def test_init_he_with_fan_out():
    student, reference, _ = _mistake("init", "he_normal: samples and depth",
                                     ("np.sqrt(2.0 / n_in)", "np.sqrt(2.0 / n_out)"))
    ratio = np.std(student["sample"]) / np.std(reference["sample"])
    assert abs(ratio - np.sqrt(2.0)) < 0.05  # FAN is (200, 100)
    # layers alternate 100 -> 50 -> 100: a fan-out std is sqrt(2) too large on the narrowing layers and undoes it
    relu = student["relu"] / reference["relu"]
    assert np.all(np.abs(relu[0::2] - np.sqrt(2.0)) < 0.15) and np.all(np.abs(relu[1::2] - 1.0) < 0.1)


def test_activations_relu_slope_at_zero_differs_at_zero_only():
    student, reference, _ = _mistake("activations", "relu",
                                     ("return dout * (cache > 0)", "return dout * (cache >= 0)"))
    assert list(X[relative_error(student["df"], reference["df"]) > 1e-6]) == [0.0]
    _same({"f": student["f"]}, {"f": reference["f"]})


def test_stability_naive_logsumexp_is_right_on_the_plot_and_breaks_on_large_inputs():
    student, reference, _ = _mistake("stability", "logsumexp",
                                     (LSE, "return np.log(np.sum(np.exp(x), axis=axis))"))
    np.testing.assert_allclose(student["f"], reference["f"], rtol=1e-12)
    assert not np.all(np.isfinite(student["large"])) and np.all(np.isfinite(reference["large"]))


LAYER_TITLES = {name: f"{name}_forward and {name}_backward: relative error of each entry"
                for name in ("affine", "batchnorm", "residual", "maxout")}


@pytest.mark.parametrize("exercise_id, old, new, wrong, right", [
    ("affine", "dout.sum(axis=0)", "dout.mean(axis=0)", "db", ("out", "dx", "dw")),
    ("batchnorm", "gamma * inv_std / n * (n * dout - dbeta - xhat * dgamma)", "gamma * inv_std * dout", "dx",
     ("out", "dgamma", "dbeta")),
    ("residual", "dx = da @ w1.T + ds", "dx = da @ w1.T", "dx", ("out", "dw1", "db1", "dw2", "db2")),
    ("maxout", "dz.sum(axis=0)", "dz.mean(axis=0)", "db", ("out", "dx", "dw")),
])
def test_gradient_heat_map_shows_which_gradient_is_wrong(exercise_id, old, new, wrong, right):
    student, reference, _ = _mistake(exercise_id, LAYER_TITLES[exercise_id], (old, new))
    assert np.mean(relative_error(student[wrong], reference[wrong]) > 1e-3) > 0.3  # not just a corner
    for name in right:
        assert np.max(relative_error(student[name], reference[name])) < 1e-9, name


def test_residual_depth_without_the_skip_gradient_vanishes():
    student, reference, _ = _mistake("residual", "The gradient through a stack of your residual blocks",
                                     ("dx = da @ w1.T + ds", "dx = da @ w1.T"))
    assert student["residual"][0] < 1e-3 * reference["residual"][0]
    np.testing.assert_allclose(student["plain"], reference["plain"])


def test_losses_cross_entropy_gradient_not_averaged():
    student, reference, _ = _mistake("losses", "softmax_cross_entropy: relative error of each gradient entry",
                                     (CE_RETURN, CE_RETURN.replace(" / n", "")))
    np.testing.assert_allclose(relative_error(student["grad"], reference["grad"]), 5 / 7)  # a factor N = 6
    assert student["loss"] == pytest.approx(reference["loss"])


def test_linreg_gradient_of_the_sum():
    student, reference, _ = _mistake("linreg", "linreg_train: the loss after each epoch",
                                     ("X_batch.T @ residual / len(y_batch)", "X_batch.T @ residual"),
                                     ("float(np.mean(residual))", "float(np.sum(residual))"))
    assert np.max(relative_error(student["loss"], reference["loss"])) > 0.1


def test_linear_models_summed_softmax_loss():
    student, reference, _ = _mistake("linear_models", "softmax_regression: loss and accuracy",
                                     ("return float(-np.mean(log_probs[np.arange(n), y]))",
                                      "return float(-np.sum(log_probs[np.arange(n), y]))"))
    np.testing.assert_allclose(student["loss"], 90 * reference["loss"])  # 90 points; the steps are the same
    np.testing.assert_allclose(student["accuracy"], reference["accuracy"])


def test_early_stopping_counter_not_reset_stops_early():
    student, reference, _ = _mistake("early_stopping", "EarlyStopping on a run that overfits",
                                     ("            self.num_bad_epochs = 0\n", ""))
    assert 0 <= student["stop"] < reference["stop"]


def test_early_stopping_params_not_copied_is_noted():
    student, _, figure = _mistake("early_stopping", "EarlyStopping on a run that overfits",
                                  ("copy.deepcopy(params)", "params"))
    assert student["kept_epoch"] == student["best_epoch"]  # a fresh dict per call: not copying does no harm here
    assert figure.notes == []


def test_covariate_shift_forgets_class_proportions():
    student, reference, _ = _mistake("covariate_shift", "domain_classifier_weights: estimated against true weights",
                                     (BETA, "beta = np.exp(X_source @ w + b)"))
    np.testing.assert_allclose(student["beta"] / reference["beta"], 200 / 300)


def test_label_shift_transposed_confusion_matrix():
    student, reference, _ = _mistake("label_shift", "label_shift_weights: estimated against true weights",
                                     ("(y_pred, y_true), 1.0", "(y_true, y_pred), 1.0"))
    np.testing.assert_allclose(student["C"], reference["C"].T)
    assert np.max(np.abs(student["w"] - reference["w"])) > 0.1


def test_train_torch_learning_rate_far_too_small():
    pytest.importorskip("torch")
    student, reference, _ = _mistake("train_torch", "train_classifier: loss and accuracy during training",
                                     ("lr=3e-3", "lr=1e-7"))
    assert reference["val_acc"][-1] > 0.9 and student["val_acc"][-1] < 0.6
    assert student["steps"][-1] == reference["steps"][-1]  # the same number of steps, hardly any progress


# -- broken and hostile files -----------------------------------------------------------------------------
def test_broken_files_give_notes_not_tracebacks():
    activations = get("activations")
    notes = {f.title: f.note for f in observe_figures(activations, "def relu_forward(x:\n")}
    assert all("could not be loaded" in note and "SyntaxError" in note for note in notes.values()), notes
    source = reference_text("activations")
    source = mutate(source, "def relu_backward(dout, cache):\n",
                    "def relu_backward(dout, cache):\n    return dout[:3]\n\n\ndef _unused(dout, cache):\n")
    source = mutate(source, "def tanh_backward(dout, cache):\n",
                    "def tanh_backward(dout, cache):\n    return dout * float('nan')\n\n\ndef _unused2(dout, cache):\n")
    source = mutate(source, "def elu_forward(x, alpha=1.0):\n",
                    "def elu_forward(x, alpha=1.0):\n    raise RuntimeError('no')\n\n\ndef _unused3(x, alpha=1.0):\n")
    notes = {f.title: f.note for f in observe_figures(activations, source)}
    assert "relu_backward(dout, cache) has shape (3,), expected (401,)" in notes["relu"]
    assert "contains NaN or inf" in notes["tanh"]
    assert "elu_forward raised RuntimeError: no" in notes["elu"]
    assert notes["sigmoid"] == notes["selu"] == notes["leaky_relu"] == ""
    assert not any("Traceback" in note for note in notes.values())


def test_stub_and_endless_loop_give_notes():
    optim = get("optim")
    notes = [f.note for f in observe_figures(optim, get("optim").stub.read_text())]
    assert notes[0] == "sgd_step is not implemented yet (it still raises NotImplementedError)"
    assert all("is not implemented yet" in note for note in notes)
    source = mutate(reference_text("linreg"), "    losses = []\n", "    losses = []\n    while True:\n        pass\n")
    (figure,) = observe_figures(get("linreg"), source)
    assert figure.note.startswith("linreg_train did not finish within") and figure.png is None


def test_report_is_one_html_file_with_the_pictures_and_the_notes(tmp_path):
    source = mutate(reference_text("label_shift"), "def target_label_distribution(w, y_source, num_classes):\n",
                    "def target_label_distribution(w, y_source, num_classes):\n    return '<script>'\n\n\n"
                    "def _old(w, y_source, num_classes):\n")
    student_file = tmp_path / "label_shift.py"
    student_file.write_text(source)
    path = write_report(get("label_shift"), source, student_file)
    assert path == tmp_path / "label_shift_plots.html"
    page = path.read_text()
    assert "Not drawn: target_label_distribution: q is not an array of numbers (got str)" in page
    assert "<script>" not in page
    path = write_report(get("label_shift"), reference_text("label_shift"), student_file)
    assert page != path.read_text() and path.read_text().count("data:image/png;base64,") == 1


# -- nothing of this runs in the worker; grading never needs it ---------------------------------------------
def test_no_plot_code_runs_in_the_worker():
    import matplotlib  # noqa: F401 - loaded in the grading process, as after a first report

    exercise = get("optim")
    source = reference_text("optim") + ("\n\ndef loaded_modules():\n    import sys\n    return sorted(sys.modules)\n")
    reference = Side(load_reference(str(exercise.reference)))
    with RemoteModule(worker_spec(exercise, source), exercise.filename) as submission:
        figures = [observe_figure(spec, Side(submission), reference) for spec in figures_for("optim")]
        loaded = submission.call("loaded_modules")
    assert all(f.note == "" for f in figures)
    assert "numpy" in loaded
    assert not [m for m in loaded if m.split(".")[0] in ("matplotlib", "PIL") or m.startswith("grader")]
    assert draw_figure(figures_for("optim")[0], figures[0]).png.startswith(PNG)  # drawn afterwards, in this process


def test_grading_never_imports_the_plots():
    code = ("import sys, grader.cli, grader.runner, grader.batch; "
            "bad = [m for m in sys.modules if m.startswith(('matplotlib', 'grader.plots'))]; "
            "sys.exit(f'imported {bad}' if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr + done.stdout


# -- the command line -------------------------------------------------------------------------------------
def dlx(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DLX_HOME", str(tmp_path / "home"))


def test_check_with_plots_writes_the_report(tmp_path, home):
    (tmp_path / "linreg.py").write_text(reference_text("linreg"))
    result = dlx("check", "linreg", "--dir", str(tmp_path), "--plots")
    assert result.exit_code == 0, result.output
    report = tmp_path / "linreg_plots.html"
    assert "Pictures:" in result.output and "linreg_plots.html" in result.output.replace("\n", "")
    assert report.read_text().count("data:image/png;base64,") == len(figures_for("linreg"))


def test_open_shows_the_report_in_a_browser(tmp_path, home, monkeypatch):
    opened = []
    monkeypatch.setattr("click.launch", lambda url, **kwargs: opened.append(url) or 0)
    (tmp_path / "covariate_shift.py").write_text(reference_text("covariate_shift"))
    result = dlx("submit", "covariate_shift", "--dir", str(tmp_path), "--plots", "--open")
    assert result.exit_code == 0 and "Recorded." in result.output and "No browser" not in result.output
    assert opened == [(tmp_path / "covariate_shift_plots.html").resolve().as_uri()]


def test_plots_without_matplotlib_is_one_line_and_exit_2(tmp_path, home, monkeypatch):
    (tmp_path / "linreg.py").write_text(reference_text("linreg"))
    monkeypatch.setattr(grader.plots, "matplotlib_available", lambda: False)
    for command in ("check", "submit"):
        result = CliRunner().invoke(main, [command, "linreg", "--dir", str(tmp_path), "--plots"])
        assert result.exit_code == 2
        assert result.output == 'dlx: --plots needs matplotlib; install it with: pip install "dlx[plots]"\n'
    assert not (tmp_path / "linreg_plots.html").exists()


def test_plots_for_an_exercise_without_pictures(tmp_path, home):
    (tmp_path / "gates.py").write_text(reference_text("gates"))
    result = CliRunner().invoke(main, ["check", "gates", "--dir", str(tmp_path), "--plots"])
    assert result.exit_code == 2 and result.output.startswith("dlx: gates has no pictures; --plots works for ")
    assert len(result.output.splitlines()) == 1
