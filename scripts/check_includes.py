#!/usr/bin/env python3
"""Fails on an include cycle between the folders of src/ (src/README.md draws the order).

Every quoted include in src/ must be src-rooted ("gif/lzw.h") or the public "gifc.h", so the
folder an include reaches into is in the line itself. An include of folder B from folder A is
an edge A -> B; any cycle in that graph is printed with the lines that make it, and the exit
status is 1. A file under src/cli/batch/ belongs to folder cli/batch.

    python3 scripts/check_includes.py [SRC_DIR]
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def folder_of(rel):
    return os.path.dirname(rel) or '.'


def scan(src):
    edges, problems = {}, []
    for root, _, names in os.walk(src):
        for name in sorted(names):
            if not name.endswith(('.c', '.h')):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, src)
            with open(path, encoding='utf-8') as f:
                text = f.read()
            for m in INCLUDE.finditer(text):
                inc = m.group(1)
                line = text.count('\n', 0, m.start()) + 1
                if inc == 'gifc.h':
                    continue
                if not os.path.exists(os.path.join(src, inc)):
                    problems.append('%s:%d: "%s" is not src-rooted' % (rel, line, inc))
                    continue
                a, b = folder_of(rel), folder_of(inc)
                if a != b:
                    edges.setdefault(a, {}).setdefault(b, []).append('%s:%d' % (rel, line))
    return edges, problems


def find_cycle(edges):
    """One cycle as a list of folders, or None (depth-first search, colours)."""
    state, stack = {}, []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(edges.get(n, {})):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if not state.get(m):
                c = visit(m)
                if c:
                    return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(edges):
        if not state.get(n):
            c = visit(n)
            if c:
                return c
    return None


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', 'src')
    edges, problems = scan(src)
    for p in problems:
        print(p)
    cycle = find_cycle(edges)
    if cycle:
        print('include cycle between folders: ' + ' -> '.join(cycle))
        for a, b in zip(cycle, cycle[1:]):
            print('  %s -> %s: %s' % (a, b, ', '.join(edges[a][b][:3])))
    if problems or cycle:
        return 1
    print('folders: %d, edges: %d, no cycle' % (len({*edges, *(b for e in edges.values() for b in e)}),
                                                 sum(len(e) for e in edges.values())))
    return 0


if __name__ == '__main__':
    sys.exit(main())
