/*
 * test_credssp_spnego_ntlm.c: NTLM inside SPNEGO (credssp/spnego_ntlm/),
 * both roles against each other over a SAM file, and the acceptor
 * against hand-built initiator tokens (crypto/spnego's codec around our
 * NTLM initiator) for what our initiator never sends:
 * - a whole exchange: both complete, the peer is named, sealing works
 *   both ways after the RC4 reset (Samba's order: MIC with sequence 0,
 *   then the streams restart and sealing goes on with sequence 1);
 * - a client that seals (pubKeyAuth) right after its mechListMIC, as MS-SPNG
 *   3.3.5.1 lets a Windows client do: unsealed by our acceptor;
 * - a wrong password: NT_STATUS_LOGON_FAILURE;
 * - the client's mechListMIC tampered with, or dropped: ACCESS_DENIED;
 * - the server's mechListMIC tampered with: the initiator refuses;
 * - a downgrade ([Kerberos, NTLM] with a Kerberos optimistic token):
 *   request-mic, supportedMech NTLM, no responseToken; then the MIC is
 *   required, and a MIC over another list is refused;
 * - hostile first tokens: clean errors;
 * - Windows' NegTokenInit (tests/vectors/credssp/spnego_ntlm_windows.txt,
 *   a Windows 7 client's, NTLM first of four mechanisms): answered with
 *   accept-incomplete, supportedMech NTLM and a CHALLENGE for its
 *   optimistic NEGOTIATE, and the engine sends it to NTLM-in-SPNEGO;
 * - the engine's dispatch: NTLM first -> NTLM-in-SPNEGO, then GSSAPI when
 *   no NTLM acceptor starts; NTLM after Kerberos -> GSSAPI, then
 *   NTLM-in-SPNEGO when no GSSAPI acceptor starts; no NTLM -> GSSAPI only.
 */
#include "ntlm_fixtures.h"

#include "credssp/credssp.h"
#include "credssp/mech.h"
#include "credssp/ntlmclient/ntlm_client.h"
#include "credssp/spnego_ntlm/spnego_ntlm.h"
#include "crypto/spnego/spnego.h"

#define PASSWORD "Spn3go-pass!"


static int setup(void **state)
{
	*state = ntlm_sam_fixture_new(PASSWORD);
	return 0;
}

static int teardown(void **state)
{
	ntlm_sam_fixture_free(*state);
	return 0;
}

struct mech {
	const struct credssp_mech_ops *ops;
	void *ctx;
};

static struct ntlm_server_names names = { "SERVER", "DOMAIN", NULL, NULL };

static struct mech raw_client(struct ntlm_sam_fixture *f, const char *password)
{
	struct crypto_secret *pw = crypto_secret_dup(f->t, (const uint8_t *)password,
						     strlen(password) + 1);
	struct credssp_ntlm_client_opts o = { .user = "alice", .domain = "DOMAIN",
					      .password = pw };
	struct mech m = { 0 };
	char err[200];

	assert_int_equal(credssp_ntlm_client_new(&o, &m.ops, &m.ctx, err, sizeof(err)), 0);
	return m;
}

static struct mech spnego_client(struct ntlm_sam_fixture *f, const char *password)
{
	struct mech m = raw_client(f, password);
	char err[200];

	assert_int_equal(credssp_spnego_ntlm_initiator(m.ops, m.ctx, &m.ops, &m.ctx, err,
						       sizeof(err)), 0);
	return m;
}

static struct mech spnego_server(struct ntlm_sam_fixture *f)
{
	struct mech m = { 0 };
	char err[200];

	assert_int_equal(credssp_ntlm_acceptor_new_samfile(f->sam, &names, &m.ops, &m.ctx, err,
							   sizeof(err)), 0);
	assert_int_equal(credssp_spnego_ntlm_acceptor(m.ops, m.ctx, &m.ops, &m.ctx, err,
						      sizeof(err)), 0);
	return m;
}

static int step(struct mech *m, const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len,
		uint32_t *status)
{
	char err[300] = "";

	int r;

	*status = 0;
	r = m->ops->step(m->ctx, in, in_len, out, out_len, status, err, sizeof(err));
	if (r < 0) {
		print_message("  (refused: %s)\n", err);
	}
	return r;
}

