"""Validation with pydantic, each of its errors turned into one located line.

`validate` checks a Document's data against a spec model; an error becomes an InputError at the
line and column of the value (or key) it is about, in nncheck's words (`expected a number, found
'abc'`), with the keys or tags allowed there and a "did you mean" read from the model's core
schema.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pydantic
from pydantic import BaseModel, TypeAdapter

from nncheck.errors import InputError
from nncheck.words import clip, did_you_mean, listing, one_line

if TYPE_CHECKING:
    from nncheck.io.scalars import Loc
    from nncheck.io.yaml import Document

__all__ = ["MAX_ERRORS", "error_from_validation", "validate"]


def validate(
    model: type[BaseModel] | TypeAdapter[Any],
    doc: Document,
    *,
    context: dict[str, Any] | None = None,
) -> Any:
    """Validate a document's data with a pydantic model or TypeAdapter; failure is an InputError."""
    try:
        if isinstance(model, TypeAdapter):
            return model.validate_python(doc.data, context=context)
        return model.model_validate(doc.data, context=context)
    except pydantic.ValidationError as exc:
        raise error_from_validation(exc, doc, model=model) from exc


MAX_ERRORS = 20  # located errors reported per file; the rest are counted


def error_from_validation(
    exc: pydantic.ValidationError,
    doc: Document,
    *,
    model: type[BaseModel] | TypeAdapter[Any] | None = None,
) -> InputError:
    """Turn every error of a ValidationError into an InputError at its line and column.

    The first in the file is returned, the others (at most MAX_ERRORS in all, one per place and
    in the order of the file) in its `more`, and the count beyond the bound in `omitted`.
    `model`, when given, supplies the allowed keys for "did you mean" hints.
    """
    errors = exc.errors(include_url=False)
    if not errors:
        return InputError(one_line(str(exc)), path=doc.path)
    found: list[InputError] = []
    seen: set[tuple[Any, ...]] = set()
    for err in _worth_reporting(errors):
        error = _one_error(err, errors, doc, model)
        # A value that fits no branch of a union gets an error per branch, all at one place:
        # the first says it. Missing keys are all at their mapping, and each is its own error.
        place: tuple[Any, ...] = (error.line, error.col)
        if err["type"] == "missing":
            place += (error.message,)
        if place not in seen:
            seen.add(place)
            found.append(error)
    found.sort(key=lambda e: (e.line or 0, e.col or 0))
    first, rest = found[0], found[1:]
    first.more = tuple(rest[: MAX_ERRORS - 1])
    first.omitted = len(rest) - len(first.more)
    return first


def _one_error(err: Any, errors: list[Any], doc: Document, model: Any) -> InputError:
    """One pydantic error as an InputError in our words."""
    loc = tuple(err["loc"])
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        key = loc[-1]
        names = _field_names(model, loc[:-1]) or [
            str(e["loc"][-1])
            for e in errors
            if e["type"] == "missing" and e["loc"][:-1] == loc[:-1]
        ]
        others = [name for name in names if name != str(key)]
        return doc.error(
            _data_path(doc.data, loc),
            f"unknown key `{key}`",
            expected=f"one of {listing(others)}" if others else None,
            hint=_did_you_mean(key, others),
            at_key=True,
        )
    if kind == "missing":
        return doc.error(_data_path(doc.data, loc[:-1]), f"missing key `{loc[-1]}`")
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return _tag_error(err, doc, model)
    path = _data_path(doc.data, loc)
    field = next((item for item in reversed(loc) if isinstance(item, str)
                  and item.isidentifier()), None)
    value = err.get("input")
    if kind in ("literal_error", "enum"):
        allowed = _quoted(str(ctx.get("expected", "")))
        if allowed and isinstance(value, (str, int)) and field is not None:
            return doc.error(path, f"unknown {field} `{_show(str(value))[1:-1]}`",
                             expected=f"one of {listing(allowed)}",
                             hint=_did_you_mean(value, allowed))
    # pydantic marks an error in a mapping's key (not its value) with a trailing "[key]".
    at_key = loc[-1:] == ("[key]",)
    return doc.error(path, _readable(err), hint=_hint(kind, value, field, model, loc),
                     at_key=at_key)


_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


def _hint(kind: str, value: Any, field: str | None, model: Any, loc: tuple[Any, ...]
          ) -> str | None:
    """A hint for the common slips: a number in quotes, a score without its `points:` key."""
    if kind in ("float_type", "int_type", "float_parsing", "int_parsing") and \
            isinstance(value, str) and _NUMBER.match(value):
        written = f"`{field}: {value.strip()}`" if field else f"`{value.strip()}`"
        return f"write the number without quotes: {written}"
    if kind in ("dict_type", "model_type", "model_attributes_type", "dataclass_type") and \
            isinstance(value, (int, float)) and not isinstance(value, bool) and \
            "points" in _field_names(model, loc):
        return f"a score is written `{{points: {value}}}`"
    return None


