"""Project tests fork their grading workers from warm templates, as batch grading does."""
import pytest

from grader.sandbox.client import use_templates


@pytest.fixture(scope="session", autouse=True)
def warm_workers():
    use_templates(True)
    yield
    use_templates(False)
