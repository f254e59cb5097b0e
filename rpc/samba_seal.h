/*
 * samba_seal.h: DCE/RPC packet privacy of Samba's own Kerberos contexts
 * on OpenSSL (crypto/kwrap.h), for the two hosts of our endpoint: bpaud
 * (bpaud_wrap.c: its exported gss_* functions come first in symbol
 * lookup) and the module in Samba's AD DC (bitspeerauth_srv.c: the
 * process's GOT slots for Samba's functions are pointed here, got_hook.h).
 * See samba_seal.c for why and how.
 */
#ifndef RPC_SAMBA_SEAL_H
#define RPC_SAMBA_SEAL_H

#include <stdbool.h>

#include <gssapi/gssapi.h>

#ifndef SAMBA_GSS_VERSION
#error "SAMBA_GSS_VERSION: the symbol version of Samba's private GSSAPI library"
#endif

enum samba_seal_scope {
	/* bpaud: every context is one of our endpoint's associations. */
	SAMBA_SEAL_EVERY_CONTEXT,
	/* The DC: only contexts samba_seal_mark_request() named; every other
	 * context (netlogon, drsuapi, the DC as a client ...) passes through
	 * to Samba's functions untouched. */
	SAMBA_SEAL_MARKED_CONTEXTS,
	/* The DC with "openssl sealing = no": no context is ever switched;
	 * only gss_unwrap_iov and gss_verify_mic are routed here, for their
	 * status check (a token Heimdal did not check is refused). */
	SAMBA_SEAL_CHECK_ONLY,
};

/* samba_seal_log_fn: |msg| at |level| (0 errors, 1 decisions, 2 details). */
typedef void (*samba_seal_log_fn)(int level, const char *msg);

/*
 * samba_seal_setup: find Samba's gss_wrap_iov, gss_unwrap_iov,
 * gss_delete_sec_context and lucid export functions at version
 * SAMBA_GSS_VERSION through |handle| (RTLD_NEXT from bpaud, whose own
 * exports come first; RTLD_DEFAULT from the module).  True when all were
 * found (then and on later calls, which change nothing); false leaves
 * everything on Samba's functions.
 */
bool samba_seal_setup(void *handle, enum samba_seal_scope scope, samba_seal_log_fn log);

/* samba_seal_real: Samba's |name| (one of the three hooked functions)
 * found by samba_seal_setup, or NULL. */
void *samba_seal_real(const char *name);

/* The hooks, with the signatures of the functions they stand for.  They
 * fail with GSS_S_FAILURE before a successful samba_seal_setup. */
OM_uint32 samba_seal_wrap_iov(OM_uint32 *minor, gss_ctx_id_t gss, int conf_req, gss_qop_t qop,
			      int *conf_state, gss_iov_buffer_desc *iov, int count);
OM_uint32 samba_seal_unwrap_iov(OM_uint32 *minor, gss_ctx_id_t gss, int *conf_state,
				gss_qop_t *qop_state, gss_iov_buffer_desc *iov, int count);
OM_uint32 samba_seal_verify_mic(OM_uint32 *minor, gss_const_ctx_id_t gss,
				const gss_buffer_t message, const gss_buffer_t token,
				gss_qop_t *qop_state);
OM_uint32 samba_seal_delete_sec_context(OM_uint32 *minor, gss_ctx_id_t *gss,
					gss_buffer_t output);

/*
 * samba_seal_mark_request: the context that checked this thread's last
 * request (the one being dispatched to our endpoint) is one of ours;
 * from now on its messages are counted, and it moves to OpenSSL at its
 * LUCID_KWRAP_AFTER_CALLS'th response.  Nothing for a context already
 * known, or when that request was not sealed.
 */
void samba_seal_mark_request(void);

#endif
