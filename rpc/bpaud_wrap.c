/*
 * bpaud_wrap.c: bpaud's route to samba_seal.c.  bpaud exports
 * gss_wrap_iov, gss_unwrap_iov, gss_verify_mic and gss_delete_sec_context (wscript:
 * --export-dynamic-symbol), so the calls Samba's gensec makes for DCE/RPC
 * packet privacy come here first, as gss_accept_sec_context does for
 * gss_accept_fix.c.  bpaud serves nothing but our endpoint, so every
 * context is counted (SAMBA_SEAL_EVERY_CONTEXT).  Linked into bpaud only.
 */
#include <dlfcn.h>

#include "rpc/bpaud.h"
#include "rpc/bpaud_wrap.h"
#include "rpc/samba_seal.h"

static void log_to_bpaud(int level, const char *msg)
{
	bpaud_log(level, "%s", msg);
}

bool bpaud_wrap_ok(void)
{
	/* RTLD_NEXT from this executable: Samba's functions, not ours.
	 * bpaud's main() calls this before serving; until then the hooks
	 * fail (samba_seal.h). */
	return samba_seal_setup(RTLD_NEXT, SAMBA_SEAL_EVERY_CONTEXT, log_to_bpaud);
}

OM_uint32 gss_wrap_iov(OM_uint32 *minor, gss_ctx_id_t gss, int conf_req, gss_qop_t qop,
		       int *conf_state, gss_iov_buffer_desc *iov, int count)
{
	return samba_seal_wrap_iov(minor, gss, conf_req, qop, conf_state, iov, count);
}

OM_uint32 gss_unwrap_iov(OM_uint32 *minor, gss_ctx_id_t gss, int *conf_state,
			 gss_qop_t *qop_state, gss_iov_buffer_desc *iov, int count)
{
	return samba_seal_unwrap_iov(minor, gss, conf_state, qop_state, iov, count);
}

OM_uint32 gss_verify_mic(OM_uint32 *minor, gss_const_ctx_id_t gss, const gss_buffer_t message,
			 const gss_buffer_t token, gss_qop_t *qop_state)
{
	return samba_seal_verify_mic(minor, gss, message, token, qop_state);
}

OM_uint32 gss_delete_sec_context(OM_uint32 *minor, gss_ctx_id_t *gss, gss_buffer_t output)
{
	return samba_seal_delete_sec_context(minor, gss, output);
}
