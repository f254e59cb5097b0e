/*
 * test_kwrap.c: crypto/kwrap.c (RFC 3961 n-fold and DK, RFC 3962
 * aes-cts-hmac-sha1-96, RFC 4121 DCE-style wrap tokens on OpenSSL)
 * against RFC 3961's published n-fold results and against Heimdal's
 * libkrb5 (the Kerberos library of the bpau client and, in Samba's
 * copy, of the DC): key derivation, and whole tokens sealed by one and
 * opened by the other in both directions, for both AES enctypes and for
 * message sizes around the block boundaries that ciphertext stealing
 * treats differently.  Then the refusals: tampering, replay, a wrong
 * direction, malformed tokens.
 */
#include "helpers.h"

#include <krb5.h>

#include "crypto/kwrap.h"

/* Heimdal exports its n-fold without a prototype in the public headers. */
krb5_error_code _krb5_n_fold(const void *str, size_t len, void *key, size_t size);

/* RFC 3961 appendix A.1. */
static void test_nfold_rfc3961(void **state)
{
	static const struct {
		const char *in;
		size_t bits;
		const char *out;
	} v[] = {
		{"012345", 64, "be072631276b1955"},
		{"password", 56, "78a07b6caf85fa"},
		{"Rough Consensus, and Running Code", 64, "bb6ed30870b7f0e0"},
		{"password", 168, "59e4a8ca7c0385c3c37b3f6d2000247cb6e6bd5b3e"},
		{"MASSACHVSETTS INSTITVTE OF TECHNOLOGY", 192,
		 "db3b0d8f0b061e603282b308a50841229ad798fab9540c1b"},
		{"Q", 168, "518a54a215a8452a518a54a215a8452a518a54a215"},
		{"ba", 168, "fb25d531ae8974499f52fd92ea9857c4ba24cf297e"},
		{"kerberos", 64, "6b65726265726f73"},
		{"kerberos", 128, "6b65726265726f737b9b5b2b93132b93"},
		{"kerberos", 168, "8372c236344e5f1550cd0747e15d62ca7a5a3bcea4"},
		{"kerberos", 256, "6b65726265726f737b9b5b2b93132b935c9bdcdad95c9899c4cae4dee6d6cae4"},
	};
	TALLOC_CTX *t = talloc_new(NULL);
	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t got[32];
		size_t n = v[i].bits / 8;
		crypto_krb5_nfold((const uint8_t *)v[i].in, strlen(v[i].in), got, n);
		assert_string_equal(crypto_hex(t, got, n), v[i].out);
	}
	talloc_free(t);
}

static void test_nfold_vs_heimdal(void **state)
{
	(void)state;
	for (size_t in_len = 1; in_len <= 40; in_len++) {
		for (size_t out_len = 7; out_len <= 32; out_len++) {
			uint8_t in[40], ours[32], theirs[32];
			assert_true(NT_STATUS_IS_OK(crypto_random(in, in_len)));
			crypto_krb5_nfold(in, in_len, ours, out_len);
			assert_int_equal(_krb5_n_fold(in, in_len, theirs, out_len), 0);
			assert_memory_equal(ours, theirs, out_len);
		}
	}
}

struct heim {
	krb5_context ctx;
	krb5_keyblock kb;
	krb5_crypto crypto;
	uint8_t key[32];
	size_t key_len;
	int enctype;
};

static void heim_init(struct heim *h, int enctype)
{
	memset(h, 0, sizeof(*h));
	h->enctype = enctype;
	h->key_len = enctype == CRYPTO_KRB5_AES128 ? 16 : 32;
	assert_true(NT_STATUS_IS_OK(crypto_random(h->key, h->key_len)));
	assert_int_equal(krb5_init_context(&h->ctx), 0);
	h->kb.keytype = enctype;
	h->kb.keyvalue.data = h->key;
	h->kb.keyvalue.length = h->key_len;
	assert_int_equal(krb5_crypto_init(h->ctx, &h->kb, 0, &h->crypto), 0);
}

static void heim_free(struct heim *h)
{
	krb5_crypto_destroy(h->ctx, h->crypto);
	krb5_free_context(h->ctx);
}

