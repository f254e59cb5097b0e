/*
 * ntlm_fixtures.h: what the NTLM acceptor tests share: the MS-NLMP
 * vectors, a SAM file in a temporary directory, and an NTLMv2 client
 * built on Heimdal's libheimntlm (heim_ntlm_encode_type1,
 * heim_ntlm_decode_type2, heim_ntlm_calculate_ntlm2, heim_ntlm_calculate_lm2,
 * heim_ntlm_encode_type3): an implementation independent of ours, so a
 * whole exchange checks our acceptor against a real peer's bytes.  The
 * session base key (an HMAC-MD5) and the key exchange (RC4K) are computed
 * here with OpenSSL through crypto/ and rc4.h, as libheimntlm.so does not
 * export heim_ntlm_v2_base_session or heim_ntlm_keyex_wrap; test_rc4_kat
 * checks that RC4 against MS-NLMP 4.2.4.2.3 first.
 * Included by test_credssp_ntlm.c, test_credssp_ntlm_exchange.c and
 * test_credssp_ntlm_samfile.c.
 */
#ifndef TESTS_UNIT_NTLM_FIXTURES_H
#define TESTS_UNIT_NTLM_FIXTURES_H

#include "credssp_fixtures.h"

#include <stdint.h>
#include <time.h>
#include <heimntlm.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "credssp/ntlm/ntlm.h"
#include "credssp/ntlm/rc4.h"

#define NTLM_VECTORS "ntlm_v2_msnlmp_4_2_4.txt"

static inline uint8_t *ntlm_vector(TALLOC_CTX *t, const char *name, size_t *len)
{
	return hex_vector(t, NTLM_VECTORS, name, len);
}

/* ntlm_vector_n: a vector that must be exactly |n| bytes. */
static inline uint8_t *ntlm_vector_n(TALLOC_CTX *t, const char *name, size_t n)
{
	size_t len;
	uint8_t *v = ntlm_vector(t, name, &len);
	assert_int_equal(len, n);
	return v;
}

/* ---- SAM files ---------------------------------------------------------- */

/* A fresh temporary directory, removed with its files by ntlm_tmpdir_free. */
static inline char *ntlm_tmpdir(TALLOC_CTX *t)
{
	char *d = talloc_strdup(t, "/tmp/test-credssp-ntlm-XXXXXX");
	assert_non_null(d);
	assert_non_null(mkdtemp(d));
	return d;
}

