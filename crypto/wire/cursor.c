/*
 * cursor.c: bounded reads and a growable builder.  See cursor.h.
 */
#include "crypto/wire/cursor.h"

#include <string.h>

#define BUILDER_MAX ((size_t)1 << 30) /* nothing here builds 1 GiB */

void cursor_init(struct cursor *c, const uint8_t *data, size_t len)
{
	c->data = data;
	c->len = data == NULL ? 0 : len;
}

bool cursor_get_bytes(struct cursor *c, const uint8_t **out, size_t n)
{
	if (c->len < n) {
		return false;
	}
	*out = c->data;
	c->data += n;
	c->len -= n;
	return true;
}

bool cursor_skip(struct cursor *c, size_t n)
{
	const uint8_t *p;
	return cursor_get_bytes(c, &p, n);
}

bool cursor_get_sub(struct cursor *c, struct cursor *sub, size_t n)
{
	const uint8_t *p;
	if (!cursor_get_bytes(c, &p, n)) {
		return false;
	}
	sub->data = p;
	sub->len = n;
	return true;
}

bool cursor_get_u8(struct cursor *c, uint8_t *out)
{
	const uint8_t *p;
	if (!cursor_get_bytes(c, &p, 1)) {
		return false;
	}
	*out = p[0];
	return true;
}

bool cursor_get_u16le(struct cursor *c, uint16_t *out)
{
	const uint8_t *p;
	if (!cursor_get_bytes(c, &p, 2)) {
		return false;
	}
	*out = (uint16_t)(p[0] | (p[1] << 8));
	return true;
}

bool cursor_get_u32le(struct cursor *c, uint32_t *out)
{
	const uint8_t *p;
	if (!cursor_get_bytes(c, &p, 4)) {
		return false;
	}
	*out = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
	return true;
}

bool cursor_get_u32be(struct cursor *c, uint32_t *out)
{
	const uint8_t *p;
	if (!cursor_get_bytes(c, &p, 4)) {
		return false;
	}
	*out = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | (uint32_t)p[3];
	return true;
}

bool cursor_get_u64le(struct cursor *c, uint64_t *out)
{
	struct cursor save = *c;
	uint32_t lo, hi;
	if (!cursor_get_u32le(c, &lo) || !cursor_get_u32le(c, &hi)) {
		*c = save;
		return false;
	}
	*out = ((uint64_t)hi << 32) | lo;
	return true;
}

bool vector_fits(size_t offset, size_t count, size_t width, size_t msg_len)
{
	if (width == 0) {
		return offset <= msg_len;
	}
	return !(offset > msg_len || count > (msg_len - offset) / width);
}

bool cursor_get_any_asn1(struct cursor *c, struct cursor *contents,
			 struct cursor *element, uint8_t *tag)
{
	struct cursor t = *c;
	uint8_t id, l0;
	size_t len;
	size_t hdr;

	if (!cursor_get_u8(&t, &id) || !cursor_get_u8(&t, &l0)) {
		return false;
	}
	if ((id & 0x1f) == 0x1f) {
		return false; /* multi-byte tag numbers are not used here */
	}
	if (l0 < 0x80) {
		len = l0;
	} else {
		size_t nbytes = l0 & 0x7f;
		uint8_t b;
		/* 0x80 is indefinite (BER only); more than 4 length octets
		 * would describe more than 4 GiB. */
		if (nbytes == 0 || nbytes > 4) {
			return false;
		}
		len = 0;
		for (size_t i = 0; i < nbytes; i++) {
			if (!cursor_get_u8(&t, &b)) {
				return false;
			}
			if (i == 0 && b == 0) {
				return false; /* leading zero: not minimal */
			}
			len = (len << 8) | b;
		}
		if (len < 0x80) {
			return false; /* long form for a short length */
		}
	}
	hdr = c->len - t.len;
	if (t.len < len) {
		return false;
	}
	if (element != NULL) {
		element->data = c->data;
		element->len = hdr + len;
	}
	contents->data = t.data;
	contents->len = len;
	*tag = id;
	c->data = t.data + len;
	c->len = t.len - len;
	return true;
}

