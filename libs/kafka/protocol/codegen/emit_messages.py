"""Emits <stem>.h and <stem>.cc: one C++ struct per message with Encode, Decode and Size.

Per struct the generated functions walk the fields in schema order. A field is on the wire in
version v when v is in its versions and, for a tagged field, v is flexible; tagged fields go in
the struct's tagged-field section instead of the body. Strings, bytes, records and arrays use the
compact encoding in flexible versions unless the field is marked `classic`.
"""

from cpp_names import (FIXED, cpp_string_literal, cpp_type, default_init, elem_type,
                       is_optional, member, version_cond)


class StructContext:
    """Where a struct lives and the version facts its code depends on."""

    def __init__(self, struct, qualified, lo, hi, flexible, top_level=None):
        self.struct = struct
        self.qualified = qualified      # C++ name used in out-of-class definitions
        self.lo, self.hi = lo, hi
        self.flexible = flexible        # first flexible version or None
        self.top_level = top_level      # the Message when this is a message's own struct

    @property
    def display(self):
        return self.top_level.cpp_name if self.top_level else self.struct.name

    def label(self, field):
        return cpp_string_literal(f"{self.display}.{field.name}")


class Locals:
    """Fresh local variable names within one generated function."""

    def __init__(self):
        self.n = 0

    def __call__(self, stem):
        self.n += 1
        return f"{stem}{self.n}"


def _present_range(ctx, field):
    lo = ctx.lo
    if field.tag is not None:
        lo = max(lo, ctx.flexible)
    return field.versions.intersect(lo, ctx.hi)


def _presence_cond(ctx, field):
    lo = max(ctx.lo, ctx.flexible) if field.tag is not None else ctx.lo
    return version_cond(field.versions, lo, ctx.hi)


def _nullable_mode(ctx, field):
    """'never', 'always' or a C++ condition: is the field nullable in the running version?"""
    if field.nullable is None:
        return "never"
    a, b = _present_range(ctx, field)
    if field.nullable.intersect(a, b) is None:
        return "never"
    return version_cond(field.nullable, a, b) or "always"


def _compact(field, in_tag):
    if field.classic:
        return "false"
    return "true" if in_tag else "flexible"


def _indent(lines, n=1):
    return ["  " * n + line if line else line for line in lines]


# ---- Encode --------------------------------------------------------------------------------

def _encode_elem(t, expr, c):
    if t.base in FIXED:
        return [f"writer.Write{FIXED[t.base][0]}({expr});"]
    if t.base == "string":
        return [f"writer.WriteString({expr}, {c});"]
    if t.base == "bytes":
        return [f"writer.WriteBytes({expr}, {c});"]
    return [f"{expr}.Encode(writer, version);"]


def _encode_value(ctx, field, expr, c, mode):
    t = field.type
    opt = is_optional(field)
    if t.is_array:
        elems = f"(*{expr})" if opt else expr
        body = [f"writer.WriteArrayLength({expr}{'->' if opt else '.'}size(), {c});",
                f"for (const auto& e : {elems}) {{"]
        body += _indent(_encode_elem(t, "e", c))
        body += ["}"]
        if not opt:
            return body
        null_write = {"always": [f"writer.WriteNullArrayLength({c});"],
                      "never": [f"writer.WriteArrayLength(0, {c});"]}.get(
            mode, [f"if ({mode}) {{", f"  writer.WriteNullArrayLength({c});", "} else {",
                   f"  writer.WriteArrayLength(0, {c});", "}"])
        return ([f"if (!{expr}.has_value()) {{"] + _indent(null_write) + ["} else {"] +
                _indent(body) + ["}"])
    if t.base in ("string", "bytes", "records"):
        kind = "String" if t.base == "string" else "Bytes"
        empty = "std::string_view()" if t.base == "string" else "std::span<const uint8_t>()"
        view = "std::string_view" if t.base == "string" else "std::span<const uint8_t>"
        if not opt:
            return [f"writer.Write{kind}({expr}, {c});"]
        nullable = f"writer.WriteNullable{kind}({expr}, {c});"
        non_null = f"writer.Write{kind}({expr}.has_value() ? {view}(*{expr}) : {empty}, {c});"
        if mode == "always":
            return [nullable]
        if mode == "never":
            return [non_null]
        return [f"if ({mode}) {{", "  " + nullable, "} else {", "  " + non_null, "}"]
    return _encode_elem(t, expr, c)


# ---- Size ----------------------------------------------------------------------------------

