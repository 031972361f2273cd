"""Emits test helpers: FillForTest(message, version, variant) for every generated message.

FillForTest sets every field on the wire in `version` to a value that differs from its default,
so that an encode/decode round trip exercises each field:
  variant 0: non-null values, two elements per array, an unknown tagged field per flexible struct;
  variant 1: null where the version allows it, otherwise empty strings/bytes, other numbers,
             one element per array.
Fields not on the wire in `version` keep their defaults, so decode(encode(m)) == m must hold.
"""

from cpp_names import PRIMITIVE_CPP, cpp_string_literal, member
from emit_messages import StructContext, _nullable_mode, _presence_cond, struct_order
from schema import INTEGER_RANGES

HEADER_NOTE = ("// Generated from libs/kafka/schemas/*.schema by "
               "libs/kafka/protocol/codegen/generate.py. Do not edit.")

_BASES = {"int8": 10, "int16": 1000, "int32": 100000, "int64": 10000000000,
          "uint16": 40000, "uint32": 3000000000}


def _numbers(base, index, default):
    """Two literals for an integer type, both different from the field's default."""
    d = int(default, 0) if default not in (None, "null") else 0
    lo, hi = INTEGER_RANGES[base]
    v0 = _BASES[base] + index
    v1 = -v0 if lo < 0 else 7 + index
    v0 = v0 + 1 if v0 == d else v0
    v1 = v1 - 1 if v1 == d else v1
    assert lo <= v0 <= hi and lo <= v1 <= hi
    return str(v0), str(v1)


def _scalar_values(base, index, default, name):
    """(variant-0, variant-1) C++ expressions for one non-null value of a primitive type."""
    if base in INTEGER_RANGES:
        a, b = _numbers(base, index, default)
        t = elem_type_of(base)
        return f"static_cast<{t}>({a})", f"static_cast<{t}>({b})"
    if base == "bool":
        v = "false" if default == "true" else "true"
        return v, v
    if base == "float64":
        return f"{1.5 + index}", f"{-2.25 - index}"
    if base == "uuid":
        a = ", ".join(str((index * 16 + k) % 256) for k in range(16))
        b = ", ".join(str(255 - k) for k in range(16))
        return f"Uuid{{{{{a}}}}}", f"Uuid{{{{{b}}}}}"
    if base == "string":
        return f"std::string({cpp_string_literal(name)})", "std::string(\"x\")"
    if base in ("bytes", "records"):
        return f"Bytes{{1, 2, {index % 256}}}", "Bytes{9}"
    raise AssertionError(base)


def elem_type_of(base):
    return PRIMITIVE_CPP[base]


def _fill_field(ctx, field, index):
    t = field.type
    target = f"m.{member(field)}"
    mode = _nullable_mode(ctx, field)
    null_cond = {"always": "true", "never": "false"}.get(mode, f"({mode})")
    if t.is_array:
        optional = field.nullable is not None
        if t.is_struct:
            first = second = ["Fill(a.emplace_back(), version, variant);"]
        else:
            v0, v1 = _scalar_values(t.base, index, None, field.name)
            first, second = [f"a.push_back({v0});"], [f"a.push_back({v1});"]
        fill = ([f"auto& a = {target}.emplace();" if optional else f"auto& a = {target};",
                 "a.clear();"] + first + ["if (variant == 0) {"] + ["  " + x for x in second] +
                ["}"])
        if optional:
            return ([f"if (variant == 1 && {null_cond}) {{", f"  {target} = std::nullopt;",
                     "} else {"] + ["  " + x for x in fill] + ["}"])
        return ["{"] + ["  " + x for x in fill] + ["}"]
    if t.is_struct:
        return [f"Fill({target}, version, variant);"]
    v0, v1 = _scalar_values(t.base, index, field.default, field.name)
    if t.base in ("string", "bytes", "records"):
        empty = "std::string()" if t.base == "string" else "Bytes()"
        nullable = field.nullable is not None or t.base == "records"
        if nullable:
            return [f"if (variant == 0) {{", f"  {target} = {v0};",
                    f"}} else if ({null_cond}) {{", f"  {target} = std::nullopt;",
                    "} else {", f"  {target} = {empty};", "}"]
        return [f"{target} = variant == 0 ? {v0} : {empty};"]
    return [f"{target} = variant == 0 ? {v0} : {v1};"]


def _fill_struct(ctx, type_name):
    s = ctx.struct
    flexible = ("false" if ctx.flexible is None else
                "true" if ctx.flexible <= ctx.lo else f"version >= {ctx.flexible}")
    lines = [f"void Fill({type_name}& m, [[maybe_unused]] int16_t version, "
             "[[maybe_unused]] int variant) {",
             f"  [[maybe_unused]] const bool flexible = {flexible};"]
    for index, f in enumerate(s.fields, start=1):
        cond = _presence_cond(ctx, f)
        if f.tag is not None:
            cond = "flexible" + (f" && {cond}" if cond else "")
        body = _fill_field(ctx, f, index)
        if cond:
            lines += [f"  if ({cond}) {{"] + ["    " + x for x in body] + ["  }"]
        else:
            lines += ["  " + x for x in body]
    tags = [f.tag for f in s.fields if f.tag is not None]
    unknown_tag = (max(tags) + 5) if tags else 90
    lines += ["  if (flexible && variant == 0) {",
              f"    m.unknown_tagged_fields.push_back(TaggedField{{{unknown_tag}, Bytes{{0xab, 0xcd}}}});",
              "  }", "}", ""]
    return lines


def emit_fill_header(schemas):
    h = [HEADER_NOTE,
         "//",
         "// Test-only: FillForTest for every generated message (see codegen/emit_fill.py).",
         "#pragma once", "", "#include <cstdint>", ""]
    for schema in schemas:
        h.append(f'#include "libs/kafka/messages/{schema.stem}.h"')
    h += ["", "namespace sluice::kafka::testing {", "",
          "// variant 0: every field non-default and non-null; variant 1: nulls and empties.",
          ""]
    for schema in schemas:
        for m in schema.messages:
            h.append(f"void FillForTest({m.cpp_name}& m, int16_t version, int variant);")
    h += ["", "}  // namespace sluice::kafka::testing", ""]
    return "\n".join(h)


def emit_fill_source(schema):
    cc = [HEADER_NOTE,
          '#include "libs/kafka/messages/testing/fill_for_test.h"', "",
          "#include <optional>", "#include <string>", "",
          "namespace sluice::kafka::testing {", "namespace {", ""]
    shared = getattr(schema, "shared_structs", {})
    if shared:
        sc = schema.shared_context
        for st in struct_order(shared):
            ctx = StructContext(st, f"{schema.stem}::{st.name}", sc.lo, sc.hi, sc.flexible)
            cc += _fill_struct(ctx, ctx.qualified)
    for msg in schema.messages:
        lo, hi = msg.versions.lo, msg.versions.hi
        for st in struct_order(msg.structs):
            ctx = StructContext(st, f"{msg.cpp_name}::{st.name}", lo, hi, msg.flexible)
            cc += _fill_struct(ctx, ctx.qualified)
        ctx = StructContext(msg.body, msg.cpp_name, lo, hi, msg.flexible, top_level=msg)
        cc += _fill_struct(ctx, msg.cpp_name)
    cc += ["}  // namespace", ""]
    for msg in schema.messages:
        cc += [f"void FillForTest({msg.cpp_name}& m, int16_t version, int variant) {{",
               "  m = {};", "  Fill(m, version, variant);", "}", ""]
    cc += ["}  // namespace sluice::kafka::testing", ""]
    return "\n".join(cc)
