/*
 * negoex_peer_spnego.h: negoex-peer's SPNEGO framing (--spnego): the
 * NEGOEX token inside a NegTokenInit (with GSS framing) or NegTokenResp,
 * as MIT krb5's SPNEGO sends it.  Test-tool glue only.
 */
#ifndef TESTS_TOOLS_NEGOEX_PEER_SPNEGO_H
#define TESTS_TOOLS_NEGOEX_PEER_SPNEGO_H

#include "negoex/engine/engine.h"

struct peer_spnego;

NTSTATUS peer_spnego_new(TALLOC_CTX *mem_ctx, enum negoex_role role, struct peer_spnego **out,
			 const char **reason);
/* peer_spnego_unwrap: the NEGOEX token inside the peer's SPNEGO token. */
NTSTATUS peer_spnego_unwrap(struct peer_spnego *sp, TALLOC_CTX *mem_ctx, const uint8_t *in,
			    size_t in_len, uint8_t **out, size_t *out_len, const char **reason);
/* peer_spnego_wrap: our NEGOEX token (and the engine's status) as SPNEGO. */
NTSTATUS peer_spnego_wrap(struct peer_spnego *sp, TALLOC_CTX *mem_ctx, NTSTATUS engine_status,
			  const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len,
			  const char **reason);

#endif