def _size_elem(t, expr, c, acc):
    if t.base in FIXED:
        return [f"{acc} += {FIXED[t.base][1]};"]
    if t.base == "string":
        return [f"{acc} += wire_size::String({expr}, {c});"]
    if t.base == "bytes":
        return [f"{acc} += wire_size::ByteString({expr}, {c});"]
    return [f"{acc} += {expr}.Size(version);"]


def _size_value(ctx, field, expr, c, mode, acc):
    t = field.type
    opt = is_optional(field)
    if t.is_array:
        elems = f"(*{expr})" if opt else expr
        if t.base in FIXED:
            loop = [f"{acc} += {FIXED[t.base][1]} * {elems}.size();"]
        else:
            loop = [f"for (const auto& e : {elems}) {{"] + _indent(_size_elem(t, "e", c, acc)) + ["}"]
        body = [f"{acc} += wire_size::ArrayPrefix({expr}{'->' if opt else '.'}size(), {c});"] + loop
        if not opt:
            return body
        null_size = {"always": f"wire_size::NullPrefix({c}, 4)",
                     "never": f"wire_size::ArrayPrefix(0, {c})"}.get(
            mode, f"({mode}) ? wire_size::NullPrefix({c}, 4) : wire_size::ArrayPrefix(0, {c})")
        return ([f"if (!{expr}.has_value()) {{", f"  {acc} += {null_size};", "} else {"] +
                _indent(body) + ["}"])
    if t.base in ("string", "bytes", "records"):
        kind = "String" if t.base == "string" else "ByteString"
        empty = "std::string()" if t.base == "string" else "Bytes()"
        if not opt:
            return [f"{acc} += wire_size::{kind}({expr}, {c});"]
        nullable = f"wire_size::Nullable{kind}({expr}, {c})"
        non_null = (f"({expr}.has_value() ? wire_size::{kind}(*{expr}, {c}) : "
                    f"wire_size::{kind}({empty}, {c}))")
        if mode == "always":
            return [f"{acc} += {nullable};"]
        if mode == "never":
            return [f"{acc} += {non_null};"]
        return [f"{acc} += ({mode}) ? {nullable} : {non_null};"]
    return _size_elem(t, expr, c, acc)


# ---- Decode --------------------------------------------------------------------------------

def _decode_elem(t, target_stmt, c, reader, label, fresh):
    """Reads one value of t and hands it to target_stmt (a format string with {v})."""
    if t.is_struct:
        s = fresh("status")
        return [f"if (Status {s} = {target_stmt}.Decode({reader}, version); !{s}.ok()) "
                f"return WithField({label}, {s});"]
    method = {"string": f"ReadString({c})", "bytes": f"ReadBytes({c})"}.get(
        t.base, f"Read{FIXED.get(t.base, ('?',))[0]}()")
    v = fresh("v")
    return [f"auto {v} = {reader}.{method};",
            f"if (!{v}.ok()) return WithField({label}, {v}.status());",
            target_stmt.format(v=f"std::move(*{v})") + ";"]


def _decode_value(ctx, field, target, c, mode, reader, fresh, in_tag=False):
    t = field.type
    opt = is_optional(field)
    label = ctx.label(field)
    if t.is_array:
        n, out, i = fresh("count"), fresh("out"), fresh("i")
        if t.is_struct:
            elem = [f"if (Status s = {out}.emplace_back().Decode({reader}, version); !s.ok()) "
                    f"return WithField({label}, s);"]
        else:
            elem = _decode_elem(type(t)(t.base, False), f"{out}.push_back({{v}})", c, reader,
                                label, fresh)
        null_error = (f"return Status::Corruption(std::string({label}) + "
                      f"\": null for a non-nullable array\");")
        if not opt or mode == "never":
            on_null = [null_error]
        elif mode == "always":
            on_null = [f"{target} = std::nullopt;"]
        else:
            on_null = [f"if (!({mode})) {null_error}", f"{target} = std::nullopt;"]
        return ([f"auto {n} = {reader}.ReadArrayLength({c});",
                 f"if (!{n}.ok()) return WithField({label}, {n}.status());",
                 f"if (!{n}->has_value()) {{"] + _indent(on_null) + ["} else {",
                 f"  auto& {out} = {target}{'.emplace()' if opt else ''};",
                 f"  {out}.clear();",
                 f"  {out}.reserve(std::min<size_t>(**{n}, 1024));",
                 f"  for (size_t {i} = 0; {i} < **{n}; ++{i}) {{"] +
                _indent(elem, 2) + ["  }", "}"])
    if t.is_struct:
        return _decode_elem(t, target, c, reader, label, fresh)
    if t.base in ("string", "bytes", "records"):
        kind = "String" if t.base == "string" else "Bytes"
        v = fresh("v")
        assign = [f"if (!{v}.ok()) return WithField({label}, {v}.status());",
                  f"{target} = std::move(*{v});"]
        nullable = [f"auto {v} = {reader}.ReadNullable{kind}({c});"] + assign
        non_null = [f"auto {v} = {reader}.Read{kind}({c});"] + assign
        if not opt or mode == "never":
            return non_null
        if mode == "always":
            return nullable
        return ([f"if ({mode}) {{"] + _indent(nullable) + ["} else {"] + _indent(non_null) +
                ["}"])
    return _decode_elem(t, f"{target} = {{v}}", c, reader, label, fresh)