static struct spnego_token *parse(TALLOC_CTX *t, const uint8_t *buf, size_t len)
{
	struct spnego_token *tok = NULL;
	assert_true(NT_STATUS_IS_OK(spnego_token_parse(t, buf, len, &tok, NULL)));
	return tok;
}

static uint8_t *rebuild(TALLOC_CTX *t, const struct spnego_token *tok, size_t *len)
{
	uint8_t *buf = NULL;
	assert_true(NT_STATUS_IS_OK(spnego_token_build(t, tok, &buf, len, NULL)));
	return buf;
}

/* malloc'd |*buf| replaced by a copy of |n| bytes. */
static void replace(uint8_t **buf, size_t *len, const uint8_t *n, size_t n_len)
{
	free(*buf);
	*buf = malloc(n_len);
	assert_non_null(*buf);
	memcpy(*buf, n, n_len);
	*len = n_len;
}

enum tamper { NONE, CLIENT_MIC_FLIP, CLIENT_MIC_DROP, SERVER_MIC_FLIP };

/* run: the whole exchange; returns the step result of the side that
 * ended, with *status, and the acceptor's tokens checked on the way. */
static int run(struct ntlm_sam_fixture *f, const char *password, enum tamper how, struct mech *c,
	       struct mech *s, uint32_t *status, bool *client_failed)
{
	uint8_t *a = NULL, *b = NULL;
	size_t al = 0, bl = 0;
	struct spnego_token *tok;
	int r;

	*c = spnego_client(f, password);
	*s = spnego_server(f);
	*client_failed = false;
	assert_int_equal(step(c, NULL, 0, &a, &al, status), 0);
	tok = parse(f->t, a, al);
	assert_int_equal(tok->type, SPNEGO_NEG_TOKEN_INIT);
	assert_true(tok->gss_framed);
	assert_int_equal(step(s, a, al, &b, &bl, status), 0); /* CHALLENGE */
	tok = parse(f->t, b, bl);
	assert_int_equal(tok->resp->neg_state, SPNEGO_ACCEPT_INCOMPLETE);
	assert_true(spnego_oid_equal(tok->resp->supported_mech, &spnego_oid_ntlm));
	assert_non_null(tok->resp->response_token);
	free(a);
	a = NULL;
	assert_int_equal(step(c, b, bl, &a, &al, status), 0); /* AUTHENTICATE + MIC */
	tok = parse(f->t, a, al);
	assert_non_null(tok->resp->mech_list_mic);
	assert_int_equal(tok->resp->mech_list_mic->len, 16);
	if (how == CLIENT_MIC_FLIP || how == CLIENT_MIC_DROP) {
		uint8_t *n;
		size_t nl;

		if (how == CLIENT_MIC_FLIP) {
			tok->resp->mech_list_mic->data[5] ^= 1;
		} else {
			tok->resp->mech_list_mic = NULL;
		}
		n = rebuild(f->t, tok, &nl);
		replace(&a, &al, n, nl);
	}
	free(b);
	b = NULL;
	r = step(s, a, al, &b, &bl, status);
	free(a);
	a = NULL;
	if (r != 1) {
		free(b);
		return r;
	}
	tok = parse(f->t, b, bl);
	assert_int_equal(tok->resp->neg_state, SPNEGO_ACCEPT_COMPLETED);
	assert_non_null(tok->resp->mech_list_mic);
	if (how == SERVER_MIC_FLIP) {
		uint8_t *n;
		size_t nl;

		tok->resp->mech_list_mic->data[15] ^= 0x80;
		n = rebuild(f->t, tok, &nl);
		replace(&b, &bl, n, nl);
	}
	r = step(c, b, bl, &a, &al, status);
	free(b);
	assert_null(a);
	*client_failed = r < 0;
	return r;
}

