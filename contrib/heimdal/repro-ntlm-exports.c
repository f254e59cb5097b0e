/*
 * repro-ntlm-exports.c: uses the nine functions heimntlm.h declares but
 * libheimntlm.so does not export (fixed by
 * 0002-lib-ntlm-export-the-functions-heimntlm-protos.h-decl.patch).
 * Against an unpatched library it compiles and then fails to link;
 * repro-ntlm-exports.sh reads the linker's answer.
 *
 * Once linked, it checks the four functions credssp/ntlm needs against
 * [MS-NLMP] 4.2.4 (the values in tests/vectors/credssp/
 * ntlm_v2_msnlmp_4_2_4.txt): the session base key from NTOWFv2 and the
 * NTLMv2 response, the KEY_EXCH unwrap of EncryptedRandomSessionKey, a
 * wrap/unwrap round trip, and the FILETIME epoch.  The other five are
 * only linked (their addresses are taken).
 *
 * Exit status: 0 every check passed, 1 a check failed.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* heimntlm.h uses uint32_t and time_t without including their headers. */
#include <heimntlm.h>

/* [MS-NLMP] 4.2.4.1.1 NTOWFv2("Password", "User", "Domain") */
static const unsigned char ntowfv2[16] = {
	0x0c, 0x86, 0x8a, 0x40, 0x3b, 0xfd, 0x7a, 0x93,
	0xa3, 0x00, 0x1e, 0xf2, 0x2e, 0xf0, 0x2e, 0x3f,
};
/* 4.2.4.2.2 NTLMv2 response: NTProofStr, then the client's temp */
static const unsigned char nt_response[] = {
	0x68, 0xcd, 0x0a, 0xb8, 0x51, 0xe5, 0x1c, 0x96,
	0xaa, 0xbc, 0x92, 0x7b, 0xeb, 0xef, 0x6a, 0x1c,
	0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
	0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x0c, 0x00,
	0x44, 0x00, 0x6f, 0x00, 0x6d, 0x00, 0x61, 0x00,
	0x69, 0x00, 0x6e, 0x00, 0x01, 0x00, 0x0c, 0x00,
	0x53, 0x00, 0x65, 0x00, 0x72, 0x00, 0x76, 0x00,
	0x65, 0x00, 0x72, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};
/* 4.2.4.1.2 SessionBaseKey */
static const unsigned char session_base_key[16] = {
	0x8d, 0xe4, 0x0c, 0xca, 0xdb, 0xc1, 0x4a, 0x82,
	0xf1, 0x5c, 0xb0, 0xad, 0x0d, 0xe9, 0x5c, 0xa3,
};
/* 4.2.4.2.3 EncryptedRandomSessionKey, RC4K(SessionBaseKey, 55 x 16) */
static const unsigned char encrypted_session_key[16] = {
	0xc5, 0xda, 0xd2, 0x54, 0x4f, 0xc9, 0x79, 0x90,
	0x94, 0xce, 0x1c, 0xe9, 0x0b, 0xc9, 0xd0, 0x3e,
};

/* 1970-01-01 as a FILETIME (100 ns units since 1601-01-01) */
#define FILETIME_UNIX_EPOCH UINT64_C(116444736000000000)

static int failed;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAILED", what);
	if (!ok)
		failed = 1;
}

static int buf_is(const struct ntlm_buf *b, const void *want, size_t len)
{
	return b->length == len && memcmp(b->data, want, len) == 0;
}

int main(void)
{
	/* Taking the addresses makes the linker resolve all nine. */
	const void *linked[] = {
		(const void *)heim_ntlm_build_ntlm2_master,
		(const void *)heim_ntlm_calculate_ntlm2_sess_hash,
		(const void *)heim_ntlm_derive_ntlm2_sess,
		(const void *)heim_ntlm_keyex_unwrap,
		(const void *)heim_ntlm_keyex_wrap,
		(const void *)heim_ntlm_ts2unixtime,
		(const void *)heim_ntlm_unix2ts_time,
		(const void *)heim_ntlm_v1_base_session,
		(const void *)heim_ntlm_v2_base_session,
	};
	unsigned char sixteen_55[16];
	struct ntlm_buf key, response, base = { 0, NULL }, enc, session = { 0, NULL };
	struct ntlm_buf wrapped_session = { 0, NULL }, wrapped = { 0, NULL };
	struct ntlm_buf unwrapped = { 0, NULL };
	int ret;

	for (size_t i = 0; i < sizeof(linked) / sizeof(linked[0]); i++)
		if (linked[i] == NULL)
			failed = 1;
	memset(sixteen_55, 0x55, sizeof(sixteen_55));

	key.data = (void *)ntowfv2;
	key.length = sizeof(ntowfv2);
	response.data = (void *)nt_response;
	response.length = sizeof(nt_response);
	ret = heim_ntlm_v2_base_session(key.data, key.length, &response, &base);
	check(ret == 0 && buf_is(&base, session_base_key, 16),
	      "heim_ntlm_v2_base_session gives MS-NLMP 4.2.4.1.2 SessionBaseKey");

	enc.data = (void *)encrypted_session_key;
	enc.length = sizeof(encrypted_session_key);
	ret = heim_ntlm_keyex_unwrap(&base, &enc, &session);
	check(ret == 0 && buf_is(&session, sixteen_55, 16),
	      "heim_ntlm_keyex_unwrap gives MS-NLMP 4.2.1 RandomSessionKey");

	ret = heim_ntlm_keyex_wrap(&base, &wrapped_session, &wrapped);
	if (ret == 0)
		ret = heim_ntlm_keyex_unwrap(&base, &wrapped, &unwrapped);
	check(ret == 0 && buf_is(&unwrapped, wrapped_session.data, 16),
	      "heim_ntlm_keyex_wrap then heim_ntlm_keyex_unwrap round trip");

	check(heim_ntlm_unix2ts_time(0) == FILETIME_UNIX_EPOCH &&
	      heim_ntlm_ts2unixtime(FILETIME_UNIX_EPOCH + 10000000) == 1,
	      "heim_ntlm_unix2ts_time and heim_ntlm_ts2unixtime (FILETIME epoch)");

	if (base.data != NULL)
		heim_ntlm_free_buf(&base);
	if (session.data != NULL)
		heim_ntlm_free_buf(&session);
	if (wrapped_session.data != NULL)
		heim_ntlm_free_buf(&wrapped_session);
	if (wrapped.data != NULL)
		heim_ntlm_free_buf(&wrapped);
	if (unwrapped.data != NULL)
		heim_ntlm_free_buf(&unwrapped);
	return failed;
}
