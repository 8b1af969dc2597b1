"""Reading the Markdown tables the benchmarks write (a test helper)."""

from __future__ import annotations


def table_rows(text: str) -> list[list[str]]:
    """Cells of every table row of a Markdown text (header rows included, separator rows not)."""
    return [[c.strip() for c in line.strip().strip("|").split("|")] for line in text.splitlines()
            if line.startswith("| ") and not line.startswith("|---")]