# ---- Struct emission -------------------------------------------------------------------------

def _wrap_cond(cond, lines):
    if cond is None:
        return lines
    if cond == "false":
        return []
    return [f"if ({cond}) {{"] + _indent(lines) + ["}"]


def _flexible_decl(ctx):
    value = "false" if ctx.flexible is None else (
        "true" if ctx.flexible <= ctx.lo else f"version >= {ctx.flexible}")
    return f"[[maybe_unused]] const bool flexible = {value};"


def _tagged(ctx):
    return sorted((f for f in ctx.struct.fields if f.tag is not None), key=lambda f: f.tag)


def _body_fields(ctx):
    return [f for f in ctx.struct.fields if f.tag is None]


def _is_default_expr(field, expr):
    return f"{expr} != {cpp_type(field)}{{{default_init(field)}}}"


def emit_encode(ctx):
    q = ctx.qualified
    lines = [f"void {q}::Encode([[maybe_unused]] Writer& writer, "
             f"[[maybe_unused]] int16_t version) const {{", "  " + _flexible_decl(ctx)]
    for f in _body_fields(ctx):
        mode = _nullable_mode(ctx, f)
        code = _encode_value(ctx, f, f"this->{member(f)}", _compact(f, False), mode)
        lines += _indent(_wrap_cond(_presence_cond(ctx, f), code))
    section = ["uint32_t tagged_count = static_cast<uint32_t>(unknown_tagged_fields.size());"]
    for f in _tagged(ctx):
        cond = _presence_cond(ctx, f)
        test = _is_default_expr(f, f"this->{member(f)}")
        section.append(f"const bool write_{member(f)} = {cond + ' && ' if cond else ''}{test};")
        section.append(f"if (write_{member(f)}) ++tagged_count;")
    section.append("writer.WriteUnsignedVarint(tagged_count);")
    section.append("size_t next_unknown = 0;")
    for f in _tagged(ctx):
        mode = _nullable_mode(ctx, f)
        c = _compact(f, True)
        sz = f"size_{member(f)}"
        code = [f"next_unknown = WriteUnknownTaggedFieldsBelow(writer, unknown_tagged_fields, "
                f"next_unknown, {f.tag});",
                f"size_t {sz} = 0;"]
        code += _size_value(ctx, f, f"this->{member(f)}", c, mode, sz)
        code += [f"writer.WriteTaggedFieldHeader({f.tag}, {sz});"]
        code += _encode_value(ctx, f, f"this->{member(f)}", c, mode)
        section += [f"if (write_{member(f)}) {{"] + _indent(code) + ["}"]
    section.append("WriteUnknownTaggedFieldsBelow(writer, unknown_tagged_fields, next_unknown, "
                   "UINT64_MAX);")
    lines += _indent(_wrap_cond("flexible" if ctx.flexible is not None else "false", section))
    return lines + ["}"]


def emit_size(ctx):
    q = ctx.qualified
    lines = [f"size_t {q}::Size([[maybe_unused]] int16_t version) const {{",
             "  " + _flexible_decl(ctx), "  size_t size = 0;"]
    for f in _body_fields(ctx):
        mode = _nullable_mode(ctx, f)
        code = _size_value(ctx, f, f"this->{member(f)}", _compact(f, False), mode, "size")
        lines += _indent(_wrap_cond(_presence_cond(ctx, f), code))
    section = ["uint32_t tagged_count = static_cast<uint32_t>(unknown_tagged_fields.size());",
               "for (const TaggedField& f : unknown_tagged_fields) "
               "size += wire_size::TaggedFieldEntry(f);"]
    for f in _tagged(ctx):
        cond = _presence_cond(ctx, f)
        test = _is_default_expr(f, f"this->{member(f)}")
        sz = f"size_{member(f)}"
        code = ["++tagged_count;", f"size_t {sz} = 0;"]
        code += _size_value(ctx, f, f"this->{member(f)}", _compact(f, True),
                            _nullable_mode(ctx, f), sz)
        code += [f"size += wire_size::TaggedFieldHeader({f.tag}, {sz}) + {sz};"]
        section += [f"if ({cond + ' && ' if cond else ''}{test}) {{"] + _indent(code) + ["}"]
    section.append("size += wire_size::UnsignedVarint(tagged_count);")
    lines += _indent(_wrap_cond("flexible" if ctx.flexible is not None else "false", section))
    return lines + ["  return size;", "}"]


