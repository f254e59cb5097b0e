/*
 * ntlm_fixtures.h: what the NTLM acceptor tests share: the MS-NLMP
 * vectors, a SAM file in a temporary directory, and the NTLMv2 client
 * built on Heimdal's libheimntlm (tests/tools/ntlm_heim_client.h, an
 * implementation independent of ours) wrapped in cmocka assertions.
 * Included by test_credssp_ntlm.c, test_credssp_ntlm_exchange.c and
 * test_credssp_ntlm_samfile.c.
 */
#ifndef TESTS_UNIT_NTLM_FIXTURES_H
#define TESTS_UNIT_NTLM_FIXTURES_H

#include "credssp_fixtures.h"

#include <stdint.h>
#include <time.h>
#include <heimntlm.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "credssp/ntlm/ntlm.h"
#include "credssp/ntlm/rc4.h"
#include "tests/tools/ntlm_heim_client.h"

#define NTLM_VECTORS "ntlm_v2_msnlmp_4_2_4.txt"

static inline uint8_t *ntlm_vector(TALLOC_CTX *t, const char *name, size_t *len)
{
	return hex_vector(t, NTLM_VECTORS, name, len);
}

/* ntlm_vector_n: a vector that must be exactly |n| bytes. */
static inline uint8_t *ntlm_vector_n(TALLOC_CTX *t, const char *name, size_t n)
{
	size_t len;
	uint8_t *v = ntlm_vector(t, name, &len);
	assert_int_equal(len, n);
	return v;
}

/* ---- SAM files ---------------------------------------------------------- */

/* A fresh temporary directory, removed with its files by ntlm_tmpdir_free. */
static inline char *ntlm_tmpdir(TALLOC_CTX *t)
{
	char *d = talloc_strdup(t, "/tmp/test-credssp-ntlm-XXXXXX");
	assert_non_null(d);
	assert_non_null(mkdtemp(d));
	return d;
}

static inline void ntlm_tmpdir_free(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* ntlm_write_file writes |len| bytes to DIR/NAME; returns the path. */
static inline char *ntlm_write_file(TALLOC_CTX *t, const char *dir, const char *name,
				    const void *data, size_t len)
{
	char *path = talloc_asprintf(t, "%s/%s", dir, name);
	FILE *f;

	assert_non_null(path);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* The NT hash (MD4 of UTF-16LE) of |password|, as lower-case hex, through
 * Heimdal's heim_ntlm_nt_key. */
static inline char *ntlm_nt_hash_hex(TALLOC_CTX *t, const char *password)
{
	struct ntlm_buf key;
	char *hex;

	assert_int_equal(heim_ntlm_nt_key(password, &key), 0);
	assert_int_equal(key.length, 16);
	hex = crypto_hex(t, key.data, key.length);
	heim_ntlm_free_buf(&key);
	return hex;
}

/* One SAM line, as `winpr-hash -u USER -p PASS -d DOMAIN -f sam` prints it. */
static inline char *ntlm_sam_line(TALLOC_CTX *t, const char *user, const char *domain,
				  const char *password)
{
	return talloc_asprintf(t, "%s:%s::%s:::\n", user, domain, ntlm_nt_hash_hex(t, password));
}

/* ---- the Heimdal client (tests/tools/ntlm_heim_client.c) --------------- */

static inline struct ntlm_test_client ntlm_client(const char *user, const char *domain,
						  const char *password, uint32_t flags, bool mic)
{
	struct ntlm_test_client c = {
		.user = user, .domain = domain, .password = password, .flags = flags, .mic = mic,
	};
	return c;
}

static inline uint8_t *ntlm_client_negotiate(TALLOC_CTX *t, struct ntlm_test_client *c,
					     size_t *len)
{
	uint8_t *m = ntlm_heim_negotiate(t, c, len);
	assert_non_null(m);
	return m;
}

static inline uint8_t *ntlm_client_authenticate(TALLOC_CTX *t, struct ntlm_test_client *c,
						const uint8_t *challenge, size_t challenge_len,
						size_t *len)
{
	const char *err = NULL;
	uint8_t *m = ntlm_heim_authenticate(t, c, challenge, challenge_len, len, &err);
	if (m == NULL) {
		fail_msg("Heimdal client: %s", err);
	}
	return m;
}

/* FILETIME to Unix seconds. */
static inline time_t ntlm_filetime_to_unix(uint64_t ft)
{
	return (time_t)(ft / 10000000u) - (time_t)11644473600;
}

static const struct ntlm_server_names ntlm_test_names = {
	.nb_computer = "SERVER",
	.nb_domain = "DOMAIN",
	.dns_computer = "server.domain.test",
	.dns_domain = "domain.test",
};

/*
 * ntlm_run_exchange: a whole exchange of |c| against a new acceptor on
 * |backend|; returns the status of the AUTHENTICATE step and leaves the
 * acceptor in |*out|.
 */
static inline NTSTATUS ntlm_run_exchange(TALLOC_CTX *t, struct ntlm_test_client *c,
					 const struct ntlm_backend *backend,
					 struct ntlm_acceptor **out, const char **reason)
{
	struct ntlm_acceptor *a;
	uint8_t *tok, *reply;
	size_t tok_len, reply_len;

	assert_true(NT_STATUS_IS_OK(ntlm_acceptor_new(t, &ntlm_test_names, backend, &a)));
	tok = ntlm_client_negotiate(t, c, &tok_len);
	assert_true(NT_STATUS_EQUAL(ntlm_acceptor_step(a, t, tok, tok_len, &reply, &reply_len,
						       reason),
				    NT_STATUS_MORE_PROCESSING_REQUIRED));
	tok = ntlm_client_authenticate(t, c, reply, reply_len, &tok_len);
	*out = a;
	return ntlm_acceptor_step(a, t, tok, tok_len, &reply, &reply_len, reason);
}

/* A temporary directory holding a SAM file with alice's line (DOMAIN,
 * |password|): the cmocka fixture of the SPNEGO-NTLM tests.  Freed, with
 * its directory, by ntlm_sam_fixture_free. */
struct ntlm_sam_fixture {
	TALLOC_CTX *t;
	char *dir, *sam;
};

static inline struct ntlm_sam_fixture *ntlm_sam_fixture_new(const char *password)
{
	struct ntlm_sam_fixture *f = talloc_zero(NULL, struct ntlm_sam_fixture);
	char *text;

	f->t = f;
	f->dir = ntlm_tmpdir(f);
	text = ntlm_sam_line(f, "alice", "DOMAIN", password);
	f->sam = ntlm_write_file(f, f->dir, "SAM", text, strlen(text));
	return f;
}

static inline void ntlm_sam_fixture_free(struct ntlm_sam_fixture *f)
{
	ntlm_tmpdir_free(f->dir);
	talloc_free(f);
}

#endif
