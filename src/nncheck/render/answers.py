"""A written answer in one line, as YAML flow style would show it: for the statistics' most
common wrong answers and for the Gradescope scorecards."""

from __future__ import annotations

from typing import Any

from nncheck.compare.numbers import format_value
from nncheck.compare.table_rows import TableRows
from nncheck.words import CELL_ELLIPSIS, clip

ANSWER_WIDTH = 60  # widest wrong answer shown in the statistics
WHOLE = 1 << 20  # a sheet holds at most 1 MiB, so no answer is cut at this width


def inline(value: Any, width: int = ANSWER_WIDTH) -> str:
    """A written answer in one line, as YAML flow style would show it, shortened to `width`."""
    pieces: list[str] = []
    _flow(value, pieces, width + 1)
    text = "".join(pieces)
    return clip(text, width, CELL_ELLIPSIS)


def _flow(value: Any, out: list[str], room: int) -> int:
    """Append `value` in flow style to `out`; stop once `room` characters are spent."""
    if isinstance(value, (dict, list, TableRows)):  # TableRows: read a row at a time
        items = value.items() if isinstance(value, dict) else enumerate(value)
        out.append("{" if isinstance(value, dict) else "[")
        room -= 1
        for i, (k, v) in enumerate(items):
            if room <= 0:
                break  # a table of a thousand rows costs no more than its first line
            piece = (", " if i else "") + (f"{k}: " if isinstance(value, dict) else "")
            out.append(piece)
            room = _flow(v, out, room - len(piece))
        out.append("}" if isinstance(value, dict) else "]")
        return room - 1
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        text = str(value)
    elif isinstance(value, int) and abs(value) < 10**15:
        text = str(value)  # what format_value writes, without its float round trip
    else:
        text = format_value(value)
    out.append(text)
    return room - len(text)



