/*
 * gss_seq_check.h: our own executables (bpaud, bpau) refuse a Kerberos
 * wrap or MIC token that Samba's GSSAPI answered without checking it.
 * See gss_seq_check.c for why and how.  Linked into executables only: it
 * defines gss_unwrap_iov and gss_verify_mic, which the executable exports
 * (wscript: -Wl,--export-dynamic-symbol) so that Samba's gensec, in the
 * same process, calls them first.  Never into the DC module: a module
 * cannot interpose, and patching the samba process is not ours to do
 * (contrib/samba/ has the upstream fix).
 */
#ifndef RPC_GSS_SEQ_CHECK_H
#define RPC_GSS_SEQ_CHECK_H

#include <stdbool.h>

#ifndef SAMBA_GSS_VERSION
#error "SAMBA_GSS_VERSION: the symbol version of Samba's private GSSAPI library"
#endif

/* gss_seq_check_log_fn: |msg|, one line without a newline, at |level|
 * (0 errors, 1 decisions). */
typedef void (*gss_seq_check_log_fn)(int level, const char *msg);

/*
 * gss_seq_check_setup: find Samba's gss_unwrap_iov and gss_verify_mic at
 * version SAMBA_GSS_VERSION (libgssapi-samba4) behind our own, and log
 * refusals through |log| (NULL: standard error).  True when both were
 * found; until then (and if not) our two functions fail every call with
 * GSS_S_FAILURE, so a caller that goes on anyway fails closed.
 */
bool gss_seq_check_setup(gss_seq_check_log_fn log);

#endif