static void test_derive_vs_heimdal(void **state)
{
	(void)state;
	for (int e = CRYPTO_KRB5_AES128; e <= CRYPTO_KRB5_AES256; e++) {
		for (unsigned usage = 20; usage < 28; usage++) {
			for (int kind = 0; kind < 3; kind++) {
				static const uint8_t kinds[] = {0x99, 0xAA, 0x55};
				uint8_t c[5] = {0, 0, 0, (uint8_t)usage, kinds[kind]}, ours[32];
				krb5_keyblock *derived = NULL;
				struct heim h;

				heim_init(&h, e);
				assert_true(NT_STATUS_IS_OK(
					crypto_krb5_derive(e, h.key, h.key_len, c, sizeof(c), ours)));
				assert_int_equal(krb5_derive_key(h.ctx, &h.kb, e, c, sizeof(c), &derived), 0);
				assert_int_equal(derived->keyvalue.length, h.key_len);
				assert_memory_equal(ours, derived->keyvalue.data, h.key_len);
				krb5_free_keyblock(h.ctx, derived);
				heim_free(&h);
			}
		}
	}
	uint8_t out[32];
	assert_int_equal(NT_STATUS_V(crypto_krb5_derive(23, (const uint8_t *)"0123456789abcdef", 16,
							 (const uint8_t *)"x", 1, out)),
			 NT_STATUS_V(NT_STATUS_NOT_SUPPORTED));
}

/*
 * A DCE/RPC-like message: a 24-byte header (sign only), the stub (sealed),
 * an 8-byte trailer (sign only); the token as bpau's client lays it out.
 */
struct msg {
	uint8_t hdr[24], stub[3000], trailer[8], token[CRYPTO_KWRAP_DCE_TOKEN_LEN + 16];
	size_t stub_len, token_len;
};

static void msg_fill(struct msg *m, size_t stub_len)
{
	assert_true(NT_STATUS_IS_OK(crypto_random(m->hdr, sizeof(m->hdr))));
	assert_true(NT_STATUS_IS_OK(crypto_random(m->stub, stub_len)));
	assert_true(NT_STATUS_IS_OK(crypto_random(m->trailer, sizeof(m->trailer))));
	m->stub_len = stub_len;
	m->token_len = CRYPTO_KWRAP_DCE_TOKEN_LEN;
}

static void msg_iov(struct msg *m, struct crypto_kwrap_iov iov[3])
{
	iov[0] = (struct crypto_kwrap_iov){CRYPTO_KWRAP_SIGN_ONLY, m->hdr, sizeof(m->hdr)};
	iov[1] = (struct crypto_kwrap_iov){CRYPTO_KWRAP_DATA, m->stub, m->stub_len};
	iov[2] = (struct crypto_kwrap_iov){CRYPTO_KWRAP_SIGN_ONLY, m->trailer, sizeof(m->trailer)};
}

/* Heimdal's krb5 iov for a DCE token, as _gssapi_unwrap_cfx_iov and
 * _gssapi_wrap_cfx_iov build it (EC 16). */
static int heim_iov(struct msg *m, krb5_crypto_iov d[6])
{
	uint8_t *t = m->token;
	d[0] = (krb5_crypto_iov){KRB5_CRYPTO_TYPE_HEADER, {16, t + 60}};
	d[1] = (krb5_crypto_iov){KRB5_CRYPTO_TYPE_SIGN_ONLY, {sizeof(m->hdr), m->hdr}};
	d[2] = (krb5_crypto_iov){KRB5_CRYPTO_TYPE_DATA, {m->stub_len, m->stub}};
	d[3] = (krb5_crypto_iov){KRB5_CRYPTO_TYPE_SIGN_ONLY, {sizeof(m->trailer), m->trailer}};
	d[4] = (krb5_crypto_iov){KRB5_CRYPTO_TYPE_DATA, {32, t + 16}};
	d[5] = (krb5_crypto_iov){KRB5_CRYPTO_TYPE_TRAILER, {12, t + 48}};
	return 6;
}

static const size_t sizes[] = {0, 1, 15, 16, 17, 31, 32, 33, 100, 926, 1024, 2900};

/* One case of the cross-checks below: a Heimdal crypto context and our
 * initiator-side wrap context over the same random key. */
struct kcase {
	TALLOC_CTX *mem;
	struct heim h;
	struct crypto_kwrap *k;
};

