"""Babel extraction of what click shows as help (command docstrings and ``help="..."`` texts) and of the
names of a suite's tests (translated where results are shown; the stored name stays English).

A maintainer's tool (babel.cfg names it; see docs/translating.md): it yields the messages of
``_()``, ``ngettext()`` and ``N_()`` as Babel's own Python extractor does, plus the help texts, so
command help is written as plain docstrings and ``help=`` strings and translated where it is shown
(:func:`grader.i18n_click.localise`).
"""
from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import IO, Any, Iterator

COMMAND_DECORATORS = ("command", "group")


def _decorated_as_command(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name in COMMAND_DECORATORS:
            return True
    return False


def help_texts(source: str) -> Iterator[tuple[int, str]]:
    """(line, text) of every command docstring and ``help=`` string in ``source``, as click cleans them."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _decorated_as_command(node):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                yield node.lineno, inspect.cleandoc(doc).partition("\f")[0]
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "help" and isinstance(keyword.value, ast.Constant) \
                        and isinstance(keyword.value.value, str):
                    yield keyword.value.lineno, inspect.cleandoc(keyword.value.value)


def suite_test_names(path: str) -> Iterator[tuple[int, str]]:
    """(line, name) of every test of the hidden suite or visible tests at ``path`` (``grader/suites/test_*.py``,
    ``exercises/<id>/test_visible.py``; none for another file): the first line of its docstring, as
    :mod:`grader.plugin` names it. The file is imported, so names built in code (``graded(n, id, f"{fn}: ...")``)
    are found too."""
    import importlib
    import importlib.util

    file = Path(path).resolve()
    if file.parent.name == "suites" and file.parent.parent.name == "grader" and file.name.startswith("test_"):
        module = importlib.import_module(f"grader.suites.{file.stem}")
    elif file.name == "test_visible.py":
        spec = importlib.util.spec_from_file_location(f"dlx_visible_{file.parent.name}", file)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    else:
        return
    for name, test in vars(module).items():
        doc = (getattr(test, "__doc__", None) or "").strip().splitlines()
        if name.startswith("test_") and inspect.isfunction(test) and doc:
            yield test.__code__.co_firstlineno, doc[0].strip()


def extract_click(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
                  ) -> Iterator[tuple[int, str | None, str | tuple[str, ...], list[str]]]:
    """Babel's Python extraction plus the click help texts and the test names of the file."""
    from babel.messages.extract import extract_python

    data = fileobj.read()
    import io

    yield from extract_python(io.BytesIO(data), keywords, comment_tags, options)
    source = data.decode(options.get("encoding", "utf-8"))
    for line, text in (*help_texts(source), *suite_test_names(getattr(fileobj, "name", ""))):
        yield line, None, text, []
