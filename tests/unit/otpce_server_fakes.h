/*
 * otpce_server_fakes.h: test-only stand-ins for the backends otpced is
 * written against (otpce/server/backends.h): the RADIUS client, the
 * PKCS#10 checks and signer, the directory.  Unit tests only: the
 * integration tests run the real ones.  Each fake does what the test sets
 * in |fake| and records what it was asked.  Include from exactly one .c.
 *
 * Also: a real PKCS#10 (EC P-256, signed) for step 1a, and a self-signed
 * TLS certificate, both with OpenSSL.
 */
#ifndef TESTS_UNIT_OTPCE_SERVER_FAKES_H
#define TESTS_UNIT_OTPCE_SERVER_FAKES_H

#include "helpers.h"

#include <event2/event.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "otpce/server/server.h"

enum fake_radius_mode { FAKE_RADIUS_ASYNC, FAKE_RADIUS_SYNC, FAKE_RADIUS_NO_START };

static struct {
	/* set by the test */
	enum otpce_directory_result dir_result;
	int check_rc;
	int sign_rc;
	enum otpce_radius_result radius_result;
	enum fake_radius_mode radius_mode;
	/* recorded */
	int dir_calls, check_calls, radius_calls, sign_calls, cancels;
	char radius_user[600];
	char radius_password[200];
	uint8_t radius_state[253];
	size_t radius_state_len;
	char check_upn[OTPCE_DIR_NAME_MAX], check_dn[OTPCE_DIR_NAME_MAX];
} fake;

static void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.dir_result = OTPCE_DIRECTORY_FOUND;
	fake.radius_result = OTPCE_RADIUS_ACCEPT;
}

struct otpce_radius_req {
	struct event *ev;
	otpce_radius_done_fn done;
	void *arg;
};

static void fake_radius_answer(const struct otpce_radius_req *r)
{
	struct otpce_radius_reply reply = { .result = fake.radius_result };

	snprintf(reply.server, sizeof(reply.server), "fake-radius:1812");
	if (fake.radius_result == OTPCE_RADIUS_CHALLENGE) {
		memcpy(reply.state, "STATE-42", 8);
		reply.state_len = 8;
	}
	if (fake.radius_result == OTPCE_RADIUS_NO_ANSWER) {
		reply.server[0] = '\0';
	}
	r->done(&reply, r->arg);
}

static void fake_radius_fire(evutil_socket_t fd, short what, void *arg)
{
	struct otpce_radius_req *r = arg;

	event_free(r->ev);
	fake_radius_answer(r);
	free(r);
}

struct otpce_radius_req *otpce_radius_pap_start(struct event_base *base,
						const struct otpce_radius_server *servers, size_t n,
						const char *user, const char *password,
						const uint8_t *state, size_t state_len,
						otpce_radius_done_fn done, void *arg)
{
	struct otpce_radius_req *r = calloc(1, sizeof(*r));
	struct timeval zero = { 0, 0 };

	fake.radius_calls++;
	snprintf(fake.radius_user, sizeof(fake.radius_user), "%s", user);
	snprintf(fake.radius_password, sizeof(fake.radius_password), "%s", password);
	memcpy(fake.radius_state, state != NULL ? state : (const uint8_t *)"", state_len);
	fake.radius_state_len = state_len;
	r->done = done;
	r->arg = arg;
	if (fake.radius_mode == FAKE_RADIUS_NO_START) {
		free(r);
		return NULL;
	}
	if (fake.radius_mode == FAKE_RADIUS_SYNC) {
		fake_radius_answer(r);
		free(r);
		return NULL;
	}
	r->ev = evtimer_new(base, fake_radius_fire, r);
	evtimer_add(r->ev, &zero);
	return r;
}

void otpce_radius_cancel(struct otpce_radius_req *req)
{
	fake.cancels++;
	event_free(req->ev);
	free(req);
}

struct otpce_signer {
	int unused;
};

struct otpce_signer *otpce_signer_load(const char *cert_file, const char *key_file, char *err,
				       size_t errlen)
{
	return calloc(1, sizeof(struct otpce_signer));
}

void otpce_signer_free(struct otpce_signer *s)
{
	free(s);
}

