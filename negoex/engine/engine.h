/*
 * engine.h: the NEGOEX engine (draft-zhu-negoex-04 sections 7.4-7.7): the
 * initiator and acceptor state machines over the message codec
 * (negoex/msg.h), the auth-scheme plug-in interface (draft section 8) and
 * the VERIFY checksums (RFC 3961 through Heimdal's krb5 crypto).
 *
 * Token in, token out: the caller owns all I/O.  Each call to
 * negoex_engine_step takes the peer's last NEGOEX token (none on the
 * initiator's first call) and returns the token to send, never blocking.
 * The behaviour follows MIT krb5 1.20's deployed implementation
 * (src/lib/gssapi/spnego/negoex_ctx.c), which interoperates with Windows;
 * where the draft and MIT disagree the code follows MIT and says so
 * (negoex/engine/README.md lists the errata).
 *
 * Errors (crypto/ms/status.h), with |reason| set to a static string:
 *   NT_STATUS_INVALID_PARAMETER   a malformed or out-of-protocol peer token
 *                                 (codec rules, sequence number, conversation
 *                                 ID, message order, duplicates, schemes the
 *                                 sender never offered, caps)
 *   NT_STATUS_NOT_SUPPORTED       a well-formed token we refuse (protocol
 *                                 version, checksum scheme or type, critical
 *                                 extension, an enctype Heimdal lacks)
 *   NT_STATUS_INVALID_SIGNATURE   a VERIFY whose checksum does not check
 *   NT_STATUS_NO_SUCH_PACKAGE     no mutually supported auth scheme is left
 *   NT_STATUS_NO_USER_SESSION_KEY the chosen scheme completed without a key
 *                                 (MIT: "No NegoEx verify key")
 *   NT_STATUS_INVALID_DEVICE_STATE a step after completion or failure
 *   NT_STATUS_NO_MEMORY, NT_STATUS_INTERNAL_ERROR
 *   or the error an auth scheme returned from its step.
 */
#ifndef NEGOEX_ENGINE_ENGINE_H
#define NEGOEX_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "crypto/ms/status.h"
#include "negoex/msg.h"

enum negoex_role {
	NEGOEX_ROLE_INITIATOR,
	NEGOEX_ROLE_ACCEPTOR,
};

/* Key usages of the VERIFY checksum as deployed (MIT krb5 negoex_ctx.c,
 * verify_keyusage: "Of course, these are the wrong way around in the
 * spec."): the draft (7.7) says 23 for the initiator's checksum and 25 for
 * the acceptor's; MIT, and Windows with it, use the opposite. */
#define NEGOEX_KEYUSAGE_INITIATOR_CHECKSUM 25
#define NEGOEX_KEYUSAGE_ACCEPTOR_CHECKSUM 23

/* Caps on a conversation (ours; the draft has none).  A token is also
 * capped by the codec (NEGOEX_MAX_TOKEN_LEN, NEGOEX_MAX_MESSAGES). */
#define NEGOEX_ENGINE_MAX_SCHEMES NEGOEX_MAX_AUTH_SCHEMES
#define NEGOEX_ENGINE_MAX_CONVERSATION_MESSAGES 256
#define NEGOEX_ENGINE_MAX_TRANSCRIPT_LEN (1U << 20)
#define NEGOEX_ENGINE_MAX_META_DATA_LEN (64U * 1024)

#define NEGOEX_KEY_MAX_LEN 64

/*
 * struct negoex_key: an RFC 3961 protocol key from an auth scheme (draft
 * 8.4 Negoex_Verify_key; MIT asks for two, GSS_C_INQ_NEGOEX_KEY to make
 * checksums and GSS_C_INQ_NEGOEX_VERIFY_KEY to verify the peer's).  The
 * engine wipes every copy it holds.
 */
struct negoex_key {
	int32_t enctype;
	size_t len;
	uint8_t bytes[NEGOEX_KEY_MAX_LEN];
};

enum negoex_key_use {
	NEGOEX_KEY_MAKE,   /* signs what we send */
	NEGOEX_KEY_VERIFY, /* checks what the peer sends */
};

/*
 * struct negoex_scheme_ops: an auth scheme (a "security mechanism" in the
 * draft), mirroring draft section 8 and MIT's gssspi_* calls.  |priv| is
 * the scheme's registration data (struct negoex_scheme); |state| the
 * per-conversation state that |start| creates.  Every function returns
 * NTSTATUS; outputs are talloc children of the mem_ctx given.
 */
