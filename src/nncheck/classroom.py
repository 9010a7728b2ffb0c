"""A whole class against a bank: its sheets sharded and graded in parallel, into plain rows.

Sheets are `CLASS_DIR/*.yaml` and `CLASS_DIR/<student>/answers.yaml` or `submission.yaml`
(`.yml` too, any case; names starting with a dot are skipped), ordered by their path relative
to CLASS_DIR as a plain string; every output is sorted the same way, so the same inputs give
byte-identical outputs whatever `jobs` is. How they are found and opened (never through a link
out of CLASS_DIR) is in `nncheck.io.files`.

`--shard K/N` keeps the sheets whose relative path hashes (SHA-256, first 8 bytes, big-endian)
to K-1 modulo N: a sheet's shard depends on its own path only, so it stays put when other
sheets are added, and the N shards partition the class on any machine.

Status of a sheet (grades.csv, results.jsonl, summary.json):
  ok      every graded part has full marks (and no manual part is waiting);
  failed  a graded part is wrong, missing, invalid, or scored below its points by a person;
  pending nothing failed, but a manual part waits for a person (the total may still rise);
  error   the sheet could not be read or validated, or its student id is used by another sheet
          (both sheets become error rows: they are reported, never merged or picked between).

The report's files are made by `render.gradebook` and written by `gradebook`, one row at a
time, as the rows come.

Workers are forked after the bank is loaded and solved once in the parent, so they share its
cached truths; each returns plain rows (JSON text, feedback text, numbers), never results.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import signal
import unicodedata
import warnings
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from nncheck import __version__, grading, regrade, stats, workers
from nncheck.compare.verdict import Status
from nncheck.errors import NncheckError
from nncheck.io.files import SheetFile, shown_path, survey
from nncheck.io.problems import bank_survey, load_sheet
from nncheck.render import gradebook as formats
from nncheck.render import view
from nncheck.render.fragments import Fragments, once
from nncheck.unknown import UnknownId, unknown_ids
from nncheck.words import one_line

REVEALS = ("verdict", "mistake", "expected")
CHOICE_CHARS = 200  # a choice answer kept for the option counts, at most this long

Progress = Callable[[int, int], None]  # (sheets done, sheets in all)


@dataclass(frozen=True)
class Options:
    """How to grade a class."""

    jobs: int | None = None  # None: every usable core; never more than that
    student: str | None = None  # a student id, or a sheet's file / folder name
    shard: tuple[int, int] | None = None  # (K, N), 1-based
    overrides: Mapping[str, Any] = field(default_factory=dict)
    regrade: Any = None  # regrade.Regrade: the class-wide rules and answer groups
    reveal: str = "mistake"
    rtol: float | None = None
    debug: bool = False  # let a bug in grading one sheet escape instead of making an error row


_as_stat = tuple.__new__  # a plain tuple as a PartStat, without the Python-level __new__


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
    choice: str | None = None  # the option a `choice` part's answer names, as written


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
    unknown: tuple[UnknownId, ...] = ()  # the warnings about ids, for grouping
    student_email: str | None = None
    headline: str | None = None  # `Total 17/20 — 1 wrong, 2 pending`, for one-line feedback
    variants: tuple[tuple[str, int], ...] = ()  # (problem id, its variant) where problems vary
    groups: tuple[tuple[str, str, str], ...] = ()  # (problem, part, answer group key), review's

    @property
    def stem(self) -> str | None:
        """The name of the sheet's feedback and Gradescope files (`file_stem` of its student
        id); None for an error row, which has none."""
        if self.status == "error" or self.student_id is None:
            return None
        return file_stem(self.student_id)

    # A row crosses a pipe and a spool: its parts go as plain tuples, which pickle writes and
    # reads in C, several times faster than named tuples (each reduced in Python).
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["parts"] = tuple(map(tuple, self.parts))
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state["parts"] = tuple(_as_stat(PartStat, p) for p in state["parts"])
        object.__setattr__(self, "__dict__", state)


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
    # Each distinct graded problem's report fragments, made once in this process.
    fragments: Fragments = field(default_factory=Fragments)


_STATE: _State | None = None


@dataclass(frozen=True)
class ClassRun:
    """A class ready to grade: its bank loaded and solved, its sheets found."""

    class_dir: str
    problems: str | os.PathLike[str]
    options: Options
    bank: Any
    audit: Mapping[str, Any]
    files: tuple[SheetFile, ...]
    maxima: tuple[tuple[str, float], ...]  # (problem id, max score), bank order
    # Files of the class folder and the bank that are not read ({path, reason}), and how many.
    not_read: tuple[Mapping[str, str], ...] = ()
    not_read_count: int = 0
    class_sheets: int = 0  # sheets in the whole class folder, whatever the shard

    def facts(self) -> dict[str, Any]:
        """What summary.json says of the run beyond its rows (`stats.Tally.summary`)."""
        return {"class_dir": self.class_dir, "not_read": (self.not_read, self.not_read_count),
                "class_sheets": self.class_sheets}


def prepare(
    class_dir: str | os.PathLike[str],
    problems: str | os.PathLike[str],
    options: Options = Options(),
) -> ClassRun:
    """Load and solve the bank and find the sheets (raises NncheckError for bad input)."""
    if options.reveal not in REVEALS:
        raise NncheckError(f"reveal `{options.reveal}`", expected=" | ".join(REVEALS))
    bank = _load_bank(problems, options.rtol)
    audit = {"nncheck_version": __version__, "problem_hashes": _hashes(bank), "seed": bank.seed}
    found = survey(class_dir)
    files = [f for f in found.sheets if in_shard(f, options.shard)]
    skipped = [n.as_dict() for n in (*found.not_read, *bank_survey(problems)[1])]
    count = found.not_read_count + len(skipped) - len(found.not_read)
    if not files and options.shard is None:
        seen = f"{count} file{'s' * (count != 1)} not read, e.g. {skipped[0]['path']} " \
            f"({skipped[0]['reason']})" if skipped else None
        raise NncheckError(f"{class_dir}: no answer sheets",
                           expected="CLASS_DIR/*.yaml or CLASS_DIR/<student>/answers.yaml "
                                    "(or submission.yaml; .yml too)", hint=seen)
    if options.regrade:
        regrade.check(options.regrade, bank)
    maxima = tuple((pid, float(sum(_most(options, pid, part) for part in lp.problem.parts)))
                   for pid, lp in bank.problems.items())
    return ClassRun(str(class_dir), problems, options, bank, audit, tuple(files), maxima,
                    tuple(skipped), count, len(found.sheets))


def _most(options: Options, problem: str, part: Any) -> float:
    """A part's points, as its `scale:` rules make them."""
    factor = options.regrade.factor(problem, part.id) if options.regrade else 1.0
    return round(part.points * factor, 6)


