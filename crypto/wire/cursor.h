/*
 * cursor.h: the one bounded cursor used for every binary parse, and the
 * matching builder.
 *
 * Modelled on BoringSSL's CBS/CBB: every read checks the remaining length
 * once and does not advance on failure, so a caller can try alternatives;
 * protocol code never indexes a raw buffer.  The builder owns its buffer
 * until builder_finish() and remembers the first failure, so a sequence of
 * adds needs one check at the end.
 */
#ifndef CRYPTO_WIRE_CURSOR_H
#define CRYPTO_WIRE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

struct cursor {
	const uint8_t *data;
	size_t len;
};

/* cursor_init points |c| at |len| bytes at |data|; nothing is copied. */
void cursor_init(struct cursor *c, const uint8_t *data, size_t len);

/* cursor_left returns how many bytes remain. */
static inline size_t cursor_left(const struct cursor *c) { return c->len; }

/* Each cursor_get_* returns true and advances on success; on failure it
 * returns false and leaves |c| and the output untouched. */
bool cursor_get_u8(struct cursor *c, uint8_t *out);
bool cursor_get_u16le(struct cursor *c, uint16_t *out);
bool cursor_get_u32le(struct cursor *c, uint32_t *out);
bool cursor_get_u64le(struct cursor *c, uint64_t *out);
bool cursor_get_u32be(struct cursor *c, uint32_t *out);
/* cursor_get_bytes sets |*out| to the next |n| bytes (not copied). */
bool cursor_get_bytes(struct cursor *c, const uint8_t **out, size_t n);
/* cursor_get_sub makes |sub| a cursor over the next |n| bytes. */
bool cursor_get_sub(struct cursor *c, struct cursor *sub, size_t n);
bool cursor_skip(struct cursor *c, size_t n);

/*
 * vector_fits: the one overflow-safe check for an (offset, count, width)
 * vector inside a message of |msg_len| bytes (MIT krb5's negoex rule):
 * true iff offset + count * width <= msg_len without overflowing.
 */
bool vector_fits(size_t offset, size_t count, size_t width, size_t msg_len);

/*
 * DER (X.690 distinguished encoding), single-byte tags only (tag numbers
 * below 31, which is all X.509 and the protocols here use).
 *
 * cursor_get_asn1 reads one element whose identifier octet is |tag|,
 * setting |contents| to its contents and, if |element| is not NULL, to the
 * whole element (header included).  Indefinite lengths, non-minimal length
 * octets and lengths past the end are rejected.
 */
bool cursor_get_asn1(struct cursor *c, struct cursor *contents,
		     struct cursor *element, uint8_t tag);
/* cursor_get_any_asn1 is cursor_get_asn1 for any single-byte tag. */
bool cursor_get_any_asn1(struct cursor *c, struct cursor *contents,
			 struct cursor *element, uint8_t *tag);
/* cursor_peek_asn1_tag is true if the next element has identifier |tag|. */
bool cursor_peek_asn1_tag(const struct cursor *c, uint8_t tag);

#define DER_TAG_BOOLEAN 0x01
#define DER_TAG_INTEGER 0x02
#define DER_TAG_BIT_STRING 0x03
#define DER_TAG_OCTET_STRING 0x04
#define DER_TAG_NULL 0x05
#define DER_TAG_OID 0x06
#define DER_TAG_UTF8STRING 0x0c
#define DER_TAG_PRINTABLESTRING 0x13
#define DER_TAG_IA5STRING 0x16
#define DER_TAG_UTCTIME 0x17
#define DER_TAG_GENERALIZEDTIME 0x18
#define DER_TAG_SEQUENCE 0x30
#define DER_TAG_SET 0x31
#define DER_TAG_CONTEXT_CONS(n) (0xa0 | (n))
#define DER_TAG_CONTEXT_PRIM(n) (0x80 | (n))

/*
 * struct builder: a growable output buffer on talloc.  Adds after a
 * failure are ignored; builder_finish reports it.
 */
struct builder {
	uint8_t *buf;
	size_t len;
	size_t cap;
	bool failed;
};

/* builder_init starts an empty buffer; the storage is a child of mem_ctx. */
void builder_init(struct builder *b, TALLOC_CTX *mem_ctx);
/* builder_init_size: the same, with room for |size| bytes from the start
 * (a builder that knows its total length never reallocates). */
void builder_init_size(struct builder *b, TALLOC_CTX *mem_ctx, size_t size);
void builder_add_u8(struct builder *b, uint8_t v);
void builder_add_u16le(struct builder *b, uint16_t v);
void builder_add_u32le(struct builder *b, uint32_t v);
void builder_add_u64le(struct builder *b, uint64_t v);
void builder_add_bytes(struct builder *b, const uint8_t *p, size_t n);
/* builder_add_asn1 appends a DER element with |tag| and |contents|. */
void builder_add_asn1(struct builder *b, uint8_t tag, const uint8_t *contents,
		      size_t n);
/*
 * builder_finish: on success hands the buffer (a talloc child of the
 * mem_ctx given to builder_init) to the caller and returns true; on any
 * earlier failure frees it and returns false.  |out_len| may be NULL.
 */
bool builder_finish(struct builder *b, uint8_t **out, size_t *out_len);
/* builder_abort frees the buffer without producing output. */
void builder_abort(struct builder *b);

#endif
