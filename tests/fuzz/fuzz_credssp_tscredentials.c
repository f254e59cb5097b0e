/*
 * fuzz_credssp_tscredentials.c: libFuzzer target for the credential
 * structures of MS-CSSP 2.2.1.2: the input is tried as TSCredentials (and
 * its credentials field as the kind credType names) and, so the fuzzer
 * reaches them directly, as TSPasswordCreds, TSSmartCardCreds and
 * TSRemoteGuardCreds.  Round trip: what parses rebuilds to the same bytes;
 * anything refused is refused as malformed input.
 */
#include <stdlib.h>
#include <string.h>

#include "credssp/credssp_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(NTSTATUS status, const struct crypto_secret *der, const uint8_t *data,
		 size_t size)
{
	if (!NT_STATUS_IS_OK(status) || der->len != size || memcmp(der->data, data, size) != 0) {
		abort();
	}
}

static void refused_cleanly(NTSTATUS status, const char *reason)
{
	if (!NT_STATUS_EQUAL(status, NT_STATUS_INVALID_PARAMETER) || reason == NULL) {
		abort();
	}
}

/* inner parses |data| as the kind |type| names and checks the round trip. */
static void inner(TALLOC_CTX *t, enum credssp_cred_type type, const uint8_t *data, size_t size)
{
	const char *reason = NULL;
	struct crypto_secret *der = NULL;
	NTSTATUS status;

	if (type == CREDSSP_CRED_PASSWORD) {
		struct credssp_tspasswordcreds *p;
		status = credssp_tspasswordcreds_parse(t, data, size, &p, &reason);
		if (NT_STATUS_IS_OK(status)) {
			same(credssp_tspasswordcreds_build(t, p, &der, NULL), der, data, size);
		}
	} else if (type == CREDSSP_CRED_SMARTCARD) {
		struct credssp_tssmartcardcreds *s;
		status = credssp_tssmartcardcreds_parse(t, data, size, &s, &reason);
		if (NT_STATUS_IS_OK(status)) {
			same(credssp_tssmartcardcreds_build(t, s, &der, NULL), der, data, size);
		}
	} else {
		struct credssp_tsremoteguardcreds *r;
		status = credssp_tsremoteguardcreds_parse(t, data, size, &r, &reason);
		if (NT_STATUS_IS_OK(status)) {
			same(credssp_tsremoteguardcreds_build(t, r, &der, NULL), der, data, size);
		}
	}
	if (!NT_STATUS_IS_OK(status)) {
		refused_cleanly(status, reason);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct credssp_tscredentials *c;
	struct crypto_secret *der = NULL;
	const char *reason = NULL;
	NTSTATUS status = credssp_tscredentials_parse(t, data, size, &c, &reason);

	if (NT_STATUS_IS_OK(status)) {
		same(credssp_tscredentials_build(t, c, &der, NULL), der, data, size);
		inner(t, c->cred_type, c->credentials->data, c->credentials->len);
	} else {
		refused_cleanly(status, reason);
	}
	inner(t, CREDSSP_CRED_PASSWORD, data, size);
	inner(t, CREDSSP_CRED_SMARTCARD, data, size);
	inner(t, CREDSSP_CRED_REMOTE_GUARD, data, size);
	talloc_free(t);
	return 0;
}
