/*
 * test_credssp_ntlm.c: the NTLM acceptor and session security on the
 * MS-NLMP 4.2.4 known answers (tests/vectors/credssp/ntlm_v2_msnlmp_4_2_4.txt):
 * NTOWFv2, the session base key from the specification's NTLMv2 response,
 * the specification's AUTHENTICATE message through the acceptor (key
 * exchange to the RandomSessionKey), the sealed "Plaintext" and its
 * signature; then the session's refusals (tampering, replay, flags).
 * Whole exchanges with a Heimdal-built client: test_credssp_ntlm_exchange.c;
 * the SAM file: test_credssp_ntlm_samfile.c.
 */
#include "ntlm_fixtures.h"

/* A SAM file holding User:Domain with the NT hash of "Password". */
static char *kat_samfile(TALLOC_CTX *t, const char *dir)
{
	char *line = talloc_asprintf(t, "User:Domain::%s:::\n",
				     crypto_hex(t, ntlm_vector_n(t, "NTOWFV1", 16), 16));
	return ntlm_write_file(t, dir, "SAM", line, strlen(line));
}

/* The Heimdal functions we build on give the specification's values. */
static void test_ntowf_kat(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct ntlm_buf key;
	unsigned char v2[16];
	(void)state;

	assert_int_equal(heim_ntlm_nt_key("Password", &key), 0);
	assert_int_equal(key.length, 16);
	assert_memory_equal(key.data, ntlm_vector_n(t, "NTOWFV1", 16), 16);
	assert_int_equal(heim_ntlm_ntlmv2_key(key.data, 16, "User", "Domain", 0, v2), 0);
	assert_memory_equal(v2, ntlm_vector_n(t, "NTOWFV2", 16), 16);
	heim_ntlm_free_buf(&key);
	talloc_free(t);
}

/* 4.2.4.2.3: RC4K(SessionBaseKey, RandomSessionKey), through rc4.c (OpenSSL
 * legacy provider); then the stream continues across calls. */
static void test_rc4_kat(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct ntlm_rc4 *r, *a, *b;
	uint8_t out[16], x[8], y[8];
	(void)state;

	assert_true(NT_STATUS_IS_OK(ntlm_rc4_new(t, ntlm_vector_n(t, "SESSION_BASE_KEY", 16), 16, &r)));
	assert_true(NT_STATUS_IS_OK(ntlm_rc4_crypt(r, ntlm_vector_n(t, "RANDOM_SESSION_KEY", 16),
						   out, 16)));
	assert_memory_equal(out, ntlm_vector_n(t, "ENCRYPTED_SESSION_KEY", 16), 16);
	/* A copy continues from the same position, independently. */
	assert_true(NT_STATUS_IS_OK(ntlm_rc4_dup(t, r, &a)));
	assert_true(NT_STATUS_IS_OK(ntlm_rc4_dup(t, r, &b)));
	memset(x, 0, 8);
	memset(y, 0, 8);
	assert_true(NT_STATUS_IS_OK(ntlm_rc4_crypt(a, x, x, 8)));
	assert_true(NT_STATUS_IS_OK(ntlm_rc4_crypt(b, y, y, 8)));
	assert_memory_equal(x, y, 8);
	assert_true(NT_STATUS_IS_OK(ntlm_rc4_crypt(a, x, x, 8)));
	assert_memory_not_equal(x, y, 8);
	talloc_free(t);
}

/* 4.2.4.2.2 -> 4.2.4.1.2: the SAM backend checks the NTLMv2 response and
 * derives the session base key; a wrong hash is a logon failure. */
