/*
 * layers.c: negoex-dump's unwrapping (layers.h): GSS framing, SPNEGO,
 * NEGOEX; an NTLM message is named, a Kerberos token shown as bytes.
 *
 * Validation is the libraries': crypto/spnego (spnego_token_parse,
 * spnego_gss_header_parse) for the outer layers, negoex/msg.h for NEGOEX
 * (negoex_walk.c).  What this file adds is where: once a SPNEGO token has
 * parsed (so it is DER), the offsets of its fields are found by walking
 * its elements with the project's cursor (crypto/wire/cursor.h); when it
 * has not, the same walk finds the first element whose header is broken,
 * and a NEGOEX token inside is still looked for and dumped, so that a
 * damaged outer layer does not hide the inner one.
 */
#include "negoex/dump/layers.h"

#include <string.h>

#include "crypto/spnego/spnego.h"
#include "crypto/wire/cursor.h"
#include "negoex/dump/negoex_walk.h"

#define NTLMSSP_SIGNATURE "NTLMSSP\0"

static long pos(const uint8_t *buf, const struct cursor *c)
{
	return (long)(c->data - buf);
}

/* Where the parts of a (valid, DER) SPNEGO token are. */
struct spnego_spots {
	long negotiation_token; /* the [0] or [1] element */
	long field[5];          /* the [n] elements of the SEQUENCE, -1 absent */
	long inner;             /* contents of the [2] OCTET STRING */
};

static void locate_spnego(const uint8_t *buf, size_t len, struct spnego_spots *s)
{
	struct cursor c, contents, seq, el, fc, oct;
	uint8_t tag;

	s->negotiation_token = 0;
	s->inner = -1;
	for (size_t i = 0; i < 5; i++) {
		s->field[i] = -1;
	}
	cursor_init(&c, buf, len);
	if (len > 0 && buf[0] == SPNEGO_GSS_FRAMING_TAG) {
		if (!cursor_get_asn1(&c, &contents, NULL, SPNEGO_GSS_FRAMING_TAG)) {
			return;
		}
		c = contents;
		if (!cursor_get_asn1(&c, &contents, NULL, DER_TAG_OID)) {
			return;
		}
	}
	s->negotiation_token = pos(buf, &c);
	if (!cursor_get_any_asn1(&c, &contents, NULL, &tag) ||
	    !cursor_get_asn1(&contents, &seq, NULL, DER_TAG_SEQUENCE)) {
		return;
	}
	while (cursor_left(&seq) > 0 && cursor_get_any_asn1(&seq, &fc, &el, &tag)) {
		size_t n = tag & 0x1f;

		if (n < 5) {
			s->field[n] = pos(buf, &el);
		}
		if (n == 2 && cursor_get_asn1(&fc, &oct, NULL, DER_TAG_OCTET_STRING)) {
			s->inner = pos(buf, &oct);
		}
	}
}

/* first_bad_element: the offset of the first element, at any depth, whose
 * identifier or length cannot be read (multi-byte tags, indefinite or
 * non-minimal lengths, a length past its parent's end); -1 if none. */
static long first_bad_element(const uint8_t *buf, struct cursor c, int depth)
{
	while (cursor_left(&c) > 0) {
		struct cursor contents;
		uint8_t tag;
		long bad;

		if (!cursor_get_any_asn1(&c, &contents, NULL, &tag)) {
			return pos(buf, &c);
		}
		if ((tag & 0x20) != 0 && depth < 16) {
			bad = first_bad_element(buf, contents, depth + 1);
			if (bad >= 0) {
				return bad;
			}
		}
	}
	return -1;
}

static void dump_oid(struct dump_out *o, const char *key, long offset,
		     const struct spnego_oid *oid)
{
	char *s = spnego_oid_string(o, oid);
	const char *name = spnego_oid_name(oid);

	dump_begin(o, key, -1, NULL);
	dump_cstr(o, "oid", offset, s != NULL ? s : "(invalid)");
	dump_cstr(o, "name", -1, name != NULL ? name : "(unknown mechanism)");
	dump_end(o);
	talloc_free(s);
}

