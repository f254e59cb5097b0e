/*
 * fuzz_otpce_signed.c: libFuzzer target for otpce_signed_request_check,
 * which otpce-client runs on the SignedCertRequest a server sends
 * (hostile to the client): CMS, PKIData, SignerInfos, certificates.  The
 * expected request is the spec's 4.1 PKCS#10, so the seed (the spec's 4.1
 * response) passes and mutations exercise every later check.  A refusal
 * must say why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otpce/sign/sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *csr;
static size_t csr_len;

static void load_csr(void)
{
	FILE *f = fopen(BPAU_SRCDIR "/tests/vectors/otpce/sign_4.1_request.der", "rb");

	csr = malloc(4096);
	if (f == NULL || csr == NULL) {
		abort();
	}
	csr_len = fread(csr, 1, 4096, f);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512], signer[256];

	if (csr == NULL) {
		load_csr();
	}
	err[0] = '\0';
	if (otpce_signed_request_check(data, size, csr, csr_len, signer, sizeof(signer), err,
				       sizeof(err)) != 0 && err[0] == '\0') {
		abort();
	}
	return 0;
}
