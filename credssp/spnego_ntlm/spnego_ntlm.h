/*
 * spnego_ntlm.h: NTLM inside SPNEGO (RFC 4178, MS-SPNG) for CredSSP, what
 * Windows' Negotiate package sends when it picks NTLM.  A layer around an
 * NTLM mechanism (credssp/mech.h): the acceptor role wraps our NTLMSSP
 * acceptor (credssp/ntlm/), the initiator role our NTLMv2 initiator
 * (credssp/ntlmclient/).  The layer reads and writes the SPNEGO tokens
 * with crypto/spnego/'s codec, relays the NTLM messages, and exchanges
 * the mechListMIC (RFC 4178 section 5, MS-SPNG 3.3.5.1) with NTLM's
 * signing (MS-NLMP 3.4.4.2, ntlm_session_sign/verify).
 *
 * The rules followed (spnego_ntlm.c cites the peers):
 * - acceptor: the NegTokenInit must offer NTLM (1.3.6.1.4.1.311.2.2.10).
 *   When NTLM is the first mechanism its optimistic token, if any, is
 *   used; otherwise the reply is NegTokenResp {request-mic, supportedMech
 *   NTLM} without a responseToken, and the mechListMIC becomes required.
 *   It is also required when the client sent one or when NTLM's
 *   AUTHENTICATE carried NTLM's own MIC.  When required and absent, or
 *   when it does not verify, the exchange fails (NT_STATUS_ACCESS_DENIED).
 * - initiator: NegTokenInit {mechTypes [NTLM], mechToken NEGOTIATE},
 *   then AUTHENTICATE with our mechListMIC; the acceptor's
 *   accept-completed must carry its mechListMIC, which is verified.
 * - once complete, NTLM's RC4 streams restart (sequence numbers kept
 *   after a MIC exchange), as Samba's SPNEGO does; wrap/unwrap are then
 *   the inner mechanism's.
 */
#ifndef CREDSSP_SPNEGO_NTLM_SPNEGO_NTLM_H
#define CREDSSP_SPNEGO_NTLM_SPNEGO_NTLM_H

#include <stdbool.h>
#include <stddef.h>

#include "credssp/mech.h"

struct ntlm_session;

/* The NTLM mechanism inside, and how to reach its session security. */
struct spnego_ntlm_inner {
	const struct credssp_mech_ops *ops;
	void *ctx;
	/* the NTLM session security once ops->step returned 1 */
	struct ntlm_session *(*session)(void *ctx);
	/* acceptor only (NULL otherwise): the AUTHENTICATE message carried
	 * NTLM's MIC (MS-NLMP MsvAvFlags 0x2) */
	bool (*mic_present)(void *ctx);
};

/*
 * credssp_spnego_ntlm_new makes the layer as a CredSSP mechanism.  It
 * takes |inner| (its ops->free is called exactly once, also on failure).
 * 0 on success, -1 with |err| filled.
 */
int credssp_spnego_ntlm_new(bool initiator, const struct spnego_ntlm_inner *inner,
			    const struct credssp_mech_ops **ops, void **ctx, char *err,
			    size_t errlen);

/* The same around our own NTLM mechanisms: an acceptor context made by
 * credssp_ntlm_acceptor_new_samfile/_winbind (credssp/ntlm/ntlm.h), an
 * initiator one made by credssp_ntlm_client_new (ntlm_client.h). */
int credssp_spnego_ntlm_acceptor(const struct credssp_mech_ops *inner_ops, void *inner_ctx,
				 const struct credssp_mech_ops **ops, void **ctx, char *err,
				 size_t errlen);
int credssp_spnego_ntlm_initiator(const struct credssp_mech_ops *inner_ops, void *inner_ctx,
				  const struct credssp_mech_ops **ops, void **ctx, char *err,
				  size_t errlen);

#endif
