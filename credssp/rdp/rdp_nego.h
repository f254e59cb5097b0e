/*
 * rdp_nego.h: what an RDP stack does around NLA (MS-RDPBCGR), as much as
 * the CredSSP tools need: the X.224 Connection Request and Confirm with
 * RDP_NEG_REQ / RDP_NEG_RSP / RDP_NEG_FAILURE in TPKT (2.2.1.1,
 * 2.2.1.2), and the Early User Authorization Result PDU (2.2.10.2).
 * Pure codec: no I/O.  Parsers take one whole TPKT (rdp_tpkt_length).
 */
#ifndef CREDSSP_RDP_RDP_NEGO_H
#define CREDSSP_RDP_RDP_NEGO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "crypto/crypto.h"

/* requestedProtocols / selectedProtocol (2.2.1.1.1) */
#define RDP_PROTOCOL_RDP 0x00000000u
#define RDP_PROTOCOL_SSL 0x00000001u
#define RDP_PROTOCOL_HYBRID 0x00000002u
#define RDP_PROTOCOL_RDSTLS 0x00000004u
#define RDP_PROTOCOL_HYBRID_EX 0x00000008u

/* RDP_NEG_FAILURE failureCode (2.2.1.2.2) */
#define RDP_SSL_REQUIRED_BY_SERVER 0x00000001u
#define RDP_SSL_NOT_ALLOWED_BY_SERVER 0x00000002u
#define RDP_HYBRID_REQUIRED_BY_SERVER 0x00000005u

/* Early User Authorization Result (2.2.10.2) */
#define RDP_AUTHZ_SUCCESS 0x00000000u
#define RDP_AUTHZ_ACCESS_DENIED 0x00000005u
#define RDP_EARLY_AUTH_RESULT_LEN 4

#define RDP_TPKT_HEADER_LEN 4
#define RDP_X224_MAX_LEN 1024 /* ours: a Connection Request with a long cookie */

/* rdp_tpkt_length: the whole TPKT's length from its 4-byte header, or
 * NT_STATUS_MORE_ENTRIES / NT_STATUS_INVALID_PARAMETER. */
NTSTATUS rdp_tpkt_length(const uint8_t *buf, size_t len, size_t *need) CRYPTO_WARN_UNUSED;

/* rdp_connection_request_build: TPKT + X.224 CR with an optional
 * "Cookie: mstshash=|user|" and RDP_NEG_REQ(|protocols|). */
NTSTATUS rdp_connection_request_build(TALLOC_CTX *mem_ctx, const char *user, uint32_t protocols,
				      uint8_t **out, size_t *out_len) CRYPTO_WARN_UNUSED;
/* rdp_connection_request_parse: *protocols is 0 (PROTOCOL_RDP) when the
 * request carries no RDP_NEG_REQ. */
NTSTATUS rdp_connection_request_parse(const uint8_t *buf, size_t len, uint32_t *protocols,
				      const char **reason) CRYPTO_WARN_UNUSED;

/* rdp_connection_confirm_build: RDP_NEG_RSP(|selected|), or when
 * |failure| is non-zero RDP_NEG_FAILURE(|failure|). */
NTSTATUS rdp_connection_confirm_build(TALLOC_CTX *mem_ctx, uint32_t selected, uint32_t failure,
				      uint8_t **out, size_t *out_len) CRYPTO_WARN_UNUSED;
/* rdp_connection_confirm_parse: *failure is 0 and *selected set, or
 * *failure is the server's failureCode. */
NTSTATUS rdp_connection_confirm_parse(const uint8_t *buf, size_t len, uint32_t *selected,
				      uint32_t *failure, const char **reason) CRYPTO_WARN_UNUSED;

#endif
