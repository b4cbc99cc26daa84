"""One output style for every command of core and plugins: tables for people,
``--json`` for scripts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import click


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_json(data: Any) -> str:
    """``data`` as pretty JSON (UTF-8, dates as ISO 8601, decimals as strings)."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default)


def emit_json(data: Any) -> None:
    """Print ``data`` as JSON on standard output."""
    click.echo(to_json(data))


def emit_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Print rows as an aligned plain-text table."""
    rows = [["" if cell is None else str(cell) for cell in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def emit(data: Any, as_json: bool, human: str | Callable[[], None]) -> None:
    """A command's answer: ``data`` as JSON with ``--json``, otherwise ``human`` – a
    sentence to print, or a function that prints the form people read."""
    if as_json:
        emit_json(data)
    elif callable(human):
        human()
    else:
        click.echo(human)


#: A table column: the row's key, or a function of the row giving the cell.
Cell = str | Callable[[Mapping[str, Any]], Any]


def emit_rows(
    rows: Sequence[Mapping[str, Any]], as_json: bool, columns: Mapping[str, Cell]
) -> None:
    """Rows as a JSON list with ``--json``, otherwise as a table with ``columns``
    (header → key or function of the row)."""
    if as_json:
        emit_json(list(rows))
        return
    cells = [
        [cell(row) if callable(cell) else row[cell] for cell in columns.values()] for row in rows
    ]
    emit_table(list(columns), cells)


json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
