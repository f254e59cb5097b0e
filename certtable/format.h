/*
 * format.h: the table file's records, their keys, and their parsers and
 * builders.  Used by table.c and heap.c, and by the fuzz target of the
 * parsers (what a damaged or hostile table file feeds us); not part of
 * the table's API (certtable.h).
 *
 * The table is one tdb file.  Its keys and values (integers little-endian):
 *   "M"                -> the header: magic "BPAUTBL1", u32 entry count,
 *                         then (absent in a table written by an earlier
 *                         build) u32 size of the eviction heap (0xffffffff:
 *                         rebuild it), u32 the capacity its last writer set
 *   "S:" SID string    -> an entry: u32 version (1), u64 inserted_us,
 *                         u32 principal length, principal (UTF-8),
 *                         u32 certificate offset in the blob,
 *                         u32 certificate length, u32 blob length, blob
 *   "C:" SHA-256(cert) -> SID string (the index for certtable_verify)
 *   "Q:" u32 index     -> a heap item: u64 time_us, SID string (heap.h)
 * A SID string is always in its canonical form, crypto_sid_format's.
 */
#ifndef CERTTABLE_FORMAT_H
#define CERTTABLE_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "certtable/certblob.h"
#include "crypto/crypto.h"
#include "crypto/ms/sid.h"

#define CERTTABLE_HEADER_KEY "M"
#define CERTTABLE_HEADER_MAGIC "BPAUTBL1"
#define CERTTABLE_HEADER_LEN (8 + 4 + 4 + 4)
/* The heap size of a header without one: the heap must be rebuilt. */
#define CERTTABLE_HEAP_NONE UINT32_MAX

#define CERTTABLE_ENTRY_PREFIX "S:"
#define CERTTABLE_INDEX_PREFIX "C:"
#define CERTTABLE_HEAP_PREFIX "Q:"
#define CERTTABLE_PREFIX_LEN 2
/* An entry key: the prefix, the SID string and its NUL. */
#define CERTTABLE_ENTRY_KEY_SIZE (CERTTABLE_PREFIX_LEN + CRYPTO_SID_MAX_STRING)
#define CERTTABLE_INDEX_KEY_LEN (CERTTABLE_PREFIX_LEN + CRYPTO_SHA256_LEN)
#define CERTTABLE_HEAP_KEY_LEN (CERTTABLE_PREFIX_LEN + 4)

#define CERTTABLE_ENTRY_VERSION 1
#define CERTTABLE_PRINCIPAL_MAX 1024
/* Where an entry's u64 inserted_us is: after the version. */
#define CERTTABLE_ENTRY_TIME_OFFSET 4

/* A decoded entry; the pointers point into the input. */
struct certtable_entry_record {
	uint64_t inserted_us;
	const uint8_t *principal;
	uint32_t principal_len;
	const uint8_t *blob;
	uint32_t blob_len;
	uint32_t cert_off, cert_len;
};

/* A decoded heap item; |sid| is NUL-terminated, without the "S:" prefix. */
struct certtable_heap_item {
	uint64_t time_us;
	char sid[CRYPTO_SID_MAX_STRING];
};

/* certtable_entry_key: "S:" and the canonical SID string, NUL-terminated. */
void certtable_entry_key(const struct crypto_sid *sid, char key[CERTTABLE_ENTRY_KEY_SIZE]);
/* certtable_index_key: "C:" and the SHA-256 of the DER certificate. */
NTSTATUS certtable_index_key(const uint8_t *cert, size_t len,
			     uint8_t key[CERTTABLE_INDEX_KEY_LEN]);
/* certtable_heap_key: "Q:" and the item's index. */
void certtable_heap_key(uint32_t i, uint8_t key[CERTTABLE_HEAP_KEY_LEN]);

/* certtable_header_parse: the header record: magic and entry count, then
 * (absent in tables written by earlier builds, which read as
 * CERTTABLE_HEAP_NONE and 0) the eviction heap's size and the capacity, 1
 * to CERTTABLE_MAX_CAPACITY. */
bool certtable_header_parse(const uint8_t *p, size_t len, uint32_t *count, uint32_t *heap_size,
			    uint32_t *capacity);
/* certtable_header_build: the header record, all three fields present. */
void certtable_header_build(uint8_t out[CERTTABLE_HEADER_LEN], uint32_t count,
			    uint32_t heap_size, uint32_t capacity);

/* certtable_entry_record_parse: the whole input must be one valid entry,
 * its certificate range inside its blob. */
bool certtable_entry_record_parse(const uint8_t *p, size_t len,
				  struct certtable_entry_record *r);
/* certtable_entry_record_build: the entry for |blob| (certblob_parse's)
 * under |principal| at |inserted_us|, on mem_ctx.
 * NT_STATUS_INVALID_PARAMETER for a principal over
 * CERTTABLE_PRINCIPAL_MAX bytes or a blob over CERTBLOB_MAX_LEN. */
NTSTATUS certtable_entry_record_build(TALLOC_CTX *mem_ctx, uint64_t inserted_us,
				      const char *principal, const struct certblob *blob,
				      uint8_t **out, size_t *out_len);
/* certtable_entry_record_set_time rewrites the time of an entry record
 * that certtable_entry_record_parse accepted, in place. */
void certtable_entry_record_set_time(uint8_t *record, uint64_t inserted_us);

/* certtable_heap_item_parse: one eviction heap item (u64 time, then a SID
 * string in its canonical form, shorter than CRYPTO_SID_MAX_STRING);
 * |*sid| points into the input. */
bool certtable_heap_item_parse(const uint8_t *p, size_t len, uint64_t *time_us,
			       const uint8_t **sid, size_t *sid_len);
/* certtable_heap_item_build writes |it| into |out|; returns its length. */
size_t certtable_heap_item_build(const struct certtable_heap_item *it,
				 uint8_t out[8 + CRYPTO_SID_MAX_STRING]);

#endif
