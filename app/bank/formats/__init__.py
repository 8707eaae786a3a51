"""Question-bank files: one module per format, all behind one registry (`FORMATS`).

Each module in this package other than `spec` and `core` is a format that registers itself on
import, so adding a format is adding one module.
"""

from __future__ import annotations

import importlib
import pkgutil

from .core import (
    FORMATS,
    BankFormat,
    BankRead,
    ImportFile,
    ImportLimits,
    Skipped,
    export_format_names,
    format_for_name,
    read_bank,
    read_bank_paths,
    read_banks,
    write_bank,
)
from .spec import (
    BankSpec,
    Difficulty,
    LoadedQuestion,
    QuestionSpec,
    QuestionType,
    bank_to_dict,
    readable,
    slugify,
)

for _module in pkgutil.iter_modules(__path__):
    if _module.name not in {"core", "spec"} and not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = [
    "FORMATS",
    "BankFormat",
    "BankRead",
    "BankSpec",
    "Difficulty",
    "ImportFile",
    "ImportLimits",
    "LoadedQuestion",
    "QuestionSpec",
    "QuestionType",
    "Skipped",
    "bank_to_dict",
    "export_format_names",
    "format_for_name",
    "read_bank",
    "read_bank_paths",
    "read_banks",
    "readable",
    "slugify",
    "write_bank",
]
