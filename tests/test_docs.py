"""The documentation stays true: its examples are valid files, the CLI reference is the
commands' own `--help`, and the README's links lead somewhere.

Code blocks are told apart by their info string. In docs/format.md and
docs/grading-a-class.md, a ```yaml block is a complete document: a problem file, which must
validate and solve (or, with `answers:`, grade), or an answer sheet, which must validate (and
grade, when it answers problems of the seed exam). A ```yaml overrides block is an overrides
file. Any other info string (```yaml fragment, ```text, ```sh, ...) is not checked.

The contract, shared/design/FORMAT.md, lives beside the clone in CI. Its examples are mostly
fragments: each is wrapped into the smallest problem its shape makes obvious (a parts list, a
single part, `given:` alone) and validated; the ones that need nothing from outside are
solved too.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any

import pytest

from nncheck import grading, solving
from nncheck.io.problems import load_problem_from, load_sheet_from
from nncheck.io.yaml import Document, parse_document
from nncheck.spec.errors import validate
from nncheck.spec.overrides import Overrides
from nncheck.spec.problem import Problem, Sheet

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "problems" / "seed-exam"
DOCS = ROOT / "docs"
DOC_PAGES = ("format.md", "grading-a-class.md")
FORMAT_MD = Path(__file__).resolve().parents[2] / "shared" / "design" / "FORMAT.md"
README = ROOT / "README.md"


@dataclass(frozen=True)
class Block:
    """A fenced code block of a Markdown file."""

    path: Path
    line: int  # of the opening fence, 1-based
    info: str  # the info string after the fence: "yaml", "yaml fragment", ...
    text: str

    @property
    def where(self) -> str:
        """`docs/format.md:120`, as messages and test ids name the block."""
        return f"{_shown(self.path)}:{self.line}"


def _shown(path: Path) -> str:
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return path.name


def fenced_blocks(path: Path) -> list[Block]:
    """Every fenced block of a Markdown file (fences of backticks at the start of a line)."""
    blocks = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opening = re.match(r"(`{3,})(.*)$", lines[i])
        if not opening:
            i += 1
            continue
        fence, info, start = opening.group(1), opening.group(2).strip(), i
        i += 1
        body = []
        while i < len(lines) and lines[i].strip() != fence:
            body.append(lines[i])
            i += 1
        assert i < len(lines), f"{_shown(path)}:{start + 1}: a code block is never closed"
        blocks.append(Block(path, start + 1, info, "\n".join(body) + "\n"))
        i += 1
    return blocks


def _blocks(paths: list[Path], info: str) -> list[Any]:
    return [
        pytest.param(block, id=block.where)
        for path in paths if path.is_file()
        for block in fenced_blocks(path) if block.info == info
    ]


DOC_PATHS = [DOCS / page for page in DOC_PAGES]


# --- the pages exist and their code blocks are closed --------------------------------------------

@pytest.mark.parametrize("page", DOC_PAGES)
def test_page_exists_and_has_checked_examples(page):
    path = DOCS / page
    assert path.is_file(), f"docs/{page} is missing"
    infos = {block.info for block in fenced_blocks(path)}
    assert infos & {"yaml", "yaml overrides"}, f"docs/{page} has no checked YAML example"


# --- (a) the examples of the docs are valid files ------------------------------------------------

def _parse(block: Block) -> Document:
    doc = parse_document(block.text, block.where)
    assert isinstance(doc.data, dict), f"{block.where}: a document is a mapping; mark a " \
        "fragment ```yaml fragment"
    return doc


def _seed_bank() -> grading.Bank:
    return grading.load_bank(SEED)


@pytest.mark.parametrize("block", _blocks(DOC_PATHS, "yaml"))
def test_doc_example_is_a_valid_document(block):
    doc = _parse(block)
    # A file name for the example: a problem without `id:` takes the name's stem.
    name = f"example-line-{block.line}.yaml"
    if "parts" not in doc.data:
        sheet = validate(Sheet, doc)
        bank = _seed_bank()
        if sheet.answers and set(sheet.answers) <= set(bank.problems):
            grading.grade_sheet(bank, sheet.answers, sheet=name, student=sheet.student)
        return
    validate(Problem, doc)
    loaded = load_problem_from(doc, name)
    bank = grading.make_bank([loaded])
    solving.solve_bank(bank)
    if loaded.problem.answers is not None:
        sheet = load_sheet_from(doc, name)
        grading.grade_sheet(bank, sheet.answers, sheet=name, student=sheet.student)
    _check_answer_key(bank, block)


def _check_answer_key(bank: grading.Bank, block: Block) -> None:
    """What `solve --sheet` writes for the example grades correct, part by part."""
    key, _ = solving.answer_key(bank)
    result = grading.grade_sheet(bank, key)
    for problem in result.problems:
        for part in problem.parts:
            if part.id in key[problem.id] and part.ask != "manual":
                assert part.status.value == "correct", \
                    f"{block.where}: the key of part `{part.id}` grades {part.status.value}: " \
                    f"{part.message}"


@pytest.mark.parametrize("block", _blocks(DOC_PATHS, "yaml overrides"))
def test_doc_overrides_example_is_a_valid_overrides_file(block):
    validate(Overrides, _parse(block))


# --- (b) the contract's examples stay valid ------------------------------------------------------

def _format_blocks() -> list[Any]:
    if not FORMAT_MD.is_file():
        return [pytest.param(None, id="FORMAT.md", marks=pytest.mark.skip(
            reason=f"{FORMAT_MD} is not beside the clone"))]
    return _blocks([FORMAT_MD], "yaml")


def wrap(data: Any) -> dict[str, Any] | None:
    """The smallest problem around an example of the contract, or None for a sheet.

    A parts list or a single part becomes the problem's parts; `given:` alone gets one part
    per given network or model, so that solving reads it.
    """
    if isinstance(data, list) and all(isinstance(p, dict) and "ask" in p for p in data):
        return {"parts": data}
    if not isinstance(data, dict):
        raise AssertionError(f"cannot tell what kind of example this is: {data!r:.60}")
    if "ask" in data:
        return {"parts": [data]}
    if "student" in data and "parts" not in data:
        return None
    if "parts" in data:
        return dict(data)
    if "given" in data:
        parts = []
        for name, given in data["given"].items():
            kind = given.get("kind") if isinstance(given, dict) else None
            if kind == "network":
                parts.append({"id": f"table-{name}", "ask": "truth_table", "network": name})
            elif kind == "model":
                parts.append({"id": f"count-{name}", "ask": "param_count", "model": name})
        if not parts:
            parts.append({"id": "note", "ask": "manual"})
        return {**data, "parts": parts}
    raise AssertionError(f"cannot tell what kind of example this is: keys {sorted(data)}")


def self_contained(problem: Problem) -> bool:
    """Whether every network, model and template a part names is in `given`."""
    for part in problem.parts:
        for key in ("network", "model", "template"):
            ref = getattr(part, key, None)
            if isinstance(ref, str) and ref not in problem.given:
                return False
    return True


@pytest.mark.parametrize("block", _format_blocks())
def test_format_example_is_valid(block):
    parsed = parse_document(block.text, block.where)
    wrapped = wrap(parsed.data)
    if wrapped is None:
        validate(Sheet, parsed)
        return
    wrapped.setdefault("id", f"format-line-{block.line}")
    stubbed = _stub_references(wrapped)
    # The wrapped data has no positions of its own: errors point at the block's first line.
    doc = Document(block.where, wrapped, MappingProxyType({(): (1, 1)}),
                           MappingProxyType({}))
    loaded = load_problem_from(doc, block.where)
    if not stubbed and self_contained(loaded.problem):
        solving.solve_bank(grading.make_bank([loaded]))


# A fragment names things it does not define (`answer.design`, `network: net`): the smallest
# stand-ins let it validate as a whole problem (it is then not solved).
_STUB_NETWORK = {"kind": "network", "inputs": ["a"], "activation": "step", "layers": [["y"]]}


def _stub_references(problem: dict[str, Any]) -> bool:
    """Add stand-ins for the givens and earlier parts a fragment refers to; say if any."""
    given = problem["given"] = dict(problem.get("given") or {})
    parts = problem["parts"] = list(problem["parts"])
    ids = {p.get("id") for p in parts}
    stubbed = False
    for part in list(parts):
        for key in ("network", "template", "model"):
            ref = part.get(key)
            if not isinstance(ref, str) or ref in given:
                continue
            if ref.startswith("answer.") and ref[7:] in ids:
                continue
            stubbed = True
            if ref.startswith("answer."):
                parts.insert(parts.index(part), {"id": ref[7:], "ask": "realize",
                                                 "template": _STUB_NETWORK, "target": "a"})
                ids.add(ref[7:])
            elif key == "model":
                given[ref] = {"kind": "model", "input": [4], "layers": ["flatten"]}
            else:
                given[ref] = _STUB_NETWORK
    return stubbed


def test_wrap_recognises_every_shape_of_example():
    part = {"id": "a", "ask": "manual"}
    assert wrap([part]) == {"parts": [part]}
    assert wrap(part) == {"parts": [part]}
    assert wrap({"given": {"y": [1]}, "parts": [part]}) == {"given": {"y": [1]}, "parts": [part]}
    assert wrap({"given": {"m": {"kind": "model"}}})["parts"] == [
        {"id": "count-m", "ask": "param_count", "model": "m"}]
    assert wrap({"student": {"id": "s"}, "answers": {}}) is None


# --- the CLI reference is the commands' own help -------------------------------------------------

def _gen_cli() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_cli", DOCS / "gen_cli.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_current():
    committed = (DOCS / "cli.md").read_text(encoding="utf-8")
    rendered = _gen_cli().render()
    assert rendered == committed, \
        "docs/cli.md differs from the commands' --help: run `python docs/gen_cli.py`"


def test_cli_reference_covers_every_command():
    gen = _gen_cli()
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    names = gen.command_names()
    assert {"check", "grade", "solve", "validate", "schema"} <= set(names)
    for name in names:
        assert f"## `nncheck {name}`" in text


# --- (c) the README's links resolve --------------------------------------------------------------

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def _anchors(path: Path) -> set[str]:
    """The anchors GitHub gives a Markdown file's headings (outside code blocks)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    code = set()
    for block in fenced_blocks(path):
        code.update(range(block.line - 1, block.line + block.text.count("\n") + 1))
    anchors = set()
    for i, line in enumerate(lines):
        heading = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading and i not in code:
            slug = re.sub(r"[^\w\- ]", "", heading.group(1).lower()).replace(" ", "-")
            anchors.add(slug)
    return anchors


def _readme_links() -> list[Any]:
    links = LINK.findall(README.read_text(encoding="utf-8"))
    local = [link for link in links if not re.match(r"[a-z]+:", link)]
    return [pytest.param(link, id=link) for link in local]


def test_readme_has_local_links():
    assert _readme_links(), "README.md links to no file of the repository"


@pytest.mark.parametrize("link", _readme_links())
def test_readme_link_resolves(link):
    target, _, anchor = link.partition("#")
    path = (README.parent / target).resolve() if target else README
    assert path.exists(), f"README.md links to {target}, which does not exist"
    if anchor and path.suffix == ".md":
        assert anchor in _anchors(path), f"README.md links to {link}: no heading `#{anchor}`"
