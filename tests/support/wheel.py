"""The wheel built from this tree as a stranger would build it: from a copy of the checkout
without the build/ folder a developer's earlier builds leave (setuptools copies into it
and never removes what a build no longer includes), virtual environments or node_modules."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.servers import ROOT

LEFT_OUT = shutil.ignore_patterns("build", "dist", ".venv", "node_modules", ".git", "instance",
                                  "*.egg-info", "__pycache__", ".pytest_cache", "*.mo")


def build_wheel(folder: Path) -> Path:
    """Build the wheel in `folder` from a clean copy of the checkout; its path."""
    source = folder / "source"
    shutil.copytree(ROOT, source, ignore=LEFT_OUT)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w",
                    str(folder / "dist"), str(source)], check=True, capture_output=True)
    return next((folder / "dist").glob("delaktig-*.whl"))


def session_wheel(tmp_path_factory, worker_id: str) -> Path:
    """One wheel for the whole test session, also when xdist's workers share it: the first
    worker to ask builds it under a lock in the session's common folder."""
    if worker_id == "master":
        return build_wheel(tmp_path_factory.mktemp("wheel"))
    common = tmp_path_factory.getbasetemp().parent / "wheel"
    common.mkdir(exist_ok=True)
    with open(common / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        built = list((common / "dist").glob("delaktig-*.whl"))
        return built[0] if built else build_wheel(common)
