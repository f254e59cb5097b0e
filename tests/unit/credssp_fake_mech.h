/*
 * credssp_fake_mech.h: a test-only mechanism for the CredSSP engine
 * (credssp/mech.h), so the engine's state machines can be run, broken
 * and fed hostile input without a KDC.  Used by the engine unit tests
 * and the engine fuzz targets; never part of a product.
 *
 * The exchange (|legs| = 2, NTLM-like; 1, Kerberos-like):
 *   initiator: step(NULL)        -> 60 'F' 'K' '1' <secret id>
 *   acceptor:  step(tok1)        -> 'F' 'K' '2' (continue)       [legs 2]
 *                                -> 'F' 'K' '2' (complete)       [legs 1]
 *   initiator: step(tok2)        -> 'F' 'K' '3' (complete)       [legs 2]
 *                                -> nothing (complete)           [legs 1]
 *   acceptor:  step(tok3)        -> nothing (complete)           [legs 2]
 * The acceptor refuses (STATUS_LOGON_FAILURE) when the initiator's
 * secret differs from its own.  wrap = 16-byte HMAC-SHA256 tag over a
 * direction byte, a sequence number and the plaintext, then the
 * plaintext XORed with the secret's first byte: unwrap checks the tag
 * and the sequence, so tampering and replays are detected.
 */
#ifndef TESTS_UNIT_CREDSSP_FAKE_MECH_H
#define TESTS_UNIT_CREDSSP_FAKE_MECH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credssp/mech.h"
#include "crypto/crypto.h"

#define FAKE_TAG_LEN 16

struct fake_mech {
	bool initiator;
	int legs;
	int step;             /* calls made */
	bool complete;
	char secret[32];
	uint32_t fail_status; /* acceptor: fail its first step with this */
	uint32_t send_seq, recv_seq;
	int *freed;           /* counts free() calls, when set */
};

static int fake_tag(const struct fake_mech *m, uint8_t dir, uint32_t seq, const uint8_t *p,
		    size_t len, uint8_t *tag)
{
	uint8_t full[CRYPTO_SHA256_LEN];
	uint8_t *buf = malloc(len + 5);

	if (buf == NULL) {
		return -1;
	}
	buf[0] = dir;
	memcpy(buf + 1, &seq, 4);
	if (len > 0) {
		memcpy(buf + 5, p, len);
	}
	if (!NT_STATUS_IS_OK(crypto_hmac(CRYPTO_MD_SHA256, (const uint8_t *)m->secret,
					 strlen(m->secret), buf, len + 5, full))) {
		free(buf);
		return -1;
	}
	free(buf);
	memcpy(tag, full, FAKE_TAG_LEN);
	return 0;
}

static int fake_out(uint8_t **out, size_t *out_len, const char *tok, const char *extra)
{
	size_t a = strlen(tok), b = extra != NULL ? strlen(extra) : 0;

	*out = malloc(a + b + 1);
	if (*out == NULL) {
		return -1;
	}
	memcpy(*out, tok, a);
	if (b > 0) {
		memcpy(*out + a, extra, b);
	}
	*out_len = a + b;
	return 0;
}

static int fake_step(void *ctx, const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len,
		     uint32_t *status, char *err, size_t errlen)
{
	struct fake_mech *m = ctx;

	*out = NULL;
	*out_len = 0;
	m->step++;
	if (m->complete) {
		snprintf(err, errlen, "token after completion");
		return -1;
	}
	if (m->initiator) {
		if (m->step == 1) {
			if (in != NULL) {
				snprintf(err, errlen, "initiator given a first token");
				return -1;
			}
			return fake_out(out, out_len, "\x60" "FK1", m->secret) == 0 ? 0 : -1;
		}
		if (m->step == 2 && in_len == 3 && memcmp(in, "FK2", 3) == 0) {
			m->complete = true;
			if (m->legs == 1) {
				return 1;
			}
			return fake_out(out, out_len, "FK3", NULL) == 0 ? 1 : -1;
		}
		snprintf(err, errlen, "unexpected token at step %d", m->step);
		return -1;
	}
	if (m->step == 1) {
		if (in_len < 4 || memcmp(in, "\x60" "FK1", 4) != 0) {
			snprintf(err, errlen, "not a fake first token");
			*status = 0xC000000DU; /* STATUS_INVALID_PARAMETER */
			return -1;
		}
		if (m->fail_status != 0 || in_len - 4 != strlen(m->secret) ||
		    memcmp(in + 4, m->secret, in_len - 4) != 0) {
			snprintf(err, errlen, "wrong secret");
			*status = m->fail_status != 0 ? m->fail_status : 0xC000006DU;
			return -1;
		}
		if (m->legs == 1) {
			m->complete = true;
			return fake_out(out, out_len, "FK2", NULL) == 0 ? 1 : -1;
		}
		return fake_out(out, out_len, "FK2", NULL) == 0 ? 0 : -1;
	}
	if (m->step == 2 && m->legs == 2 && in_len == 3 && memcmp(in, "FK3", 3) == 0) {
		m->complete = true;
		return 1;
	}
	snprintf(err, errlen, "unexpected token at step %d", m->step);
	return -1;
}

