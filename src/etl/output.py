"""Rows as a terminal table that fits the width, as CSV or as JSON (`etl runs`, `etl query`).

A table is only as wide as the terminal: columns wrap at word boundaries, and
when even that cannot fit (many columns in 80), each row is printed as a block
of `column  value` lines instead (psql's expanded display). Identifier columns
(`run_id`, `article_id`, `fact_id`, `id`, `run id`) are never cut: a
run id copied from the table must be the whole run id.

Example:

    >>> print(render_table(["run_id", "status"], [("20261201T020000-a1b2c3", "completed")], width=40), end="")
     run_id                   status
    ────────────────────────────────────
     20261201T020000-a1b2c3   completed
"""

from __future__ import annotations

import csv
import enum
import io
import json
import re
from typing import Any, Sequence

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text


class Format(str, enum.Enum):
    """What `--format` accepts."""

    table = "table"
    csv = "csv"
    json = "json"


# a column narrower than this is unreadable; such tables print as row blocks instead
MIN_WRAPPED = 10
WHOLE_WORD = 24  # a run id (22 characters) or a fact id in any column stays whole when the width allows
LABEL_MAX = 24
IDENTIFIER = re.compile(r"(^|[_ ])id$", re.I)


def cell_text(value: Any) -> str:
    """The text of one value in a table or CSV cell (NULL is empty)."""
    return "" if value is None else str(value)


def is_identifier(name: str) -> bool:
    """Columns whose values must never be cut (run ids, article ids, fact ids)."""
    return IDENTIFIER.search(name) is not None


def longest_word(text: str) -> int:
    return max((cell_len(w) for w in text.split()), default=0)


def to_csv(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """CSV with a header row; NULL as an empty field."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    writer.writerows([cell_text(v) for v in row] for row in rows)
    return out.getvalue()


def to_json(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A JSON array of objects, one per row; numbers, booleans, lists and NULL keep their JSON types."""
    return json.dumps([dict(zip(names, row)) for row in rows], default=str, ensure_ascii=False, indent=1) + "\n"


def _table(names: Sequence[str], widths: Sequence[int]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, header_style="bold")
    for name, width in zip(names, widths):
        table.add_column(name, width=width, overflow="fold")  # words wrap; only a word wider than its column folds
    return table


def _overhead(names: Sequence[str], width: int) -> int:
    """Columns of a table's frame and padding (everything but the cells)."""
    probe = _table(names, [1] * len(names))
    return Console(width=width * 4, file=io.StringIO()).measure(probe).maximum - len(names)


def fit_widths(names: Sequence[str], cells: Sequence[Sequence[str]], width: int) -> list[int] | None:
    """Column widths that fit `width`, or None when the table cannot fit readably.

    Every column gets its natural width when that fits; otherwise each starts at its
    narrowest (an identifier's longest word; other columns their longest word up to
    WHOLE_WORD, or down to MIN_WRAPPED when that cannot fit) and the rest of the width
    goes to the columns that lose most.
    """
    texts = [[name, *(row[i] for row in cells)] for i, name in enumerate(names)]
    natural = [max(cell_len(line) for t in col for line in (t.splitlines() or [""])) for col in texts]
    words = [max(longest_word(t) for t in col) for col in texts]
    room = width - _overhead(names, width)
    if sum(natural) <= room:
        return natural
    for floor in (WHOLE_WORD, MIN_WRAPPED):
        narrowest = [w if is_identifier(n) else min(w, max(floor, longest_word(n)), nat)
                     for n, w, nat in zip(names, words, natural)]
        if sum(narrowest) <= room:
            break
    else:
        return None
    widths = list(narrowest)
    spare = room - sum(widths)
    # whole columns first, the cheapest first, so that few columns wrap; the rest share what is left
    for i in sorted(range(len(names)), key=lambda i: natural[i] - widths[i]):
        want = natural[i] - widths[i]
        if want <= spare:
            widths[i], spare = natural[i], spare - want
    short = [i for i in range(len(names)) if widths[i] < natural[i]]
    total = sum(natural[i] - widths[i] for i in short)
    for i in short:
        widths[i] += spare * (natural[i] - widths[i]) // total
    leftover = room - sum(widths)
    for i in short[:leftover]:
        widths[i] += 1
    return widths


def render_table(names: Sequence[str], rows: Sequence[Sequence[Any]], width: int) -> str:
    """Rows as a table no wider than `width` (row blocks when the columns cannot fit)."""
    cells = [[cell_text(v) for v in row] for row in rows]
    console = Console(width=width, file=io.StringIO(), color_system=None, highlight=False, emoji=False)
    widths = fit_widths(names, cells, width)
    if widths is None:
        return render_records(names, cells, console)
    table = _table(names, widths)
    for row in cells:
        table.add_row(*(Text(c) for c in row))
    console.print(table)
    return _stripped(console)


def _stripped(console: Console) -> str:
    """What `console` printed, without the padding rich leaves at line ends."""
    return "".join(line.rstrip() + "\n" for line in console.file.getvalue().splitlines())


def render_records(names: Sequence[str], cells: Sequence[Sequence[str]], console: Console) -> str:
    """One block per row: a rule with the row number, then `column  value` lines, values wrapped."""
    label = min(max(cell_len(n) for n in names), LABEL_MAX)
    for number, row in enumerate(cells, 1):
        console.rule(f"row {number}", align="left", characters="─")
        grid = Table.grid(padding=(0, 2))
        grid.add_column(width=label, overflow="fold")
        grid.add_column(overflow="fold")
        for name, value in zip(names, row):
            grid.add_row(Text(name, style="bold"), Text(value))
        console.print(grid)
    if not cells:
        console.print("(no rows)")
    return _stripped(console)


def render(names: Sequence[str], rows: Sequence[Sequence[Any]], fmt: Format | str, width: int) -> str:
    """`rows` as a table no wider than `width`, as CSV or as JSON."""
    fmt = Format(fmt)
    if fmt is Format.csv:
        return to_csv(names, rows)
    if fmt is Format.json:
        return to_json(names, rows)
    return render_table(names, rows, width)