bool cursor_get_asn1(struct cursor *c, struct cursor *contents,
		     struct cursor *element, uint8_t tag)
{
	struct cursor t = *c, body, whole;
	uint8_t got;

	if (!cursor_get_any_asn1(&t, &body, &whole, &got) || got != tag) {
		return false;
	}
	*contents = body;
	if (element != NULL) {
		*element = whole;
	}
	*c = t;
	return true;
}

bool cursor_peek_asn1_tag(const struct cursor *c, uint8_t tag)
{
	return c->len > 0 && c->data[0] == tag;
}

void builder_init(struct builder *b, TALLOC_CTX *mem_ctx)
{
	builder_init_size(b, mem_ctx, 64);
}

void builder_init_size(struct builder *b, TALLOC_CTX *mem_ctx, size_t size)
{
	if (size == 0 || size > BUILDER_MAX) {
		size = 64;
	}
	b->buf = talloc_array(mem_ctx, uint8_t, size);
	b->len = 0;
	b->cap = b->buf == NULL ? 0 : size;
	b->failed = b->buf == NULL;
}

static bool builder_reserve(struct builder *b, size_t n)
{
	size_t want;
	uint8_t *nb;

	if (b->failed) {
		return false;
	}
	if (n > BUILDER_MAX - b->len) {
		b->failed = true;
		return false;
	}
	want = b->len + n;
	if (want <= b->cap) {
		return true;
	}
	while (b->cap < want) {
		b->cap *= 2;
	}
	nb = talloc_realloc(NULL, b->buf, uint8_t, b->cap);
	if (nb == NULL) {
		b->failed = true;
		return false;
	}
	b->buf = nb;
	return true;
}

void builder_add_bytes(struct builder *b, const uint8_t *p, size_t n)
{
	if (n == 0 || !builder_reserve(b, n)) {
		return;
	}
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

void builder_add_u8(struct builder *b, uint8_t v)
{
	builder_add_bytes(b, &v, 1);
}

void builder_add_u16le(struct builder *b, uint16_t v)
{
	uint8_t p[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	builder_add_bytes(b, p, sizeof(p));
}

void builder_add_u32le(struct builder *b, uint32_t v)
{
	uint8_t p[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			(uint8_t)(v >> 24)};
	builder_add_bytes(b, p, sizeof(p));
}

void builder_add_u64le(struct builder *b, uint64_t v)
{
	builder_add_u32le(b, (uint32_t)v);
	builder_add_u32le(b, (uint32_t)(v >> 32));
}

void builder_add_asn1(struct builder *b, uint8_t tag, const uint8_t *contents,
		      size_t n)
{
	uint8_t hdr[6];
	size_t h = 0;

	if (n > 0xffffffffu) {
		b->failed = true;
		return;
	}
	hdr[h++] = tag;
	if (n < 0x80) {
		hdr[h++] = (uint8_t)n;
	} else {
		size_t nbytes = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;
		hdr[h++] = (uint8_t)(0x80 | nbytes);
		for (size_t i = nbytes; i > 0; i--) {
			hdr[h++] = (uint8_t)(n >> (8 * (i - 1)));
		}
	}
	builder_add_bytes(b, hdr, h);
	builder_add_bytes(b, contents, n);
}

bool builder_finish(struct builder *b, uint8_t **out, size_t *out_len)
{
	if (b->failed) {
		builder_abort(b);
		return false;
	}
	*out = b->buf;
	if (out_len != NULL) {
		*out_len = b->len;
	}
	b->buf = NULL;
	b->len = b->cap = 0;
	return true;
}

void builder_abort(struct builder *b)
{
	TALLOC_FREE(b->buf);
	b->len = b->cap = 0;
	b->failed = true;
}
