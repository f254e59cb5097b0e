/*
 * test_negoex_spnego.c: SPNEGO carrying NEGOEX beside another mechanism
 * (negoex/spnego/negoex_spnego.h): NEGOEX chosen when both speak it, the
 * fallback to the other mechanism when the acceptor does not, no common
 * mechanism, the mechListMIC (RFC 4178 5, MIT's handle_mic), malformed tokens, and MIT krb5's own
 * initiator token answered in MIT's shape.  The other mechanism is a fake
 * two-leg one ("hello", "world"); NEGOEX runs the test auth scheme.
 */
#include "negoex_engine_fixtures.h"
#include "spnego_fixtures.h"

#include "negoex/spnego/negoex_spnego.h"

/* 1.3.6.1.4.1.99999.1: a made-up OID for the fake mechanism */
static const struct spnego_oid fake_oid = {8, {0x2b, 0x06, 0x01, 0x04, 0x01, 0x86, 0x8d, 0x1f}};

struct fake {
	enum negoex_role role;
	int calls;
	bool bad_mic; /* verify_mic fails */
	int mics_made, mics_checked;
};

/* A made-up MIC: "MIC" and the byte sum of the message, so both sides
 * agree only on the same mechTypes DER. */
static NTSTATUS fake_get_mic(void *priv, TALLOC_CTX *mem_ctx, const uint8_t *msg, size_t len,
			     uint8_t **mic, size_t *mic_len)
{
	struct fake *f = priv;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++) {
		sum = (uint8_t)(sum + msg[i]);
	}
	*mic = talloc_array(mem_ctx, uint8_t, 4);
	memcpy(*mic, "MIC", 3);
	(*mic)[3] = sum;
	*mic_len = 4;
	f->mics_made++;
	return NT_STATUS_OK;
}

static NTSTATUS fake_verify_mic(void *priv, const uint8_t *msg, size_t len, const uint8_t *mic,
				size_t mic_len)
{
	struct fake *f = priv;
	uint8_t *want;
	size_t want_len;
	bool ok;

	assert_true(NT_STATUS_IS_OK(fake_get_mic(priv, NULL, msg, len, &want, &want_len)));
	f->mics_made--;
	ok = !f->bad_mic && mic_len == want_len && memcmp(mic, want, want_len) == 0;
	talloc_free(want);
	f->mics_checked++;
	return ok ? NT_STATUS_OK : NT_STATUS_ACCESS_DENIED;
}

static NTSTATUS fake_step(void *priv, TALLOC_CTX *mem_ctx, const uint8_t *in, size_t in_len,
			  uint8_t **out, size_t *out_len)
{
	struct fake *f = priv;
	const char *want = f->role == NEGOEX_ROLE_INITIATOR ? (f->calls == 0 ? NULL : "world")
							   : "hello";
	const char *say = f->role == NEGOEX_ROLE_INITIATOR ? (f->calls == 0 ? "hello" : NULL)
							  : "world";

	if (f->calls++ > 1 || (want == NULL) != (in == NULL) ||
	    (want != NULL && (in_len != 5 || memcmp(in, want, 5) != 0))) {
		return NT_STATUS_LOGON_FAILURE;
	}
	if (say != NULL) {
		*out = talloc_memdup(mem_ctx, say, 5);
		*out_len = 5;
	}
	return say != NULL && f->role == NEGOEX_ROLE_INITIATOR ? NT_STATUS_MORE_PROCESSING_REQUIRED
								: NT_STATUS_OK;
}

static struct negoex_spnego *side_mic(TALLOC_CTX *mem, enum negoex_role role, bool negoex,
				      bool fake, struct fake *f, bool mic)
{
	struct negoex_spnego_mech m = {.oid = fake_oid, .step = fake_step, .priv = f};
	struct negoex_spnego_config cfg = {.role = role, .mechs = &m, .num_mechs = fake ? 1 : 0};
	struct negoex_spnego *sp = NULL;
	const char *why = NULL;

	f->role = role;
	f->calls = 0;
	f->bad_mic = false;
	f->mics_made = f->mics_checked = 0;
	if (mic) {
		m.mic.get_mic = fake_get_mic;
		m.mic.verify_mic = fake_verify_mic;
		m.mic.priv = f;
	}
	if (negoex) {
		cfg.engine = new_engine(mem, role, 2, false);
	}
	assert_true(NT_STATUS_IS_OK(negoex_spnego_new(mem, &cfg, &sp, &why)));
	return sp;
}

