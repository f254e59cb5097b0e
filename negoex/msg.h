/*
 * msg.h: the NEGOEX message codec (draft-zhu-negoex-04 sections 3-5 and 7,
 * MS-NEGOEX 2.2).  Pure parse/build, no I/O, no state: sequence numbers and
 * the conversation ID are returned for the engine to check.
 *
 * A NEGOEX token is one or more messages, concatenated (draft section 7).
 * Every message starts with a MESSAGE_HEADER; all integers are
 * little-endian; every offset in a vector is relative to the start of the
 * message that holds it.  Layout and padding rules, and where the draft,
 * MIT krb5 and Windows disagree, are in msg.c's opening comment.
 *
 * Errors follow crypto/ms/status.h: NT_STATUS_INVALID_PARAMETER for a
 * malformed message, NT_STATUS_NOT_SUPPORTED for a well-formed one this
 * code refuses (protocol version other than 0, a checksum scheme other
 * than RFC 3961, a critical extension: MIT answers GSS_S_UNAVAILABLE to
 * those and GSS_S_DEFECTIVE_TOKEN to the others), NT_STATUS_NO_MEMORY.
 * |reason|, when not NULL, is set on failure to a static string naming the
 * rule the input broke.  Outputs are assigned only on success.
 */
#ifndef NEGOEX_MSG_H
#define NEGOEX_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "crypto/ms/status.h"

/* MESSAGE_SIGNATURE, "NEGOEXTS" read as a little-endian ULONG64. */
#define NEGOEX_MESSAGE_SIGNATURE 0x535458454f47454eULL

#define NEGOEX_GUID_LEN 16
#define NEGOEX_RANDOM_LEN 32
#define NEGOEX_PROTOCOL_VERSION_0 0

/* The fixed part of each structure on the wire. */
#define NEGOEX_MESSAGE_HEADER_LEN 40
/* cbHeaderLength as we send it (and as MIT krb5 and Windows do): the
 * fixed part rounded up to 8 bytes (see msg.c). */
#define NEGOEX_NEGO_HEADER_LEN 96
#define NEGOEX_EXCHANGE_HEADER_LEN 64
#define NEGOEX_VERIFY_HEADER_LEN 80
#define NEGOEX_ALERT_HEADER_LEN 72
/* The smallest cbHeaderLength accepted: the fields we read.  VERIFY and
 * ALERT without the 4 bytes of tail padding (Samba's NDR computes these). */
#define NEGOEX_VERIFY_FIELDS_LEN 76
#define NEGOEX_ALERT_FIELDS_LEN 68

#define NEGOEX_EXTENSION_LEN 12
#define NEGOEX_EXTENSION_FLAG_CRITICAL 0x80000000U
#define NEGOEX_CHECKSUM_HEADER_LEN 20
#define NEGOEX_CHECKSUM_SCHEME_RFC3961 1
#define NEGOEX_ALERT_LEN 12
#define NEGOEX_ALERT_TYPE_PULSE 1
#define NEGOEX_ALERT_PULSE_LEN 8
#define NEGOEX_ALERT_VERIFY_NO_KEY 1

/* Caps (ours; the draft has none).  A token is a SPNEGO mechToken, and a
 * peer offers a handful of schemes; these bound the work one token costs. */
#define NEGOEX_MAX_TOKEN_LEN (1U << 20)
#define NEGOEX_MAX_MESSAGES 64
#define NEGOEX_MAX_AUTH_SCHEMES 32
#define NEGOEX_MAX_EXTENSIONS 16
#define NEGOEX_MAX_ALERTS 16

/* MESSAGE_TYPE (draft 3.5). */
enum negoex_message_type {
	NEGOEX_MESSAGE_TYPE_INITIATOR_NEGO = 0,
	NEGOEX_MESSAGE_TYPE_ACCEPTOR_NEGO = 1,
	NEGOEX_MESSAGE_TYPE_INITIATOR_META_DATA = 2,
	NEGOEX_MESSAGE_TYPE_ACCEPTOR_META_DATA = 3,
	NEGOEX_MESSAGE_TYPE_CHALLENGE = 4,
	NEGOEX_MESSAGE_TYPE_AP_REQUEST = 5,
	NEGOEX_MESSAGE_TYPE_VERIFY = 6,
	NEGOEX_MESSAGE_TYPE_ALERT = 7,
};

