/*
 * ntlm_heim_client.h: a test-only NTLMv2 client built on Heimdal's
 * libheimntlm (heim_ntlm_encode_type1, heim_ntlm_decode_type2,
 * heim_ntlm_decode_targetinfo, heim_ntlm_encode_targetinfo,
 * heim_ntlm_nt_key, heim_ntlm_calculate_ntlm2, heim_ntlm_calculate_lm2,
 * heim_ntlm_encode_type3): an implementation independent of our acceptor,
 * so an exchange checks the acceptor against a real peer's bytes.  The
 * session base key (an HMAC-MD5) and the key exchange (RC4K) are computed
 * through crypto/ and credssp/ntlm/rc4.h, as libheimntlm.so does not
 * export heim_ntlm_v2_base_session or heim_ntlm_keyex_wrap
 * (test_credssp_ntlm.c checks that RC4 against MS-NLMP 4.2.4.2.3).
 * Used by the unit tests (tests/unit/ntlm_fixtures.h) and by
 * tests/tools/ntlm-accept-check.c.
 */
#ifndef TESTS_TOOLS_NTLM_HEIM_CLIENT_H
#define TESTS_TOOLS_NTLM_HEIM_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "credssp/ntlm/ntlm.h"

#define NTLM_TEST_CLIENT_FLAGS                                                             \
	(NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_SIGN |      \
	 NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |  \
	 NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_VERSION |           \
	 NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_KEY_EXCH)

struct ntlm_test_client {
	const char *user, *domain, *password;
	uint32_t flags;
	bool mic;         /* announce MsvAvFlags 0x2 and send a MIC */
	bool corrupt_mic; /* flip a bit of the MIC after computing it */
	uint8_t *negotiate, *challenge;
	size_t negotiate_len, challenge_len;
	uint8_t random_session_key[16];
	uint32_t negotiated; /* the flags of the CHALLENGE */
};

/* ntlm_heim_negotiate: the NEGOTIATE_MESSAGE (kept in |c| for the MIC),
 * on mem_ctx; NULL on failure. */
uint8_t *ntlm_heim_negotiate(TALLOC_CTX *mem_ctx, struct ntlm_test_client *c, size_t *len);

/*
 * ntlm_heim_authenticate: the AUTHENTICATE_MESSAGE answering |challenge|:
 * NTLMv2 over the server's target info (with MsvAvFlags 0x2 added when
 * c->mic), LMv2, a random session key wrapped under the session base key
 * (KEY_EXCH), and the MIC over the three messages (MS-NLMP 3.1.5.1.2).
 * NULL with |*err| set on failure.
 */
uint8_t *ntlm_heim_authenticate(TALLOC_CTX *mem_ctx, struct ntlm_test_client *c,
				const uint8_t *challenge, size_t challenge_len, size_t *len,
				const char **err);

#endif
