"""The catalogue cache: read while its sources are unchanged, rebuilt whenever they change or it cannot be read."""
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.catalog import _catalog, _load
from grader.catalog_cache import cached
from grader.paths import exercises_dir


@dataclass(frozen=True)
class Item:
    name: str
    points: float
    tags: tuple[str, ...]
    folder: Path
    limits: dict = field(default_factory=dict)
    extra: object = None


@pytest.fixture
def bank(tmp_path, monkeypatch):
    monkeypatch.setenv("DLX_HOME", str(tmp_path / "home"))
    folder = tmp_path / "bank"
    (folder / "one").mkdir(parents=True)
    (folder / "one" / "item.txt").write_text("10")
    return folder


class Builder:
    """Builds the items from the bank, counting its calls."""

    def __init__(self, bank: Path, extra: object = None):
        self.bank, self.extra, self.calls = bank, extra, 0

    def __call__(self) -> list[Item]:
        self.calls += 1
        return [Item(p.parent.name, float(p.read_text()), ("a", "b"), p.parent, {"cpu_s": 1.5, "nested": [1, (2, 3)]},
                     self.extra)
                for p in sorted(self.bank.glob("*/item.txt"))]


def test_unchanged_sources_are_read_from_the_cache_with_their_types(bank):
    build = Builder(bank)
    first = cached("items", [bank], Item, build)
    again = cached("items", [bank], Item, build)
    assert build.calls == 1
    assert again == first and again[0].tags == ("a", "b") and isinstance(again[0].folder, Path)
    assert again[0].limits == {"cpu_s": 1.5, "nested": [1, (2, 3)]}


@pytest.mark.parametrize("change", ["edit", "touch", "add", "remove"])
def test_any_change_to_the_sources_rebuilds(bank, change):
    build = Builder(bank)
    cached("items", [bank], Item, build)
    item = bank / "one" / "item.txt"
    if change == "edit":
        item.write_text("7")
    elif change == "touch":
        os.utime(item, ns=(item.stat().st_atime_ns, item.stat().st_mtime_ns + 1000))
    elif change == "add":
        (bank / "one" / "statement.zh.md").write_text("x")
    else:
        (bank / "one" / "item.txt").rename(bank / "one" / "item.bak")
    result = cached("items", [bank], Item, build)
    assert build.calls == 2
    assert result == build()


def test_pycache_does_not_invalidate(bank):
    build = Builder(bank)
    cached("items", [bank], Item, build)
    (bank / "one" / "__pycache__").mkdir()
    (bank / "one" / "__pycache__" / "x.pyc").write_bytes(b"")
    cached("items", [bank], Item, build)
    assert build.calls == 1


@pytest.mark.parametrize("damage", ["", "not json", "[1, 2]", '{"stamp": 1}', '{"stamp": [1], "items": [{"x": 1}]}'])
def test_a_damaged_cache_is_rebuilt(bank, tmp_path, damage):
    build = Builder(bank)
    expected = cached("items", [bank], Item, build)
    cache = tmp_path / "home" / "items.json"
    text = cache.read_text()
    cache.write_text(damage or text.replace('"tuple"', '"bogus"'))
    assert cached("items", [bank], Item, build) == expected
    assert build.calls == 2


def test_values_it_cannot_hold_are_never_cached(bank, tmp_path):
    build = Builder(bank, extra={1: "int keys would come back as strings"})
    cached("items", [bank], Item, build)
    assert cached("items", [bank], Item, build)[0].extra == {1: "int keys would come back as strings"}
    assert build.calls == 2
    assert not list((tmp_path / "home").glob("items.json*"))


def test_an_unwritable_data_folder_only_costs_the_parsing(bank, tmp_path, monkeypatch):
    home = tmp_path / "home-file"
    home.write_text("a file where the folder should be")
    monkeypatch.setenv("DLX_HOME", str(home))
    build = Builder(bank)
    assert cached("items", [bank], Item, build) == cached("items", [bank], Item, build) == build()


def test_the_catalogue_from_its_cache_equals_the_parsed_bank(tmp_path, monkeypatch):
    monkeypatch.setenv("DLX_HOME", str(tmp_path))
    parsed = {lang: [_load(p, lang) for p in exercises_dir().glob("*/exercise.toml")] for lang in ("en", "zh")}
    for lang in ("en", "zh"):
        _catalog.cache_clear()
        built = _catalog(lang)  # writes the cache
        _catalog.cache_clear()
        assert (tmp_path / f"catalog.{lang}.json").is_file()
        assert _catalog(lang) == built  # read from the cache
        assert sorted(built.values(), key=lambda e: e.id) == sorted(parsed[lang], key=lambda e: e.id)
    _catalog.cache_clear()
