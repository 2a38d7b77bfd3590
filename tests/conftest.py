"""Project tests fork their grading workers from warm fork servers, as batch grading does."""
import pytest

from grader.sandbox.spawn import use_fork_servers


@pytest.fixture(scope="session", autouse=True)
def warm_workers():
    use_fork_servers(True)
    yield
    use_fork_servers(False)
