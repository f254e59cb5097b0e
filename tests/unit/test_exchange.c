/*
 * test_exchange.c: ExchangePublicKeys rules (MS-BPAU 3.1.4.1, 3.2.4.1)
 * with a fake caller; the RPC runtimes are exercised by the integration
 * tests.
 */
#include "helpers.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <unistd.h>

#include "rpc/client/exchange_client.h"
#include "rpc/server/exchange_server.h"

#define SERVER_SID "S-1-5-21-7-8-9-1001"
#define CLIENT_SID "S-1-5-21-7-8-9-1002"

struct fx {
	TALLOC_CTX *t;
	char dir[64];
	struct bpau_server *srv;
	struct certblob *client, *other, *server;
	char *server_cert_path;
	int logged;
	char last_log[512];
};

static void test_log(void *p, enum bpau_log_level level, const char *msg)
{
	struct fx *f = p;
	(void)level;
	f->logged++;
	snprintf(f->last_log, sizeof(f->last_log), "%s", msg);
}

static int setup(void **state)
{
	struct fx *f = talloc_zero(NULL, struct fx);
	struct bpau_server_config cfg = {0};
	const char *why = NULL;
	FILE *fp;

	f->t = f;
	snprintf(f->dir, sizeof(f->dir), "/tmp/exchange-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->server = make_blob(f, SERVER_SID);
	f->client = make_blob(f, CLIENT_SID);
	f->other = make_blob(f, "S-1-5-21-7-8-9-1003");
	f->server_cert_path = talloc_asprintf(f, "%s/server.der", f->dir);
	fp = fopen(f->server_cert_path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(f->server->cert, 1, f->server->cert_len, fp), f->server->cert_len);
	fclose(fp);
	cfg.cert_file = f->server_cert_path;
	cfg.table_file = talloc_asprintf(f, "%s/table.tdb", f->dir);
	cfg.table_size = 2;
	if (!NT_STATUS_IS_OK(bpau_server_new(f, &cfg, test_log, f, &f->srv, &why))) {
		fail_msg("server: %s", why);
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	talloc_free(f);
	return system(cmd);
}

static struct bpau_caller good_caller(void)
{
	struct bpau_caller c = {
		.mech = BPAU_MECH_KERBEROS,
		.auth_level = BPAU_AUTH_LEVEL_PRIVACY,
		.principal = "CLIENT$@BPAU.TEST",
		.is_computer = true,
	};
	assert_true(NT_STATUS_IS_OK(crypto_sid_parse(CLIENT_SID, &c.sid, NULL)));
	return c;
}

static size_t table_count(struct fx *f)
{
	size_t n;
	assert_true(NT_STATUS_IS_OK(certtable_count(bpau_server_table(f->srv), &n)));
	return n;
}

/* call: exchange; on nonzero results the out parameters must be empty. */
static uint32_t call(struct fx *f, const struct bpau_caller *c, const uint8_t *key, size_t len,
		     uint8_t **out, uint32_t *out_len)
{
	uint32_t hr = bpau_server_exchange(f->srv, f->t, c, (uint32_t)len, key, out_len, out);
	if (hr != 0) {
		assert_int_equal(*out_len, 0);
		assert_null(*out);
	}
	return hr;
}

static void test_happy_path(void **state)
{
	struct fx *f = *state;
	struct bpau_caller c = good_caller();
	uint8_t *out;
	uint32_t out_len;

	assert_int_equal(call(f, &c, f->client->raw, f->client->raw_len, &out, &out_len), 0);
	/* We answer with our certificate as a blob without KEY_PROV_INFO. */
	assert_int_equal(out_len, f->server->raw_len);
	assert_memory_equal(out, f->server->raw, out_len);
	assert_true(certtable_verify(bpau_server_table(f->srv), f->client->cert,
				     f->client->cert_len, NULL));
	assert_non_null(strstr(f->last_log, CLIENT_SID));
	assert_non_null(strstr(f->last_log, "added"));
	/* The same blob again: no decode, the entry is refreshed. */
	assert_int_equal(call(f, &c, f->client->raw, f->client->raw_len, &out, &out_len), 0);
	assert_non_null(strstr(f->last_log, "unchanged, refreshed"));
	assert_int_equal(out_len, f->server->raw_len);

	/* The client side accepts the reply for the right server SID. */
	struct certtable *mine;
	struct crypto_sid server_sid;
	enum certtable_outcome o;
	const char *why = NULL;
	char *path = talloc_asprintf(f->t, "%s/client.tdb", f->dir);
	assert_true(NT_STATUS_IS_OK(certtable_open(f->t, path, 100, &mine, NULL)));
	assert_true(NT_STATUS_IS_OK(crypto_sid_parse(SERVER_SID, &server_sid, NULL)));
	assert_true(NT_STATUS_IS_OK(bpau_client_accept(mine, 0, out_len, out, &server_sid,
						       "SERVER$@BPAU.TEST", &o, &why)));
	assert_true(certtable_verify(mine, f->server->cert, f->server->cert_len, NULL));
}

/* blob_with_subject: a self-signed certificate whose subject is CN=|cn|
 * as given, control characters and all (crypto_x509_create_self_signed
 * refuses those; a hostile peer builds its DER itself), then O=|org|
 * unless |org| is NULL. */
static struct certblob *blob_with_subject(TALLOC_CTX *mem_ctx, const char *cn, const char *org)
{
	EVP_PKEY *pkey = EVP_RSA_gen(1024);
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	unsigned char *der = NULL;
	struct crypto_x509 *cx;
	struct certblob *blob;
	const char *reason = NULL;
	int len;

	assert_non_null(pkey);
	assert_non_null(x);
	assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", V_ASN1_UTF8STRING,
						    (const unsigned char *)cn, -1, -1, 0), 1);
	if (org != NULL) {
		assert_int_equal(X509_NAME_add_entry_by_txt(name, "O", V_ASN1_UTF8STRING,
							    (const unsigned char *)org, -1, -1, 0),
				 1);
	}
	assert_int_equal(X509_set_version(x, 2), 1);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	assert_int_equal(X509_set_subject_name(x, name), 1);
	assert_int_equal(X509_set_issuer_name(x, name), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	assert_int_equal(X509_set_pubkey(x, pkey), 1);
	assert_true(X509_sign(x, pkey, EVP_sha256()) > 0);
	len = i2d_X509(x, &der);
	assert_true(len > 0);
	assert_true(NT_STATUS_IS_OK(crypto_x509_parse(mem_ctx, der, (size_t)len, &cx, &reason)));
	assert_true(NT_STATUS_IS_OK(certblob_build(mem_ctx, cx, NULL, 0, &blob, &reason)));
	OPENSSL_free(der);
	X509_NAME_free(name);
	X509_free(x);
	EVP_PKEY_free(pkey);
	return blob;
}

static void test_denials(void **state)
{
	struct fx *f = *state;
	struct bpau_caller c;
	uint8_t *out;
	uint32_t out_len;
	size_t before = table_count(f);

	c = good_caller();
	c.mech = BPAU_MECH_NTLM;
	assert_int_equal(call(f, &c, f->client->raw, f->client->raw_len, &out, &out_len),
			 BPAU_E_ACCESSDENIED);
	assert_non_null(strstr(f->last_log, "only Kerberos"));
	c = good_caller();
	c.mech = BPAU_MECH_NONE;
	assert_int_equal(call(f, &c, NULL, 0, &out, &out_len), BPAU_E_ACCESSDENIED);
	c = good_caller();
	c.anonymous = true;
	assert_int_equal(call(f, &c, NULL, 0, &out, &out_len), BPAU_E_ACCESSDENIED);
	c = good_caller();
	c.auth_level = BPAU_AUTH_LEVEL_INTEGRITY;
	assert_int_equal(call(f, &c, NULL, 0, &out, &out_len), BPAU_E_ACCESSDENIED);
	c = good_caller();
	c.is_computer = false;
	c.principal = "alice@BPAU.TEST";
	assert_int_equal(call(f, &c, f->client->raw, f->client->raw_len, &out, &out_len),
			 BPAU_E_ACCESSDENIED);
	assert_non_null(strstr(f->last_log, "not a computer account"));
	/* A certificate naming another SID. */
	c = good_caller();
	assert_int_equal(call(f, &c, f->other->raw, f->other->raw_len, &out, &out_len),
			 BPAU_E_ACCESSDENIED);
	assert_non_null(strstr(f->last_log, "is not the caller's SID"));
	/* A subject that would forge a log line of its own. */
	{
		struct certblob *forged = blob_with_subject(
			f, "x\nbitspeerauth: ExchangePublicKeys from "
			   "S-1-5-21-1-2-3-500: certificate added\r", NULL);
		c = good_caller();
		assert_int_equal(call(f, &c, forged->raw, forged->raw_len, &out, &out_len),
				 BPAU_E_ACCESSDENIED);
		assert_non_null(strstr(f->last_log, "is not the caller's SID"));
		assert_null(strchr(f->last_log, '\n'));
		assert_null(strchr(f->last_log, '\r'));
		/* The subject is logged in its RFC 2253 form, control characters
		 * escaped. */
		assert_non_null(strstr(f->last_log, "\"CN=x\\0Abitspeerauth: "));
	}
	/* The subject must be the SID string and nothing more: CN=<SID>,O=x
	 * names the caller's SID but is not a SID string. */
	{
		struct certblob *more = blob_with_subject(f, CLIENT_SID, "x");
		c = good_caller();
		assert_int_equal(call(f, &c, more->raw, more->raw_len, &out, &out_len),
				 BPAU_E_ACCESSDENIED);
		assert_non_null(strstr(f->last_log, "is not the caller's SID"));
		assert_non_null(strstr(f->last_log, "O=x"));
	}
	assert_int_equal(table_count(f), before);
	assert_false(certtable_verify(bpau_server_table(f->srv), f->other->cert,
				      f->other->cert_len, NULL));
}

static void test_malformed_and_empty(void **state)
{
	struct fx *f = *state;
	struct bpau_caller c = good_caller();
	uint8_t *out;
	uint32_t out_len;
	size_t before = table_count(f);

	assert_int_equal(call(f, &c, f->client->raw, f->client->raw_len - 1, &out, &out_len),
			 BPAU_E_INVALIDARG);
	assert_non_null(strstr(f->last_log, "does not decode"));
	assert_int_equal(call(f, &c, NULL, 5, &out, &out_len), BPAU_E_INVALIDARG);
	assert_int_equal(table_count(f), before);
	/* ClientKeyLength 0: no decode, still our certificate. */
	assert_int_equal(call(f, &c, NULL, 0, &out, &out_len), 0);
	assert_int_equal(out_len, f->server->raw_len);
	assert_int_equal(table_count(f), before);
}

static void test_table_full(void **state)
{
	struct fx *f = *state;
	struct bpau_caller c = good_caller();
	uint8_t *out;
	uint32_t out_len;
	struct certblob *third;

	/* Capacity 2: the client (from the happy path) plus one more, then a
	 * third caller within the minute is refused with 0x80040006. */
	c.principal = "C3$@BPAU.TEST";
	assert_true(NT_STATUS_IS_OK(crypto_sid_parse("S-1-5-21-7-8-9-1003", &c.sid, NULL)));
	assert_int_equal(call(f, &c, f->other->raw, f->other->raw_len, &out, &out_len), 0);
	third = make_blob(f->t, "S-1-5-21-7-8-9-1004");
	assert_true(NT_STATUS_IS_OK(crypto_sid_parse("S-1-5-21-7-8-9-1004", &c.sid, NULL)));
	assert_int_equal(call(f, &c, third->raw, third->raw_len, &out, &out_len),
			 BPAU_E_TABLE_FULL);
	assert_false(certtable_verify(bpau_server_table(f->srv), third->cert, third->cert_len,
				      NULL));
}

static void test_client_rejects(void **state)
{
	struct fx *f = *state;
	struct certtable *mine;
	struct crypto_sid server_sid, wrong;
	enum certtable_outcome o;
	const char *why;
	char *path = talloc_asprintf(f->t, "%s/client2.tdb", f->dir);

	assert_true(NT_STATUS_IS_OK(certtable_open(f->t, path, 100, &mine, NULL)));
	assert_true(NT_STATUS_IS_OK(crypto_sid_parse(SERVER_SID, &server_sid, NULL)));
	assert_true(NT_STATUS_IS_OK(crypto_sid_parse(CLIENT_SID, &wrong, NULL)));
	why = NULL;
	assert_true(NT_STATUS_EQUAL(bpau_client_accept(mine, BPAU_E_ACCESSDENIED, f->server->raw_len,
						       f->server->raw, &server_sid, "S$", &o, &why),
				    NT_STATUS_ACCESS_DENIED));
	assert_true(NT_STATUS_EQUAL(bpau_client_accept(mine, 0, 0, f->server->raw, &server_sid,
						       "S$", &o, &why),
				    NT_STATUS_INVALID_NETWORK_RESPONSE));
	assert_true(NT_STATUS_EQUAL(bpau_client_accept(mine, 0, 10, f->server->raw, &server_sid,
						       "S$", &o, &why),
				    NT_STATUS_INVALID_NETWORK_RESPONSE));
	/* The SID comes from the domain, not from the certificate. */
	assert_true(NT_STATUS_EQUAL(bpau_client_accept(mine, 0, f->server->raw_len, f->server->raw,
						       &wrong, "S$", &o, &why),
				    NT_STATUS_ACCESS_DENIED));
	assert_string_equal(why, "the server's certificate subject is not the server account's SID");
	/* CN=<the server's SID>,O=x is not a SID string either. */
	{
		struct certblob *more = blob_with_subject(f->t, SERVER_SID, "x");
		why = NULL;
		assert_true(NT_STATUS_EQUAL(bpau_client_accept(mine, 0, more->raw_len, more->raw,
							       &server_sid, "S$", &o, &why),
					    NT_STATUS_ACCESS_DENIED));
		assert_non_null(why);
	}
	size_t n;
	assert_true(NT_STATUS_IS_OK(certtable_count(mine, &n)));
	assert_int_equal(n, 0);
}

static void test_reload(void **state)
{
	struct fx *f = *state;
	struct bpau_caller c = good_caller();
	uint8_t *out;
	uint32_t out_len;
	const char *why = NULL;
	FILE *fp;

	/* A broken file keeps the old certificate... */
	fp = fopen(f->server_cert_path, "wb");
	fputs("junk", fp);
	fclose(fp);
	assert_false(NT_STATUS_IS_OK(bpau_server_reload_cert(f->srv, &why)));
	assert_int_equal(call(f, &c, NULL, 0, &out, &out_len), 0);
	assert_memory_equal(out, f->server->raw, out_len);
	/* ...a good one replaces it. */
	fp = fopen(f->server_cert_path, "wb");
	fwrite(f->other->cert, 1, f->other->cert_len, fp);
	fclose(fp);
	assert_true(NT_STATUS_IS_OK(bpau_server_reload_cert(f->srv, &why)));
	assert_int_equal(call(f, &c, NULL, 0, &out, &out_len), 0);
	assert_int_equal(out_len, f->other->raw_len);
	assert_memory_equal(out, f->other->raw, out_len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_happy_path),     cmocka_unit_test(test_denials),
		cmocka_unit_test(test_malformed_and_empty), cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_client_rejects), cmocka_unit_test(test_reload),
	};
	return cmocka_run_group_tests_name("exchange", tests, setup, teardown);
}
