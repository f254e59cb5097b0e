/*
 * mech.h: the security mechanism the CredSSP engine drives (MS-CSSP 3.1.5
 * steps 1-2: "the SPNEGO handshake", and every later EncryptMessage /
 * DecryptMessage).  One interface for both roles, so the engine does not
 * know whether it runs Heimdal's GSSAPI (credssp/gss/), an NTLMSSP
 * acceptor (credssp/ntlm/) or a test fake (tests/).
 *
 * A mechanism is a vtable and an opaque context.  Ownership: once handed
 * to the engine (credssp_client_new, or a server's start callback), the
 * engine calls free() exactly once, whatever happens.
 */
#ifndef CREDSSP_MECH_H
#define CREDSSP_MECH_H

#include <stddef.h>
#include <stdint.h>

struct credssp_mech_ops {
	const char *name;
	/* 1 = complete, 0 = continue (send *out), <0 = failure (err filled, NTSTATUS in *status if known) */
	int (*step)(void *ctx, const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len, uint32_t *status, char *err, size_t errlen);
	int (*wrap)(void *ctx, const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len);   /* seal, 0 ok */
	int (*unwrap)(void *ctx, const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len); /* unseal+verify, 0 ok */
	const char *(*peer_name)(void *ctx);   /* DOMAIN\user after completion */
	void (*free)(void *ctx);
};
/* outputs are malloc'd; the caller frees (after OPENSSL_cleanse for secrets) */

/*
 * Notes for implementers:
 * - step: the initiator's first call has in == NULL, in_len == 0.  On 1
 *   (complete) *out may hold a last token to send (or be NULL, length 0).
 *   On 0, *out must be a non-empty token.  *out is NULL when nothing is
 *   returned.  |err| is a NUL-terminated message for the log: never a
 *   secret, and attacker-supplied text only if sanitised.
 * - wrap/unwrap run only after step returned 1; unwrap fails (non-zero)
 *   on a bad seal, a replay or a message that was not confidential.
 * - peer_name may return NULL before completion or when unknown.
 */

/*
 * How a server's first negoToken selected its acceptor (the engine looks
 * at the token; the caller's start callback builds the acceptor).
 */
enum credssp_mech_kind {
	/* "NTLMSSP\0": raw NTLM, as mstsc and FreeRDP send it. */
	CREDSSP_MECH_NTLM_RAW = 1,
	/* a GSSAPI initial-context token (RFC 2743 3.1, [APPLICATION 0]):
	 * SPNEGO or raw Kerberos, for Heimdal's acceptor. */
	CREDSSP_MECH_GSSAPI = 2,
	/* SPNEGO offering NTLM first, or NTLM among others when no GSSAPI
	 * acceptor is configured: the NTLM acceptor inside our SPNEGO layer
	 * (credssp/spnego_ntlm/). */
	CREDSSP_MECH_NTLM_SPNEGO = 3,
};

/* credssp_mech_kind_name: "NTLM", "GSSAPI" or "NTLM-in-SPNEGO". */
const char *credssp_mech_kind_name(enum credssp_mech_kind kind);

#endif
