"""Reports put together: shard reports merged into one (`nncheck merge`), and one student
regraded into a class report (`grade --student ID --update`).

Both give the bytes a single run over the whole class gives, written by the code that writes
a run's report (`gradebook.write_report`, framed by the saved summary's facts). Rows come in
report order (by their path inside the class folder, `rel`); each row's results.jsonl line,
feedback and Gradescope files are copied as they are (the feedback goes into report.html as
in a run), and the grades.csv rows, report.html, the statistics, a roster's rows and the
imports are made again from the rows (results.jsonl holds all that they need of a sheet).
The roster, imports and per-part columns are the merge's or the update's own options, as a
run's are, whatever the reports were graded with. Reports that cannot give a single run's
bytes are refused: graded against other problems, by another nncheck version, with other
options, of another class folder, or with a student id in two of them.
"""

from __future__ import annotations

import contextlib
import heapq
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from nncheck import classroom, stats
from nncheck.classroom import Options, Progress, Row
from nncheck.errors import NncheckError
from nncheck.exports import Extras
from nncheck.frame import Frame
from nncheck.gradebook import class_inputs, replacing, write_report
from nncheck.io.report import ReportFolder
from nncheck.io.saved import SavedReport
from nncheck.render import gradebook as formats
from nncheck.words import inert_lines, json_line

AUDIT = ("nncheck_version", "problem_hashes", "seed")
_AS_WRITTEN = "a report as `nncheck grade` wrote it"
# What must be the same in every report merged, and how a difference is put.
SAME = (
    ("nncheck_version", "graded by another nncheck version"),
    ("problem_hashes", "graded against other problems (problem_hashes differ)"),
    ("seed", "graded with other sample points (another course secret)"),
    ("class_dir", "graded from another class folder path"),
    ("reveal", "graded with another --reveal"),
    ("rtol", "graded with another --rtol"),
    ("overrides", "graded with other --overrides"),
    ("problems", "graded against other problems"),
    ("class_sheets", "graded when the class folder held another number of sheets"),
    ("files_not_read", "graded when the class folder held other files"),
)


def _header_parts(report: SavedReport, ids: Sequence[str]) -> list[tuple[str, str]]:
    """The part columns of a saved grades.csv (none, or every part with `--per-part`)."""
    header = report.header or []
    middle = header[2 + len(ids):-5]
    parts = [(pid, part) for pid, _, part in (c.partition("/") for c in middle)]
    if header != formats.csv_header(ids, parts):
        raise NncheckError(f"{report.shown}: its grades.csv has other columns",
                           expected=_AS_WRITTEN)
    return parts


def _saved_rows(report: SavedReport, ids: Sequence[str],
                keep: Callable[[str], bool] = lambda rel: True) -> Iterator[Row]:
    """A saved report's rows (those whose `rel` is kept, with their files), each checked to
    be as `grade` writes it: the results.jsonl line in its own JSON form (every unsafe
    character escaped), the grades.csv row the one that the line gives, the rows in order,
    the feedback and Gradescope files inert."""
    last = None
    parts = None
    for number, saved in enumerate(report.rows(), 1):
        if parts is None:
            parts = _header_parts(report, ids)
        rel = saved.data["rel"]
        where = f"{os.path.join(report.shown, 'results.jsonl')}:{number}"
        if last is not None and not last < rel:
            raise NncheckError(f"{where}: rows out of order", expected=_AS_WRITTEN)
        last = rel
        try:
            row = classroom.row_of(saved.data, saved.line)
            fields = formats.csv_fields(row, ids, parts)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise NncheckError(f"{where}: not a row of a report ({type(exc).__name__}: {exc})",
                               expected=_AS_WRITTEN) from None
        if json_line(saved.data) != saved.line:
            raise NncheckError(f"{where}: not written as nncheck writes it",
                               expected=_AS_WRITTEN)
        if fields != saved.fields:
            raise NncheckError(f"{os.path.join(report.shown, 'grades.csv')}:{number + 1}: "
                               f"not the row of {saved.data['sheet']} in results.jsonl",
                               expected=_AS_WRITTEN)
        if not keep(rel):
            continue
        if (stem := row.stem) is not None:
            yield replace(row, feedback=_text(report, f"feedback/{stem}.txt"),
                          gradescope=_text(report, f"gradescope/{stem}.json"))
        else:
            yield row
    if parts is None:  # no row: the columns checked all the same
        _header_parts(report, ids)


