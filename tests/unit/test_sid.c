/*
 * test_sid.c: SID string and binary forms, MS-DTYP 2.4.2.
 */
#include "helpers.h"

static void test_sid_valid(void **state)
{
	static const struct {
		const char *in, *canonical;
		uint8_t num_auths;
		uint64_t authority;
	} cases[] = {
		{"S-1-5-21-397955417-626881126-188441444-3394717",
		 "S-1-5-21-397955417-626881126-188441444-3394717", 5, 5},
		{"S-1-5-18", "S-1-5-18", 1, 5},
		{"S-1-0-0", "S-1-0-0", 1, 0},
		{"s-1-5-32-544", "S-1-5-32-544", 2, 5},
		{"S-1-005-018", "S-1-5-18", 1, 5},
		{"S-1-4294967295-4294967295", "S-1-4294967295-4294967295", 1, 4294967295u},
		/* Hex authority: exactly 12 digits, any case; below 2^32 it is
		 * printed in decimal again. */
		{"S-1-0x000000000005-18", "S-1-5-18", 1, 5},
		{"S-1-0X0000000000FF-1", "S-1-255-1", 1, 255},
		{"S-1-0x123456789abc-1", "S-1-0x123456789abc-1", 1, 0x123456789abcull},
		{"S-1-0xFFFFFFFFFFFF-1", "S-1-0xffffffffffff-1", 1, 0xffffffffffffull},
		{"S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15",
		 "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15", 15, 5},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct crypto_sid sid, back;
		char buf[CRYPTO_SID_MAX_STRING];
		uint8_t bin[CRYPTO_SID_MAX_BINARY];
		size_t n;

		assert_true(NT_STATUS_IS_OK(crypto_sid_parse(cases[i].in, &sid, NULL)));
		assert_int_equal(sid.num_auths, cases[i].num_auths);
		assert_int_equal(sid.authority, cases[i].authority);
		crypto_sid_format(&sid, buf);
		assert_string_equal(buf, cases[i].canonical);
		n = crypto_sid_to_binary(&sid, bin);
		assert_int_equal(n, 8 + 4 * sid.num_auths);
		assert_true(NT_STATUS_IS_OK(crypto_sid_from_binary(bin, n, &back, NULL)));
		assert_true(crypto_sid_equal(&sid, &back));
	}
}

static void test_sid_invalid(void **state)
{
	static const char *cases[] = {
		"",
		"S",
		"S-",
		"S-1",
		"S-1-",
		"S-1-5",               /* no sub-authority */
		"S-2-5-18",            /* revision 2 */
		"S-01-5-18",           /* revision must be exactly "1" */
		"X-1-5-18",
		"S-1-5-",              /* empty sub-authority */
		"S-1-5--18",
		"S-1-5-18-",
		"S-1--5-18",
		"S-1-5-4294967296",    /* sub-authority >= 2^32 */
		"S-1-4294967296-1",    /* decimal authority >= 2^32 */
		"S-1-5-12345678901",   /* 11 digits */
		"S-1-0x5-18",          /* hex needs 12 digits */
		"S-1-0x00000000000G-1",
		"S-1-0x0000000000050-1", /* 13 hex digits */
		"S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16", /* 16 */
		"S-1-5-18 ",
		" S-1-5-18",
		"S-1-5-+18",
		"S-1-5-18\n",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct crypto_sid sid = {0};
		const char *why = NULL;
		NTSTATUS status = crypto_sid_parse(cases[i], &sid, &why);
		if (NT_STATUS_IS_OK(status)) {
			fail_msg("accepted \"%s\"", cases[i]);
		}
		assert_true(NT_STATUS_EQUAL(status, NT_STATUS_INVALID_PARAMETER));
		assert_non_null(why);
		assert_int_equal(sid.num_auths, 0); /* output untouched */
	}
	/* Embedded NUL: the length-counted form sees it. */
	struct crypto_sid sid;
	assert_false(NT_STATUS_IS_OK(crypto_sid_parse_len("S-1-5-18\0", 9, &sid, NULL)));
	assert_false(NT_STATUS_IS_OK(crypto_sid_parse(NULL, &sid, NULL)));
}

static void test_sid_binary_invalid(void **state)
{
	/* S-1-5-18: 01 01 000000000005 12000000 */
	const uint8_t good[] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};
	uint8_t buf[sizeof(good) + 4];
	struct crypto_sid sid;
	char str[CRYPTO_SID_MAX_STRING];
	(void)state;

	assert_true(NT_STATUS_IS_OK(crypto_sid_from_binary(good, sizeof(good), &sid, NULL)));
	crypto_sid_format(&sid, str);
	assert_string_equal(str, "S-1-5-18");

	for (size_t n = 0; n < sizeof(good); n++) {
		assert_false(NT_STATUS_IS_OK(crypto_sid_from_binary(good, n, &sid, NULL)));
	}
	memcpy(buf, good, sizeof(good));
	memset(buf + sizeof(good), 0, 4);
	assert_false(NT_STATUS_IS_OK(crypto_sid_from_binary(buf, sizeof(good) + 4, &sid, NULL)));
	buf[0] = 2; /* revision */
	assert_false(NT_STATUS_IS_OK(crypto_sid_from_binary(buf, sizeof(good), &sid, NULL)));
	buf[0] = 1;
	buf[1] = 0; /* no sub-authorities */
	assert_false(NT_STATUS_IS_OK(crypto_sid_from_binary(buf, 8, &sid, NULL)));
	buf[1] = 16;
	assert_false(NT_STATUS_IS_OK(crypto_sid_from_binary(buf, 8 + 64, &sid, NULL)));
}

static void test_sid_equal(void **state)
{
	struct crypto_sid a, b;
	(void)state;

	assert_true(NT_STATUS_IS_OK(crypto_sid_parse("S-1-5-21-1-2-3-500", &a, NULL)));
	assert_true(NT_STATUS_IS_OK(crypto_sid_parse("S-1-5-21-1-2-3-501", &b, NULL)));
	assert_false(crypto_sid_equal(&a, &b));
	assert_true(NT_STATUS_IS_OK(crypto_sid_parse("S-1-5-21-1-2-3", &b, NULL)));
	assert_false(crypto_sid_equal(&a, &b));
	assert_true(NT_STATUS_IS_OK(crypto_sid_parse("s-1-0x000000000005-21-1-2-3-500", &b, NULL)));
	assert_true(crypto_sid_equal(&a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sid_valid),
		cmocka_unit_test(test_sid_invalid),
		cmocka_unit_test(test_sid_binary_invalid),
		cmocka_unit_test(test_sid_equal),
	};
	return cmocka_run_group_tests_name("sid", tests, NULL, NULL);
}
