/*
 * samba_private.h: our own declarations of functions that the installed
 * Samba libraries export but that no header in /usr/include/samba-4.0
 * declares.  Only prototypes, written from the symbol tables and the
 * documented behaviour; no Samba code.  Every one is checked against the
 * running Samba at build time (wscript: the configure check) and the private
 * ones carry the symbol version SAMBA_<version>_DEBIAN_SAMBA4, so the
 * dynamic loader refuses to start bpaud on another Samba build.  The
 * tsocket/debug ones are declared by public headers (tsocket.h,
 * util/debug.h) but live only in private libraries.
 *
 *   symbol                        library                 version tag
 *   samba_server_gensec_start     libdcerpc-server.so.0   DCERPC_SERVER_0.0.1 (public lib, no header)
 *   dcerpc_module_version         libdcerpc-server-core   DCERPC_SERVER_CORE_0.0.1 (public lib, no header)
 *   _tstream_bsd_existing_socket  libsamba-sockets-samba4 SAMBA_4.17.12_DEBIAN_SAMBA4 (private; header tsocket.h is public)
 *   _tsocket_address_bsd_from_sockaddr  (same)
 *   debuglevel_get_class, dbghdrclass, dbgtext
 *                                 libsamba-debug-samba4   SAMBA_4.17.12_DEBIAN_SAMBA4 (private; util/debug.h is public)
 */
#ifndef BPAUD_SAMBA_PRIVATE_H
#define BPAUD_SAMBA_PRIVATE_H

#include <samba/version.h>

/* The headers in /usr/include/samba-4.0 and the libraries come from the
 * same samba-dev/samba-libs version (Debian pins them together); the
 * prototypes below were written for this one. */
#if SAMBA_VERSION_MAJOR != 4 || SAMBA_VERSION_MINOR != 17
#error "bpaud: written against Samba 4.17's undeclared exports; re-check samba_private.h"
#endif

struct tevent_context;
struct imessaging_context;
struct loadparm_context;
struct cli_credentials;
struct gensec_security;
struct dcesrv_critical_sizes;

/*
 * source4/auth/samba_server_gensec.c: a gensec server context with a
 * fresh auth4 context (auth_context_create: opens PRIVATEDIR/sam.ldb if
 * it exists, never creates it), the given server credentials and target
 * service.  msg_ctx may be NULL.
 */
NTSTATUS samba_server_gensec_start(TALLOC_CTX *mem_ctx,
				   struct tevent_context *event_ctx,
				   struct imessaging_context *msg_ctx,
				   struct loadparm_context *lp_ctx,
				   struct cli_credentials *server_credentials,
				   const char *target_service,
				   struct gensec_security **gensec_context);

/* The struct sizes libdcerpc-server-core was built with. */
const struct dcesrv_critical_sizes *dcerpc_module_version(void);

#endif
