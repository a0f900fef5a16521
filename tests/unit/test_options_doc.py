#!/usr/bin/env python3
"""--help, the generated man page gifc.1 and README.md's "### Options" table list the same
options (all three come from, or must agree with, the library's option table).

usage: test_options_doc.py GIFC GIFC_1 README_MD
Fails naming every option one of them lacks.
SPDX-License-Identifier: GPL-3.0-or-later"""
import re
import subprocess
import sys


def from_help(gifc):
    text = subprocess.run([gifc, '--help'], check=True, capture_output=True).stdout.decode()
    names = set()
    serve = False  # `gifc serve`'s own options (its section) are another command's
    for line in text.splitlines():
        if line and not line.startswith(' '):
            serve = line.startswith('Web page')
        if serve:
            continue
        m = re.match(r'^\s+(?:-\w, )?--([a-z][a-z0-9-]*)', line)
        if m:
            names.add(m.group(1))
    return names


def from_man(path):
    text = open(path, encoding='utf-8').read()
    lines = text.splitlines()
    names = set()
    for k, line in enumerate(lines):
        if line == '.TP' and k + 1 < len(lines):
            m = re.findall(r'\\fB\\-\\-([a-z0-9\\-]+)\\fR', lines[k + 1])
            names.update(n.replace('\\-', '-') for n in m)
    return names


def from_readme(path):
    text = open(path, encoding='utf-8').read()
    start = text.index('\n### Options\n')
    end = text.index('\n### ', start + 1)
    names = set()
    for line in text[start:end].splitlines():
        if line.startswith('| `'):
            first = line.split(' | ')[0]
            names.update(re.findall(r'--([a-z][a-z0-9-]*)', first))
    return names


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sets = {'gifc --help': from_help(sys.argv[1]), 'gifc.1': from_man(sys.argv[2]),
            'README.md ### Options': from_readme(sys.argv[3])}
    every = set().union(*sets.values())
    bad = 0
    for where, names in sets.items():
        missing = sorted(every - names)
        if missing:
            print('%s lacks: %s' % (where, ', '.join('--' + n for n in missing)))
            bad = 1
    if len(every) < 40:
        print('only %d options found: the parsers above are broken' % len(every))
        bad = 1
    if not bad:
        print('%d options, the same in all three' % len(every))
    sys.exit(bad)


if __name__ == '__main__':
    main()
