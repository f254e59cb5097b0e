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

#endif
