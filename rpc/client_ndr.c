/*
 * client_ndr.c: hand-written NDR for the few calls the bpau client makes.
 * See client_ndr.h.  Pointer referent ids follow pidl's (full pointers
 * count from 1, unique pointers from 0x00020000 in steps of 4), so the
 * bytes are identical to Samba's client and the tests can compare them.
 */
#include <string.h>
#include <strings.h>

#include "rpc/client_ndr.h"
#include "crypto/wire/text.h"

/* ---- output ------------------------------------------------------------------ */

static void out_align(struct builder *b, size_t a)
{
	while (!b->failed && b->len % a != 0) {
		builder_add_u8(b, 0);
	}
}

static void out_u32(struct builder *b, uint32_t v)
{
	out_align(b, 4);
	builder_add_u32le(b, v);
}

/* out_string_hdr: lsa_String's inline part (length and size in bytes, a
 * unique pointer); out_string_body: its deferred conformant-varying
 * UTF-16 array, without a terminator. */
static void out_string_hdr(struct builder *b, size_t bytes, uint32_t referent)
{
	out_align(b, 4);
	builder_add_u16le(b, (uint16_t)bytes);
	builder_add_u16le(b, (uint16_t)bytes);
	builder_add_u32le(b, referent);
}

static void out_string_body(struct builder *b, const uint8_t *u16, size_t bytes)
{
	out_u32(b, (uint32_t)(bytes / 2)); /* max_count = size / 2 */
	out_u32(b, 0);                     /* offset */
	out_u32(b, (uint32_t)(bytes / 2)); /* actual_count = length / 2 */
	builder_add_bytes(b, u16, bytes);
}

static void out_dom_sid2(struct builder *b, const struct crypto_sid *sid)
{
	out_u32(b, sid->num_auths); /* the conformance of sub_auths */
	builder_add_u8(b, sid->revision);
	builder_add_u8(b, sid->num_auths);
	for (int i = 5; i >= 0; i--) {
		builder_add_u8(b, (uint8_t)(sid->authority >> (8 * i)));
	}
	for (int i = 0; i < sid->num_auths; i++) {
		builder_add_u32le(b, sid->sub_auths[i]);
	}
}

/* ---- input ------------------------------------------------------------------- */

struct nin {
	struct cursor c;
	size_t total;
};

static void nin_init(struct nin *n, const uint8_t *p, size_t len)
{
	cursor_init(&n->c, p, len);
	n->total = len;
}

static bool nin_align(struct nin *n, size_t a)
{
	size_t off = n->total - n->c.len;
	return cursor_skip(&n->c, (a - off % a) % a);
}

static bool nin_u32(struct nin *n, uint32_t *v)
{
	return nin_align(n, 4) && cursor_get_u32le(&n->c, v);
}

static bool nin_u16(struct nin *n, uint16_t *v)
{
	return nin_align(n, 2) && cursor_get_u16le(&n->c, v);
}

/* nin_status: the final NTSTATUS (or HRESULT); nothing may follow. */
static bool nin_status(struct nin *n, uint32_t *v)
{
	return nin_u32(n, v) && cursor_left(&n->c) == 0;
}

struct lsa_string_hdr {
	uint16_t length, size;
	uint32_t referent;
};

static bool nin_string_hdr(struct nin *n, struct lsa_string_hdr *s)
{
	return nin_u16(n, &s->length) && nin_u16(n, &s->size) && nin_u32(n, &s->referent) &&
	       s->length % 2 == 0 && s->size % 2 == 0 && s->length <= s->size;
}

/* nin_string_body: the deferred array of |s|, as UTF-8 on mem_ctx. */
static bool nin_string_body(TALLOC_CTX *mem_ctx, struct nin *n, const struct lsa_string_hdr *s,
			    char **out)
{
	uint32_t max, offset, actual;
	const uint8_t *p;

	if (!nin_u32(n, &max) || !nin_u32(n, &offset) || !nin_u32(n, &actual) ||
	    max != s->size / 2u || offset != 0 || actual != s->length / 2u ||
	    !cursor_get_bytes(&n->c, &p, (size_t)actual * 2)) {
		return false;
	}
	return NT_STATUS_IS_OK(crypto_utf16le_to_utf8(mem_ctx, p, (size_t)actual * 2, out, NULL));
}

