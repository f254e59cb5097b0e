/*
 * negoex_walk.c: negoex-dump's NEGOEX dissector (negoex_walk.h).
 *
 * Validation is the codec's (negoex/msg.h): each message is split with
 * negoex_header_parse and checked with its negoex_<msg>_parse, and the
 * whole token with negoex_token_parse, so the dump refuses exactly what
 * the library refuses.  What the dissector adds is where: it reads the
 * fields itself, leniently, to print them with their offsets (a vector
 * that points outside the message is shown as such, not read), and maps
 * each codec reason to the offset of the field it names (field_offset).
 * Rules about one element of a vector (an extension, an alert) are placed
 * at the first element the dissector saw break them.
 *
 * Beyond the codec, as a dissector should, it reports what the engine
 * would refuse across messages of one token: a ConversationId different
 * from the first message's, a SequenceNum that is not the previous one
 * plus one (draft sections 5 and 6).
 *
 * Field names are the draft's (section 5 structures).
 */
#include "negoex/dump/negoex_walk.h"

#include <string.h>

#include "crypto/wire/cursor.h"

/* Offsets of the fixed fields in a message (draft 5; msg.c's layout). */
#define OFF_SIGNATURE 0
#define OFF_TYPE 8
#define OFF_SEQUENCE 12
#define OFF_HEADER_LEN 16
#define OFF_MESSAGE_LEN 20
#define OFF_CONVERSATION 24
#define OFF_NEGO_RANDOM 40
#define OFF_NEGO_VERSION 72
#define OFF_NEGO_SCHEMES 80
#define OFF_NEGO_EXTENSIONS 88
#define OFF_AUTH_SCHEME 40
#define OFF_EXCHANGE 56
#define OFF_CHECKSUM 56
#define OFF_CHECKSUM_SCHEME 60
#define OFF_CHECKSUM_TYPE 64
#define OFF_CHECKSUM_VALUE 68
#define OFF_ALERT_ERROR 56
#define OFF_ALERTS 60

const char *negoex_scheme_name(const struct negoex_guid *g)
{
	/* GUIDs in wire order.  Sources: PKU2U, Google's NtApiDotNet
	 * (NtApiDotNet/Win32/Security/Authentication/NegoEx/NegoExAuthSchemes.cs)
	 * and Devolutions' sspi-rs (src/pku2u, AUTH_SCHEME), also the scheme in
	 * the Windows-generated sample of tests/vectors/negoex/.  negoextest:
	 * MIT's test plugin makes its scheme GUID from its mechanism OID's DER
	 * contents, zero-padded (src/plugins/gssapi/negoextest/main.c,
	 * gssspi_query_mechanism_info), with the two OIDs of t_negoex.py. */
	static const struct {
		uint8_t bytes[NEGOEX_GUID_LEN];
		const char *name;
	} known[] = {
		{ { 0x5c, 0x33, 0x53, 0x0d, 0xea, 0xf9, 0x0d, 0x4d, 0xb2, 0xec, 0x4a, 0xe3, 0x78,
		    0x6e, 0xc3, 0x08 },
		  "PKU2U" },
		{ { 0x69, 0x85, 0xa2, 0xc0, 0xac, 0x66 },
		  "MIT negoextest, mech 2.25.1414534758" },
		{ { 0x69, 0x84, 0xb0, 0xd1, 0xa8, 0x2c },
		  "MIT negoextest, mech 2.25.1175737388" },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (memcmp(g->bytes, known[i].bytes, NEGOEX_GUID_LEN) == 0) {
			return known[i].name;
		}
	}
	return NULL;
}

/* A bounded reader over one message: every read is checked. */
struct msg_view {
	const uint8_t *msg;
	size_t len;  /* bytes of the message available */
	size_t base; /* the message's offset in the input */
};

static bool get_u32(const struct msg_view *v, size_t off, uint32_t *out)
{
	struct cursor c;

	cursor_init(&c, v->msg, v->len);
	return cursor_skip(&c, off) && cursor_get_u32le(&c, out);
}

static bool get_u16(const struct msg_view *v, size_t off, uint16_t *out)
{
	struct cursor c;

	cursor_init(&c, v->msg, v->len);
	return cursor_skip(&c, off) && cursor_get_u16le(&c, out);
}

static bool get_u64(const struct msg_view *v, size_t off, uint64_t *out)
{
	struct cursor c;

	cursor_init(&c, v->msg, v->len);
	return cursor_skip(&c, off) && cursor_get_u64le(&c, out);
}

