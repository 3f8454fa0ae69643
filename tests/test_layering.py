"""The statistical core stays free of Flask and the database, for notebooks and tests."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("package", ["surveys.weighting", "surveys.indicators", "surveys.runs.microdata"])
def test_the_statistical_core_imports_without_flask_or_sqlalchemy(package):
    code = (f"import sys, {package}; "
            "print(sorted(m for m in ('flask', 'sqlalchemy', 'flask_babel') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
