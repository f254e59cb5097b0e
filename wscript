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
    # The protocol libraries (credssp, negoex, otpce): Heimdal's krb5 and
    # NTLM, OpenSSL's TLS, libxml2, libevent's evhttp on OpenSSL, libcurl.
    for pkg, store in (('heimdal-krb5', 'KRB5'), ('libssl', 'SSL'),
                       ('libxml-2.0', 'XML'), ('libevent', 'EVENT'),
                       ('libevent_openssl', 'EVENT_OPENSSL'), ('libcurl', 'CURL')):
        conf.check_cfg(package=pkg, uselib_store=store,
                       args=['--cflags', '--libs'])
    # otpced's backend = ldap: OpenLDAP's libldap; Cyrus SASL's header
    # only (its GSSAPI plugin is loaded by libsasl2 at run time).
    conf.check_cfg(package='ldap', uselib_store='LDAP', args=['--cflags', '--libs'])
    conf.check_cc(header_name='sasl/sasl.h', uselib_store='LDAP',
                  msg='Checking for Cyrus SASL\'s sasl/sasl.h')
    heimlib = conf.cmd_and_log(['pkg-config', '--variable=libdir', 'heimdal-krb5']).strip()
    conf.check_cc(lib='heimntlm', libpath=[heimlib], uselib_store='HEIMNTLM',
                  includes=conf.env.INCLUDES_KRB5,
                  header_name=['stdint.h', 'time.h', 'heimntlm.h'],
                  msg='Checking for Heimdal libheimntlm')
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
    # One folder per library or program, each with its own wscript_build;
    # lower layers first (see README.md, "Layout").
    # Shared names for the wscript_build files (they see only 'bld').
    bld.CORE_USE = CORE_USE
    bld.SAMBA_GSS_VERSION = SAMBA_GSS_VERSION
    bld.GSS_SEQ_CHECK_EXPORTS = GSS_SEQ_CHECK_EXPORTS
    bld.recurse('crypto certtable credssp negoex otpce idl rpc')
    if bld.variant != 'fuzz':
        bld.recurse('bench')
    bld.recurse('tests')
