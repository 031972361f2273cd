"""A reader for the Prometheus text exposition format (version 0.0.4), enough for assertions on
/metrics: `name{label="value",...} number` lines; # HELP / # TYPE lines and blank lines skipped."""

import re

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


class Samples:
    def __init__(self, text):
        self.samples = []  # (name, {label: value}, float)
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            match = _SAMPLE.match(line)
            if not match:
                raise AssertionError(f"not a Prometheus sample line: {line!r}")
            name, labels, value = match.groups()
            parsed = {k: bytes(v, "utf-8").decode("unicode_escape") for k, v in _LABEL.findall(labels or "")}
            self.samples.append((name, parsed, float(value)))

    def find(self, name, **labels):
        """Every (labels, value) of `name` whose labels include the given ones."""
        return [(l, v) for n, l, v in self.samples
                if n == name and all(l.get(k) == want for k, want in labels.items())]

    def value(self, name, **labels):
        """The one sample of `name` with exactly these labels (others may not be present)."""
        found = [(l, v) for l, v in self.find(name, **labels) if set(l) == set(labels)]
        if len(found) != 1:
            raise AssertionError(f"expected one sample {name}{labels}, found {found} "
                                 f"(names present: {sorted({n for n, _, _ in self.samples})})")
        return found[0][1]

    def names(self):
        return sorted({n for n, _, _ in self.samples})
