"""A whole class against a bank: find the sheets, grade them in parallel, write the report.

Sheets are `CLASS_DIR/*.yaml` and `CLASS_DIR/<student>/answers.yaml` (names starting with a dot
are skipped), ordered by their path relative to CLASS_DIR as a plain string; every output is
sorted the same way, so the same inputs give byte-identical outputs whatever `jobs` is. How
they are found and opened (never through a link out of CLASS_DIR) is in `nncheck.files`.

`--shard K/N` keeps the sheets whose relative path hashes (SHA-256, first 8 bytes, big-endian)
to K-1 modulo N: a sheet's shard depends on its own path only, so it stays put when other
sheets are added, and the N shards partition the class on any machine.

Status of a sheet (grades.csv, results.jsonl, summary.json):
  ok      every graded part has full marks (and no manual part is waiting);
  failed  a graded part is wrong, missing, invalid, or scored below its points by a person;
  pending nothing failed, but a manual part waits for a person (the total may still rise);
  error   the sheet could not be read or validated, or its student id is used by another sheet
          (both sheets become error rows: they are reported, never merged or picked between).

Outputs (under --out):
  grades.csv      UTF-8 with a byte-order mark (Excel needs it to read names as UTF-8; Canvas,
                  Moodle and Python's `utf-8-sig` accept it), CRLF line ends (RFC 4180). Columns:
                  id, name, one per problem (its score), total, max, status, error, sheet.
                  Scores are plain numbers (7, 2.5); an error row leaves them empty.
  results.jsonl   the FORMAT §8 object of each sheet plus `status`, `nncheck_version` and
                  `problem_hashes` (SHA-256 of each problem file's bytes); a sheet not graded is
                  {sheet, student, status: "error", error, nncheck_version, problem_hashes}.
  feedback/<id>.txt and gradescope/<id>.json, at the --reveal level, for graded sheets only
                  (ids made safe as file names); summary.json, the class statistics.
No output holds a time stamp or an absolute path that the command line did not give.

Workers are forked after the bank is loaded and solved once in the parent, so they share its
cached truths; each returns plain rows (JSON text, feedback text, numbers), never results.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import multiprocessing
import os
import re
import signal
import statistics
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from nncheck import __version__, grading, loading
from nncheck.checking import Status, format_number, format_value
from nncheck.errors import NncheckError
from nncheck.files import SheetFile, discover
from nncheck.memo import MEMO_LIMIT, exact_key
from nncheck.memo import MemoTruth as _MemoTruth
from nncheck.render import json as render_json
from nncheck.render import text, view
from nncheck.words import inert

STATUSES = ("ok", "failed", "pending", "error")
REVEALS = ("verdict", "mistake", "expected")
TOP_WRONG = 5  # most common wrong answers kept per part
ANSWER_WIDTH = 60  # widest wrong answer shown in the statistics
BOM = "\ufeff"  # Excel reads a CSV as UTF-8 only with it; Canvas and Moodle imports accept it

Progress = Callable[[int, int], None]  # (sheets done, sheets in all)


@dataclass(frozen=True)
class Options:
    """How to grade a class."""

    jobs: int | None = None  # None: every usable core; never more than that
    student: str | None = None  # a student id, or a sheet's file / folder name
    shard: tuple[int, int] | None = None  # (K, N), 1-based
    overrides: Mapping[str, Any] = field(default_factory=dict)
    reveal: str = "mistake"
    rtol: float | None = None
    debug: bool = False  # let a bug in grading one sheet escape instead of making an error row


class PartStat(NamedTuple):
    """What the class statistics need of one graded part (a tuple: cheap to pickle)."""

    problem: str
    part: str
    status: str
    points: float
    max_points: float
    counts: bool
    failed: bool
    answer: str | None = None  # canonical JSON of a wrong answer, for grouping
    shown: str | None = None  # the same, shortened for people
    mistake: str | None = None


@dataclass(frozen=True)
class Row:
    """One sheet, graded (or not): plain data, so that workers can send it back."""

    sheet: str
    rel: str
    name: str
    student_id: str | None = None
    student_name: str | None = None
    status: str = "error"
    error: str | None = None
    score: float | None = None
    max_score: float | None = None
    scores: tuple[tuple[str, float], ...] = ()  # (problem id, score)
    # Text, not objects: a worker's rows are pickled back to the parent, and strings are cheap.
    result: str | None = None  # the FORMAT §8 sheet object, as its results.jsonl line
    feedback: str | None = None
    gradescope: str | None = None  # the gradescope/<student>.json file
    parts: tuple[PartStat, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClassReport:
    """Every row of a class and its statistics."""

    rows: tuple[Row, ...]
    problems: tuple[tuple[str, float], ...]  # (problem id, max score), bank order
    audit: Mapping[str, Any]  # nncheck_version, problem_hashes and seed
    summary: Mapping[str, Any]

    @property
    def failed(self) -> bool:
        """Whether any sheet failed or could not be graded (exit code 1)."""
        return any(r.status in ("failed", "error") for r in self.rows)


# --- finding sheets ------------------------------------------------------------------------------

def parse_shard(text: str) -> tuple[int, int]:
    """`K/N` as (K, N), with 1 <= K <= N."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if match:
        k, n = int(match[1]), int(match[2])
        if 1 <= k <= n:
            return k, n
    raise NncheckError(f"--shard `{text}`", expected="K/N with 1 <= K <= N, e.g. 1/4")