static inline void ntlm_tmpdir_free(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* ntlm_write_file writes |len| bytes to DIR/NAME; returns the path. */
static inline char *ntlm_write_file(TALLOC_CTX *t, const char *dir, const char *name,
				    const void *data, size_t len)
{
	char *path = talloc_asprintf(t, "%s/%s", dir, name);
	FILE *f;

	assert_non_null(path);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* The NT hash (MD4 of UTF-16LE) of |password|, as lower-case hex, through
 * Heimdal's heim_ntlm_nt_key. */
static inline char *ntlm_nt_hash_hex(TALLOC_CTX *t, const char *password)
{
	struct ntlm_buf key;
	char *hex;

	assert_int_equal(heim_ntlm_nt_key(password, &key), 0);
	assert_int_equal(key.length, 16);
	hex = crypto_hex(t, key.data, key.length);
	heim_ntlm_free_buf(&key);
	return hex;
}

/* One SAM line, as `winpr-hash -u USER -p PASS -d DOMAIN -f sam` prints it. */
static inline char *ntlm_sam_line(TALLOC_CTX *t, const char *user, const char *domain,
				  const char *password)
{
	return talloc_asprintf(t, "%s:%s::%s:::\n", user, domain, ntlm_nt_hash_hex(t, password));
}

/* ---- the Heimdal client ------------------------------------------------- */

#define NTLM_TEST_CLIENT_FLAGS                                                             \
	(NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_SIGN |      \
	 NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |  \
	 NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_VERSION |           \
	 NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_KEY_EXCH)

struct ntlm_test_client {
	const char *user, *domain, *password;
	uint32_t flags;
	bool mic;             /* announce MsvAvFlags 0x2 and send a MIC */
	bool corrupt_mic;     /* flip a bit of the MIC after computing it */
	uint8_t *negotiate, *challenge;
	size_t negotiate_len, challenge_len;
	uint8_t random_session_key[16];
	uint32_t negotiated; /* the flags of the CHALLENGE */
};

static inline struct ntlm_test_client ntlm_client(const char *user, const char *domain,
						  const char *password, uint32_t flags, bool mic)
{
	struct ntlm_test_client c = {
		.user = user, .domain = domain, .password = password, .flags = flags, .mic = mic,
	};
	return c;
}

/* NEGOTIATE_MESSAGE from Heimdal's encoder, kept for the MIC. */
static inline uint8_t *ntlm_client_negotiate(TALLOC_CTX *t, struct ntlm_test_client *c,
					     size_t *len)
{
	struct ntlm_type1 t1;
	struct ntlm_buf out;

	memset(&t1, 0, sizeof(t1));
	t1.flags = c->flags;
	assert_int_equal(heim_ntlm_encode_type1(&t1, &out), 0);
	c->negotiate = talloc_memdup(t, out.data, out.length);
	c->negotiate_len = out.length;
	heim_ntlm_free_buf(&out);
	*len = c->negotiate_len;
	return c->negotiate;
}

/*
 * AUTHENTICATE_MESSAGE for |challenge|: NTLMv2 over the server's target
 * info (with MsvAvFlags 0x2 added when c->mic), a random session key
 * wrapped under the session base key (KEY_EXCH), and the MIC over the three
 * messages (3.1.5.1.2).
 */
static inline uint8_t *ntlm_client_authenticate(TALLOC_CTX *t, struct ntlm_test_client *c,
						const uint8_t *challenge, size_t challenge_len,
						size_t *len)
{
	struct ntlm_buf in = { challenge_len, (void *)challenge };
	struct ntlm_type2 t2;
	struct ntlm_type3 t3;
	struct ntlm_targetinfo ti;
	struct ntlm_buf ti_buf, nt_key, answer, lm, out;
	unsigned char v2key[16], base[16], enc[16];
	struct ntlm_rc4 *rc4;
	size_t mic_offset = 0;
	uint8_t *msg;

	c->challenge = talloc_memdup(t, challenge, challenge_len);
	c->challenge_len = challenge_len;
	assert_int_equal(heim_ntlm_decode_type2(&in, &t2), 0);
	c->negotiated = t2.flags;

	assert_int_equal(heim_ntlm_decode_targetinfo(&t2.targetinfo, 1, &ti), 0);
	if (c->mic) {
		ti.avflags |= NTLM_AV_FLAG_MIC_PRESENT;
	}
	assert_int_equal(heim_ntlm_encode_targetinfo(&ti, 1, &ti_buf), 0);
	heim_ntlm_free_targetinfo(&ti);

	assert_int_equal(heim_ntlm_nt_key(c->password, &nt_key), 0);
	assert_int_equal(heim_ntlm_calculate_ntlm2(nt_key.data, nt_key.length, c->user,
						   c->domain, t2.challenge, &ti_buf, v2key,
						   &answer), 0);
	assert_int_equal(heim_ntlm_calculate_lm2(nt_key.data, nt_key.length, c->user,
						 c->domain, t2.challenge, v2key, &lm), 0);
	/* SessionBaseKey = HMAC_MD5(NTOWFv2, NTProofStr); KEY_EXCH: RC4K. */
	assert_true(NT_STATUS_IS_OK(crypto_hmac(CRYPTO_MD_MD5, v2key, 16, answer.data, 16, base)));
	assert_true(NT_STATUS_IS_OK(crypto_random(c->random_session_key, 16)));
	assert_true(NT_STATUS_IS_OK(ntlm_rc4_new(t, base, 16, &rc4)));
	assert_true(NT_STATUS_IS_OK(ntlm_rc4_crypt(rc4, c->random_session_key, enc, 16)));
	talloc_free(rc4);

	memset(&t3, 0, sizeof(t3));
	t3.flags = t2.flags;
	t3.username = (char *)c->user;
	t3.targetname = (char *)c->domain;
	t3.ws = (char *)"WORKSTATION";
	t3.lm = lm;
	t3.ntlm = answer;
	t3.sessionkey.data = enc;
	t3.sessionkey.length = 16;
	assert_int_equal(heim_ntlm_encode_type3(&t3, &out, c->mic ? &mic_offset : NULL), 0);
	msg = talloc_memdup(t, out.data, out.length);
	*len = out.length;
	if (c->mic) {
		size_t total = c->negotiate_len + c->challenge_len + out.length;
		uint8_t *all = talloc_size(t, total), mic[16];

		memcpy(all, c->negotiate, c->negotiate_len);
		memcpy(all + c->negotiate_len, challenge, challenge_len);
		memcpy(all + c->negotiate_len + challenge_len, out.data, out.length);
		assert_true(NT_STATUS_IS_OK(crypto_hmac(CRYPTO_MD_MD5, c->random_session_key, 16,
							all, total, mic)));
		if (c->corrupt_mic) {
			mic[3] ^= 0x01;
		}
		memcpy(msg + mic_offset, mic, 16);
	}
	heim_ntlm_free_buf(&out);
	heim_ntlm_free_buf(&lm);
	heim_ntlm_free_buf(&answer);
	heim_ntlm_free_buf(&nt_key);
	heim_ntlm_free_buf(&ti_buf);
	heim_ntlm_free_type2(&t2);
	return msg;
}

/* FILETIME to Unix seconds. */
static inline time_t ntlm_filetime_to_unix(uint64_t ft)
{
	return (time_t)(ft / 10000000u) - (time_t)11644473600;
}

static const struct ntlm_server_names ntlm_test_names = {
	.nb_computer = "SERVER",
	.nb_domain = "DOMAIN",
	.dns_computer = "server.domain.test",
	.dns_domain = "domain.test",
};

/*
 * ntlm_run_exchange: a whole exchange of |c| against a new acceptor on
 * |backend|; returns the status of the AUTHENTICATE step and leaves the
 * acceptor in |*out|.
 */
static inline NTSTATUS ntlm_run_exchange(TALLOC_CTX *t, struct ntlm_test_client *c,
					 const struct ntlm_backend *backend,
					 struct ntlm_acceptor **out, const char **reason)
{
	struct ntlm_acceptor *a;
	uint8_t *tok, *reply;
	size_t tok_len, reply_len;

	assert_true(NT_STATUS_IS_OK(ntlm_acceptor_new(t, &ntlm_test_names, backend, &a)));
	tok = ntlm_client_negotiate(t, c, &tok_len);
	assert_true(NT_STATUS_EQUAL(ntlm_acceptor_step(a, t, tok, tok_len, &reply, &reply_len,
						       reason),
				    NT_STATUS_MORE_PROCESSING_REQUIRED));
	tok = ntlm_client_authenticate(t, c, reply, reply_len, &tok_len);
	*out = a;
	return ntlm_acceptor_step(a, t, tok, tok_len, &reply, &reply_len, reason);
}

#endif
