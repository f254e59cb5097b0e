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
 * mechListMIC (RFC 4178 section 5), as MIT krb5 1.20's spnego_mech.c
 * (handle_mic, process_mic): the MIC is required when the chosen
 * mechanism is not the initiator's first (the acceptor says request-mic
 * in its first reply), or when the peer sends one; it is exchanged only
 * once the mechanism is complete and only if the mechanism has integrity
 * (MIT: sc->ctx_flags & GSS_C_INTEG_FLAG).  Each side sends get_mic over
 * the DER of the initiator's mechTypes and verifies the peer's; whichever
 * side's mechanism finishes with a token sends its MIC with it, and the
 * other answers with its own.  NEGOEX has integrity only when the caller
 * gives |negoex_mic| (MIT: the selected auth scheme's context flags; its
 * negoextest sets none, so no MIC is exchanged over NEGOEX there).  A MIC
 * received for a mechanism without integrity, or before the mechanism is
 * complete, is refused (MIT ignores it; we cannot check it).
 *
 * Errors as engine.h's, plus NT_STATUS_INVALID_PARAMETER for a malformed
 * or out-of-protocol SPNEGO token, NT_STATUS_LOGON_FAILURE when the peer
 * rejects, NT_STATUS_NO_SUCH_PACKAGE when no mechanism is common,
 * NT_STATUS_ACCESS_DENIED when the peer's mechListMIC does not verify.
 */
#ifndef NEGOEX_SPNEGO_NEGOEX_SPNEGO_H
#define NEGOEX_SPNEGO_NEGOEX_SPNEGO_H

#include "crypto/spnego/spnego.h"
#include "negoex/engine/engine.h"

#define NEGOEX_SPNEGO_MAX_MECHS 8

/*
 * A mechanism's integrity, for the mechListMIC: get_mic and verify_mic
 * over |msg| with the established context (gss_get_mic / gss_verify_mic);
 * has_integ says whether the established context has integrity
 * (GSS_C_INTEG_FLAG; NULL: it has when get_mic is set).  All NULL: no
 * integrity, no mechListMIC.  verify_mic returns NT_STATUS_OK or an error
 * (NT_STATUS_ACCESS_DENIED for a MIC that does not check).
 */
struct negoex_spnego_mic {
	NTSTATUS (*get_mic)(void *priv, TALLOC_CTX *mem_ctx, const uint8_t *msg, size_t len,
			    uint8_t **mic, size_t *mic_len);
	NTSTATUS (*verify_mic)(void *priv, const uint8_t *msg, size_t len, const uint8_t *mic,
			       size_t mic_len);
	bool (*has_integ)(void *priv);
	void *priv;
};

/* A mechanism offered beside NEGOEX (e.g. Kerberos through GSSAPI:
 * negoex/krb5/negoex_krb5.h). */
struct negoex_spnego_mech {
	struct spnego_oid oid;
	/* one context step, as negoex_engine_step: |in| NULL on the
	 * initiator's first call; OK, MORE_PROCESSING_REQUIRED or an error
	 * (an acceptor may still set *out). */
	NTSTATUS (*step)(void *priv, TALLOC_CTX *mem_ctx, const uint8_t *in, size_t in_len,
			 uint8_t **out, size_t *out_len);
	void *priv;
	struct negoex_spnego_mic mic; /* priv is its own */
};

struct negoex_spnego_config {
	enum negoex_role role;
	/* NEGOEX, offered first; NULL: not offered */
	struct negoex_engine *engine;
	/* the selected auth scheme's integrity once NEGOEX is complete
	 * (optional; NULL: none, as MIT's negoextest) */
	const struct negoex_spnego_mic *negoex_mic;
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

/* negoex_spnego_mic_exchanged: both mechListMICs were sent and verified. */
bool negoex_spnego_mic_exchanged(const struct negoex_spnego *sp);

#endif
