"""C++ spellings shared by the emitters: member names, types, version conditions, literals."""

import re

from schema import INTEGER_RANGES

CPP_KEYWORDS = {
    "alignas", "alignof", "and", "asm", "auto", "bool", "break", "case", "catch", "char",
    "class", "concept", "const", "consteval", "constexpr", "constinit", "continue", "default",
    "delete", "do", "double", "else", "enum", "explicit", "export", "extern", "false", "float",
    "for", "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new",
    "noexcept", "not", "nullptr", "operator", "or", "private", "protected", "public",
    "register", "requires", "return", "short", "signed", "sizeof", "static", "struct",
    "switch", "template", "this", "throw", "true", "try", "typedef", "typeid", "typename",
    "union", "unsigned", "using", "virtual", "void", "volatile", "while", "xor",
}

PRIMITIVE_CPP = {
    "int8": "int8_t", "int16": "int16_t", "int32": "int32_t", "int64": "int64_t",
    "uint16": "uint16_t", "uint32": "uint32_t", "float64": "double", "bool": "bool",
    "string": "std::string", "bytes": "Bytes", "records": "Bytes", "uuid": "Uuid",
}
# Reader/Writer method suffix and encoded size of the fixed-width types.
FIXED = {
    "int8": ("Int8", 1), "int16": ("Int16", 2), "int32": ("Int32", 4), "int64": ("Int64", 8),
    "uint16": ("Uint16", 2), "uint32": ("Uint32", 4), "float64": ("Float64", 8),
    "bool": ("Bool", 1), "uuid": ("Uuid", 16),
}


def snake(name):
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    return s.lower()


def member(field):
    s = snake(field.name)
    return s + "_" if s in CPP_KEYWORDS else s


def is_optional(field):
    """The C++ member is std::optional<...>: nullable in some version, or records."""
    return field.nullable is not None or (field.type.base == "records" and not field.type.is_array)


def elem_type(t):
    return PRIMITIVE_CPP.get(t.base, t.base)


def cpp_type(field):
    t = field.type
    inner = f"std::vector<{elem_type(t)}>" if t.is_array else elem_type(t)
    return f"std::optional<{inner}>" if is_optional(field) else inner


def cpp_string_literal(text):
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif 32 <= ord(ch) < 127:
            out.append(ch)
        else:
            out.append("\\x%02x" % ord(ch))
    return '"' + "".join(out) + '"'


def _integer_literal(base, value):
    lo, _ = INTEGER_RANGES[base]
    if value == lo and base == "int64":
        return "INT64_MIN"
    if value == lo and base == "int32":
        return "INT32_MIN"
    return str(value)


def default_init(field):
    """The initializer inside braces for the member's default value ('' = value-initialized)."""
    d, t = field.default, field.type
    if d is None:
        # Kafka's rule: no default means 0 / false / "" / empty, even for a nullable field;
        # records alone default to null.
        if is_optional(field) and t.base != "records":
            return f"std::vector<{elem_type(t)}>()" if t.is_array else f"{elem_type(t)}()"
        return ""
    if d == "null":
        return "std::nullopt"
    if t.base in INTEGER_RANGES:
        return _integer_literal(t.base, int(d, 0))
    if t.base == "bool":
        return d
    if t.base == "float64":
        return repr(float(d))
    if t.base == "string":
        # The schema literal uses the same escapes as C++ for \" and \\.
        text = d[1:-1].encode().decode("unicode_escape")
        return f"std::string({cpp_string_literal(text)})"
    raise AssertionError(f"unhandled default for {field.name}")


def version_cond(versions, lo, hi):
    """A C++ condition on `version` true exactly for `versions` within [lo, hi]; None when it
    holds for the whole range."""
    a, b = versions.intersect(lo, hi)
    parts = []
    if a > lo:
        parts.append(f"version >= {a}")
    if b < hi:
        parts.append(f"version <= {b}")
    return " && ".join(parts) or None