def in_shard(sheet: SheetFile, shard: tuple[int, int] | None) -> bool:
    """Whether a sheet belongs to shard K of N (by a stable hash of its relative path)."""
    if shard is None:
        return True
    k, n = shard
    # The name's bytes as the file system holds them: a name that is not UTF-8 hashes too.
    digest = hashlib.sha256(os.fsencode(sheet.rel)).digest()
    return int.from_bytes(digest[:8], "big") % n == k - 1


STEM_BYTES = 100  # the readable part of a file name made from a student id, in UTF-8 bytes


def file_stem(student_id: str) -> str:
    """A student id as a safe file name: letters, digits, `.`, `-`, `_`; no leading dot.

    An id that has to be changed to be safe (or shortened to STEM_BYTES bytes) gets `~` and
    12 hex digits of its SHA-256: two ids never share a name, and the name stays short
    (at most STEM_BYTES + 13 bytes). A safe id never holds `~`, so it cannot take another's.
    """
    text = unicodedata.normalize("NFC", student_id)
    text = re.sub(r"[^\w.-]", "_", text).lstrip(".")
    safe = text.encode("utf-8")[:STEM_BYTES].decode("utf-8", errors="ignore") or "_"
    if safe == student_id:
        return safe
    digest = hashlib.sha256(student_id.encode("utf-8", errors="surrogatepass")).hexdigest()
    return f"{safe}~{digest[:12]}"


# --- grading -------------------------------------------------------------------------------------

@dataclass
class _State:
    """What a worker needs, set in the parent before forking (or rebuilt under spawn)."""

    bank: Any
    options: Options
    audit: Mapping[str, Any]


_STATE: _State | None = None


def grade_class(
    class_dir: str | os.PathLike[str],
    problems: str | os.PathLike[str],
    options: Options = Options(),
    *,
    progress: Progress | None = None,
) -> ClassReport:
    """Grade every sheet of a class folder against a bank (raises NncheckError for a bad bank)."""
    global _STATE
    if options.reveal not in REVEALS:
        raise NncheckError(f"reveal `{options.reveal}`", expected=" | ".join(REVEALS))
    bank = _load_bank(problems, options.rtol)
    audit = {"nncheck_version": __version__, "problem_hashes": _hashes(bank), "seed": bank.seed}
    files = [f for f in discover(class_dir) if in_shard(f, options.shard)]
    if not files and options.shard is None:
        raise NncheckError(f"{class_dir}: no answer sheets",
                           expected="CLASS_DIR/*.yaml or CLASS_DIR/<student>/answers.yaml")
    _STATE = _State(bank, options, audit)
    try:
        graded = [r for r in _grade_all(files, problems, options, progress) if r is not None]
    finally:
        _STATE = None
    if options.student is not None and not graded:
        raise NncheckError(f"no sheet of student `{options.student}` in {class_dir}",
                           expected="a student id, or a sheet's file or folder name")
    rows = tuple(_flag_duplicates(graded))
    maxima = tuple((pid, float(sum(part.points for part in lp.problem.parts)))
                   for pid, lp in bank.problems.items())
    summary = summarise(rows, maxima, audit, options, class_dir=str(class_dir))
    return ClassReport(rows, maxima, audit, summary)


