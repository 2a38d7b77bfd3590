"""Run the real course server (`dlx serve` on 127.0.0.1) and the real `dlx` client for tests."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DLX = [sys.executable, "-c", "from grader.cli import main; main()"] if shutil.which("dlx") is None else [shutil.which("dlx")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CourseServer:
    """One `dlx serve` process; kill() and start() again on the same data simulate a crash and a restart."""

    def __init__(self, course_file: Path, data_dir: Path, clock_file: Path, *, database: str | None = None,
                 workers: int = 1, lease_s: float = 60.0):
        self.course_file, self.data_dir, self.clock_file = course_file, data_dir, clock_file
        self.database, self.workers, self.lease_s = database, workers, lease_s
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.extra_args: list[str] = []  # more `dlx serve` options, e.g. --queue
        self.instructor_code: str | None = None
        self.log = data_dir.parent / f"serve-{self.port}.log"

    def start(self, timeout: float = 90.0) -> "CourseServer":
        cmd = [*DLX, "serve", str(self.course_file), "--port", str(self.port), "--data", str(self.data_dir),
               "--workers", str(self.workers), "--lease", str(self.lease_s)]
        if self.database:
            cmd += ["--database", self.database]
        cmd += self.extra_args
        env = {**os.environ, "DLX_TEST_CLOCK": str(self.clock_file)}
        self.proc = subprocess.Popen(cmd, stdout=open(self.log, "a"), stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dlx serve exited with {self.proc.returncode}:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/api/health", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.3)
        else:
            raise RuntimeError(f"dlx serve did not answer within {timeout} s:\n{self.log.read_text()}")
        codes = re.findall(r"instructor's first login code: (\S+)", self.log.read_text())
        if codes and self.instructor_code is None:
            self.instructor_code = codes[-1]
        return self

    def kill(self) -> None:
        """SIGKILL the server process alone; its embedded workers die with it (the kernel's parent-death signal)."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None:
            try:  # anything of this server's session still running (a worker that missed the signal)
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


class Person:
    """Someone running the real `dlx` client, with a home of their own (their saved login)."""

    def __init__(self, home: Path, workdir: Path):
        self.home, self.workdir = home, workdir
        home.mkdir(parents=True, exist_ok=True)
        workdir.mkdir(parents=True, exist_ok=True)

    def dlx(self, *args: str, check: bool | None = True, timeout: float = 300) -> subprocess.CompletedProcess:
        env = {**os.environ, "DLX_HOME": str(self.home), "COLUMNS": "200"}
        done = subprocess.run([*DLX, *args], cwd=self.workdir, env=env, capture_output=True, text=True,
                              timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"dlx {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done

    @property
    def token(self) -> str:
        return json.loads((self.home / "course.json").read_text())["token"]


def api(url: str, method: str, path: str, token: str | None = None, body: bytes | None = None,
        json_body: object = None) -> tuple[int, object]:
    """A raw API call (for what the CLI never sends, like another student's id); returns (status, JSON)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if json_body is not None:
        body = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def set_clock(clock_file: Path, when: str) -> None:
    clock_file.write_text(when, encoding="utf-8")


class Postgres:
    """A throw-away PostgreSQL cluster on 127.0.0.1 (Debian's packages), run as the postgres user when root."""

    def __init__(self) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        found = shutil.which("initdb")
        self.bin = bins[-1].parent if bins else (Path(found).parent if found else None)
        self.dir: Path | None = None
        self.port = free_port()
        self.count = 0

    def unavailable(self) -> str | None:
        if self.bin is None:
            return "PostgreSQL is not installed (apt-get install postgresql)"
        try:
            import psycopg  # noqa: F401
        except ImportError:
            return "psycopg is not installed (pip install 'dlx[postgresql]')"
        if os.geteuid() == 0:
            try:
                import pwd
                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no postgres user to run the cluster"
        return None

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    def start(self) -> "Postgres":
        import tempfile
        self.dir = Path(tempfile.mkdtemp(prefix="dlx-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.dir / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-w", "-o",
                  f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir}", "start")
        return self

    def new_database(self) -> str:
        self.count += 1
        name = f"dlx_{self.count}"
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.dir is not None:
            try:
                self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "stop")
            finally:
                shutil.rmtree(self.dir, ignore_errors=True)


class Redis:
    """A throw-away redis-server on 127.0.0.1 without persistence: a restart loses every queued message."""

    def __init__(self, workdir: Path):
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Redis":
        assert self.binary
        self.proc = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", str(self.workdir)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
