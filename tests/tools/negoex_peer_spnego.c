/*
 * negoex_peer_spnego.c: negoex-peer's SPNEGO framing.  Not available yet:
 * it waits for the SPNEGO codec (crypto/spnego/); use --raw.
 */
#include "tests/tools/negoex_peer_spnego.h"

NTSTATUS peer_spnego_new(TALLOC_CTX *mem_ctx, enum negoex_role role, struct peer_spnego **out,
			 const char **reason)
{
	crypto_set_reason(reason, "SPNEGO framing is not built yet: use --raw");
	return NT_STATUS_NOT_IMPLEMENTED;
}

NTSTATUS peer_spnego_unwrap(struct peer_spnego *sp, TALLOC_CTX *mem_ctx, const uint8_t *in,
			    size_t in_len, uint8_t **out, size_t *out_len, const char **reason)
{
	return NT_STATUS_NOT_IMPLEMENTED;
}

NTSTATUS peer_spnego_wrap(struct peer_spnego *sp, TALLOC_CTX *mem_ctx, NTSTATUS engine_status,
			  const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len,
			  const char **reason)
{
	return NT_STATUS_NOT_IMPLEMENTED;
}
