/*
 * record.h: the on-disk form of a table entry (see certtable.c), exposed
 * for its fuzz target.  Not part of the table's API.
 */
#ifndef CERTTABLE_RECORD_H
#define CERTTABLE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct certtable_record {
	uint64_t inserted_us;
	const uint8_t *principal; /* points into the input */
	uint32_t principal_len;
	const uint8_t *blob;      /* points into the input */
	uint32_t blob_len;
	uint32_t cert_off, cert_len;
};

/* certtable_record_parse: the whole input must be one valid record, its
 * certificate range inside its blob. */
bool certtable_record_parse(const uint8_t *p, size_t len, struct certtable_record *r);

/* certtable_header_parse: the table's header record ("M"): magic and
 * entry count, then (absent in tables written by earlier builds, which
 * read as HEAP_NONE, i.e. 0xffffffff, and 0) the eviction heap's size and
 * the capacity, 1 to CERTTABLE_MAX_CAPACITY. */
bool certtable_header_parse(const uint8_t *p, size_t len, uint32_t *count, uint32_t *heap_size,
			    uint32_t *capacity);

/* certtable_heap_item_parse: one eviction heap item (u64 time, then a SID
 * string in its canonical form, crypto_sid_format's, shorter than
 * CRYPTO_SID_MAX_STRING);
 * |*sid| points into the input. */
bool certtable_heap_item_parse(const uint8_t *p, size_t len, uint64_t *time_us,
			       const uint8_t **sid, size_t *sid_len);

#endif