static bool get_bytes(const struct msg_view *v, size_t off, size_t n, const uint8_t **out)
{
	struct cursor c;

	cursor_init(&c, v->msg, v->len);
	return cursor_skip(&c, off) && cursor_get_bytes(&c, out, n);
}

static long at(const struct msg_view *v, size_t off)
{
	return (long)(v->base + off);
}

static void put_guid(struct dump_out *o, const struct msg_view *v, const char *key, size_t off,
		     bool is_scheme)
{
	const uint8_t *p;
	struct negoex_guid g;
	char *s;

	if (!get_bytes(v, off, NEGOEX_GUID_LEN, &p)) {
		return;
	}
	memcpy(g.bytes, p, NEGOEX_GUID_LEN);
	s = negoex_guid_string(o, &g);
	if (s == NULL) {
		return;
	}
	if (is_scheme) {
		dump_begin(o, key, key != NULL ? at(v, off) : -1, NULL);
		dump_cstr(o, "guid", at(v, off), s);
		dump_cstr(o, "name", -1, negoex_scheme_name(&g) != NULL ? negoex_scheme_name(&g)
									  : "(unknown scheme)");
		dump_end(o);
	} else {
		dump_cstr(o, key, at(v, off), s);
	}
	talloc_free(s);
}

/*
 * Where an element rule broke, as the dissector saw it (0: not seen).
 * The codec's reason decides whether there is a problem; these say where.
 */
struct spots {
	size_t bad_extension;    /* an EXTENSION whose value is out of bounds */
	size_t critical;         /* the first critical EXTENSION */
	size_t bad_alert;        /* an ALERT whose value is out of bounds */
	size_t short_pulse;      /* a pulse ALERT with fewer than 8 bytes */
};

/* vector_ok: MIT's rule plus ours (msg.c): inside the message and, when
 * not empty, at or after cbHeaderLength. */
static bool vector_ok(uint32_t off, size_t count, size_t width, size_t msg_len, uint32_t hdr_len)
{
	return vector_fits(off, count, width, msg_len) && (count == 0 || off >= hdr_len);
}

/* put_vector prints {offset, count} at |field| and says whether it may be read. */
static bool put_vector(struct dump_out *o, const struct msg_view *v, const char *key,
		       size_t field, bool wide_count, size_t width, uint32_t hdr_len,
		       uint32_t *voff, size_t *vcount)
{
	uint32_t off = 0, count32 = 0;
	uint16_t count16 = 0;
	bool ok;

	if (!get_u32(v, field, &off) ||
	    !(wide_count ? get_u32(v, field + 4, &count32) : get_u16(v, field + 4, &count16))) {
		return false;
	}
	*voff = off;
	*vcount = wide_count ? count32 : count16;
	ok = vector_ok(off, *vcount, width, v->len, hdr_len);
	dump_begin(o, key, at(v, field), key);
	dump_uint(o, "offset", at(v, field), off);
	dump_uint(o, wide_count ? "length" : "count", at(v, field + 4), *vcount);
	if (!ok) {
		dump_note(o, "(points outside the message or into its header: not read)");
	}
	dump_end(o);
	return ok;
}

static void walk_nego(struct dump_out *o, const struct msg_view *v, uint32_t hdr_len,
		      struct spots *sp)
{
	const uint8_t *random;
	uint64_t version = 0;
	uint32_t off;
	size_t count;