def _text(report: SavedReport, name: str) -> str:
    """A student's feedback or Gradescope file, checked inert as nncheck writes it."""
    text = report.text(name)
    if inert_lines(text) != text:
        raise NncheckError(f"{os.path.join(report.shown, name)}: holds control or "
                           "bidirectional characters", expected=_AS_WRITTEN)
    return text


def _key(row: Row) -> str:
    return row.rel


def _frame(facts: Mapping[str, Any], parts: Sequence[tuple[str, str]]) -> Frame:
    """A saved report's facts, as the report a run over the whole class writes them."""
    return Frame(
        maxima=tuple((p["id"], p["max_score"]) for p in facts["problems"]),
        parts=tuple(parts), audit={key: facts[key] for key in AUDIT},
        options=Options(reveal=facts["reveal"], rtol=facts["rtol"]),
        class_dir=facts["class_dir"],
        not_read=(facts["files_not_read"], facts["files_not_read_count"]),
        class_sheets=facts["class_sheets"], override_digests=facts["overrides"])


def _bank_parts(reports: Sequence[SavedReport], ids: Sequence[str]) -> list[tuple[str, str]]:
    """Every part of the bank, in its order: as a graded sheet's line lists them (a sheet is
    graded on every part), or as the columns of shards graded with `--per-part`."""
    columns: list[tuple[str, str]] = []
    for report in reports:
        with contextlib.closing(report.rows()) as rows:
            for saved in rows:
                data = saved.data
                if data.get("status") != "error":
                    try:
                        return [(prob["id"], p["id"]) for prob in data["problems"]
                                for p in prob["parts"]]
                    except (KeyError, TypeError) as exc:
                        raise NncheckError(
                            f"{os.path.join(report.shown, 'results.jsonl')}: not a row of a "
                            f"report ({type(exc).__name__}: {exc})",
                            expected=_AS_WRITTEN) from None
            columns = columns or _header_parts(report, ids)
    if not columns:
        raise NncheckError("--per-part: no shard holds a graded sheet that names the parts",
                           expected="shards graded with --per-part")
    return columns


# --- merge ----------------------------------------------------------------------------------

def merge_into(out: str | os.PathLike[str], dirs: Sequence[str | os.PathLike[str]],
               extras: Extras | None = None) -> dict[str, Any]:
    """Merge the shard reports in `dirs` into one report at `out`, with the roster, imports
    and per-part columns of `extras` (whatever the shards were graded with); return its
    statistics."""
    extras = extras or Extras()
    reports = [SavedReport(d, what="a shard report") for d in dirs]
    _check_shards(reports)
    first = reports[0].summary
    inputs: list[tuple[str, str | os.PathLike[str] | None]] = [
        ("the shard report", d) for d in dirs]
    inputs.append(("the roster", extras.roster.path if extras.roster else None))
    folder = ReportFolder(out, inputs)
    with replacing(folder):
        ids = [p["id"] for p in first["problems"]]
        frame = _frame(first, _bank_parts(reports, ids) if extras.per_part else ())
        owner: dict[str, tuple[str, int]] = {}  # a student id's file name -> (id, report)
        rels: dict[str, int] = {}  # a sheet -> its report

        def checked(index: int) -> Iterator[Row]:
            for row in _saved_rows(reports[index], ids):
                if row.rel in rels:
                    raise NncheckError(
                        f"sheet {row.sheet} is in {reports[rels[row.rel]].shown} and in "
                        f"{reports[index].shown}", expected="shards of one class, each once")
                rels[row.rel] = index
                if row.student_id is not None:
                    stem = classroom.file_stem(row.student_id).casefold()
                    seen = owner.setdefault(stem, (row.student_id, index))
                    if seen[1] != index:
                        spelt = f" (as `{seen[0]}`)" if seen[0] != row.student_id else ""
                        raise NncheckError(
                            f"student id `{row.student_id}` is in {reports[seen[1]].shown}"
                            f"{spelt} and in {reports[index].shown}",
                            expected="one sheet per student: remove one of the sheets and "
                                     "grade both shards again")
                yield row

        rows = heapq.merge(*(checked(i) for i in range(len(reports))), key=_key)
        summary = write_report(folder, frame, rows, extras)
        if summary["sheets"] != first["class_sheets"]:
            raise NncheckError(
                f"the shards hold {summary['sheets']} sheets, but the class folder held "
                f"{first['class_sheets']} when they were graded",
                expected="every shard of one run, K/N for K = 1 … N")
    return summary


