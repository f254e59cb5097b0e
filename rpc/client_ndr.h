/*
 * client_ndr.h: the NDR stubs the bpau client sends and parses, written
 * out by hand so the client does not load Samba's NDR libraries:
 *   - epmapper ept_map (C706 appendix O, MS-RPCE 2.2.1.2) for the server's
 *     dynamic endpoint;
 *   - bitspeerauth ExchangePublicKeys (MS-BPAU 3.1.4.1);
 *   - SAMR Connect2, EnumDomains, LookupDomain, OpenDomain, LookupNames
 *     (MS-SAMR 3.1.5) for the server account's SID.
 * The unit tests check every encoder and parser against pidl's generated
 * code for the same IDL (tests/unit/test_client_ndr.c).  The parsers take
 * whatever a server sends: bounded, no trust in counts; each is fuzzed.
 */
#ifndef RPC_CLIENT_NDR_H
#define RPC_CLIENT_NDR_H

#include "crypto/crypto.h"
#include "crypto/ms/sid.h"
#include "rpc/ncacn.h"

#define BPAU_NDR_KEY_MAX 65536 /* range(0,65536), MS-BPAU 3.1.4.1 */

/* opnums */
enum {
	EPM_OPNUM_MAP = 3,
	BPAU_OPNUM_EXCHANGE = 0,
	SAMR_OPNUM_LOOKUP_DOMAIN = 5,
	SAMR_OPNUM_ENUM_DOMAINS = 6,
	SAMR_OPNUM_OPEN_DOMAIN = 7,
	SAMR_OPNUM_LOOKUP_NAMES = 17,
	SAMR_OPNUM_CONNECT2 = 57,
};

#define SAMR_HANDLE_LEN 20

/* ept_map for |iface| over ncacn_ip_tcp; the answer's first TCP port. */
bool epm_map_request(TALLOC_CTX *mem_ctx, const struct ncacn_syntax *iface, uint8_t **out,
		     size_t *len);
NTSTATUS epm_map_parse(const uint8_t *p, size_t len, const struct ncacn_syntax *iface,
		       uint16_t *port);

/* ExchangePublicKeys: |key| NULL sends a NULL pointer with |key_len|. */
bool bpau_exchange_request(TALLOC_CTX *mem_ctx, const uint8_t *key, uint32_t key_len,
			   uint8_t **out, size_t *len);
/* The server's key points into |p|; *hresult is the return value. */
NTSTATUS bpau_exchange_parse(const uint8_t *p, size_t len, const uint8_t **key,
			     uint32_t *key_len, uint32_t *hresult);

bool samr_connect2_request(TALLOC_CTX *mem_ctx, uint32_t access, uint8_t **out, size_t *len);
bool samr_enum_domains_request(TALLOC_CTX *mem_ctx, const uint8_t *handle, uint8_t **out,
			       size_t *len);
bool samr_lookup_domain_request(TALLOC_CTX *mem_ctx, const uint8_t *handle, const char *name,
				uint8_t **out, size_t *len);
bool samr_open_domain_request(TALLOC_CTX *mem_ctx, const uint8_t *handle, uint32_t access,
			      const struct crypto_sid *sid, uint8_t **out, size_t *len);
bool samr_lookup_names_request(TALLOC_CTX *mem_ctx, const uint8_t *handle, const char *name,
			       uint8_t **out, size_t *len);

/* Connect2 and OpenDomain answer a handle and a status. */
NTSTATUS samr_handle_parse(const uint8_t *p, size_t len, uint8_t handle[SAMR_HANDLE_LEN]);
/* EnumDomains: the first domain not named "Builtin" (on mem_ctx). */
NTSTATUS samr_enum_domains_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
				 char **domain);
NTSTATUS samr_lookup_domain_parse(const uint8_t *p, size_t len, struct crypto_sid *sid);
/* LookupNames of one name: its RID and SID_NAME_USE type. */
NTSTATUS samr_lookup_names_parse(const uint8_t *p, size_t len, uint32_t *rid, uint32_t *type);

#endif
