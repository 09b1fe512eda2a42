#!/usr/bin/env python3
"""Lengths of the production functions in src/ (rustfmt layout, signature to closing brace,
`#[cfg(test)]` modules left out) and of the production part of each file: the measure of
docs/architecture.md. Prints p50, p90, the longest functions and the longest files; with
--check, exits 1 when p90 > 40, a function > 120 lines or a file > 800 production lines.
With --over N PATH..., lists the functions over N lines in those files or folders.
"""
import os
import re
import sys

FN = re.compile(r"^\s*(pub(\([a-z]+\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?fn\s+([a-z_0-9]+)")


def production_lines(text):
    """The lines of a file outside `#[cfg(test)]` items."""
    lines = text.split("\n")
    out, i = [], 0
    while i < len(lines):
        if lines[i].strip() == "#[cfg(test)]":
            # Skip the item that follows: up to its matching closing brace.
            depth, started = 0, False
            i += 1
            while i < len(lines):
                depth += lines[i].count("{") - lines[i].count("}")
                started = started or "{" in lines[i]
                i += 1
                if started and depth <= 0:
                    break
                if not started and lines[i - 1].rstrip().endswith(";"):
                    break
            continue
        out.append(lines[i])
        i += 1
    return out


def functions(lines):
    """(name, first line, length) of each fn with a body."""
    found = []
    for k, line in enumerate(lines):
        m = FN.match(line)
        if not m:
            continue
        depth, started = 0, False
        for j in range(k, len(lines)):
            text = re.sub(r'"(\\.|[^"\\])*"', '""', lines[j])
            text = re.sub(r"'(\\.|[^'\\])'", "''", text)
            if not started and text.rstrip().endswith(";") and "{" not in text:
                break  # a declaration without a body (trait)
            depth += text.count("{") - text.count("}")
            started = started or "{" in text
            if started and depth <= 0:
                found.append((m.group(6), k + 1, j - k + 1))
                break
    return found


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
    # --over N PATH...: list the functions longer than N lines in those files or folders.
    if "--over" in sys.argv:
        k = sys.argv.index("--over")
        limit, paths = int(sys.argv[k + 1]), sys.argv[k + 2 :]
        for path in paths:
            files = [path] if path.endswith(".rs") else [
                os.path.join(d, n) for d, _, ns in os.walk(path) for n in ns if n.endswith(".rs")
            ]
            for f in sorted(files):
                with open(f, encoding="utf-8") as h:
                    lines = production_lines(h.read())
                for name, start, length in functions(lines):
                    if length > limit:
                        print(f"{length:4} {name} ({f}:{start})")
                print(f"     {len(lines)} production lines: {f}")
        return
    fns, files = [], []
    for dirpath, _, names in os.walk(root):
        for name in sorted(names):
            if not name.endswith(".rs") or name == "fuzz.rs":
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, os.path.join(root, ".."))
            with open(path, encoding="utf-8") as f:
                lines = production_lines(f.read())
            files.append((len(lines), rel))
            fns.extend((n, length, f"{rel}:{start}") for n, start, length in functions(lines))
    lengths = sorted(length for _, length, _ in fns)
    p = lambda q: lengths[min(len(lengths) - 1, int(q * len(lengths)))]
    print(f"{len(lengths)} functions: p50 {p(0.5)}, p90 {p(0.9)}, longest {lengths[-1]}")
    for name, length, where in sorted(fns, key=lambda x: -x[1])[:12]:
        print(f"  {length:4} {name} ({where})")
    print("largest files (production lines):")
    for n, rel in sorted(files, reverse=True)[:8]:
        print(f"  {n:5} {rel}")
    if "--check" in sys.argv:
        bad = p(0.9) > 40 or lengths[-1] > 120 or max(files)[0] > 800
        sys.exit(1 if bad else 0)


main()