static int fake_wrap(void *ctx, const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len)
{
	struct fake_mech *m = ctx;
	uint8_t *buf = malloc(FAKE_TAG_LEN + in_len + 1);

	if (buf == NULL || !m->complete) {
		free(buf);
		return -1;
	}
	if (fake_tag(m, m->initiator ? 'C' : 'S', m->send_seq, in, in_len, buf) != 0) {
		free(buf);
		return -1;
	}
	for (size_t i = 0; i < in_len; i++) {
		buf[FAKE_TAG_LEN + i] = in[i] ^ (uint8_t)m->secret[0];
	}
	m->send_seq++;
	*out = buf;
	*out_len = FAKE_TAG_LEN + in_len;
	return 0;
}

static int fake_unwrap(void *ctx, const uint8_t *in, size_t in_len, uint8_t **out,
		       size_t *out_len)
{
	struct fake_mech *m = ctx;
	uint8_t tag[FAKE_TAG_LEN];
	size_t n;
	uint8_t *buf;

	if (!m->complete || in_len < FAKE_TAG_LEN) {
		return -1;
	}
	n = in_len - FAKE_TAG_LEN;
	buf = malloc(n + 1);
	if (buf == NULL) {
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		buf[i] = in[FAKE_TAG_LEN + i] ^ (uint8_t)m->secret[0];
	}
	if (fake_tag(m, m->initiator ? 'S' : 'C', m->recv_seq, buf, n, tag) != 0 ||
	    !crypto_memequal(tag, in, FAKE_TAG_LEN)) {
		free(buf);
		return -1;
	}
	m->recv_seq++;
	*out = buf;
	*out_len = n;
	return 0;
}

static const char *fake_peer_name(void *ctx)
{
	struct fake_mech *m = ctx;

	return m->complete && !m->initiator ? "FAKE\\user" : NULL;
}

static void fake_free(void *ctx)
{
	struct fake_mech *m = ctx;

	if (m->freed != NULL) {
		(*m->freed)++;
	}
	free(m);
}

static const struct credssp_mech_ops fake_mech_ops = {
	.name = "Fake",
	.step = fake_step,
	.wrap = fake_wrap,
	.unwrap = fake_unwrap,
	.peer_name = fake_peer_name,
	.free = fake_free,
};

static inline struct fake_mech *fake_mech_new(bool initiator, int legs, const char *secret)
{
	struct fake_mech *m = calloc(1, sizeof(*m));

	if (m != NULL) {
		m->initiator = initiator;
		m->legs = legs;
		snprintf(m->secret, sizeof(m->secret), "%s", secret);
	}
	return m;
}

/* The server's start callback: |arg| is a struct fake_server_cfg. */
struct fake_server_cfg {
	int legs;
	const char *secret;
	uint32_t fail_status;
	int started;
	enum credssp_mech_kind last_kind;
	int *freed;
};

static inline int fake_start(void *arg, enum credssp_mech_kind kind,
			     const struct credssp_mech_ops **ops, void **mech_ctx, char *err,
			     size_t errlen)
{
	struct fake_server_cfg *cfg = arg;
	struct fake_mech *m;

	cfg->last_kind = kind;
	if (kind != CREDSSP_MECH_GSSAPI) {
		snprintf(err, errlen, "the fake only does GSSAPI-looking tokens");
		return -1;
	}
	m = fake_mech_new(false, cfg->legs, cfg->secret);
	if (m == NULL) {
		return -1;
	}
	m->fail_status = cfg->fail_status;
	m->freed = cfg->freed;
	cfg->started++;
	*ops = &fake_mech_ops;
	*mech_ctx = m;
	return 0;
}

#endif
