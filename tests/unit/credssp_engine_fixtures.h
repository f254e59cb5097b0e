/*
 * credssp_engine_fixtures.h: running a CredSSP client engine against a
 * server engine in memory, over the fake mechanism, with a hook that may
 * tamper with each message in flight.  Used by the engine unit tests.
 */
#ifndef TESTS_UNIT_CREDSSP_ENGINE_FIXTURES_H
#define TESTS_UNIT_CREDSSP_ENGINE_FIXTURES_H

#include "credssp_fixtures.h"
#include "credssp_fake_mech.h"
#include "credssp/credssp.h"

static const uint8_t server_key[] = { 0x30, 0x0d, 0x02, 0x06, 0x00, 0xc1, 0x12, 0x34, 0x56, 0x78,
				      0x02, 0x03, 0x01, 0x00, 0x01 };
static const uint8_t mitm_key[] = { 0x30, 0x0d, 0x02, 0x06, 0x00, 0xee, 0x66, 0x66, 0x66, 0x66,
				    0x02, 0x03, 0x01, 0x00, 0x01 };
static const char *const allow_all[] = { "*", NULL };

/* tamper hook: |dir| 'C' (client to server) or 'S'; may replace *buf. */
typedef void (*tamper_fn)(void *arg, char dir, int idx, TALLOC_CTX *t, uint8_t **buf,
			  size_t *len);

struct run {
	struct credssp_ctx *c, *s;
	enum credssp_result cr, sr;
	int c2s, s2c;                 /* messages sent each way */
	bool auth_info_sent;          /* a client message carried authInfo */
	uint8_t *c_msgs[8];           /* the client's messages, as sent */
	size_t c_lens[8];
	uint8_t *last_s2c;            /* the server's last message */
	size_t last_s2c_len;
};

struct run_opts {
	uint32_t c_version, c_min, s_version, s_min;
	const uint8_t *c_key;         /* the key the client sees (default server_key) */
	size_t c_key_len;
	int legs;                     /* default 2 */
	const char *c_secret, *s_secret;
	uint32_t s_fail_status;
	const struct credssp_credentials *creds;
	struct credssp_nonce_cache *nonces;
	tamper_fn tamper;
	void *tamper_arg;
};

static inline struct credssp_credentials *password_creds(TALLOC_CTX *t, const char *dom,
							 const char *user, const char *pw)
{
	struct credssp_credentials *c = talloc_zero(t, struct credssp_credentials);

	assert_non_null(c);
	c->type = CREDSSP_CRED_PASSWORD;
	c->password.domain = talloc_strdup(c, dom);
	c->password.user = talloc_strdup(c, user);
	c->password.password = crypto_secret_dup(c, (const uint8_t *)pw, strlen(pw));
	return c;
}

static inline bool msg_has_auth_info(const uint8_t *m, size_t len)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct credssp_tsrequest *r = NULL;
	bool has = NT_STATUS_IS_OK(credssp_tsrequest_parse(t, m, len, &r, NULL)) &&
		   r->auth_info != NULL;

	talloc_free(t);
	return has;
}

static inline void run_exchange(TALLOC_CTX *t, const struct run_opts *o, struct run *r,
				struct fake_server_cfg *cfg)
{
	struct credssp_client_settings cs = { 0 };
	struct credssp_server_settings ss = { 0 };
	struct fake_mech *cm;
	uint8_t *msg = NULL, *reply = NULL;
	size_t msg_len = 0, reply_len = 0;
	TALLOC_CTX *creds_t = talloc_new(t);

	memset(r, 0, sizeof(*r));
	cfg->legs = o->legs != 0 ? o->legs : 2;
	cfg->secret = o->s_secret != NULL ? o->s_secret : "sesame";
	cfg->fail_status = o->s_fail_status;
	cs.version = o->c_version;
	cs.min_version = o->c_min;
	cs.server_name = "rdp.example.com";
	cs.allowed_servers = allow_all;
	cs.creds = o->creds != NULL ? o->creds : password_creds(creds_t, "DOM", "alice", "pw");
	ss.version = o->s_version;
	ss.min_version = o->s_min;
	ss.start_mech = fake_start;
	ss.start_arg = cfg;
	ss.nonces = o->nonces;
	cm = fake_mech_new(true, cfg->legs, o->c_secret != NULL ? o->c_secret : "sesame");
	assert_non_null(cm);
	assert_true(NT_STATUS_IS_OK(credssp_client_new(
		t, &cs, &fake_mech_ops, cm, o->c_key != NULL ? o->c_key : server_key,
		o->c_key != NULL ? o->c_key_len : sizeof(server_key), &r->c, NULL)));
	assert_true(NT_STATUS_IS_OK(
		credssp_server_new(t, &ss, server_key, sizeof(server_key), &r->s, NULL)));
	r->cr = credssp_step(r->c, NULL, 0, &msg, &msg_len);
	r->sr = CREDSSP_CONTINUE;
	for (int i = 0; i < 10 && msg_len > 0; i++) {
		if (o->tamper != NULL) {
			o->tamper(o->tamper_arg, 'C', r->c2s, t, &msg, &msg_len);
		}
		if (r->c2s < 8) {
			r->c_msgs[r->c2s] = talloc_memdup(t, msg, msg_len);
			r->c_lens[r->c2s] = msg_len;
		}
		r->c2s++;
		if (msg_has_auth_info(msg, msg_len)) {
			r->auth_info_sent = true;
		}
		r->sr = credssp_step(r->s, msg, msg_len, &reply, &reply_len);
		if (r->sr == CREDSSP_DONE || reply_len == 0) {
			break;
		}
		if (o->tamper != NULL) {
			o->tamper(o->tamper_arg, 'S', r->s2c, t, &reply, &reply_len);
		}
		r->s2c++;
		r->last_s2c = talloc_memdup(t, reply, reply_len);
		r->last_s2c_len = reply_len;
		if (r->cr == CREDSSP_DONE) {
			break; /* the client is finished: nothing more to feed */
		}
		r->cr = credssp_step(r->c, reply, reply_len, &msg, &msg_len);
		if (r->cr == CREDSSP_FAILED) {
			break;
		}
	}
	talloc_free(creds_t);
}

/* edit_tsrequest: parse |*buf|, let |fn| change the fields, rebuild. */
static inline void edit_tsrequest(TALLOC_CTX *t, uint8_t **buf, size_t *len,
				  void (*fn)(TALLOC_CTX *t, struct credssp_tsrequest *r, void *arg),
				  void *arg)
{
	struct credssp_tsrequest *r = NULL;

	assert_true(NT_STATUS_IS_OK(credssp_tsrequest_parse(t, *buf, *len, &r, NULL)));
	fn(t, r, arg);
	assert_true(NT_STATUS_IS_OK(credssp_tsrequest_build(t, r, buf, len, NULL)));
}

#endif
