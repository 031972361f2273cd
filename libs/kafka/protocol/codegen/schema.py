"""Parses *.schema files (format: libs/kafka/schemas/README.md) into a checked model.

Every error is a SchemaError carrying file:line, so a typo in a schema fails the build with a
message that points at it.
"""

import dataclasses
import re
from typing import Dict, List, Optional

PRIMITIVES = {
    "int8", "int16", "int32", "int64", "uint16", "uint32", "float64", "bool",
    "string", "bytes", "records", "uuid",
}
INTEGER_RANGES = {
    "int8": (-(2**7), 2**7 - 1),
    "int16": (-(2**15), 2**15 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "uint16": (0, 2**16 - 1),
    "uint32": (0, 2**32 - 1),
}
# Types whose value can be null on the wire.
NULLABLE_CAPABLE = {"string", "bytes", "records"}
# Kafka encodes `records` like nullable `bytes`; it is optional<Bytes> in every version.
MAX_VERSION = 0x7FFF


class SchemaError(Exception):
    def __init__(self, path, line, message):
        super().__init__(f"{path}:{line}: error: {message}")


@dataclasses.dataclass
class Versions:
    """An inclusive version range; hi=None means open-ended (vA+)."""
    lo: int
    hi: Optional[int]

    def contains(self, v):
        return v >= self.lo and (self.hi is None or v <= self.hi)

    def intersect(self, lo, hi):
        """This range clipped to [lo, hi], or None when they do not meet."""
        a = max(self.lo, lo)
        b = hi if self.hi is None else min(self.hi, hi)
        return (a, b) if a <= b else None


@dataclasses.dataclass
class TypeRef:
    base: str            # a primitive or a struct name
    is_array: bool

    @property
    def is_struct(self):
        return self.base not in PRIMITIVES

    def __str__(self):
        return ("[]" if self.is_array else "") + self.base


@dataclasses.dataclass
class Field:
    name: str
    line: int
    type: TypeRef
    versions: Versions
    nullable: Optional[Versions]   # None: never nullable
    tag: Optional[int]
    default: Optional[str]         # raw text from the schema
    classic: bool                  # always the classic (non-compact) encoding
    struct: Optional["Struct"] = None   # resolved struct for struct-typed fields


@dataclasses.dataclass
class Struct:
    name: str
    line: int
    fields: List[Field]
    common: bool = False           # declared at file level with `struct NAME`


@dataclasses.dataclass
class Message:
    kind: str                      # request | response | header
    name: str                      # as written: Fetch, RequestHeader
    line: int
    key: Optional[int]
    versions: Versions             # always closed (hi set)
    flexible: Optional[int]        # first flexible version, None when never flexible
    body: Struct
    structs: Dict[str, Struct]     # every struct nested in it, by name, in definition order

    @property
    def cpp_name(self):
        if self.kind == "request":
            return self.name + "Request"
        if self.kind == "response":
            return self.name + "Response"
        return self.name


@dataclasses.dataclass
class SchemaFile:
    path: str
    stem: str
    messages: List[Message]
    common_structs: Dict[str, Struct]


_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_VERSION_SPEC = re.compile(r"^v?(\d+)(\+|-(\d+))?$")
_TOKEN = re.compile(r'(?:default="(?:[^"\\]|\\.)*")|\S+')


def _strip_comment(text):
    """Drops a '#' comment, leaving '#' inside double quotes alone."""
    in_quotes = False
    escaped = False
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = in_quotes
        elif ch == '"':
            in_quotes = not in_quotes
        elif ch == "#" and not in_quotes:
            return text[:i]
    return text


def _parse_versions(spec, err, what):
    m = _VERSION_SPEC.match(spec)
    if not m:
        err(f"bad {what} '{spec}' (expected vA+, vA-B or vA)")
    lo = int(m.group(1))
    if m.group(2) == "+":
        hi = None
    elif m.group(3) is not None:
        hi = int(m.group(3))
    else:
        hi = lo
    if lo > MAX_VERSION or (hi is not None and (hi > MAX_VERSION or hi < lo)):
        err(f"bad {what} '{spec}'")
    return Versions(lo, hi)


def _parse_message_header(tokens, err, line):
    kind, name = tokens[0], tokens[1] if len(tokens) > 1 else ""
    if not _NAME.match(name):
        err(f"'{kind}' needs a CamelCase name")
    attrs = {}
    for tok in tokens[2:]:
        if "=" not in tok:
            err(f"unexpected '{tok}' (expected key=, versions=, flexible=)")
        k, v = tok.split("=", 1)
        if k not in ("key", "versions", "flexible") or k in attrs:
            err(f"unknown or repeated attribute '{k}'")
        attrs[k] = v
    if kind in ("request", "response"):
        if "key" not in attrs:
            err(f"{kind} {name} needs key=N")
        if not attrs["key"].isdigit() or int(attrs["key"]) > MAX_VERSION:
            err(f"bad key '{attrs['key']}'")
    elif "key" in attrs:
        err("a header message has no key")
    for required in ("versions", "flexible"):
        if required not in attrs:
            err(f"{kind} {name} needs {required}=")
    versions = _parse_versions(attrs["versions"], err, "versions")
    if versions.hi is None:
        err("message versions must be closed (A-B)")
    if attrs["flexible"] == "none":
        flexible = None
    else:
        m = re.match(r"^(\d+)\+$", attrs["flexible"])
        if not m:
            err(f"bad flexible '{attrs['flexible']}' (expected N+ or none)")
        flexible = int(m.group(1))
        if flexible > versions.hi:
            err(f"flexible={flexible}+ is past the last version {versions.hi}")
    key = int(attrs["key"]) if "key" in attrs else None
    return Message(kind, name, line, key, versions, flexible, Struct(name, line, []), {})


def _parse_field(text, err, line):
    m = re.match(r"^([A-Z][A-Za-z0-9]*):\s*(\S+)(.*)$", text)
    if not m:
        err(f"cannot parse field line '{text}' (expected 'Name: Type [options]')")
    name, type_text, rest = m.group(1), m.group(2), m.group(3)
    nullable_all = type_text.endswith("?")
    type_text = type_text.rstrip("?")
    is_array = type_text.startswith("[]")
    base = type_text[2:] if is_array else type_text
    if base not in PRIMITIVES and not _NAME.match(base):
        err(f"unknown type '{type_text}'")
    if is_array and base == "records":
        err("an array of records is not a Kafka type")
    versions, nullable, tag, default, classic = None, None, None, None, False
    for tok in _TOKEN.findall(rest):
        if tok == "classic":
            classic = True
        elif tok.startswith("nullable="):
            if nullable is not None:
                err("nullable= given twice")
            nullable = _parse_versions(tok[len("nullable="):], err, "nullable versions")
        elif tok.startswith("tag="):
            if not tok[4:].isdigit():
                err(f"bad tag '{tok}'")
            tag = int(tok[4:])
        elif tok.startswith("default="):
            default = tok[len("default="):]
        elif tok.startswith("v") and _VERSION_SPEC.match(tok):
            if versions is not None:
                err("versions given twice")
            versions = _parse_versions(tok, err, "versions")
        else:
            err(f"unknown field option '{tok}'")
    if nullable_all and nullable is not None:
        err("use either a trailing '?' or nullable=, not both")
    if (nullable_all or nullable is not None) and not (is_array or base in NULLABLE_CAPABLE):
        err(f"type '{type_text}' cannot be nullable")
    if classic and (is_array or base not in ("string", "bytes")):
        err("'classic' applies only to string and bytes fields")
    field = Field(name, line, TypeRef(base, is_array), versions, nullable, tag, default, classic)
    field.nullable_all = nullable_all  # resolved against versions later
    return field


def _check_default(field, err):
    d, t = field.default, field.type
    nullable = field.nullable is not None
    if d is None:
        return
    if d == "null":
        if not nullable:
            err(f"default=null needs a nullable field ({field.name})")
        return
    if t.is_array or t.is_struct or t.base in ("bytes", "records", "uuid"):
        err(f"{field.name}: only default=null may be given for type {t}")
    if t.base in INTEGER_RANGES:
        try:
            value = int(d, 0)
        except ValueError:
            err(f"{field.name}: default '{d}' is not an integer")
        lo, hi = INTEGER_RANGES[t.base]
        if not lo <= value <= hi:
            err(f"{field.name}: default {d} does not fit {t.base}")
    elif t.base == "bool":
        if d not in ("true", "false"):
            err(f"{field.name}: default '{d}' is not true/false")
    elif t.base == "float64":
        try:
            float(d)
        except ValueError:
            err(f"{field.name}: default '{d}' is not a number")
    elif t.base == "string":
        if not (len(d) >= 2 and d.startswith('"') and d.endswith('"')):
            err(f"{field.name}: a string default must be double-quoted")


def parse_file(path, stem, text):
    messages: List[Message] = []
    common: Dict[str, Struct] = {}
    # stack[i] = the struct receiving fields at indent 2*(i+1)
    stack: List[Struct] = []
    last_field: Optional[Field] = None
    last_depth = 0

    for lineno, raw in enumerate(text.splitlines(), start=1):
        def err(message, _line=lineno):
            raise SchemaError(path, _line, message)

        if "\t" in raw:
            err("tabs are not allowed; indent with two spaces")
        body = _strip_comment(raw).rstrip()
        if not body.strip():
            continue
        indent = len(body) - len(body.lstrip(" "))
        text_ = body.strip()
        if indent == 0:
            tokens = text_.split()
            if tokens[0] in ("request", "response", "header"):
                owner = _parse_message_header(tokens, err, lineno)
                if any(m.cpp_name == owner.cpp_name for m in messages):
                    err(f"{owner.cpp_name} is declared twice in this file")
                messages.append(owner)
                stack = [owner.body]
            elif tokens[0] == "struct":
                if len(tokens) != 2 or not _NAME.match(tokens[1]):
                    err("expected 'struct Name'")
                if tokens[1] in common:
                    err(f"struct {tokens[1]} is declared twice")

                st = Struct(tokens[1], lineno, [], common=True)
                common[st.name] = st
                stack = [st]
            else:
                err(f"expected request, response, header or struct, got '{tokens[0]}'")
            last_field, last_depth = None, 0
            continue
        if not stack:
            err("a field line before any message or struct")
        if indent % 2:
            err("indentation must be a multiple of two spaces")
        depth = indent // 2
        if depth > last_depth + 1 or (depth == last_depth + 1 and depth > 1 and last_field is None):
            err("indented deeper than the line above allows")
        if depth == last_depth + 1 and depth > 1:
            # The previous field gets children: it declares a struct.
            if not last_field.type.is_struct:
                err(f"{last_field.name} has type {last_field.type}; only a struct type has children")
            child = Struct(last_field.type.base, last_field.line, [])
            last_field.struct = child
            stack = stack[: depth - 1] + [child]
        else:
            stack = stack[:depth]
        field = _parse_field(text_, err, lineno)
        parent = stack[depth - 1]
        if any(f.name == field.name for f in parent.fields):
            err(f"field {field.name} is declared twice in {parent.name}")
        parent.fields.append(field)
        last_field, last_depth = field, depth

    if not messages and not common:
        raise SchemaError(path, 1, "no message in file")
    schema = SchemaFile(path, stem, messages, common)
    _resolve(schema)
    return schema


@dataclasses.dataclass
class Context:
    """What a struct's encoding depends on: its message's version range and flexibility."""
    lo: int
    hi: int
    flexible: Optional[int]
    owner: str          # for messages


def _resolve(schema: SchemaFile):
    """Links struct references, fills in versions, checks tags, nullability and defaults.

    Structs declared under a message belong to it (C++: nested in the message's struct). Common
    structs (`struct NAME` at column 0) and the structs declared under them form the file's
    shared group (C++: namespace sluice::kafka::<stem>); they take the version range of all the
    file's messages, which must then agree on their first flexible version.
    """
    path = schema.path
    schema.shared_structs = {}

    def collect_inline(st: Struct, into: Dict[str, Struct], forbidden: Dict[str, Struct]):
        for f in st.fields:
            if f.struct is None:
                continue
            name = f.struct.name
            if name in into or name in forbidden:
                raise SchemaError(path, f.line, f"struct name {name} is declared twice")
            into[name] = f.struct
            collect_inline(f.struct, into, forbidden)

    for st in schema.common_structs.values():
        schema.shared_structs[st.name] = st
    for st in list(schema.common_structs.values()):
        collect_inline(st, schema.shared_structs, {})
    for msg in schema.messages:
        collect_inline(msg.body, msg.structs, schema.shared_structs)

    if schema.messages:
        shared_ctx = Context(min(m.versions.lo for m in schema.messages),
                             max(m.versions.hi for m in schema.messages),
                             schema.messages[0].flexible, "shared")
        if schema.common_structs and len({m.flexible for m in schema.messages}) > 1:
            first = next(iter(schema.common_structs.values()))
            raise SchemaError(path, first.line, "common structs need every message in the file "
                              "to have the same flexible versions")
    else:
        shared_ctx = Context(0, MAX_VERSION, None, "shared")
    schema.shared_context = shared_ctx

    def check_struct(st: Struct, within: Versions, ctx: Context, local: Dict[str, Struct]):
        tags = {}
        for f in st.fields:
            def err(message, _f=f):
                raise SchemaError(path, _f.line, message)
            if f.versions is None:
                f.versions = Versions(within.lo, within.hi)
            present = f.versions.intersect(ctx.lo, ctx.hi)
            if present is None:
                err(f"{f.name}: versions outside {ctx.owner}'s {ctx.lo}-{ctx.hi}")
            if getattr(f, "nullable_all", False):
                f.nullable = Versions(f.versions.lo, f.versions.hi)
            f.nullable_all = False
            if f.nullable is not None and f.nullable.intersect(*present) is None:
                err(f"{f.name}: nullable versions outside the field's versions")
            if f.tag is not None:
                if ctx.flexible is None:
                    err(f"{f.name}: tagged field in a message with no flexible versions")
                if f.versions.intersect(max(ctx.lo, ctx.flexible), ctx.hi) is None:
                    err(f"{f.name}: tagged field has no flexible version")
                if f.tag in tags:
                    err(f"{f.name}: tag {f.tag} already used by {tags[f.tag]}")
                tags[f.tag] = f.name
            _check_default(f, err)
            if f.type.is_struct and f.struct is None:
                if f.type.base in local:
                    f.struct = local[f.type.base]
                elif f.type.base in schema.shared_structs:
                    f.struct = schema.shared_structs[f.type.base]
                else:
                    err(f"unknown struct '{f.type.base}' (give its fields indented below, or "
                        f"declare it with 'struct {f.type.base}')")
            elif f.struct is not None:
                check_struct(f.struct, f.versions, ctx, local)

    for st in schema.common_structs.values():
        check_struct(st, Versions(shared_ctx.lo, None), shared_ctx, schema.shared_structs)
    for msg in schema.messages:
        ctx = Context(msg.versions.lo, msg.versions.hi, msg.flexible, msg.cpp_name)
        check_struct(msg.body, msg.versions, ctx, msg.structs)
