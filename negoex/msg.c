/*
 * msg.c: NEGOEX message parse and build (draft-zhu-negoex-04, MS-NEGOEX):
 * MESSAGE_HEADER, the vector helpers and the layout rules every message
 * shares (declared in msg_internal.h).  The messages themselves are in
 * nego.c, exchange.c, verify.c and alert.c, the token and the dispatch by
 * type in token.c; the rules below hold for all of them.
 *
 * Layout, checked against the Windows-generated ACCEPTOR_NEGO +
 * ACCEPTOR_META_DATA token and the INITIATOR_NEGO "MS example"
 * (tests/vectors/negoex/), and against MIT krb5 1.20.1
 * src/lib/gssapi/spnego/negoex_util.c (put_message_header and the
 * negoex_add_* functions, read, not copied):
 *
 * - The draft's structures are C structures: AUTH_SCHEME_VECTOR,
 *   EXTENSION_VECTOR and ALERT_VECTOR ({ULONG offset; USHORT count;}) take
 *   8 bytes on the wire, the count followed by 2 bytes of padding, and a
 *   message's fixed part is rounded up to 8 bytes (MESSAGE_HEADER holds a
 *   ULONG64).  cbHeaderLength is that rounded size: 96 for NEGO_MESSAGE
 *   and 64 for EXCHANGE_MESSAGE (both vectors), 80 for VERIFY_MESSAGE and
 *   72 for ALERT_MESSAGE (MIT; no Windows sample of either here).  Samba's
 *   NDR (librpc/ndr/ndr_negoex.c, ndr_negoex_MESSAGE_header_length)
 *   computes 76 and 68 for those two, so we accept a cbHeaderLength down to
 *   the fields we read (76, 68) but send 80 and 72.
 * - MIT writes NEGO_MESSAGE's two vectors packed, 6 bytes each
 *   (negoex_add_nego_message: offset, count, offset, count, then "four
 *   bytes of padding"), and parses them the same way (parse_nego_message).
 *   Because MIT always sends no extensions, with the Extensions offset
 *   equal to the payload start, its bytes read in the C layout give the
 *   same fields except that the AuthSchemes vector's 2 padding bytes hold
 *   0x60 0x00: so padding is never checked here (a check would refuse
 *   every MIT INITIATOR_NEGO), and an MIT NEGO_MESSAGE does not rebuild
 *   byte for byte (tests/unit/test_negoex_msg.c shows the two bytes).
 *   Conversely MIT would misread a Windows NEGO_MESSAGE that carried
 *   extensions: an engine note, not a codec one.
 * - Payload: it starts right after the fixed part, elements back to back
 *   in field order without padding between them (MIT's ALERT puts the
 *   ALERT_PULSE at 84, after the 12-byte ALERT at 72), and cbMessageLength
 *   is not padded.  Both vectors agree (schemes at 96, exchange at 64).
 * - An empty vector has offset 0, as Windows writes the empty Extensions
 *   vector (both vectors); MIT writes the payload start instead.  The
 *   offset of an empty vector is only required to lie inside the message.
 * - ALERT_PULSE's cbHeaderLength: MIT writes 8 (sizeof ALERT_PULSE) and
 *   ignores it on receipt; Samba's IDL says 4 with "TODO: is 4 correct?".
 *   We write 8 and return the received value unchecked; a pulse value
 *   must still hold 8 bytes.
 * - Key usages for VERIFY are the engine's, but noted here: the draft
 *   (7.7) says 23 for the initiator's checksum, 25 otherwise; MIT
 *   (negoex_ctx.c, verify_keyusage: "Of course, these are the wrong way
 *   around in the spec.") and so Windows use 25 for the initiator's and
 *   23 for the acceptor's.
 *
 * Validation follows MIT's parse_message with its CVE-2026-40356 fix
 * (cbHeaderLength shorter than the fields read) and CVE-2026-40355 fix
 * (the Extensions vector checked before use): every vector goes through
 * vector_fits; a non-empty vector may not start inside the fixed part.
 */
#include "negoex/msg.h"

#include <string.h>

#include "crypto/wire/cursor.h"
#include "negoex/msg_internal.h"

/* fields_len: the smallest cbHeaderLength for |type|, the fixed fields we
 * read (MIT 1.20.1 + CVE-2026-40356 fix requires at least these). */
static size_t fields_len(enum negoex_message_type type)
{
	if (is_nego(type)) {
		return NEGOEX_NEGO_HEADER_LEN;
	}
	if (is_exchange(type)) {
		return NEGOEX_EXCHANGE_HEADER_LEN;
	}
	if (is_verify(type)) {
		return NEGOEX_VERIFY_FIELDS_LEN;
	}
	return NEGOEX_ALERT_FIELDS_LEN;
}