def _load_bank(problems: str | os.PathLike[str], rtol: float | None) -> grading.Bank:
    bank = loading.load_bank(problems, rtol=rtol)
    bank.solve_all()  # a broken problem stops the run here, before any sheet is graded
    return _ClassBank(bank.problems, rtol=bank.rtol, secret=bank.secret, _truths=bank._truths)


@dataclass
class _ClassBank(grading.Bank):
    """A bank whose truths remember their verdicts across the sheets of a class."""

    _memo: dict[tuple[str, int, Any], _MemoTruth] = field(default_factory=dict, repr=False)

    def truth(self, loaded: Any, index: int, answers: Any) -> Any:
        """The part's truth, shared by every sheet with the same answers it is built on."""
        if answers is None:
            return super().truth(loaded, index, answers)
        # Error carried forward: a truth built on the student's own answers (their design, say)
        # is keyed by those answers; any other truth is one per part.
        mine = None
        if self.dependent(loaded, index):
            mine = exact_key(answers)
            if mine is None:  # answers of a type the key does not know: not memoised
                return super().truth(loaded, index, answers)
        key = (str(loaded.problem.id), index, mine)
        found = self._memo.get(key)
        if found is None:
            found = _MemoTruth(super().truth(loaded, index, answers))
            if len(self._memo) < MEMO_LIMIT * 4:
                self._memo[key] = found
        return found


def _hashes(bank: Any) -> dict[str, str]:
    return {pid: hashlib.sha256(Path(bank.problems[pid].path).read_bytes()).hexdigest()
            for pid in sorted(bank.problems)}