def _check_shards(reports: Sequence[SavedReport]) -> None:
    """Every shard K/N of one run, once each, graded alike; else an error saying which not."""
    shards: dict[int, SavedReport] = {}
    total = None
    for report in reports:
        summary = report.summary
        if summary.get("student") is not None or summary.get("shard") is None:
            raise NncheckError(f"{report.shown}: not a shard report (graded "
                               f"{'with --student' if summary.get('student') else 'whole'})",
                               expected="reports of `nncheck grade --shard K/N --out DIR`")
        k, n = classroom.parse_shard(str(summary["shard"]))
        if total is not None and n != total:
            raise NncheckError(f"{report.shown}: shard {k}/{n}, but {reports[0].shown} is a "
                               f"shard of {total}", expected="the shards of one split, K/N")
        total = n
        if k in shards:
            raise NncheckError(f"{report.shown} and {shards[k].shown} are both shard {k}/{n}",
                               expected="each shard once")
        shards[k] = report
        for key, _ in SAME:
            if key not in summary:
                raise NncheckError(f"{report.shown}: its summary.json has no `{key}` (written "
                                   "by an older nncheck?)",
                                   expected="shard reports of this nncheck version")
        if not _well_formed(summary):
            raise NncheckError(f"{report.shown}: its summary.json is not as nncheck writes it",
                               expected=_AS_WRITTEN)
        for key, why in SAME:
            if _fact(summary, key) != _fact(reports[0].summary, key):
                raise NncheckError(f"{report.shown} was {why} than {reports[0].shown}",
                                   expected="shards graded alike: one bank, one nncheck "
                                            "version, the same options and class folder")
    missing = [k for k in range(1, (total or 0) + 1) if k not in shards]
    if missing:
        named = ", ".join(f"{k}/{total}" for k in missing)
        raise NncheckError(f"shard{'s' * (len(missing) > 1)} {named} missing",
                           expected="every shard of the split, K/N for K = 1 … N")


def _well_formed(summary: Mapping[str, Any]) -> bool:
    """Whether the facts a merge reads from a summary have the types `grade` writes."""
    problems = summary["problems"]
    return (all(isinstance(p, dict) and isinstance(p.get("id"), str)
                and isinstance(p.get("max_score"), (int, float)) for p in problems)
            and isinstance(summary["overrides"], dict)
            and all(isinstance(v, str) for v in summary["overrides"].values())
            and isinstance(summary["class_sheets"], int)
            and isinstance(summary["files_not_read"], list)
            and isinstance(summary.get("files_not_read_count"), int)
            and isinstance(summary["reveal"], str)
            and (summary["rtol"] is None or isinstance(summary["rtol"], (int, float))))


def _fact(summary: Mapping[str, Any], key: str) -> Any:
    """A fact of a report's summary, as two reports must share it (a problem's mean is not)."""
    value = summary.get(key)
    if key == "problems" and isinstance(value, list):
        return [(p.get("id"), p.get("max_score")) for p in value if isinstance(p, dict)]
    return value


# --- one student regraded into a class report -----------------------------------------------