struct negoex_scheme_ops {
	const char *name;
	/* 8.3 GSS_Query_mechanism_info: the scheme's AUTH_SCHEME GUID. */
	NTSTATUS (*query_mechanism_info)(void *priv, struct negoex_guid *auth_scheme);
	/* Creates the per-conversation state, a talloc child of mem_ctx.
	 * Called when the engine starts, and again when a context is thrown
	 * away (an optimistic token the acceptor ignored). */
	NTSTATUS (*start)(TALLOC_CTX *mem_ctx, void *priv, enum negoex_role role, void **state);
	/* 8.1 GSS_Query_meta_data: OK with *len 0 is "no meta-data"; any
	 * error removes the scheme from this conversation (draft 7.4). */
	NTSTATUS (*query_meta_data)(void *state, TALLOC_CTX *mem_ctx, uint8_t **meta,
				    size_t *len);
	/* 8.2 GSS_Exchange_meta_data: the peer's meta-data; an error removes
	 * the scheme (draft 7.5, 7.6). */
	NTSTATUS (*exchange_meta_data)(void *state, const uint8_t *meta, size_t len);
	/* GSS_Init_sec_context / GSS_Accept_sec_context of the scheme: |in|
	 * is NULL on the initiator's first call.  NT_STATUS_OK: the context is
	 * established; NT_STATUS_MORE_PROCESSING_REQUIRED: send *out and wait;
	 * anything else is a failure (an acceptor may still set *out, sent to
	 * the initiator as MIT does). */
	NTSTATUS (*step)(void *state, TALLOC_CTX *mem_ctx, const uint8_t *in, size_t in_len,
			 uint8_t **out, size_t *out_len);
	/* 8.4: the protocol key for |use|; NT_STATUS_NOT_FOUND while none is
	 * available yet.  Asked after every successful step. */
	NTSTATUS (*get_key)(void *state, enum negoex_key_use use, struct negoex_key *key);
};

/* struct negoex_scheme: one registered scheme. */
struct negoex_scheme {
	const struct negoex_scheme_ops *ops;
	void *priv;
};

/* struct negoex_engine_config: what negoex_engine_new copies. */
struct negoex_engine_config {
	enum negoex_role role;
	/* in our order of preference (at most NEGOEX_ENGINE_MAX_SCHEMES) */
	const struct negoex_scheme *schemes;
	size_t num_schemes;
	/* initiator: send no optimistic AP_REQUEST (MIT's
	 * NEGOEX_NO_OPTIMISTIC_TOKEN) */
	bool no_optimistic_token;
	/* called with one line per message sent or received, e.g.
	 * "sent INITIATOR_NEGO seq 0 schemes <guid> <guid>",
	 * "recv AP_REQUEST seq 3 scheme <guid>"; may be NULL */
	void (*trace)(void *trace_data, const char *line);
	void *trace_data;
	/* optional: a Heimdal krb5_context for the VERIFY checksums, which
	 * the engine uses but does not free (one thread at a time, as any
	 * krb5_context); NULL: the engine makes its own at the first
	 * checksum (krb5_init_context reads krb5.conf, which is most of a
	 * short exchange's cost: bench/negoex/README.md) */
	void *krb5_context;
};

struct negoex_engine; /* opaque; talloc_free ends it and wipes its keys */

/*
 * negoex_engine_new checks |cfg| (each scheme's GUID from
 * query_mechanism_info, no GUID twice, at least one scheme) and creates an
 * engine as a talloc child of mem_ctx.  The schemes' |start| is called
 * here, in order.
 */
NTSTATUS negoex_engine_new(TALLOC_CTX *mem_ctx, const struct negoex_engine_config *cfg,
			   struct negoex_engine **out, const char **reason) CRYPTO_WARN_UNUSED;

/*
 * negoex_engine_step processes the peer's token |in| (NULL/0 on the
 * initiator's first call; required otherwise) and sets *out (a talloc
 * child of mem_ctx, NULL with *out_len 0 when there is nothing to send).
 * Returns NT_STATUS_OK when the chosen scheme's context is established and
 * the peer's VERIFY checked (send *out, if any, then stop),
 * NT_STATUS_MORE_PROCESSING_REQUIRED when the peer's next token is needed,
 * or an error: the engine is then finished, and *out, if set, is a last
 * token for the peer (an acceptor scheme's failure token, as MIT sends
 * it).  A malformed input changes nothing before it fails the engine.
 */
NTSTATUS negoex_engine_step(struct negoex_engine *e, TALLOC_CTX *mem_ctx, const uint8_t *in,
			    size_t in_len, uint8_t **out, size_t *out_len, const char **reason)
	CRYPTO_WARN_UNUSED;

/* negoex_engine_is_complete: true once a step returned NT_STATUS_OK. */
bool negoex_engine_is_complete(const struct negoex_engine *e);

/*
 * negoex_engine_selected: after completion, the chosen scheme (its
 * registration) and its per-conversation state, for the caller to use the
 * established context.  NT_STATUS_INVALID_DEVICE_STATE before.
 */
NTSTATUS negoex_engine_selected(const struct negoex_engine *e, const struct negoex_scheme **scheme,
				void **state, struct negoex_guid *auth_scheme);

/* negoex_engine_conversation_id: the ConversationID (zero before the
 * first message). */
void negoex_engine_conversation_id(const struct negoex_engine *e, struct negoex_guid *out);

#endif
