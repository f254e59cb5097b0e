/*
 * oid.c: object identifiers (X.690 8.19) and the extended-key-usage value
 * (RFC 5280 4.2.1.12, "SEQUENCE SIZE (1..MAX) OF KeyPurposeId").
 */
#include "crypto/crypto.h"

#include <stdio.h>
#include <string.h>

/* The largest arc (and first subidentifier) either direction accepts, so
 * that what one side produces the other reads: 8 base-128 octets. */
#define OID_ARC_MAX ((UINT64_C(1) << 56) - 1)

static void add_base128(struct builder *b, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;
	do {
		tmp[n++] = (uint8_t)(v & 0x7f);
		v >>= 7;
	} while (v != 0);
	while (n > 0) {
		n--;
		builder_add_u8(b, (uint8_t)(tmp[n] | (n > 0 ? 0x80 : 0)));
	}
}

static bool read_arc(const char **s, uint64_t *out)
{
	const char *p = *s;
	uint64_t v = 0;

	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9')) {
		return false; /* no digit, or a leading zero */
	}
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > OID_ARC_MAX) {
			return false;
		}
		p++;
	}
	*s = p;
	*out = v;
	return true;
}

NTSTATUS crypto_oid_to_der(TALLOC_CTX *mem_ctx, const char *text,
			   uint8_t **out, size_t *out_len, const char **reason)
{
	struct builder b;
	const char *p = text;
	uint64_t a0, a1;

	if (!read_arc(&p, &a0) || a0 > 2 || *p++ != '.' || !read_arc(&p, &a1) ||
	    (a0 < 2 && a1 > 39) || a1 > OID_ARC_MAX - 80) {
		crypto_set_reason(reason, "OID must start with 0.n, 1.n (n < 40) or 2.n");
		return NT_STATUS_INVALID_PARAMETER;
	}
	builder_init(&b, mem_ctx);
	add_base128(&b, a0 * 40 + a1);
	while (*p != '\0') {
		uint64_t arc;
		if (*p++ != '.' || !read_arc(&p, &arc)) {
			builder_abort(&b);
			crypto_set_reason(reason, "OID is not dotted decimal");
			return NT_STATUS_INVALID_PARAMETER;
		}
		add_base128(&b, arc);
	}
	if (!builder_finish(&b, out, out_len)) {
		return NT_STATUS_NO_MEMORY;
	}
	return NT_STATUS_OK;
}

NTSTATUS crypto_oid_to_text(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			    char **out, const char **reason)
{
	char *res;
	bool first = true;
	size_t i = 0;

	if (len == 0) {
		crypto_set_reason(reason, "OID is empty");
		return NT_STATUS_INVALID_PARAMETER;
	}
	res = talloc_strdup(mem_ctx, "");
	while (res != NULL && i < len) {
		uint64_t v = 0;
		if (p[i] == 0x80) {
			talloc_free(res);
			crypto_set_reason(reason, "OID arc is not minimally encoded");
			return NT_STATUS_INVALID_PARAMETER;
		}
		for (;;) {
			if (i >= len || v > (OID_ARC_MAX >> 7)) {
				talloc_free(res);
				crypto_set_reason(reason, "OID arc is truncated or too large");
				return NT_STATUS_INVALID_PARAMETER;
			}
			v = (v << 7) | (p[i] & 0x7f);
			if ((p[i++] & 0x80) == 0) {
				break;
			}
		}
		if (first) {
			uint64_t a0 = v < 40 ? 0 : v < 80 ? 1 : 2;
			res = talloc_asprintf_append(res, "%llu.%llu",
						     (unsigned long long)a0,
						     (unsigned long long)(v - a0 * 40));
			first = false;
		} else {
			res = talloc_asprintf_append(res, ".%llu", (unsigned long long)v);
		}
	}
	if (res == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	*out = res;
	return NT_STATUS_OK;
}

NTSTATUS crypto_eku_build(TALLOC_CTX *mem_ctx, const char *const *oids,
			  size_t n, uint8_t **out, size_t *out_len,
			  const char **reason)
{
	TALLOC_CTX *frame = talloc_new(mem_ctx);
	struct builder inner, outer;
	uint8_t *body;
	size_t body_len;
	NTSTATUS status;

	if (frame == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (n == 0) {
		talloc_free(frame);
		crypto_set_reason(reason, "extended key usage needs at least one OID");
		return NT_STATUS_INVALID_PARAMETER;
	}
	builder_init(&inner, frame);
	for (size_t i = 0; i < n; i++) {
		uint8_t *oid;
		size_t oid_len;
		status = crypto_oid_to_der(frame, oids[i], &oid, &oid_len, reason);
		if (!NT_STATUS_IS_OK(status)) {
			talloc_free(frame);
			return status;
		}
		builder_add_asn1(&inner, DER_TAG_OID, oid, oid_len);
	}
	if (!builder_finish(&inner, &body, &body_len)) {
		talloc_free(frame);
		return NT_STATUS_NO_MEMORY;
	}
	builder_init(&outer, mem_ctx);
	builder_add_asn1(&outer, DER_TAG_SEQUENCE, body, body_len);
	talloc_free(frame);
	if (!builder_finish(&outer, out, out_len)) {
		return NT_STATUS_NO_MEMORY;
	}
	return NT_STATUS_OK;
}

NTSTATUS crypto_eku_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			  char ***oids, const char **reason)
{
	struct cursor c, seq, oid;
	char **res;
	size_t n = 0;

	cursor_init(&c, p, len);
	if (!cursor_get_asn1(&c, &seq, NULL, DER_TAG_SEQUENCE) || cursor_left(&c) != 0 ||
	    cursor_left(&seq) == 0) {
		crypto_set_reason(reason,
				  "extended key usage is not one non-empty DER SEQUENCE");
		return NT_STATUS_INVALID_PARAMETER;
	}
	res = talloc_zero_array(mem_ctx, char *, 1);
	while (res != NULL && cursor_left(&seq) > 0) {
		char **grown;
		NTSTATUS status;
		if (!cursor_get_asn1(&seq, &oid, NULL, DER_TAG_OID)) {
			talloc_free(res);
			crypto_set_reason(reason,
					  "extended key usage holds something other than OIDs");
			return NT_STATUS_INVALID_PARAMETER;
		}
		grown = talloc_realloc(mem_ctx, res, char *, n + 2);
		if (grown == NULL) {
			break;
		}
		res = grown;
		res[n + 1] = NULL;
		status = crypto_oid_to_text(res, oid.data, oid.len, &res[n], reason);
		if (!NT_STATUS_IS_OK(status)) {
			talloc_free(res);
			return status;
		}
		n++;
	}
	if (res == NULL || cursor_left(&seq) > 0) {
		talloc_free(res);
		return NT_STATUS_NO_MEMORY;
	}
	*oids = res;
	return NT_STATUS_OK;
}
