/*
 * test_otpce_server.c: otpced's processing (MS-OTPCE 3.2.5.1 steps 1-6
 * and their statuses), the challenge State table, and the configuration
 * file, with the fake backends of otpce_server_fakes.h.  The HTTP side is
 * test_otpce_server_http.c.
 */
#include "otpce_server_fakes.h"

#include <sys/stat.h>
#include <unistd.h>

struct result {
	int calls;
	struct otpced_outcome o;
	uint8_t signed_req[4096];
};

static void record(const struct otpced_outcome *o, void *arg)
{
	struct result *r = arg;

	r->calls++;
	r->o = *o;
	if (o->signed_request != NULL) {
		memcpy(r->signed_req, o->signed_request, o->signed_request_len);
	}
	r->o.signed_request = NULL;
}

struct env {
	TALLOC_CTX *t;
	struct otpced srv;
	struct otpced_config cfg;
	struct otpce_radius_server servers[2];
	char *cas[2];
};

static struct env *env_new(void)
{
	struct env *e = talloc_zero(NULL, struct env);

	fake_reset();
	e->t = e;
	e->srv.base = event_base_new();
	e->srv.cfg = &e->cfg;
	e->srv.challenges = otpced_challenges_new(e, 300);
	e->cfg.template_name = "OTPLogon";
	e->cfg.directory.dn_container = "CN=Users";
	e->servers[0].host = "127.0.0.81";
	e->servers[0].port = 1812;
	e->servers[0].secret = "s";
	e->cfg.otp_servers = e->servers;
	e->cfg.num_otp_servers = 1;
	e->cas[0] = "dc1.domain1.test\\CA1";
	e->cfg.cas = e->cas;
	e->cfg.num_cas = 1;
	return e;
}

static void env_free(struct env *e)
{
	struct event_base *b = e->srv.base;
	talloc_free(e);
	event_base_free(b);
}

static struct otpce_sign_cert_request *make_req(struct env *e, const char *otp, bool valid_csr)
{
	struct otpce_sign_cert_request *req = talloc_zero(e, struct otpce_sign_cert_request);

	req->username = talloc_strdup(req, "DOMAIN1\\user1");
	req->one_time_password = crypto_secret_dup(req, (const uint8_t *)otp, strlen(otp));
	if (valid_csr) {
		req->cert_request = make_csr(req, &req->cert_request_len);
	} else {
		req->cert_request = talloc_memdup(req, "\x6a\xc7\x5f", 3); /* 4.4's "asdf" */
		req->cert_request_len = 3;
	}
	return req;
}

/* run processes one request to its end. */
static struct result run(struct env *e, struct otpce_sign_cert_request *req)
{
	struct result r = { 0 };

	otpced_process(e, &e->srv, req, record, &r);
	while (r.calls == 0) {
		assert_int_equal(event_base_loop(e->srv.base, EVLOOP_ONCE), 0);
	}
	assert_int_equal(r.calls, 1);
	return r;
}

static void test_step1_not_pkcs10(void **state)
{
	struct env *e = env_new();
	struct result r = run(e, make_req(e, "123456", false));

	assert_int_equal(r.o.status, OTPCE_STATUS_OTHER_ERROR);
	assert_string_equal(r.o.step, "pkcs10");
	assert_int_equal(fake.dir_calls, 0);
	assert_int_equal(fake.radius_calls, 0);
	env_free(e);
}

static void test_step1_checks_fail(void **state)
{
	struct env *e = env_new();
	struct result r;

	fake.check_rc = 1;
	r = run(e, make_req(e, "123456", true));
	assert_int_equal(r.o.status, OTPCE_STATUS_OTHER_ERROR);
	assert_non_null(strstr(r.o.detail, "template"));
	/* The names the checks get come from the directory. */
	assert_string_equal(fake.check_upn, "user1@domain1.test");
	assert_string_equal(fake.check_dn, "CN=User 1,CN=Users,DC=domain1,DC=test");
	assert_int_equal(fake.radius_calls, 0);
	env_free(e);
}