def _worth_reporting(errors: list[Any]) -> list[Any]:
    """Every error, but a missing key that an unknown key in the same mapping misspells:
    `desing` for `design` gives both, and "unknown key ... did you mean" says it all."""
    unknown: dict[tuple[Any, ...], list[str]] = {}
    for err in errors:
        if err["type"] == "extra_forbidden":
            unknown.setdefault(tuple(err["loc"][:-1]), []).append(str(err["loc"][-1]))
    return [
        err for err in errors
        if not (err["type"] == "missing"
                and _did_you_mean(err["loc"][-1], unknown.get(tuple(err["loc"][:-1]), [])))
    ]


def _data_path(data: Any, loc: Sequence[Any]) -> Loc:
    """Map a pydantic location onto the data, skipping items (union tags) the data lacks."""
    path: list[Any] = []
    for item in loc:
        if isinstance(data, dict):
            if item in data:
                path.append(item)
                data = data[item]
        elif (
            isinstance(data, list)
            and isinstance(item, int)
            and not isinstance(item, bool)
            and 0 <= item < len(data)
        ):
            path.append(item)
            data = data[item]
    return tuple(path)


def _tag_error(err: Any, doc: Document, model: Any) -> InputError:
    """An unknown or missing discriminator (`ask: param_cnt`), with the known tags."""
    loc = tuple(err["loc"])
    path = _data_path(doc.data, loc)
    ctx = err.get("ctx") or {}
    discriminator = str(ctx.get("discriminator", "")).strip("'")
    tags = _quoted(str(ctx.get("expected_tags", ""))) or _union_tags(model, loc)
    expected = f"one of {listing(tags)}" if tags else None
    node = err.get("input")
    named = discriminator.isidentifier()
    if err["type"] == "union_tag_not_found":
        if named:
            wanted = f"`{discriminator}` set to one of {listing(tags)}" if tags else None
            return doc.error(path, f"missing key `{discriminator}`", expected=wanted)
        return doc.error(path, "cannot tell what kind of entry this is", expected=expected)
    tag = ctx.get("tag", "")
    hint = _did_you_mean(tag, tags)
    if named:
        return doc.error(
            (*path, discriminator), f"unknown {discriminator} `{tag}`", expected=expected, hint=hint
        )
    # A callable discriminator: point at the key or value that the tag was read from.
    if isinstance(node, dict):
        if tag in node:
            return doc.error(
                (*path, tag), f"unknown type `{tag}`", expected=expected, hint=hint, at_key=True
            )
        for key, value in node.items():
            if value == tag:
                return doc.error(
                    (*path, key), f"unknown type `{tag}`", expected=expected, hint=hint
                )
    return doc.error(path, f"unknown type `{tag}`", expected=expected, hint=hint)


def _quoted(text: str) -> list[str]:
    return re.findall(r"'([^']*)'", text)


def _did_you_mean(word: Any, choices: Sequence[str]) -> str | None:
    """A suggestion for a name written as a string or a number (not for a list or a mapping)."""
    if not isinstance(word, (str, int)) or isinstance(word, bool):
        return None
    return did_you_mean(word, choices)


_EXPECTED = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "string_type": "a string",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "set_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "dataclass_type": "a mapping",
    "none_required": "null",
}


def _readable(err: Any) -> str:
    """Pydantic's message in nncheck's words: `expected a number, found 'abc'`."""
    kind = err["type"]
    msg = one_line(str(err.get("msg", "")))
    found = _show(err.get("input"))
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, found {found}"
    bound = _BOUNDS.get(kind)
    if bound is not None:
        limit = _ctx_value(err, bound[0])
        said = bound[1].format(limit)
        if limit == "1":  # "at least 1 item", "at most 1 character"
            said = said.replace("items", "item").replace("characters", "character")
        return f"expected {said}, found {found}"
    if msg.startswith("Input should be "):
        want = re.sub(r", (?:unable|got) .*$", "", msg[len("Input should be ") :])
        want = re.sub(r"^a valid ", "a ", want)
        if want.startswith(("greater", "less")):
            want = "a number " + want
        return f"expected {want}, found {found}"
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    if msg[:1].isupper() and not msg[1:2].isupper():
        msg = msg[0].lower() + msg[1:]
    return msg


_BOUNDS = {
    "greater_than_equal": ("ge", "a number, {} or more"),
    "greater_than": ("gt", "a number greater than {}"),
    "less_than_equal": ("le", "a number, at most {}"),
    "less_than": ("lt", "a number less than {}"),
    "too_short": ("min_length", "at least {} items"),
    "too_long": ("max_length", "at most {} items"),
    "string_too_short": ("min_length", "at least {} characters"),
    "string_too_long": ("max_length", "at most {} characters"),
}