def graded_rows(run: ClassRun, progress: Progress | None = None) -> Generator[Row, None, None]:
    """Each sheet's row, in report order, as it is graded (duplicates not yet flagged)."""
    global _STATE
    _STATE = _State(run.bank, run.options, run.audit)
    graded = 0
    try:
        for row in _grade_all(run.files, run.problems, run.options, progress):
            if row is not None:
                graded += 1
                yield row
    finally:
        _STATE = None
    if run.options.student is not None and not graded:
        raise NncheckError(f"no sheet of student `{run.options.student}` in {run.class_dir}",
                           expected="a student id, or a sheet's file or folder name")


def grade_class(
    class_dir: str | os.PathLike[str],
    problems: str | os.PathLike[str],
    options: Options = Options(),
    *,
    progress: Progress | None = None,
) -> ClassReport:
    """Grade every sheet of a class folder against a bank, keeping every row in memory (for a
    program that wants the rows; `gradebook.grade_into` streams them to --out instead)."""
    run = prepare(class_dir, problems, options)
    rows = tuple(_flag_duplicates(list(graded_rows(run, progress))))
    summary = stats.summarise(rows, run.maxima, run.audit, options, **run.facts())
    return ClassReport(rows, run.maxima, run.audit, summary)


def _load_bank(problems: str | os.PathLike[str], rtol: float | None) -> grading.Bank:
    bank = grading.load_bank(problems, rtol=rtol)
    bank.solve_all()  # a broken problem stops the run here, before any sheet is graded
    bank.memo = True  # a truth grades each distinct answer of the class once
    return bank


def _hashes(bank: Any) -> dict[str, str]:
    return {pid: bank.problems[pid].sha256 for pid in sorted(bank.problems)}


