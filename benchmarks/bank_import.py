"""Importing a large YAML bank against a bare C-loader yaml.load."""

from __future__ import annotations


def report() -> str:
    return ""