static void test_exchange(void **state)
{
	struct ntlm_sam_fixture *f = *state;
	struct mech c, s;
	uint32_t status;
	bool cf;
	uint8_t *o1 = NULL, *o2 = NULL;
	size_t l1, l2;
	static const uint8_t msg[] = "the server's public key, sealed";

	assert_int_equal(run(f, PASSWORD, NONE, &c, &s, &status, &cf), 1);
	assert_string_equal(s.ops->peer_name(s.ctx), "DOMAIN\\alice");
	assert_string_equal(s.ops->name, "NTLM-in-SPNEGO");
	for (int i = 0; i < 3; i++) {
		assert_int_equal(c.ops->wrap(c.ctx, msg, sizeof(msg), &o1, &l1), 0);
		/* sequence 1 after the MIC exchange (Samba keeps the numbers) */
		assert_int_equal(o1[12], i + 1);
		assert_int_equal(s.ops->unwrap(s.ctx, o1, l1, &o2, &l2), 0);
		assert_int_equal(l2, sizeof(msg));
		assert_memory_equal(o2, msg, l2);
		free(o1);
		free(o2);
		assert_int_equal(s.ops->wrap(s.ctx, msg, 9, &o1, &l1), 0);
		assert_int_equal(c.ops->unwrap(c.ctx, o1, l1, &o2, &l2), 0);
		assert_memory_equal(o2, msg, 9);
		free(o1);
		free(o2);
	}
	c.ops->free(c.ctx);
	s.ops->free(s.ctx);
}

/* A client that seals right after sending its mechListMIC, before the
 * server's answer (MS-SPNG 3.3.5.1: the RC4 handle restored after the
 * MIC), as a Windows client sending pubKeyAuth with its last token would:
 * our acceptor, complete, unseals it. */
static void test_seal_with_last_token(void **state)
{
	struct ntlm_sam_fixture *f = *state;
	struct mech c = raw_client(f, PASSWORD), s = spnego_server(f);
	struct spnego_oid ntlm = spnego_oid_ntlm;
	struct spnego_neg_token_init init = { .num_mech_types = 1, .mech_types = &ntlm };
	struct spnego_neg_token_resp resp = { 0 };
	struct spnego_token tok = { .type = SPNEGO_NEG_TOKEN_INIT, .gss_framed = true,
				    .init = &init };
	struct spnego_bytes neg, mic;
	struct ntlm_session *cs;
	struct spnego_token *rt;
	uint8_t *buf, *out = NULL, *der, sig[16], *sealed, *plain = NULL;
	size_t len, out_len, der_len, sealed_len, plain_len;
	uint32_t status;
	static const uint8_t key[] = "subjectPublicKey";

	assert_int_equal(step(&c, NULL, 0, &neg.data, &neg.len, &status), 0);
	init.mech_token = &neg;
	buf = rebuild(f->t, &tok, &len);
	free(neg.data);
	assert_int_equal(step(&s, buf, len, &out, &out_len, &status), 0);
	rt = parse(f->t, out, out_len);
	free(out);
	assert_int_equal(step(&c, rt->resp->response_token->data, rt->resp->response_token->len,
			      &neg.data, &neg.len, &status), 1);
	cs = credssp_ntlm_client_session(c.ctx);
	assert_true(NT_STATUS_IS_OK(spnego_mech_types_der(f->t, &ntlm, 1, &der, &der_len, NULL)));
	assert_true(NT_STATUS_IS_OK(ntlm_session_sign(cs, der, der_len, sig)));
	/* the restore of MS-SPNG 3.3.5.1, then pubKeyAuth sealed at once */
	assert_true(NT_STATUS_IS_OK(ntlm_session_reset(cs, false)));
	assert_true(NT_STATUS_IS_OK(ntlm_session_seal(cs, f->t, key, sizeof(key), &sealed,
						      &sealed_len)));
	mic.data = sig;
	mic.len = sizeof(sig);
	resp.response_token = &neg;
	resp.mech_list_mic = &mic;
	tok.type = SPNEGO_NEG_TOKEN_RESP;
	tok.gss_framed = false;
	tok.resp = &resp;
	buf = rebuild(f->t, &tok, &len);
	free(neg.data);
	assert_int_equal(step(&s, buf, len, &out, &out_len, &status), 1);
	free(out);
	assert_int_equal(s.ops->unwrap(s.ctx, sealed, sealed_len, &plain, &plain_len), 0);
	assert_int_equal(plain_len, sizeof(key));
	assert_memory_equal(plain, key, plain_len);
	free(plain);
	c.ops->free(c.ctx);
	s.ops->free(s.ctx);
}

