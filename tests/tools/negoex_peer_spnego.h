/*
 * negoex_peer_spnego.h: negoex-peer's SPNEGO framing (--spnego), on the
 * SPNEGO codec (crypto/spnego/spnego.h), as MIT krb5 1.20's SPNEGO frames
 * NEGOEX (tests/vectors/spnego/mit_spnego.txt holds its tokens):
 *
 *   initiator  [APPLICATION 0] { SPNEGO, NegTokenInit { mechTypes
 *              [NEGOEX], mechToken NEGOEX } }, then NegTokenResp
 *              { accept-incomplete, responseToken } while it has a token;
 *              it is finished when the acceptor says accept-completed.
 *   acceptor   NegTokenResp { accept-incomplete or accept-completed,
 *              supportedMech NEGOEX (first reply only), responseToken if
 *              any }; a bare { accept-completed } when NEGOEX completes
 *              with nothing left to send (MIT_HOPS2_RESP3); { reject } on a
 *              failure with no token.
 *
 * No mechListMIC: the test scheme offers no integrity (MIT's negoextest
 * sets no context flags, so MIT's SPNEGO sends none).  Test-tool glue
 * only: the acceptor takes only an initiator that puts NEGOEX first with
 * its token.
 */
#ifndef TESTS_TOOLS_NEGOEX_PEER_SPNEGO_H
#define TESTS_TOOLS_NEGOEX_PEER_SPNEGO_H

#include "negoex/engine/engine.h"

struct peer_spnego;

NTSTATUS peer_spnego_new(TALLOC_CTX *mem_ctx, enum negoex_role role, struct peer_spnego **out,
			 const char **reason);
/* peer_spnego_unwrap: the NEGOEX token inside the peer's SPNEGO token
 * (*out_len 0 when it carries none). */
NTSTATUS peer_spnego_unwrap(struct peer_spnego *sp, TALLOC_CTX *mem_ctx, const uint8_t *in,
			    size_t in_len, const uint8_t **out, size_t *out_len,
			    const char **reason);
/* peer_spnego_wrap: our SPNEGO token for the engine's |status| and NEGOEX
 * token |in| (*out_len 0 when nothing is to be sent). */
NTSTATUS peer_spnego_wrap(struct peer_spnego *sp, TALLOC_CTX *mem_ctx, NTSTATUS status,
			  const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len,
			  const char **reason);
/* peer_spnego_finished: SPNEGO is over (acceptor: accept-completed sent;
 * initiator: received). */
bool peer_spnego_finished(const struct peer_spnego *sp);

#endif
