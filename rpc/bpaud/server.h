/*
 * server.h: bpaud's DCE/RPC server: Samba's dcesrv core with our
 * callbacks, the Kerberos acceptor, and the endpoints it serves.
 */
#ifndef RPC_BPAUD_SERVER_H
#define RPC_BPAUD_SERVER_H

#include <stdbool.h>

#include "rpc/bpaud/bpaud.h"

/*
 * bpaud_server_samba_ok: the running Samba is the one bpaud was built
 * for (the GSSAPI functions bpaud interposes, the dcesrv core's struct
 * layouts).  Logs what is wrong and returns false otherwise.
 */
bool bpaud_server_samba_ok(void);

/*
 * bpaud_server_start: from |d|->cfg, |d|->lp and |d|->ev: Samba's
 * settings, the acceptor credentials (the keytab, checked first), the
 * exchange state (certificate, table) and the dcesrv context.  Logs why
 * and returns false on failure.
 */
bool bpaud_server_start(struct bpaud *d);

/*
 * bpaud_server_listen: listen and register the bitspeerauth interface on
 * the port bound (so the endpoint mapper hands out the real one), then
 * the endpoint mapper unless disabled; sets |d|->ep and |d|->epm_ep.
 * Logs why and returns false on failure.
 */
bool bpaud_server_listen(struct bpaud *d);

#endif