static struct negoex_spnego *side(TALLOC_CTX *mem, enum negoex_role role, bool negoex,
				  bool fake, struct fake *f)
{
	return side_mic(mem, role, negoex, fake, f, false);
}

/* relay: the two sides until neither has more to say; the acceptor's
 * first reply is kept in |first_reply|. */
static void relay(TALLOC_CTX *mem, struct negoex_spnego *ini, struct negoex_spnego *acc,
		  NTSTATUS *si, NTSTATUS *sa, struct spnego_token **first_reply)
{
	uint8_t *tok;
	size_t len;
	const char *why = NULL;

	*si = negoex_spnego_step(ini, mem, NULL, 0, &tok, &len, &why);
	*sa = NT_STATUS_MORE_PROCESSING_REQUIRED;
	for (int turn = 0; turn < 100 && len > 0; turn++) {
		const uint8_t *in = tok;
		size_t in_len = len;

		if (turn % 2 == 0) {
			*sa = negoex_spnego_step(acc, mem, in, in_len, &tok, &len, &why);
			if (turn == 0 && len > 0) {
				assert_true(NT_STATUS_IS_OK(
					spnego_token_parse(mem, tok, len, first_reply, &why)));
			}
		} else {
			*si = negoex_spnego_step(ini, mem, in, in_len, &tok, &len, &why);
		}
	}
}

static void selected_is(struct negoex_spnego *sp, const struct spnego_oid *want)
{
	struct spnego_oid got;

	assert_true(NT_STATUS_IS_OK(negoex_spnego_selected(sp, &got)));
	assert_true(spnego_oid_equal(&got, want));
}

static void test_negoex_chosen(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct fake fi, fa;
	struct negoex_spnego *ini = side(mem, NEGOEX_ROLE_INITIATOR, true, true, &fi);
	struct negoex_spnego *acc = side(mem, NEGOEX_ROLE_ACCEPTOR, true, true, &fa);
	struct spnego_token *r = NULL;
	NTSTATUS si, sa;

	setenv("HOPS", "2", 1);
	relay(mem, ini, acc, &si, &sa, &r);
	assert_true(NT_STATUS_IS_OK(si) && NT_STATUS_IS_OK(sa));
	selected_is(ini, &spnego_oid_negoex);
	selected_is(acc, &spnego_oid_negoex);
	assert_int_equal(fi.calls + fa.calls, 0);
	talloc_free(mem);
}

/* The acceptor does not speak NEGOEX: both fall back to the next
 * mechanism (RFC 4178 3.2; issue section 3). */
static void test_fallback(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct fake fi, fa;
	struct negoex_spnego *ini = side(mem, NEGOEX_ROLE_INITIATOR, true, true, &fi);
	struct negoex_spnego *acc = side(mem, NEGOEX_ROLE_ACCEPTOR, false, true, &fa);
	struct spnego_token *r = NULL;
	NTSTATUS si, sa;

	relay(mem, ini, acc, &si, &sa, &r);
	assert_true(NT_STATUS_IS_OK(si) && NT_STATUS_IS_OK(sa));
	selected_is(ini, &fake_oid);
	selected_is(acc, &fake_oid);
	assert_non_null(r);
	assert_true(spnego_oid_equal(r->resp->supported_mech, &fake_oid));
	assert_null(r->resp->response_token);
	/* RFC 4178 5, MIT negotiate_mech: not the initiator's first */
	assert_int_equal(r->resp->neg_state, SPNEGO_REQUEST_MIC);
	/* but a mechanism without integrity exchanges none (MIT: no
	 * GSS_C_INTEG_FLAG, no handle_mic) */
	assert_false(negoex_spnego_mic_exchanged(ini));
	assert_int_equal(fi.calls, 2);
	assert_int_equal(fa.calls, 1);

	/* the initiator without NEGOEX, the acceptor with both: its first */
	ini = side(mem, NEGOEX_ROLE_INITIATOR, false, true, &fi);
	acc = side(mem, NEGOEX_ROLE_ACCEPTOR, true, true, &fa);
	relay(mem, ini, acc, &si, &sa, &r);
	assert_true(NT_STATUS_IS_OK(si) && NT_STATUS_IS_OK(sa));
	selected_is(acc, &fake_oid);
	assert_int_equal(r->resp->neg_state, SPNEGO_ACCEPT_COMPLETED);
	talloc_free(mem);
}

/* The initiator's first mechanism failing its first step is dropped from
 * the offer (MIT init_ctx_call_init); a later failure ends with a reject
 * token (MIT ERROR_TOKEN_SEND). */
