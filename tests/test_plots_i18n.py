"""`--plots` in Chinese: titles, captions, labels and notes in the student's language, drawn with a CJK font after
DejaVu Sans and never as empty boxes; without a CJK font the labels fall back to English, and the student is told
which package gives Chinese labels."""
import warnings

import pytest
from click.testing import CliRunner

from grader import i18n
from grader.catalog import get
from grader.cli import main
from grader.plots import build_figures, fonts, missing_font_note
from grader.plots.figure import to_png
from grader.plots.registry import figures_for
from tests.helpers import reference_text


def drawn_texts(spec, figure):
    """The PNG of ``figure`` drawn again by ``spec`` in this run's language, every text on it, and the warnings."""
    texts = []

    def paint(fig):
        spec.draw(fig, figure.student, figure.reference)
        texts.extend(t.get_text() for t in fig.findobj(lambda artist: hasattr(artist, "get_text")) if t.get_text())

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with i18n.speaking(fonts.labels_language()):
            png = to_png(paint, spec.size)
    return png, texts, [str(w.message) for w in caught if "missing from font" in str(w.message)]


@pytest.fixture(scope="module")
def stopper():
    """The early-stopping figure of the reference, observed in Chinese."""
    with i18n.speaking("zh"):
        (figure,) = build_figures(get("early_stopping"), reference_text("early_stopping"))
    return figures_for("early_stopping")[0], figure


def test_figure_titles_and_captions_follow_the_language_and_keep_their_english_name():
    spec = figures_for("optim")[4]
    assert spec.name == "adam_step: trajectory and loss"
    with i18n.speaking("zh"):
        title, caption = spec.shown()
    assert title == "adam_step：轨迹与损失"
    assert "{'lr': 0.3}" in caption and "0.5 wᵀAw" in caption and "特征值为 1 和 15" in caption
    with i18n.speaking("en"):
        assert spec.shown()[0] == spec.name


def test_the_glyph_check_sees_tofu(monkeypatch, stopper):
    """The check below can fail: Chinese labels drawn with DejaVu Sans alone are reported as missing glyphs."""
    monkeypatch.setattr(fonts, "CJK_FAMILIES", ())
    monkeypatch.setattr(fonts, "labels_language", lambda: "zh")  # force Chinese labels without a CJK family
    spec, figure = stopper
    with i18n.speaking("zh"):
        missing = drawn_texts(spec, figure)[2]
    assert missing and "DejaVu Sans" in missing[0]


def test_chinese_pictures_have_chinese_labels_and_every_glyph(stopper):
    if fonts.cjk_family() is None:
        pytest.skip("no CJK font on this machine (.ci/run installs fonts-noto-cjk)")
    spec, figure = stopper
    assert figure.title == "在一次过拟合的训练上运行 EarlyStopping" and "直到它返回 True" in figure.caption
    assert figure.png is not None and figure.note == ""
    with i18n.speaking("zh"):
        assert missing_font_note() == ""
        png, texts, missing = drawn_texts(spec, figure)
    assert missing == []
    assert {"训练损失", "验证损失", "验证准确率", "轮次", "对数损失"} <= set(texts), texts
    assert not [t for t in texts if "loss" in t.replace("best_loss", "")], texts
    assert png.startswith(b"\x89PNG")


def test_without_a_chinese_font_the_labels_are_english_and_the_student_is_told(monkeypatch, stopper):
    monkeypatch.setattr(fonts, "CJK_FAMILIES", ("No Such CJK Family",))  # matplotlib finds no such font
    spec, figure = stopper
    with i18n.speaking("zh"):
        assert fonts.cjk_family() is None and fonts.labels_language() == "en"
        assert fonts.font_families() == ["DejaVu Sans"]
        note = missing_font_note()
        png, texts, missing = drawn_texts(spec, figure)
    assert "apt install fonts-noto-cjk" in note and "中文字体" in note
    assert missing == []
    assert {"training loss", "validation loss", "epoch"} <= set(texts), texts
    with i18n.speaking("en"):
        assert missing_font_note() == ""  # English needs no other font


def test_a_chinese_report_says_everything_in_chinese(tmp_path, monkeypatch):
    monkeypatch.setenv("DLX_HOME", str(tmp_path / "home"))
    (tmp_path / "linreg.py").write_text(reference_text("linreg"))
    result = CliRunner().invoke(main, ["--lang", "zh", "check", "linreg", "--dir", str(tmp_path), "--plots"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    page = (tmp_path / "linreg_plots.html").read_text(encoding="utf-8")
    assert "<html lang='zh'>" in page and "linreg_train：每轮之后的损失" in page
    assert "（红色实线）与参考实现（黑色虚线）的对比" in page and "203 个点" in page
    assert ("本机没有找到中文字体" in page) == (fonts.cjk_family() is None)


def test_a_chinese_report_without_the_font_says_so_once(tmp_path, monkeypatch):
    monkeypatch.setenv("DLX_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(fonts, "CJK_FAMILIES", ("No Such CJK Family",))
    (tmp_path / "linreg.py").write_text(reference_text("linreg"))
    result = CliRunner().invoke(main, ["--lang", "zh", "check", "linreg", "--dir", str(tmp_path), "--plots"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert " ".join(result.output.split()).count("apt install fonts-noto-cjk") == 1
    assert "本机没有找到中文字体" in (tmp_path / "linreg_plots.html").read_text(encoding="utf-8")


def test_a_cjk_font_installed_after_matplotlib_cached_its_fonts_is_found(monkeypatch):
    from matplotlib import font_manager

    if fonts.cjk_family() is None:
        pytest.skip("no CJK font on this machine (.ci/run installs fonts-noto-cjk)")
    cjk_files = {font.fname for font in font_manager.fontManager.ttflist if font.name in fonts.CJK_FAMILIES}
    stale = [font for font in font_manager.fontManager.ttflist if font.fname not in cjk_files]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)  # as cached before the font was installed
    fonts._add_new_cjk_files.cache_clear()
    assert fonts.cjk_family() in fonts.CJK_FAMILIES