static void kcase_begin(struct kcase *c, int enctype, uint64_t send_seq, uint64_t recv_seq)
{
	c->mem = talloc_new(NULL);
	heim_init(&c->h, enctype);
	assert_true(NT_STATUS_IS_OK(crypto_kwrap_new(c->mem, enctype, c->h.key, c->h.key_len, true,
						     true, send_seq, recv_seq, &c->k)));
}

static void kcase_end(struct kcase *c)
{
	heim_free(&c->h);
	talloc_free(c->mem);
}

/* each_case runs |fn| for both AES enctypes and every size in sizes[]. */
static void each_case(void (*fn)(int enctype, size_t size))
{
	for (int e = CRYPTO_KRB5_AES128; e <= CRYPTO_KRB5_AES256; e++) {
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			fn(e, sizes[s]);
		}
	}
}

/* Ours seals as the initiator; Heimdal opens with the initiator's usage. */
static void seal_opened_by_heimdal(int enctype, size_t size)
{
	struct crypto_kwrap_iov iov[3];
	krb5_crypto_iov d[6];
	struct msg m, orig;
	struct kcase c;

	kcase_begin(&c, enctype, 7, 9);
	msg_fill(&m, size);
	orig = m;
	msg_iov(&m, iov);
	assert_true(NT_STATUS_IS_OK(crypto_kwrap_seal_dce(c.k, m.token, iov, 3)));
	/* header: 05 04, sealed | acceptor subkey, FF, EC 16, RRC 28, seq 7 */
	static const uint8_t want[16] = {5, 4, 6, 0xff, 0, 16, 0, 28, 0, 0, 0, 0, 0, 0, 0, 7};
	assert_memory_equal(m.token, want, 16);
	if (size >= 16) {
		assert_memory_not_equal(m.stub, orig.stub, size);
	}
	assert_memory_equal(m.hdr, orig.hdr, sizeof(m.hdr));
	assert_int_equal(krb5_decrypt_iov_ivec(c.h.ctx, c.h.crypto, CRYPTO_KU_INITIATOR_SEAL, d,
					       (unsigned)heim_iov(&m, d), NULL),
			 0);
	assert_memory_equal(m.stub, orig.stub, size);
	/* the filler and the header copy (RRC 0) */
	for (int i = 0; i < 16; i++) {
		assert_int_equal(m.token[16 + i], 0xff);
	}
	uint8_t copy[16];
	memcpy(copy, want, 16);
	copy[7] = 0;
	assert_memory_equal(m.token + 32, copy, 16);
	/* the next token carries the next sequence number */
	msg_fill(&m, 10);
	msg_iov(&m, iov);
	assert_true(NT_STATUS_IS_OK(crypto_kwrap_seal_dce(c.k, m.token, iov, 3)));
	assert_int_equal(m.token[15], 8);
	kcase_end(&c);
}

static void test_seal_opened_by_heimdal(void **state)
{
	(void)state;
	each_case(seal_opened_by_heimdal);
}

/* Heimdal seals as the acceptor would (usage 22, sent-by-acceptor); ours
 * opens it as the initiator. */
static void heim_seal(struct heim *h, struct msg *m, uint32_t seq)
{
	krb5_crypto_iov d[6];
	uint8_t hdr[16] = {5, 4, 7, 0xff, 0, 16, 0, 0, 0, 0, 0, 0};
	hdr[12] = (uint8_t)(seq >> 24);
	hdr[13] = (uint8_t)(seq >> 16);
	hdr[14] = (uint8_t)(seq >> 8);
	hdr[15] = (uint8_t)seq;
	memcpy(m->token, hdr, 16);
	memset(m->token + 16, 0xff, 16);
	memcpy(m->token + 32, hdr, 16);
	assert_int_equal(krb5_encrypt_iov_ivec(h->ctx, h->crypto, CRYPTO_KU_ACCEPTOR_SEAL, d,
					       heim_iov(m, d), NULL),
			 0);
	m->token[7] = 28;
}