static void test_initiator_failures(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct fake fi, fa;
	struct negoex_spnego_mech m = {.oid = fake_oid, .step = fake_step, .priv = &fi};
	struct negoex_spnego_config cfg = {.role = NEGOEX_ROLE_INITIATOR, .mechs = &m, .num_mechs = 1};
	struct negoex_spnego *ini = NULL, *acc;
	struct spnego_token *t;
	uint8_t *tok, *t2, *t3;
	size_t len, l2, l3;
	const char *why = NULL;

	setenv("INIT_QUERY_FAIL", "102", 1);
	fi.role = NEGOEX_ROLE_INITIATOR;
	fi.calls = 0;
	cfg.engine = new_engine(mem, NEGOEX_ROLE_INITIATOR, 1, false);
	assert_true(NT_STATUS_IS_OK(negoex_spnego_new(mem, &cfg, &ini, &why)));
	assert_true(NT_STATUS_EQUAL(negoex_spnego_step(ini, mem, NULL, 0, &tok, &len, &why),
				    NT_STATUS_MORE_PROCESSING_REQUIRED));
	assert_true(NT_STATUS_IS_OK(spnego_token_parse(mem, tok, len, &t, &why)));
	assert_int_equal(t->init->num_mech_types, 1);
	assert_true(spnego_oid_equal(&t->init->mech_types[0], &fake_oid));
	acc = side(mem, NEGOEX_ROLE_ACCEPTOR, true, true, &fa);
	assert_true(NT_STATUS_IS_OK(negoex_spnego_step(acc, mem, tok, len, &t2, &l2, &why)));
	assert_true(NT_STATUS_IS_OK(negoex_spnego_step(ini, mem, t2, l2, &t3, &l3, &why)));
	selected_is(ini, &fake_oid);

	/* NEGOEX fails on the acceptor's answer: the initiator rejects */
	clear_env(NULL);
	setenv("INIT_EXCHANGE_FAIL", "102", 1);
	ini = side(mem, NEGOEX_ROLE_INITIATOR, true, false, &fi);
	acc = side(mem, NEGOEX_ROLE_ACCEPTOR, true, false, &fa);
	assert_true(NT_STATUS_EQUAL(negoex_spnego_step(ini, mem, NULL, 0, &tok, &len, &why),
				    NT_STATUS_MORE_PROCESSING_REQUIRED));
	assert_true(NT_STATUS_IS_OK(negoex_spnego_step(acc, mem, tok, len, &t2, &l2, &why)));
	assert_true(NT_STATUS_EQUAL(negoex_spnego_step(ini, mem, t2, l2, &t3, &l3, &why),
				    NT_STATUS_NO_SUCH_PACKAGE));
	assert_true(NT_STATUS_IS_OK(spnego_token_parse(mem, t3, l3, &t, &why)));
	assert_int_equal(t->type, SPNEGO_NEG_TOKEN_RESP);
	assert_int_equal(t->resp->neg_state, SPNEGO_REJECT);
	talloc_free(mem);
}

static void test_no_common_mechanism(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct fake fi, fa;
	struct negoex_spnego *ini = side(mem, NEGOEX_ROLE_INITIATOR, true, false, &fi);
	struct negoex_spnego *acc = side(mem, NEGOEX_ROLE_ACCEPTOR, false, true, &fa);
	struct spnego_token *r = NULL;
	NTSTATUS si, sa;

	relay(mem, ini, acc, &si, &sa, &r);
	assert_true(NT_STATUS_EQUAL(sa, NT_STATUS_NO_SUCH_PACKAGE));
	assert_int_equal(r->resp->neg_state, SPNEGO_REJECT);
	assert_true(NT_STATUS_EQUAL(si, NT_STATUS_LOGON_FAILURE));
	talloc_free(mem);
}

/* The fallback to a mechanism with integrity: the acceptor asks for the
 * MIC, sends its own with its last mechanism token, the initiator checks
 * it and ends with its own (MIT handle_mic); each checks one. */
