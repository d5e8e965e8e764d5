"""Pytest setup for the exporter tests: make `glide_export` (in src/export) importable."""

import sys
from pathlib import Path

_EXPORT_SRC = Path(__file__).resolve().parents[2] / "src" / "export"
if str(_EXPORT_SRC) not in sys.path:
    sys.path.insert(0, str(_EXPORT_SRC))