def emit_decode(ctx):
    q = ctx.qualified
    fresh = Locals()
    lines = [f"Status {q}::Decode([[maybe_unused]] Reader& reader, "
             f"[[maybe_unused]] int16_t version) {{"]
    if ctx.top_level is not None:
        lines += ["  if (version < kMinVersion || version > kMaxVersion) {",
                  f"    return Status::InvalidArgument(std::string(kName) + \": version \" + "
                  f"std::to_string(version) + \" outside {ctx.lo}-{ctx.hi}\");",
                  "  }"]
    lines += [f"  *this = {q.split('::')[-1]}{{}};", "  " + _flexible_decl(ctx)]
    for f in _body_fields(ctx):
        mode = _nullable_mode(ctx, f)
        code = _decode_value(ctx, f, f"this->{member(f)}", _compact(f, False), mode, "reader",
                             fresh)
        lines += _indent(_wrap_cond(_presence_cond(ctx, f), ["{"] + _indent(code) + ["}"]))
    section = ["auto tagged_count = reader.ReadTaggedFieldCount();",
               "if (!tagged_count.ok()) return WithField("
               f"{cpp_string_literal(ctx.display + ' tagged fields')}, tagged_count.status());",
               "for (uint32_t i = 0; i < *tagged_count; ++i) {",
               "  auto field = reader.ReadTaggedField();",
               "  if (!field.ok()) return WithField("
               f"{cpp_string_literal(ctx.display + ' tagged fields')}, field.status());"]
    unknown = ["unknown_tagged_fields.push_back("
               "TaggedField{field->tag, Bytes(field->data.begin(), field->data.end())});"]
    tagged = _tagged(ctx)
    if tagged:
        section.append("  switch (field->tag) {")
        for f in tagged:
            label = ctx.label(f)
            code = ["Reader sub(field->data);"]
            code += _decode_value(ctx, f, f"this->{member(f)}", _compact(f, True),
                                  _nullable_mode(ctx, f), "sub", fresh, in_tag=True)
            code += ["if (!sub.empty()) {",
                     f"  return Status::Corruption(std::string({label}) + \": \" + "
                     "std::to_string(sub.remaining()) + \" bytes left over in the tagged field\");",
                     "}",
                     "continue;"]
            cond = _presence_cond(ctx, f)
            section.append(f"    case {f.tag}: {{")
            section += _indent(_wrap_cond(cond, code), 3)
            section.append("      break;" if cond else "    }")
            if cond:
                section.append("    }")
        section += ["    default:", "      break;", "  }"]
    section += _indent(unknown) + ["}"]
    lines += _indent(_wrap_cond("flexible" if ctx.flexible is not None else "false", section))
    return lines + ["  return Status::Ok();", "}"]


