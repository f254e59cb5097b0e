/*
 * ntlm_client.h: an NTLMv2 initiator for the CredSSP client
 * (credssp/mech.h), raw NTLMSSP in negoTokens as FreeRDP and mstsc send
 * it: NEGOTIATE, then AUTHENTICATE with an NTLMv2 response, a MIC and
 * extended session security; sealing by credssp/ntlm/'s session code.
 *
 * Why here: Heimdal's GSSAPI NTLM initiator always sends NTLMv1-family
 * responses (credssp/ntlm/README.md), so the messages are built with
 * libheimntlm's public encoders and response functions, with key
 * exchange (KEY_EXCH; its RC4 is credssp/ntlm/'s, rc4.h).
 */
#ifndef CREDSSP_NTLMCLIENT_NTLM_CLIENT_H
#define CREDSSP_NTLMCLIENT_NTLM_CLIENT_H

#include <stddef.h>

#include "credssp/mech.h"
#include "crypto/crypto.h"

struct credssp_ntlm_client_opts {
	const char *user;
	const char *domain;                   /* may be empty */
	const char *workstation;              /* NULL: "WORKSTATION" */
	const struct crypto_secret *password; /* UTF-8, NUL-terminated */
};

/* credssp_ntlm_client_new: 0 and an initiator, or -1 with |err|. */
int credssp_ntlm_client_new(const struct credssp_ntlm_client_opts *opts,
			    const struct credssp_mech_ops **ops, void **mech_ctx, char *err,
			    size_t errlen);

/* credssp_ntlm_client_session: the session security of an initiator
 * |mech_ctx| made by credssp_ntlm_client_new, once its step returned 1
 * (NULL before): for the SPNEGO layer's mechListMIC
 * (credssp/spnego_ntlm/). */
struct ntlm_session;
struct ntlm_session *credssp_ntlm_client_session(void *mech_ctx);

#endif