static void test_refusals(void **state)
{
	struct ntlm_sam_fixture *f = *state;
	struct mech c, s;
	uint32_t status;
	bool cf;

	assert_true(run(f, "wrong", NONE, &c, &s, &status, &cf) < 0);
	assert_int_equal(status, NT_STATUS_V(NT_STATUS_LOGON_FAILURE));
	c.ops->free(c.ctx);
	s.ops->free(s.ctx);

	assert_true(run(f, PASSWORD, CLIENT_MIC_FLIP, &c, &s, &status, &cf) < 0);
	assert_false(cf);
	assert_int_equal(status, NT_STATUS_V(NT_STATUS_ACCESS_DENIED));
	c.ops->free(c.ctx);
	s.ops->free(s.ctx);

	/* NTLM's AUTHENTICATE carries its MIC: the SPNEGO MIC is required */
	assert_true(run(f, PASSWORD, CLIENT_MIC_DROP, &c, &s, &status, &cf) < 0);
	assert_int_equal(status, NT_STATUS_V(NT_STATUS_ACCESS_DENIED));
	c.ops->free(c.ctx);
	s.ops->free(s.ctx);

	assert_true(run(f, PASSWORD, SERVER_MIC_FLIP, &c, &s, &status, &cf) < 0);
	assert_true(cf);
	assert_int_equal(status, NT_STATUS_V(NT_STATUS_ACCESS_DENIED));
	c.ops->free(c.ctx);
	s.ops->free(s.ctx);
}

/* downgrade: an initiator that prefers Kerberos, built by hand around our
 * raw NTLM initiator, signing over |signed_list|. */
static int downgrade(struct ntlm_sam_fixture *f, bool send_mic, bool other_list, uint32_t *status)
{
	static const uint8_t krb_token[] = { 0x60, 0x03, 0x06, 0x01, 0x00 };
	struct spnego_oid list[2] = { spnego_oid_krb5, spnego_oid_ntlm };
	struct spnego_oid swapped[2] = { spnego_oid_ntlm, spnego_oid_krb5 };
	struct spnego_neg_token_init init = { 0 };
	struct spnego_neg_token_resp resp = { 0 };
	struct spnego_token tok = { 0 }, *rt;
	struct spnego_bytes opt = { (uint8_t *)krb_token, sizeof(krb_token) }, nt, mic;
	struct mech c = raw_client(f, PASSWORD), s = spnego_server(f);
	uint8_t *buf, *out = NULL, *der, sig[16];
	size_t len, out_len, der_len;
	int r;

	init.num_mech_types = 2;
	init.mech_types = list;
	init.mech_token = &opt;
	tok.type = SPNEGO_NEG_TOKEN_INIT;
	tok.gss_framed = true;
	tok.init = &init;
	buf = rebuild(f->t, &tok, &len);
	assert_int_equal(step(&s, buf, len, &out, &out_len, status), 0);
	rt = parse(f->t, out, out_len);
	free(out);
	assert_int_equal(rt->resp->neg_state, SPNEGO_REQUEST_MIC);
	assert_true(spnego_oid_equal(rt->resp->supported_mech, &spnego_oid_ntlm));
	assert_null(rt->resp->response_token);
	/* NEGOTIATE in a NegTokenResp */
	assert_int_equal(step(&c, NULL, 0, &nt.data, &nt.len, status), 0);
	resp.response_token = &nt;
	tok.type = SPNEGO_NEG_TOKEN_RESP;
	tok.gss_framed = false;
	tok.resp = &resp;
	buf = rebuild(f->t, &tok, &len);
	free(nt.data);
	assert_int_equal(step(&s, buf, len, &out, &out_len, status), 0);
	rt = parse(f->t, out, out_len);
	free(out);
	assert_int_equal(step(&c, rt->resp->response_token->data, rt->resp->response_token->len,
			      &nt.data, &nt.len, status), 1);
	assert_true(NT_STATUS_IS_OK(spnego_mech_types_der(f->t, other_list ? swapped : list, 2,
							  &der, &der_len, NULL)));
	assert_true(NT_STATUS_IS_OK(ntlm_session_sign(credssp_ntlm_client_session(c.ctx), der,
						      der_len, sig)));
	mic.data = sig;
	mic.len = sizeof(sig);
	resp.mech_list_mic = send_mic ? &mic : NULL;
	buf = rebuild(f->t, &tok, &len);
	free(nt.data);
	r = step(&s, buf, len, &out, &out_len, status);
	if (r == 1) {
		rt = parse(f->t, out, out_len);
		assert_int_equal(rt->resp->neg_state, SPNEGO_ACCEPT_COMPLETED);
		assert_non_null(rt->resp->mech_list_mic);
		assert_true(NT_STATUS_IS_OK(ntlm_session_verify(
			credssp_ntlm_client_session(c.ctx), der, der_len,
			rt->resp->mech_list_mic->data, rt->resp->mech_list_mic->len)));
		free(out);
	}
	c.ops->free(c.ctx);
	s.ops->free(s.ctx);
	return r;
}

