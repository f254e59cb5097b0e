/*
 * format.c: the table file's records and keys.  See format.h.
 */
#include "certtable/format.h"
#include "certtable/certtable.h"

#include <string.h>

static void put_u32le(uint8_t *p, uint32_t v)
{
	for (int b = 0; b < 4; b++) {
		p[b] = (uint8_t)(v >> (8 * b));
	}
}

static void put_u64le(uint8_t *p, uint64_t v)
{
	for (int b = 0; b < 8; b++) {
		p[b] = (uint8_t)(v >> (8 * b));
	}
}

void certtable_entry_key(const struct crypto_sid *sid, char key[CERTTABLE_ENTRY_KEY_SIZE])
{
	memcpy(key, CERTTABLE_ENTRY_PREFIX, CERTTABLE_PREFIX_LEN);
	crypto_sid_format(sid, key + CERTTABLE_PREFIX_LEN);
}

NTSTATUS certtable_index_key(const uint8_t *cert, size_t len,
			     uint8_t key[CERTTABLE_INDEX_KEY_LEN])
{
	memcpy(key, CERTTABLE_INDEX_PREFIX, CERTTABLE_PREFIX_LEN);
	return crypto_sha256(cert, len, key + CERTTABLE_PREFIX_LEN);
}

void certtable_heap_key(uint32_t i, uint8_t key[CERTTABLE_HEAP_KEY_LEN])
{
	memcpy(key, CERTTABLE_HEAP_PREFIX, CERTTABLE_PREFIX_LEN);
	put_u32le(key + CERTTABLE_PREFIX_LEN, i);
}

bool certtable_header_parse(const uint8_t *p, size_t len, uint32_t *count, uint32_t *heap_size,
			    uint32_t *capacity)
{
	struct cursor c;
	const uint8_t *magic;

	*heap_size = CERTTABLE_HEAP_NONE;
	*capacity = 0;
	cursor_init(&c, p, len);
	return cursor_get_bytes(&c, &magic, 8) && memcmp(magic, CERTTABLE_HEADER_MAGIC, 8) == 0 &&
	       cursor_get_u32le(&c, count) &&
	       (cursor_left(&c) == 0 ||
		(cursor_get_u32le(&c, heap_size) && cursor_get_u32le(&c, capacity) &&
		 cursor_left(&c) == 0 && *capacity >= 1 && *capacity <= CERTTABLE_MAX_CAPACITY));
}

void certtable_header_build(uint8_t out[CERTTABLE_HEADER_LEN], uint32_t count,
			    uint32_t heap_size, uint32_t capacity)
{
	memcpy(out, CERTTABLE_HEADER_MAGIC, 8);
	put_u32le(out + 8, count);
	put_u32le(out + 12, heap_size);
	put_u32le(out + 16, capacity);
}

bool certtable_entry_record_parse(const uint8_t *p, size_t len,
				  struct certtable_entry_record *r)
{
	struct cursor c;
	uint32_t version;

	cursor_init(&c, p, len);
	if (!cursor_get_u32le(&c, &version) || version != CERTTABLE_ENTRY_VERSION ||
	    !cursor_get_u64le(&c, &r->inserted_us) ||
	    !cursor_get_u32le(&c, &r->principal_len) ||
	    r->principal_len > CERTTABLE_PRINCIPAL_MAX ||
	    !cursor_get_bytes(&c, &r->principal, r->principal_len) ||
	    !cursor_get_u32le(&c, &r->cert_off) || !cursor_get_u32le(&c, &r->cert_len) ||
	    !cursor_get_u32le(&c, &r->blob_len) ||
	    !cursor_get_bytes(&c, &r->blob, r->blob_len) || cursor_left(&c) != 0 ||
	    !vector_fits(r->cert_off, r->cert_len, 1, r->blob_len)) {
		return false;
	}
	return true;
}

NTSTATUS certtable_entry_record_build(TALLOC_CTX *mem_ctx, uint64_t inserted_us,
				      const char *principal, const struct certblob *blob,
				      uint8_t **out, size_t *out_len)
{
	size_t principal_len = strlen(principal);
	struct builder b;

	if (principal_len > CERTTABLE_PRINCIPAL_MAX || blob->raw_len > CERTBLOB_MAX_LEN ||
	    blob->cert < blob->raw || blob->cert_len > blob->raw_len ||
	    (size_t)(blob->cert - blob->raw) > blob->raw_len - blob->cert_len) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	builder_init(&b, mem_ctx);
	builder_add_u32le(&b, CERTTABLE_ENTRY_VERSION);
	builder_add_u64le(&b, inserted_us);
	builder_add_u32le(&b, (uint32_t)principal_len);
	builder_add_bytes(&b, (const uint8_t *)principal, principal_len);
	builder_add_u32le(&b, (uint32_t)(blob->cert - blob->raw));
	builder_add_u32le(&b, (uint32_t)blob->cert_len);
	builder_add_u32le(&b, (uint32_t)blob->raw_len);
	builder_add_bytes(&b, blob->raw, blob->raw_len);
	if (!builder_finish(&b, out, out_len)) {
		return NT_STATUS_NO_MEMORY;
	}
	return NT_STATUS_OK;
}

void certtable_entry_record_set_time(uint8_t *record, uint64_t inserted_us)
{
	put_u64le(record + CERTTABLE_ENTRY_TIME_OFFSET, inserted_us);
}

bool certtable_heap_item_parse(const uint8_t *p, size_t len, uint64_t *time_us,
			       const uint8_t **sid, size_t *sid_len)
{
	struct cursor c;

	cursor_init(&c, p, len);
	if (!cursor_get_u64le(&c, time_us) || cursor_left(&c) < 3 ||
	    cursor_left(&c) >= CRYPTO_SID_MAX_STRING) {
		return false;
	}
	*sid_len = cursor_left(&c);
	if (!cursor_get_bytes(&c, sid, *sid_len)) {
		return false;
	}
	/* A SID in its canonical form (the form certtable_entry_key writes:
	 * a 48-bit authority is "0x" and 12 hex digits, MS-DTYP 2.4.2.1). */
	struct crypto_sid parsed;
	char canonical[CRYPTO_SID_MAX_STRING];
	if (!NT_STATUS_IS_OK(crypto_sid_parse_len((const char *)*sid, *sid_len, &parsed, NULL))) {
		return false;
	}
	crypto_sid_format(&parsed, canonical);
	return strlen(canonical) == *sid_len && memcmp(canonical, *sid, *sid_len) == 0;
}

size_t certtable_heap_item_build(const struct certtable_heap_item *it,
				 uint8_t out[8 + CRYPTO_SID_MAX_STRING])
{
	size_t n = strlen(it->sid);

	put_u64le(out, it->time_us);
	memcpy(out + 8, it->sid, n);
	return 8 + n;
}
