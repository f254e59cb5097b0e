/*
 * ntlm_heim_client.c: the test-only NTLMv2 client on Heimdal's libheimntlm
 * (ntlm_heim_client.h).
 */
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <heimntlm.h> /* needs stdint.h and time.h first */

#include "crypto/crypto.h"
#include "credssp/ntlm/rc4.h"
#include "tests/tools/ntlm_heim_client.h"

uint8_t *ntlm_heim_negotiate(TALLOC_CTX *mem_ctx, struct ntlm_test_client *c, size_t *len)
{
	struct ntlm_type1 t1;
	struct ntlm_buf out;

	memset(&t1, 0, sizeof(t1));
	t1.flags = c->flags;
	if (heim_ntlm_encode_type1(&t1, &out) != 0) {
		return NULL;
	}
	c->negotiate = talloc_memdup(mem_ctx, out.data, out.length);
	c->negotiate_len = out.length;
	heim_ntlm_free_buf(&out);
	*len = c->negotiate_len;
	return c->negotiate;
}

uint8_t *ntlm_heim_authenticate(TALLOC_CTX *mem_ctx, struct ntlm_test_client *c,
				const uint8_t *challenge, size_t challenge_len, size_t *len,
				const char **err)
{
	struct ntlm_buf in = { challenge_len, (void *)challenge };
	struct ntlm_type2 t2;
	struct ntlm_type3 t3;
	struct ntlm_targetinfo ti;
	struct ntlm_buf ti_buf = { 0, NULL }, nt_key = { 0, NULL }, answer = { 0, NULL };
	struct ntlm_buf lm = { 0, NULL }, out = { 0, NULL };
	unsigned char v2key[16], base[16], enc[16];
	struct ntlm_rc4 *rc4 = NULL;
	size_t mic_offset = 0;
	uint8_t *msg = NULL;

	memset(&t2, 0, sizeof(t2));
	c->challenge = talloc_memdup(mem_ctx, challenge, challenge_len);
	c->challenge_len = challenge_len;
	if (c->challenge == NULL) {
		*err = "out of memory";
		return NULL;
	}
	if (heim_ntlm_decode_type2(&in, &t2) != 0) {
		*err = "heim_ntlm_decode_type2 refused the CHALLENGE";
		return NULL;
	}
	c->negotiated = t2.flags;
	if (heim_ntlm_decode_targetinfo(&t2.targetinfo, 1, &ti) != 0) {
		heim_ntlm_free_targetinfo(&ti);
		*err = "heim_ntlm_decode_targetinfo refused the CHALLENGE's target info";
		goto out;
	}
	if (c->mic) {
		ti.avflags |= NTLM_AV_FLAG_MIC_PRESENT;
	}
	if (heim_ntlm_encode_targetinfo(&ti, 1, &ti_buf) != 0) {
		heim_ntlm_free_targetinfo(&ti);
		*err = "heim_ntlm_encode_targetinfo failed";
		goto out;
	}
	heim_ntlm_free_targetinfo(&ti);
	if (heim_ntlm_nt_key(c->password, &nt_key) != 0 ||
	    heim_ntlm_calculate_ntlm2(nt_key.data, nt_key.length, c->user, c->domain,
				      t2.challenge, &ti_buf, v2key, &answer) != 0 ||
	    heim_ntlm_calculate_lm2(nt_key.data, nt_key.length, c->user, c->domain, t2.challenge,
				    v2key, &lm) != 0) {
		*err = "heim_ntlm_calculate_ntlm2 failed";
		goto out;
	}
	/* SessionBaseKey = HMAC_MD5(NTOWFv2, NTProofStr); KEY_EXCH: RC4K. */
	if (!NT_STATUS_IS_OK(crypto_hmac(CRYPTO_MD_MD5, v2key, 16, answer.data, 16, base)) ||
	    !NT_STATUS_IS_OK(crypto_random(c->random_session_key, 16)) ||
	    !NT_STATUS_IS_OK(ntlm_rc4_new(mem_ctx, base, 16, &rc4)) ||
	    !NT_STATUS_IS_OK(ntlm_rc4_crypt(rc4, c->random_session_key, enc, 16))) {
		*err = "session key computation failed";
		goto out;
	}
	memset(&t3, 0, sizeof(t3));
	t3.flags = t2.flags;
	t3.username = (char *)c->user;
	t3.targetname = (char *)c->domain;
	t3.ws = (char *)"WORKSTATION";
	t3.lm = lm;
	t3.ntlm = answer;
	t3.sessionkey.data = enc;
	t3.sessionkey.length = 16;
	if (heim_ntlm_encode_type3(&t3, &out, c->mic ? &mic_offset : NULL) != 0) {
		*err = "heim_ntlm_encode_type3 failed";
		goto out;
	}
	msg = talloc_memdup(mem_ctx, out.data, out.length);
	if (msg == NULL) {
		*err = "out of memory";
		goto out;
	}
	*len = out.length;
	if (c->mic) {
		size_t total = c->negotiate_len + c->challenge_len + out.length;
		uint8_t *all = talloc_size(mem_ctx, total), mic[16];

		if (all == NULL) {
			*err = "out of memory";
			TALLOC_FREE(msg);
			goto out;
		}
		memcpy(all, c->negotiate, c->negotiate_len);
		memcpy(all + c->negotiate_len, challenge, challenge_len);
		memcpy(all + c->negotiate_len + challenge_len, out.data, out.length);
		if (!NT_STATUS_IS_OK(crypto_hmac(CRYPTO_MD_MD5, c->random_session_key, 16, all,
						 total, mic))) {
			*err = "MIC computation failed";
			TALLOC_FREE(msg);
			talloc_free(all);
			goto out;
		}
		talloc_free(all);
		if (c->corrupt_mic) {
			mic[3] ^= 0x01;
		}
		memcpy(msg + mic_offset, mic, 16);
	}
out:
	talloc_free(rc4);
	crypto_wipe(v2key, sizeof(v2key));
	crypto_wipe(base, sizeof(base));
	heim_ntlm_free_buf(&out);
	heim_ntlm_free_buf(&lm);
	heim_ntlm_free_buf(&answer);
	heim_ntlm_free_buf(&nt_key);
	heim_ntlm_free_buf(&ti_buf);
	heim_ntlm_free_type2(&t2);
	return msg;
}