/* The real decoding (step 1a verifies the fake's real PKCS#10). */
X509_REQ *otpce_request_decode(const uint8_t *csr, size_t csr_len)
{
	const unsigned char *p = csr;
	X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)csr_len);

	if (req != NULL && p != csr + csr_len) {
		X509_REQ_free(req);
		req = NULL;
	}
	return req;
}

/* The real signature check (step 1a). */
int otpce_request_verify(X509_REQ *req, char *err, size_t errlen)
{
	EVP_PKEY *key = req != NULL ? X509_REQ_get0_pubkey(req) : NULL;

	if (key == NULL || X509_REQ_verify(req, key) != 1) {
		snprintf(err, errlen, "fake: the signature does not verify");
		return -1;
	}
	return 0;
}

int otpce_check_request_names(X509_REQ *req, const char *template_name, const char *user_upn,
			      const char *user_dn, char *err, size_t errlen)
{
	fake.check_calls++;
	snprintf(fake.check_upn, sizeof(fake.check_upn), "%s", user_upn ? user_upn : "(null)");
	snprintf(fake.check_dn, sizeof(fake.check_dn), "%s", user_dn ? user_dn : "(null)");
	if (fake.check_rc != 0) {
		snprintf(err, errlen, "fake: the template is not %s", template_name);
	}
	return fake.check_rc;
}

/* The "signed request" is "SIGNED:" then the PKCS#10. */
int otpce_sign_request_decoded(const struct otpce_signer *s, const X509_REQ *req,
			       const uint8_t *csr, size_t csr_len, uint8_t **out,
			       size_t *out_len, char *err, size_t errlen)
{
	fake.sign_calls++;
	if (fake.sign_rc != 0) {
		snprintf(err, errlen, "fake: signing failed");
		return -1;
	}
	*out = malloc(csr_len + 7);
	memcpy(*out, "SIGNED:", 7);
	memcpy(*out + 7, csr, csr_len);
	*out_len = csr_len + 7;
	return 0;
}

enum otpce_directory_result otpce_directory_lookup(const struct otpce_directory_config *cfg,
						   const char *username,
						   struct otpce_directory_user *out, char *err,
						   size_t errlen)
{
	fake.dir_calls++;
	if (fake.dir_result != OTPCE_DIRECTORY_FOUND) {
		snprintf(err, errlen, "fake: %s", fake.dir_result == OTPCE_DIRECTORY_NOT_FOUND
						       ? "no such user"
						       : "winbind not available");
		return fake.dir_result;
	}
	snprintf(out->account, sizeof(out->account), "%s", username);
	snprintf(out->upn, sizeof(out->upn), "user1@domain1.test");
	snprintf(out->dn, sizeof(out->dn), "CN=User 1,%s,DC=domain1,DC=test", cfg->dn_container);
	return OTPCE_DIRECTORY_FOUND;
}

/* make_csr: a signed PKCS#10 (EC P-256) as DER on |t|. */
static inline uint8_t *make_csr(TALLOC_CTX *t, size_t *len)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509_REQ *req = X509_REQ_new();
	X509_NAME *name = X509_NAME_new();
	unsigned char *der = NULL;
	uint8_t *out;
	int n;

	assert_non_null(key);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"User 1", -1,
				   -1, 0);
	X509_REQ_set_subject_name(req, name);
	X509_REQ_set_pubkey(req, key);
	assert_true(X509_REQ_sign(req, key, EVP_sha256()) > 0);
	n = i2d_X509_REQ(req, &der);
	assert_true(n > 0);
	out = talloc_memdup(t, der, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(der);
	X509_NAME_free(name);
	X509_REQ_free(req);
	EVP_PKEY_free(key);
	return out;
}

/* make_tls_files writes a self-signed EC certificate and its key as PEM. */
static inline void make_tls_files(const char *cert_path, const char *key_path)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name;
	FILE *f;

	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -300);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"otpced-test",
				   -1, -1, 0);
	X509_set_issuer_name(x, name);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	f = fopen(cert_path, "w");
	assert_non_null(f);
	PEM_write_X509(f, x);
	fclose(f);
	f = fopen(key_path, "w");
	assert_non_null(f);
	PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	X509_free(x);
	EVP_PKEY_free(key);
}

#endif