static void test_mic_fallback(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct fake fi, fa;
	struct negoex_spnego *ini = side_mic(mem, NEGOEX_ROLE_INITIATOR, true, true, &fi, true);
	struct negoex_spnego *acc = side_mic(mem, NEGOEX_ROLE_ACCEPTOR, false, true, &fa, true);
	struct spnego_token *r = NULL;
	NTSTATUS si, sa;

	relay(mem, ini, acc, &si, &sa, &r);
	assert_true(NT_STATUS_IS_OK(si) && NT_STATUS_IS_OK(sa));
	selected_is(ini, &fake_oid);
	assert_int_equal(r->resp->neg_state, SPNEGO_REQUEST_MIC);
	assert_true(negoex_spnego_mic_exchanged(ini));
	assert_true(negoex_spnego_mic_exchanged(acc));
	assert_int_equal(fi.mics_made, 1);
	assert_int_equal(fi.mics_checked, 1);
	assert_int_equal(fa.mics_made, 1);
	assert_int_equal(fa.mics_checked, 1);

	/* the initiator's first mechanism chosen: no MIC is required */
	ini = side_mic(mem, NEGOEX_ROLE_INITIATOR, false, true, &fi, true);
	acc = side_mic(mem, NEGOEX_ROLE_ACCEPTOR, true, true, &fa, true);
	relay(mem, ini, acc, &si, &sa, &r);
	assert_true(NT_STATUS_IS_OK(si) && NT_STATUS_IS_OK(sa));
	assert_false(negoex_spnego_mic_exchanged(ini));
	assert_int_equal(fi.mics_made + fa.mics_made + fi.mics_checked + fa.mics_checked, 0);
	talloc_free(mem);
}

/* A MIC that does not verify fails the exchange, on either side. */
static void test_mic_bad(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct fake fi, fa;
	struct negoex_spnego *ini = side_mic(mem, NEGOEX_ROLE_INITIATOR, true, true, &fi, true);
	struct negoex_spnego *acc = side_mic(mem, NEGOEX_ROLE_ACCEPTOR, false, true, &fa, true);
	struct spnego_token *r = NULL;
	NTSTATUS si, sa;

	fi.bad_mic = true;
	relay(mem, ini, acc, &si, &sa, &r);
	assert_true(NT_STATUS_EQUAL(si, NT_STATUS_ACCESS_DENIED));
	assert_false(NT_STATUS_IS_OK(sa));

	ini = side_mic(mem, NEGOEX_ROLE_INITIATOR, true, true, &fi, true);
	acc = side_mic(mem, NEGOEX_ROLE_ACCEPTOR, false, true, &fa, true);
	fa.bad_mic = true;
	relay(mem, ini, acc, &si, &sa, &r);
	assert_true(NT_STATUS_EQUAL(sa, NT_STATUS_ACCESS_DENIED));
	assert_false(negoex_spnego_mic_exchanged(acc));
	talloc_free(mem);
}

/* Out-of-protocol MICs: a MIC before the mechanism is complete, a MIC for
 * a mechanism without integrity, a MIC in the NegTokenInit, a fallback
 * without request-mic, and an acceptor completing without the required
 * MIC. */
static void test_mic_refused(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct fake fi;
	struct negoex_spnego *ini = side(mem, NEGOEX_ROLE_INITIATOR, false, true, &fi);
	struct spnego_bytes mic = {.data = (uint8_t *)"mic!", .len = 4};
	struct spnego_bytes world = {.data = (uint8_t *)"world", .len = 5};
	struct spnego_oid sup = fake_oid;
	struct spnego_neg_token_resp resp = {.has_neg_state = true,
					     .neg_state = SPNEGO_ACCEPT_INCOMPLETE,
					     .supported_mech = &sup,
					     .mech_list_mic = &mic};
	struct spnego_token tok = {.type = SPNEGO_NEG_TOKEN_RESP, .resp = &resp};
	uint8_t *t, *out;
	size_t len, out_len;
	const char *why = NULL;

	/* before the mechanism is complete */
	assert_true(NT_STATUS_EQUAL(negoex_spnego_step(ini, mem, NULL, 0, &out, &out_len, &why),
				    NT_STATUS_MORE_PROCESSING_REQUIRED));
	assert_true(NT_STATUS_IS_OK(spnego_token_build(mem, &tok, &t, &len, &why)));
	assert_true(NT_STATUS_EQUAL(negoex_spnego_step(ini, mem, t, len, &out, &out_len, &why),
				    NT_STATUS_INVALID_PARAMETER));

	/* with the mechanism's last token, but it has no integrity */
	ini = side(mem, NEGOEX_ROLE_INITIATOR, false, true, &fi);
	assert_true(NT_STATUS_EQUAL(negoex_spnego_step(ini, mem, NULL, 0, &out, &out_len, &why),
				    NT_STATUS_MORE_PROCESSING_REQUIRED));
	resp.neg_state = SPNEGO_ACCEPT_COMPLETED;
	resp.response_token = &world;
	assert_true(NT_STATUS_IS_OK(spnego_token_build(mem, &tok, &t, &len, &why)));
	assert_true(NT_STATUS_EQUAL(negoex_spnego_step(ini, mem, t, len, &out, &out_len, &why),
				    NT_STATUS_INVALID_PARAMETER));

	/* the required MIC missing from the acceptor's completion */
	ini = side_mic(mem, NEGOEX_ROLE_INITIATOR, false, true, &fi, true);
	assert_true(NT_STATUS_EQUAL(negoex_spnego_step(ini, mem, NULL, 0, &out, &out_len, &why),
				    NT_STATUS_MORE_PROCESSING_REQUIRED));
	resp.neg_state = SPNEGO_REQUEST_MIC;
	resp.mech_list_mic = NULL;
	assert_true(NT_STATUS_IS_OK(spnego_token_build(mem, &tok, &t, &len, &why)));
	assert_true(NT_STATUS_EQUAL(negoex_spnego_step(ini, mem, t, len, &out, &out_len, &why),
				    NT_STATUS_INVALID_PARAMETER));

	/* a fallback without request-mic */
	ini = side(mem, NEGOEX_ROLE_INITIATOR, true, true, &fi);
	assert_true(NT_STATUS_EQUAL(negoex_spnego_step(ini, mem, NULL, 0, &out, &out_len, &why),
				    NT_STATUS_MORE_PROCESSING_REQUIRED));
	resp.neg_state = SPNEGO_ACCEPT_INCOMPLETE;
	resp.response_token = NULL;
	assert_true(NT_STATUS_IS_OK(spnego_token_build(mem, &tok, &t, &len, &why)));
	assert_true(NT_STATUS_EQUAL(negoex_spnego_step(ini, mem, t, len, &out, &out_len, &why),
				    NT_STATUS_INVALID_PARAMETER));
	talloc_free(mem);
}