	if (get_bytes(v, OFF_NEGO_RANDOM, NEGOEX_RANDOM_LEN, &random)) {
		dump_bytes(o, "Random", at(v, OFF_NEGO_RANDOM), random, NEGOEX_RANDOM_LEN);
	}
	if (get_u64(v, OFF_NEGO_VERSION, &version)) {
		dump_uint(o, "ProtocolVersion", at(v, OFF_NEGO_VERSION), version);
	}
	if (put_vector(o, v, "AuthSchemes", OFF_NEGO_SCHEMES, false, NEGOEX_GUID_LEN, hdr_len,
		       &off, &count)) {
		dump_begin_list(o, "AuthSchemeList", NULL);
		for (size_t i = 0; i < count; i++) {
			put_guid(o, v, NULL, off + i * NEGOEX_GUID_LEN, true);
		}
		dump_end_list(o);
	}
	if (put_vector(o, v, "Extensions", OFF_NEGO_EXTENSIONS, false, NEGOEX_EXTENSION_LEN,
		       hdr_len, &off, &count)) {
		dump_begin_list(o, "ExtensionList", NULL);
		for (size_t i = 0; i < count; i++) {
			size_t e = off + i * NEGOEX_EXTENSION_LEN;
			uint32_t type = 0, voff = 0, vlen = 0;
			const uint8_t *val;

			if (!get_u32(v, e, &type) || !get_u32(v, e + 4, &voff) ||
			    !get_u32(v, e + 8, &vlen)) {
				break;
			}
			dump_begin(o, NULL, at(v, e), "EXTENSION");
			dump_hex32(o, "ExtensionType", at(v, e), type);
			dump_bool(o, "critical", -1, (type & NEGOEX_EXTENSION_FLAG_CRITICAL) != 0);
			if ((type & NEGOEX_EXTENSION_FLAG_CRITICAL) != 0 && sp->critical == 0) {
				sp->critical = e;
			}
			dump_uint(o, "ExtensionValue.offset", at(v, e + 4), voff);
			dump_uint(o, "ExtensionValue.length", at(v, e + 8), vlen);
			if (vector_ok(voff, vlen, 1, v->len, hdr_len) &&
			    get_bytes(v, voff, vlen, &val)) {
				dump_bytes(o, "ExtensionValue", at(v, voff), val, vlen);
			} else if (sp->bad_extension == 0) {
				sp->bad_extension = e + 4;
			}
			dump_end(o);
		}
		dump_end_list(o);
	}
}

static void walk_exchange(struct dump_out *o, const struct msg_view *v, uint32_t hdr_len)
{
	const uint8_t *p;
	uint32_t off;
	size_t len;

	put_guid(o, v, "AuthScheme", OFF_AUTH_SCHEME, true);
	if (put_vector(o, v, "Exchange", OFF_EXCHANGE, true, 1, hdr_len, &off, &len) &&
	    get_bytes(v, off, len, &p)) {
		dump_bytes(o, "ExchangeBytes", at(v, off), p, len);
	}
}

static void walk_verify(struct dump_out *o, const struct msg_view *v, uint32_t hdr_len)
{
	uint32_t clen = 0, scheme = 0, type = 0, off;
	const uint8_t *p;
	size_t len;

	put_guid(o, v, "AuthScheme", OFF_AUTH_SCHEME, true);
	dump_begin(o, "Checksum", at(v, OFF_CHECKSUM), "Checksum (CHECKSUM)");
	if (get_u32(v, OFF_CHECKSUM, &clen)) {
		dump_uint(o, "cbHeaderLength", at(v, OFF_CHECKSUM), clen);
	}
	if (get_u32(v, OFF_CHECKSUM_SCHEME, &scheme)) {
		dump_enum(o, "ChecksumScheme", at(v, OFF_CHECKSUM_SCHEME), scheme,
			  scheme == NEGOEX_CHECKSUM_SCHEME_RFC3961 ? "CHECKSUM_SCHEME_RFC3961" : NULL);
	}
	if (get_u32(v, OFF_CHECKSUM_TYPE, &type)) {
		dump_uint(o, "ChecksumType", at(v, OFF_CHECKSUM_TYPE), type);
	}
	if (put_vector(o, v, "ChecksumValue", OFF_CHECKSUM_VALUE, true, 1, hdr_len, &off, &len) &&
	    get_bytes(v, off, len, &p)) {
		dump_bytes(o, "ChecksumBytes", at(v, off), p, len);
	}
	dump_end(o);
}

static void walk_alert(struct dump_out *o, const struct msg_view *v, uint32_t hdr_len,
		       struct spots *sp)
{
	uint32_t error = 0, off;
	size_t count;

