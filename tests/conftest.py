"""Project tests fork their grading workers from warm fork servers, as batch grading does.

Every `dlx` the tests start runs cold and starts no warm grader (tests/test_daemon.py turns it on for its own).
"""
import os

import pytest

from grader.sandbox.spawn import use_fork_servers

os.environ["DLX_DAEMON"] = "0"


@pytest.fixture(scope="session", autouse=True)
def warm_workers():
    use_fork_servers(True)
    yield
    use_fork_servers(False)
