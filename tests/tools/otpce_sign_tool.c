/*
 * otpce_sign_tool.c: test-only.  Reads a DER PKCS#10 on standard input and
 * writes the signed request otpce_sign_request makes of it (DER) on
 * standard output, after otpce_check_request when a template and user are
 * given.  tests/cli/test_otpce_client.sh's fake server uses it to answer
 * Success.
 *   otpce-sign-tool CERT KEY [TEMPLATE UPN DN]
 * Exit 0, or 1 with the reason on standard error.
 */
#include <stdio.h>
#include <stdlib.h>

#include "otpce/sign/sign.h"

int main(int argc, char **argv)
{
	static uint8_t csr[OTPCE_CSR_MAX + 1];
	size_t len = fread(csr, 1, sizeof(csr), stdin), out_len = 0;
	uint8_t *out = NULL;
	char err[512] = "";
	struct otpce_signer *s;

	if (argc != 3 && argc != 6) {
		fprintf(stderr, "usage: otpce-sign-tool CERT KEY [TEMPLATE UPN DN] < csr.der > signed.der\n");
		return 1;
	}
	if (argc == 6 && otpce_check_request(csr, len, argv[3], argv[4][0] ? argv[4] : NULL,
					     argv[5][0] ? argv[5] : NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "check: %s\n", err);
		return 1;
	}
	s = otpce_signer_load(argv[1], argv[2], err, sizeof(err));
	if (s == NULL || otpce_sign_request(s, csr, len, &out, &out_len, err, sizeof(err)) != 0) {
		fprintf(stderr, "sign: %s\n", err);
		otpce_signer_free(s);
		return 1;
	}
	fwrite(out, 1, out_len, stdout);
	free(out);
	otpce_signer_free(s);
	return 0;
}
