/*
 * fuzz_x509.c: libFuzzer target for crypto_x509_parse and its accessors.
 * Every byte range it reports must lie inside the input.
 */
#include <stdlib.h>

#include "crypto/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(struct cursor c, struct cursor all)
{
	if (c.data < all.data || c.len > all.len ||
	    (size_t)(c.data - all.data) > all.len - c.len) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct crypto_x509 *x;
	char *s, **names;
	int64_t a, b;

	if (NT_STATUS_IS_OK(crypto_x509_parse(t, data, size, &x, NULL))) {
		struct cursor all = crypto_x509_der(x);
		inside(crypto_x509_tbs(x), all);
		inside(crypto_x509_spki(x), all);
		inside(crypto_x509_public_key(x), all);
		inside(crypto_x509_serial(x), all);
		inside(crypto_x509_subject_name(x), all);
		inside(crypto_x509_issuer_name(x), all);
		(void)crypto_x509_subject_cn(t, x, &s);
		(void)crypto_x509_issuer_cn(t, x, &s);
		(void)crypto_x509_subject_text(t, x);
		(void)crypto_x509_validity(x, &a, &b);
		(void)crypto_x509_dns_names(t, x, &names);
		(void)crypto_x509_key_bits(x);
	}
	talloc_free(t);
	return 0;
}
