/*
 * test_client_ndr.c: the bpau client's hand-written NDR (rpc/client_ndr.c)
 * against pidl's generated code for the same IDL: Samba's samr and
 * epmapper, our bitspeerauth.  Requests: pidl pulls our bytes and pushes
 * them back identically.  Responses: pidl pushes, our parsers read.  Also
 * the DCE/RPC header and bind_ack parsers (rpc/ncacn.c) and the SID cache.
 */
#include "helpers.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <tdb.h>

#include <ndr.h>
#include <gen_ndr/ndr_samr.h>
#include "gen/ndr_bitspeerauth.h"
#include "gen/ndr_epmapper.h"
#include "rpc/client_ndr.h"
#include "rpc/ncacn.h"
#include "rpc/sidcache.h"

/* pidl_push pushes one direction of call |opnum| of |table|. */
static DATA_BLOB pidl_push(TALLOC_CTX *t, const struct ndr_interface_table *table, int opnum,
			   int flags, void *r)
{
	struct ndr_push *ndr = ndr_push_init_ctx(t);
	assert_non_null(ndr);
	assert_int_equal(table->calls[opnum].ndr_push(ndr, flags, r), NDR_ERR_SUCCESS);
	return ndr_push_blob(ndr);
}

/* pidl_roundtrip: pidl pulls |p| as NDR_IN of |opnum| into |r| (all bytes
 * consumed) and pushes it back to the same bytes. */
static void pidl_roundtrip(TALLOC_CTX *t, const struct ndr_interface_table *table, int opnum,
			   const uint8_t *p, size_t len, void *r)
{
	DATA_BLOB b = data_blob_const(p, len), again;
	struct ndr_pull *ndr = ndr_pull_init_blob(&b, t);
	assert_non_null(ndr);
	ndr->flags |= LIBNDR_FLAG_REF_ALLOC;
	assert_int_equal(table->calls[opnum].ndr_pull(ndr, NDR_IN, r), NDR_ERR_SUCCESS);
	assert_int_equal(ndr->offset, len);
	again = pidl_push(t, table, opnum, NDR_IN, r);
	assert_int_equal(again.length, len);
	assert_memory_equal(again.data, p, len);
}