def _ctx_value(err: Any, key: str) -> str:
    """A bound from a pydantic error's context, written as YAML would (`0`, `1e+300`)."""
    value = (err.get("ctx") or {}).get(key)
    if isinstance(value, float):
        return f"{value:.0f}" if value.is_integer() and abs(value) < 1e16 else f"{value:g}"
    return _show(value) if not isinstance(value, str) else value


def _show(value: Any, limit: int = 40) -> str:
    """What was found, YAML-flavoured and short: `'abc'`, `null`, `a list [1, 2]`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(clip(value, limit - 4))
    text = clip(repr(value), limit)
    if isinstance(value, dict):
        return f"a mapping {text}"
    if isinstance(value, list):
        return f"a list {text}"
    return text


# --- allowed keys, read from the model's core schema -------------------------------------------

# Core-schema types that wrap one inner schema without adding to an error's location.
_WRAPPERS = frozenset(
    {
        "model",
        "dataclass",
        "nullable",
        "default",
        "function-after",
        "function-before",
        "function-wrap",
    }
)


def _field_names(model: Any, loc: Sequence[Any]) -> list[str]:
    """The keys a mapping at pydantic location `loc` may have, or [] when they cannot be told."""
    names: list[str] = []
    for schema in _schemas_at(model, loc):
        if schema.get("type") in ("model-fields", "typed-dict"):
            fields = schema["fields"].items()
        elif schema.get("type") == "dataclass-args":
            fields = ((f["name"], f) for f in schema["fields"])
        else:
            continue
        for name, field in fields:
            alias = field.get("validation_alias")
            name = alias if isinstance(alias, str) else name
            if name not in names:
                names.append(name)
    return names


def _union_tags(model: Any, loc: Sequence[Any]) -> list[str]:
    return [
        str(tag)
        for schema in _schemas_at(model, loc)
        if schema.get("type") == "tagged-union"
        for tag in schema["choices"]
    ]


def _schemas_at(model: Any, loc: Sequence[Any]) -> list[dict[str, Any]]:
    """Follow a pydantic location through a core schema; best effort, [] when lost."""
    try:
        if isinstance(model, TypeAdapter):
            root = model.core_schema
        elif isinstance(model, type) and issubclass(model, BaseModel):
            root = model.__pydantic_core_schema__
        else:
            return []
        refs = _refs(root)
        current = _unwrap([root], refs)
        for item in loc:
            current = _unwrap([c for s in current for c in _step(s, item)], refs)
        return current
    except (KeyError, TypeError, AttributeError):
        return []


def _refs(root: Any) -> dict[str, Any]:
    refs: dict[str, Any] = {}
    todo = [root]
    while todo:
        value = todo.pop()
        if isinstance(value, dict):
            if isinstance(value.get("ref"), str):
                refs[value["ref"]] = value
            todo.extend(v for k, v in value.items() if k != "metadata")
        elif isinstance(value, (list, tuple)):
            todo.extend(value)
    return refs


def _unwrap(schemas: list[Any], refs: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[int] = set()
    todo = list(schemas)
    while todo:
        schema = todo.pop()
        if not isinstance(schema, dict) or id(schema) in seen:
            continue
        seen.add(id(schema))
        kind = schema.get("type")
        if kind == "definition-ref":
            todo.append(refs.get(schema["schema_ref"]))
        elif kind == "json-or-python":
            todo.append(schema["python_schema"])
        elif kind == "lax-or-strict":
            todo.append(schema["lax_schema"])
        elif kind == "chain":
            todo.extend(schema["steps"])
        elif kind == "definitions" or (kind in _WRAPPERS and "schema" in schema):
            todo.append(schema["schema"])
        else:
            out.append(schema)
    return out


def _step(schema: dict[str, Any], item: Any) -> list[Any]:
    """The schemas one location item leads to from `schema`."""
    kind = schema.get("type")
    if kind in ("model-fields", "typed-dict"):
        for name, field in schema["fields"].items():
            if item in (name, field.get("validation_alias")):
                return [field["schema"]]
        return []
    if kind == "dataclass-args":
        return [
            f["schema"] for f in schema["fields"] if item in (f["name"], f.get("validation_alias"))
        ]
    if kind in ("list", "set", "frozenset", "generator") and isinstance(item, int):
        return [schema["items_schema"]] if "items_schema" in schema else []
    if kind == "tuple" and isinstance(item, int):
        items = schema.get("items_schema", [])
        variadic = schema.get("variadic_item_index")
        if variadic is not None and item >= variadic:
            item = variadic
        return [items[item]] if item < len(items) else []
    if kind == "dict":
        return [schema["values_schema"]] if "values_schema" in schema else []
    if kind == "tagged-union":
        return [c for tag, c in schema["choices"].items() if str(tag) == str(item)]
    if kind == "union":
        choices = [c[0] if isinstance(c, tuple) else c for c in schema["choices"]]
        labelled = [c[0] for c in schema["choices"] if isinstance(c, tuple) and c[1] == item]
        return labelled or choices  # an automatic label names one choice: keep them all
    return []

