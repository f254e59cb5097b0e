/*
 * fuzz_otpce_pkcs10.c: libFuzzer target for otpce_check_request (MS-OTPCE
 * 3.2.5.1 step 1) on hostile PKCS#10 bytes, with the spec's 4.1 user and
 * template, and with a version 1 template name.  Every refusal must say
 * why; an accepted request must be one whole DER X509_REQ whose
 * re-encoding has the same length (it parsed and nothing trailed).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "otpce/sign/sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T41 "1.3.6.1.4.1.311.21.8.221803.1567394.12993454.3845153.13972217.75.15653661.6620273"
#define DN41 "CN=User 1,CN=Users,DC=domain1,DC=corp,DC=company,DC=com"
#define UPN41 "user1@domain1.corp.company.com"

static void one(const uint8_t *data, size_t size, const char *t, const char *upn, const char *dn)
{
	char err[512];

	err[0] = '\0';
	if (otpce_check_request(data, size, t, upn, dn, err, sizeof(err)) == 0) {
		const unsigned char *p = data;
		X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)size);

		if (req == NULL || p != data + size || i2d_X509_REQ(req, NULL) <= 0) {
			abort();
		}
		X509_REQ_free(req);
	} else if (err[0] == '\0' || strlen(err) >= sizeof(err)) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(data, size, T41, UPN41, DN41);
	one(data, size, "OTPLogon", UPN41, NULL);
	return 0;
}
