/*
 * msg_internal.h: what the NEGOEX codec's files share, private to negoex/.
 *
 * msg.c holds MESSAGE_HEADER, the vector helpers and the layout rules
 * (its opening comment has the errata); nego.c, exchange.c, verify.c and
 * alert.c one message structure each; token.c the token split and
 * concatenation, the dispatch by message type, and the names.
 */
#ifndef NEGOEX_MSG_INTERNAL_H
#define NEGOEX_MSG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/wire/cursor.h"
#include "negoex/msg.h"

static inline bool is_nego(enum negoex_message_type t)
{
	return t == NEGOEX_MESSAGE_TYPE_INITIATOR_NEGO || t == NEGOEX_MESSAGE_TYPE_ACCEPTOR_NEGO;
}

static inline bool is_exchange(enum negoex_message_type t)
{
	return t == NEGOEX_MESSAGE_TYPE_INITIATOR_META_DATA ||
	       t == NEGOEX_MESSAGE_TYPE_ACCEPTOR_META_DATA ||
	       t == NEGOEX_MESSAGE_TYPE_CHALLENGE || t == NEGOEX_MESSAGE_TYPE_AP_REQUEST;
}

static inline bool is_verify(enum negoex_message_type t)
{
	return t == NEGOEX_MESSAGE_TYPE_VERIFY;
}

static inline bool is_alert(enum negoex_message_type t)
{
	return t == NEGOEX_MESSAGE_TYPE_ALERT;
}

/* One vector kind: its element width and the reasons for its two rules. */
struct vector_rule {
	size_t width;
	const char *past_end;
	const char *in_header;
};

/*
 * Parsing (msg.c).  negoex_get_vector: the |count| elements at |offset| of
 * |msg| as a cursor, through vector_fits and, when not empty, at or after
 * cbHeaderLength.  negoex_get_guid reads a GUID.  negoex_fixed_fields: a
 * cursor over bytes 40 to cbHeaderLength.  negoex_open_one: the header of
 * a single message filling all of |buf|, of a type |type_ok| accepts.
 * negoex_copy_one: a frame on mem_ctx holding a copy of the message.
 */
bool negoex_get_vector(const uint8_t *msg, const struct negoex_header *h, uint32_t offset,
		       size_t count, const struct vector_rule *rule, struct cursor *out,
		       const char **reason);
bool negoex_get_guid(struct cursor *c, struct negoex_guid *g);
struct cursor negoex_fixed_fields(const uint8_t *msg, const struct negoex_header *h);
NTSTATUS negoex_open_one(const uint8_t *buf, size_t len, struct negoex_header *h,
			 bool (*type_ok)(enum negoex_message_type), const char *wrong_type,
			 const char **reason);
NTSTATUS negoex_copy_one(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
			 TALLOC_CTX **frame, uint8_t **raw);

/*
 * The body parsers (nego.c, exchange.c, verify.c, alert.c): |msg| holds
 * h->message_length bytes, owned by the caller for as long as the result
 * lives; the result is on mem_ctx.  negoex_parse_body (token.c) dispatches
 * on the (checked) type of |h|.
 */
NTSTATUS negoex_parse_nego_body(TALLOC_CTX *mem_ctx, const uint8_t *msg,
				const struct negoex_header *h, struct negoex_nego **out,
				const char **reason);
NTSTATUS negoex_parse_exchange_body(TALLOC_CTX *mem_ctx, const uint8_t *msg,
				    const struct negoex_header *h, struct negoex_exchange **out,
				    const char **reason);
NTSTATUS negoex_parse_verify_body(TALLOC_CTX *mem_ctx, const uint8_t *msg,
				  const struct negoex_header *h, struct negoex_verify **out,
				  const char **reason);
NTSTATUS negoex_parse_alert_body(TALLOC_CTX *mem_ctx, const uint8_t *msg,
				 const struct negoex_header *h, struct negoex_alert_message **out,
				 const char **reason);
NTSTATUS negoex_parse_body(TALLOC_CTX *mem_ctx, const uint8_t *msg,
			   const struct negoex_header *h, struct negoex_message *out,
			   const char **reason);

/*
 * Building (msg.c).  negoex_layout_add advances |*pos| by |n| within
 * NEGOEX_MAX_TOKEN_LEN.  negoex_vector_offset: |pos|, or 0 for an empty
 * vector.  negoex_put_header writes MESSAGE_HEADER.  negoex_finish_built:
 * the built bytes must parse as one message of a type |type_ok| accepts;
 * then they are handed over.
 */
bool negoex_layout_add(size_t *pos, size_t n, const char **reason);
uint32_t negoex_vector_offset(size_t pos, size_t count);
void negoex_put_header(struct builder *b, const struct negoex_header *h, size_t header_len,
		       size_t message_len);
NTSTATUS negoex_finish_built(TALLOC_CTX *mem_ctx, struct builder *b,
			     bool (*type_ok)(enum negoex_message_type), const char *wrong_type,
			     uint8_t **out, size_t *out_len, const char **reason);

#endif