static void test_step2_directory(void **state)
{
	struct env *e = env_new();
	struct result r;

	fake.dir_result = OTPCE_DIRECTORY_NOT_FOUND;
	r = run(e, make_req(e, "123456", true));
	assert_int_equal(r.o.status, OTPCE_STATUS_AUTHENTICATION_ERROR);
	assert_string_equal(r.o.step, "directory");
	fake.dir_result = OTPCE_DIRECTORY_ERROR;
	r = run(e, make_req(e, "123456", true));
	assert_int_equal(r.o.status, OTPCE_STATUS_OTHER_ERROR);
	assert_int_equal(fake.radius_calls, 0);
	assert_int_equal(fake.check_calls, 0);
	env_free(e);
}

/* The directory's FOUND answers are kept (dircache.c); others are not. */
static void test_step2_cached(void **state)
{
	struct env *e = env_new();
	struct result r;

	e->srv.dircache = otpced_dircache_new(e, 30);
	fake.dir_result = OTPCE_DIRECTORY_NOT_FOUND;
	r = run(e, make_req(e, "123456", true));
	assert_int_equal(r.o.status, OTPCE_STATUS_AUTHENTICATION_ERROR);
	r = run(e, make_req(e, "123456", true));
	assert_int_equal(r.o.status, OTPCE_STATUS_AUTHENTICATION_ERROR);
	assert_int_equal(fake.dir_calls, 2);
	fake.dir_result = OTPCE_DIRECTORY_ERROR;
	r = run(e, make_req(e, "123456", true));
	assert_int_equal(r.o.status, OTPCE_STATUS_OTHER_ERROR);
	assert_int_equal(fake.dir_calls, 3);
	fake.dir_result = OTPCE_DIRECTORY_FOUND;
	r = run(e, make_req(e, "123456", true));
	assert_int_equal(r.o.status, OTPCE_STATUS_SUCCESS);
	assert_int_equal(fake.dir_calls, 4);
	/* Kept: the directory is not asked again, and the names are the same. */
	fake.dir_result = OTPCE_DIRECTORY_NOT_FOUND;
	fake.check_upn[0] = '\0';
	r = run(e, make_req(e, "123456", true));
	assert_int_equal(r.o.status, OTPCE_STATUS_SUCCESS);
	assert_int_equal(fake.dir_calls, 4);
	assert_string_equal(fake.check_upn, "user1@domain1.test");
	assert_string_equal(fake.check_dn, "CN=User 1,CN=Users,DC=domain1,DC=test");
	env_free(e);
}

static void test_dircache(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct otpced_dircache *c = otpced_dircache_new(t, 30), *off = otpced_dircache_new(t, 0);
	struct otpce_directory_user u = { .account = "D\\u", .upn = "u@d.test", .dn = "CN=U" },
				    got = { 0 };
	char name[32];

	assert_false(otpced_dircache_get(c, "D\\u", &got, 1000));
	otpced_dircache_put(c, "D\\u", &u, 1000);
	assert_true(otpced_dircache_get(c, "d\\U", &got, 1029)); /* case-insensitive */
	assert_string_equal(got.upn, "u@d.test");
	assert_string_equal(got.dn, "CN=U");
	assert_false(otpced_dircache_get(c, "D\\v", &got, 1001));
	assert_false(otpced_dircache_get(c, "D\\u", &got, 1030)); /* expired */
	assert_false(otpced_dircache_get(c, "D\\u", &got, 1000)); /* and gone */
	/* Many names: each one is either found with its own answer or not at all. */
	for (int i = 0; i < 3 * OTPCED_DIRCACHE_SLOTS; i++) {
		snprintf(name, sizeof(name), "D\\u%d", i);
		snprintf(u.upn, sizeof(u.upn), "u%d@d.test", i);
		otpced_dircache_put(c, name, &u, 2000);
	}
	for (int i = 0, found = 0; i < 3 * OTPCED_DIRCACHE_SLOTS; i++) {
		char want[32];
		snprintf(name, sizeof(name), "D\\u%d", i);
		snprintf(want, sizeof(want), "u%d@d.test", i);
		if (otpced_dircache_get(c, name, &got, 2001)) {
			assert_string_equal(got.upn, want);
			found++;
		}
		if (i == 3 * OTPCED_DIRCACHE_SLOTS - 1) {
			assert_true(found > OTPCED_DIRCACHE_SLOTS / 2);
		}
	}
	/* cache_seconds = 0 keeps nothing. */
	otpced_dircache_put(off, "D\\u", &u, 1000);
	assert_false(otpced_dircache_get(off, "D\\u", &got, 1000));
	assert_false(otpced_dircache_get(NULL, "D\\u", &got, 1000));
	talloc_free(t);
}