static void test_downgrade(void **state)
{
	struct ntlm_sam_fixture *f = *state;
	uint32_t status;

	assert_int_equal(downgrade(f, true, false, &status), 1);
	assert_true(downgrade(f, false, false, &status) < 0);
	assert_int_equal(status, NT_STATUS_V(NT_STATUS_ACCESS_DENIED));
	/* a MIC over a list the acceptor did not receive */
	assert_true(downgrade(f, true, true, &status) < 0);
	assert_int_equal(status, NT_STATUS_V(NT_STATUS_ACCESS_DENIED));
}

static void test_hostile_first_tokens(void **state)
{
	struct ntlm_sam_fixture *f = *state;
	struct spnego_oid krb = spnego_oid_krb5;
	struct spnego_neg_token_init init = { .num_mech_types = 1, .mech_types = &krb };
	struct spnego_neg_token_resp resp = { .has_neg_state = true };
	struct spnego_token tok = { .type = SPNEGO_NEG_TOKEN_INIT, .gss_framed = true,
				    .init = &init };
	static const uint8_t junk[] = { 0x60, 0x80, 0x00, 0x00, 'N', 'T' };
	uint8_t *buf, *out = NULL;
	size_t len, out_len;
	uint32_t status;
	struct mech s;

	s = spnego_server(f);
	assert_true(step(&s, junk, sizeof(junk), &out, &out_len, &status) < 0);
	assert_null(out);
	assert_int_equal(status, NT_STATUS_V(NT_STATUS_INVALID_PARAMETER));
	/* a failed layer refuses every later step */
	assert_true(step(&s, junk, sizeof(junk), &out, &out_len, &status) < 0);
	s.ops->free(s.ctx);

	s = spnego_server(f); /* no NTLM offered */
	buf = rebuild(f->t, &tok, &len);
	assert_true(step(&s, buf, len, &out, &out_len, &status) < 0);
	assert_int_equal(status, NT_STATUS_V(NT_STATUS_NOT_SUPPORTED));
	s.ops->free(s.ctx);

	s = spnego_server(f); /* a NegTokenResp first */
	tok.type = SPNEGO_NEG_TOKEN_RESP;
	tok.gss_framed = false;
	tok.resp = &resp;
	buf = rebuild(f->t, &tok, &len);
	assert_true(step(&s, buf, len, &out, &out_len, &status) < 0);
	assert_int_equal(status, NT_STATUS_V(NT_STATUS_INVALID_PARAMETER));
	/* nothing seals before completion */
	assert_true(s.ops->wrap(s.ctx, junk, sizeof(junk), &out, &out_len) != 0);
	s.ops->free(s.ctx);
}

/* ---- the engine's dispatch ---------------------------------------------- */

struct dispatch {
	int n;
	enum credssp_mech_kind kinds[4];
};

static int record_start(void *arg, enum credssp_mech_kind kind,
			const struct credssp_mech_ops **ops, void **ctx, char *err, size_t errlen)
{
	struct dispatch *d = arg;

	(void)ops;
	(void)ctx;
	if (d->n < 4) {
		d->kinds[d->n++] = kind;
	}
	snprintf(err, errlen, "declined by the test");
	return -1;
}

