/*
 * negoex_spnego.h: SPNEGO (RFC 4178) carrying NEGOEX beside other
 * mechanisms, as MIT krb5 1.20 frames it (issue #17 section 3): the
 * initiator offers NEGOEX (OID 1.3.6.1.4.1.311.2.2.30) first, followed by
 * the caller's mechanisms, with NEGOEX's first token as the optimistic
 * token; the acceptor takes the first of the initiator's mechanisms it
 * has; when that is not NEGOEX (the peer does not speak it, or prefers
 * another), both fall back to it.  Tokens through crypto/spnego's codec;
 * NEGOEX through negoex/engine/engine.h.
 *
 * Framing (MIT's tokens: tests/vectors/spnego/mit_spnego.txt):
 *   initiator  [APPLICATION 0] { SPNEGO, NegTokenInit { mechTypes,
 *              mechToken (the first mechanism's token) } }, then
 *              NegTokenResp { accept-incomplete, responseToken } while it
 *              has a token; it is finished when its mechanism is and the
 *              acceptor said accept-completed.
 *   acceptor   NegTokenResp { accept-incomplete or accept-completed,
 *              supportedMech (first reply only), responseToken if any }; a
 *              bare { accept-completed } when the mechanism completes with
 *              nothing to send (MIT_HOPS2_RESP3); { reject } on a failure
 *              with no token.
 *
 * Not done: mechListMIC (RFC 4178 5).  Neither NEGOEX's test scheme nor
 * the mechanisms given here produce a MIC (MIT's negoextest sets no
 * integrity flag, so MIT sends none); a peer that sends a mechListMIC or
 * asks for one (request-mic) is refused with NT_STATUS_NOT_SUPPORTED.
 *
 * Errors as engine.h's, plus NT_STATUS_INVALID_PARAMETER for a malformed
 * or out-of-protocol SPNEGO token, NT_STATUS_LOGON_FAILURE when the peer
 * rejects, NT_STATUS_NO_SUCH_PACKAGE when no mechanism is common.
 */
#ifndef NEGOEX_SPNEGO_NEGOEX_SPNEGO_H
#define NEGOEX_SPNEGO_NEGOEX_SPNEGO_H

#include "crypto/spnego/spnego.h"
#include "negoex/engine/engine.h"

#define NEGOEX_SPNEGO_MAX_MECHS 8

/* A mechanism offered beside NEGOEX (e.g. Kerberos through GSSAPI). */
struct negoex_spnego_mech {
	struct spnego_oid oid;
	/* one context step, as negoex_engine_step: |in| NULL on the
	 * initiator's first call; OK, MORE_PROCESSING_REQUIRED or an error
	 * (an acceptor may still set *out). */
	NTSTATUS (*step)(void *priv, TALLOC_CTX *mem_ctx, const uint8_t *in, size_t in_len,
			 uint8_t **out, size_t *out_len);
	void *priv;
};

struct negoex_spnego_config {
	enum negoex_role role;
	/* NEGOEX, offered first; NULL: not offered */
	struct negoex_engine *engine;
	/* the others, in our order of preference */
	const struct negoex_spnego_mech *mechs;
	size_t num_mechs;
};

struct negoex_spnego; /* opaque; talloc_free ends it (not the engine) */

/* negoex_spnego_new: at least one mechanism, none twice. */
NTSTATUS negoex_spnego_new(TALLOC_CTX *mem_ctx, const struct negoex_spnego_config *cfg,
			   struct negoex_spnego **out, const char **reason) CRYPTO_WARN_UNUSED;

/*
 * negoex_spnego_step: the peer's SPNEGO token in (none on the initiator's
 * first call), ours out (*out NULL when nothing is to be sent).  Returns
 * as negoex_engine_step: NT_STATUS_OK when SPNEGO and the chosen mechanism
 * are finished, NT_STATUS_MORE_PROCESSING_REQUIRED, or an error (finished
 * for good; *out, if set, is a last token for the peer).
 */
NTSTATUS negoex_spnego_step(struct negoex_spnego *sp, TALLOC_CTX *mem_ctx, const uint8_t *in,
			    size_t in_len, uint8_t **out, size_t *out_len, const char **reason)
	CRYPTO_WARN_UNUSED;

/* negoex_spnego_selected: the mechanism chosen (NEGOEX or one of the
 * caller's), once the acceptor has said; NT_STATUS_INVALID_DEVICE_STATE
 * before. */
NTSTATUS negoex_spnego_selected(const struct negoex_spnego *sp, struct spnego_oid *mech);

#endif