def _grade_all(
    files: Sequence[SheetFile],
    problems: str | os.PathLike[str],
    options: Options,
    progress: Progress | None,
) -> list[Row | None]:
    jobs = min(options.jobs or usable_cores(), usable_cores(), max(1, len(files)))
    if jobs == 1:
        return list(_report(map(_grade_file, files), len(files), progress))
    methods = multiprocessing.get_all_start_methods()
    # Fork shares the parent's loaded bank and cached truths; spawn rebuilds them per worker.
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    rebuild = None if "fork" in methods else (os.fspath(problems), options)
    chunk = max(1, min(32, len(files) // (jobs * 4)))
    with warnings.catch_warnings():
        # Python 3.12+ warns when forking with threads alive (numpy's BLAS pool): the workers
        # only run Python code and never touch those threads' locks.
        warnings.filterwarnings("ignore", category=DeprecationWarning, message=".*fork.*")
        pool = context.Pool(jobs, initializer=_init_worker, initargs=(rebuild,))
    try:
        rows = list(_report(pool.imap(_grade_file, files, chunksize=chunk), len(files), progress))
        pool.close()
        return rows
    except BaseException:
        pool.terminate()  # Ctrl-C or a bug: stop every worker now; nothing has been written yet
        raise
    finally:
        pool.join()


def usable_cores() -> int:
    """The cores this process may run on (its affinity, where the system has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _report(rows: Iterable[Row | None], total: int, progress: Progress | None
            ) -> Iterator[Row | None]:
    if progress is not None:
        progress(0, total)
    for done, row in enumerate(rows, 1):
        if progress is not None:
            progress(done, total)
        yield row


def _init_worker(rebuild: tuple[str, Options] | None) -> None:
    global _STATE
    # Only the parent answers Ctrl-C: it terminates the pool, so workers must not print
    # a traceback each.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if rebuild is not None:
        problems, options = rebuild
        bank = _load_bank(problems, options.rtol)
        _STATE = _State(bank, options, {"nncheck_version": __version__,
                                        "problem_hashes": _hashes(bank)})


def _grade_file(sheet: SheetFile) -> Row | None:
    """Grade one sheet into a row (None: not the `--student` asked for)."""
    state = _STATE
    assert state is not None, "grading state is set before any sheet is graded"
    wanted = state.options.student
    try:
        if sheet.error is not None:  # found but not to be read: a link out, a FIFO, ...
            raise NncheckError(sheet.error)
        loaded = loading.load_sheet(sheet.opened, shown=sheet.path, same_as=sheet.identity)
    except NncheckError as exc:
        if wanted is not None and wanted != sheet.name:
            return None
        return Row(sheet.path, sheet.rel, sheet.name, error=_one_line(str(exc)))
    student = loaded.student
    if wanted is not None and wanted not in (sheet.name, student.id):
        return None
    try:
        return _grade_loaded(sheet, loaded, state)
    except NncheckError as exc:
        error = _one_line(str(exc))
    except Exception as exc:
        if state.options.debug:
            raise
        error = f"internal error: {type(exc).__name__}: {exc} (please report it)"
    return Row(sheet.path, sheet.rel, sheet.name, student.id, student.name, error=error)


def _grade_loaded(sheet: SheetFile, loaded: Any, state: _State) -> Row:
    student = loaded.student
    result = grading.grade_sheet(
        state.bank, loaded.answers, sheet=loaded.path, student=student,
        overrides=state.options.overrides.get(student.id),
    )
    status = _status(result)
    data = render_json.sheet_json(result)
    data["status"] = status
    data.update(state.audit)
    reveal = state.options.reveal
    return Row(
        sheet=sheet.path,
        rel=sheet.rel,
        name=sheet.name,
        student_id=student.id,
        student_name=student.name,
        status=status,
        score=result.score,
        max_score=result.max_score,
        scores=tuple((p.id, p.score) for p in result.problems),
        result=render_json.dumps(data),
        feedback=text.render_sheet(result, reveal=reveal),
        gradescope=gradescope_text(gradescope_json(result, reveal=reveal)),
        parts=tuple(_part_stats(result)),
        warnings=(*_name_warnings(sheet), *result.warnings),
    )


def _name_warnings(sheet: SheetFile) -> tuple[str, ...]:
    if not sheet.odd_name:
        return ()
    return (f"{sheet.path}: the file name holds bytes that are not UTF-8, or control "
            "characters; it is shown escaped",)


def _status(result: Any) -> str:
    if not result.passed:
        return "failed"
    waiting = any(p.status is Status.PENDING and p.max_points > 0
                  for prob in result.problems for p in prob.parts)
    return "pending" if waiting else "ok"


def _part_stats(result: Any) -> Iterator[PartStat]:
    for prob in result.problems:
        for p in prob.parts:
            answer = shown = None
            if p.status is Status.WRONG:
                answer = json.dumps(p.claimed, sort_keys=True, default=str, ensure_ascii=False)
                shown = inline(p.claimed)
            yield PartStat(prob.id, p.id, p.status.value, p.points, p.max_points, p.counts,
                           p.failed, answer, shown, p.mistake)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _flag_duplicates(rows: Sequence[Row]) -> Iterator[Row]:
    """Sheets that share a student id (or its file name) all become error rows."""
    groups: dict[str, list[Row]] = {}
    for row in rows:
        if row.student_id is not None:
            groups.setdefault(file_stem(row.student_id).casefold(), []).append(row)
    clash: dict[str, str] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        ids = sorted({r.student_id or "" for r in group})
        for row in group:
            others = ", ".join(r.sheet for r in group if r is not row)
            if len(ids) == 1:
                what = f"student id `{ids[0]}` is also used by {others}"
            else:
                what = (f"student ids {', '.join(f'`{i}`' for i in ids)} share the file name "
                        f"`{file_stem(ids[0])}` (also {others})")
            clash[row.rel] = f"{row.sheet}: {what} — one sheet per student; nothing was merged"
    for row in rows:
        if row.rel in clash:
            yield Row(row.sheet, row.rel, row.name, row.student_id, row.student_name,
                      error=clash[row.rel])
        else:
            yield row


# --- what a student sees -------------------------------------------------------------------------

def gradescope_json(result: Any, *, reveal: str = "mistake") -> dict[str, Any]:
    """A sheet as Gradescope's autograder `results.json`: one test per part."""
    tests = []
    for i, prob in enumerate(result.problems, 1):
        notes = {n.part: n for n in view.notes(prob, reveal=reveal)}
        for j, p in enumerate(prob.parts, 1):
            row = view.Row(part=p.id, ask=p.ask, expected="", claimed="", status=p.status,
                           points="", shown_only=p.max_points == 0)
            lines = [view.verdict(row), f"your answer: {_answer(p.claimed)}"]
            if reveal == "expected":
                lines.append(f"expected: {_answer(p.expected)}")
            if p.id in notes:
                lines += text.note_lines(notes[p.id], indent=0)
            tests.append({
                "name": f"{prob.id} / {p.id}",
                "number": f"{i}.{j}",
                "score": p.points,
                "max_score": p.max_points,
                # A part waiting for a person has earned nothing yet: Gradescope knows no
                # third status, and "passed" would promise points that may not come.
                "status": "failed" if p.failed or p.status is Status.PENDING else "passed",
                "output": "\n".join(lines),
            })
    head = view.summary(result)
    said = [head, *(f"warning: {w}" for w in result.warnings)]
    return {"score": result.score, "max_score": result.max_score, "output": "\n".join(said),
            "tests": tests}


def _answer(value: Any) -> str:
    return "—" if value is None else inline(value, 4 * ANSWER_WIDTH)


def gradescope_text(data: Mapping[str, Any]) -> str:
    """A `results.json` with one test per line: readable, and written by the fast encoder."""
    # json.dumps with `indent` falls back to the pure-Python encoder, 10x slower per sheet.
    head = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in data.items()
            if k != "tests"]
    tests = ",\n".join(f"    {json.dumps(t, ensure_ascii=False)}" for t in data["tests"])
    return "\n".join(["{", *head, '  "tests": [', tests, "  ]", "}"]) + "\n"


# --- statistics ----------------------------------------------------------------------------------

def summarise(
    rows: Sequence[Row],
    problems: Sequence[tuple[str, float]],
    audit: Mapping[str, Any],
    options: Options = Options(),
    *,
    class_dir: str | None = None,
) -> dict[str, Any]:
    """Class statistics: statuses, score distribution, pass rate and wrong answers per part."""
    graded = [r for r in rows if r.status != "error"]
    max_score = float(sum(m for _, m in problems))
    scores = [float(r.score or 0.0) for r in graded]
    parts = _part_summary(graded)
    return {
        **audit,
        "class_dir": class_dir,
        "shard": f"{options.shard[0]}/{options.shard[1]}" if options.shard else None,
        "student": options.student,
        "reveal": options.reveal,
        "sheets": len(rows),
        "status": {s: sum(r.status == s for r in rows) for s in STATUSES},
        "max_score": max_score,
        "scores": _describe(scores),
        "histogram": histogram(scores, max_score),
        "problems": [
            {"id": pid, "max_score": m, "mean": _mean(dict(r.scores).get(pid, 0.0) for r in graded)}
            for pid, m in problems
        ],
        "parts": parts,
        "pending": [
            {"problem": p["problem"], "part": p["part"], "count": p["status"]["pending"]}
            for p in parts if p["status"].get("pending")
        ],
        "errors": [{"sheet": r.sheet, "error": r.error} for r in rows if r.status == "error"],
        "warnings": [{"sheet": r.sheet, "warning": w} for r in graded for w in r.warnings],
        "unknown_override_students": _stray_overrides(rows, options),
    }


def _describe(scores: Sequence[float]) -> dict[str, float | None]:
    if not scores:
        return {"mean": None, "median": None, "min": None, "max": None, "stdev": None}
    return {
        "mean": round(statistics.fmean(scores), 4),
        "median": round(statistics.median(scores), 4),
        "min": min(scores),
        "max": max(scores),
        "stdev": round(statistics.pstdev(scores), 4),
    }


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return round(statistics.fmean(values), 4) if values else None


def histogram(scores: Sequence[float], max_score: float) -> list[dict[str, Any]]:
    """Counts per bin [from, to): a bin per point up to 20 points, else ten; full marks close it."""
    if max_score <= 0:
        return [{"from": 0.0, "to": 0.0, "count": len(scores)}]
    unit = max_score <= 20 and float(max_score).is_integer()
    if unit:
        edges = [float(k) for k in range(int(max_score) + 1)]
    else:
        edges = [round(k * max_score / 10, 4) for k in range(11)]
    bins = [{"from": lo, "to": hi, "count": 0} for lo, hi in itertools.pairwise(edges)]
    if unit:
        bins.append({"from": edges[-1], "to": edges[-1], "count": 0})  # full marks, apart
    for s in scores:
        k = next((i for i, b in enumerate(bins) if s < b["to"]), len(bins) - 1)
        bins[k]["count"] += 1
    return bins


def _part_summary(graded: Sequence[Row]) -> list[dict[str, Any]]:
    order: dict[tuple[str, str], list[PartStat]] = {}
    for row in graded:
        for p in row.parts:
            order.setdefault((p.problem, p.part), []).append(p)
    out = []
    for (problem, part), stats in order.items():
        counted = [s for s in stats if s.counts]
        passed = sum(not s.failed for s in counted)
        wrong: dict[str, list[PartStat]] = {}
        for s in stats:
            if s.answer is not None:
                wrong.setdefault(s.answer, []).append(s)
        common = sorted(wrong.values(), key=lambda g: (-len(g), g[0].answer or ""))
        out.append({
            "problem": problem,
            "part": part,
            "max_points": stats[0].max_points,
            "graded": len(counted),
            "passed": passed,
            "pass_rate": round(passed / len(counted), 4) if counted else None,
            "status": dict(sorted(Counter(s.status for s in stats).items())),
            "wrong_answers": [
                {"answer": json.loads(g[0].answer or "null"), "shown": g[0].shown,
                 "count": len(g), "mistake": _commonest(s.mistake for s in g)}
                for g in common[:TOP_WRONG]
            ],
        })
    return out


def _commonest(names: Iterable[str | None]) -> str | None:
    counts = Counter(n for n in names if n)
    if not counts:
        return None
    return min(counts, key=lambda n: (-counts[n], n))


def _stray_overrides(rows: Sequence[Row], options: Options) -> list[str]:
    if options.student is not None or options.shard is not None:
        return []  # a partial run cannot tell a stray override from a student graded elsewhere
    ids = {r.student_id for r in rows}
    return sorted(s for s in options.overrides if s not in ids)


def inline(value: Any, width: int = ANSWER_WIDTH) -> str:
    """A written answer in one line, as YAML flow style would show it, shortened to `width`."""
    pieces: list[str] = []
    _flow(value, pieces, width + 1)
    text = "".join(pieces)
    return text if len(text) <= width else text[: width - 1] + "…"


def _flow(value: Any, out: list[str], room: int) -> int:
    """Append `value` in flow style to `out`; stop once `room` characters are spent."""
    if isinstance(value, (dict, list)):
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


def summary_lines(summary: Mapping[str, Any], *, out: str | None = None) -> list[str]:
    """The class statistics as plain lines, histogram bars included; every line inert."""
    lines = _summary_lines(summary, out=out)
    return [inert(line) for line in lines]


def _summary_lines(summary: Mapping[str, Any], *, out: str | None) -> list[str]:
    status = summary["status"]
    said = ", ".join(f"{status[s]} {s}" for s in STATUSES if status.get(s))
    where = f" — report in {out}" if out else ""
    lines = [f"Graded {summary['sheets']} sheet{'s' * (summary['sheets'] != 1)}: "
             f"{said or 'none'}{where}"]
    scores = summary["scores"]
    if scores["mean"] is not None:
        lines += ["", f"Scores out of {_num(summary['max_score'])}: mean {_num(scores['mean'])}, "
                      f"median {_num(scores['median'])}, range {_num(scores['min'])}–"
                      f"{_num(scores['max'])}"]
        bins = summary["histogram"]
        top = max(b["count"] for b in bins) or 1
        labels = [_bin_label(b) for b in bins]
        width = max(map(len, labels))
        for label, b in zip(labels, bins):
            bar = "█" * round(30 * b["count"] / top)
            lines.append(f"  {label.rjust(width)} {bar}{' ' if bar else ''}{b['count']}")
    parts = summary["parts"]
    if parts:
        lines += ["", "Pass rate by part:"]
        names = [f"{p['problem']} / {p['part']}" for p in parts]
        width = max(map(len, names))
        for name, p in zip(names, parts):
            if not p["max_points"]:
                continue  # shown, not graded
            rate = "—" if p["pass_rate"] is None else f"{round(100 * p['pass_rate'])}%"
            waiting = p["status"].get("pending", 0)
            more = f", {waiting} pending" if waiting else ""
            lines.append(f"  {name.ljust(width)}  {rate.rjust(4)}  "
                         f"({p['passed']}/{p['graded']}{more})")
    common = [(p, w) for p in parts for w in p["wrong_answers"] if w["count"] > 1 or w["mistake"]]
    if common:
        lines += ["", "Most common wrong answers:"]
        for p, w in common:
            who = f"{w['count']} student{'s' * (w['count'] != 1)}"
            why = f": {w['mistake']}" if w["mistake"] else ""
            lines.append(f"  {p['problem']} / {p['part']}: {who} answered {w['shown']}{why}")
    if summary["pending"]:
        lines += ["", "Waiting for a person:"]
        lines += [f"  {p['problem']} / {p['part']}: {p['count']} sheet{'s' * (p['count'] != 1)}"
                  for p in summary["pending"]]
    if summary["errors"]:
        lines += ["", "Sheets not graded:"]
        lines += [f"  {e['error']}" for e in summary["errors"]]
    if summary["unknown_override_students"]:
        lines += ["", "Overrides for students with no sheet: "
                  + ", ".join(summary["unknown_override_students"])]
    seed = summary.get("seed")
    if seed is not None:
        lines += ["", f"Sample points: seed {seed['fingerprint']}" + (
            "" if seed["secret"] else " — no course secret, so the points can be computed "
            "from the problem files (see NNCHECK_SECRET or .nncheck-secret)")]
    return lines


def _bin_label(b: Mapping[str, Any]) -> str:
    if b["to"] - b["from"] in (0, 1):
        return _num(b["from"])
    return f"{_num(b['from'])}–{_num(b['to'])}"


def _num(x: float) -> str:
    return format_number(x, 4)


# --- writing the report --------------------------------------------------------------------------

def grades_csv(report: ClassReport) -> str:
    """One row per sheet: id, name, a score per problem, total, max, status, error, sheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180, as spreadsheets write it
    ids = [pid for pid, _ in report.problems]
    writer.writerow(["id", "name", *ids, "total", "max", "status", "error", "sheet"])
    for r in report.rows:
        if r.status == "error":
            scores = ["" for _ in ids]
            total = maximum = ""
        else:
            by_id = dict(r.scores)
            scores = [_num(by_id.get(pid, 0.0)) for pid in ids]
            total, maximum = _num(r.score or 0.0), _num(r.max_score or 0.0)
        writer.writerow([r.student_id or "", r.student_name or "", *scores, total, maximum,
                         r.status, r.error or "", r.sheet])
    return BOM + buffer.getvalue()


def results_jsonl(report: ClassReport) -> str:
    """One FORMAT §8 object per line; a sheet not graded is `{sheet, student, error, ...}`."""
    lines = []
    for r in report.rows:
        if r.status == "error":
            student = None if r.student_id is None else {"id": r.student_id,
                                                         "name": r.student_name}
            lines.append(render_json.dumps({"sheet": r.sheet, "student": student, "status": "error",
                                "error": r.error, **report.audit}) + "\n")
        else:
            lines.append(f"{r.result}\n")
    return "".join(lines)


def write_report(report: ClassReport, out: str | os.PathLike[str]) -> list[Path]:
    """Write every output under `out`, each file atomically; return the paths written."""
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise NncheckError(f"{folder}: not a folder", expected="--out DIR, a folder for the report")
    files: list[tuple[Path, str]] = []
    for r in report.rows:
        if r.status == "error" or r.student_id is None:
            continue
        stem = file_stem(r.student_id)
        files.append((folder / "feedback" / f"{stem}.txt", r.feedback or ""))
        files.append((folder / "gradescope" / f"{stem}.json", r.gradescope or ""))
    # The tables last: a run stopped while writing leaves the previous tables whole.
    files += [
        (folder / "results.jsonl", results_jsonl(report)),
        (folder / "grades.csv", grades_csv(report)),
        (folder / "summary.json", json.dumps(report.summary, ensure_ascii=False, indent=2) + "\n"),
    ]
    for path, content in files:
        loading.write_atomic(path, content)
    return [path for path, _ in files]