static bool nin_dom_sid2(struct nin *n, struct crypto_sid *sid)
{
	uint32_t count;
	uint8_t rev, num;
	const uint8_t *auth;

	if (!nin_u32(n, &count) || !cursor_get_u8(&n->c, &rev) || !cursor_get_u8(&n->c, &num) ||
	    count != num || num > CRYPTO_SID_MAX_SUBAUTH || rev != 1 ||
	    !cursor_get_bytes(&n->c, &auth, 6)) {
		return false;
	}
	memset(sid, 0, sizeof(*sid));
	sid->revision = rev;
	sid->num_auths = num;
	for (int i = 0; i < 6; i++) {
		sid->authority = sid->authority << 8 | auth[i];
	}
	for (int i = 0; i < num; i++) {
		if (!cursor_get_u32le(&n->c, &sid->sub_auths[i])) {
			return false;
		}
	}
	return true;
}

/* ---- ept_map ------------------------------------------------------------------ */

/* The ncacn_ip_tcp tower for |iface| (C706 appendix L, MS-RPCE 2.2.1.2):
 * interface, NDR, connection-oriented RPC, TCP port, IPv4 address. */
static void put_floor_uuid(struct builder *b, const struct ncacn_syntax *s)
{
	builder_add_u16le(b, 19);
	builder_add_u8(b, 0x0d);
	builder_add_bytes(b, s->uuid, 16);
	builder_add_u16le(b, s->major);
	builder_add_u16le(b, 2);
	builder_add_u16le(b, s->minor);
}

bool epm_map_request(TALLOC_CTX *mem_ctx, const struct ncacn_syntax *iface, uint8_t **out,
		     size_t *len)
{
	static const uint8_t zero[20];
	struct builder tower, b;
	uint8_t *t;
	size_t tl;

	builder_init(&tower, mem_ctx);
	builder_add_u16le(&tower, 5);
	put_floor_uuid(&tower, iface);
	put_floor_uuid(&tower, &ncacn_syntax_ndr);
	builder_add_u16le(&tower, 1); /* ncacn */
	builder_add_u8(&tower, 0x0b);
	builder_add_u16le(&tower, 2);
	builder_add_u16le(&tower, 0);
	builder_add_u16le(&tower, 1); /* TCP port, big-endian; any */
	builder_add_u8(&tower, 0x07);
	builder_add_u16le(&tower, 2);
	builder_add_u16le(&tower, 0);
	builder_add_u16le(&tower, 1); /* IPv4 address; any */
	builder_add_u8(&tower, 0x09);
	builder_add_u16le(&tower, 4);
	builder_add_u32le(&tower, 0);
	if (!builder_finish(&tower, &t, &tl)) {
		return false;
	}
	builder_init(&b, mem_ctx);
	out_u32(&b, 1);               /* [ptr] GUID *object: the nil GUID */
	builder_add_bytes(&b, zero, 16);
	out_u32(&b, 2);               /* [ptr] epm_twr_t *map_tower */
	out_u32(&b, (uint32_t)tl);    /* tower_length */
	out_u32(&b, (uint32_t)tl);    /* its octets' conformance */
	builder_add_bytes(&b, t, tl);
	out_align(&b, 4);
	builder_add_bytes(&b, zero, 20); /* entry_handle */
	out_u32(&b, 4);                  /* max_towers */
	talloc_free(t);
	return builder_finish(&b, out, len);
}