/* A GUID (AUTH_SCHEME, CONVERSATION_ID) in wire order: Data1, Data2 and
 * Data3 little-endian, then Data4. */
struct negoex_guid {
	uint8_t bytes[NEGOEX_GUID_LEN];
};

/* MESSAGE_HEADER.  The builders compute header_length and message_length
 * and ignore the values given; the parsers return them as received. */
struct negoex_header {
	enum negoex_message_type type;
	uint32_t sequence_number;
	uint32_t header_length;
	uint32_t message_length;
	struct negoex_guid conversation_id;
};

/* EXTENSION: value points into the message's raw bytes. */
struct negoex_extension {
	uint32_t type;
	const uint8_t *value;
	size_t value_len;
};

/* NEGO_MESSAGE: INITIATOR_NEGO or ACCEPTOR_NEGO. */
struct negoex_nego {
	struct negoex_header header;
	uint8_t random[NEGOEX_RANDOM_LEN];
	uint64_t protocol_version;
	size_t num_auth_schemes;
	struct negoex_guid *auth_schemes;
	size_t num_extensions;
	struct negoex_extension *extensions; /* none critical */
	const uint8_t *raw; /* the message as received or built */
	size_t raw_len;
};

/* EXCHANGE_MESSAGE: INITIATOR_META_DATA, ACCEPTOR_META_DATA, CHALLENGE,
 * AP_REQUEST. */
struct negoex_exchange {
	struct negoex_header header;
	struct negoex_guid auth_scheme;
	const uint8_t *exchange;
	size_t exchange_len;
	const uint8_t *raw;
	size_t raw_len;
};

/* CHECKSUM (draft 3.8): cbHeaderLength is 20, ChecksumScheme 1. */
struct negoex_checksum {
	uint32_t scheme;
	uint32_t type; /* the RFC 3961 checksum type */
	const uint8_t *value;
	size_t value_len;
};

/* VERIFY_MESSAGE (draft 7.7). */
struct negoex_verify {
	struct negoex_header header;
	struct negoex_guid auth_scheme;
	struct negoex_checksum checksum;
	const uint8_t *raw;
	size_t raw_len;
};

/* ALERT: value points into the message's raw bytes. */
struct negoex_alert {
	uint32_t type;
	const uint8_t *value;
	size_t value_len;
};

/* ALERT_PULSE, the value of an ALERT_TYPE_PULSE alert. */
struct negoex_alert_pulse {
	uint32_t header_length; /* 8 as we and MIT send it; see msg.c */
	uint32_t reason;
};

/* ALERT_MESSAGE. */
struct negoex_alert_message {
	struct negoex_header header;
	struct negoex_guid auth_scheme;
	uint32_t error_code; /* an NTSTATUS */
	size_t num_alerts;
	struct negoex_alert *alerts;
	/* set by the parser: a pulse alert with reason ALERT_VERIFY_NO_KEY */
	bool verify_no_key;
	const uint8_t *raw;
	size_t raw_len;
};

/* One message of a token: |offset| is where it starts in the token (the
 * engine checksums the token up to a VERIFY message). */
struct negoex_message {
	enum negoex_message_type type;
	size_t offset;
	union {
		struct negoex_nego *nego;
		struct negoex_exchange *exchange;
		struct negoex_verify *verify;
		struct negoex_alert_message *alert;
	} u;
};

struct negoex_token {
	size_t num_messages;
	struct negoex_message *messages;
	const uint8_t *raw; /* the whole token */
	size_t raw_len;
};

/* negoex_message_type_name: "INITIATOR_NEGO" etc., NULL for an unknown type. */
const char *negoex_message_type_name(uint32_t type);

/* negoex_guid_string: the registry form, "0d53335c-f9ea-4d0d-b2ec-4ae3786ec308",
 * on mem_ctx; NULL if out of memory. */
char *negoex_guid_string(TALLOC_CTX *mem_ctx, const struct negoex_guid *guid);

/*
 * negoex_header_parse reads the MESSAGE_HEADER at the start of |buf| (a
 * token or the rest of one) and checks it: signature, a known type,
 * cbHeaderLength at least the fixed part of that type, cbMessageLength at
 * least cbHeaderLength and at most |len|.  Nothing is allocated.
 */
