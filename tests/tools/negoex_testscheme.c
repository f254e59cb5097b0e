/*
 * negoex_testscheme.c: the test auth scheme (negoex_testscheme.h), MIT
 * krb5 negoextest's behaviour on our plug-in interface.  Where MIT's plugin
 * asserts (a token it did not expect), this one fails the step instead.
 */
#include "tests/tools/negoex_testscheme.h"

#include <stdlib.h>
#include <string.h>

#define OID_LEN 6

struct testscheme {
	uint8_t oid[OID_LEN]; /* the OID's DER contents */
};

struct test_state {
	const struct testscheme *ts;
	bool initiator;
	bool started;
	uint8_t hops; /* remaining; 0 is established (MIT: uint8_t hops) */
};

static const struct testscheme schemes[NEGOEX_TESTSCHEME_COUNT] = {
	{{0x69, 0x85, 0xa2, 0xc0, 0xac, 0x66}}, /* 2.25.1414534758 */
	{{0x69, 0x84, 0xb0, 0xd1, 0xa8, 0x2c}}, /* 2.25.1175737388 */
};

void negoex_testscheme_get(unsigned index, struct negoex_scheme *out)
{
	out->ops = &negoex_testscheme_ops;
	out->priv = (void *)&schemes[index % NEGOEX_TESTSCHEME_COUNT];
}

unsigned negoex_testscheme_last_octet(unsigned index)
{
	return schemes[index % NEGOEX_TESTSCHEME_COUNT].oid[OID_LEN - 1];
}

/* env_names: $name is set to this scheme's last OID octet (MIT compares
 * atoi($name) with mech_last_octet). */
static bool env_names(const char *name, uint8_t octet)
{
	const char *v = getenv(name);

	return v != NULL && atoi(v) == octet;
}

static NTSTATUS query_mechanism_info(void *priv, struct negoex_guid *g)
{
	const struct testscheme *ts = priv;

	/* MIT: "Copy the mech OID encoding and right-pad it with zeros." */
	memset(g->bytes, 0, sizeof(g->bytes));
	memcpy(g->bytes, ts->oid, OID_LEN);
	return NT_STATUS_OK;
}

