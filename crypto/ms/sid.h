/*
 * sid.h: security identifiers, MS-DTYP 2.4.2: the string form (2.4.2.1)
 * and the binary form (2.4.2.2).  No OpenSSL.
 */
#ifndef CRYPTO_MS_SID_H
#define CRYPTO_MS_SID_H

#include <talloc.h>

#include "crypto/ms/status.h"

#define CRYPTO_SID_MAX_SUBAUTH 15
#define CRYPTO_SID_MAX_BINARY (8 + 4 * CRYPTO_SID_MAX_SUBAUTH)
/* "S-1-0x" + 12 hex + 15 * ("-" + 10 digits) + NUL */
#define CRYPTO_SID_MAX_STRING (6 + 12 + 15 * 11 + 1)

struct crypto_sid {
	uint8_t revision; /* always 1 */
	uint8_t num_auths;
	uint64_t authority; /* 48 bits */
	uint32_t sub_auths[CRYPTO_SID_MAX_SUBAUTH];
};

/*
 * crypto_sid_parse reads the string form of MS-DTYP 2.4.2.1: "S-1-",
 * an identifier authority in decimal (below 2^32) or as "0x" and exactly
 * 12 hex digits, then 1 to 15 decimal sub-authorities below 2^32.  Letters
 * may be either case (ABNF literals are case-insensitive).  Anything else,
 * including trailing bytes, is malformed.
 */
NTSTATUS crypto_sid_parse(const char *s, struct crypto_sid *sid,
			  const char **reason) CRYPTO_WARN_UNUSED;
/* crypto_sid_parse_len is crypto_sid_parse for a non-terminated string. */
NTSTATUS crypto_sid_parse_len(const char *s, size_t len,
			      struct crypto_sid *sid,
			      const char **reason) CRYPTO_WARN_UNUSED;
/* crypto_sid_format writes the canonical string form (decimal authority
 * below 2^32, else "0x" and 12 lower-case hex digits) into |buf|. */
void crypto_sid_format(const struct crypto_sid *sid,
		       char buf[CRYPTO_SID_MAX_STRING]);
/* crypto_sid_string is crypto_sid_format onto mem_ctx. */
char *crypto_sid_string(TALLOC_CTX *mem_ctx, const struct crypto_sid *sid);
/* crypto_sid_from_binary reads the binary form (2.4.2.2); the input must be
 * exactly 8 + 4 * SubAuthorityCount bytes. */
NTSTATUS crypto_sid_from_binary(const uint8_t *p, size_t len,
				struct crypto_sid *sid,
				const char **reason) CRYPTO_WARN_UNUSED;
/* crypto_sid_to_binary writes the binary form; returns its length. */
size_t crypto_sid_to_binary(const struct crypto_sid *sid,
			    uint8_t out[CRYPTO_SID_MAX_BINARY]);
bool crypto_sid_equal(const struct crypto_sid *a, const struct crypto_sid *b);

#endif