static const uint8_t handle_bytes[SAMR_HANDLE_LEN] = {0, 0, 0, 0, 1, 2, 3, 4, 5, 6,
						      7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static struct policy_handle handle(void)
{
	struct policy_handle h = {0};
	DATA_BLOB b = data_blob_const(handle_bytes, sizeof(handle_bytes));
	struct ndr_pull *ndr = ndr_pull_init_blob(&b, NULL);
	assert_int_equal(ndr_pull_policy_handle(ndr, NDR_SCALARS, &h), NDR_ERR_SUCCESS);
	talloc_free(ndr);
	return h;
}

/* ---- ExchangePublicKeys -------------------------------------------------------- */

static void test_exchange(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	uint8_t key[5] = {1, 2, 3, 4, 5}, srv[3] = {7, 8, 9}, *p = srv, *req;
	size_t len;
	const uint8_t *got;
	uint32_t got_len, hr;
	uint32_t out_len = 3;
	struct bitspeerauth_ExchangePublicKeys r = {0};
	DATA_BLOB b;
	(void)state;

	assert_true(bpau_exchange_request(t, key, 5, &req, &len));
	pidl_roundtrip(t, &ndr_table_bitspeerauth, 0, req, len, &r);
	assert_int_equal(r.in.ClientKeyLength, 5);
	assert_memory_equal(r.in.ClientKey, key, 5);
	assert_true(bpau_exchange_request(t, NULL, 0, &req, &len));
	memset(&r, 0, sizeof(r));
	pidl_roundtrip(t, &ndr_table_bitspeerauth, 0, req, len, &r);
	assert_null(r.in.ClientKey);

	r.out.pServerKeyLength = &out_len;
	r.out.pServerKey = &p;
	r.out.result = HRES_ERROR(0);
	b = pidl_push(t, &ndr_table_bitspeerauth, 0, NDR_OUT, &r);
	assert_true(NT_STATUS_IS_OK(bpau_exchange_parse(b.data, b.length, &got, &got_len, &hr)));
	assert_int_equal(got_len, 3);
	assert_memory_equal(got, srv, 3);
	assert_int_equal(hr, 0);
	/* Every shorter prefix and a trailing byte are refused. */
	for (size_t n = 0; n < b.length; n++) {
		assert_false(NT_STATUS_IS_OK(bpau_exchange_parse(b.data, n, &got, &got_len, &hr)));
	}
	uint8_t *longer = talloc_array(t, uint8_t, b.length + 1);
	memcpy(longer, b.data, b.length);
	longer[b.length] = 0;
	assert_false(NT_STATUS_IS_OK(bpau_exchange_parse(longer, b.length + 1, &got, &got_len, &hr)));
	/* The conformance must equal the length. */
	longer[8] = 4;
	assert_false(NT_STATUS_IS_OK(bpau_exchange_parse(longer, b.length, &got, &got_len, &hr)));

	p = NULL;
	out_len = 0;
	r.out.result = HRES_ERROR(0x80070005);
	b = pidl_push(t, &ndr_table_bitspeerauth, 0, NDR_OUT, &r);
	assert_true(NT_STATUS_IS_OK(bpau_exchange_parse(b.data, b.length, &got, &got_len, &hr)));
	assert_int_equal(got_len, 0);
	assert_null(got);
	assert_int_equal(hr, 0x80070005);

	/* Over the range (65537) is refused. */
	const uint8_t over[] = {0x01, 0x00, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0};
	assert_false(NT_STATUS_IS_OK(bpau_exchange_parse(over, sizeof(over), &got, &got_len, &hr)));
	talloc_free(t);
}

/* ---- ept_map ------------------------------------------------------------------ */

static void test_epm_map(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct epm_Map r = {0}, out = {0};
	struct epm_twr_p_t towers[2];
	struct policy_handle h = {0};
	uint32_t num = 2;
	uint8_t *req;
	size_t len;
	uint16_t port = 0;
	DATA_BLOB b;
	(void)state;

	assert_true(epm_map_request(t, &ncacn_syntax_bitspeerauth, &req, &len));
	pidl_roundtrip(t, &ndr_table_epmapper, NDR_EPM_MAP, req, len, &r);
	assert_non_null(r.in.object);
	assert_true(GUID_all_zero(r.in.object));
	assert_int_equal(r.in.max_towers, 4);
	struct epm_tower *tw = &r.in.map_tower->tower;
	assert_int_equal(tw->num_floors, 5);
	assert_int_equal(tw->floors[0].lhs.protocol, EPM_PROTOCOL_UUID);
	assert_int_equal(tw->floors[0].lhs.lhs_data.length, 18);
	assert_memory_equal(tw->floors[0].lhs.lhs_data.data, ncacn_syntax_bitspeerauth.uuid, 16);
	assert_int_equal(tw->floors[1].lhs.protocol, EPM_PROTOCOL_UUID);
	assert_memory_equal(tw->floors[1].lhs.lhs_data.data, ncacn_syntax_ndr.uuid, 16);
	assert_int_equal(tw->floors[2].lhs.protocol, EPM_PROTOCOL_NCACN);
	assert_int_equal(tw->floors[3].lhs.protocol, EPM_PROTOCOL_TCP);
	assert_int_equal(tw->floors[4].lhs.protocol, EPM_PROTOCOL_IP);

	/* The answer: our tower with a port, after a NULL tower. */
	tw->floors[3].rhs.tcp.port = 49153;
	tw->floors[4].rhs.ip.ipaddr = "127.0.0.11";
	towers[0].twr = NULL;
	towers[1].twr = r.in.map_tower;
	out.in.max_towers = 4;
	out.out.entry_handle = &h;
	out.out.num_towers = &num;
	out.out.towers = towers;
	out.out.result = 0;
	b = pidl_push(t, &ndr_table_epmapper, NDR_EPM_MAP, NDR_OUT, &out);
	assert_true(NT_STATUS_IS_OK(epm_map_parse(b.data, b.length, &ncacn_syntax_bitspeerauth,
						  &port)));
	assert_int_equal(port, 49153);
	/* A tower for another interface is not an answer. */
	assert_int_equal(NT_STATUS_V(epm_map_parse(b.data, b.length, &ncacn_syntax_samr, &port)),
			 NT_STATUS_V(NT_STATUS_RPC_NO_ENDPOINT_FOUND));
	for (size_t n = 0; n < b.length; n++) {
		assert_false(NT_STATUS_IS_OK(epm_map_parse(b.data, n, &ncacn_syntax_bitspeerauth,
							   &port)));
	}
	/* Not registered. */
	num = 0;
	out.out.result = 0x16c9a0d6;
	b = pidl_push(t, &ndr_table_epmapper, NDR_EPM_MAP, NDR_OUT, &out);
	assert_int_equal(NT_STATUS_V(epm_map_parse(b.data, b.length, &ncacn_syntax_bitspeerauth,
						   &port)),
			 NT_STATUS_V(NT_STATUS_RPC_NO_ENDPOINT_FOUND));
	talloc_free(t);
}

/* ---- SAMR ----------------------------------------------------------------------- */

static void test_samr_requests(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct crypto_sid sid;
	uint8_t *req;
	size_t len;
	(void)state;

	assert_true(samr_connect2_request(t, 0x31, &req, &len));
	struct samr_Connect2 c2 = {0};
	pidl_roundtrip(t, &ndr_table_samr, NDR_SAMR_CONNECT2, req, len, &c2);
	assert_null(c2.in.system_name);
	assert_int_equal(c2.in.access_mask, 0x31);

	assert_true(samr_enum_domains_request(t, handle_bytes, &req, &len));
	struct samr_EnumDomains ed = {0};
	pidl_roundtrip(t, &ndr_table_samr, NDR_SAMR_ENUMDOMAINS, req, len, &ed);
	assert_memory_equal(ed.in.connect_handle->uuid.node, handle_bytes + 14, 6);
	assert_int_equal(*ed.in.resume_handle, 0);

	assert_true(samr_lookup_domain_request(t, handle_bytes, "BPAU", &req, &len));
	struct samr_LookupDomain ld = {0};
	pidl_roundtrip(t, &ndr_table_samr, NDR_SAMR_LOOKUPDOMAIN, req, len, &ld);
	assert_string_equal(ld.in.domain_name->string, "BPAU");

	assert_true(NT_STATUS_IS_OK(crypto_sid_parse("S-1-5-21-1-2-3", &sid, NULL)));
	assert_true(samr_open_domain_request(t, handle_bytes, 0x80, &sid, &req, &len));
	struct samr_OpenDomain od = {0};
	pidl_roundtrip(t, &ndr_table_samr, NDR_SAMR_OPENDOMAIN, req, len, &od);
	assert_int_equal(od.in.access_mask, 0x80);
	assert_int_equal(od.in.sid->num_auths, 4);
	assert_int_equal(od.in.sid->sub_auths[3], 3);
	assert_int_equal(od.in.sid->id_auth[5], 5);

	assert_true(samr_lookup_names_request(t, handle_bytes, "PEER1$", &req, &len));
	struct samr_LookupNames ln = {0};
	pidl_roundtrip(t, &ndr_table_samr, NDR_SAMR_LOOKUPNAMES, req, len, &ln);
	assert_int_equal(ln.in.num_names, 1);
	assert_string_equal(ln.in.names[0].string, "PEER1$");
	talloc_free(t);
}

static void test_samr_responses(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct policy_handle h = handle();
	uint8_t got[SAMR_HANDLE_LEN];
	DATA_BLOB b;
	(void)state;

	struct samr_Connect2 c2 = {.out.connect_handle = &h, .out.result = NT_STATUS_OK};
	b = pidl_push(t, &ndr_table_samr, NDR_SAMR_CONNECT2, NDR_OUT, &c2);
	assert_true(NT_STATUS_IS_OK(samr_handle_parse(b.data, b.length, got)));
	assert_memory_equal(got, handle_bytes, SAMR_HANDLE_LEN);
	c2.out.result = NT_STATUS_ACCESS_DENIED;
	b = pidl_push(t, &ndr_table_samr, NDR_SAMR_CONNECT2, NDR_OUT, &c2);
	assert_int_equal(NT_STATUS_V(samr_handle_parse(b.data, b.length, got)),
			 NT_STATUS_V(NT_STATUS_ACCESS_DENIED));

	/* EnumDomains: Builtin first, then the domain. */
	struct samr_SamEntry entries[2] = {{.idx = 0, .name = {.string = "Builtin"}},
					   {.idx = 1, .name = {.string = "BPAU"}}};
	for (int i = 0; i < 2; i++) {
		entries[i].name.length = entries[i].name.size = 2 * strlen(entries[i].name.string);
	}
	struct samr_SamArray arr = {.count = 2, .entries = entries}, *parr = &arr;
	uint32_t resume = 0, count = 2;
	struct samr_EnumDomains ed = {.out.resume_handle = &resume, .out.sam = &parr,
				      .out.num_entries = &count, .out.result = NT_STATUS_OK};
	char *domain = NULL;
	b = pidl_push(t, &ndr_table_samr, NDR_SAMR_ENUMDOMAINS, NDR_OUT, &ed);
	assert_true(NT_STATUS_IS_OK(samr_enum_domains_parse(t, b.data, b.length, &domain)));
	assert_string_equal(domain, "BPAU");
	for (size_t n = 0; n < b.length; n++) {
		assert_false(NT_STATUS_IS_OK(samr_enum_domains_parse(t, b.data, n, &domain)));
	}
	arr.count = count = 1; /* only Builtin */
	b = pidl_push(t, &ndr_table_samr, NDR_SAMR_ENUMDOMAINS, NDR_OUT, &ed);
	assert_int_equal(NT_STATUS_V(samr_enum_domains_parse(t, b.data, b.length, &domain)),
			 NT_STATUS_V(NT_STATUS_NO_SUCH_DOMAIN));

	/* LookupDomain */
	struct dom_sid ds = {.sid_rev_num = 1, .num_auths = 4, .id_auth = {0, 0, 0, 0, 0, 5},
			     .sub_auths = {21, 460404172, 3152810844u, 2000235596}};
	struct dom_sid2 *pds = &ds;
	struct samr_LookupDomain ld = {.out.sid = &pds, .out.result = NT_STATUS_OK};
	struct crypto_sid sid;
	char s[CRYPTO_SID_MAX_STRING];
	b = pidl_push(t, &ndr_table_samr, NDR_SAMR_LOOKUPDOMAIN, NDR_OUT, &ld);
	assert_true(NT_STATUS_IS_OK(samr_lookup_domain_parse(b.data, b.length, &sid)));
	crypto_sid_format(&sid, s);
	assert_string_equal(s, "S-1-5-21-460404172-3152810844-2000235596");
	for (size_t n = 0; n < b.length; n++) {
		assert_false(NT_STATUS_IS_OK(samr_lookup_domain_parse(b.data, n, &sid)));
	}

	/* OpenDomain */
	struct samr_OpenDomain od = {.out.domain_handle = &h, .out.result = NT_STATUS_OK};
	b = pidl_push(t, &ndr_table_samr, NDR_SAMR_OPENDOMAIN, NDR_OUT, &od);
	assert_true(NT_STATUS_IS_OK(samr_handle_parse(b.data, b.length, got)));

	/* LookupNames */
	uint32_t rid = 1105, type = 1, got_rid = 0, got_type = 0;
	struct samr_Ids rids = {.count = 1, .ids = &rid}, types = {.count = 1, .ids = &type};
	struct samr_LookupNames ln = {.out.rids = &rids, .out.types = &types,
				      .out.result = NT_STATUS_OK};
	b = pidl_push(t, &ndr_table_samr, NDR_SAMR_LOOKUPNAMES, NDR_OUT, &ln);
	assert_true(NT_STATUS_IS_OK(samr_lookup_names_parse(b.data, b.length, &got_rid, &got_type)));
	assert_int_equal(got_rid, 1105);
	assert_int_equal(got_type, 1);
	for (size_t n = 0; n < b.length; n++) {
		assert_false(NT_STATUS_IS_OK(samr_lookup_names_parse(b.data, n, &got_rid, &got_type)));
	}
	rids.count = types.count = 0;
	ln.out.result = NT_STATUS_NONE_MAPPED;
	b = pidl_push(t, &ndr_table_samr, NDR_SAMR_LOOKUPNAMES, NDR_OUT, &ln);
	assert_int_equal(NT_STATUS_V(samr_lookup_names_parse(b.data, b.length, &got_rid, &got_type)),
			 NT_STATUS_V(NT_STATUS_NONE_MAPPED));
	talloc_free(t);
}

/* ---- PDU parsers ---------------------------------------------------------------- */

static void test_header(void **state)
{
	uint8_t pdu[16] = {5, 0, 2, 3, 0x10, 0, 0, 0, 40, 0, 16, 0, 7, 0, 0, 0};
	struct ncacn_header h;
	(void)state;

	assert_true(NT_STATUS_IS_OK(ncacn_parse_header(pdu, 16, &h)));
	assert_int_equal(h.ptype, 2);
	assert_int_equal(h.frag_length, 40);
	assert_int_equal(h.auth_length, 16);
	assert_int_equal(h.call_id, 7);
	pdu[10] = 17; /* auth_length + trailer beyond the fragment */
	assert_false(NT_STATUS_IS_OK(ncacn_parse_header(pdu, 16, &h)));
	pdu[10] = 16;
	pdu[4] = 0x00; /* big-endian data representation */
	assert_false(NT_STATUS_IS_OK(ncacn_parse_header(pdu, 16, &h)));
	pdu[4] = 0x10;
	pdu[0] = 4; /* version 4: connectionless */
	assert_false(NT_STATUS_IS_OK(ncacn_parse_header(pdu, 16, &h)));
	pdu[0] = 5;
	pdu[8] = 15; /* shorter than a header */
	assert_false(NT_STATUS_IS_OK(ncacn_parse_header(pdu, 16, &h)));
	assert_false(NT_STATUS_IS_OK(ncacn_parse_header(pdu, 15, &h)));
}

static void test_bind_ack(void **state)
{
	/* As Samba sends it: secondary address "49152\0" (which ends
	 * 4-aligned), one result (acceptance, NDR), then an 8-byte trailer
	 * and a 4-byte token. */
	uint8_t ack[] = {
		5, 0, 12, 3, 0x10, 0, 0, 0, 72, 0, 4, 0, 1, 0, 0, 0, /* header */
		0xd0, 0x16, 0xd0, 0x16, 0x34, 0x12, 0, 0,             /* frags, group */
		6, 0, '4', '9', '1', '5', '2', 0,                     /* address */
		1, 0, 0, 0,                                           /* one result */
		0, 0, 0, 0,                                           /* acceptance */
		0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, 0x9f, 0xe8,
		0x08, 0x00, 0x2b, 0x10, 0x48, 0x60, 2, 0, 0, 0, /* NDR v2 */
		16, 6, 0, 0, 1, 0, 0, 0,                        /* trailer */
		0xaa, 0xbb, 0xcc, 0xdd,                         /* token */
	};
	struct ncacn_bind_ack a;
	(void)state;

	assert_int_equal(sizeof(ack), 72);
	assert_true(NT_STATUS_IS_OK(ncacn_parse_bind_ack(ack, sizeof(ack), &a)));
	assert_true(a.accepted);
	assert_int_equal(a.max_recv, 5840);
	assert_int_equal(a.assoc_group, 0x1234);
	assert_int_equal(a.token_len, 4);
	assert_int_equal(a.token[0], 0xaa);
	assert_int_equal(a.auth_type, 16);
	assert_int_equal(a.auth_level, 6);
	assert_int_equal(a.auth_context_id, 1);
	for (size_t n = 0; n < sizeof(ack); n++) {
		assert_false(NT_STATUS_IS_OK(ncacn_parse_bind_ack(ack, n, &a)));
	}
	ack[36] = 2; /* provider rejection */
	assert_true(NT_STATUS_IS_OK(ncacn_parse_bind_ack(ack, sizeof(ack), &a)));
	assert_false(a.accepted);
	ack[36] = 0;
	ack[56] = 1; /* NDR version 1: not what we asked for */
	assert_true(NT_STATUS_IS_OK(ncacn_parse_bind_ack(ack, sizeof(ack), &a)));
	assert_false(a.accepted);
}

static void test_fault_status(void **state)
{
	(void)state;
	assert_int_equal(NT_STATUS_V(ncacn_fault_status(5)), NT_STATUS_V(NT_STATUS_ACCESS_DENIED));
	assert_int_equal(NT_STATUS_V(ncacn_fault_status(0x6f7)),
			 NT_STATUS_V(NT_STATUS_RPC_BAD_STUB_DATA));
	assert_int_equal(NT_STATUS_V(ncacn_fault_status(0x1c010002)),
			 NT_STATUS_V(NT_STATUS_RPC_PROCNUM_OUT_OF_RANGE));
	assert_int_equal(NT_STATUS_V(ncacn_fault_status(0x12345678)),
			 NT_STATUS_V(NT_STATUS_RPC_CALL_FAILED));
	assert_string_equal(crypto_status_name(NT_STATUS_RPC_BAD_STUB_DATA),
			    "NT_STATUS_RPC_BAD_STUB_DATA");
	assert_string_equal(crypto_status_name(NT_STATUS(0xc0ffee00)), "NT_STATUS 0xc0ffee00");
}

/* ---- the SID cache ----------------------------------------------------------------- */

static void test_sidcache(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	char dir[] = "/tmp/bpau-sidcache-XXXXXX";
	struct sidcache *c;
	struct crypto_sid sid, got;
	uint64_t when;
	char *path;
	(void)state;

	assert_non_null(mkdtemp(dir));
	path = talloc_asprintf(t, "%s/sid-cache.tdb", dir);
	assert_string_equal(sidcache_default_path(t, talloc_asprintf(t, "%s/peers.tdb", dir)), path);
	assert_string_equal(sidcache_default_path(t, "peers.tdb"), "sid-cache.tdb");
	/* A file there that is not a tdb is refused and left as it was. */
	{
		static const char words[] = "not a cache\n";
		char back[sizeof(words)] = {0};
		char *other = talloc_asprintf(t, "%s/notes.txt", dir);
		FILE *f = fopen(other, "w");
		assert_non_null(f);
		fputs(words, f);
		fclose(f);
		assert_true(NT_STATUS_EQUAL(sidcache_open(t, other, &c, NULL), NT_STATUS_OBJECT_TYPE_MISMATCH));
		f = fopen(other, "r");
		assert_non_null(f);
		assert_int_equal(fread(back, 1, sizeof(back), f), sizeof(words) - 1);
		fclose(f);
		assert_string_equal(back, words);
		unlink(other);
	}
	assert_true(NT_STATUS_IS_OK(sidcache_open(t, path, &c, NULL)));
	assert_true(NT_STATUS_IS_OK(crypto_sid_parse("S-1-5-21-1-2-3-1000", &sid, NULL)));

	assert_false(sidcache_get(c, "dc1$@BPAU.TEST", 3600, &got));
	sidcache_put(c, "dc1$@BPAU.TEST", &sid);
	assert_true(sidcache_get(c, "DC1$@bpau.test", 3600, &got)); /* case-blind */
	assert_true(crypto_sid_equal(&sid, &got));
	assert_false(sidcache_get(c, "dc1$@BPAU.TEST", 0, &got)); /* ttl 0: never */
	assert_false(sidcache_get(c, "dc2$@BPAU.TEST", 3600, &got));

	/* The record format; old, future and damaged records are misses. */
	const char *good = "1 1700000000 S-1-5-21-1-2-3-1000";
	assert_true(sidcache_parse_record((const uint8_t *)good, strlen(good), &when, &got));
	assert_int_equal(when, 1700000000);
	const char *bad[] = {"", "2 1700000000 S-1-5-21-1-2-3-1000", "1 x S-1-5-21-1",
			     "1 1700000000 S-1-5-21-1-2-3-1000x", "1 1700000000", "1  5 S-1-1-0"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(sidcache_parse_record((const uint8_t *)bad[i], strlen(bad[i]), &when,
						   &got));
	}
	talloc_free(c);
	const char *key = "dc1$@bpau.test";
	char old[64], future[64];
	snprintf(old, sizeof(old), "1 %llu S-1-5-21-9-9-9-1000",
		 (unsigned long long)time(NULL) - 7200);
	snprintf(future, sizeof(future), "1 %llu S-1-5-21-9-9-9-1000",
		 (unsigned long long)time(NULL) + 7200);
	const char *values[] = {old, future, "garbage"};
	for (size_t i = 0; i < 3; i++) {
		/* (tdb refuses a second open of one file in a process) */
		struct tdb_context *tdb = tdb_open(path, 0, TDB_DEFAULT, O_RDWR, 0600);
		assert_non_null(tdb);
		assert_int_equal(tdb_store(tdb, (TDB_DATA){(uint8_t *)key, strlen(key)},
					   (TDB_DATA){(uint8_t *)values[i], strlen(values[i])},
					   TDB_REPLACE),
				 0);
		tdb_close(tdb);
		assert_true(NT_STATUS_IS_OK(sidcache_open(t, path, &c, NULL)));
		assert_false(sidcache_get(c, "dc1$@BPAU.TEST", 3600, &got));
		talloc_free(c);
	}
	unlink(path);
	rmdir(dir);
	talloc_free(t);
}

/* Our own blob, remembered beside the SIDs: used only for the very same
 * certificate file, and only while the record is intact. */
static void test_own_blob_cache(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	char dir[] = "/tmp/bpau-owncache-XXXXXX";
	const uint8_t file[] = "0\x82 a certificate file", other[] = "0\x82 a certificate filf";
	const uint8_t blob[] = "a CERTIFICATE_BLOB", blob2[] = "another blob";
	struct sidcache *c;
	struct crypto_sid sid, got;
	uint8_t *b;
	size_t blen;
	char *path;
	(void)state;

	assert_non_null(mkdtemp(dir));
	path = talloc_asprintf(t, "%s/sid-cache.tdb", dir);
	assert_true(NT_STATUS_IS_OK(sidcache_open(t, path, &c, NULL)));
	assert_false(sidcache_get_own(c, t, file, sizeof(file), &b, &blen));
	sidcache_put_own(c, file, sizeof(file), blob, sizeof(blob));
	assert_true(sidcache_get_own(c, t, file, sizeof(file), &b, &blen));
	assert_int_equal(blen, sizeof(blob));
	assert_memory_equal(b, blob, sizeof(blob));
	/* another file (same length, one byte apart; or a prefix) misses */
	assert_false(sidcache_get_own(c, t, other, sizeof(other), &b, &blen));
	assert_false(sidcache_get_own(c, t, file, sizeof(file) - 1, &b, &blen));
	/* the record does not disturb the SID entries, nor they it */
	assert_true(NT_STATUS_IS_OK(crypto_sid_parse("S-1-5-21-1-2-3-1000", &sid, NULL)));
	sidcache_put(c, "dc1$@BPAU.TEST", &sid);
	assert_true(sidcache_get(c, "dc1$@BPAU.TEST", 3600, &got));
	assert_true(sidcache_get_own(c, t, file, sizeof(file), &b, &blen));
	/* a new certificate file replaces the record */
	sidcache_put_own(c, other, sizeof(other), blob2, sizeof(blob2));
	assert_false(sidcache_get_own(c, t, file, sizeof(file), &b, &blen));
	assert_true(sidcache_get_own(c, t, other, sizeof(other), &b, &blen));
	assert_memory_equal(b, blob2, sizeof(blob2));
	/* oversized or empty inputs are not remembered */
	uint8_t *big = talloc_zero_size(t, 64 * 1024 + 1);
	sidcache_put_own(c, big, 64 * 1024 + 1, blob, sizeof(blob));
	assert_false(sidcache_get_own(c, t, big, 64 * 1024 + 1, &b, &blen));
	sidcache_put_own(c, file, sizeof(file), blob, 0);
	assert_true(sidcache_get_own(c, t, other, sizeof(other), &b, &blen));
	talloc_free(c);

	/* Every single-byte change of a stored record reads as a miss. */
	struct tdb_context *tdb = tdb_open(path, 0, TDB_DEFAULT, O_RDWR, 0600);
	assert_non_null(tdb);
	TDB_DATA key = {(uint8_t *)"\0own-cert", 9};
	TDB_DATA d = tdb_fetch(tdb, key);
	assert_non_null(d.dptr);
	const uint8_t *f, *bb;
	size_t fl, bl;
	assert_true(sidcache_parse_own_record(d.dptr, d.dsize, &f, &fl, &bb, &bl));
	assert_int_equal(fl, sizeof(other));
	assert_int_equal(bl, sizeof(blob2));
	for (size_t i = 0; i < d.dsize; i++) {
		d.dptr[i] ^= 0x01;
		assert_false(sidcache_parse_own_record(d.dptr, d.dsize, &f, &fl, &bb, &bl));
		d.dptr[i] ^= 0x01;
	}
	for (size_t n = 0; n < d.dsize; n++) {
		assert_false(sidcache_parse_own_record(d.dptr, n, &f, &fl, &bb, &bl));
	}
	/* a damaged record stored in the file is a miss, then rebuilt */
	d.dptr[d.dsize - 1] ^= 0x80;
	assert_int_equal(tdb_store(tdb, key, d, TDB_REPLACE), 0);
	free(d.dptr);
	tdb_close(tdb);
	assert_true(NT_STATUS_IS_OK(sidcache_open(t, path, &c, NULL)));
	assert_false(sidcache_get_own(c, t, other, sizeof(other), &b, &blen));
	sidcache_put_own(c, other, sizeof(other), blob2, sizeof(blob2));
	assert_true(sidcache_get_own(c, t, other, sizeof(other), &b, &blen));
	talloc_free(c);
	unlink(path);
	rmdir(dir);
	talloc_free(t);
}

/* Remembered endpoints: per host (without case) and interface, for the
 * time to live; damaged, old and future records are misses. */
static void test_endpoint_cache(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	char dir[] = "/tmp/bpau-epcache-XXXXXX";
	struct sidcache *c;
	uint16_t port = 0;
	uint64_t when;
	char *path;
	(void)state;

	assert_non_null(mkdtemp(dir));
	path = talloc_asprintf(t, "%s/sid-cache.tdb", dir);
	assert_true(NT_STATUS_IS_OK(sidcache_open(t, path, &c, NULL)));
	const uint8_t *bpau = ncacn_syntax_bitspeerauth.uuid, *samr = ncacn_syntax_samr.uuid;
	assert_false(sidcache_get_endpoint(c, "Peer1.Example", bpau, 3600, &port));
	sidcache_put_endpoint(c, "Peer1.Example", bpau, 49153);
	assert_true(sidcache_get_endpoint(c, "peer1.example", bpau, 3600, &port));
	assert_int_equal(port, 49153);
	assert_false(sidcache_get_endpoint(c, "peer1.example", bpau, 0, &port)); /* ttl 0 */
	assert_false(sidcache_get_endpoint(c, "peer1.example", samr, 3600, &port));
	assert_false(sidcache_get_endpoint(c, "peer2.example", bpau, 3600, &port));
	sidcache_put_endpoint(c, "peer1.example", bpau, 49160); /* replaced */
	assert_true(sidcache_get_endpoint(c, "PEER1.example", bpau, 3600, &port));
	assert_int_equal(port, 49160);
	sidcache_put_endpoint(c, "peer1.example", bpau, 0); /* not stored */
	assert_true(sidcache_get_endpoint(c, "peer1.example", bpau, 3600, &port));
	assert_int_equal(port, 49160);
	talloc_free(c);

	/* The key is readable (tdbtool shows and sets it; the tests use that). */
	struct tdb_context *tdb = tdb_open(path, 0, TDB_DEFAULT, O_RDWR, 0600);
	assert_non_null(tdb);
	const char key[] = "\0endpoint peer1.example e3d0d746-d2af-40fd-8a7a-0d7078bb7092";
	TDB_DATA k = {(uint8_t *)key, sizeof(key) - 1};
	TDB_DATA d = tdb_fetch(tdb, k);
	assert_non_null(d.dptr);
	assert_true(sidcache_parse_endpoint_record(d.dptr, d.dsize, &when, &port));
	assert_int_equal(port, 49160);
	free(d.dptr);
	char old[64], future[64];
	snprintf(old, sizeof(old), "1 %llu 49170", (unsigned long long)time(NULL) - 7200);
	snprintf(future, sizeof(future), "1 %llu 49170", (unsigned long long)time(NULL) + 7200);
	const char *values[] = {old, future, "garbage", "1 1700000000 0", "1 1700000000 65536",
				"1 1700000000 49170x", "1 1700000000 -1", "1 1700000000"};
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		assert_int_equal(tdb_store(tdb, k,
					   (TDB_DATA){(uint8_t *)values[i], strlen(values[i])},
					   TDB_REPLACE),
				 0);
		tdb_close(tdb);
		assert_true(NT_STATUS_IS_OK(sidcache_open(t, path, &c, NULL)));
		assert_false(sidcache_get_endpoint(c, "peer1.example", bpau, 3600, &port));
		talloc_free(c);
		tdb = tdb_open(path, 0, TDB_DEFAULT, O_RDWR, 0600);
		assert_non_null(tdb);
	}
	tdb_close(tdb);
	const char *good = "1 1700000000 65535";
	assert_true(sidcache_parse_endpoint_record((const uint8_t *)good, strlen(good), &when,
						   &port));
	assert_int_equal(port, 65535);
	assert_int_equal(when, 1700000000);
	unlink(path);
	rmdir(dir);
	talloc_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exchange),     cmocka_unit_test(test_epm_map),
		cmocka_unit_test(test_samr_requests), cmocka_unit_test(test_samr_responses),
		cmocka_unit_test(test_header),       cmocka_unit_test(test_bind_ack),
		cmocka_unit_test(test_fault_status), cmocka_unit_test(test_sidcache),
		cmocka_unit_test(test_own_blob_cache), cmocka_unit_test(test_endpoint_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
