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
import re

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
    opt.load('gnu_dirs')


def check_deps(conf):
    for pkg, store in (('talloc', 'TALLOC'), ('tevent', 'TEVENT'),
                       ('tdb', 'TDB'), ('samba-util', 'SAMBA_UTIL'),
                       ('libcrypto', 'CRYPTO'), ('cmocka', 'CMOCKA')):
        conf.check_cfg(package=pkg, uselib_store=store,
                       args=['--cflags', '--libs'])
    # Samba's public RPC libraries (client, NDR, server core).
    for pkg, store in (('ndr', 'NDR'), ('ndr_standard', 'NDR_STANDARD'),
                       ('dcerpc', 'DCERPC'), ('dcerpc_samr', 'DCERPC_SAMR'),
                       ('samba-credentials', 'SAMBA_CREDENTIALS'),
                       ('samba-hostconfig', 'SAMBA_HOSTCONFIG')):
        conf.check_cfg(package=pkg, uselib_store=store,
                       args=['--cflags', '--libs'])
    # Public libraries without a .pc file: NTSTATUS strings, the
    # DCE/RPC server core, tevent helpers.
    for lib, store in (('samba-errors', 'SAMBA_ERRORS'),
                       ('dcerpc-server-core', 'DCERPC_SERVER_CORE'),
                       ('dcerpc-binding', 'DCERPC_BINDING'),
                       ('tevent-util', 'TEVENT_UTIL')):
        conf.check_cc(lib=lib, uselib_store=store,
                      msg='Checking for lib' + lib)
    # winbind, for the client's SID lookup on a joined member.
    conf.check_cfg(package='wbclient', uselib_store='WBCLIENT',
                   args=['--cflags', '--libs'])
    # Heimdal's public GSSAPI headers, for gss_seq_check.c's types (the
    # functions are Samba's private copy).
    conf.check_cfg(package='heimdal-gssapi', uselib_store='GSSAPI',
                   args=['--cflags', '--libs'])
    conf.env.CFLAGS_SAMBA_HDRS = [
        '-isystem' + f[2:] if f.startswith('-I') else f
        for f in conf.cmd_and_log(['pkg-config', '--cflags', 'samba-util']).split()]
    check_bpaud_deps(conf)
    # Samba's headers are not -Wextra clean: treat them as system headers.
    for store in ('NDR', 'DCERPC', 'SAMBA_UTIL', 'SAMBA_CREDENTIALS',
                  'SAMBA_HOSTCONFIG', 'NDR_STANDARD', 'DCERPC_SAMR',
                  'DCERPC_SERVER', 'WBCLIENT'):
        incs = conf.env['INCLUDES_' + store]
        conf.env['INCLUDES_' + store] = []
        for inc in incs:
            conf.env.append_unique('CFLAGS_' + store, ['-isystem', inc])
    conf.env.PIDL = conf.path.find_node('.deps/samba/pidl/pidl').abspath()
    conf.env.SAMBA_IDL = conf.path.find_node('.deps/samba/librpc/idl').abspath()
    conf.env.MODULESDIR = conf.cmd_and_log(
        ['pkg-config', '--variable=modulesdir', 'dcerpc_server']).strip()
    conf.env.append_value('CFLAGS', ['-std=gnu11', '-g', '-fPIC',
                                     '-D_GNU_SOURCE'] + WARNINGS)
    conf.env.append_value('DEFINES', ['BPAU_SRCDIR="%s"' % conf.path.abspath()])
    conf.env.append_value('INCLUDES', [conf.path.abspath()])


# bpaud uses a few exports that no installed header declares
# (rpc/samba_compat/samba_private.h) and two of Samba's private libraries.  They were
# written for this Samba; refuse to build against another, clearly.
BPAUD_SAMBA = '4.17.12'
# The symbol version of Samba's private GSSAPI library (libgssapi-samba4),
# whose functions our executables interpose (rpc/samba_compat/gss_seq_check.c,
# rpc/samba_compat/gss_accept_fix.c).
SAMBA_GSS_VERSION = 'SAMBA_GSS_VERSION="SAMBA_%s_DEBIAN_SAMBA4"' % BPAUD_SAMBA
# What rpc/samba_compat/gss_seq_check.c defines, exported from bpaud and bpau.
GSS_SEQ_CHECK_EXPORTS = ('gss_unwrap_iov', 'gss_verify_mic')
BPAUD_PRIVATE_LIBS = ('libsamba-sockets-samba4.so.0', 'libsamba-debug-samba4.so.0')
# bpau's SAMR client stubs (dcerpc_samr_*, declared by the public
# gen_ndr/ndr_samr_c.h) live in this private library only: the public
# libdcerpc-samr is an empty shell in Samba 4.17.
BPAU_PRIVATE_LIBS = ('libdcerpc-samba-samba4.so.0',)