static void test_step3_radius(void **state)
{
	static const struct {
		enum otpce_radius_result radius;
		enum otpce_status status;
	} cases[] = {
		{ OTPCE_RADIUS_REJECT, OTPCE_STATUS_AUTHENTICATION_ERROR },
		{ OTPCE_RADIUS_CHALLENGE, OTPCE_STATUS_CHALLENGE_RESPONSE_REQUIRED },
		{ OTPCE_RADIUS_NO_ANSWER, OTPCE_STATUS_OTHER_ERROR },
		{ OTPCE_RADIUS_ERROR, OTPCE_STATUS_OTHER_ERROR },
		{ OTPCE_RADIUS_ACCEPT, OTPCE_STATUS_SUCCESS },
	};

	for (enum fake_radius_mode m = FAKE_RADIUS_ASYNC; m <= FAKE_RADIUS_SYNC; m++) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct env *e = env_new();
			struct result r;
			fake.radius_mode = m;
			fake.radius_result = cases[i].radius;
			r = run(e, make_req(e, "123456", true));
			assert_int_equal(r.o.status, cases[i].status);
			assert_string_equal(fake.radius_user, "DOMAIN1\\user1");
			assert_string_equal(fake.radius_password, "123456");
			assert_int_equal(fake.sign_calls, cases[i].radius == OTPCE_RADIUS_ACCEPT);
			if (cases[i].radius != OTPCE_RADIUS_NO_ANSWER) {
				assert_string_equal(r.o.radius_server, "fake-radius:1812");
			}
			env_free(e);
		}
	}
}

/* radius_user: what User-Name goes to the OTP server. */
static void test_radius_user(void **state)
{
	struct env *e = env_new();

	run(e, make_req(e, "123456", true));
	assert_string_equal(fake.radius_user, "DOMAIN1\\user1");
	e->cfg.radius_user = OTPCED_RADIUS_USER_ACCOUNT;
	run(e, make_req(e, "123456", true));
	assert_string_equal(fake.radius_user, "user1");
	e->cfg.radius_user = OTPCED_RADIUS_USER_UPN;
	run(e, make_req(e, "123456", true));
	assert_string_equal(fake.radius_user, "user1@domain1.test");
	env_free(e);
}

static void test_step3_radius_does_not_start(void **state)
{
	struct env *e = env_new();
	struct result r;

	fake.radius_mode = FAKE_RADIUS_NO_START;
	r = run(e, make_req(e, "123456", true));
	assert_int_equal(r.o.status, OTPCE_STATUS_OTHER_ERROR);
	e->cfg.num_otp_servers = 0;
	fake.radius_mode = FAKE_RADIUS_ASYNC;
	r = run(e, make_req(e, "123456", true));
	assert_int_equal(r.o.status, OTPCE_STATUS_OTHER_ERROR);
	assert_non_null(strstr(r.o.detail, "no OTP server"));
	env_free(e);
}

/* The challenge round: the State of the Access-Challenge goes with the
 * answer to the same request, once. */
