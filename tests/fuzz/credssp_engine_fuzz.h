/*
 * credssp_engine_fuzz.h: what the two CredSSP engine fuzz targets share:
 * a client engine and a server engine over the fake mechanism
 * (tests/unit/credssp_fake_mech.h), with the messages of ONE side taken
 * from the fuzz input.  The input's first byte picks how:
 *   even: the rest is up to 4 messages, each a 2-byte big-endian length
 *         and its bytes, fed to the engine under test in place of its
 *         peer's messages;
 *   odd:  the rest is a list of 4-byte edits (message index, offset
 *         high, offset low, xor mask) applied to the genuine peer's
 *         messages in flight, so the fuzzer reaches every state.
 * Invariants (abort on violation): a failed engine says why; the server
 * hands over credentials only when it finished; credentials that arrive
 * are the ones the client sent, or the client never sent them.
 */
#ifndef TESTS_FUZZ_CREDSSP_ENGINE_FUZZ_H
#define TESTS_FUZZ_CREDSSP_ENGINE_FUZZ_H

#include <stdlib.h>
#include <string.h>

#include "credssp/credssp.h"
#include "tests/unit/credssp_fake_mech.h"

static const uint8_t fuzz_key[] = { 0x30, 0x0d, 0x02, 0x06, 0x00, 0xc1, 0x12, 0x34,
				    0x56, 0x78, 0x02, 0x03, 0x01, 0x00, 0x01 };

struct fuzz_input {
	const uint8_t *data;
	size_t size;
	bool replace;
};

/* next_replacement: the next message of a replacing input. */
static bool fuzz_next_message(struct fuzz_input *in, const uint8_t **msg, size_t *len)
{
	size_t n;

	if (in->size < 2) {
		return false;
	}
	n = ((size_t)in->data[0] << 8) | in->data[1];
	if (n > in->size - 2) {
		n = in->size - 2;
	}
	*msg = in->data + 2;
	*len = n;
	in->data += 2 + n;
	in->size -= 2 + n;
	return true;
}

/* fuzz_edit: apply the edits aimed at message |idx| to a copy. */
static uint8_t *fuzz_edit(TALLOC_CTX *t, const struct fuzz_input *in, int idx, const uint8_t *msg,
			  size_t len)
{
	uint8_t *copy = talloc_memdup(t, msg, len);

	if (copy == NULL) {
		abort();
	}
	for (size_t i = 0; i + 4 <= in->size; i += 4) {
		size_t off = ((size_t)in->data[i + 1] << 8) | in->data[i + 2];

		if (in->data[i] % 4 == idx && len > 0) {
			copy[off % len] ^= in->data[i + 3];
		}
	}
	return copy;
}

/* fuzz_run: |fuzz_server| true: the client is genuine, its messages
 * hostile (the server is under test); false: the other way round. */
static void fuzz_run(const uint8_t *data, size_t size, bool fuzz_server)
{
	TALLOC_CTX *t = talloc_new(NULL);
	static const char *const all[] = { "*", NULL };
	struct fake_server_cfg cfg = { .legs = 2, .secret = "sesame" };
	struct credssp_server_settings ss = { .start_mech = fake_start, .start_arg = &cfg,
					      .min_version = 2 };
	struct credssp_client_settings cs = { .server_name = "x", .allowed_servers = all,
					      .min_version = 2 };
	struct credssp_credentials creds = { .type = CREDSSP_CRED_PASSWORD };
	struct fuzz_input in;
	struct credssp_ctx *c = NULL, *s = NULL;
	enum credssp_result cr, sr = CREDSSP_CONTINUE;
	uint8_t *msg = NULL, *reply = NULL;
	size_t msg_len = 0, reply_len = 0;
	bool auth_info_sent = false;

	if (size < 1) {
		talloc_free(t);
		return;
	}
	in.replace = data[0] % 2 == 0;
	cfg.legs = (data[0] & 2) ? 1 : 2;
	cs.version = 2 + (data[0] >> 2) % 5;
	in.data = data + 1;
	in.size = size - 1;
	creds.password.domain = (char *)"D";
	creds.password.user = (char *)"u";
	creds.password.password = crypto_secret_dup(t, (const uint8_t *)"pw", 2);
	cs.creds = &creds;
	if (!NT_STATUS_IS_OK(credssp_client_new(t, &cs, &fake_mech_ops,
						fake_mech_new(true, cfg.legs, "sesame"), fuzz_key,
						sizeof(fuzz_key), &c, NULL)) ||
	    !NT_STATUS_IS_OK(credssp_server_new(t, &ss, fuzz_key, sizeof(fuzz_key), &s, NULL))) {
		abort();
	}
	cr = credssp_step(c, NULL, 0, &msg, &msg_len);
	for (int i = 0; i < 4 && cr != CREDSSP_FAILED; i++) {
		const uint8_t *m = msg;
		size_t ml = msg_len;

		/* client -> server */
		if (fuzz_server) {
			if (in.replace && !fuzz_next_message(&in, &m, &ml)) {
				break;
			}
			if (!in.replace) {
				m = fuzz_edit(t, &in, i, msg, msg_len);
			}
		}
		if (ml == 0 && !fuzz_server) {
			break;
		}
		sr = credssp_step(s, m, ml, &reply, &reply_len);
		if (sr == CREDSSP_FAILED && credssp_error(s)[0] == '\0') {
			abort();
		}
		if (sr != CREDSSP_CONTINUE && (reply_len == 0 || cr == CREDSSP_DONE)) {
			break;
		}
		if (cr == CREDSSP_DONE) {
			break;
		}
		/* server -> client */
		m = reply;
		ml = reply_len;
		if (!fuzz_server) {
			if (in.replace && !fuzz_next_message(&in, &m, &ml)) {
				break;
			}
			if (!in.replace) {
				m = fuzz_edit(t, &in, i, reply, reply_len);
			}
		}
		cr = credssp_step(c, m, ml, &msg, &msg_len);
		if (cr == CREDSSP_FAILED && credssp_error(c)[0] == '\0') {
			abort();
		}
		if (cr == CREDSSP_DONE) {
			auth_info_sent = true;
		}
	}
	if (credssp_server_credentials(s) != NULL) {
		struct credssp_credentials *got = credssp_server_credentials(s);

		if (sr != CREDSSP_DONE) {
			abort();
		}
		/* from the genuine client: what it sent; never without it */
		if (!fuzz_server && (!auth_info_sent || strcmp(got->password.user, "u") != 0)) {
			abort();
		}
	}
	talloc_free(t);
}

#endif
