"""CSV read with positions: every cell knows its line and column, so a bad cell is reported as
``FILE:LINE:COL``. RFC 4180 (quoted cells, ``""`` escapes, line breaks inside quotes); a UTF-8
byte-order mark is skipped; blank lines are ignored."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    value: str
    line: int
    col: int


@dataclass
class Record:
    line: int
    cells: list[Cell]

    def get(self, index: int | None) -> Cell | None:
        if index is None or index >= len(self.cells):
            return None
        return self.cells[index]


class CsvSyntaxError(ValueError):
    def __init__(self, line: int, col: int, message: str):
        super().__init__(message)
        self.line, self.col, self.message = line, col, message


def read_records(text: str) -> list[Record]:
    """The records of ``text``; raises CsvSyntaxError (with its position) on a broken quote."""
    text = text.removeprefix("\ufeff")
    out: list[Record] = []
    cells: list[Cell] = []
    i, n, line, col = 0, len(text), 1, 1
    while True:
        start_line, start_col = line, col
        if i < n and text[i] == '"':
            value, i, line, col = _quoted(text, i, line, col)
            if i < n and text[i] not in ",\r\n":
                raise CsvSyntaxError(line, col, "a quoted cell must end at a comma or the end of the line")
        else:
            j = i
            while j < n and text[j] not in ",\r\n":
                j += 1
            value = text[i:j]
            col += j - i
            i = j
        cells.append(Cell(value, start_line, start_col))
        if i < n and text[i] == ",":
            i, col = i + 1, col + 1
            continue
        if not (len(cells) == 1 and cells[0].value == ""):
            out.append(Record(cells[0].line, cells))
        cells = []
        if i >= n:
            return out
        i += 2 if text.startswith("\r\n", i) else 1
        line, col = line + 1, 1


def _quoted(text: str, i: int, line: int, col: int) -> tuple[str, int, int, int]:
    start_line, start_col = line, col
    i, col = i + 1, col + 1
    buf = []
    n = len(text)
    while True:
        if i >= n:
            raise CsvSyntaxError(start_line, start_col, "a quoted cell is never closed")
        ch = text[i]
        if ch == '"':
            if text.startswith('""', i):
                buf.append('"')
                i, col = i + 2, col + 2
                continue
            return "".join(buf), i + 1, line, col + 1
        buf.append(ch)
        i += 1
        if ch == "\n":
            line, col = line + 1, 1
        else:
            col += 1


def write_csv(rows: list[list[str]], header: list[str] | None = None) -> str:
    """Rows as CSV text (quoted where needed, ``\\n`` line ends)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if header:
        w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()
