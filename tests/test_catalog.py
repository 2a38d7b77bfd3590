"""The exercise catalogue: ``exercise.toml`` validated with one clear line, points read from the suite."""
import shutil

import pytest
from click.testing import CliRunner

from grader import catalog as catalog_module
from grader.catalog import ExerciseFileError, _load, catalog, suite_points
from grader.cli import main
from grader.paths import exercises_dir

AFFINE = exercises_dir() / "affine" / "exercise.toml"


@pytest.fixture
def folder(tmp_path):
    """A catalogue of one exercise, a copy of affine, in a temporary folder."""
    shutil.copytree(AFFINE.parent, tmp_path / "affine")
    return tmp_path


def edit(folder, old, new):
    path = folder / "affine" / "exercise.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_copy_loads(folder):
    assert _load(folder / "affine" / "exercise.toml").id == "affine"


@pytest.mark.parametrize("old, new, key, problem", [
    ('unit = 2\n', '', "unit", "missing"),
    ('unit = 2', 'unit = "two"', "unit", "whole number"),
    ('unit = 2', 'unit = true', "unit", "whole number"),
    ('order = 1', 'order = 1.5', "order", "whole number"),
    ('id = "affine"\n', '', "id", "missing"),
    ('id = "affine"', 'id = "Affine layer"', "id", "lower-case"),
    ('title = "Affine layer: forward and backward"\n', '', "title", "missing"),
    ('title = "Affine layer: forward and backward"', 'title = ""', "title", "non-empty"),
    ('requires = "numpy"', 'requires = "jax"', "requires", "numpy, torch"),
    ('functions = ["affine_forward", "affine_backward"]', 'functions = "affine_forward"', "functions", "list"),
    ('functions = ["affine_forward", "affine_backward"]', 'functions = []', "functions", "list"),
    ('hints = [', 'hints = [3, ', "hints", "list"),
    ('unit = 2', 'unit = 2\npoints = 10', "points", "sum of its suite's @points"),
    ('unit = 2', 'unit = 2\nrequries = "numpy"', "requries", "unknown key"),
    ('unit = 2', 'unit = 2\nlimits = { call_timeout_s = "long" }', "limits", "positive numbers"),
    ('[zh]\ntitle', '[zh]\nsubtitle = "x"\ntitle', "zh", "title and hints"),
    ('[zh]\ntitle = "仿射层：前向与反向"', '[zh]\ntitle = 3', "zh.title", "non-empty string"),
])
def test_a_bad_field_is_one_line_naming_the_file_and_key(folder, old, new, key, problem):
    path = edit(folder, old, new)
    with pytest.raises(ExerciseFileError) as caught:
        _load(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path}: field '{key}': ") and problem in message


def test_bad_toml_names_the_file_and_the_line(folder):
    path = edit(folder, 'unit = 2', 'unit = = 2')
    with pytest.raises(ExerciseFileError, match=r"exercise\.toml: invalid TOML \(.*line 2"):
        _load(path)


def test_dlx_list_reports_a_broken_exercise_in_one_line(folder, monkeypatch, tmp_path):
    edit(folder, 'unit = 2\n', '')
    monkeypatch.setenv("DLX_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(catalog_module, "exercises_dir", lambda: folder)
    catalog_module._catalog.cache_clear()
    try:
        result = CliRunner().invoke(main, ["list"])
    finally:
        catalog_module._catalog.cache_clear()
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].endswith("exercise.toml: field 'unit': missing")


# -- points: the suite's @points, read without importing it -------------------------------------------
def test_the_points_are_the_suites(folder, monkeypatch):
    monkeypatch.setattr(catalog_module, "exercises_dir", lambda: folder)
    catalog_module._catalog.cache_clear()
    try:
        assert catalog()["affine"].points == suite_points(catalog()["affine"].suite) == 10
    finally:
        catalog_module._catalog.cache_clear()


def write_suite(tmp_path, text):
    path = tmp_path / "test_demo.py"
    path.write_text(text, encoding="utf-8")
    return path


def test_points_of_decorated_tests(tmp_path):
    suite = write_suite(tmp_path, '"""A suite."""\n@points(2, id="a")\ndef test_a():\n    pass\n\n\n'
                                  '@points(0.5, id="b")  # half\ndef test_b():\n    pass\n')
    assert suite_points(suite) == 2.5


def test_points_of_tests_made_by_a_factory(tmp_path):
    suite = write_suite(tmp_path, (
        'def _case(name):\n    @points(1, id=name)\n    def test(submission):\n        pass\n    return test\n\n\n'
        '@points(3, id="c")\ndef test_c():\n    pass\n\n\n'
        'test_a = _case("a")\ntest_b = _case("b")\nhelper = _case("not collected")\n'))
    assert suite_points(suite) == 5


def test_points_of_graded_tests(tmp_path):
    suite = write_suite(tmp_path, (
        'test_a = graded(2, "a", "f: a", _check, "a")\ntest_b = graded(\n    1, "b", "f: b", _check, "b")\n\n\n'
        '@points(3, id="c")\ndef test_c():\n    pass\n'))
    assert suite_points(suite) == 6
    with_factory = write_suite(tmp_path, suite.read_text() + (
        '\n\ndef _case(name):\n    @points(1, id=name)\n    def test():\n        pass\n    return test\n\n\n'
        'test_d = _case("d")\n'))
    assert suite_points(with_factory) == 7


def test_an_edited_suite_is_read_again(tmp_path):
    suite = write_suite(tmp_path, '@points(2, id="a")\ndef test_a():\n    pass\n')
    assert suite_points(suite) == 2
    suite.write_text('@points(2, id="a")\ndef test_a():\n    pass\n\n\n@points(1, id="b")\ndef test_b():\n    pass\n')
    assert suite_points(suite) == 3


@pytest.mark.parametrize("decorator", ["@points(N, id='a')", "@points(-1, id='a')", "@points(id='a')"])
def test_points_the_catalogue_cannot_read_are_an_error(tmp_path, decorator):
    suite = write_suite(tmp_path, f"{decorator}\ndef test_a():\n    pass\n")
    with pytest.raises(ExerciseFileError, match=r"test_demo\.py: a test's points .* must be a positive number"):
        suite_points(suite)


def test_a_missing_suite_is_an_error(tmp_path):
    with pytest.raises(ExerciseFileError, match=r"test_gone\.py: missing"):
        suite_points(tmp_path / "test_gone.py")


def test_a_course_exercise_with_a_bad_toml_is_a_config_error_naming_file_and_key(folder):
    from grader.server.config import ConfigError, _own_exercises

    edit(folder, 'unit = 2', 'unit = "2"')
    with pytest.raises(ConfigError, match=r"affine/exercise\.toml: field 'unit': must be a whole number$"):
        _own_exercises(folder)