static void dispatch_of(struct ntlm_sam_fixture *f, const struct spnego_oid *mechs, size_t n,
			struct dispatch *d)
{
	static const uint8_t key[] = { 1, 2, 3, 4 };
	struct credssp_server_settings st = { .start_mech = record_start, .start_arg = d };
	struct spnego_neg_token_init init = { .num_mech_types = n,
					      .mech_types = (struct spnego_oid *)mechs };
	struct spnego_token tok = { .type = SPNEGO_NEG_TOKEN_INIT, .gss_framed = true,
				    .init = &init };
	struct credssp_tsrequest req = { .version = 6, .has_nego_tokens = true,
					 .num_nego_tokens = 1 };
	struct credssp_octets oct;
	struct credssp_ctx *ctx;
	uint8_t *msg, *out = NULL;
	size_t msg_len, out_len = 0;

	memset(d, 0, sizeof(*d));
	oct.data = rebuild(f->t, &tok, &oct.len);
	req.nego_tokens = &oct;
	assert_true(NT_STATUS_IS_OK(credssp_tsrequest_build(f->t, &req, &msg, &msg_len, NULL)));
	assert_true(NT_STATUS_IS_OK(credssp_server_new(f->t, &st, key, sizeof(key), &ctx, NULL)));
	assert_int_equal(credssp_step(ctx, msg, msg_len, &out, &out_len), CREDSSP_FAILED);
	talloc_free(ctx);
}

static void test_engine_dispatch(void **state)
{
	struct ntlm_sam_fixture *f = *state;
	const struct spnego_oid ntlm_first[] = { spnego_oid_ntlm, spnego_oid_krb5 };
	const struct spnego_oid krb_first[] = { spnego_oid_ms_krb5, spnego_oid_krb5,
						spnego_oid_ntlm };
	const struct spnego_oid krb_only[] = { spnego_oid_krb5 };
	struct dispatch d;

	/* NTLM first: ours, then (declined here) Heimdal's */
	dispatch_of(f, ntlm_first, 2, &d);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.kinds[0], CREDSSP_MECH_NTLM_SPNEGO);
	assert_int_equal(d.kinds[1], CREDSSP_MECH_GSSAPI);
	dispatch_of(f, krb_first, 3, &d);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.kinds[0], CREDSSP_MECH_GSSAPI);
	assert_int_equal(d.kinds[1], CREDSSP_MECH_NTLM_SPNEGO);
	dispatch_of(f, krb_only, 1, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.kinds[0], CREDSSP_MECH_GSSAPI);
}

static void test_windows_neg_token_init(void **state)
{
	struct ntlm_sam_fixture *f = *state;
	size_t len, mt_len, out_len = 0;
	uint8_t *tok = hex_vector(f->t, "spnego_ntlm_windows.txt", "WINDOWS_NEG_TOKEN_INIT_NTLM", &len);
	uint8_t *mt = hex_vector(f->t, "spnego_ntlm_windows.txt",
				 "WINDOWS_NEG_TOKEN_INIT_NTLM_MECH_TYPES", &mt_len);
	struct spnego_token *in = parse(f->t, tok, len), *rt;
	uint8_t *out = NULL;
	uint32_t status;
	struct mech s;
	struct dispatch d;

	/* what the MIC will cover is the list as Windows encoded it */
	assert_int_equal(in->init->mech_types_der.len, mt_len);
	assert_memory_equal(in->init->mech_types_der.data, mt, mt_len);
	s = spnego_server(f);
	assert_int_equal(step(&s, tok, len, &out, &out_len, &status), 0);
	rt = parse(f->t, out, out_len);
	free(out);
	assert_int_equal(rt->type, SPNEGO_NEG_TOKEN_RESP);
	assert_int_equal(rt->resp->neg_state, SPNEGO_ACCEPT_INCOMPLETE);
	assert_true(spnego_oid_equal(rt->resp->supported_mech, &spnego_oid_ntlm));
	assert_non_null(rt->resp->response_token);
	assert_true(rt->resp->response_token->len > 32);
	assert_memory_equal(rt->resp->response_token->data, "NTLMSSP\0\2\0\0\0", 12);
	assert_null(rt->resp->mech_list_mic);
	s.ops->free(s.ctx);

	dispatch_of(f, in->init->mech_types, in->init->num_mech_types, &d);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.kinds[0], CREDSSP_MECH_NTLM_SPNEGO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exchange, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seal_with_last_token, setup, teardown),
		cmocka_unit_test_setup_teardown(test_downgrade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_first_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_engine_dispatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_windows_neg_token_init, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
