"""Reading a stack file (stacks/Pulumi.<name>.yaml or any file of that shape) into a StackConfig.

Errors are `ConfigError`s with one line per problem, each naming the key path as a user writes it
(`aidc:demand.training[0].mfu`) and what is allowed. Nothing here prints or exits; the CLI does.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from aidc.clouds import module_of
from aidc.config.limits import stack_name_problem
from aidc.config.model import StackConfig
from aidc.config.suggest import did_you_mean
from aidc.contract import PUBLIC_CLOUDS
from aidc.documents import MAX_YAML_DEPTH, DocumentError, load_yaml
from aidc.types import FIELD_RULE, NAME_MAX, SLUG_PATTERN, looks_like_private_key, redact_key_material, shown

STACKS_DIR = Path(__file__).resolve().parents[2] / "stacks"
# aidc:<key> -> StackConfig field; the values are structured (objects/lists), as Pulumi stores them.
AIDC_KEYS = (
    "demand",
    "capacity",
    *PUBLIC_CLOUDS,
    "openstack",
    "vpn",
    "interconnect",
    "edge",
    "estate",
    "k3s",
    "ceph",
    "policy",
)


# The public clouds' Pulumi provider keys aidc reads (aws:region): key -> (cloud, settings field), and back.
PROVIDER_KEYS: dict[str, tuple[str, str]] = {
    key: (cloud, field)
    for cloud in PUBLIC_CLOUDS
    for key, field in module_of(cloud, "settings").PROVIDER_KEYS.items()
}
PROVIDER_FIELDS: dict[tuple[str, str], str] = {target: key for key, target in PROVIDER_KEYS.items()}
PROVIDER_PREFIXES = tuple(f"{cloud}:" for cloud in PUBLIC_CLOUDS)


def _from_provider(values: Mapping[str, Any], loc: tuple[Any, ...]) -> bool:
    """True when the faulty settings field came from its provider key (aws:region), not from aidc:<cloud>."""
    key = PROVIDER_FIELDS[(str(loc[0]), str(loc[1]))]
    own = values.get(f"aidc:{loc[0]}")
    return key in values and not (isinstance(own, Mapping) and loc[1] in own)


class ConfigError(ValueError):
    """Bad stack configuration; `problems` holds one 'key.path: message' per fault."""

    def __init__(self, problems: list[str], source: str = "") -> None:
        # Whatever a validator wrote, a private key pasted into any key never reaches stderr or a CI log.
        problems = [redact_key_material(problem) for problem in problems]
        self.problems = problems
        self.source = source
        where = f" in {source}" if source else ""
        if len(problems) == 1:  # one fault: one line
            super().__init__(f"invalid configuration{where}: {problems[0]}")
        else:
            super().__init__(f"invalid configuration{where}:\n" + "\n".join(f"  {p}" for p in problems))


def stack_file(stack: str, stacks_dir: Path = STACKS_DIR) -> Path:
    return stacks_dir / f"Pulumi.{stack}.yaml"


def _key_path(top: str, loc: tuple[Any, ...]) -> str:
    path = top
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in ("function-after", "function-before") or str(part).startswith(("function-", "literal[")):
            continue
        else:
            path += f".{part}"
    return path


_BOUNDS = {
    "greater_than": ("greater than", "gt"),
    "greater_than_equal": ("greater than or equal to", "ge"),
    "less_than": ("less than", "lt"),
    "less_than_equal": ("less than or equal to", "le"),
}


# Units named by a key's suffix (CONVENTIONS: `_tb`, `_gb`, `_gbps`, `_s`, `_days` ...), for "200TB" hints.
_UNITS = (
    ("_per_s", "per second"),
    ("_gbps", "Gbps"),
    ("_tb", "TB"),
    ("_gb", "GB"),
    ("_mb_per_s", "MB/s"),
    ("_days", "days"),
    ("_hours", "hours"),
    ("_minutes", "minutes"),
    ("_usd", "USD"),
    ("_s", "seconds"),
)
_NUMBER_WITH_UNIT = re.compile(
    r"\s*([-+]?(?:\d[\d_,]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([^\d\s].*)?", re.ASCII
)


def _number_hint(error: Mapping[str, Any]) -> str:
    """'must be a number of TB, e.g. 200, got '200TB'' for a number written with its unit or commas."""
    loc = [part for part in error.get("loc", ()) if isinstance(part, str)]
    key = loc[-1] if loc else ""
    unit = next((f" of {name}" for suffix, name in _UNITS if key.endswith(suffix)), "")
    given = error.get("input")
    whole = "a whole number" if error.get("type") == "int_parsing" else "a number"
    match = _NUMBER_WITH_UNIT.fullmatch(given) if isinstance(given, str) else None
    example = match.group(1).replace(",", "").replace("_", "") if match else "200"
    return f"must be {whole}{unit}, e.g. {example} (no unit or thousands separator), got {given!r}"


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    """The keys the config model allows where `loc` (a pydantic error location) ends."""
    model: Any = StackConfig
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part)
        model = _model_in(field.annotation) if field is not None else None
    return list(model.model_fields) if model is not None else []


def _model_in(annotation: Any) -> Any:
    """The pydantic model an annotation holds (itself, or inside Optional / tuple / list), or None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        if (found := _model_in(arg)) is not None:
            return found
    return None


