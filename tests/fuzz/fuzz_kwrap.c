/*
 * fuzz_kwrap.c: libFuzzer target for the RFC 4121 wrap token checks of
 * crypto/kwrap.c, what the bpau client runs on every sealed response.
 * Input: byte 0 = token length, then the token, then the stub.  The token
 * is opened by an initiator context under a fixed key; a token that opens
 * must give back what an acceptor context over the same key sealed (the
 * round trip is checked on every input with the input's stub).
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/kwrap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t key[32] = "0123456789abcdef0123456789abcdef";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct crypto_kwrap *ini, *acc;
	uint8_t hdr[24] = {5, 0, 2, 3}, *stub, token[CRYPTO_KWRAP_DCE_TOKEN_LEN];
	size_t tok_len, stub_len;
	const char *why = NULL;

	if (size < 1 || t == NULL) {
		talloc_free(t);
		return 0;
	}
	tok_len = data[0];
	if (tok_len > size - 1) {
		tok_len = size - 1;
	}
	stub_len = size - 1 - tok_len;
	stub = talloc_zero_size(t, stub_len + 1);
	if (stub != NULL) {
		memcpy(stub, data + 1 + tok_len, stub_len);
	}
	if (stub == NULL ||
	    !NT_STATUS_IS_OK(crypto_kwrap_new(t, CRYPTO_KRB5_AES256, key, 32, true, true, 0, 0, &ini)) ||
	    !NT_STATUS_IS_OK(crypto_kwrap_new(t, CRYPTO_KRB5_AES256, key, 32, false, true, 0, 0, &acc))) {
		abort();
	}
	struct crypto_kwrap_iov iov[2] = {
		{CRYPTO_KWRAP_SIGN_ONLY, hdr, sizeof(hdr)},
		{CRYPTO_KWRAP_DATA, stub, stub_len},
	};
	/* the fuzzer's token: refused or opened, never a crash */
	(void)crypto_kwrap_unseal_dce(ini, data + 1, tok_len, iov, 2, &why);
	uint64_t seq;
	if (crypto_kwrap_token_seq(data + 1, tok_len, &seq) &&
	    (tok_len < 16 || (uint8_t)seq != data[1 + 15])) {
		abort();
	}

	/* round trip of the stub */
	memcpy(stub, data + 1 + tok_len, stub_len);
	if (!NT_STATUS_IS_OK(crypto_kwrap_seal_dce(acc, token, iov, 2))) {
		abort();
	}
	if (!NT_STATUS_IS_OK(crypto_kwrap_unseal_dce(ini, token, sizeof(token), iov, 2, &why)) ||
	    memcmp(stub, data + 1 + tok_len, stub_len) != 0) {
		abort();
	}
	talloc_free(t);
	return 0;
}
