/*
 * fuzz_credssp_ntlm_acceptor.c: libFuzzer target for the NTLM acceptor
 * (credssp/ntlm/acceptor.c) fed hostile client tokens.
 *
 * Input: u16le n1, n1 bytes of NEGOTIATE (n1 = 0: a valid NEGOTIATE with
 * KEY_EXCH, SEAL, SIGN, 128, ESS, VERSION), u16le n2, n2 bytes of
 * AUTHENTICATE, then the rest as a sealed message for ntlm_acceptor_unseal.
 * The backend accepts any response with a fixed session base key, so the
 * code after validation (key exchange, MsvAvFlags, MIC, session keys,
 * unsealing) is reached too.  Checks: no crash; every refusal is final
 * and leaves no peer name or key; a success has a peer name; a step after
 * the end is refused.
 */
#include <stdlib.h>
#include <string.h>

#include "credssp/ntlm/ntlm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* NEGOTIATE_MESSAGE: signature, type 1, flags 0xe2088235, two empty fields,
 * version 6.1.7600 rev 15. */
static const uint8_t valid_negotiate[] = {
	'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 1, 0, 0, 0, 0x35, 0x82, 0x08, 0xe2,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 1, 0xb0, 0x1d, 0, 0, 0, 0x0f,
};

static NTSTATUS accept_all(void *priv, TALLOC_CTX *mem_ctx, const struct ntlm_auth_request *req,
			   uint8_t key[NTLM_KEY_LEN], char **user, char **domain,
			   const char **reason)
{
	(void)priv;
	(void)reason;
	if (req->nt_response_len < 16 || req->user == NULL || req->domain == NULL) {
		abort(); /* the acceptor must have refused these itself */
	}
	memset(key, 0x5a, NTLM_KEY_LEN);
	*user = talloc_strdup(mem_ctx, req->user);
	*domain = talloc_strdup(mem_ctx, req->domain);
	return (*user != NULL && *domain != NULL) ? NT_STATUS_OK : NT_STATUS_NO_MEMORY;
}

static bool take(const uint8_t **p, size_t *left, const uint8_t **out, size_t *n)
{
	size_t len;

	if (*left < 2) {
		return false;
	}
	len = (size_t)(*p)[0] | (size_t)(*p)[1] << 8;
	*p += 2;
	*left -= 2;
	if (len > *left) {
		len = *left;
	}
	*out = *p;
	*n = len;
	*p += len;
	*left -= len;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ntlm_server_names names = { "SERVER", "DOMAIN", "server.example",
							"example" };
	struct ntlm_backend backend = { "fuzz", accept_all, NULL };
	TALLOC_CTX *t = talloc_new(NULL);
	struct ntlm_acceptor *a;
	const uint8_t *neg, *auth, *p = data;
	size_t neg_len, auth_len, left = size, out_len;
	uint8_t *out, key[NTLM_KEY_LEN];
	const char *reason = NULL;
	NTSTATUS st;

	if (!take(&p, &left, &neg, &neg_len) || !take(&p, &left, &auth, &auth_len)) {
		goto out;
	}
	if (neg_len == 0) {
		neg = valid_negotiate;
		neg_len = sizeof(valid_negotiate);
	}
	if (!NT_STATUS_IS_OK(ntlm_acceptor_new(t, &names, &backend, &a))) {
		abort();
	}
	st = ntlm_acceptor_step(a, t, neg, neg_len, &out, &out_len, &reason);
	if (!NT_STATUS_EQUAL(st, NT_STATUS_MORE_PROCESSING_REQUIRED)) {
		if (out != NULL || ntlm_acceptor_peer_name(a) != NULL ||
		    NT_STATUS_IS_OK(ntlm_acceptor_step(a, t, auth, auth_len, &out, &out_len, &reason))) {
			abort();
		}
		goto out;
	}
	if (out == NULL || out_len < 48) {
		abort();
	}
	st = ntlm_acceptor_step(a, t, auth, auth_len, &out, &out_len, &reason);
	if (!NT_STATUS_IS_OK(st)) {
		if (ntlm_acceptor_peer_name(a) != NULL || ntlm_acceptor_session_key(a, key) ||
		    NT_STATUS_IS_OK(ntlm_acceptor_unseal(a, t, p, left, &out, &out_len))) {
			abort();
		}
		goto out;
	}
	if (ntlm_acceptor_peer_name(a) == NULL || !ntlm_acceptor_session_key(a, key)) {
		abort();
	}
	st = ntlm_acceptor_unseal(a, t, p, left, &out, &out_len);
	if (NT_STATUS_IS_OK(st) && out_len + NTLM_SIGNATURE_LEN != left) {
		abort();
	}
	if (!NT_STATUS_IS_OK(ntlm_acceptor_seal(a, t, p, left, &out, &out_len)) ||
	    out_len != left + NTLM_SIGNATURE_LEN) {
		abort();
	}
	if (NT_STATUS_IS_OK(ntlm_acceptor_step(a, t, auth, auth_len, &out, &out_len, &reason))) {
		abort();
	}
out:
	talloc_free(t);
	return 0;
}