/* tower_port: the TCP port of a tower for |iface| over ncacn_ip_tcp. */
static bool tower_port(const uint8_t *p, size_t len, const struct ncacn_syntax *iface,
		       uint16_t *port)
{
	struct cursor c;
	uint16_t floors;
	bool have_port = false, iface_ok = false, ncacn = false;

	cursor_init(&c, p, len);
	if (!cursor_get_u16le(&c, &floors) || floors < 4) {
		return false;
	}
	for (uint16_t i = 0; i < floors; i++) {
		uint16_t lhs_len, rhs_len;
		const uint8_t *lhs, *rhs;

		if (!cursor_get_u16le(&c, &lhs_len) || lhs_len == 0 ||
		    !cursor_get_bytes(&c, &lhs, lhs_len) || !cursor_get_u16le(&c, &rhs_len) ||
		    !cursor_get_bytes(&c, &rhs, rhs_len)) {
			return false;
		}
		if (i == 0) {
			iface_ok = lhs_len == 19 && lhs[0] == 0x0d &&
				   memcmp(lhs + 1, iface->uuid, 16) == 0 &&
				   (lhs[17] | lhs[18] << 8) == iface->major;
		} else if (lhs[0] == 0x0b) {
			ncacn = true;
		} else if (lhs[0] == 0x07 && rhs_len == 2) {
			*port = (uint16_t)(rhs[0] << 8 | rhs[1]);
			have_port = *port != 0;
		}
	}
	return iface_ok && ncacn && have_port;
}

NTSTATUS epm_map_parse(const uint8_t *p, size_t len, const struct ncacn_syntax *iface,
		       uint16_t *port)
{
	struct nin n;
	uint32_t num, max, offset, actual, status;
	uint32_t referents[4];
	bool found = false;

	nin_init(&n, p, len);
	if (!cursor_skip(&n.c, 20) || !nin_u32(&n, &num) || !nin_u32(&n, &max) ||
	    !nin_u32(&n, &offset) || !nin_u32(&n, &actual) || offset != 0 || actual != num ||
	    actual > max || actual > 4) {
		return NT_STATUS_RPC_BAD_STUB_DATA;
	}
	for (uint32_t i = 0; i < actual; i++) {
		if (!nin_u32(&n, &referents[i])) {
			return NT_STATUS_RPC_BAD_STUB_DATA;
		}
	}
	for (uint32_t i = 0; i < actual; i++) {
		uint32_t tl, size;
		const uint8_t *t;
		uint16_t pt = 0;

		if (referents[i] == 0) {
			continue;
		}
		if (!nin_u32(&n, &tl) || !nin_u32(&n, &size) || size != tl ||
		    !cursor_get_bytes(&n.c, &t, tl)) {
			return NT_STATUS_RPC_BAD_STUB_DATA;
		}
		if (!found && tower_port(t, tl, iface, &pt)) {
			*port = pt;
			found = true;
		}
	}
	if (!nin_status(&n, &status)) {
		return NT_STATUS_RPC_BAD_STUB_DATA;
	}
	if (status != 0 || !found) {
		/* 0x16c9a0d6: EPT_S_NOT_REGISTERED */
		return NT_STATUS_RPC_NO_ENDPOINT_FOUND;
	}
	return NT_STATUS_OK;
}

/* ---- ExchangePublicKeys ------------------------------------------------------ */

bool bpau_exchange_request(TALLOC_CTX *mem_ctx, const uint8_t *key, uint32_t key_len,
			   uint8_t **out, size_t *len)
{
	struct builder b;

	builder_init(&b, mem_ctx);
	out_u32(&b, key_len);
	out_u32(&b, key != NULL ? 0x00020000 : 0); /* [unique] ClientKey */
	if (key != NULL) {
		out_u32(&b, key_len); /* size_is(ClientKeyLength) */
		builder_add_bytes(&b, key, key_len);
	}
	return builder_finish(&b, out, len);
}

NTSTATUS bpau_exchange_parse(const uint8_t *p, size_t len, const uint8_t **key,
			     uint32_t *key_len, uint32_t *hresult)
{
	struct nin n;
	uint32_t klen, referent, size = 0;
	const uint8_t *k = NULL;

	nin_init(&n, p, len);
	if (!nin_u32(&n, &klen) || klen > BPAU_NDR_KEY_MAX || !nin_u32(&n, &referent)) {
		return NT_STATUS_RPC_BAD_STUB_DATA;
	}
	if (referent != 0 &&
	    (!nin_u32(&n, &size) || size != klen || !cursor_get_bytes(&n.c, &k, size))) {
		return NT_STATUS_RPC_BAD_STUB_DATA;
	}
	if (!nin_status(&n, hresult)) {
		return NT_STATUS_RPC_BAD_STUB_DATA;
	}
	*key = k;
	*key_len = referent != 0 ? klen : 0;
	return NT_STATUS_OK;
}

