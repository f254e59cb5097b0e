/*
 * test_credssp_ntlm_samfile.c: the SAM file backend (credssp/ntlm/samfile.c)
 * on FreeRDP's format: what `winpr-hash -f sam` writes is read, FreeRDP's
 * matching rules hold (exact user and domain, first line wins, the user's
 * empty-domain line as a fallback), the right password is accepted and a
 * wrong one refused with NT_STATUS_LOGON_FAILURE, and hostile files
 * (short lines, bad hex, NUL bytes, oversize, missing, a directory) are
 * refused as a whole without crashing.  The live winpr-hash run is
 * tests/cli/test_ntlm_accept_check.sh.
 */
#include "ntlm_fixtures.h"

/* `winpr-hash -u u -p p -f sam` from FreeRDP 2.11.7 (winpr-utils, Debian 12),
 * captured 2026-12-07: user "u", empty domain, no LM hash. */
#define WINPR_HASH_U_P "u:::2468c466f4666005a06b2792513d98e8:::\n"

struct fixture {
	TALLOC_CTX *t;
	char *dir;
};

static int setup(void **state)
{
	struct fixture *f = talloc_zero(NULL, struct fixture);
	f->t = f;
	f->dir = ntlm_tmpdir(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	ntlm_tmpdir_free(f->dir);
	talloc_free(f);
	return 0;
}

static char *sam(struct fixture *f, const char *text)
{
	return ntlm_write_file(f->t, f->dir, "SAM", text, strlen(text));
}

static void assert_hash_of(const uint8_t hash[16], TALLOC_CTX *t, const char *password)
{
	assert_string_equal(crypto_hex(t, hash, 16), ntlm_nt_hash_hex(t, password));
}

static void test_winpr_hash_line(void **state)
{
	struct fixture *f = *state;
	char *path = sam(f, WINPR_HASH_U_P);
	struct ntlm_acceptor *a;
	const char *reason = NULL;
	uint8_t hash[16];
	size_t line = 0;

	/* winpr-hash's NT hash is MD4(UTF-16LE("p")), Heimdal's too. */
	assert_true(NT_STATUS_IS_OK(ntlm_samfile_lookup(path, "u", "", hash, &line, &reason)));
	assert_hash_of(hash, f->t, "p");
	/* The empty-domain line serves any domain the client names. */
	assert_true(NT_STATUS_IS_OK(ntlm_samfile_lookup(path, "u", "WORKGROUP", hash, &line,
							&reason)));
	{
		struct ntlm_test_client c = ntlm_client("u", "WORKGROUP", "p", NTLM_TEST_CLIENT_FLAGS,
							true);
		assert_true(NT_STATUS_IS_OK(ntlm_run_exchange(f->t, &c, ntlm_backend_samfile(f->t, path),
							      &a, &reason)));
		assert_string_equal(ntlm_acceptor_peer_name(a), "WORKGROUP\\u");
	}
	{
		struct ntlm_test_client c = ntlm_client("u", "WORKGROUP", "P", NTLM_TEST_CLIENT_FLAGS,
							true);
		assert_true(NT_STATUS_EQUAL(ntlm_run_exchange(f->t, &c, ntlm_backend_samfile(f->t, path),
								&a, &reason),
					    NT_STATUS_LOGON_FAILURE));
	}
}

static void test_matching_rules(void **state)
{
	struct fixture *f = *state;
	char *text = talloc_asprintf(
		f->t,
		"# comment: alice:DOM::00:::\n"
		"\n"
		"x\n"
		"alice:::%s:::\n"          /* empty domain, first */
		"alice:DOM::%s:::\n"       /* her DOM line, later: wins for DOM */
		"alice:DOM::%s:::\n"       /* a second DOM line: the first wins */
		"Alice:DOM::%s:::\n"       /* another user (case) */
		"carol:DOM:%s::::\n"       /* LM hash only: cannot log on */
		"dave:DOM::%s:::\r\n"      /* CRLF: the \\r is in the ignored tail */
		"erin:DOM::%s",           /* exactly four ':', no newline at the end */
		ntlm_nt_hash_hex(f->t, "empty"), ntlm_nt_hash_hex(f->t, "dom1"),
		ntlm_nt_hash_hex(f->t, "dom2"), ntlm_nt_hash_hex(f->t, "upper"),
		ntlm_nt_hash_hex(f->t, "lm"), ntlm_nt_hash_hex(f->t, "dave"),
		ntlm_nt_hash_hex(f->t, "erin"));
	char *path;
	uint8_t hash[16];
	size_t line = 0;
	const char *reason = NULL;

	/* erin's line has four ':' only if her hash is followed by one. */
	text = talloc_strdup_append(text, ":\n");
	path = sam(f, text);
	assert_true(NT_STATUS_IS_OK(ntlm_samfile_lookup(path, "alice", "DOM", hash, &line, &reason)));
	assert_hash_of(hash, f->t, "dom1");
	assert_true(NT_STATUS_IS_OK(ntlm_samfile_lookup(path, "alice", "OTHER", hash, &line, &reason)));
	assert_hash_of(hash, f->t, "empty");
	assert_true(NT_STATUS_IS_OK(ntlm_samfile_lookup(path, "Alice", "DOM", hash, &line, &reason)));
	assert_hash_of(hash, f->t, "upper");
	/* Domains match exactly too (FreeRDP's strncmp). */
	assert_true(NT_STATUS_IS_OK(ntlm_samfile_lookup(path, "alice", "dom", hash, &line, &reason)));
	assert_hash_of(hash, f->t, "empty");
	assert_true(NT_STATUS_EQUAL(ntlm_samfile_lookup(path, "ALICE", "DOM", hash, &line, &reason),
				    NT_STATUS_NO_SUCH_USER));
	assert_true(NT_STATUS_EQUAL(ntlm_samfile_lookup(path, "carol", "DOM", hash, &line, &reason),
				    NT_STATUS_NO_SUCH_USER));
	assert_string_equal(reason, "the user's SAM line has no NT hash");
	assert_true(NT_STATUS_IS_OK(ntlm_samfile_lookup(path, "dave", "DOM", hash, &line, &reason)));
	assert_hash_of(hash, f->t, "dave");
	assert_true(NT_STATUS_IS_OK(ntlm_samfile_lookup(path, "erin", "DOM", hash, &line, &reason)));
	assert_hash_of(hash, f->t, "erin");
	/* A comment line is not a user. */
	assert_true(NT_STATUS_EQUAL(ntlm_samfile_lookup(path, "# comment", "", hash, &line, &reason),
				    NT_STATUS_NO_SUCH_USER));

	/* Through the backend: right password accepted, wrong refused. */
	{
		struct ntlm_backend *b = ntlm_backend_samfile(f->t, path);
		struct ntlm_acceptor *a;
		struct ntlm_test_client ok = ntlm_client("alice", "DOM", "dom1",
							 NTLM_TEST_CLIENT_FLAGS, true);
		struct ntlm_test_client bad = ntlm_client("alice", "DOM", "dom2",
							  NTLM_TEST_CLIENT_FLAGS, true);
		struct ntlm_test_client nolm = ntlm_client("carol", "DOM", "lm",
							   NTLM_TEST_CLIENT_FLAGS, true);

		assert_true(NT_STATUS_IS_OK(ntlm_run_exchange(f->t, &ok, b, &a, &reason)));
		assert_true(NT_STATUS_EQUAL(ntlm_run_exchange(f->t, &bad, b, &a, &reason),
					    NT_STATUS_LOGON_FAILURE));
		assert_true(NT_STATUS_EQUAL(ntlm_run_exchange(f->t, &nolm, b, &a, &reason),
					    NT_STATUS_LOGON_FAILURE));
	}
}

/* Hostile files: each is refused as a whole, naming the line. */
static void test_hostile_files(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *text;
		size_t line;
	} bad[] = {
		{ "alice:DOM::2468c466f4666005a06b2792513d98e8\n", 1 },          /* 3 ':' */
		{ "alice\n", 1 },                                               /* no ':' */
		{ "ok:::2468c466f4666005a06b2792513d98e8:::\nalice:DOM::zz68c466f4666005a06b2792513d98e8:::\n", 2 },
		{ "alice:DOM::2468c466f4666005a06b2792513d98e:::\n", 1 },        /* 31 digits */
		{ "alice:DOM::2468c466f4666005a06b2792513d98e88:::\n", 1 },      /* 33 digits */
		{ "alice:DOM:2468c466f4666005a06b2792513d98e8x:2468c466f4666005a06b2792513d98e8:::\n", 1 },
		{ "alice:DOM::2468c466f4666005a06b2792513d98e 8:::\n", 1 },
		{ ":::::\n#\nalice:DOM::-468c466f4666005a06b2792513d98e8:::\n", 3 },
	};
	uint8_t hash[16];
	size_t line, i;
	const char *reason;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *path = sam(f, bad[i].text);
		line = 0;
		reason = NULL;
		assert_true(NT_STATUS_EQUAL(ntlm_samfile_lookup(path, "ok", "", hash, &line, &reason),
					    NT_STATUS_INVALID_PARAMETER));
		assert_int_equal(line, bad[i].line);
		assert_non_null(reason);
		/* Through the backend: the server's file is at fault. */
		{
			struct ntlm_test_client c = ntlm_client("ok", "", "p", NTLM_TEST_CLIENT_FLAGS,
								true);
			struct ntlm_acceptor *a;
			assert_true(NT_STATUS_EQUAL(ntlm_run_exchange(f->t, &c,
								      ntlm_backend_samfile(f->t, path),
								      &a, &reason),
						    NT_STATUS_INTERNAL_DB_CORRUPTION));
		}
	}
	/* A NUL byte anywhere. */
	{
		static const char nul[] = "u:::2468c466f4666005a06b2792513d98e8:::\n\0x\n";
		char *path = ntlm_write_file(f->t, f->dir, "SAM", nul, sizeof(nul) - 1);
		assert_true(NT_STATUS_EQUAL(ntlm_samfile_lookup(path, "u", "", hash, &line, &reason),
					    NT_STATUS_INVALID_PARAMETER));
		assert_string_equal(reason, "SAM file holds a NUL byte");
	}
	/* Over 4 MiB (of comment lines). */
	{
		size_t n = (4u << 20) + 10;
		char *big = talloc_size(f->t, n);
		char *path;
		memset(big, '#', n);
		for (i = 80; i < n; i += 80) {
			big[i] = '\n';
		}
		path = ntlm_write_file(f->t, f->dir, "SAM", big, n);
		assert_true(NT_STATUS_EQUAL(ntlm_samfile_lookup(path, "u", "", hash, &line, &reason),
					    NT_STATUS_INVALID_PARAMETER));
		assert_string_equal(reason, "SAM file larger than 4 MiB");
	}
	/* Missing, a directory, empty. */
	{
		char *missing = talloc_asprintf(f->t, "%s/none", f->dir);
		assert_true(NT_STATUS_EQUAL(ntlm_samfile_lookup(missing, "u", "", hash, &line, &reason),
					    NT_STATUS_OBJECT_NAME_NOT_FOUND));
		assert_false(NT_STATUS_IS_OK(ntlm_samfile_lookup(f->dir, "u", "", hash, &line, &reason)));
		assert_true(NT_STATUS_EQUAL(ntlm_samfile_lookup(sam(f, ""), "u", "", hash, &line,
								&reason),
					    NT_STATUS_NO_SUCH_USER));
	}
	/* Many lines, long names: still found, no crash. */
	{
		char *text = talloc_strdup(f->t, "");
		char *longname = talloc_zero_size(f->t, 5000);
		memset(longname, 'n', 4999);
		for (i = 0; i < 2000; i++) {
			text = talloc_asprintf_append(text, "user%zu:DOM::2468c466f4666005a06b2792513d98e8:::\n", i);
		}
		text = talloc_asprintf_append(text, "%s:%s::2468c466f4666005a06b2792513d98e8:::\n",
					      longname, longname);
		assert_true(NT_STATUS_IS_OK(ntlm_samfile_lookup(sam(f, text), "user1999", "DOM", hash,
								&line, &reason)));
		assert_true(NT_STATUS_IS_OK(ntlm_samfile_lookup(sam(f, text), longname, longname, hash,
								&line, &reason)));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_winpr_hash_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_matching_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_files, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