static void test_challenge_round(void **state)
{
	struct env *e = env_new();
	struct otpce_sign_cert_request *first = make_req(e, "123456", true), *second, *third;
	struct result r;

	second = make_req(e, "answer", false);
	second->cert_request = talloc_memdup(second, first->cert_request, first->cert_request_len);
	second->cert_request_len = first->cert_request_len;
	second->username = talloc_strdup(second, "domain1\\USER1"); /* case does not matter */
	third = make_req(e, "again", false);
	third->cert_request = talloc_memdup(third, first->cert_request, first->cert_request_len);
	third->cert_request_len = first->cert_request_len;

	fake.radius_result = OTPCE_RADIUS_CHALLENGE;
	r = run(e, first);
	assert_int_equal(r.o.status, OTPCE_STATUS_CHALLENGE_RESPONSE_REQUIRED);
	assert_int_equal(fake.radius_state_len, 0);
	fake.radius_result = OTPCE_RADIUS_ACCEPT;
	r = run(e, second);
	assert_int_equal(r.o.status, OTPCE_STATUS_SUCCESS);
	assert_int_equal(fake.radius_state_len, 8);
	assert_memory_equal(fake.radius_state, "STATE-42", 8);
	assert_string_equal(fake.radius_password, "answer");
	r = run(e, third);
	assert_int_equal(fake.radius_state_len, 0);
	/* Another request from the same user does not get the State. */
	fake.radius_result = OTPCE_RADIUS_CHALLENGE;
	r = run(e, make_req(e, "123456", true));
	fake.radius_result = OTPCE_RADIUS_ACCEPT;
	r = run(e, make_req(e, "123456", true));
	assert_int_equal(fake.radius_state_len, 0);
	env_free(e);
}

static void test_steps_4_to_6(void **state)
{
	struct env *e = env_new();
	struct otpce_sign_cert_request *req = make_req(e, "123456", true);
	size_t csr_len = req->cert_request_len;
	uint8_t csr[1024];
	struct result r;

	memcpy(csr, req->cert_request, csr_len);
	r = run(e, req);
	assert_int_equal(r.o.status, OTPCE_STATUS_SUCCESS);
	assert_int_equal(r.o.signed_request_len, csr_len + 7);
	assert_memory_equal(r.signed_req + 7, csr, csr_len);

	fake.sign_rc = 1;
	r = run(e, make_req(e, "123456", true));
	assert_int_equal(r.o.status, OTPCE_STATUS_OTHER_ERROR);
	assert_string_equal(r.o.step, "sign");

	fake.sign_rc = 0;
	e->cfg.num_cas = 0;
	r = run(e, make_req(e, "123456", true));
	assert_int_equal(r.o.status, OTPCE_STATUS_OTHER_ERROR);
	assert_string_equal(r.o.step, "ca");
	env_free(e);
}

/* Freeing a job in flight cancels its RADIUS exchange, and done is not
 * called. */
static void test_cancel(void **state)
{
	struct env *e = env_new();
	struct result r = { 0 };
	struct otpced_job *job;

	job = otpced_process(e, &e->srv, make_req(e, "123456", true), record, &r);
	assert_non_null(job);
	talloc_free(job);
	assert_int_equal(fake.cancels, 1);
	event_base_loop(e->srv.base, EVLOOP_NONBLOCK);
	assert_int_equal(r.calls, 0);
	env_free(e);
}

