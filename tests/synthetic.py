"""bench/generate.py as a module, for the tests that make synthetic knowledge bases."""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

GENERATE = Path(__file__).resolve().parent.parent / "bench" / "generate.py"


@functools.cache
def generator() -> ModuleType:
    """bench/generate.py as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