/*
 * negoex_get_vector: the |count| elements at |offset| of the message |msg|
 * (h->message_length bytes), as a cursor.  draft section 4: offsets are
 * relative to the message.  The bound is vector_fits (MIT's vector_base);
 * a non-empty vector must also lie past the fixed part (cbHeaderLength),
 * which MIT does not check.  An empty one may have any offset inside the
 * message: Windows writes 0, MIT the payload start.
 */
bool negoex_get_vector(const uint8_t *msg, const struct negoex_header *h, uint32_t offset,
		       size_t count, const struct vector_rule *rule, struct cursor *out,
		       const char **reason)
{
	struct cursor c;

	if (!vector_fits(offset, count, rule->width, h->message_length)) {
		crypto_set_reason(reason, rule->past_end);
		return false;
	}
	if (count > 0 && offset < h->header_length) {
		crypto_set_reason(reason, rule->in_header);
		return false;
	}
	cursor_init(&c, msg, h->message_length);
	if (!cursor_skip(&c, offset) || !cursor_get_sub(&c, out, count * rule->width)) {
		crypto_set_reason(reason, rule->past_end); /* not reached */
		return false;
	}
	return true;
}

/* negoex_get_guid reads a GUID (16 bytes, wire order). */
bool negoex_get_guid(struct cursor *c, struct negoex_guid *g)
{
	const uint8_t *p;

	if (!cursor_get_bytes(c, &p, NEGOEX_GUID_LEN)) {
		return false;
	}
	memcpy(g->bytes, p, NEGOEX_GUID_LEN);
	return true;
}