def _message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    msg = str(error.get("msg", "invalid"))
    if kind == "extra_forbidden":
        loc = tuple(error.get("loc", ()))
        allowed = _fields_at(loc)
        hint = did_you_mean(loc[-1] if loc else "", allowed) if allowed else ""
        return (
            f"unknown key{hint or ';'} allowed here: {', '.join(allowed)}"
            if allowed
            else "unknown key (check the spelling against the configuration reference)"
        )
    if kind in ("float_parsing", "int_parsing", "float_type", "int_type") and isinstance(
        error.get("input"), str
    ):
        return _number_hint(error)
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"must be one of {expected}, got {shown(error.get('input'))}"
    if kind in ("tuple_type", "list_type"):
        return f"must be a list, got {type(error.get('input')).__name__}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"must be a mapping, got {type(error.get('input')).__name__}"
    if kind == "missing":
        return "required key is missing"
    if kind in _BOUNDS:
        words, key = _BOUNDS[kind]
        limit = error.get("ctx", {}).get(key)
        limit_shown = (
            f"{limit:g}" if isinstance(limit, int | float) and not isinstance(limit, bool) else limit
        )
        return f"input should be {words} {limit_shown}, got {shown(error.get('input'))}"
    if kind == "finite_number":
        return f"must be a finite number, got {shown(error.get('input'))}"
    if kind == "string_pattern_mismatch":
        if error.get("ctx", {}).get("pattern") == SLUG_PATTERN:
            return (
                f"{shown(error.get('input'))} is not a name: use 1-{NAME_MAX} lower-case letters, digits and '-', "
                "starting with a letter"
            )
        return f"{shown(error.get('input'))} does not match {error.get('ctx', {}).get('pattern')}"
    return msg.removeprefix("Value error, ")


def parse_stack_config(
    values: Mapping[str, Any], stack: str = "dev", source: str = "", today: datetime.date | None = None
) -> StackConfig:
    """Validate the `config:` mapping of a stack file (keys such as `aidc:demand`, `aws:region`). Rules about
    dates judge against `today` (default: aidc.config.limits.utc_today(), the UTC date or AIDC_TODAY)."""
    if not isinstance(values, Mapping):
        raise ConfigError(
            [f"config: must be a mapping of keys such as aidc:demand, got {type(values).__name__}"], source
        )
    problems: list[str] = []
    data: dict[str, Any] = {"stack": stack}
    provider_values: dict[str, Any] = {}
    for key, value in values.items():
        namespace, _, name = str(key).partition(":")
        if namespace == "aidc":
            if name not in AIDC_KEYS:
                hint = did_you_mean(name, AIDC_KEYS).replace("'", "'aidc:", 1)
                problems.append(
                    f"{key}: unknown key{hint or ';'} allowed: {', '.join('aidc:' + k for k in AIDC_KEYS)}"
                )
                continue
            if isinstance(value, str):
                # `pulumi config set --path` stores objects structurally, but a JSON string is accepted too.
                try:
                    value = json.loads(value, parse_constant=_no_constant)
                    _check_json_depth(value)
                except (ValueError, RecursionError):
                    problems.append(
                        f"{key}: must be an object (or a JSON object nested at most {MAX_YAML_DEPTH} deep), "
                        "got a string"
                    )
                    continue
            if value is None:
                continue
            data[name] = value
        elif str(key) in PROVIDER_KEYS:
            provider_values[str(key)] = value
    for key, value in provider_values.items():
        cloud, field = PROVIDER_KEYS[key]
        settings = data.setdefault(cloud, {})
        if not isinstance(settings, dict):
            continue  # the settings' own type error names the key
        given = settings.get(field)
        if given is not None and given != value:
            problems.append(
                f"aidc:{cloud}.{field} ({given!r}) and {key} ({value!r}) disagree; set one, or both the same"
            )
        settings[field] = value
    if problem := stack_name_problem(stack):
        problems.append(f"config: the stack name {problem}")
    problems += _private_keys(values)
    if problems:
        raise ConfigError(problems, source)
    try:
        context: dict[str, Any] = {
            "provider_keys": frozenset(provider_values),
            "configured_clouds": frozenset(cloud for cloud in PUBLIC_CLOUDS if f"aidc:{cloud}" in values),
        }
        if today:
            context["today"] = today
        return StackConfig.model_validate(data, context=context)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            if not loc and error.get("type") == "value_error":
                # A rule across keys: its message lines already start with their key paths.
                for line in _message(error).splitlines():
                    problems.append(
                        line if line.startswith(("aidc:", *PROVIDER_PREFIXES)) else f"aidc: {line}"
                    )
                continue
            if (
                len(loc) >= 2
                and (str(loc[0]), str(loc[1])) in PROVIDER_FIELDS
                and _from_provider(values, loc)
            ):
                top, rest = PROVIDER_FIELDS[(str(loc[0]), str(loc[1]))], loc[2:]
            elif loc and loc[0] in AIDC_KEYS:
                top, rest = f"aidc:{loc[0]}", loc[1:]
            else:
                top, rest = "aidc", loc
            message = _message(error)
            if (
                error.get("type") == FIELD_RULE
            ):  # a rule across fields, attributed to one (aidc.types.field_error)
                context = error.get("ctx", {})
                problems.append(f"{_key_path(top, rest)}.{context.get('field')}: {context.get('message')}")
                continue
            if not rest and top == "aidc" and message.startswith("aidc:"):
                problems.append(message)  # a cross-key check names its keys itself
                continue
            problems.append(f"{_key_path(top, rest)}: {message}")
        raise ConfigError(sorted(set(problems), key=problems.index), source) from None