static void heimdal_seal_opened(int enctype, size_t size)
{
	struct crypto_kwrap_iov iov[3];
	struct msg m, orig;
	struct kcase c;
	const char *why = NULL;

	kcase_begin(&c, enctype, 0, 41);
	msg_fill(&m, size);
	orig = m;
	heim_seal(&c.h, &m, 41);
	msg_iov(&m, iov);
	assert_true(NT_STATUS_IS_OK(crypto_kwrap_unseal_dce(c.k, m.token, m.token_len, iov, 3, &why)));
	assert_memory_equal(m.stub, orig.stub, size);

	/* replaying the same token: refused, out of sequence */
	heim_seal(&c.h, &m, 41);
	msg_iov(&m, iov);
	assert_int_equal(NT_STATUS_V(crypto_kwrap_unseal_dce(c.k, m.token, m.token_len, iov, 3, &why)),
			 NT_STATUS_V(NT_STATUS_ACCESS_DENIED));
	assert_string_equal(why, "the wrap token is out of sequence");
	kcase_end(&c);
}

static void test_heimdal_seal_opened(void **state)
{
	(void)state;
	each_case(heimdal_seal_opened);
}

static void test_refusals(void **state)
{
	struct crypto_kwrap *k;
	struct crypto_kwrap_iov iov[3];
	struct msg m, sealed;
	struct kcase c;
	const char *why = NULL;
	(void)state;

	kcase_begin(&c, CRYPTO_KRB5_AES256, 0, 5);
	k = c.k;
	msg_fill(&m, 926);
	heim_seal(&c.h, &m, 5);
	sealed = m;

	/* a flipped bit anywhere: in the stub, a signed header, the token */
	size_t spots[][2] = {{0, 3}, {1, 900}, {2, 5}, {3, 20}, {3, 50}, {3, 70}};
	for (size_t i = 0; i < sizeof(spots) / sizeof(spots[0]); i++) {
		m = sealed;
		uint8_t *p = spots[i][0] == 0 ? m.hdr : spots[i][0] == 1 ? m.stub
						  : spots[i][0] == 2 ? m.trailer
								     : m.token;
		p[spots[i][1]] ^= 0x01;
		msg_iov(&m, iov);
		assert_int_equal(NT_STATUS_V(crypto_kwrap_unseal_dce(k, m.token, m.token_len, iov, 3,
								     &why)),
				 NT_STATUS_V(NT_STATUS_ACCESS_DENIED));
		assert_string_equal(why, "the wrap token failed its integrity check");
	}
	/* malformed headers */
	struct {
		size_t at;
		uint8_t value;
		const char *why;
	} bad[] = {
		{0, 0x04, "not an RFC 4121 wrap token"},
		{3, 0x00, "not an RFC 4121 wrap token"},
		{2, 0x06, "the wrap token's flags do not match the context"}, /* not from acceptor */
		{2, 0x03, "the wrap token's flags do not match the context"}, /* no subkey */
		{2, 0x05, "the wrap token's flags do not match the context"}, /* not sealed */
		{7, 0, "the wrap token's length or rotation is not DCE style"},
		{5, 15, "the wrap token's length or rotation is not DCE style"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = sealed;
		m.token[bad[i].at] = bad[i].value;
		msg_iov(&m, iov);
		assert_int_equal(NT_STATUS_V(crypto_kwrap_unseal_dce(k, m.token, m.token_len, iov, 3,
								     &why)),
				 NT_STATUS_V(NT_STATUS_INVALID_PARAMETER));
		assert_string_equal(why, bad[i].why);
	}
	m = sealed;
	msg_iov(&m, iov);
	assert_int_equal(NT_STATUS_V(crypto_kwrap_unseal_dce(k, m.token, 10, iov, 3, &why)),
			 NT_STATUS_V(NT_STATUS_INVALID_PARAMETER));
	assert_int_equal(NT_STATUS_V(crypto_kwrap_unseal_dce(k, m.token, m.token_len - 1, iov, 3,
							     &why)),
			 NT_STATUS_V(NT_STATUS_INVALID_PARAMETER));
	/* a gap in the sequence */
	m = sealed;
	heim_seal(&c.h, &m, 6);
	msg_iov(&m, iov);
	assert_int_equal(NT_STATUS_V(crypto_kwrap_unseal_dce(k, m.token, m.token_len, iov, 3, &why)),
			 NT_STATUS_V(NT_STATUS_ACCESS_DENIED));
	/* none of that moved the sequence: the genuine token still opens */
	m = sealed;
	msg_iov(&m, iov);
	assert_true(NT_STATUS_IS_OK(crypto_kwrap_unseal_dce(k, m.token, m.token_len, iov, 3, &why)));

	/* our own token is not accepted back: the other direction's keys */
	msg_fill(&m, 100);
	msg_iov(&m, iov);
	assert_true(NT_STATUS_IS_OK(crypto_kwrap_seal_dce(k, m.token, iov, 3)));
	assert_int_equal(NT_STATUS_V(crypto_kwrap_unseal_dce(k, m.token, m.token_len, iov, 3, &why)),
			 NT_STATUS_V(NT_STATUS_INVALID_PARAMETER));

	/* other enctypes stay on GSSAPI */
	assert_int_equal(NT_STATUS_V(crypto_kwrap_new(c.mem, 23, c.h.key, 16, true, true, 0, 0, &k)),
			 NT_STATUS_V(NT_STATUS_NOT_SUPPORTED));
	assert_int_equal(NT_STATUS_V(crypto_kwrap_new(c.mem, 18, c.h.key, 16, true, true, 0, 0, &k)),
			 NT_STATUS_V(NT_STATUS_NOT_SUPPORTED));
	kcase_end(&c);
}

/* round_trip: |from| seals a |size|-byte message with token flags
 * |flags|, |to| opens it and gets the stub back. */
static void round_trip(struct crypto_kwrap *from, struct crypto_kwrap *to, size_t size,
		       uint8_t flags)
{
	struct crypto_kwrap_iov iov[3];
	struct msg m, orig;

	msg_fill(&m, size);
	orig = m;
	msg_iov(&m, iov);
	assert_true(NT_STATUS_IS_OK(crypto_kwrap_seal_dce(from, m.token, iov, 3)));
	assert_int_equal(m.token[2], flags);
	assert_true(NT_STATUS_IS_OK(crypto_kwrap_unseal_dce(to, m.token, m.token_len, iov, 3, NULL)));
	assert_memory_equal(m.stub, orig.stub, m.stub_len);
}

/* An acceptor-side context and an initiator-side one over the same key
 * talk to each other, both directions, without an acceptor subkey. */
static void test_pair(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct crypto_kwrap *ini, *acc;
	uint8_t key[16];
	(void)state;

	assert_true(NT_STATUS_IS_OK(crypto_random(key, sizeof(key))));
	assert_true(NT_STATUS_IS_OK(crypto_kwrap_new(mem, 17, key, 16, true, false, 100, 200, &ini)));
	assert_true(NT_STATUS_IS_OK(crypto_kwrap_new(mem, 17, key, 16, false, false, 200, 100, &acc)));
	for (int round = 0; round < 5; round++) {
		round_trip(ini, acc, 33 + (size_t)round * 17, 0x02);
		round_trip(acc, ini, 1000 - (size_t)round, 0x03);
	}
	talloc_free(mem);
}

/* The sequence number a token carries in clear (what ncacn.c and
 * samba_seal.c follow while Heimdal still seals). */
static void test_token_seq(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct crypto_kwrap *acc;
	struct crypto_kwrap_iov iov[3];
	struct msg m;
	uint8_t key[16] = {1};
	uint64_t seq = 0;
	(void)state;

	assert_true(NT_STATUS_IS_OK(
		crypto_kwrap_new(mem, 17, key, 16, false, true, 0x81020304ull, 0, &acc)));
	msg_fill(&m, 40);
	msg_iov(&m, iov);
	assert_true(NT_STATUS_IS_OK(crypto_kwrap_seal_dce(acc, m.token, iov, 3)));
	assert_true(crypto_kwrap_token_seq(m.token, m.token_len, &seq));
	assert_int_equal(seq, 0x81020304ull);
	assert_false(crypto_kwrap_token_seq(m.token, 15, &seq));
	m.token[1] = 0x05; /* not a wrap token */
	assert_false(crypto_kwrap_token_seq(m.token, m.token_len, &seq));
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nfold_rfc3961),
		cmocka_unit_test(test_nfold_vs_heimdal),
		cmocka_unit_test(test_derive_vs_heimdal),
		cmocka_unit_test(test_seal_opened_by_heimdal),
		cmocka_unit_test(test_heimdal_seal_opened),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_pair),
		cmocka_unit_test(test_token_seq),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