static NTSTATUS start(TALLOC_CTX *mem_ctx, void *priv, enum negoex_role role, void **state)
{
	struct test_state *s = talloc_zero(mem_ctx, struct test_state);

	if (s == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	s->ts = priv;
	s->initiator = role == NEGOEX_ROLE_INITIATOR;
	*state = s;
	return NT_STATUS_OK;
}

static uint8_t last_octet(const struct test_state *s)
{
	return s->ts->oid[OID_LEN - 1];
}

static NTSTATUS query_meta_data(void *state, TALLOC_CTX *mem_ctx, uint8_t **meta, size_t *len)
{
	struct test_state *s = state;

	if (env_names(s->initiator ? "INIT_QUERY_FAIL" : "ACCEPT_QUERY_FAIL", last_octet(s))) {
		return NT_STATUS_UNSUCCESSFUL;
	}
	if (env_names(s->initiator ? "INIT_QUERY_NONE" : "ACCEPT_QUERY_NONE", last_octet(s))) {
		*meta = NULL;
		*len = 0;
		return NT_STATUS_OK;
	}
	*meta = talloc_memdup(mem_ctx, "X", 1);
	if (*meta == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	*len = 1;
	return NT_STATUS_OK;
}

static NTSTATUS exchange_meta_data(void *state, const uint8_t *meta, size_t len)
{
	struct test_state *s = state;

	if (env_names(s->initiator ? "INIT_EXCHANGE_FAIL" : "ACCEPT_EXCHANGE_FAIL",
		      last_octet(s))) {
		return NT_STATUS_UNSUCCESSFUL;
	}
	return len == 1 && meta[0] == 'X' ? NT_STATUS_OK : NT_STATUS_INVALID_PARAMETER;
}

/* advance: MIT's hop count: the first token sets it, each later one must
 * be one less than ours; then we send the count left, if any. */
static NTSTATUS advance(struct test_state *s, uint8_t hops)
{
	if (!s->started) {
		s->started = true;
		s->hops = hops;
	} else {
		if (s->hops == 0 || s->hops - 1 != hops) {
			return NT_STATUS_INVALID_PARAMETER;
		}
		s->hops--;
	}
	return NT_STATUS_OK;
}

/*
 * The initiator's token is what MIT's gss_encapsulate_token makes of the
 * one hop byte: [APPLICATION 0] { OID, byte }, 11 bytes for these 6-byte
 * OIDs.  A fixed layout of test bytes, so written out here rather than
 * through an ASN.1 encoder.
 */
static NTSTATUS init_token(struct test_state *s, TALLOC_CTX *mem_ctx, uint8_t **out,
			   size_t *out_len)
{
	uint8_t *t = talloc_array(mem_ctx, uint8_t, 5 + OID_LEN);

	if (t == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	t[0] = 0x60;
	t[1] = 3 + OID_LEN;
	t[2] = 0x06;
	t[3] = OID_LEN;
	memcpy(t + 4, s->ts->oid, OID_LEN);
	t[4 + OID_LEN] = s->hops;
	*out = t;
	*out_len = 5 + OID_LEN;
	return NT_STATUS_OK;
}

static NTSTATUS step_init(struct test_state *s, TALLOC_CTX *mem_ctx, const uint8_t *in,
			  size_t in_len, uint8_t **out, size_t *out_len)
{
	uint8_t hops;
	NTSTATUS status;

	if (in == NULL || in_len == 0) {
		const char *v = getenv("HOPS");

		hops = v != NULL ? (uint8_t)atoi(v) : 1;
		if (hops == 0) {
			return NT_STATUS_INVALID_PARAMETER;
		}
	} else if (in_len == 4 && memcmp(in, "fail", 4) == 0) {
		return NT_STATUS_LOGON_FAILURE; /* MIT: "failure from acceptor" */
	} else {
		hops = in[0];
	}
	if (env_names("INIT_FAIL", last_octet(s))) {
		return NT_STATUS_UNSUCCESSFUL;
	}
	status = advance(s, hops);
	if (NT_STATUS_IS_OK(status) && s->hops > 0) {
		s->hops--;
		status = init_token(s, mem_ctx, out, out_len);
	}
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	return s->hops > 0 ? NT_STATUS_MORE_PROCESSING_REQUIRED : NT_STATUS_OK;
}

static NTSTATUS step_accept(struct test_state *s, TALLOC_CTX *mem_ctx, const uint8_t *in,
			    size_t in_len, uint8_t **out, size_t *out_len)
{
	uint8_t hops;
	NTSTATUS status;

	/* MIT: the hop byte is last, the OID's last octet just before it. */
	if (in == NULL || in_len < 2) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	hops = in[in_len - 1];
	if (env_names("ACCEPT_FAIL", in[in_len - 2])) {
		*out = talloc_memdup(mem_ctx, "fail", 4);
		*out_len = *out != NULL ? 4 : 0;
		return NT_STATUS_LOGON_FAILURE;
	}
	status = advance(s, hops);
	if (NT_STATUS_IS_OK(status) && s->hops > 0) {
		s->hops--;
		*out = talloc_memdup(mem_ctx, &s->hops, 1);
		*out_len = 1;
		status = *out != NULL ? NT_STATUS_OK : NT_STATUS_NO_MEMORY;
	}
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	return s->hops > 0 ? NT_STATUS_MORE_PROCESSING_REQUIRED : NT_STATUS_OK;
}

static NTSTATUS step(void *state, TALLOC_CTX *mem_ctx, const uint8_t *in, size_t in_len,
		     uint8_t **out, size_t *out_len)
{
	struct test_state *s = state;

	return s->initiator ? step_init(s, mem_ctx, in, in_len, out, out_len)
			    : step_accept(s, mem_ctx, in, in_len, out, out_len);
}

/* key_size: RFC 3961 key lengths of the enctypes NEGOEX_TEST_ENCTYPE takes. */
static size_t key_size(int32_t enctype)
{
	switch (enctype) {
	case 17: /* aes128-cts-hmac-sha1-96 */
	case 19: /* aes128-cts-hmac-sha256-128 */
	case 23: /* arcfour-hmac */
		return 16;
	case 18: /* aes256-cts-hmac-sha1-96 */
	case 20: /* aes256-cts-hmac-sha384-192 */
		return 32;
	default:
		return 0;
	}
}

static NTSTATUS get_key(void *state, enum negoex_key_use use, struct negoex_key *key)
{
	struct test_state *s = state;
	const char *v = getenv("KEY");
	const char *et = getenv("NEGOEX_TEST_ENCTYPE");
	int32_t enctype = et != NULL ? atoi(et) : 18;

	/* MIT: "By default, make a key available only if the context is
	 * established.  This can be overridden to "always", "init-always",
	 * "accept-always", or "never"." */
	if (!s->started || (v != NULL && strcmp(v, "never") == 0)) {
		return NT_STATUS_NOT_FOUND;
	}
	if (s->hops > 0 && (v == NULL || (strcmp(v, "init-always") == 0 && !s->initiator) ||
			    (strcmp(v, "accept-always") == 0 && s->initiator))) {
		return NT_STATUS_NOT_FOUND;
	}
	if (key_size(enctype) == 0) {
		return NT_STATUS_NOT_SUPPORTED;
	}
	/* MIT: "Perturb the key so that each side's verifier key is equal to
	 * the other's checksum key": all zeros but the first byte. */
	memset(key->bytes, 0, sizeof(key->bytes));
	key->bytes[0] = (use == NEGOEX_KEY_VERIFY) ^ s->initiator;
	key->len = key_size(enctype);
	key->enctype = enctype;
	return NT_STATUS_OK;
}

const struct negoex_scheme_ops negoex_testscheme_ops = {
	.name = "negoextest",
	.query_mechanism_info = query_mechanism_info,
	.start = start,
	.query_meta_data = query_meta_data,
	.exchange_meta_data = exchange_meta_data,
	.step = step,
	.get_key = get_key,
};
