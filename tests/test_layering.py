"""The statistical core stays free of Flask and the database, for notebooks and tests."""

from __future__ import annotations

import subprocess
import sys


def test_the_weighting_engine_imports_without_flask_or_sqlalchemy():
    code = ("import sys, surveys.weighting; "
            "print(sorted(m for m in ('flask', 'sqlalchemy', 'flask_babel') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
