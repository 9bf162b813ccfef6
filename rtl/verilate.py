#!/usr/bin/env python3
"""Runs Verilator for one array size and builds the generated model into a static archive.

Meson 1.0 has no Verilator module, so rtl/meson.build calls this from a custom_target whose
outputs are the model's header and archive (used through link_with). The Verilator runtime
itself is compiled once by Meson, not here.

Verilator's options come from rtl/meson.build (--varg, rtl_vl_args: assertions on, no
tracing unless the traced variant, --x-assign fast, --x-initial unique); the model code is
compiled with OPT_FAST=--opt (Verilator's makefile would otherwise use -Os).

usage: verilate.py --verilator V --make MAKE --cxx=CXX --rows R --cols C --max-m M
                   --opt=-O2 --mdir DIR --header OUT.h --lib OUT.a
                   [--varg=OPT ...] [--vlt FILE] [--incdir DIR ...] SOURCES...
       verilate.py --top MODULE ... (a test model of another top: no -G parameters)
"""
import argparse
import os
import shutil
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--verilator', required=True)
    ap.add_argument('--make', required=True)
    ap.add_argument('--cxx', required=True)
    ap.add_argument('--top', default='sa_top')
    ap.add_argument('--rows', type=int)
    ap.add_argument('--cols', type=int)
    ap.add_argument('--max-m', type=int)
    ap.add_argument('--opt', required=True)
    ap.add_argument('--mdir', required=True)
    ap.add_argument('--header', required=True)
    ap.add_argument('--lib', required=True)
    ap.add_argument('--varg', action='append', default=[],
                    help="a Verilator option (--varg=-Wall), in order")
    ap.add_argument('--vlt')
    ap.add_argument('--incdir', action='append', default=[],
                    help='a directory of `include files (sa_assert.svh)')
    ap.add_argument('sources', nargs='+')
    a = ap.parse_args()

    prefix = os.path.splitext(os.path.basename(a.header))[0]
    if os.path.isdir(a.mdir):
        shutil.rmtree(a.mdir)
    cmd = [a.verilator] + a.varg + ['--top-module', a.top, '--prefix', prefix, '--Mdir', a.mdir]
    if a.top == 'sa_top':
        if a.rows is None or a.cols is None or a.max_m is None:
            ap.error('sa_top needs --rows, --cols and --max-m')
        cmd += [f'-GRows={a.rows}', f'-GCols={a.cols}', f'-GMaxM={a.max_m}']
    what = f'{a.rows}x{a.cols}' if a.top == 'sa_top' else a.top
    cmd += ['-I' + d for d in a.incdir]
    if a.vlt:
        cmd.append(a.vlt)
    cmd += a.sources
    r = subprocess.run(cmd)
    if r.returncode:
        print(f'verilate.py: verilator failed for {what}', file=sys.stderr)
        return 1
    # Model code only (default target VPREFIX__ALL.a); warnings off: generated code is not
    # held to the project's -Werror.
    cxx = a.cxx
    r = subprocess.run([a.make, '-s', '-C', a.mdir, '-f', prefix + '.mk', '-j1',
                        f'CXX={cxx}', f'OPT_FAST={a.opt}', 'OPT_SLOW=-O0', 'OPT_GLOBAL=-O1',
                        'USER_CPPFLAGS=-w', prefix + '__ALL.a'],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode:
        sys.stderr.write(r.stdout)
        print(f'verilate.py: compiling the {what} model failed', file=sys.stderr)
        return 1
    shutil.copyfile(os.path.join(a.mdir, prefix + '__ALL.a'), a.lib)
    shutil.copyfile(os.path.join(a.mdir, prefix + '.h'), a.header)
    return 0


if __name__ == '__main__':
    sys.exit(main())