def _grade_all(
    files: Sequence[SheetFile],
    problems: str | os.PathLike[str],
    options: Options,
    progress: Progress | None,
) -> Iterator[Row | None]:
    jobs = min(options.jobs or usable_cores(), usable_cores(), max(1, len(files)))
    if jobs == 1:
        yield from _report(map(_grade_file, files), len(files), progress)
        return
    methods = multiprocessing.get_all_start_methods()
    # Fork shares the parent's loaded bank and cached truths; spawn rebuilds them per worker.
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    rebuild = None if "fork" in methods else (os.fspath(problems), options)
    chunk = max(1, min(32, len(files) // (jobs * 4)))
    with warnings.catch_warnings():
        # Python 3.12+ warns when forking with threads alive (numpy's BLAS pool): the workers
        # only run Python code and never touch those threads' locks.
        warnings.filterwarnings("ignore", category=DeprecationWarning, message=".*fork.*")
        pool = workers.Workers(context, jobs, _grade_file, _init_worker, (rebuild,))
    try:
        yield from _report(pool.map(files, chunk), len(files), progress)
    except BaseException:
        pool.stop()  # Ctrl-C, SIGTERM, the generator closed or a bug: stop every worker now
        raise
    pool.close()


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
    # Only the parent answers Ctrl-C (sent to the whole process group): it stops the workers,
    # so they must not print a traceback each.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The parent's SIGTERM handler raises KeyboardInterrupt; a worker just ends.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
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
        loaded = load_sheet(sheet.opened, shown=sheet.path, same_as=sheet.identity)
    except NncheckError as exc:
        if wanted is not None and wanted != sheet.name:
            return None
        return Row(sheet.path, sheet.rel, sheet.name, error=one_line(str(exc)))
    student = loaded.student
    if wanted is not None and wanted not in (sheet.name, student.id):
        return None
    try:
        return _grade_loaded(sheet, loaded, state)
    except NncheckError as exc:
        error = one_line(str(exc))
    except Exception as exc:
        if state.options.debug:
            raise
        error = f"internal error: {type(exc).__name__}: {exc} (please report it)"
    return Row(sheet.path, sheet.rel, sheet.name, student.id, student.name, error=error,
               student_email=student.email)


def _grade_loaded(sheet: SheetFile, loaded: Any, state: _State) -> Row:
    student = loaded.student
    overrides = state.options.overrides.get(student.id)
    # Found once: the sheet's warnings and its line both say them.
    unknown = tuple(unknown_ids(state.bank, loaded.answers, overrides))
    result = grading.grade_sheet(
        state.bank, loaded.answers, sheet=loaded.path, student=student, overrides=overrides,
        decimal_comma=loaded.decimal_comma, regrade=state.options.regrade,
        variant=loaded.variant, check=loaded.check, unknown=unknown,
    )
    status = _status(result)
    files = formats.sheet_files(result, status=status, audit=state.audit,
                                reveal=state.options.reveal,
                                facts={"rel": sheet.rel, "unknown_ids": [list(u) for u in unknown]},
                                cache=state.fragments)
    # The statistics are taken from the line as written, as `merge` reads it back: a merged
    # report counts exactly what a single run counts (each problem's once per distinct one).
    data = {"problems": files.problems}
    stats_of = [once(whole, "stats", _problem_stats, made, o)
                for whole, made, o in zip(files.wholes, files.fragments, files.problems)]
    return Row(
        sheet=sheet.path,
        rel=sheet.rel,
        name=sheet.name,
        student_id=student.id,
        student_name=student.name,
        status=status,
        score=result.score,
        max_score=result.max_score,
        scores=tuple((p["id"], p["score"]) for p in data["problems"]),
        variants=problem_variants(data),
        result=files.result,
        feedback=files.feedback,
        gradescope=files.gradescope,
        parts=tuple(stat for stats_ in stats_of for stat in stats_),
        warnings=(*name_warnings(sheet.path, sheet.rel), *result.warnings),
        unknown=unknown,
        student_email=student.email,
        headline=view.summary(result),
        groups=tuple((p.id, part.id, part.group) for p in result.problems
                     for part in p.parts if part.group is not None),
    )


def row_of(data: Mapping[str, Any], line: str | None = None,
           files: tuple[str, str] | None = None) -> Row:
    """A results.jsonl object as a run's row holds it: what the statistics count, its line
    and (for a graded sheet) its feedback and Gradescope text."""
    student = data.get("student") or {}
    sheet, rel = data["sheet"], data["rel"]
    if data["status"] == "error":
        return Row(sheet, rel, "", student.get("id"), student.get("name"), error=data["error"],
                   student_email=student.get("email"), result=line)
    feedback, gradescope = files if files is not None else (None, None)
    return Row(
        sheet=sheet, rel=rel, name="", student_id=student.get("id"),
        student_name=student.get("name"), status=data["status"], score=data["score"],
        max_score=data["max_score"],
        scores=tuple((p["id"], p["score"]) for p in data["problems"]),
        result=line, feedback=feedback, gradescope=gradescope,
        variants=problem_variants(data),
        parts=tuple(part_stats(data)),
        warnings=(*name_warnings(sheet, rel), *data["warnings"]),
        unknown=tuple(UnknownId(*u) for u in data["unknown_ids"]),
        student_email=student.get("email"),
        headline=view.headline(data["score"], data["max_score"],
                               ((p["status"], p["max_points"]) for prob in data["problems"]
                                for p in prob["parts"])),
    )


def problem_variants(data: Mapping[str, Any]) -> tuple[tuple[str, int], ...]:
    """(problem id, its variant) of each varied problem of a results.jsonl object."""
    return tuple((p["id"], p["variant"]) for p in data["problems"] if "variant" in p)


def name_warnings(path: str, rel: str) -> tuple[str, ...]:
    """The warning of a sheet whose file name had to be escaped to be shown."""
    if shown_path(rel) == rel:
        return ()
    return (f"{path}: the file name holds bytes that are not UTF-8, or control "
            "characters; it is shown escaped",)


def _status(result: Any) -> str:
    if not result.passed:
        return "failed"
    waiting = any(p.status is Status.PENDING and p.max_points > 0
                  for prob in result.problems for p in prob.parts)
    return "pending" if waiting else "ok"


def _problem_stats(made: Sequence[dict[Any, Any]], problem: Mapping[str, Any]
                   ) -> tuple[PartStat, ...]:
    """A problem's parts' statistics, from its results.jsonl object (each part's made once
    into its entry of `made`)."""
    return tuple(once(mine, "stats", _part_stat, problem["id"], part)
                 for mine, part in zip(made, problem["parts"]))


def _part_stat(problem: str, part: Mapping[str, Any]) -> PartStat:
    (stat,) = part_stats({"problems": [{"id": problem, "parts": [part]}]})
    return stat


def part_stats(data: Mapping[str, Any]) -> Iterator[PartStat]:
    """What the statistics need of each part, from a sheet's results.jsonl object."""
    for prob in data["problems"]:
        for p in prob["parts"]:
            answer = shown = None
            if p["status"] == Status.WRONG.value:
                answer = json.dumps(p["claimed"], sort_keys=True, default=str,
                                    ensure_ascii=False)
                shown = formats.inline(p["claimed"])
            counts = p["max_points"] > 0 and p["status"] != Status.PENDING.value
            if not counts:
                failed = False
            elif p["status"] == Status.GRADED.value:
                failed = p["points"] < p["max_points"]
            else:
                failed = p["status"] != Status.CORRECT.value
            choice = None
            if p.get("ask") == "choice" and isinstance(p["claimed"], (str, int, float)) \
                    and not isinstance(p["claimed"], bool):
                choice = str(p["claimed"])[:CHOICE_CHARS]
            yield PartStat(prob["id"], p["id"], p["status"], p["points"], p["max_points"],
                           counts, failed, answer, shown, p["mistake"], choice)


def _flag_duplicates(rows: Sequence[Row]) -> Iterator[Row]:
    """Sheets that share a student id (or its file name) all become error rows."""
    clash = clashes((row.rel, row.sheet, row.student_id) for row in rows)
    for row in rows:
        yield as_error(row, clash[row.rel]) if row.rel in clash else row


def clashes(keys: Iterable[tuple[str, str, str | None]]) -> dict[str, str]:
    """Why each sheet that shares its student id (or its file name) with another is an error,
    by its relative path; keys are (rel, sheet, student id) of every row, in report order."""
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for rel, sheet, student_id in keys:
        if student_id is not None:
            groups.setdefault(file_stem(student_id).casefold(), []).append(
                (rel, sheet, student_id))
    clash: dict[str, str] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        ids = sorted({student_id for _, _, student_id in group})
        for rel, sheet, _ in group:
            others = ", ".join(s for r, s, _ in group if r != rel)
            if len(ids) == 1:
                what = f"student id `{ids[0]}` is also used by {others}"
            else:
                what = (f"student ids {', '.join(f'`{i}`' for i in ids)} share the file name "
                        f"`{file_stem(ids[0])}` (also {others})")
            clash[rel] = f"{sheet}: {what} — one sheet per student; nothing was merged"
    return clash


def as_error(row: Row, error: str) -> Row:
    """A row turned into an error row: its student kept, its grades dropped."""
    return Row(row.sheet, row.rel, row.name, row.student_id, row.student_name, error=error,
               student_email=row.student_email)