static void test_malformed(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct fake fa;
	struct negoex_spnego *acc = side(mem, NEGOEX_ROLE_ACCEPTOR, true, true, &fa);
	static const uint8_t junk[] = {0x60, 0x05, 0x06, 0x03, 0x2a, 0x03, 0x04};
	uint8_t *out;
	size_t out_len;
	const char *why = NULL;
	NTSTATUS s = negoex_spnego_step(acc, mem, junk, sizeof(junk), &out, &out_len, &why);

	assert_false(NT_STATUS_IS_OK(s) || NT_STATUS_EQUAL(s, NT_STATUS_MORE_PROCESSING_REQUIRED));
	assert_null(out);
	assert_true(NT_STATUS_EQUAL(negoex_spnego_step(acc, mem, junk, sizeof(junk), &out,
						       &out_len, &why),
				    NT_STATUS_INVALID_DEVICE_STATE));
	talloc_free(mem);
}

/* MIT's initiator token (HOPS=1): our acceptor completes and answers a
 * NegTokenResp of MIT's acceptor's size and fields. */
static void test_mit_initiator(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct fake fa;
	struct negoex_spnego *acc = side(mem, NEGOEX_ROLE_ACCEPTOR, true, false, &fa);
	size_t il = 0, rl = 0, ol;
	uint8_t *init = spnego_vector(mem, "MIT_HOPS1_INIT", &il);
	uint8_t *mit = spnego_vector(mem, "MIT_HOPS1_RESP", &rl);
	struct spnego_token *ours, *theirs;
	uint8_t *out;
	const char *why = NULL;

	assert_true(NT_STATUS_IS_OK(negoex_spnego_step(acc, mem, init, il, &out, &ol, &why)));
	assert_int_equal(ol, rl);
	assert_true(NT_STATUS_IS_OK(spnego_token_parse(mem, out, ol, &ours, &why)));
	assert_true(NT_STATUS_IS_OK(spnego_token_parse(mem, mit, rl, &theirs, &why)));
	assert_int_equal(ours->resp->neg_state, theirs->resp->neg_state);
	assert_true(spnego_oid_equal(ours->resp->supported_mech, theirs->resp->supported_mech));
	assert_int_equal(ours->resp->response_token->len, theirs->resp->response_token->len);
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_negoex_chosen, clear_env),
		cmocka_unit_test_setup(test_fallback, clear_env),
		cmocka_unit_test_setup(test_initiator_failures, clear_env),
		cmocka_unit_test_setup(test_no_common_mechanism, clear_env),
		cmocka_unit_test_setup(test_mic_fallback, clear_env),
		cmocka_unit_test_setup(test_mic_bad, clear_env),
		cmocka_unit_test_setup(test_mic_refused, clear_env),
		cmocka_unit_test_setup(test_malformed, clear_env),
		cmocka_unit_test_setup(test_mit_initiator, clear_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