static void test_samfile_backend_kat(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	char *dir = ntlm_tmpdir(t);
	struct ntlm_backend *b = ntlm_backend_samfile(t, kat_samfile(t, dir));
	struct ntlm_auth_request req;
	uint8_t key[16];
	char *user = NULL, *domain = NULL;
	const char *reason = NULL;
	uint8_t *resp;
	size_t resp_len;
	(void)state;

	memset(&req, 0, sizeof(req));
	req.user = "User";
	req.domain = "Domain";
	req.workstation = "COMPUTER";
	memcpy(req.server_challenge, ntlm_vector_n(t, "SERVER_CHALLENGE", 8), 8);
	resp = ntlm_vector(t, "NT_RESPONSE", &resp_len);
	req.nt_response = resp;
	req.nt_response_len = resp_len;
	assert_true(NT_STATUS_IS_OK(b->validate(b->priv, t, &req, key, &user, &domain, &reason)));
	assert_memory_equal(key, ntlm_vector_n(t, "SESSION_BASE_KEY", 16), 16);
	assert_string_equal(user, "User");
	assert_string_equal(domain, "Domain");

	/* Another challenge: the response no longer verifies. */
	req.server_challenge[0] ^= 1;
	assert_true(NT_STATUS_EQUAL(b->validate(b->priv, t, &req, key, &user, &domain, &reason),
				    NT_STATUS_LOGON_FAILURE));
	req.server_challenge[0] ^= 1;
	/* A tampered NTLMv2 blob (its timestamp): refused. */
	resp[24] ^= 0x80;
	assert_true(NT_STATUS_EQUAL(b->validate(b->priv, t, &req, key, &user, &domain, &reason),
				    NT_STATUS_LOGON_FAILURE));
	resp[24] ^= 0x80;
	/* The user name differs in case: NTOWFv2 uppercases the user, and
	 * FreeRDP's SAM lookup is case-sensitive: no SAM line, logon failure. */
	req.user = "user";
	assert_true(NT_STATUS_EQUAL(b->validate(b->priv, t, &req, key, &user, &domain, &reason),
				    NT_STATUS_LOGON_FAILURE));
	ntlm_tmpdir_free(dir);
	talloc_free(t);
}

/*
 * The acceptor with the specification's AUTHENTICATE message (4.2.4.3).
 * Its response answers the server challenge 0123456789abcdef, while the
 * acceptor draws a fresh one: this test-only backend checks the response
 * against the specification's challenge, through the real SAM backend.
 */
struct kat_backend {
	struct ntlm_backend *inner;
};

static NTSTATUS kat_validate(void *priv, TALLOC_CTX *mem_ctx, const struct ntlm_auth_request *req,
			     uint8_t key[NTLM_KEY_LEN], char **user, char **domain,
			     const char **reason)
{
	struct kat_backend *k = priv;
	struct ntlm_auth_request r = *req;
	static const uint8_t spec_challenge[8] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };

	memcpy(r.server_challenge, spec_challenge, 8);
	return k->inner->validate(k->inner->priv, mem_ctx, &r, key, user, domain, reason);
}