NTSTATUS negoex_header_parse(const uint8_t *buf, size_t len, struct negoex_header *out,
			     const char **reason) CRYPTO_WARN_UNUSED;
/*
 * negoex_header_build encodes the 40 bytes of |h| as given (lengths
 * included), checking the same rules.  *out is a talloc child of mem_ctx.
 */
NTSTATUS negoex_header_build(TALLOC_CTX *mem_ctx, const struct negoex_header *h,
			     uint8_t **out, size_t *out_len, const char **reason)
	CRYPTO_WARN_UNUSED;

/*
 * negoex_<msg>_parse decodes exactly one message filling all of |buf|
 * (cbMessageLength must equal |len|) whose type is one of that structure's
 * types.  The bytes are copied: on success *out (and its raw bytes) is a
 * new talloc child of mem_ctx; on failure nothing is allocated.
 *
 * negoex_<msg>_build lays |msg| out as Windows and MIT krb5 do (msg.c),
 * applying the parser's rules to what it built, and returns the message
 * bytes as a talloc child of mem_ctx.  |msg|'s header_length,
 * message_length and raw are ignored.
 */
NTSTATUS negoex_nego_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
			   struct negoex_nego **out, const char **reason) CRYPTO_WARN_UNUSED;
NTSTATUS negoex_nego_build(TALLOC_CTX *mem_ctx, const struct negoex_nego *msg,
			   uint8_t **out, size_t *out_len, const char **reason)
	CRYPTO_WARN_UNUSED;
NTSTATUS negoex_exchange_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
			       struct negoex_exchange **out, const char **reason)
	CRYPTO_WARN_UNUSED;
NTSTATUS negoex_exchange_build(TALLOC_CTX *mem_ctx, const struct negoex_exchange *msg,
			       uint8_t **out, size_t *out_len, const char **reason)
	CRYPTO_WARN_UNUSED;
NTSTATUS negoex_verify_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
			     struct negoex_verify **out, const char **reason)
	CRYPTO_WARN_UNUSED;
NTSTATUS negoex_verify_build(TALLOC_CTX *mem_ctx, const struct negoex_verify *msg,
			     uint8_t **out, size_t *out_len, const char **reason)
	CRYPTO_WARN_UNUSED;
NTSTATUS negoex_alert_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
			    struct negoex_alert_message **out, const char **reason)
	CRYPTO_WARN_UNUSED;
NTSTATUS negoex_alert_build(TALLOC_CTX *mem_ctx, const struct negoex_alert_message *msg,
			    uint8_t **out, size_t *out_len, const char **reason)
	CRYPTO_WARN_UNUSED;

/*
 * negoex_alert_pulse_parse decodes an ALERT_PULSE value (at least 8 bytes;
 * cbHeaderLength is returned, not checked: see msg.c).  Nothing allocated.
 * negoex_alert_pulse_build writes the 8 bytes {8, reason} into |out|.
 */
NTSTATUS negoex_alert_pulse_parse(const uint8_t *buf, size_t len,
				  struct negoex_alert_pulse *out, const char **reason)
	CRYPTO_WARN_UNUSED;
void negoex_alert_pulse_build(uint32_t reason_code, uint8_t out[NEGOEX_ALERT_PULSE_LEN]);

/*
 * negoex_token_parse splits a token into its messages and parses each
 * (the rules above); the token must be exactly a whole number of messages.
 * On success *out is a new talloc child of mem_ctx holding a copy of the
 * token, which every message points into.
 */
NTSTATUS negoex_token_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
			    struct negoex_token **out, const char **reason)
	CRYPTO_WARN_UNUSED;
/* negoex_message_build builds one message of a token by its type. */
NTSTATUS negoex_message_build(TALLOC_CTX *mem_ctx, const struct negoex_message *msg,
			      uint8_t **out, size_t *out_len, const char **reason)
	CRYPTO_WARN_UNUSED;
/* negoex_token_build concatenates the built messages of |token|. */
NTSTATUS negoex_token_build(TALLOC_CTX *mem_ctx, const struct negoex_token *token,
			    uint8_t **out, size_t *out_len, const char **reason)
	CRYPTO_WARN_UNUSED;

#endif
