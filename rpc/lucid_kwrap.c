/*
 * lucid_kwrap.c: see lucid_kwrap.h.
 */
#include "rpc/lucid_kwrap.h"

struct crypto_kwrap *lucid_kwrap_new(TALLOC_CTX *mem_ctx, const gss_krb5_lucid_context_v1_t *l,
				     bool initiator, uint64_t last_sent, uint64_t last_recv)
{
	const gss_krb5_lucid_key_t *key;
	struct crypto_kwrap *kw = NULL;

	/* Heimdal's export has the next sequence number out, but the peer's
	 * first one, not the next one expected (its unwrap keeps that
	 * elsewhere): the next in is one past the last token accepted. */
	if (l->version != 1 || l->protocol != 1 || (l->initiate != 0) != initiator ||
	    l->send_seq != last_sent + 1) {
		return NULL;
	}
	key = l->cfx_kd.have_acceptor_subkey ? &l->cfx_kd.acceptor_subkey : &l->cfx_kd.ctx_key;
	if (!NT_STATUS_IS_OK(crypto_kwrap_new(mem_ctx, (int)key->type, key->data, key->length,
					      initiator, l->cfx_kd.have_acceptor_subkey != 0,
					      l->send_seq, last_recv + 1, &kw))) {
		return NULL;
	}
	return kw;
}
