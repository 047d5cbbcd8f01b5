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


VERSION_2 = GENERATE.parent / "version2.py"


@functools.cache
def version_2() -> ModuleType:
    """bench/version2.py as a module: a synthetic KB as a canonical version-2 file."""
    sys.modules.setdefault("generate", generator())  # version2 imports it by that name
    spec = importlib.util.spec_from_file_location("bench_version2", VERSION_2)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