	put_guid(o, v, "AuthScheme", OFF_AUTH_SCHEME, true);
	if (get_u32(v, OFF_ALERT_ERROR, &error)) {
		dump_hex32(o, "ErrorCode", at(v, OFF_ALERT_ERROR), error);
	}
	if (!put_vector(o, v, "Alerts", OFF_ALERTS, false, NEGOEX_ALERT_LEN, hdr_len, &off,
			&count)) {
		return;
	}
	dump_begin_list(o, "AlertList", NULL);
	for (size_t i = 0; i < count; i++) {
		size_t e = off + i * NEGOEX_ALERT_LEN;
		uint32_t type = 0, voff = 0, vlen = 0;
		const uint8_t *val;

		if (!get_u32(v, e, &type) || !get_u32(v, e + 4, &voff) || !get_u32(v, e + 8, &vlen)) {
			break;
		}
		dump_begin(o, NULL, at(v, e), "ALERT");
		dump_enum(o, "AlertType", at(v, e), type,
			  type == NEGOEX_ALERT_TYPE_PULSE ? "ALERT_TYPE_PULSE" : NULL);
		dump_uint(o, "AlertValue.offset", at(v, e + 4), voff);
		dump_uint(o, "AlertValue.length", at(v, e + 8), vlen);
		if (!vector_ok(voff, vlen, 1, v->len, hdr_len) || !get_bytes(v, voff, vlen, &val)) {
			if (sp->bad_alert == 0) {
				sp->bad_alert = e + 4;
			}
		} else if (type == NEGOEX_ALERT_TYPE_PULSE && vlen >= NEGOEX_ALERT_PULSE_LEN) {
			struct msg_view pv = { val, vlen, v->base + voff };
			uint32_t plen = 0, reason = 0;

			dump_begin(o, "ALERT_PULSE", at(v, voff), "ALERT_PULSE");
			if (get_u32(&pv, 0, &plen) && get_u32(&pv, 4, &reason)) {
				dump_uint(o, "cbHeaderLength", at(&pv, 0), plen);
				dump_enum(o, "Reason", at(&pv, 4), reason,
					  reason == NEGOEX_ALERT_VERIFY_NO_KEY ? "ALERT_VERIFY_NO_KEY"
									       : NULL);
			}
			dump_end(o);
		} else {
			if (type == NEGOEX_ALERT_TYPE_PULSE && sp->short_pulse == 0) {
				sp->short_pulse = e + 8;
			}
			dump_bytes(o, "AlertValue", at(v, voff), val, vlen);
		}
		dump_end(o);
	}
	dump_end_list(o);
}

/*
 * field_offset: the offset in the message of the field a codec reason
 * names (the reasons of negoex/msg.c, nego.c, exchange.c, verify.c,
 * alert.c, token.c); element rules use the spots the dissector found.
 */
static size_t field_offset(const char *why, const struct spots *sp)
{
	static const struct {
		const char *prefix;
		size_t off;
	} fields[] = {
		{ "Signature", OFF_SIGNATURE },
		{ "MessageType", OFF_TYPE },
		{ "message is not", OFF_TYPE },
		{ "cbHeaderLength", OFF_HEADER_LEN },
		{ "cbMessageLength", OFF_MESSAGE_LEN },
		{ "ProtocolVersion", OFF_NEGO_VERSION },
		{ "AuthSchemes", OFF_NEGO_SCHEMES },
		{ "Extensions", OFF_NEGO_EXTENSIONS },
		{ "Exchange", OFF_EXCHANGE },
		{ "CHECKSUM", OFF_CHECKSUM },
		{ "ChecksumScheme", OFF_CHECKSUM_SCHEME },
		{ "ChecksumValue", OFF_CHECKSUM_VALUE },
		{ "Alerts", OFF_ALERTS },
	};

	if (why == NULL) {
		return 0;
	}
	if (strncmp(why, "ExtensionValue", 14) == 0 && sp->bad_extension != 0) {
		return sp->bad_extension;
	}
	if (strstr(why, "critical") != NULL && sp->critical != 0) {
		return sp->critical;
	}
	if (strncmp(why, "AlertValue", 10) == 0 && sp->bad_alert != 0) {
		return sp->bad_alert;
	}
	if (strstr(why, "PULSE") != NULL && sp->short_pulse != 0) {
		return sp->short_pulse;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strncmp(why, fields[i].prefix, strlen(fields[i].prefix)) == 0) {
			return fields[i].off;
		}
	}
	return 0;
}

/* codec_check: the codec's verdict on one whole message. */
static NTSTATUS codec_check(TALLOC_CTX *t, const uint8_t *msg, size_t len,
			    enum negoex_message_type type, const char **why)
{
	struct negoex_nego *n;
	struct negoex_exchange *e;
	struct negoex_verify *v;
	struct negoex_alert_message *a;

	switch (type) {
	case NEGOEX_MESSAGE_TYPE_INITIATOR_NEGO:
	case NEGOEX_MESSAGE_TYPE_ACCEPTOR_NEGO:
		return negoex_nego_parse(t, msg, len, &n, why);
	case NEGOEX_MESSAGE_TYPE_VERIFY:
		return negoex_verify_parse(t, msg, len, &v, why);
	case NEGOEX_MESSAGE_TYPE_ALERT:
		return negoex_alert_parse(t, msg, len, &a, why);
	default:
		return negoex_exchange_parse(t, msg, len, &e, why);
	}
}

