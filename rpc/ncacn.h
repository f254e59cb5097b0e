/*
 * ncacn.h: a small connection-oriented DCE/RPC client (C706 chapter 12,
 * MS-RPCE 2.2.2) on TCP, with Kerberos through GSSAPI (RFC 4121 in DCE
 * style, MS-RPCE 3.3.1.5.2 header signing) at packet privacy.
 *
 * It is what the bpau client speaks instead of Samba's client library:
 * one association, one presentation context (NDR), calls in sequence.
 * Loading Samba's client stack costs about 21 ms of dynamic linking per
 * process (102 libraries); this needs libgssapi and libkrb5 only.
 *
 * Every step has a deadline (the timeout given at connect, per step).
 * Functions return NTSTATUS; on failure ncacn_reason() says what happened
 * in one line.
 */
#ifndef RPC_NCACN_H
#define RPC_NCACN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "crypto/crypto.h"

/* An interface or transfer syntax: the UUID in its NDR (little-endian
 * GUID) wire order, and the version. */
struct ncacn_syntax {
	uint8_t uuid[16];
	uint16_t major, minor;
};

extern const struct ncacn_syntax ncacn_syntax_ndr;        /* 8a885d04-... v2 */
extern const struct ncacn_syntax ncacn_syntax_epmapper;   /* e1af8308-... v3 */
extern const struct ncacn_syntax ncacn_syntax_samr;       /* 12345778-... v1 */
extern const struct ncacn_syntax ncacn_syntax_bitspeerauth; /* e3d0d746-... v1 */

/* PDU types and flags (C706 12.6.3.1, MS-RPCE 2.2.2.3). */
enum {
	NCACN_PKT_REQUEST = 0,
	NCACN_PKT_RESPONSE = 2,
	NCACN_PKT_FAULT = 3,
	NCACN_PKT_BIND = 11,
	NCACN_PKT_BIND_ACK = 12,
	NCACN_PKT_BIND_NAK = 13,
	NCACN_PKT_AUTH3 = 16,
};
#define NCACN_PFC_FIRST 0x01
#define NCACN_PFC_LAST 0x02
#define NCACN_PFC_SUPPORT_HEADER_SIGN 0x04 /* in bind and bind_ack */
#define NCACN_HDR_LEN 16
#define NCACN_REQ_HDR_LEN 24
#define NCACN_TRAILER_LEN 8
#define NCACN_AUTH_TYPE_KRB5 16   /* RPC_C_AUTHN_GSS_KERBEROS */
#define NCACN_AUTH_LEVEL_PRIVACY 6
#define NCACN_MAX_FRAG 5840       /* what Windows and Samba offer */

struct ncacn_conn;

/* ncacn_connect: TCP to |address| (a host name or IP) and |port|, with
 * TCP_NODELAY.  |timeout| (seconds) bounds this and each later step. */
NTSTATUS ncacn_connect(TALLOC_CTX *mem_ctx, const char *address, uint16_t port,
		       unsigned timeout, struct ncacn_conn **out);

/*
 * ncacn_bind: one presentation context for |iface| with NDR.  With a
 * |principal|, a Kerberos bind at packet privacy: mutual authentication
 * required, no delegation, from the default (or ncacn_set_ccache) ticket
 * cache; DCE style: bind (AP-REQ), bind_ack (AP-REP), auth3.
 */
NTSTATUS ncacn_bind(struct ncacn_conn *c, const struct ncacn_syntax *iface,
		    const char *principal);

/* ncacn_use_gssapi_wrap: keep sealing on gss_wrap_iov (by default an
 * association of an AES context moves to OpenSSL, crypto/kwrap.h, at its
 * eighth call; see use_kwrap in ncacn.c). */
void ncacn_use_gssapi_wrap(struct ncacn_conn *c);
/* ncacn_wraps_with_openssl: whether calls are now sealed with
 * crypto/kwrap.h. */
bool ncacn_wraps_with_openssl(const struct ncacn_conn *c);

/* ncacn_call: request |stub| on |opnum|, return the response stub (on
 * mem_ctx).  A fault is returned as its NTSTATUS (ncacn_fault_status). */
NTSTATUS ncacn_call(struct ncacn_conn *c, TALLOC_CTX *mem_ctx, uint16_t opnum,
		    const uint8_t *stub, size_t len, uint8_t **out, size_t *out_len);

/* ncacn_reason: the last failure in words ("" if none). */
const char *ncacn_reason(const struct ncacn_conn *c);

/* ncacn_port: the TCP port of the association. */
uint16_t ncacn_port(const struct ncacn_conn *c);

/* ncacn_bind_sent: whether ncacn_bind sent its bind (false when it failed
 * before, on a local Kerberos error say; false for NULL). */
bool ncacn_bind_sent(const struct ncacn_conn *c);

/*
 * ncacn_test_fault: for the integration tests only (tests/tools/leancall.c).
 * NCACN_TEST_TAMPER: the next request goes out with one bit of its sealed
 * stub flipped.  NCACN_TEST_REPLAY: the next request's first fragment is
 * kept, and the request after it goes out as that fragment again, sealed
 * sequence number and all.  NCACN_TEST_FORGE: the next request goes out
 * as someone without the key would forge it: its stub in clear, its
 * token's sequence number 5 past the real one, the rest of the token
 * garbage.  The server must refuse all three.
 */
enum ncacn_test_fault { NCACN_TEST_NONE, NCACN_TEST_TAMPER, NCACN_TEST_REPLAY, NCACN_TEST_FORGE };
void ncacn_test_fault(struct ncacn_conn *c, enum ncacn_test_fault f);

/* ncacn_set_timeout: |timeout| seconds for each later step. */
void ncacn_set_timeout(struct ncacn_conn *c, unsigned timeout);

/* ncacn_set_ccache selects the Kerberos ticket cache for later binds in
 * this process (default: KRB5CCNAME). */
NTSTATUS ncacn_set_ccache(const char *name, const char **reason);

/* ncacn_fault_status maps a DCE/RPC fault code to an NTSTATUS the way
 * Samba does (dcerpc_fault_to_nt_status), so messages match its tools. */
NTSTATUS ncacn_fault_status(uint32_t fault);

/*
 * Parsers of what a server sends, exposed for unit tests and fuzzing.
 *
 * ncacn_parse_header checks the common header (version 5.0, little-endian
 * data representation, frag_length within |len| bounds) and returns the
 * type, flags, frag_length, auth_length and call_id.
 */
struct ncacn_header {
	uint8_t ptype, pfc_flags;
	uint16_t frag_length, auth_length;
	uint32_t call_id;
};
NTSTATUS ncacn_parse_header(const uint8_t *p, size_t len, struct ncacn_header *h);

/* ncacn_parse_bind_ack: the negotiated fragment sizes, whether context 0
 * was accepted with NDR, and the auth token (pointing into |p|). */
struct ncacn_bind_ack {
	uint16_t max_xmit, max_recv;
	uint32_t assoc_group;
	bool accepted;
	uint16_t reason;
	const uint8_t *token;
	size_t token_len;
	uint8_t auth_type, auth_level;
	uint32_t auth_context_id;
};
NTSTATUS ncacn_parse_bind_ack(const uint8_t *p, size_t len, struct ncacn_bind_ack *a);

#endif
