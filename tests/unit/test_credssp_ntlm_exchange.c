/*
 * test_credssp_ntlm_exchange.c: whole NTLM exchanges against our acceptor
 * with real peers' bytes:
 * - an NTLMv2 client built on Heimdal's libheimntlm (ntlm_fixtures.h):
 *   accepted with the right password, the session key is the client's,
 *   sealing works both ways, also through the CredSSP mechanism adapter;
 *   wrong password, corrupted MIC, a second exchange with an old
 *   AUTHENTICATE are refused;
 * - Heimdal's own GSSAPI NTLM initiator (gss_init_sec_context with the
 *   NTLM mechanism and NTLM_USER_FILE): it offers no 128-bit keys and
 *   answers with an NTLMv1-family response, so our acceptor refuses it,
 *   with reasons; and its NTLM2 session security (gss_wrap/gss_unwrap)
 *   against ours, which agree except for the SeqNum field Heimdal leaves
 *   zero (lib/gssapi/ntlm/crypto.c v2_sign_message).
 * The SAM file of these tests is written to a temporary directory.
 */
#include "ntlm_fixtures.h"

#include <gssapi/gssapi.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "credssp/mech.h"

#define PASSWORD "Secr3t-pass!"

struct fixture {
	TALLOC_CTX *t;
	char *dir;
	char *sam;
	struct ntlm_backend *backend;
};

static int setup(void **state)
{
	struct fixture *f = talloc_zero(NULL, struct fixture);
	char *text;

	f->t = f;
	f->dir = ntlm_tmpdir(f);
	text = talloc_asprintf(f, "# test users\n%s%s", ntlm_sam_line(f, "alice", "DOMAIN", PASSWORD),
			       ntlm_sam_line(f, "bob", "", "other"));
	f->sam = ntlm_write_file(f, f->dir, "SAM", text, strlen(text));
	f->backend = ntlm_backend_samfile(f, f->sam);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	ntlm_tmpdir_free(f->dir);
	talloc_free(f);
	return 0;
}

/* Seal |n| messages each way between the acceptor and a client session on
 * the client's own key. */
static void seal_both_ways(TALLOC_CTX *t, struct ntlm_acceptor *a,
			   const struct ntlm_test_client *c, int n)
{
	struct ntlm_session *cs;
	uint8_t msg[100], *out, *back;
	size_t out_len, back_len;

	assert_true(NT_STATUS_IS_OK(ntlm_session_new(t, c->random_session_key,
						     ntlm_acceptor_flags(a), false, &cs)));
	for (int i = 0; i < n; i++) {
		memset(msg, 'a' + i, sizeof(msg));
		assert_true(NT_STATUS_IS_OK(ntlm_session_seal(cs, t, msg, sizeof(msg) - (size_t)i,
							      &out, &out_len)));
		assert_true(NT_STATUS_IS_OK(ntlm_acceptor_unseal(a, t, out, out_len, &back,
								 &back_len)));
		assert_int_equal(back_len, sizeof(msg) - (size_t)i);
		assert_memory_equal(back, msg, back_len);
		assert_true(NT_STATUS_IS_OK(ntlm_acceptor_seal(a, t, msg, 7, &out, &out_len)));
		assert_true(NT_STATUS_IS_OK(ntlm_session_unseal(cs, t, out, out_len, &back,
								&back_len)));
		assert_int_equal(back_len, 7);
		assert_memory_equal(back, msg, 7);
	}
}

static void test_heimdal_client_v2_mic(void **state)
{
	struct fixture *f = *state;
	struct ntlm_test_client c = ntlm_client("alice", "DOMAIN", PASSWORD, NTLM_TEST_CLIENT_FLAGS, true);
	struct ntlm_acceptor *a;
	const char *reason = NULL;
	uint8_t key[16];

	assert_true(NT_STATUS_IS_OK(ntlm_run_exchange(f->t, &c, f->backend, &a, &reason)));
	assert_string_equal(ntlm_acceptor_peer_name(a), "DOMAIN\\alice");
	assert_true(ntlm_acceptor_session_key(a, key));
	assert_memory_equal(key, c.random_session_key, 16);
	assert_true(ntlm_acceptor_flags(a) & NTLMSSP_NEGOTIATE_KEY_EXCH);
	seal_both_ways(f->t, a, &c, 3);
}