def check_bpaud_deps(conf):
    import re
    libdir = conf.cmd_and_log(['pkg-config', '--variable=libdir',
                               'samba-util']).strip()
    incdir = conf.cmd_and_log(['pkg-config', '--variable=includedir',
                               'samba-util']).strip()
    version_h = os.path.join(incdir, 'samba', 'version.h')
    m = re.search(r'#define SAMBA_VERSION_OFFICIAL_STRING "([^"]*)"',
                  open(version_h).read())
    found = m.group(1) if m else '?'
    conf.msg('Checking the Samba bpaud was written for', found)
    if found != BPAUD_SAMBA:
        conf.fatal('bpaud: samba-dev is %s, but rpc/samba_compat/samba_private.h was written '
                   'for Samba %s: re-check its declarations, then update '
                   'BPAUD_SAMBA in wscript' % (found, BPAUD_SAMBA))
    tag = 'SAMBA_%s_DEBIAN_SAMBA4' % BPAUD_SAMBA
    privdir = os.path.join(libdir, 'samba')
    for lib in BPAUD_PRIVATE_LIBS + BPAU_PRIVATE_LIBS:
        out = conf.cmd_and_log(['objdump', '-T', os.path.join(privdir, lib)])
        if (' %s ' % tag) not in out:
            conf.fatal('bpaud: %s/%s lacks symbol version %s' % (privdir, lib, tag))
    # gss_accept_fix.c interposes Samba's private GSSAPI acceptor.
    out = conf.cmd_and_log(['objdump', '-T', os.path.join(privdir, 'libgssapi-samba4.so.0')])
    # ... and gss_seq_check.c (bpaud, bpau) its per-message checks.
    for fn in ('gss_accept_sec_context', 'gss_release_name', 'gss_unwrap_iov',
               'gss_verify_mic'):
        if not re.search(r'%s\s+%s\b' % (re.escape(tag), fn), out):
            conf.fatal('bpaud: %s/libgssapi-samba4.so.0 does not export %s@%s'
                       % (privdir, fn, tag))
    out = conf.cmd_and_log(['objdump', '-T',
                            os.path.join(libdir, 'libdcerpc-server.so.0')])
    if not re.search(r'DCERPC_SERVER_0\.0\.1\s+samba_server_gensec_start\b', out):
        conf.fatal('bpaud: libdcerpc-server.so.0 does not export '
                   'samba_server_gensec_start')
    conf.env.PRIVLIBDIR = privdir
    conf.env.LIBPATH_BPAUD_PRIVATE = [privdir]
    conf.env.RPATH_BPAUD_PRIVATE = [privdir]
    conf.env.LIB_BPAUD_PRIVATE = [':' + lib for lib in BPAUD_PRIVATE_LIBS]
    conf.env.LIBPATH_BPAU_PRIVATE = [privdir]
    conf.env.RPATH_BPAU_PRIVATE = [privdir]
    conf.env.LIB_BPAU_PRIVATE = [':' + lib for lib in BPAU_PRIVATE_LIBS]
    conf.check_cc(lib='samdb', uselib_store='SAMDB', msg='Checking for libsamdb')
    conf.check_cfg(package='dcerpc_server', uselib_store='DCERPC_SERVER',
                   args=['--cflags', '--libs'])