/* ---- SAMR ------------------------------------------------------------------------ */

bool samr_connect2_request(TALLOC_CTX *mem_ctx, uint32_t access, uint8_t **out, size_t *len)
{
	struct builder b;

	builder_init(&b, mem_ctx);
	out_u32(&b, 0); /* [unique,string] system_name: NULL */
	out_u32(&b, access);
	return builder_finish(&b, out, len);
}

bool samr_enum_domains_request(TALLOC_CTX *mem_ctx, const uint8_t *handle, uint8_t **out,
			       size_t *len)
{
	struct builder b;

	builder_init(&b, mem_ctx);
	builder_add_bytes(&b, handle, SAMR_HANDLE_LEN);
	out_u32(&b, 0);           /* resume_handle */
	out_u32(&b, 0xffffffff); /* buf_size */
	return builder_finish(&b, out, len);
}

static bool utf16(TALLOC_CTX *mem_ctx, const char *s, uint8_t **u, size_t *ul)
{
	return NT_STATUS_IS_OK(crypto_utf8_to_utf16le(mem_ctx, s, u, ul, NULL)) && *ul > 0 &&
	       *ul <= 0xfffe;
}

/* handle_and_name: a handle, then |name| as one lsa_String, or (for
 * LookupNames) as an array of one: num_names, then the conformant-varying
 * array [size_is(1000), length_is(num_names)]. */
static bool handle_and_name(TALLOC_CTX *mem_ctx, const uint8_t *handle, const char *name,
			    bool as_array, uint8_t **out, size_t *len)
{
	struct builder b;
	uint8_t *u;
	size_t ul;

	if (!utf16(mem_ctx, name, &u, &ul)) {
		return false;
	}
	builder_init(&b, mem_ctx);
	builder_add_bytes(&b, handle, SAMR_HANDLE_LEN);
	if (as_array) {
		out_u32(&b, 1);    /* num_names */
		out_u32(&b, 1000); /* max_count, offset, actual_count */
		out_u32(&b, 0);
		out_u32(&b, 1);
	}
	out_string_hdr(&b, ul, 0x00020000);
	out_string_body(&b, u, ul);
	talloc_free(u);
	return builder_finish(&b, out, len);
}

bool samr_lookup_domain_request(TALLOC_CTX *mem_ctx, const uint8_t *handle, const char *name,
				uint8_t **out, size_t *len)
{
	return handle_and_name(mem_ctx, handle, name, false, out, len); /* [ref] domain_name */
}

bool samr_open_domain_request(TALLOC_CTX *mem_ctx, const uint8_t *handle, uint32_t access,
			      const struct crypto_sid *sid, uint8_t **out, size_t *len)
{
	struct builder b;

	builder_init(&b, mem_ctx);
	builder_add_bytes(&b, handle, SAMR_HANDLE_LEN);
	out_u32(&b, access);
	out_dom_sid2(&b, sid); /* [ref] dom_sid2 *sid */
	return builder_finish(&b, out, len);
}

bool samr_lookup_names_request(TALLOC_CTX *mem_ctx, const uint8_t *handle, const char *name,
			       uint8_t **out, size_t *len)
{
	return handle_and_name(mem_ctx, handle, name, true, out, len);
}

NTSTATUS samr_handle_parse(const uint8_t *p, size_t len, uint8_t handle[SAMR_HANDLE_LEN])
{
	struct nin n;
	const uint8_t *h;
	uint32_t status;

	nin_init(&n, p, len);
	if (!cursor_get_bytes(&n.c, &h, SAMR_HANDLE_LEN) || !nin_status(&n, &status)) {
		return NT_STATUS_RPC_BAD_STUB_DATA;
	}
	if (status != 0) {
		return NT_STATUS(status);
	}
	memcpy(handle, h, SAMR_HANDLE_LEN);
	return NT_STATUS_OK;
}

#define ENUM_MAX 1024 /* domains in one answer; a DC has two */

