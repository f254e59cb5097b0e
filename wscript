#!/usr/bin/env python3
# Build description for waf 2.0 (tools/waf runs the waf that
# tools/bootstrap.sh took from Debian's samba source package).
#
#   tools/waf configure          default, ASan+UBSan and libFuzzer setups
#   tools/waf build              the default build (build/default)
#   tools/waf build_asan         everything under ASan+UBSan (build/asan)
#   tools/waf build_fuzz         the libFuzzer targets, clang (build/fuzz)
#   tools/waf install            installs bpau (--prefix, --destdir)

import os

from waflib import Logs
from waflib.Build import BuildContext, CleanContext, InstallContext

APPNAME = 'bpau'
VERSION = '0.1.0'
top = '.'
out = 'build'

WARNINGS = ['-Wall', '-Wextra', '-Werror', '-Wshadow', '-Wpointer-arith',
            '-Wstrict-prototypes', '-Wmissing-prototypes', '-Wformat=2',
            '-Wno-unused-parameter']
SANITIZE = ['-fsanitize=address,undefined', '-fno-sanitize-recover=all',
            '-fno-omit-frame-pointer']

VARIANTS = ('asan', 'fuzz')
for _v in VARIANTS:
    for _cls in (BuildContext, CleanContext, InstallContext):
        _name = _cls.__name__.replace('Context', '').lower()

        class _Variant(_cls):
            cmd = _name + '_' + _v
            variant = _v


def options(opt):
    opt.load('compiler_c')


def check_deps(conf):
    for pkg, store in (('talloc', 'TALLOC'), ('tevent', 'TEVENT'),
                       ('tdb', 'TDB'), ('samba-util', 'SAMBA_UTIL'),
                       ('libcrypto', 'CRYPTO'), ('cmocka', 'CMOCKA')):
        conf.check_cfg(package=pkg, uselib_store=store,
                       args=['--cflags', '--libs'])
    # NTSTATUS strings live in the public libsamba-errors.
    conf.check_cc(lib='samba-errors', uselib_store='SAMBA_ERRORS',
                  msg='Checking for libsamba-errors')
    conf.env.append_value('CFLAGS', ['-std=gnu11', '-g', '-fPIC',
                                     '-D_GNU_SOURCE'] + WARNINGS)
    conf.env.append_value('DEFINES', ['BPAU_SRCDIR="%s"' % conf.path.abspath()])
    conf.env.append_value('INCLUDES', [conf.path.abspath()])


def configure(conf):
    conf.load('compiler_c')
    check_deps(conf)
    conf.env.append_value('CFLAGS', ['-O2'])
    base = conf.env

    conf.setenv('asan', env=base.derive())
    conf.env.detach()
    conf.env.append_value('CFLAGS', ['-O1'] + SANITIZE)
    conf.env.append_value('LINKFLAGS', SANITIZE)

    conf.setenv('fuzz')
    conf.env.CC = ['clang']
    conf.load('compiler_c')
    check_deps(conf)
    conf.env.append_value('CFLAGS', ['-O1', '-fsanitize=fuzzer-no-link'] + SANITIZE)
    conf.env.append_value('LINKFLAGS', SANITIZE)
    conf.env.FUZZ_LINKFLAGS = ['-fsanitize=fuzzer']
    conf.setenv('')


CORE_USE = 'TALLOC TDB SAMBA_UTIL SAMBA_ERRORS CRYPTO'


def build(bld):
    bld.stlib(source=bld.path.ant_glob('crypto/*.c'), target='bpaucrypto',
              use=CORE_USE)
    bld.stlib(source=['certtable/certblob.c', 'certtable/certtable.c'],
              target='certtable', use='bpaucrypto ' + CORE_USE)

    bld.stlib(source=['rpc/exchange.c'], target='bpauexchange',
              use='certtable bpaucrypto ' + CORE_USE)

    if bld.variant == 'fuzz':
        for src in bld.path.ant_glob('tests/fuzz/fuzz_*.c'):
            name = os.path.splitext(src.name)[0]
            bld.program(source=[src], target='fuzz/' + name,
                        use='certtable bpaucrypto ' + CORE_USE,
                        linkflags=bld.env.FUZZ_LINKFLAGS, install_path=None)
        return

    bld.program(source=['rpc/bpau.c'], target='bpau',
                use='certtable bpaucrypto ' + CORE_USE)

    for src in bld.path.ant_glob('tests/unit/test_*.c'):
        name = os.path.splitext(src.name)[0]
        bld.program(source=[src], target='tests/' + name,
                    use='bpauexchange certtable bpaucrypto CMOCKA ' + CORE_USE,
                    install_path=None)