static void test_acceptor_kat(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	char *dir = ntlm_tmpdir(t);
	struct kat_backend kb = { ntlm_backend_samfile(t, kat_samfile(t, dir)) };
	struct ntlm_backend b = { "kat", kat_validate, &kb };
	struct ntlm_acceptor *a;
	struct ntlm_test_client c = { .flags = 0xe2888235 & ~0x2u /* no OEM */ };
	struct ntlm_type2 t2;
	struct ntlm_targetinfo ti;
	struct ntlm_buf cb;
	uint8_t *tok, *reply, *msg, *plain, key[16];
	size_t tok_len, reply_len, msg_len, plain_len, sealed_len, sig_len;
	const char *reason = NULL;
	(void)state;

	assert_true(NT_STATUS_IS_OK(ntlm_acceptor_new(t, &ntlm_test_names, &b, &a)));
	assert_null(ntlm_acceptor_peer_name(a));
	tok = ntlm_client_negotiate(t, &c, &tok_len);
	assert_true(NT_STATUS_EQUAL(ntlm_acceptor_step(a, t, tok, tok_len, &reply, &reply_len,
						       &reason),
				    NT_STATUS_MORE_PROCESSING_REQUIRED));

	/* The CHALLENGE, read by Heimdal's decoder: our flags and names. */
	cb.data = reply;
	cb.length = reply_len;
	assert_int_equal(heim_ntlm_decode_type2(&cb, &t2), 0);
	assert_int_equal(t2.flags,
			 NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_REQUEST_TARGET |
				 NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL |
				 NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
				 NTLMSSP_TARGET_TYPE_DOMAIN |
				 NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
				 NTLMSSP_NEGOTIATE_TARGET_INFO | NTLMSSP_NEGOTIATE_VERSION |
				 NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_KEY_EXCH);
	assert_false(t2.flags & (NTLMSSP_NEGOTIATE_56 | NTLMSSP_NEGOTIATE_LM_KEY | 0x2u));
	assert_string_equal(t2.targetname, "DOMAIN");
	assert_int_equal(heim_ntlm_decode_targetinfo(&t2.targetinfo, 1, &ti), 0);
	assert_string_equal(ti.servername, "SERVER");
	assert_string_equal(ti.domainname, "DOMAIN");
	assert_string_equal(ti.dnsservername, "server.domain.test");
	assert_string_equal(ti.dnsdomainname, "domain.test");
	/* MsvAvTimestamp within a minute of now (so clients send a MIC). */
	assert_true(ti.timestamp != 0);
	assert_true(labs((long)(ntlm_filetime_to_unix(ti.timestamp) - time(NULL))) < 60);
	heim_ntlm_free_targetinfo(&ti);
	heim_ntlm_free_type2(&t2);

	msg = ntlm_vector(t, "AUTHENTICATE_MESSAGE", &msg_len);
	assert_true(NT_STATUS_IS_OK(ntlm_acceptor_step(a, t, msg, msg_len, &reply, &reply_len,
						       &reason)));
	assert_null(reply);
	assert_string_equal(ntlm_acceptor_peer_name(a), "Domain\\User");
	/* KEY_EXCH: ExportedSessionKey = RC4K(SessionBaseKey, c5da...) = 55 x 16. */
	assert_true(ntlm_acceptor_session_key(a, key));
	assert_memory_equal(key, ntlm_vector_n(t, "RANDOM_SESSION_KEY", 16), 16);

	/* 4.2.4.4: the client's sealed "Plaintext" unseals. */
	{
		uint8_t *sig = ntlm_vector(t, "SIGNATURE", &sig_len);
		uint8_t *sealed = ntlm_vector(t, "SEALED", &sealed_len);
		uint8_t *in = talloc_size(t, sig_len + sealed_len);
		size_t want_len;
		uint8_t *want = ntlm_vector(t, "PLAINTEXT", &want_len);

		memcpy(in, sig, sig_len);
		memcpy(in + sig_len, sealed, sealed_len);
		assert_true(NT_STATUS_IS_OK(ntlm_acceptor_unseal(a, t, in, sig_len + sealed_len,
								 &plain, &plain_len)));
		assert_int_equal(plain_len, want_len);
		assert_memory_equal(plain, want, want_len);
	}
	/* The exchange is over. */
	assert_true(NT_STATUS_EQUAL(ntlm_acceptor_step(a, t, msg, msg_len, &reply, &reply_len,
						       &reason),
				    NT_STATUS_INVALID_DEVICE_STATE));
	ntlm_tmpdir_free(dir);
	talloc_free(t);
}

/* 4.2.4.4: sealing "Plaintext" as the client with SeqNum 0. */
static void test_session_seal_kat(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct ntlm_session *client, *server;
	size_t plain_len, out_len, back_len;
	uint8_t *plain = ntlm_vector(t, "PLAINTEXT", &plain_len), *out, *back;
	(void)state;

	assert_true(NT_STATUS_IS_OK(ntlm_session_new(t, ntlm_vector_n(t, "RANDOM_SESSION_KEY", 16),
						     0xe2888235, false, &client)));
	assert_true(NT_STATUS_IS_OK(ntlm_session_seal(client, t, plain, plain_len, &out, &out_len)));
	assert_int_equal(out_len, 16 + plain_len);
	assert_memory_equal(out, ntlm_vector_n(t, "SIGNATURE", 16), 16);
	assert_memory_equal(out + 16, ntlm_vector_n(t, "SEALED", plain_len), plain_len);

	/* The server side reads it, then both ways with growing SeqNums. */
	assert_true(NT_STATUS_IS_OK(ntlm_session_new(t, ntlm_vector_n(t, "RANDOM_SESSION_KEY", 16),
						     0xe2888235, true, &server)));
	assert_true(NT_STATUS_IS_OK(ntlm_session_unseal(server, t, out, out_len, &back, &back_len)));
	assert_int_equal(back_len, plain_len);
	assert_memory_equal(back, plain, plain_len);
	for (uint32_t i = 1; i < 4; i++) {
		uint8_t msg[40];
		memset(msg, (int)i, sizeof(msg));
		assert_true(NT_STATUS_IS_OK(ntlm_session_seal(server, t, msg, sizeof(msg), &out,
							      &out_len)));
		/* SeqNum in the signature (2.2.2.9.2): the server's own count. */
		assert_int_equal(out[12], i - 1);
		assert_true(NT_STATUS_IS_OK(ntlm_session_unseal(client, t, out, out_len, &back,
								&back_len)));
		assert_int_equal(back_len, sizeof(msg));
		assert_memory_equal(back, msg, sizeof(msg));
		assert_true(NT_STATUS_IS_OK(ntlm_session_seal(client, t, msg, sizeof(msg), &out,
							      &out_len)));
		assert_int_equal(out[12], i);
		assert_true(NT_STATUS_IS_OK(ntlm_session_unseal(server, t, out, out_len, &back,
								&back_len)));
		assert_memory_equal(back, msg, sizeof(msg));
	}
	/* An empty message seals to a bare signature and back. */
	assert_true(NT_STATUS_IS_OK(ntlm_session_seal(client, t, NULL, 0, &out, &out_len)));
	assert_int_equal(out_len, 16);
	assert_true(NT_STATUS_IS_OK(ntlm_session_unseal(server, t, out, out_len, &back, &back_len)));
	assert_int_equal(back_len, 0);
	talloc_free(t);
}

