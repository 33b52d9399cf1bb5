"""Two SQL functions the figures need, written once per database dialect.

Times are compared as whole milliseconds since the epoch, so that bucket limits (≤ 30 s)
are exact integers rather than floating-point differences of timestamps:

- ``epoch_ms(column)``: a stored UTC timestamp in milliseconds since 1970. SQLite keeps
  timestamps as text; ``julianday`` reads them (to the millisecond). PostgreSQL uses
  ``EXTRACT(EPOCH ...)``.
- ``floor_div(expression, divisor)``: the whole quotient of a non-negative number.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement, literal_column

# julianday('1970-01-01 00:00:00')
UNIX_EPOCH_JULIAN_DAY = 2440587.5
MS_PER_DAY = 86_400_000


class epoch_ms(FunctionElement):  # noqa: N801 - reads like the SQL function it renders
    """Milliseconds since 1970-01-01 UTC of a timestamp column (a whole number)."""

    type = Integer()
    name = "epoch_ms"
    inherit_cache = True


class floor_div(FunctionElement):  # noqa: N801
    """``floor(expression / divisor)`` of a non-negative expression, as an integer."""

    type = Integer()
    name = "floor_div"
    inherit_cache = True


@compiles(epoch_ms)
def _epoch_ms_default(element: epoch_ms, compiler: Any, **kw: Any) -> str:
    return f"ROUND(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) * 1000)"


@compiles(epoch_ms, "sqlite")
def _epoch_ms_sqlite(element: epoch_ms, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"ROUND((julianday({column}) - {UNIX_EPOCH_JULIAN_DAY}) * {MS_PER_DAY}.0)"


@compiles(floor_div)
def _floor_div_default(element: floor_div, compiler: Any, **kw: Any) -> str:
    value, divisor = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(FLOOR(({value}) / {divisor}) AS INTEGER)"


@compiles(floor_div, "sqlite")
def _floor_div_sqlite(element: floor_div, compiler: Any, **kw: Any) -> str:
    # CAST truncates towards zero, which is the floor for the non-negative values used here
    # (SQLite's FLOOR needs the optional math functions).
    value, divisor = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(({value}) / {divisor} AS INTEGER)"


def number(value: int) -> ColumnElement:
    """An integer written into the SQL text (not a bound parameter), so that an expression
    repeated in SELECT and GROUP BY stays textually identical."""
    return literal_column(str(int(value)), Integer())
