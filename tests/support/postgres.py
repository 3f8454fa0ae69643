"""Start a throwaway PostgreSQL server for the test session (initdb + pg_ctl).

Under pytest-xdist the workers share one server (`PostgresServer.shared`): the first worker
that needs it starts it, and the run's controller stops it at the end (tests/conftest.py).
Each worker has its own test database on it, and the demo snapshots are made once for all.
"""

from __future__ import annotations

import fcntl
import glob
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install -y postgresql")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive lock on `lock_file` (between the processes of a test run)."""
    with open(lock_file, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class PostgresServer:
    """A private server on 127.0.0.1 with trust auth; `url(db)` gives SQLAlchemy URLs."""

    STATE = "postgres.json"

    def __init__(self, root: Path | None = None, port: int | None = None) -> None:
        self.bindir = _bindir()
        self.root = root or Path(tempfile.mkdtemp(prefix="delaktig-pg-"))
        self.data = self.root / "data"
        self.port = port or _free_port()
        # initdb refuses to run as root: run the server as the postgres user.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.root, "postgres")
        self.root.chmod(0o777)

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, cwd=self.root)

    def start(self) -> PostgresServer:
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "--auth=trust",
                  "-U", "postgres", "--encoding=UTF8", "--locale=C.UTF-8")
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} -c fsync=off -c full_page_writes=off"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.root / "log"), "-w", "start")
        return self

    @classmethod
    def shared(cls, folder: Path) -> PostgresServer:
        """The test run's one server, described in `folder`: started by the first process
        that asks (under a lock), found by the others."""
        state = folder / cls.STATE
        with exclusive(folder / "postgres.lock"):
            if state.exists():
                known = json.loads(state.read_text())
                return cls(Path(known["root"]), known["port"])
            server = cls().start()
            state.write_text(json.dumps({"root": str(server.root), "port": server.port}))
            return server

    @classmethod
    def stop_shared(cls, folder: Path) -> None:
        """Stop the server `shared` started in `folder`, if one was."""
        state = folder / cls.STATE
        if state.exists():
            known = json.loads(state.read_text())
            cls(Path(known["root"]), known["port"]).stop()

    def create_database(self, name: str) -> str:
        """Create an empty database and return its URL."""
        self._run(str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                  "-U", "postgres", name)
        return self.url(name)

    def url(self, name: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        subprocess.run([*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data),
                        "-m", "immediate", "stop"], capture_output=True, cwd=self.root)
        shutil.rmtree(self.root, ignore_errors=True)