static void test_challenge_table(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct otpced_challenges *c = otpced_challenges_new(t, 60);
	uint8_t k1[CRYPTO_SHA256_LEN] = { 1 }, k2[CRYPTO_SHA256_LEN] = { 2 }, s[253];
	size_t sl = 0;
	char user[32];

	otpced_challenge_put(c, "D\\u", k1, (const uint8_t *)"abc", 3, 1000);
	assert_false(otpced_challenge_take(c, "D\\u", k1, s, &sl, 1060)); /* expired */
	otpced_challenge_put(c, "D\\u", k1, (const uint8_t *)"abc", 3, 1000);
	assert_false(otpced_challenge_take(c, "D\\u", k2, s, &sl, 1001)); /* other request */
	assert_false(otpced_challenge_take(c, "D\\u", k1, s, &sl, 1001)); /* spent */
	otpced_challenge_put(c, "D\\u", k1, (const uint8_t *)"abc", 3, 1000);
	otpced_challenge_put(c, "D\\u", k1, (const uint8_t *)"defg", 4, 1000); /* latest wins */
	assert_true(otpced_challenge_take(c, "d\\U", k1, s, &sl, 1001));
	assert_int_equal(sl, 4);
	assert_memory_equal(s, "defg", 4);
	/* A full table still takes new entries. */
	for (int i = 0; i < OTPCED_CHALLENGES_MAX + 10; i++) {
		snprintf(user, sizeof(user), "D\\u%d", i);
		otpced_challenge_put(c, user, k1, (const uint8_t *)"x", 1, 2000 + i);
	}
	assert_true(otpced_challenge_take(c, user, k1, s, &sl, 2000));
	talloc_free(t);
}

/* ---- configuration ------------------------------------------------------- */