/* An older client: no MsvAvFlags, no MIC, no key exchange. */
static void test_heimdal_client_no_mic_no_keyexch(void **state)
{
	struct fixture *f = *state;
	struct ntlm_test_client c = ntlm_client("alice", "DOMAIN", PASSWORD, NTLM_TEST_CLIENT_FLAGS & ~NTLMSSP_NEGOTIATE_KEY_EXCH, false);
	struct ntlm_acceptor *a;
	const char *reason = NULL;
	uint8_t key[16];

	assert_true(NT_STATUS_IS_OK(ntlm_run_exchange(f->t, &c, f->backend, &a, &reason)));
	assert_false(ntlm_acceptor_flags(a) & NTLMSSP_NEGOTIATE_KEY_EXCH);
	/* Without KEY_EXCH the exported key is the session base key, not the
	 * client's random key: seal with the acceptor's own view. */
	assert_true(ntlm_acceptor_session_key(a, key));
	memcpy(c.random_session_key, key, 16);
	seal_both_ways(f->t, a, &c, 2);
}

/* The user with an empty domain in the SAM file logs on from any domain
 * (FreeRDP's second lookup). */
static void test_empty_domain_line(void **state)
{
	struct fixture *f = *state;
	struct ntlm_test_client c = ntlm_client("bob", "ELSEWHERE", "other", NTLM_TEST_CLIENT_FLAGS, true);
	struct ntlm_acceptor *a;
	const char *reason = NULL;

	assert_true(NT_STATUS_IS_OK(ntlm_run_exchange(f->t, &c, f->backend, &a, &reason)));
	assert_string_equal(ntlm_acceptor_peer_name(a), "ELSEWHERE\\bob");
}

static void test_refusals(void **state)
{
	struct fixture *f = *state;
	struct ntlm_acceptor *a;
	const char *reason = NULL;
	uint8_t *msg, *reply, key[16];
	size_t reply_len;

	{
		struct ntlm_test_client c = ntlm_client("alice", "DOMAIN", "wrong", NTLM_TEST_CLIENT_FLAGS, true);
		assert_true(NT_STATUS_EQUAL(ntlm_run_exchange(f->t, &c, f->backend, &a, &reason),
					    NT_STATUS_LOGON_FAILURE));
		assert_null(ntlm_acceptor_peer_name(a));
		assert_false(ntlm_acceptor_session_key(a, key));
		assert_true(NT_STATUS_EQUAL(ntlm_acceptor_seal(a, f->t, key, 16, &msg, &reply_len),
					    NT_STATUS_INVALID_DEVICE_STATE));
	}
	{
		struct ntlm_test_client c = ntlm_client("mallory", "DOMAIN", PASSWORD, NTLM_TEST_CLIENT_FLAGS, true);
		assert_true(NT_STATUS_EQUAL(ntlm_run_exchange(f->t, &c, f->backend, &a, &reason),
					    NT_STATUS_LOGON_FAILURE));
	}
	{
		/* bob's password is right but the SAM line is for the empty
		 * domain; his name in another case is another user. */
		struct ntlm_test_client c = ntlm_client("BOB", "DOMAIN", "other", NTLM_TEST_CLIENT_FLAGS, true);
		assert_true(NT_STATUS_EQUAL(ntlm_run_exchange(f->t, &c, f->backend, &a, &reason),
					    NT_STATUS_LOGON_FAILURE));
	}
	{
		struct ntlm_test_client c = ntlm_client("alice", "DOMAIN", PASSWORD,
							NTLM_TEST_CLIENT_FLAGS, true);
		c.corrupt_mic = true;
		reason = NULL;
		assert_true(NT_STATUS_EQUAL(ntlm_run_exchange(f->t, &c, f->backend, &a, &reason),
					    NT_STATUS_INVALID_PARAMETER));
		assert_string_equal(reason, "the MIC does not verify");
	}
	{
		/* An AUTHENTICATE replayed into a new exchange: the response
		 * answers another challenge. */
		struct ntlm_test_client c = ntlm_client("alice", "DOMAIN", PASSWORD, NTLM_TEST_CLIENT_FLAGS, true);
		struct ntlm_acceptor *a2;
		uint8_t *tok, *auth;
		size_t tok_len, auth_len;

		assert_true(NT_STATUS_IS_OK(ntlm_acceptor_new(f->t, &ntlm_test_names, f->backend, &a)));
		tok = ntlm_client_negotiate(f->t, &c, &tok_len);
		assert_true(NT_STATUS_EQUAL(ntlm_acceptor_step(a, f->t, tok, tok_len, &reply,
							       &reply_len, &reason),
					    NT_STATUS_MORE_PROCESSING_REQUIRED));
		auth = ntlm_client_authenticate(f->t, &c, reply, reply_len, &auth_len);
		assert_true(NT_STATUS_IS_OK(ntlm_acceptor_step(a, f->t, auth, auth_len, &reply,
							       &reply_len, &reason)));
		assert_true(NT_STATUS_IS_OK(ntlm_acceptor_new(f->t, &ntlm_test_names, f->backend, &a2)));
		assert_true(NT_STATUS_EQUAL(ntlm_acceptor_step(a2, f->t, tok, tok_len, &reply,
							       &reply_len, &reason),
					    NT_STATUS_MORE_PROCESSING_REQUIRED));
		assert_false(NT_STATUS_IS_OK(ntlm_acceptor_step(a2, f->t, auth, auth_len, &reply,
								&reply_len, &reason)));
	}
}

