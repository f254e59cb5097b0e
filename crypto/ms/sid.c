/*
 * sid.c: security identifiers, MS-DTYP 2.4.2.1 (string) and 2.4.2.2
 * (binary).
 *
 * The string grammar is
 *   SID = "S-1-" IdentifierAuthority 1*SubAuthority
 *   IdentifierAuthority = IdentifierAuthorityDec / IdentifierAuthorityHex
 *   IdentifierAuthorityDec = 1*10DIGIT        ; value below 2^32
 *   IdentifierAuthorityHex = "0x" 12HEXDIG
 *   SubAuthority = "-" 1*10DIGIT              ; value below 2^32
 * with at most 15 sub-authorities (the binary form's limit).
 */
#include "crypto/ms/sid.h"
#include "crypto/wire/cursor.h"

#include <stdio.h>
#include <string.h>

#define SID_REVISION 1

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9') {
		return ch - '0';
	}
	if (ch >= 'a' && ch <= 'f') {
		return ch - 'a' + 10;
	}
	if (ch >= 'A' && ch <= 'F') {
		return ch - 'A' + 10;
	}
	return -1;
}

/* read_dec reads 1 to 10 decimal digits with a value below 2^32. */
static bool read_dec(const char *s, size_t len, size_t *pos, uint32_t *out)
{
	uint64_t v = 0;
	size_t start = *pos, i = *pos;

	while (i < len && is_digit(s[i])) {
		if (i - start == 10) {
			return false;
		}
		v = v * 10 + (uint64_t)(s[i] - '0');
		i++;
	}
	if (i == start || v > UINT32_MAX) {
		return false;
	}
	*pos = i;
	*out = (uint32_t)v;
	return true;
}

NTSTATUS crypto_sid_parse_len(const char *s, size_t len,
			      struct crypto_sid *sid, const char **reason)
{
	struct crypto_sid r = {.revision = SID_REVISION};
	size_t pos = 0;

	if (len < 4 || (s[0] != 'S' && s[0] != 's') || s[1] != '-') {
		crypto_set_reason(reason, "SID does not start with \"S-\"");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (s[2] != '1' || s[3] != '-') {
		crypto_set_reason(reason, "SID revision is not 1");
		return NT_STATUS_INVALID_PARAMETER;
	}
	pos = 4;
	if (pos + 1 < len && s[pos] == '0' && (s[pos + 1] == 'x' || s[pos + 1] == 'X')) {
		pos += 2;
		for (int i = 0; i < 12; i++) {
			int d = pos < len ? hex_digit(s[pos]) : -1;
			if (d < 0) {
				crypto_set_reason(reason,
						  "SID hex authority is not 12 hex digits");
				return NT_STATUS_INVALID_PARAMETER;
			}
			r.authority = (r.authority << 4) | (uint64_t)d;
			pos++;
		}
	} else {
		uint32_t a;
		if (!read_dec(s, len, &pos, &a)) {
			crypto_set_reason(reason,
					  "SID authority is not a decimal number below 2^32");
			return NT_STATUS_INVALID_PARAMETER;
		}
		r.authority = a;
	}
	while (pos < len) {
		if (s[pos] != '-') {
			crypto_set_reason(reason, "SID has an unexpected character");
			return NT_STATUS_INVALID_PARAMETER;
		}
		if (r.num_auths == CRYPTO_SID_MAX_SUBAUTH) {
			crypto_set_reason(reason,
					  "SID has more than 15 sub-authorities");
			return NT_STATUS_INVALID_PARAMETER;
		}
		pos++;
		if (!read_dec(s, len, &pos, &r.sub_auths[r.num_auths])) {
			crypto_set_reason(reason,
					  "SID sub-authority is not a decimal number below 2^32");
			return NT_STATUS_INVALID_PARAMETER;
		}
		r.num_auths++;
	}
	if (r.num_auths == 0) {
		crypto_set_reason(reason, "SID has no sub-authority");
		return NT_STATUS_INVALID_PARAMETER;
	}
	*sid = r;
	return NT_STATUS_OK;
}

NTSTATUS crypto_sid_parse(const char *s, struct crypto_sid *sid,
			  const char **reason)
{
	if (s == NULL) {
		crypto_set_reason(reason, "SID is missing");
		return NT_STATUS_INVALID_PARAMETER;
	}
	return crypto_sid_parse_len(s, strlen(s), sid, reason);
}

void crypto_sid_format(const struct crypto_sid *sid,
		       char buf[CRYPTO_SID_MAX_STRING])
{
	size_t o;
	int n;

	if (sid->authority <= UINT32_MAX) {
		n = snprintf(buf, CRYPTO_SID_MAX_STRING, "S-1-%llu",
			     (unsigned long long)sid->authority);
	} else {
		n = snprintf(buf, CRYPTO_SID_MAX_STRING, "S-1-0x%012llx",
			     (unsigned long long)(sid->authority & 0xffffffffffffull));
	}
	o = (size_t)n;
	for (uint8_t i = 0; i < sid->num_auths && i < CRYPTO_SID_MAX_SUBAUTH; i++) {
		n = snprintf(buf + o, CRYPTO_SID_MAX_STRING - o, "-%lu",
			     (unsigned long)sid->sub_auths[i]);
		o += (size_t)n;
	}
}

char *crypto_sid_string(TALLOC_CTX *mem_ctx, const struct crypto_sid *sid)
{
	char buf[CRYPTO_SID_MAX_STRING];
	crypto_sid_format(sid, buf);
	return talloc_strdup(mem_ctx, buf);
}

NTSTATUS crypto_sid_from_binary(const uint8_t *p, size_t len,
				struct crypto_sid *sid, const char **reason)
{
	struct crypto_sid r = {0};
	struct cursor c;
	const uint8_t *auth;

