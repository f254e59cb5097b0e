/*
 * engine_internal.h: what the engine's files share, private to
 * negoex/engine/.  engine.c holds the two state machines, schemes.c the
 * ordered scheme list, inbound.c the checks on a received token,
 * outbound.c the messages we send and the transcript, checksum.c the
 * RFC 3961 checksums on Heimdal.
 */
#ifndef NEGOEX_ENGINE_INTERNAL_H
#define NEGOEX_ENGINE_INTERNAL_H

#include "negoex/engine/engine.h"

/* One scheme in this conversation (MIT: struct negoex_auth_mech). */
struct scheme_entry {
	struct negoex_scheme scheme;
	struct negoex_guid guid;
	TALLOC_CTX *state_ctx; /* owns state; freed on restart */
	void *state;
	uint8_t *meta; /* our meta-data, on the entry */
	size_t meta_len;
	bool started; /* stepped at least once (MIT: mech_context set) */
	bool complete;
	bool sent_checksum;
	bool verified_checksum;
	struct negoex_key *key;	       /* NULL: none yet; wiped on free */
	struct negoex_key *verify_key; /* NULL: none yet; wiped on free */
};

enum engine_state { ENGINE_RUNNING, ENGINE_COMPLETE, ENGINE_FAILED };

struct negoex_engine {
	enum negoex_role role;
	bool no_optimistic_token;
	void (*trace)(void *trace_data, const char *line);
	void *trace_data;
	enum engine_state state;
	unsigned step; /* calls processed, as MIT's negoex_step */
	struct negoex_guid conv_id;
	uint32_t seqnum; /* of the next message, sent or received */
	uint8_t *transcript; /* every message so far, in order */
	size_t transcript_len;
	/* the active schemes, most preferred first */
	struct scheme_entry *list[NEGOEX_ENGINE_MAX_SCHEMES];
	size_t num;
	/* the schemes the peer's NEGO offered */
	struct negoex_guid peer_schemes[NEGOEX_MAX_AUTH_SCHEMES];
	size_t num_peer_schemes;
	bool peer_nego_seen;
	void *krb5; /* krb5_context, created at the first checksum */
	bool krb5_borrowed; /* the caller's (config), not freed */
};

/* What one received token holds, after inbound_parse's checks: at most one
 * message of each kind (META_DATA: one per scheme). */
struct inbound {
	const struct negoex_token *token;
	const struct negoex_nego *nego;
	const struct negoex_exchange *meta[NEGOEX_MAX_AUTH_SCHEMES];
	size_t num_meta;
	const struct negoex_exchange *mech_token; /* AP_REQUEST or CHALLENGE */
	const struct negoex_verify *verify;
	size_t verify_offset; /* of the VERIFY message in the token */
	const struct negoex_alert_message *alert;
};

/* An output token being built (outbound.c). */
struct outbound {
	TALLOC_CTX *mem_ctx;
	uint8_t *buf;
	size_t len;
	bool send_on_error; /* a last token for the peer despite the error */
};

/* schemes.c */
int schemes_find(const struct negoex_engine *e, const struct negoex_guid *g);
void schemes_delete(struct negoex_engine *e, size_t i);
void schemes_select(struct negoex_engine *e, size_t i);
void schemes_restrict(struct negoex_engine *e, const struct negoex_guid *g, size_t n);
void schemes_reorder(struct negoex_engine *e, const struct negoex_guid *g, size_t n);
NTSTATUS scheme_start(struct negoex_engine *e, struct scheme_entry *s);
void scheme_clear_keys(struct scheme_entry *s);
NTSTATUS scheme_fetch_keys(struct scheme_entry *s);
bool guid_equal(const struct negoex_guid *a, const struct negoex_guid *b);

/* inbound.c */
NTSTATUS inbound_parse(struct negoex_engine *e, TALLOC_CTX *mem_ctx, const uint8_t *in,
		       size_t in_len, struct inbound *out, const char **reason);

/* outbound.c */
void engine_trace(struct negoex_engine *e, const char *dir, const struct negoex_header *h,
		  const struct negoex_guid *schemes, size_t num_schemes);
NTSTATUS transcript_add(struct negoex_engine *e, const uint8_t *p, size_t n,
			const char **reason);
NTSTATUS out_nego(struct negoex_engine *e, struct outbound *o, const char **reason);
NTSTATUS out_exchange(struct negoex_engine *e, struct outbound *o, enum negoex_message_type type,
		      const struct negoex_guid *scheme, const uint8_t *p, size_t n,
		      const char **reason);
NTSTATUS out_verify(struct negoex_engine *e, struct outbound *o, const struct negoex_guid *scheme,
		    uint32_t cksum_type, const uint8_t *cksum, size_t cksum_len,
		    const char **reason);
NTSTATUS out_alert_verify_no_key(struct negoex_engine *e, struct outbound *o,
				 const struct negoex_guid *scheme, const char **reason);

/* checksum.c: over |data| (|len| bytes) then |data2| (|len2|). */
NTSTATUS checksum_make(struct negoex_engine *e, TALLOC_CTX *mem_ctx, const struct negoex_key *key,
		       unsigned usage, const uint8_t *data, size_t len, uint32_t *type,
		       uint8_t **cksum, size_t *cksum_len, const char **reason);
NTSTATUS checksum_verify(struct negoex_engine *e, const struct negoex_key *key, unsigned usage,
			 const uint8_t *data, size_t len, const uint8_t *data2, size_t len2,
			 uint32_t type, const uint8_t *cksum, size_t cksum_len,
			 const char **reason);
void checksum_free_context(struct negoex_engine *e);

#endif