static void dump_ntlm(struct dump_out *o, const uint8_t *buf, size_t len, size_t base)
{
	static const char *const names[] = { NULL, "NEGOTIATE_MESSAGE", "CHALLENGE_MESSAGE",
					     "AUTHENTICATE_MESSAGE" };
	struct cursor c;
	uint32_t type = 0;

	cursor_init(&c, buf, len);
	dump_begin(o, "ntlm", (long)base, "NTLM message (MS-NLMP; not decoded further)");
	dump_str(o, "Signature", (long)base, (const char *)buf, len < 8 ? len : 8);
	if (cursor_skip(&c, 8) && cursor_get_u32le(&c, &type)) {
		dump_enum(o, "MessageType", (long)base + 8, type, type < 4 ? names[type] : NULL);
	}
	dump_uint(o, "length", -1, len);
	dump_end(o);
}

/* dump_inner: a mechanism token inside SPNEGO, at |base|. */
static void dump_inner(struct dump_out *o, const struct spnego_bytes *b, long base)
{
	if (b == NULL || b->len == 0) {
		return;
	}
	if (b->len >= 8 && memcmp(b->data, "NEGOEXTS", 8) == 0) {
		negoex_walk_token(o, b->data, b->len, (size_t)base);
	} else if (b->len >= 8 && memcmp(b->data, NTLMSSP_SIGNATURE, 8) == 0) {
		dump_ntlm(o, b->data, b->len, (size_t)base);
	} else {
		dump_note(o, "the mechanism token is not NEGOEX: not decoded");
	}
}

/* scan_for_negoex: after a broken outer layer, a NEGOEX token inside. */
static void scan_for_negoex(struct dump_out *o, const uint8_t *buf, size_t len, size_t skip)
{
	for (size_t i = skip; i + 8 <= len; i++) {
		if (memcmp(buf + i, "NEGOEXTS", 8) == 0) {
			dump_note(o, "a NEGOEX signature at +0x%04zx: decoding from there", i);
			negoex_walk_token(o, buf + i, len - i, i);
			return;
		}
	}
}

static void dump_req_flags(struct dump_out *o, long offset, uint32_t flags)
{
	static const char *const names[] = { "delegFlag",    "mutualFlag", "replayFlag",
					     "sequenceFlag", "anonFlag",   "confFlag",
					     "integFlag" };
	char text[160] = "";

	for (size_t i = 0; i < 7; i++) {
		if ((flags & (1U << i)) != 0) {
			strcat(text, text[0] != '\0' ? " " : "");
			strcat(text, names[i]);
		}
	}
	if ((flags & ~0x7fU) != 0) {
		strcat(text, text[0] != '\0' ? " (and unnamed bits)" : "(unnamed bits)");
	}
	dump_begin(o, "reqFlags", offset, "reqFlags [1]");
	dump_hex32(o, "bits", offset, flags);
	dump_cstr(o, "names", -1, text);
	dump_end(o);
}

static void dump_init(struct dump_out *o, const struct spnego_neg_token_init *in,
		      const struct spnego_spots *s)
{
	dump_cstr(o, "type", s->negotiation_token,
		  in->is_init2 ? "negTokenInit2 (MS-SPNG 2.2.1)" : "negTokenInit");
	dump_begin_list(o, "mechTypes", "mechTypes [0]");
	for (size_t i = 0; i < in->num_mech_types; i++) {
		dump_oid(o, NULL, i == 0 ? s->field[0] : -1, &in->mech_types[i]);
	}
	dump_end_list(o);
	if (in->has_req_flags) {
		dump_req_flags(o, s->field[1], in->req_flags);
	}
	if (in->mech_token != NULL) {
		dump_bytes(o, "mechToken", s->inner, in->mech_token->data, in->mech_token->len);
	}
	if (in->has_neg_hints) {
		dump_begin(o, "negHints", s->field[3], "negHints [3]");
		if (in->hint_name != NULL) {
			dump_str(o, "hintName", -1, (const char *)in->hint_name->data,
				 in->hint_name->len);
		}
		if (in->hint_address != NULL) {
			dump_bytes(o, "hintAddress", -1, in->hint_address->data,
				   in->hint_address->len);
		}
		dump_end(o);
	}
	if (in->mech_list_mic != NULL) {
		dump_bytes(o, "mechListMIC", in->is_init2 ? s->field[4] : s->field[3],
			   in->mech_list_mic->data, in->mech_list_mic->len);
	}
}