PRIVATE_KEY_REFUSAL = (
    "this looks like a PRIVATE key (not shown here): a stack file holds no private key; for "
    "aidc:openstack.ssh_public_key give the public half, the one line of the .pub file (`ssh-keygen -y -f KEY` "
    "prints it), and treat the private key as leaked: it is in a file you were about to commit"
)


def _private_keys(values: Any, path: str = "") -> list[str]:
    """One problem per value anywhere in the config that holds a private key, named by its key path and never
    shown (whatever the key is: a secret pasted into the wrong place is still a secret)."""
    if isinstance(values, str):
        return [f"{path or 'config'}: {PRIVATE_KEY_REFUSAL}"] if looks_like_private_key(values) else []
    if isinstance(values, Mapping):
        found = []
        for key, value in values.items():
            key_text = str(key)
            where = (
                key_text
                if not path
                else f"{path}.{key_text}"
                if isinstance(key, str)
                else f"{path}[{key_text}]"
            )
            found += _private_keys(value, where)
        return found
    if isinstance(values, list | tuple):
        return [problem for i, item in enumerate(values) for problem in _private_keys(item, f"{path}[{i}]")]
    return []


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _check_json_depth(value: Any, depth: int = 1) -> None:
    if depth > MAX_YAML_DEPTH:
        raise ValueError("nested too deeply")
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for child in children:
        _check_json_depth(child, depth + 1)


def read_config_values(path: Path | str) -> dict[str, Any]:
    """The raw `config:` mapping of a stack-shaped file (what the Pulumi engine hands the program).

    Read with aidc/documents.py: bounded size, depth and alias expansion, UTF-8 text, no duplicate keys."""
    path = Path(path)
    try:
        document = load_yaml(path, "a stack file (YAML with a top-level `config:` mapping)")
    except DocumentError as exc:
        message = str(exc).removeprefix(f"{path}: ")
        if message.startswith(f"{path} "):
            message = "the file " + message.removeprefix(f"{path} ")
        raise ConfigError([message], str(path)) from None
    if document is None or document == {}:
        # An empty file (or only comments, or `{}`) used to be sized as every default: never what was meant.
        raise ConfigError(
            [
                "the file is empty: it has no `config:`; give the stack's settings under a top-level `config:` "
                "mapping, as a Pulumi stack file does (`config: {}` for every default)"
            ],
            str(path),
        )
    if isinstance(document, Mapping) and "config" in document and document["config"] is None:
        raise ConfigError(
            [
                "its `config:` is empty (null): give the stack's settings under it, or `config: {}` for every default"
            ],
            str(path),
        )
    if not isinstance(document, Mapping) or not isinstance(document.get("config", {}), Mapping):
        raise ConfigError(
            ["the file must hold a top-level `config:` mapping, as a Pulumi stack file does"], str(path)
        )
    if "config" not in document:
        keys = ", ".join(repr(str(key))[:40] for key in list(document)[:5])
        raise ConfigError(
            [
                f"the file has no `config:` (its top-level keys: {keys}); give the stack's settings under a top-level "
                "`config:` mapping, as a Pulumi stack file does (`config: {}` for every default)"
            ],
            str(path),
        )
    return dict(document.get("config") or {})


def stack_name_of(path: Path | str) -> str:
    return Path(path).name.removeprefix("Pulumi.").removesuffix(".yaml").removesuffix(".yml")


def load_config_file(path: Path | str, stack: str | None = None) -> StackConfig:
    """Read a file shaped like a Pulumi stack file (a top-level `config:` mapping); the stack is named after
    the file (Pulumi.<stack>.yaml) unless `stack` is given."""
    name = stack if stack is not None else stack_name_of(path)
    if problem := stack_name_problem(name):
        raise ConfigError(
            [f"--config: the file name gives the stack name {name!r}, and {problem.split(': ', 1)[-1]}"],
            str(path),
        )
    return parse_stack_config(read_config_values(path), stack=name, source=str(path))


def load_stack_config(stack: str, stacks_dir: Path = STACKS_DIR) -> StackConfig:
    if problem := stack_name_problem(stack):
        raise ConfigError([f"--stack: {problem}"])
    path = stack_file(stack, stacks_dir)
    if not path.exists():
        known = sorted(
            p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in stacks_dir.glob("Pulumi.*.yaml")
        )
        raise ConfigError([f"no stack {stack!r}: {path} does not exist; known stacks: {', '.join(known)}"])
    return load_config_file(path, stack)