/* put_header prints the MESSAGE_HEADER fields that are there. */
static void put_header(struct dump_out *o, const struct msg_view *v)
{
	const uint8_t *sig;
	uint32_t u = 0;

	if (get_bytes(v, OFF_SIGNATURE, 8, &sig)) {
		dump_str(o, "Signature", at(v, OFF_SIGNATURE), (const char *)sig, 8);
	}
	if (get_u32(v, OFF_TYPE, &u)) {
		dump_enum(o, "MessageType", at(v, OFF_TYPE), u, negoex_message_type_name(u));
	}
	if (get_u32(v, OFF_SEQUENCE, &u)) {
		dump_uint(o, "SequenceNum", at(v, OFF_SEQUENCE), u);
	}
	if (get_u32(v, OFF_HEADER_LEN, &u)) {
		dump_uint(o, "cbHeaderLength", at(v, OFF_HEADER_LEN), u);
	}
	if (get_u32(v, OFF_MESSAGE_LEN, &u)) {
		dump_uint(o, "cbMessageLength", at(v, OFF_MESSAGE_LEN), u);
	}
	put_guid(o, v, "ConversationId", OFF_CONVERSATION, false);
}

void negoex_walk_token(struct dump_out *o, const uint8_t *buf, size_t len, size_t base)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct negoex_guid conversation;
	uint32_t last_seq = 0;
	struct negoex_token *tok;
	const char *why = NULL;
	unsigned before = dump_problem_count(o);
	size_t off = 0, i;

	dump_begin(o, "negoex", (long)base, "NEGOEX token (draft-zhu-negoex-04)");
	dump_uint(o, "length", -1, len);
	dump_begin_list(o, "messages", NULL);
	for (i = 0; off < len; i++) {
		struct msg_view v = { buf + off, len - off, base + off };
		struct negoex_header h;
		struct spots sp = { 0 };
		NTSTATUS status;
		char title[96];

		if (i == NEGOEX_MAX_MESSAGES) {
			dump_problem(o, (long)(base + off), "negoex",
				     "more than 64 messages in one token (NEGOEX_MAX_MESSAGES)");
			break;
		}
		status = negoex_header_parse(v.msg, v.len, &h, &why);
		snprintf(title, sizeof(title), "message %zu: %s", i,
			 NT_STATUS_IS_OK(status) ? negoex_message_type_name(h.type)
						 : "(bad MESSAGE_HEADER)");
		dump_begin(o, NULL, at(&v, 0), title);
		if (NT_STATUS_IS_OK(status)) {
			v.len = h.message_length;
		}
		dump_begin(o, "MESSAGE_HEADER", at(&v, 0), "MESSAGE_HEADER");
		put_header(o, &v);
		dump_end(o);
		if (!NT_STATUS_IS_OK(status)) {
			dump_problem(o, at(&v, field_offset(why, &sp)), "negoex", why);
			dump_end(o);
			break;
		}
		if (i == 0) {
			conversation = h.conversation_id;
		} else {
			if (memcmp(&conversation, &h.conversation_id, sizeof(conversation)) != 0) {
				dump_problem(o, at(&v, OFF_CONVERSATION), "negoex",
					     "ConversationId differs from the first message's");
			}
			if (h.sequence_number != last_seq + 1) {
				dump_problem(o, at(&v, OFF_SEQUENCE), "negoex",
					     "SequenceNum is not the previous message's plus one");
			}
		}
		last_seq = h.sequence_number;
		if (h.type == NEGOEX_MESSAGE_TYPE_INITIATOR_NEGO ||
		    h.type == NEGOEX_MESSAGE_TYPE_ACCEPTOR_NEGO) {
			walk_nego(o, &v, h.header_length, &sp);
		} else if (h.type == NEGOEX_MESSAGE_TYPE_VERIFY) {
			walk_verify(o, &v, h.header_length);
		} else if (h.type == NEGOEX_MESSAGE_TYPE_ALERT) {
			walk_alert(o, &v, h.header_length, &sp);
		} else {
			walk_exchange(o, &v, h.header_length);
		}
		status = codec_check(t, v.msg, v.len, h.type, &why);
		if (!NT_STATUS_IS_OK(status)) {
			dump_problem(o, at(&v, field_offset(why, &sp)), "negoex", why);
		}
		dump_end(o);
		off += h.message_length;
	}
	dump_end_list(o);
	dump_uint(o, "message_count", -1, i);
	/* The whole-token verdict, in case it adds a rule the above missed. */
	if (dump_problem_count(o) == before &&
	    !NT_STATUS_IS_OK(negoex_token_parse(t, buf, len, &tok, &why))) {
		dump_problem(o, (long)base, "negoex", why);
	}
	dump_end(o);
	talloc_free(t);
}
