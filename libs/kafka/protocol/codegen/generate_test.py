#!/usr/bin/env python3
"""Schema errors fail generation with file:line and a message; valid edge cases generate."""

import os
import subprocess
import sys
import tempfile
import unittest

GENERATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "generate.py")
HEAD = "request Foo key=1 versions=0-2 flexible=2+\n"


def run(schema_text):
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "x.schema"), "w") as f:
            f.write(schema_text)
        p = subprocess.run([sys.executable, GENERATE, "--schemas", d, "--out",
                            os.path.join(d, "out")], capture_output=True, text=True)
        header = None
        if p.returncode == 0:
            with open(os.path.join(d, "out", "x.h")) as f:
                header = f.read()
        return p.returncode, p.stderr, header


class SchemaErrorTest(unittest.TestCase):
    def assertFails(self, text, line, fragment):
        rc, err, _ = run(text)
        self.assertEqual(rc, 1, err)
        self.assertIn(f"x.schema:{line}: error:", err)
        self.assertIn(fragment, err)

    def test_unknown_type(self):
        self.assertFails(HEAD + "  A: int33\n", 2, "unknown type 'int33'")

    def test_versions_outside_message(self):
        self.assertFails(HEAD + "  A: int32 v5+\n", 2, "versions outside")

    def test_tag_without_flexible_versions(self):
        self.assertFails("request Foo key=1 versions=0-2 flexible=none\n  A: int32 tag=0\n", 2,
                         "no flexible versions")

    def test_duplicate_tag(self):
        self.assertFails(HEAD + "  A: int32 tag=0\n  B: int32 tag=0\n", 3, "tag 0 already used")

    def test_null_default_on_non_nullable(self):
        self.assertFails(HEAD + "  A: string default=null\n", 2, "default=null")

    def test_default_out_of_range(self):
        self.assertFails(HEAD + "  A: int8 default=300\n", 2, "does not fit int8")

    def test_bad_indentation(self):
        self.assertFails(HEAD + "  A: int32\n   B: int32\n", 3, "multiple of two")
        self.assertFails(HEAD + "  A: int32\n      B: int32\n", 3, "deeper")

    def test_children_on_primitive(self):
        self.assertFails(HEAD + "  A: int32\n    B: int32\n", 3, "only a struct type")

    def test_unknown_struct_reference(self):
        self.assertFails(HEAD + "  A: []Bar\n", 2, "unknown struct 'Bar'")

    def test_missing_key(self):
        self.assertFails("request Foo versions=0-2 flexible=2+\n", 1, "needs key=N")

    def test_duplicate_field(self):
        self.assertFails(HEAD + "  A: int32\n  A: int32\n", 3, "declared twice")

    def test_unknown_option(self):
        self.assertFails(HEAD + "  A: int32 wat\n", 2, "unknown field option 'wat'")

    def test_nullable_int(self):
        self.assertFails(HEAD + "  A: int32?\n", 2, "cannot be nullable")

    def test_response_disagreeing_with_request(self):
        self.assertFails(HEAD + "response Foo key=1 versions=0-3 flexible=2+\n", 2,
                         "does not match")

    def test_classic_on_int(self):
        self.assertFails(HEAD + "  A: int32 classic\n", 2, "'classic' applies only")


class SchemaAcceptedTest(unittest.TestCase):
    def test_quoted_default_keeps_hash_and_comment_is_dropped(self):
        rc, err, header = run(HEAD + '  A: string default="x#y" # comment\n')
        self.assertEqual(rc, 0, err)
        self.assertIn('std::string a{std::string("x#y")};', header)

    def test_keyword_member_gets_underscore(self):
        rc, err, header = run(HEAD + "  Default: bool\n")
        self.assertEqual(rc, 0, err)
        self.assertIn("bool default_{};", header)

    def test_shared_struct(self):
        rc, err, header = run("struct Pair\n  K: int32\n  V: string\n" + HEAD +
                              "  Pairs: []Pair\n")
        self.assertEqual(rc, 0, err)
        self.assertIn("namespace x {", header)
        self.assertIn("using Pair = x::Pair;", header)


if __name__ == "__main__":
    unittest.main()
