"""A graded sheet as Gradescope's autograder `results.json` (nothing here touches the disk).

The format is Gradescope's "Autograder Specifications"
(https://gradescope-autograders.readthedocs.io/en/latest/specs/): a top-level `score`,
`output`, `output_format`, `visibility`, `stdout_visibility`, `execution_time`, `extra_data`
and `tests`, each test with `name`, `number`, `score`, `max_score`, `status`, `output`,
`output_format`, `tags`, `visibility` and `extra_data`. The document has no other key.

`nncheck grade` writes one per student (`gradescope/<id>.json`, no visibility, no time);
`nncheck gradescope` writes the one Gradescope reads, with a first test, always visible, that
says whether the sheet was read (and its warnings), so that scores can stay hidden until they
are published while a student still sees at once that the sheet they handed in parsed.

Outputs are Markdown (`output_format: md`). No string from a sheet, nor from the submission's
metadata, is ever Markdown or HTML: a test's detail (the answer, the expected value, the named
mistake) sits in a fenced code block whose fence is longer than any run of backticks inside it,
and a string in a sentence sits in a code span fenced the same way; both are made inert first
(`words.inert`), so no line break, control or bidirectional character reaches the page. Our own
words outside code have their Markdown punctuation escaped, and `<`, `>`, `&` written as
entities.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nncheck.compare.table_rows import TableRows
from nncheck.compare.verdict import Status
from nncheck.render import text, view
from nncheck.render.answers import WHOLE, inline
from nncheck.words import inert, json_safe

SPEC_URL = "https://gradescope-autograders.readthedocs.io/en/latest/specs/"
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
SHEET_CHECK = "Answer sheet read"  # the name of the first test of `nncheck gradescope`

WHEN_SHOWN = {
    "hidden": "Your scores are not shown here.",
    "after_due_date": "Your scores are shown here after the due date.",
    "after_published": "Your scores are shown here once the grades are published.",
}

_BACKTICKS_RE = re.compile("`+")
_MD_PUNCTUATION_RE = re.compile(r"([\\`*_{}\[\]()#+\-.!|~^])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


@dataclass(frozen=True)
class Settings:
    """What a course chooses: how much to reveal, and when students see what."""

    reveal: str = "mistake"  # verdict | mistake | expected (as `--reveal`)
    visibility: str | None = None  # of the scores (top level and each part); None: not set
    stdout_visibility: str | None = None


# --- Markdown that no student string can break out of --------------------------------------------

def md_text(words: str) -> str:
    """Our own words as Markdown text: one inert line, punctuation escaped, no HTML."""
    escaped = _MD_PUNCTUATION_RE.sub(r"\\\1", inert(words))
    return "".join(_ENTITIES.get(ch, ch) for ch in escaped)


def code_span(value: str) -> str:
    """A string from a file as an inline code span: shown as written, never rendered."""
    shown = inert(value)
    fence = "`" * (_longest_backtick_run(shown) + 1)
    # A span that starts or ends with a backtick (or a space) is padded with one space each
    # side, which CommonMark strips again.
    pad = " " if shown[:1] in ("`", " ") or shown[-1:] in ("`", " ") else ""
    return f"{fence}{pad}{shown}{pad}{fence}" if shown else "—"


def fenced(lines: Iterable[str]) -> str:
    """Lines as a fenced code block: its fence is longer than any run of backticks inside, so
    no line can close it (and every line is inert: nothing can start a line of its own)."""
    body = [inert(line) for line in lines]
    fence = "`" * max(3, max((_longest_backtick_run(line) for line in body), default=0) + 1)
    return "\n".join([f"{fence}text", *body, fence])


def _longest_backtick_run(value: str) -> int:
    return max((len(m.group()) for m in _BACKTICKS_RE.finditer(value)), default=0)


# --- the document ----------------------------------------------------------------------------

def sheet_results(result: Any, settings: Settings, *, hashes: Mapping[str, str] | None = None,
                  extra: Mapping[str, Any] | None = None, first: Sequence[Mapping[str, Any]] = (),
                  seconds: float | None = None,
                  problems: Sequence[list[dict[str, Any]]] | None = None) -> dict[str, Any]:
    """A graded sheet as `results.json`: one test per part (after the tests of `first`);
    `problems`: each problem's `problem_tests`, where they are already made.

    While the scores are not visible to the student, the top-level output does not give the
    total away either: it says when the scores will be shown.
    """
    hashes = hashes or {}
    tests: list[dict[str, Any]] = [dict(t) for t in first]
    for made in problems if problems is not None else (
            problem_tests(prob, i, settings, hashes.get(prob.id))
            for i, prob in enumerate(result.problems, 1)):
        tests += made
    if settings.visibility in (None, "visible"):
        said = [f"**{md_text(view.summary(result))}**"]
        if result.warnings:
            said.append(fenced(f"warning: {w}" for w in result.warnings))
    else:
        said = [md_text(f"Your answer sheet was graded. {WHEN_SHOWN[settings.visibility]}")]
    data = {"score": result.score, "output": "\n\n".join(said), "output_format": "md"}
    data.update(_visibility(settings, seconds))
    data["extra_data"] = {"max_score": result.max_score, **(extra or {})}
    data["tests"] = tests
    return data


def problem_tests(prob: Any, number: int, settings: Settings, problem_hash: str | None
                  ) -> list[dict[str, Any]]:
    """The tests of the `number`th problem of a sheet, one per part."""
    return [part_test(prob.id, part, f"{number}.{j}", view.note(part, reveal=settings.reveal),
                      settings, problem_hash) for j, part in enumerate(prob.parts, 1)]


def part_test(problem_id: str, part: Any, number: str, note: view.Note | None,
              settings: Settings, problem_hash: str | None) -> dict[str, Any]:
    """One part as a test: its verdict and points, then the detail at the `reveal` level."""
    row = view.Row(part=part.id, ask=part.ask, expected="", claimed="", status=part.status,
                   points="", shown_only=part.max_points == 0)
    detail = [f"your answer: {_answer(part.claimed)}"]
    if settings.reveal == "expected":
        detail.append(f"expected: {_answer(part.expected)}")
    if note is not None:
        detail += text.note_lines(note, indent=0)
    mistake = next(iter(view.mistakes(part, settings.reveal)), None)
    test: dict[str, Any] = {
        "name": inert(f"{problem_id} / {part.id}"),
        "number": number,
        "score": part.points,
        "max_score": part.max_points,
        # A part waiting for a person has earned nothing yet: Gradescope knows no third
        # status, and "passed" would promise points that may not come.
        "status": "failed" if part.failed or part.status is Status.PENDING else "passed",
        "output": f"**{md_text(view.verdict(row))}** {md_text(view.points(part))}\n\n"
                  + fenced(detail),
        "output_format": "md",
        "tags": [inert(t) for t in (part.ask, mistake) if t],
    }
    if settings.visibility is not None:
        test["visibility"] = settings.visibility
    test["extra_data"] = {"problem": inert(problem_id), "part": inert(part.id),
                          "status": part.status.value, "mistake": mistake,
                          "problem_sha256": problem_hash}
    return test


def sheet_check(sheet: str, *, student: str | None, answered: int | None, parts: int,
                warnings: Sequence[str] = (), error: str | None = None,
                ours: bool = False) -> dict[str, Any]:
    """The first test of `nncheck gradescope`, always visible: the sheet read, or why not
    (`ours`: the autograder's fault, not the sheet's)."""
    if error is None:
        said = f"Read {code_span(sheet)}" + (f" for student id {code_span(student)}"
                                             if student else "")
        said += md_text(f": {answered} of {parts} parts answered.")
        body = [said]
        if warnings:
            body.append(fenced(f"warning: {w}" for w in warnings))
    else:
        body = [md_text("Your submission could not be graded:"), fenced([error]),
                md_text("This is not your fault; the course staff are told." if ours
                        else "Fix it and submit again.")]
    return {
        "name": SHEET_CHECK, "number": "0", "status": "failed" if error else "passed",
        "output": "\n\n".join(body), "output_format": "md", "tags": ["sheet"],
        "visibility": "visible",
        "extra_data": {"status": ("autograder error" if ours else "error") if error else "read"},
    }


def not_graded(check: Mapping[str, Any], settings: Settings, *, why: str,
               extra: Mapping[str, Any] | None = None, seconds: float | None = None
               ) -> dict[str, Any]:
    """`results.json` for a submission that was not graded: score 0, and the one visible test
    that says why."""
    data: dict[str, Any] = {"score": 0, "output": f"**{md_text(why)}**", "output_format": "md"}
    data.update(_visibility(settings, seconds))
    data["extra_data"] = dict(extra or {})
    data["tests"] = [dict(check)]
    return data


def _visibility(settings: Settings, seconds: float | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if settings.visibility is not None:
        out["visibility"] = settings.visibility
    if settings.stdout_visibility is not None:
        out["stdout_visibility"] = settings.stdout_visibility
    if seconds is not None:
        out["execution_time"] = round(seconds, 3)
    return out


def _answer(value: Any) -> str:
    """An answer (or an expected value) whole, in one line; a large table by its shape
    (`table, 1048576 rows`), as the feedback shows it."""
    if isinstance(value, dict) and isinstance(value.get("rows"), TableRows):
        return view.cell(value)
    return "—" if value is None else inline(value, WHOLE)


def results_text(data: Mapping[str, Any], tests: Iterable[str] | None = None) -> str:
    """A `results.json` with one test per line: readable, and written by the fast encoder
    (`tests`: the tests already as `test_text`, written instead of `data`'s)."""
    # json.dumps with `indent` falls back to the pure-Python encoder, 10x slower per sheet.
    head = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in data.items()
            if k != "tests"]
    written = tests if tests is not None else map(test_text, data["tests"])
    body = ",\n".join(f"    {t}" for t in written)
    # Pieces made safe apart join as the whole made safe would (`words`).
    return "\n".join([json_safe("\n".join(["{", *head])), '  "tests": [', body, "  ]", "}"]
                     ) + "\n"


def test_text(test: Mapping[str, Any]) -> str:
    """One test as `results_text` writes it on its line (safe as `json_safe` makes it)."""
    return json_safe(json.dumps(test, ensure_ascii=False))