static char *write_file(TALLOC_CTX *t, const char *name, const char *text, mode_t mode)
{
	char *path = talloc_asprintf(t, "%s/%s", (const char *)t, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

static void test_config(void **state)
{
	char dir[] = "/tmp/otpced-config-XXXXXX";
	TALLOC_CTX *t;
	struct otpced_config *c = NULL;
	char err[512];
	char *path;

	assert_non_null(mkdtemp(dir));
	t = talloc_strdup(NULL, dir);
	write_file(t, "secret2", "from-file\n", 0600);
	path = write_file(t, "ok.conf",
			  "# comment\n[server]\nlisten = [::1]:8443\nurl_path = /otp\n"
			  "tls_cert = c.pem\ntls_key = k.pem\nclient_ca = ca.pem\n"
			  "client_cert = require\nhttp_timeout_ms = 500\n"
			  "[signing]\ntemplate = OTPLogon\ncert = s.pem\nkey = s.key\n"
			  "[directory]\nbackend = winbind\nupn_suffix = example.com\n"
			  "radius_user = account\n"
			  "[otp_server]\nhost = 127.0.0.81\nsecret = inline-secret\n"
			  "[otp_server]\nhost = 127.0.0.82\nport = 2083\ntls = yes\n"
			  "secret_file = secret2\ntimeout_ms = 700\nretries = 0\n"
			  "[ca]\nname = dc1\\CA-1\nname = dc2\\CA-2\n", 0600);
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(otpced_config_load(t, path, &c, err, sizeof(err)), 0);
	assert_string_equal(c->listen_host, "::1");
	assert_int_equal(c->listen_port, 8443);
	assert_string_equal(c->url_path, "/otp");
	assert_int_equal(c->client_cert, OTPCED_CLIENT_CERT_REQUIRE);
	assert_int_equal(c->http_timeout_ms, 500);
	assert_int_equal(c->num_otp_servers, 2);
	assert_string_equal(c->otp_servers[0].host, "127.0.0.81");
	assert_int_equal(c->otp_servers[0].port, 1812);
	assert_int_equal(c->otp_servers[0].timeout_ms, 3000);
	assert_string_equal(c->otp_servers[0].secret, "inline-secret");
	assert_int_equal(c->otp_servers[1].port, 2083);
	assert_int_equal(c->otp_servers[1].tls, 1);
	assert_int_equal(c->otp_servers[1].retries, 0);
	assert_string_equal(c->otp_servers[1].secret, "from-file");
	assert_int_equal(c->num_cas, 2);
	assert_string_equal(c->cas[1], "dc2\\CA-2");
	assert_string_equal(c->directory.upn_suffix, "example.com");
	assert_int_equal(c->radius_user, OTPCED_RADIUS_USER_ACCOUNT);
	assert_int_equal(c->cache_seconds, 30); /* the default */

	/* backend = ldap and its keys; the defaults otherwise. */
	assert_int_equal(c->directory.use_ldap, 0);
	assert_int_equal(c->directory.ldap_timeout_ms, 5000);
	path = write_file(t, "ldap.conf",
			  "[server]\nlisten = 127.0.0.1:0\ntls_cert = c.pem\ntls_key = k.pem\n"
			  "workers = 3\n[signing]\ntemplate = OTPLogon\ncert = s.pem\nkey = s.key\n"
			  "[directory]\nbackend = ldap\nldap_uri = ldaps://dc1.example.com\n"
			  "ldap_keytab = FILE:/etc/otpced/host.keytab\n"
			  "ldap_principal = OTP1$@EXAMPLE.COM\nldap_timeout_ms = 700\n"
			  "cache_seconds = 0\n", 0600);
	assert_int_equal(otpced_config_load(t, path, &c, err, sizeof(err)), 0);
	assert_int_equal(c->directory.use_ldap, 1);
	assert_string_equal(c->directory.ldap_uri, "ldaps://dc1.example.com");
	assert_string_equal(c->directory.ldap_keytab, "FILE:/etc/otpced/host.keytab");
	assert_string_equal(c->directory.ldap_principal, "OTP1$@EXAMPLE.COM");
	assert_int_equal(c->directory.ldap_timeout_ms, 700);
	assert_int_equal(c->cache_seconds, 0);
	assert_int_equal(c->workers, 3);

	/* Refusals: each names the line, none shows a secret. */
	static const struct {
		const char *text;
		mode_t mode;
		const char *why;
	} bad[] = {
		{ "[server]\nlisten = 1.2.3.4\n", 0600, "address:port" },
		{ "[server]\nbogus = 1\n", 0600, "unknown key bogus" },
		{ "[directory]\nradius_user = sam\n", 0600, "radius_user must be" },
		{ "[directory]\ncache_seconds = 3601\n", 0600, "cache_seconds must be" },
		{ "[directory]\nldap_timeout_ms = 50\n", 0600, "ldap_timeout_ms must be" },
		{ "[server]\nworkers = 65\n", 0600, "workers must be a number from 1 to 64" },
		{ "[nope]\n", 0600, "unknown section" },
		{ "listen = x:1\n", 0600, "outside a section" },
		{ "[server]\nhttp_timeout_ms = -5\n", 0600, "http_timeout_ms must be" },
		{ "[server]\nlisten = h:1\ntls_cert = c\ntls_key = k\n", 0600, "[signing] needs" },
		{ "[otp_server]\nhost = h\nsecret = TOPSECRET\n", 0644, "readable by others" },
		{ "[otp_server]\nsecret_file = secret3\n", 0600, "readable by others" },
		{ "[otp_server]\nhost = h\n[server]\nlisten = h:1\ntls_cert = c\ntls_key = k\n"
		  "[signing]\ntemplate = t\ncert = c\nkey = k\n", 0600, "needs host and secret" },
		{ "[server]\nclient_cert = require\nlisten = h:1\ntls_cert = c\ntls_key = k\n", 0600,
		  "needs client_ca" },
	};
	write_file(t, "secret3", "TOPSECRET\n", 0644);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = NULL;
		path = write_file(t, "bad.conf", bad[i].text, bad[i].mode);
		assert_int_equal(otpced_config_load(t, path, &c, err, sizeof(err)), -1);
		assert_null(c);
		if (strstr(err, bad[i].why) == NULL) {
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, bad[i].why);
		}
		assert_null(strstr(err, "TOPSECRET"));
	}
	assert_int_equal(system(talloc_asprintf(t, "rm -rf '%s'", dir)), 0);
	talloc_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_step1_not_pkcs10),
		cmocka_unit_test(test_step1_checks_fail),
		cmocka_unit_test(test_step2_directory),
		cmocka_unit_test(test_step2_cached),
		cmocka_unit_test(test_dircache),
		cmocka_unit_test(test_step3_radius),
		cmocka_unit_test(test_radius_user),
		cmocka_unit_test(test_step3_radius_does_not_start),
		cmocka_unit_test(test_challenge_round),
		cmocka_unit_test(test_steps_4_to_6),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_challenge_table),
		cmocka_unit_test(test_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
