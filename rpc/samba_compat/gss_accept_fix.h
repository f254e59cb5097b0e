/* gss_accept_fix.h: see gss_accept_fix.c. */
#ifndef RPC_GSS_ACCEPT_FIX_H
#define RPC_GSS_ACCEPT_FIX_H

#include <stdbool.h>

#ifndef SAMBA_GSS_VERSION
#error "SAMBA_GSS_VERSION: the symbol version of Samba's private GSSAPI library"
#endif

/* bpaud_gss_fix_ok: the real gss_accept_sec_context was found. */
bool bpaud_gss_fix_ok(void);

#endif
