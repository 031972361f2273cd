#!/usr/bin/env python3
"""Generates the C++ Kafka message code from libs/kafka/schemas/*.schema (python3, stdlib only).

Usage: generate.py --schemas DIR --out DIR
Writes into DIR (the build tree's generated/libs/kafka/messages):
  <stem>.h, <stem>.cc            one per schema file: its messages' structs and codecs
  api_table.h, api_table.cc      every request's version facts and header versions
  dispatch.h                     api key -> generated type
  all_messages.h                 SLUICE_KAFKA_FOR_EACH_MESSAGE(X)
  testing/fill_for_test.h, testing/<stem>_fill.cc   test-only value builders
A file is rewritten only when its content changes, so an edit to one schema recompiles little.
On a schema error prints "file:line: error: message" and exits 1.
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from emit_fill import emit_fill_header, emit_fill_source  # noqa: E402
from emit_messages import emit_file  # noqa: E402
from emit_tables import emit_all_messages, emit_api_table, emit_dispatch  # noqa: E402
from schema import SchemaError, parse_file  # noqa: E402

RESERVED_STEMS = {"api_table", "dispatch", "all_messages"}


def load_schemas(schemas_dir):
    schemas = []
    seen = {}
    for name in sorted(os.listdir(schemas_dir)):
        if not name.endswith(".schema"):
            continue
        path = os.path.join(schemas_dir, name)
        stem = name[: -len(".schema")]
        if not re.match(r"^[a-z][a-z0-9_]*$", stem) or stem in RESERVED_STEMS:
            raise SchemaError(path, 1, f"file name must be snake_case and not one of "
                              f"{sorted(RESERVED_STEMS)}")
        with open(path, encoding="utf-8") as f:
            schema = parse_file(path, stem, f.read())
        for m in schema.messages:
            if m.cpp_name in seen:
                raise SchemaError(path, m.line, f"{m.cpp_name} is also declared in {seen[m.cpp_name]}")
            seen[m.cpp_name] = path
        schemas.append(schema)
    return schemas


def write_if_changed(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schemas", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    try:
        schemas = load_schemas(args.schemas)
        outputs = {}
        for schema in schemas:
            header, source = emit_file(schema)
            outputs[f"{schema.stem}.h"] = header
            outputs[f"{schema.stem}.cc"] = source
            outputs[f"testing/{schema.stem}_fill.cc"] = emit_fill_source(schema)
        outputs["api_table.h"], outputs["api_table.cc"] = emit_api_table(schemas)
        outputs["dispatch.h"] = emit_dispatch(schemas)
        outputs["all_messages.h"] = emit_all_messages(schemas)
        outputs["testing/fill_for_test.h"] = emit_fill_header(schemas)
    except SchemaError as e:
        print(e, file=sys.stderr)
        return 1
    for rel, text in outputs.items():
        write_if_changed(os.path.join(args.out, rel), text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