NTSTATUS samr_enum_domains_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
				 char **domain)
{
	struct nin n;
	uint32_t resume, sam_ref, count, entries_ref, max, num, status, idx;
	struct lsa_string_hdr *names;
	char *found = NULL;

	nin_init(&n, p, len);
	if (!nin_u32(&n, &resume) || !nin_u32(&n, &sam_ref)) {
		return NT_STATUS_RPC_BAD_STUB_DATA;
	}
	count = 0;
	if (sam_ref != 0) {
		if (!nin_u32(&n, &count) || !nin_u32(&n, &entries_ref) || count > ENUM_MAX ||
		    (entries_ref == 0 && count != 0)) {
			return NT_STATUS_RPC_BAD_STUB_DATA;
		}
		if (entries_ref != 0) {
			if (!nin_u32(&n, &max) || max != count) {
				return NT_STATUS_RPC_BAD_STUB_DATA;
			}
			names = talloc_array(mem_ctx, struct lsa_string_hdr, count ? count : 1);
			if (names == NULL) {
				return NT_STATUS_NO_MEMORY;
			}
			for (uint32_t i = 0; i < count; i++) {
				if (!nin_u32(&n, &idx) || !nin_string_hdr(&n, &names[i])) {
					talloc_free(names);
					return NT_STATUS_RPC_BAD_STUB_DATA;
				}
			}
			for (uint32_t i = 0; i < count; i++) {
				char *s;
				if (names[i].referent == 0) {
					continue;
				}
				if (!nin_string_body(names, &n, &names[i], &s)) {
					talloc_free(names);
					return NT_STATUS_RPC_BAD_STUB_DATA;
				}
				if (found == NULL && strcasecmp(s, "Builtin") != 0) {
					found = talloc_strdup(mem_ctx, s);
				}
			}
			talloc_free(names);
		}
	}
	if (!nin_u32(&n, &num) || num != count || !nin_status(&n, &status)) {
		talloc_free(found);
		return NT_STATUS_RPC_BAD_STUB_DATA;
	}
	if (status != 0 && status != NT_STATUS_V(NT_STATUS_MORE_ENTRIES)) {
		talloc_free(found);
		return NT_STATUS(status);
	}
	if (found == NULL) {
		return NT_STATUS_NO_SUCH_DOMAIN;
	}
	*domain = found;
	return NT_STATUS_OK;
}

NTSTATUS samr_lookup_domain_parse(const uint8_t *p, size_t len, struct crypto_sid *sid)
{
	struct nin n;
	uint32_t ref, status;
	struct crypto_sid s;

	nin_init(&n, p, len);
	if (!nin_u32(&n, &ref) || (ref != 0 && !nin_dom_sid2(&n, &s)) ||
	    !nin_status(&n, &status)) {
		return NT_STATUS_RPC_BAD_STUB_DATA;
	}
	if (status != 0) {
		return NT_STATUS(status);
	}
	if (ref == 0) {
		return NT_STATUS_RPC_BAD_STUB_DATA;
	}
	*sid = s;
	return NT_STATUS_OK;
}

/* nin_ids: samr_Ids with exactly one element (a lookup of one name). */
static bool nin_ids(struct nin *n, uint32_t *count, uint32_t *ids_ref)
{
	return nin_u32(n, count) && nin_u32(n, ids_ref) && *count <= 1 &&
	       (*ids_ref != 0 || *count == 0);
}

NTSTATUS samr_lookup_names_parse(const uint8_t *p, size_t len, uint32_t *rid, uint32_t *type)
{
	struct nin n;
	uint32_t rc, rref, tc, tref, max, status, r = 0, t = 0;

	nin_init(&n, p, len);
	if (!nin_ids(&n, &rc, &rref) ||
	    (rref != 0 && (!nin_u32(&n, &max) || max != rc || (rc == 1 && !nin_u32(&n, &r)))) ||
	    !nin_ids(&n, &tc, &tref) ||
	    (tref != 0 && (!nin_u32(&n, &max) || max != tc || (tc == 1 && !nin_u32(&n, &t)))) ||
	    !nin_status(&n, &status)) {
		return NT_STATUS_RPC_BAD_STUB_DATA;
	}
	if (status != 0) {
		return NT_STATUS(status);
	}
	if (rc != 1 || tc != 1) {
		return NT_STATUS_NONE_MAPPED;
	}
	*rid = r;
	*type = t;
	return NT_STATUS_OK;
}