def update_into(
    out: str | os.PathLike[str],
    class_dir: str | os.PathLike[str],
    problems: str | os.PathLike[str],
    options: Options,
    *,
    progress: Progress | None = None,
    overrides_file: str | os.PathLike[str] | None = None,
    extras: Extras | None = None,
) -> dict[str, Any]:
    """Regrade the sheet(s) of `options.student` into the class report at `out`: their rows
    and files replaced, the statistics counted again, the roster, imports and per-part
    columns of `extras` written (whatever the report had); return them.

    The result is the report a run over the whole class would write, provided no other sheet
    changed since `out` was written (other sheets are not read again). A report that is not
    a whole-class report of this class, bank, nncheck version and options is refused, as is a
    class folder that gained or lost other sheets, or a change to another student's
    overrides, or a regrade that changes which sheets share a student id.
    """
    assert options.student is not None
    if not os.path.isdir(out) or not os.path.exists(os.path.join(out, "summary.json")):
        raise NncheckError(f"{out}: no report to update",
                           expected="--update with --out DIR, a report of the whole class "
                                    "written by `nncheck grade`")
    saved = SavedReport(out, what="the report to update")
    run = classroom.prepare(class_dir, problems, options)
    wanted = options.student
    whole = replace(options, student=None)
    facts = saved.summary
    _check_update(saved, run, whole)
    folder = ReportFolder(out, class_inputs(run, class_dir, problems, overrides_file, extras))
    with replacing(folder):
        with contextlib.closing(classroom.graded_rows(run, progress)) as graded:
            new = sorted(graded, key=lambda r: r.rel)
        new_rels = {r.rel for r in new}
        regraded = {r.student_id for r in new if r.student_id is not None} | {wanted}
        now, before = stats.digests(options.overrides), facts["overrides"]
        for student in sorted(set(now) | set(before)):
            if now.get(student) != before.get(student) and student not in regraded:
                raise NncheckError(
                    f"the overrides of student `{student}` changed since {saved.shown} was "
                    "written", expected="grade the whole class, or --update that student")
        old_keys = [(s.data["rel"], s.data["sheet"], (s.data.get("student") or {}).get("id"))
                    for s in saved.rows()]
        current = {f.rel for f in run.files}
        kept = []
        for rel, sheet, student in old_keys:
            if rel in new_rels:
                continue
            if rel not in current:
                if student == wanted or _name(rel) == wanted:
                    continue  # the student's sheet, renamed or gone
                raise NncheckError(f"{sheet}, graded in {saved.shown}, is no longer in "
                                   f"{class_dir}", expected="grade the whole class again")
            kept.append((rel, sheet, student))
        added = current - new_rels - {rel for rel, _, _ in kept}
        if added:
            raise NncheckError(f"{class_dir} has sheets that {saved.shown} does not: "
                               + ", ".join(f"`{r}`" for r in sorted(added)[:5]),
                               expected="grade the whole class again")
        final = sorted([*kept, *((r.rel, r.sheet, r.student_id) for r in new)])
        clash = classroom.clashes(final)
        clashed = classroom.clashes(old_keys)
        for rel, sheet, _ in kept:
            if clash.get(rel) != clashed.get(rel):
                raise NncheckError(f"regrading `{wanted}` changes whether {sheet} shares its "
                                   "student id with another sheet",
                                   expected="grade the whole class again")
        kept_rels = {rel for rel, _, _ in kept}
        ids = [pid for pid, _ in run.maxima]
        old = _saved_rows(saved, ids, keep=kept_rels.__contains__)
        frame = replace(Frame.of_run(run), options=whole)
        summary = write_report(folder, frame, heapq.merge(old, new, key=_key), extras)
    return summary


def _name(rel: str) -> str:
    """A sheet's name as `--student` matches it: its folder, or its file name's stem."""
    head, _, tail = rel.partition("/")
    return head if tail else os.path.splitext(head)[0]


def _check_update(saved: SavedReport, run: classroom.ClassRun, options: Options) -> None:
    summary = saved.summary
    if summary.get("shard") is not None or summary.get("student") is not None:
        raise NncheckError(f"{saved.shown}: a report of "
                           f"{'one shard' if summary.get('shard') else 'one student'}",
                           expected="--update into a report of the whole class")
    if any(key not in summary for key, _ in SAME) or not _well_formed(summary):
        raise NncheckError(f"{saved.shown}: its summary.json is not as this nncheck writes it",
                           expected="--update into a report written by this nncheck version "
                                    "(else grade the whole class)")
    ours = {**run.audit, "class_dir": run.class_dir, "reveal": options.reveal,
            "rtol": options.rtol, "problems": list(run.maxima)}
    for key, why in SAME:
        if key not in ours:
            continue
        if key not in summary or _fact(summary, key) != ours[key]:
            raise NncheckError(f"{saved.shown} was {why} than this run",
                               expected="--update into a report graded alike: the same bank, "
                                        "nncheck version, options and class folder path "
                                        "(else grade the whole class)")
