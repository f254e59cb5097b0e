/* bpaud_wrap.h: see bpaud_wrap.c. */
#ifndef RPC_BPAUD_WRAP_H
#define RPC_BPAUD_WRAP_H

#include <stdbool.h>

/* bpaud_wrap_ok: Samba's gss_wrap_iov, gss_unwrap_iov,
 * gss_delete_sec_context and lucid export functions were found. */
bool bpaud_wrap_ok(void);

#endif