static void dump_resp(struct dump_out *o, const struct spnego_neg_token_resp *r,
		      const struct spnego_spots *s)
{
	dump_cstr(o, "type", s->negotiation_token, "negTokenResp");
	if (r->has_neg_state) {
		dump_enum(o, "negState", s->field[0], r->neg_state,
			  spnego_neg_state_name(r->neg_state));
	}
	if (r->supported_mech != NULL) {
		dump_oid(o, "supportedMech", s->field[1], r->supported_mech);
	}
	if (r->response_token != NULL) {
		dump_bytes(o, "responseToken", s->inner, r->response_token->data,
			   r->response_token->len);
	}
	if (r->mech_list_mic != NULL) {
		dump_bytes(o, "mechListMIC", s->field[3], r->mech_list_mic->data,
			   r->mech_list_mic->len);
	}
}

static void dump_spnego(struct dump_out *o, const uint8_t *buf, size_t len)
{
	struct spnego_token *tok = NULL;
	struct spnego_spots s;
	const char *why = NULL;
	struct cursor all;
	long bad;

	if (!NT_STATUS_IS_OK(spnego_token_parse(o, buf, len, &tok, &why))) {
		cursor_init(&all, buf, len);
		bad = first_bad_element(buf, all, 0);
		dump_problem(o, bad >= 0 ? bad : 0, "spnego", why);
		scan_for_negoex(o, buf, len, 0);
		return;
	}
	locate_spnego(buf, len, &s);
	dump_begin(o, "spnego", s.negotiation_token, "SPNEGO NegotiationToken (RFC 4178)");
	if (tok->type == SPNEGO_NEG_TOKEN_INIT) {
		dump_init(o, tok->init, &s);
	} else {
		dump_resp(o, tok->resp, &s);
	}
	dump_end(o);
	dump_inner(o, tok->type == SPNEGO_NEG_TOKEN_INIT ? tok->init->mech_token
							 : tok->resp->response_token,
		   s.inner);
	talloc_free(tok);
}

static void dump_gss(struct dump_out *o, const uint8_t *buf, size_t len)
{
	struct spnego_oid mech;
	const uint8_t *inner = NULL;
	size_t inner_len = 0, oid_at;
	const char *why = NULL;

	if (!NT_STATUS_IS_OK(spnego_gss_header_parse(buf, len, &mech, &inner, &inner_len, &why))) {
		dump_problem(o, 0, "gss", why);
		scan_for_negoex(o, buf, len, 0);
		return;
	}
	/* the OID element (a one-byte length: OIDs here are short) */
	oid_at = (size_t)(inner - buf) - 2 - mech.len;
	dump_begin(o, "gss", 0, "GSS InitialContextToken [APPLICATION 0] (RFC 2743 3.1)");
	dump_oid(o, "thisMech", (long)oid_at, &mech);
	dump_end(o);
	if (spnego_oid_equal(&mech, &spnego_oid_spnego)) {
		dump_spnego(o, buf, len);
		return;
	}
	dump_bytes(o, "innerContextToken", (long)(inner - buf), inner, inner_len);
	dump_note(o, "not SPNEGO: the inner token is not decoded");
}

void dump_token(struct dump_out *o, const uint8_t *buf, size_t len)
{
	char why[96];

	if (len >= 8 && memcmp(buf, "NEGOEXTS", 8) == 0) {
		negoex_walk_token(o, buf, len, 0);
	} else if (len >= 8 && memcmp(buf, NTLMSSP_SIGNATURE, 8) == 0) {
		dump_ntlm(o, buf, len, 0);
	} else if (len > 0 && buf[0] == SPNEGO_GSS_FRAMING_TAG) {
		dump_gss(o, buf, len);
	} else if (len > 0 && (buf[0] == 0xa0 || buf[0] == 0xa1)) {
		dump_spnego(o, buf, len);
	} else {
		snprintf(why, sizeof(why),
			 "not a NEGOEX, SPNEGO, GSS or NTLM token (first byte 0x%02x)",
			 len > 0 ? buf[0] : 0);
		dump_problem(o, 0, "input", why);
		scan_for_negoex(o, buf, len, 0);
	}
}