/* Without KEY_EXCH the checksum is the HMAC in clear (3.4.4.2), keyed
 * with the 4.2.4.4 client signing key. */
static void test_session_no_key_exch(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct ntlm_session *client;
	size_t plain_len, out_len;
	uint8_t *plain = ntlm_vector(t, "PLAINTEXT", &plain_len), *out, mac[16], buf[64];
	(void)state;

	assert_true(NT_STATUS_IS_OK(ntlm_session_new(t, ntlm_vector_n(t, "RANDOM_SESSION_KEY", 16),
						     0xe2888235 & ~NTLMSSP_NEGOTIATE_KEY_EXCH,
						     false, &client)));
	assert_true(NT_STATUS_IS_OK(ntlm_session_seal(client, t, plain, plain_len, &out, &out_len)));
	memset(buf, 0, 4);
	memcpy(buf + 4, plain, plain_len);
	assert_true(NT_STATUS_IS_OK(crypto_hmac(CRYPTO_MD_MD5,
						ntlm_vector_n(t, "CLIENT_SIGNING_KEY", 16), 16,
						buf, 4 + plain_len, mac)));
	assert_memory_equal(out + 4, mac, 8);
	/* The data is sealed the same way with or without KEY_EXCH. */
	assert_memory_equal(out + 16, ntlm_vector_n(t, "SEALED", plain_len), plain_len);
	talloc_free(t);
}

/* Tampering, truncation and replay are refused, and a refusal leaves the
 * session as it was: the genuine message still unseals afterwards. */
static void test_session_refusals(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	const uint8_t *key = ntlm_vector_n(t, "RANDOM_SESSION_KEY", 16);
	struct ntlm_session *client, *server;
	uint8_t msg[32] = "pubKeyAuth, or so", *out, *back;
	size_t out_len, back_len, i;
	(void)state;

	assert_true(NT_STATUS_IS_OK(ntlm_session_new(t, key, 0xe2888235, false, &client)));
	assert_true(NT_STATUS_IS_OK(ntlm_session_new(t, key, 0xe2888235, true, &server)));
	assert_true(NT_STATUS_IS_OK(ntlm_session_seal(client, t, msg, sizeof(msg), &out, &out_len)));
	for (i = 0; i < out_len; i++) {
		for (int bit = 0; bit < 8; bit += 7) {
			out[i] ^= (uint8_t)(1u << bit);
			assert_true(NT_STATUS_EQUAL(ntlm_session_unseal(server, t, out, out_len,
									&back, &back_len),
						    NT_STATUS_ACCESS_DENIED));
			out[i] ^= (uint8_t)(1u << bit);
		}
	}
	for (i = 0; i < 16; i++) {
		assert_true(NT_STATUS_EQUAL(ntlm_session_unseal(server, t, out, i, &back, &back_len),
					    NT_STATUS_INVALID_PARAMETER));
	}
	for (i = 16; i < out_len; i++) {
		assert_true(NT_STATUS_EQUAL(ntlm_session_unseal(server, t, out, i, &back, &back_len),
					    NT_STATUS_ACCESS_DENIED));
	}
	assert_true(NT_STATUS_IS_OK(ntlm_session_unseal(server, t, out, out_len, &back, &back_len)));
	assert_memory_equal(back, msg, sizeof(msg));
	/* The same message again (a replay): SeqNum 0 is spent. */
	assert_true(NT_STATUS_EQUAL(ntlm_session_unseal(server, t, out, out_len, &back, &back_len),
				    NT_STATUS_ACCESS_DENIED));
	/* The server's own sealed message reflected back to it: other keys. */
	assert_true(NT_STATUS_IS_OK(ntlm_session_seal(server, t, msg, sizeof(msg), &out, &out_len)));
	assert_true(NT_STATUS_EQUAL(ntlm_session_unseal(server, t, out, out_len, &back, &back_len),
				    NT_STATUS_ACCESS_DENIED));
	/* Weak or legacy session security is refused outright. */
	assert_true(NT_STATUS_EQUAL(ntlm_session_new(t, key, 0xe2888235 & ~NTLMSSP_NEGOTIATE_128,
						     true, &server),
				    NT_STATUS_NOT_SUPPORTED));
	assert_true(NT_STATUS_EQUAL(
		ntlm_session_new(t, key, 0xe2888235 & ~NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY,
				 true, &server),
		NT_STATUS_NOT_SUPPORTED));
	talloc_free(t);
}