NTSTATUS negoex_header_parse(const uint8_t *buf, size_t len, struct negoex_header *out,
			     const char **reason)
{
	struct negoex_header h;
	struct cursor c;
	uint64_t signature;
	uint32_t type;

	cursor_init(&c, buf, len);
	if (!cursor_get_u64le(&c, &signature) || !cursor_get_u32le(&c, &type) ||
	    !cursor_get_u32le(&c, &h.sequence_number) || !cursor_get_u32le(&c, &h.header_length) ||
	    !cursor_get_u32le(&c, &h.message_length) || !negoex_get_guid(&c, &h.conversation_id)) {
		crypto_set_reason(reason, "MESSAGE_HEADER is truncated");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (signature != NEGOEX_MESSAGE_SIGNATURE) {
		crypto_set_reason(reason, "Signature is not \"NEGOEXTS\"");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (negoex_message_type_name(type) == NULL) {
		crypto_set_reason(reason, "MessageType is not one the draft defines");
		return NT_STATUS_INVALID_PARAMETER;
	}
	h.type = (enum negoex_message_type)type;
	/* cbHeaderLength "including the message specific header" (draft 5):
	 * at least the fixed fields of the type. */
	if (h.header_length < fields_len(h.type)) {
		crypto_set_reason(reason,
				  "cbHeaderLength is shorter than the message type's fixed fields");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (h.message_length < h.header_length) {
		crypto_set_reason(reason, "cbMessageLength is less than cbHeaderLength");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (h.message_length > len) {
		crypto_set_reason(reason, "cbMessageLength runs past the end of the token");
		return NT_STATUS_INVALID_PARAMETER;
	}
	*out = h;
	return NT_STATUS_OK;
}

/* negoex_fixed_fields: a cursor over the type-specific fixed part of |msg|,
 * bytes 40 to cbHeaderLength (checked by negoex_header_parse). */
struct cursor negoex_fixed_fields(const uint8_t *msg, const struct negoex_header *h)
{
	struct cursor all, fixed;

	cursor_init(&all, msg, h->message_length);
	if (!cursor_skip(&all, NEGOEX_MESSAGE_HEADER_LEN) ||
	    !cursor_get_sub(&all, &fixed, h->header_length - NEGOEX_MESSAGE_HEADER_LEN)) {
		cursor_init(&fixed, NULL, 0); /* not reached: the reads then fail */
	}
	return fixed;
}

/* negoex_open_one: the header of a single message filling all of |buf|, of a
 * type |type_ok| accepts. */
NTSTATUS negoex_open_one(const uint8_t *buf, size_t len, struct negoex_header *h,
			 bool (*type_ok)(enum negoex_message_type), const char *wrong_type,
			 const char **reason)
{
	NTSTATUS status = negoex_header_parse(buf, len, h, reason);

	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	if (!type_ok(h->type)) {
		crypto_set_reason(reason, wrong_type);
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (h->message_length != len) {
		crypto_set_reason(reason, "bytes follow the message");
		return NT_STATUS_INVALID_PARAMETER;
	}
	return NT_STATUS_OK;
}

/* negoex_copy_one: a frame on mem_ctx holding a copy of the message. */
NTSTATUS negoex_copy_one(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
			 TALLOC_CTX **frame, uint8_t **raw)
{
	*frame = talloc_new(mem_ctx);
	*raw = *frame == NULL ? NULL : talloc_memdup(*frame, buf, len);
	if (*raw == NULL) {
		TALLOC_FREE(*frame);
		return NT_STATUS_NO_MEMORY;
	}
	return NT_STATUS_OK;
}

/*
 * Building.  Each builder lays the message out (msg.c's opening comment),
 * then parses the result with the parser's rules, so that what we send
 * obeys what we accept.
 */

/* negoex_layout_add advances |*pos| by |n|, refusing a message past the token cap
 * (so every offset fits a ULONG). */
bool negoex_layout_add(size_t *pos, size_t n, const char **reason)
{
	if (n > NEGOEX_MAX_TOKEN_LEN || *pos > NEGOEX_MAX_TOKEN_LEN - n) {
		crypto_set_reason(reason, "message is larger than NEGOEX_MAX_TOKEN_LEN");
		return false;
	}
	*pos += n;
	return true;
}

/* negoex_vector_offset: where a vector of |count| elements starting at |pos|
 * goes; an empty vector gets offset 0, as Windows writes it. */
uint32_t negoex_vector_offset(size_t pos, size_t count)
{
	return count == 0 ? 0 : (uint32_t)pos;
}

void negoex_put_header(struct builder *b, const struct negoex_header *h, size_t header_len,
		       size_t message_len)
{
	builder_add_u64le(b, NEGOEX_MESSAGE_SIGNATURE);
	builder_add_u32le(b, (uint32_t)h->type);
	builder_add_u32le(b, h->sequence_number);
	builder_add_u32le(b, (uint32_t)header_len);
	builder_add_u32le(b, (uint32_t)message_len);
	builder_add_bytes(b, h->conversation_id.bytes, NEGOEX_GUID_LEN);
}

NTSTATUS negoex_header_build(TALLOC_CTX *mem_ctx, const struct negoex_header *h,
			     uint8_t **out, size_t *out_len, const char **reason)
{
	struct builder b;

	if (negoex_message_type_name(h->type) == NULL) {
		crypto_set_reason(reason, "MessageType is not one the draft defines");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (h->header_length < fields_len(h->type)) {
		crypto_set_reason(reason,
				  "cbHeaderLength is shorter than the message type's fixed fields");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (h->message_length < h->header_length) {
		crypto_set_reason(reason, "cbMessageLength is less than cbHeaderLength");
		return NT_STATUS_INVALID_PARAMETER;
	}
	builder_init(&b, mem_ctx);
	negoex_put_header(&b, h, h->header_length, h->message_length);
	if (!builder_finish(&b, out, out_len)) {
		return NT_STATUS_NO_MEMORY;
	}
	return NT_STATUS_OK;
}

/* negoex_finish_built: the built bytes must parse as one message of the same
 * structure (|check| is the matching parse body); then hand them over. */
NTSTATUS negoex_finish_built(TALLOC_CTX *mem_ctx, struct builder *b,
			     bool (*type_ok)(enum negoex_message_type), const char *wrong_type,
			     uint8_t **out, size_t *out_len, const char **reason)
{
	TALLOC_CTX *frame;
	struct negoex_header h;
	struct negoex_message m;
	uint8_t *buf;
	size_t len;
	NTSTATUS status;

	if (!builder_finish(b, &buf, &len)) {
		return NT_STATUS_NO_MEMORY;
	}
	status = negoex_open_one(buf, len, &h, type_ok, wrong_type, reason);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(buf);
		return status;
	}
	/* One pool for the check's structure: its pieces come out of one
	 * allocation, which is freed at once. */
	frame = talloc_pool(NULL, 1024 + 2 * len);
	if (frame == NULL) {
		talloc_free(buf);
		return NT_STATUS_NO_MEMORY;
	}
	status = negoex_parse_body(frame, buf, &h, &m, reason);
	talloc_free(frame);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(buf);
		return status;
	}
	*out = talloc_steal(mem_ctx, buf);
	*out_len = len;
	return NT_STATUS_OK;
}