def emit_struct_decl(ctx, nested_decls, aliases=()):
    """The struct definition for the header; nested_decls are already-indented nested types."""
    s = ctx.struct
    name = ctx.top_level.cpp_name if ctx.top_level else s.name
    lines = [f"struct {name} {{"]
    m = ctx.top_level
    if m is not None:
        if m.key is not None:
            lines.append(f"  static constexpr int16_t kApiKey = {m.key};")
        lines += [f"  static constexpr int16_t kMinVersion = {m.versions.lo};",
                  f"  static constexpr int16_t kMaxVersion = {m.versions.hi};",
                  f"  // -1: no version is flexible.",
                  f"  static constexpr int16_t kFirstFlexibleVersion = "
                  f"{-1 if m.flexible is None else m.flexible};",
                  f"  static constexpr std::string_view kName = \"{name}\";", ""]
    for alias in aliases:
        lines.append(f"  using {alias};")
    if aliases:
        lines.append("")
    for decl in nested_decls:
        lines += decl + [""]
    for f in s.fields:
        notes = []
        if f.versions.lo > ctx.lo or (f.versions.hi is not None and f.versions.hi < ctx.hi):
            hi = "+" if f.versions.hi is None or f.versions.hi >= ctx.hi else f"-{f.versions.hi}"
            notes.append(f"v{f.versions.lo}{hi}")
        if f.tag is not None:
            notes.append(f"tag {f.tag}")
        if f.nullable is not None:
            nhi = "+" if f.nullable.hi is None else f"-{f.nullable.hi}"
            notes.append(f"nullable v{f.nullable.lo}{nhi}")
        if f.classic:
            notes.append("classic encoding")
        comment = f"  // {', '.join(notes)}" if notes else ""
        lines.append(f"  {cpp_type(f)} {member(f)}{{{default_init(f)}}};{comment}")
    lines += ["  // Tagged fields this code does not know, kept to be re-sent unchanged.",
              "  std::vector<TaggedField> unknown_tagged_fields;", "",
              "  void Encode(Writer& writer, int16_t version) const;",
              "  Status Decode(Reader& reader, int16_t version);",
              "  // Bytes Encode(writer, version) appends.",
              "  size_t Size(int16_t version) const;",
              f"  bool operator==(const {name}&) const = default;",
              "};"]
    return lines


def struct_order(structs):
    """Structs ordered so that each comes after the structs its fields contain."""
    order, seen = [], set()

    def visit(st, stack):
        if id(st) in seen:
            return
        if id(st) in stack:
            raise ValueError(f"struct {st.name} contains itself")
        stack.add(id(st))
        for f in st.fields:
            if f.struct is not None and not f.struct.common and f.struct.name in structs:
                visit(f.struct, stack)
        stack.discard(id(st))
        seen.add(id(st))
        order.append(st)

    for st in structs.values():
        visit(st, set())
    return order


def emit_file(schema):
    """Returns (header_text, source_text) for one schema file."""
    stem = schema.stem
    ns = stem
    header = [f"// Generated from libs/kafka/schemas/{stem}.schema by "
              "libs/kafka/protocol/codegen/generate.py. Do not edit.",
              "#pragma once", "",
              "#include <cstddef>", "#include <cstdint>", "#include <optional>",
              "#include <string>", "#include <string_view>", "#include <vector>", "",
              '#include "libs/base/status.h"',
              '#include "libs/kafka/protocol/reader.h"',
              '#include "libs/kafka/protocol/wire_types.h"',
              '#include "libs/kafka/protocol/writer.h"', "",
              "namespace sluice::kafka {", ""]
    source = [f"// Generated from libs/kafka/schemas/{stem}.schema. Do not edit.",
              f'#include "libs/kafka/messages/{stem}.h"', "",
              "#include <algorithm>", "#include <span>", "#include <utility>", "",
              '#include "libs/kafka/protocol/wire_size.h"', "",
              "namespace sluice::kafka {", ""]
    shared = getattr(schema, "shared_structs", {})
    aliases = []
    if shared:
        sc = schema.shared_context
        header += [f"// Structs shared by the messages of {stem}.schema.",
                   f"namespace {ns} {{", ""]
        for st in struct_order(shared):
            ctx = StructContext(st, f"{ns}::{st.name}", sc.lo, sc.hi, sc.flexible)
            header += emit_struct_decl(ctx, []) + [""]
            source += emit_encode(ctx) + [""] + emit_decode(ctx) + [""] + emit_size(ctx) + [""]
            aliases.append(f"{st.name} = {ns}::{st.name}")
        header += [f"}}  // namespace {ns}", ""]
    for msg in schema.messages:
        lo, hi = msg.versions.lo, msg.versions.hi
        nested = []
        for st in struct_order(msg.structs):
            ctx = StructContext(st, f"{msg.cpp_name}::{st.name}", lo, hi, msg.flexible)
            nested.append(_indent(emit_struct_decl(ctx, [])))
            source += emit_encode(ctx) + [""] + emit_decode(ctx) + [""] + emit_size(ctx) + [""]
        ctx = StructContext(msg.body, msg.cpp_name, lo, hi, msg.flexible, top_level=msg)
        header += emit_struct_decl(ctx, nested, aliases) + [""]
        source += emit_encode(ctx) + [""] + emit_decode(ctx) + [""] + emit_size(ctx) + [""]
    header += ["}  // namespace sluice::kafka", ""]
    source += ["}  // namespace sluice::kafka", ""]
    return "\n".join(header), "\n".join(source)