	cursor_init(&c, p, len);
	if (!cursor_get_u8(&c, &r.revision) || !cursor_get_u8(&c, &r.num_auths) ||
	    !cursor_get_bytes(&c, &auth, 6)) {
		crypto_set_reason(reason, "binary SID is shorter than its header");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (r.revision != SID_REVISION) {
		crypto_set_reason(reason, "SID revision is not 1");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (r.num_auths == 0 || r.num_auths > CRYPTO_SID_MAX_SUBAUTH) {
		crypto_set_reason(reason,
				  "binary SID sub-authority count is not 1 to 15");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (cursor_left(&c) != 4u * r.num_auths) {
		crypto_set_reason(reason,
				  "binary SID length does not match its sub-authority count");
		return NT_STATUS_INVALID_PARAMETER;
	}
	for (int i = 0; i < 6; i++) {
		r.authority = (r.authority << 8) | auth[i]; /* big-endian */
	}
	for (uint8_t i = 0; i < r.num_auths; i++) {
		(void)cursor_get_u32le(&c, &r.sub_auths[i]);
	}
	*sid = r;
	return NT_STATUS_OK;
}

size_t crypto_sid_to_binary(const struct crypto_sid *sid,
			    uint8_t out[CRYPTO_SID_MAX_BINARY])
{
	size_t o = 0;
	uint8_t n = sid->num_auths > CRYPTO_SID_MAX_SUBAUTH
			    ? CRYPTO_SID_MAX_SUBAUTH
			    : sid->num_auths;

	out[o++] = SID_REVISION;
	out[o++] = n;
	for (int i = 5; i >= 0; i--) {
		out[o++] = (uint8_t)(sid->authority >> (8 * i));
	}
	for (uint8_t i = 0; i < n; i++) {
		uint32_t v = sid->sub_auths[i];
		out[o++] = (uint8_t)v;
		out[o++] = (uint8_t)(v >> 8);
		out[o++] = (uint8_t)(v >> 16);
		out[o++] = (uint8_t)(v >> 24);
	}
	return o;
}

bool crypto_sid_equal(const struct crypto_sid *a, const struct crypto_sid *b)
{
	if (a->revision != b->revision || a->num_auths != b->num_auths ||
	    a->authority != b->authority || a->num_auths > CRYPTO_SID_MAX_SUBAUTH) {
		return false;
	}
	for (uint8_t i = 0; i < a->num_auths; i++) {
		if (a->sub_auths[i] != b->sub_auths[i]) {
			return false;
		}
	}
	return true;
}