def configure(conf):
    conf.load('compiler_c')
    conf.load('gnu_dirs')
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
    # crypto/lazy/ is not in the library: only bpau links it (below).
    bld.stlib(source=bld.path.ant_glob('crypto/*.c crypto/wire/*.c crypto/ms/*.c'),
              target='bpaucrypto',
              use=CORE_USE)
    bld.stlib(source=['certtable/certblob.c', 'certtable/format.c', 'certtable/heap.c',
                      'certtable/table.c', 'certtable/tdbfile.c'],
              target='certtable', use='bpaucrypto ' + CORE_USE)

    # CredSSP (MS-CSSP): the message codec on OpenSSL's ASN.1 templates.
    bld.stlib(source=['credssp/asn1.c', 'credssp/tsrequest.c', 'credssp/credentials.c',
                      'credssp/text.c'],
              target='credssp', use='bpaucrypto ' + CORE_USE)

    # The protocol's rules, apart from any RPC runtime: what both roles
    # know (protocol/), the server's (server/), the client's (client/).
    # NEGOEX (negoex/README.md): the message codec for now.
    bld.stlib(source=['negoex/msg.c', 'negoex/nego.c', 'negoex/exchange.c', 'negoex/verify.c',
                      'negoex/alert.c', 'negoex/token.c'],
              target='negoex', use='bpaucrypto ' + CORE_USE)

    bld.stlib(source=['rpc/protocol/hresult.c'], target='bpauprotocol', use=CORE_USE)
    bld.stlib(source=['rpc/server/exchange_server.c'], target='bpauserver',
              use='bpauprotocol certtable bpaucrypto ' + CORE_USE)
    bld.stlib(source=['rpc/client/exchange_client.c'], target='bpauclientexchange',
              use='bpauprotocol certtable bpaucrypto ' + CORE_USE)

    # pidl: idl/bitspeerauth.idl -> build/<variant>/gen/*.  pidl writes
    # '#include "gen/x.h"' literally, so it runs in the build directory
    # with a relative output directory.
    gen = ['gen/' + f for f in ('bitspeerauth.h', 'ndr_bitspeerauth.h',
                                'ndr_bitspeerauth.c', 'ndr_bitspeerauth_c.h',
                                'ndr_bitspeerauth_c.c', 'ndr_bitspeerauth_s.c')]
    bld(rule='cd ${TGT[0].parent.parent.abspath()} && mkdir -p gen && '
             'perl ${PIDL} --quiet --outputdir=gen --header --ndr-parser '
             '--client --server -- ${SRC[0].abspath()}',
        source='idl/bitspeerauth.idl', target=gen, name='pidl')
    epm = ['gen/' + f for f in ('epmapper.h', 'ndr_epmapper.h', 'ndr_epmapper.c',
                                'ndr_epmapper_s.c')]
    bld(rule='cd ${TGT[0].parent.parent.abspath()} && mkdir -p gen && '
             'perl ${PIDL} --quiet --outputdir=gen --header --ndr-parser '
             '--server -- ${SAMBA_IDL}/epmapper.idl 2>&1 | '
             'grep -v "subcontext() is deprecated" >&2 || true',
        target=epm, name='pidl-epmapper')
    bld.add_group()
    genflags = ['-Wno-error', '-Wno-missing-prototypes', '-Wno-sign-compare',
                '-Wno-shadow']
    bld.objects(source=['gen/ndr_bitspeerauth.c'], target='ndr_bitspeerauth',
                includes=[bld.bldnode.abspath()], cflags=genflags,
                use='NDR TALLOC SAMBA_UTIL')
    bld.objects(source=['gen/ndr_bitspeerauth_c.c'], target='ndr_bitspeerauth_c',
                includes=[bld.bldnode.abspath()], cflags=genflags,
                use='NDR DCERPC TEVENT TALLOC SAMBA_UTIL')
    RPC_USE = ('ndr_bitspeerauth_c ndr_bitspeerauth bpauclientexchange bpauprotocol certtable '
               'bpaucrypto DCERPC DCERPC_SAMR NDR_STANDARD NDR DCERPC_BINDING '
               'SAMBA_CREDENTIALS SAMBA_HOSTCONFIG TEVENT TEVENT_UTIL ' + CORE_USE)
    # The client (bpau exchange) on Samba's client stack and pidl's stubs;
    # the benchmark shares its connection steps.
    bld.stlib(source=['rpc/client/session.c', 'rpc/client/client_result.c'], target='sambasession',
              includes=[bld.bldnode.abspath()], use=RPC_USE)
    bld.stlib(source=['rpc/client/client.c'], target='bpauclient',
              includes=[bld.bldnode.abspath()],
              use='sambasession WBCLIENT BPAU_PRIVATE ' + RPC_USE)
    bld.objects(source=['gen/ndr_epmapper.c'], target='ndr_epmapper',
                includes=[bld.bldnode.abspath()],
                cflags=genflags + ['-fvisibility=hidden'], use='NDR TALLOC SAMBA_UTIL')

    if bld.variant == '':
        # The endpoint server module for Samba's AD DC: bitspeerauth.so in
        # pkg-config's dcerpc_server modulesdir.  Not sanitized: samba loads it.
        menv = bld.env.derive()
        menv.cshlib_PATTERN = '%s.so'
        bld.shlib(source=['rpc/dcmodule/bitspeerauth_srv.c', 'rpc/server/endpoint.c'],
                  target='bitspeerauth',
                  env=menv, includes=[bld.bldnode.abspath()],
                  cflags=['-fvisibility=hidden'],
                  linkflags=['-Wl,--version-script=' +
                             bld.path.find_node('rpc/dcmodule/module.map').abspath()],
                  use='ndr_bitspeerauth bpauserver bpauprotocol certtable bpaucrypto '
                      'DCERPC_SERVER_CORE DCERPC_BINDING NDR SAMBA_HOSTCONFIG '
                      'TEVENT ' + CORE_USE,
                  install_path=bld.env.MODULESDIR)

    if bld.variant == 'fuzz':
        for src in bld.path.ant_glob('tests/fuzz/fuzz_*.c'):
            name = os.path.splitext(src.name)[0]
            bld.program(source=[src], target='fuzz/' + name,
                        includes=[bld.bldnode.abspath()],
                        use='ndr_bitspeerauth credssp negoex certtable bpaucrypto NDR ' + CORE_USE,
                        linkflags=bld.env.FUZZ_LINKFLAGS, install_path=None)
        return

    if bld.variant == '':
        # bpaud: the same endpoint on Samba's DCE/RPC server core.  The
        # epmapper code is hidden: Samba's libraries carry the same names.
        bld.program(source=['rpc/bpaud/main.c', 'rpc/bpaud/config.c', 'rpc/bpaud/server.c',
                            'rpc/bpaud/listener.c', 'rpc/bpaud/daemon.c', 'rpc/bpaud/log.c',
                            'rpc/bpaud/epm.c', 'rpc/server/endpoint.c',
                            'rpc/samba_compat/gss_accept_fix.c', 'rpc/samba_compat/gss_seq_check.c'],
                    target='bpaud',
                    defines=[SAMBA_GSS_VERSION],
                    linkflags=['-Wl,--export-dynamic-symbol=' + f for f in
                               ('gss_accept_sec_context',) + GSS_SEQ_CHECK_EXPORTS],
                    # Heimdal's public GSSAPI headers, for gss_seq_check.c's
                    # types; the functions are Samba's private copy.
                    includes=[bld.bldnode.abspath()] + bld.env.INCLUDES_GSSAPI,
                    lib=['dl'],
                    use='ndr_epmapper ndr_bitspeerauth bpauserver bpauprotocol certtable bpaucrypto '
                        'DCERPC_SERVER DCERPC_SERVER_CORE DCERPC DCERPC_BINDING SAMDB '
                        'SAMBA_CREDENTIALS SAMBA_HOSTCONFIG NDR_STANDARD NDR TEVENT '
                        'TEVENT_UTIL BPAUD_PRIVATE ' + CORE_USE,
                    install_path='${SBINDIR}')

    bld.install_files('${SYSCONFDIR}/bpau', ['rpc/bpaud/dist/bpaud.conf'])
    bld.install_files('${PREFIX}/lib/systemd/system', ['rpc/bpaud/dist/bpaud.service'])

    # bpau: the client interposes gss_unwrap_iov and gss_verify_mic on
    # Samba's GSSAPI in its own process, as bpaud does (gss_seq_check.h).
    bld.program(source=['rpc/cli/main.c', 'rpc/cli/cmd_blob.c', 'rpc/cli/cmd_cert.c',
                        'rpc/cli/cmd_exchange.c', 'rpc/cli/cmd_table.c', 'rpc/cli/common.c',
                        'rpc/samba_compat/gss_seq_check.c'],
                target='bpau',
                defines=[SAMBA_GSS_VERSION],
                includes=[bld.bldnode.abspath()] + bld.env.INCLUDES_GSSAPI,
                linkflags=['-Wl,--export-dynamic-symbol=' + f for f in GSS_SEQ_CHECK_EXPORTS],
                lib=['dl'],
                use='bpauclient sambasession WBCLIENT BPAU_PRIVATE ' + RPC_USE)

    bld.program(source=['bench/bench_verify.c'], target='bench/bench_verify',
                use='certtable bpaucrypto ' + CORE_USE, install_path=None)

    bld.program(source=['bench/bench_commit.c'], target='bench/bench_commit',
                use='certtable bpaucrypto ' + CORE_USE, install_path=None)

    bld.program(source=['bench/bench_rpc.c'], target='bench/bench_rpc',
                includes=[bld.bldnode.abspath()], use='sambasession ' + RPC_USE,
                install_path=None)

    # rawcall checks responses as bpau does (gss_seq_check.c), so the
    # suites can forge a response to it.
    bld.program(source=['tests/tools/rawcall.c', 'rpc/samba_compat/gss_seq_check.c'],
                target='tests/bpau-rawcall', defines=[SAMBA_GSS_VERSION],
                includes=[bld.bldnode.abspath()] + bld.env.INCLUDES_GSSAPI,
                linkflags=['-Wl,--export-dynamic-symbol=' + f for f in GSS_SEQ_CHECK_EXPORTS],
                lib=['dl'], use='BPAU_PRIVATE ' + RPC_USE, install_path=None)

    for src in bld.path.ant_glob('tests/unit/test_*.c'):
        name = os.path.splitext(src.name)[0]
        bld.program(source=[src], target='tests/' + name,
                    use='ndr_bitspeerauth ndr_epmapper bpauserver bpauclientexchange bpauprotocol '
                        'credssp negoex certtable bpaucrypto NDR NDR_STANDARD CMOCKA ' + CORE_USE,
                    includes=[bld.bldnode.abspath()],
                    install_path=None)