/* NEGOTIATE messages the acceptor refuses, each with a reason. */
static void test_acceptor_negotiate_refusals(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct ntlm_backend *b = ntlm_backend_samfile(t, "/nonexistent/SAM");
	static const uint32_t drop[] = { NTLMSSP_NEGOTIATE_UNICODE, NTLMSSP_NEGOTIATE_128,
					 NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY };
	struct ntlm_acceptor *a;
	uint8_t *tok, *reply;
	size_t tok_len, reply_len, i;
	(void)state;

	for (i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
		struct ntlm_test_client c = { .flags = NTLM_TEST_CLIENT_FLAGS & ~drop[i] };
		const char *reason = NULL;

		if (drop[i] == NTLMSSP_NEGOTIATE_UNICODE) {
			c.flags |= 0x2u; /* OEM */
		}
		assert_true(NT_STATUS_IS_OK(ntlm_acceptor_new(t, &ntlm_test_names, b, &a)));
		tok = ntlm_client_negotiate(t, &c, &tok_len);
		assert_true(NT_STATUS_EQUAL(ntlm_acceptor_step(a, t, tok, tok_len, &reply,
							       &reply_len, &reason),
					    NT_STATUS_NOT_SUPPORTED));
		assert_non_null(reason);
		assert_null(reply);
		/* A refused exchange stays refused. */
		assert_true(NT_STATUS_EQUAL(ntlm_acceptor_step(a, t, tok, tok_len, &reply,
							       &reply_len, &reason),
					    NT_STATUS_INVALID_DEVICE_STATE));
	}
	/* Not an NTLMSSP message, empty, over-long. */
	{
		uint8_t junk[70000];
		const char *reason = NULL;

		memset(junk, 'A', sizeof(junk));
		for (size_t n = 0; n <= 1; n++) {
			assert_true(NT_STATUS_IS_OK(ntlm_acceptor_new(t, &ntlm_test_names, b, &a)));
			assert_true(NT_STATUS_EQUAL(ntlm_acceptor_step(a, t, junk, n == 0 ? 40 : 0,
								       &reply, &reply_len, &reason),
						    NT_STATUS_INVALID_PARAMETER));
		}
		assert_true(NT_STATUS_IS_OK(ntlm_acceptor_new(t, &ntlm_test_names, b, &a)));
		assert_true(NT_STATUS_EQUAL(ntlm_acceptor_step(a, t, junk, sizeof(junk), &reply,
							       &reply_len, &reason),
					    NT_STATUS_INVALID_PARAMETER));
	}
	/* Names are required. */
	{
		struct ntlm_server_names n = ntlm_test_names;
		n.nb_domain = NULL;
		assert_true(NT_STATUS_EQUAL(ntlm_acceptor_new(t, &n, b, &a),
					    NT_STATUS_INVALID_PARAMETER));
	}
	talloc_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ntowf_kat),
		cmocka_unit_test(test_rc4_kat),
		cmocka_unit_test(test_samfile_backend_kat),
		cmocka_unit_test(test_acceptor_kat),
		cmocka_unit_test(test_session_seal_kat),
		cmocka_unit_test(test_session_no_key_exch),
		cmocka_unit_test(test_session_refusals),
		cmocka_unit_test(test_acceptor_negotiate_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