/* The same exchange through the CredSSP mechanism interface. */
static void test_mech_adapter(void **state)
{
	struct fixture *f = *state;
	struct ntlm_test_client c = ntlm_client("alice", "DOMAIN", PASSWORD, NTLM_TEST_CLIENT_FLAGS, true);
	const struct credssp_mech_ops *ops;
	void *ctx;
	char err[256];
	uint8_t *tok, *out = NULL, *back;
	size_t tok_len, out_len = 0, back_len;
	uint32_t status = 0;
	struct ntlm_session *cs;
	uint8_t hash[32];

	assert_int_equal(credssp_ntlm_acceptor_new_samfile(f->sam, &ntlm_test_names, &ops, &ctx,
							   err, sizeof(err)), 0);
	assert_string_equal(ops->name, "NTLM");
	tok = ntlm_client_negotiate(f->t, &c, &tok_len);
	assert_int_equal(ops->step(ctx, tok, tok_len, &out, &out_len, &status, err, sizeof(err)), 0);
	assert_non_null(out);
	assert_null(ops->peer_name(ctx));
	tok = ntlm_client_authenticate(f->t, &c, out, out_len, &tok_len);
	free(out);
	out = NULL;
	assert_int_equal(ops->step(ctx, tok, tok_len, &out, &out_len, &status, err, sizeof(err)), 1);
	assert_null(out);
	assert_string_equal(ops->peer_name(ctx), "DOMAIN\\alice");

	/* pubKeyAuth as CredSSP 5/6 carries it: a sealed 32-byte hash. */
	memset(hash, 0x42, sizeof(hash));
	assert_true(NT_STATUS_IS_OK(ntlm_session_new(f->t, c.random_session_key,
						     c.negotiated, false, &cs)));
	assert_true(NT_STATUS_IS_OK(ntlm_session_seal(cs, f->t, hash, 32, &tok, &tok_len)));
	assert_int_equal(tok_len, 48);
	assert_int_equal(ops->unwrap(ctx, tok, tok_len, &out, &out_len), 0);
	assert_int_equal(out_len, 32);
	assert_memory_equal(out, hash, 32);
	free(out);
	tok[20] ^= 1;
	assert_int_not_equal(ops->unwrap(ctx, tok, tok_len, &out, &out_len), 0);
	assert_int_equal(ops->wrap(ctx, hash, 32, &out, &out_len), 0);
	assert_true(NT_STATUS_IS_OK(ntlm_session_unseal(cs, f->t, out, out_len, &back, &back_len)));
	assert_memory_equal(back, hash, 32);
	free(out);
	ops->free(ctx);

	/* A wrong password: -1, the NTSTATUS, a reason, and no secret. */
	{
		struct ntlm_test_client w = ntlm_client("alice", "DOMAIN", "wrong", NTLM_TEST_CLIENT_FLAGS, true);
		char *hex = ntlm_nt_hash_hex(f->t, PASSWORD);

		assert_int_equal(credssp_ntlm_acceptor_new_samfile(f->sam, NULL, &ops, &ctx, err,
								   sizeof(err)), 0);
		tok = ntlm_client_negotiate(f->t, &w, &tok_len);
		assert_int_equal(ops->step(ctx, tok, tok_len, &out, &out_len, &status, err,
					   sizeof(err)), 0);
		tok = ntlm_client_authenticate(f->t, &w, out, out_len, &tok_len);
		free(out);
		out = NULL;
		assert_int_equal(ops->step(ctx, tok, tok_len, &out, &out_len, &status, err,
					   sizeof(err)), -1);
		assert_int_equal(status, 0xc000006d);
		assert_non_null(strstr(err, "NT_STATUS_LOGON_FAILURE"));
		assert_null(strstr(err, hex));
		assert_null(strstr(err, "wrong"));
		assert_int_not_equal(ops->wrap(ctx, hash, 32, &out, &out_len), 0);
		ops->free(ctx);
	}
	/* No such file: the constructor works (the file is read per logon),
	 * the logon fails with a clear status. */
	assert_int_equal(credssp_ntlm_acceptor_new_samfile(NULL, NULL, &ops, &ctx, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "ntlm: no SAM file given");
}

/* ---- Heimdal's GSSAPI NTLM initiator ------------------------------------ */

/*
 * Heimdal 7.8's NTLM initiator leaks what it allocates in
 * gss_init_sec_context: lib/gssapi/ntlm/init_sec_context.c decodes the
 * CHALLENGE with heim_ntlm_decode_type2 and never calls
 * heim_ntlm_free_type2, and the credential it copies is not freed by
 * gss_delete_sec_context.  LeakSanitizer is told to ignore leaks whose
 * stack holds gss_init_sec_context, and nothing else (our own calls into
 * libheimntlm stay checked).  Heimdal is built without frame pointers,
 * so malloc stacks are unwound the slow way to reach that frame.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:gss_init_sec_context\n";
}

static gss_OID_desc ntlm_mech_oid = { 10, (void *)"\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a" };

/* MD4 (OpenSSL legacy provider): Heimdal's NTLMv1 session base key. */
static void md4(const uint8_t *in, size_t len, uint8_t out[16])
{
	OSSL_LIB_CTX *lib = OSSL_LIB_CTX_new();
	OSSL_PROVIDER *p = OSSL_PROVIDER_load(lib, "legacy");
	EVP_MD *md = EVP_MD_fetch(lib, "MD4", NULL);
	unsigned int n = 0;

	assert_non_null(p);
	assert_non_null(md);
	assert_int_equal(EVP_Digest(in, len, out, &n, md, NULL), 1);
	assert_int_equal(n, 16);
	EVP_MD_free(md);
	OSSL_PROVIDER_unload(p);
	OSSL_LIB_CTX_free(lib);
}

static void test_heimdal_gss_initiator(void **state)
{
	struct fixture *f = *state;
	OM_uint32 maj, min;
	gss_name_t target = GSS_C_NO_NAME;
	gss_buffer_desc name = { strlen("host@server.domain.test"), (void *)"host@server.domain.test" };
	gss_buffer_desc out = GSS_C_EMPTY_BUFFER, in, wrapped, unwrapped;
	gss_ctx_id_t gctx = GSS_C_NO_CONTEXT;
	struct ntlm_acceptor *a;
	struct ntlm_session *srv;
	struct ntlm_buf b;
	struct ntlm_type2 t2;
	struct ntlm_type3 t3;
	struct ntlm_buf nt;
	struct ntlm_rc4 *rc4;
	const char *reason = NULL;
	char *users;
	uint8_t *tok, *reply, *plain, *sealed, base[16], exported[16];
	size_t reply_len, plain_len, sealed_len;
	uint32_t flags;
	int conf;

	users = talloc_asprintf(f->t, "DOMAIN:alice:%s\n", PASSWORD);
	setenv("NTLM_USER_FILE", ntlm_write_file(f->t, f->dir, "ntlm-user", users, strlen(users)), 1);
	maj = gss_import_name(&min, &name, GSS_C_NT_HOSTBASED_SERVICE, &target);
	assert_int_equal(maj, GSS_S_COMPLETE);
	maj = gss_init_sec_context(&min, GSS_C_NO_CREDENTIAL, &gctx, target, &ntlm_mech_oid,
				   GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG, 0, GSS_C_NO_CHANNEL_BINDINGS,
				   GSS_C_NO_BUFFER, NULL, &out, NULL, NULL);
	assert_int_equal(maj, GSS_S_CONTINUE_NEEDED);

	/* As Heimdal sends it: no NTLMSSP_NEGOTIATE_128, refused. */
	assert_true(NT_STATUS_IS_OK(ntlm_acceptor_new(f->t, &ntlm_test_names, f->backend, &a)));
	assert_true(NT_STATUS_EQUAL(ntlm_acceptor_step(a, f->t, out.value, out.length, &reply,
						       &reply_len, &reason),
				    NT_STATUS_NOT_SUPPORTED));
	assert_non_null(strstr(reason, "128-bit"));

	/* With 128 added to its flags (bytes 12-15), the acceptor answers;
	 * Heimdal's AUTHENTICATE then carries a 24-byte NTLM2 session
	 * response (init_sec_context.c: "if (1 || ...)"): NTLMv1, refused. */
	tok = talloc_memdup(f->t, out.value, out.length);
	tok[15] |= 0x20;
	assert_true(NT_STATUS_IS_OK(ntlm_acceptor_new(f->t, &ntlm_test_names, f->backend, &a)));
	assert_true(NT_STATUS_EQUAL(ntlm_acceptor_step(a, f->t, tok, out.length, &reply, &reply_len,
						       &reason),
				    NT_STATUS_MORE_PROCESSING_REQUIRED));
	gss_release_buffer(&min, &out);
	in.value = reply;
	in.length = reply_len;
	maj = gss_init_sec_context(&min, GSS_C_NO_CREDENTIAL, &gctx, target, &ntlm_mech_oid,
				   GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG, 0, GSS_C_NO_CHANNEL_BINDINGS,
				   &in, NULL, &out, NULL, NULL);
	assert_int_equal(maj, GSS_S_COMPLETE);
	assert_true(NT_STATUS_EQUAL(ntlm_acceptor_step(a, f->t, out.value, out.length, &tok,
						       &sealed_len, &reason),
				    NT_STATUS_NOT_SUPPORTED));
	assert_non_null(strstr(reason, "NTLMv1"));

	/*
	 * Sealing against Heimdal's.  Its ExportedSessionKey is RC4K(MD4(NT
	 * hash), EncryptedRandomSessionKey) (heim_ntlm_build_ntlm1_master);
	 * the test computes it from the password, and our session takes the
	 * flags of our CHALLENGE, which Heimdal adopted.
	 */
	b.data = out.value;
	b.length = out.length;
	assert_int_equal(heim_ntlm_decode_type3(&b, 1, &t3), 0);
	assert_int_equal(t3.ntlm.length, 24);
	assert_int_equal(t3.sessionkey.length, 16);
	assert_int_equal(heim_ntlm_nt_key(PASSWORD, &nt), 0);
	md4(nt.data, 16, base);
	heim_ntlm_free_buf(&nt);
	assert_true(NT_STATUS_IS_OK(ntlm_rc4_new(f->t, base, 16, &rc4)));
	assert_true(NT_STATUS_IS_OK(ntlm_rc4_crypt(rc4, t3.sessionkey.data, exported, 16)));
	heim_ntlm_free_type3(&t3);
	gss_release_buffer(&min, &out);
	b.data = reply;
	b.length = reply_len;
	assert_int_equal(heim_ntlm_decode_type2(&b, &t2), 0);
	flags = t2.flags;
	heim_ntlm_free_type2(&t2);
	assert_true(NT_STATUS_IS_OK(ntlm_session_new(f->t, exported, flags, true, &srv)));

	for (uint32_t seq = 0; seq < 3; seq++) {
		uint8_t *ours;
		char text[32];

		/* Heimdal -> us.  Its token is data || signature. */
		snprintf(text, sizeof(text), "client message %u", seq);
		in.value = text;
		in.length = strlen(text);
		assert_int_equal(gss_wrap(&min, gctx, 1, GSS_C_QOP_DEFAULT, &in, &conf, &wrapped),
				 GSS_S_COMPLETE);
		assert_int_equal(wrapped.length, in.length + 16);
		ours = talloc_size(f->t, wrapped.length);
		memcpy(ours, (uint8_t *)wrapped.value + in.length, 16);
		memcpy(ours + 16, wrapped.value, in.length);
		gss_release_buffer(&min, &wrapped);
		/* Heimdal's SeqNum field is 0 in every message: the same as
		 * MS-NLMP's for the first one only. */
		assert_int_equal(ours[12], 0);
		if (seq > 0) {
			assert_true(NT_STATUS_EQUAL(ntlm_session_unseal(srv, f->t, ours, in.length + 16,
									&plain, &plain_len),
						    NT_STATUS_ACCESS_DENIED));
			ours[12] = (uint8_t)seq;
		}
		assert_true(NT_STATUS_IS_OK(ntlm_session_unseal(srv, f->t, ours, in.length + 16,
								&plain, &plain_len)));
		assert_int_equal(plain_len, in.length);
		assert_memory_equal(plain, text, plain_len);

		/* us -> Heimdal. */
		snprintf(text, sizeof(text), "server reply %u", seq);
		assert_true(NT_STATUS_IS_OK(ntlm_session_seal(srv, f->t, (uint8_t *)text, strlen(text),
							      &sealed, &sealed_len)));
		assert_int_equal(sealed[12], seq);
		wrapped.length = sealed_len;
		wrapped.value = talloc_size(f->t, sealed_len);
		memcpy(wrapped.value, sealed + 16, sealed_len - 16);
		memcpy((uint8_t *)wrapped.value + sealed_len - 16, sealed, 16);
		if (seq > 0) {
			/* gss_unwrap failing advances Heimdal's RC4 state and
			 * counter, so only the patched copy is tried. */
			((uint8_t *)wrapped.value)[sealed_len - 4] = 0;
		}
		assert_int_equal(gss_unwrap(&min, gctx, &wrapped, &unwrapped, &conf, NULL),
				 GSS_S_COMPLETE);
		assert_int_equal(unwrapped.length, strlen(text));
		assert_memory_equal(unwrapped.value, text, unwrapped.length);
		gss_release_buffer(&min, &unwrapped);
	}
	gss_delete_sec_context(&min, &gctx, GSS_C_NO_BUFFER);
	gss_release_name(&min, &target);
	unsetenv("NTLM_USER_FILE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_heimdal_client_v2_mic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_heimdal_client_no_mic_no_keyexch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_empty_domain_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mech_adapter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_heimdal_gss_initiator, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
