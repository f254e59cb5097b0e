/*
 * packet.h: the RADIUS wire codec of otpce/radius: the Access-Request we
 * send and the replies we accept (RFC 2865, RFC 3579 3.2, RFC 6614).  Pure
 * build/parse, no I/O, no state; client.c does the sending.  Private to
 * otpce/radius/ and its tests (the library's API is radius.h).
 *
 * Errors follow crypto/ms/status.h: NT_STATUS_INVALID_PARAMETER for
 * malformed input (|reason| says which rule, a static string),
 * NT_STATUS_ACCESS_DENIED for a well-formed reply whose Response
 * Authenticator or Message-Authenticator is wrong or missing (a forgery,
 * or a server with another secret), NT_STATUS_NO_MEMORY,
 * NT_STATUS_INTERNAL_ERROR when OpenSSL fails.  Outputs are assigned only
 * on success.
 */
#ifndef OTPCE_RADIUS_PACKET_H
#define OTPCE_RADIUS_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "crypto/ms/status.h"

/* RFC 2865 section 3 (codes), section 5 (attribute types), RFC 3579 3.2. */
#define RADIUS_CODE_ACCESS_REQUEST 1
#define RADIUS_CODE_ACCESS_ACCEPT 2
#define RADIUS_CODE_ACCESS_REJECT 3
#define RADIUS_CODE_ACCESS_CHALLENGE 11

#define RADIUS_ATTR_USER_NAME 1
#define RADIUS_ATTR_USER_PASSWORD 2
#define RADIUS_ATTR_REPLY_MESSAGE 18
#define RADIUS_ATTR_STATE 24
#define RADIUS_ATTR_NAS_IDENTIFIER 32
#define RADIUS_ATTR_MESSAGE_AUTHENTICATOR 80

#define RADIUS_HEADER_LEN 20
#define RADIUS_AUTH_LEN 16
/* RFC 2865 section 3: 20 to 4096 octets. */
#define RADIUS_MAX_PACKET 4096
/* An attribute's value: its length octet counts type and length too. */
#define RADIUS_MAX_VALUE 253
/* RFC 2865 5.2: the password is padded to a multiple of 16, at most 128. */
#define RADIUS_MAX_PASSWORD 128
#define RADIUS_MESSAGE_AUTH_LEN 16
/* Ours: RFC 2865 sets no limit; FreeRADIUS takes 48 octets in clients.conf
 * only with a warning, and no real secret comes near this. */
#define RADIUS_MAX_SECRET 256

/*
 * struct radius_request_fields: what radius_request_build puts in an
 * Access-Request.  |user| and |nas_identifier| are 1 to 253 octets,
 * |password| 0 to 128 octets without NUL (RFC 2865 5.2 pads with NULs, so
 * a NUL in it would not come back), |state| 0 (absent) to 253 octets.
 */
struct radius_request_fields {
	uint8_t identifier;
	uint8_t authenticator[RADIUS_AUTH_LEN]; /* the Request Authenticator */
	const uint8_t *user;
	size_t user_len;
	const uint8_t *password;
	size_t password_len;
	const uint8_t *nas_identifier;
	size_t nas_identifier_len;
	const uint8_t *state;
	size_t state_len;
};

/*
 * radius_request_build encodes an Access-Request: Message-Authenticator
 * (first: the BlastRADIUS advisory's advice, so that no attacker-chosen
 * prefix precedes it), User-Name, User-Password hidden with |secret| as
 * RFC 2865 5.2 says, NAS-Identifier, State when given; the
 * Message-Authenticator is HMAC-MD5 over the whole packet under |secret|
 * (RFC 3579 3.2).  The packet is a talloc child of |mem_ctx|; it holds
 * the hidden password, so the caller wipes it before freeing.
 */
NTSTATUS radius_request_build(TALLOC_CTX *mem_ctx,
			      const struct radius_request_fields *f,
			      const uint8_t *secret, size_t secret_len,
			      uint8_t **out, size_t *out_len,
			      const char **reason) CRYPTO_WARN_UNUSED;

/*
 * radius_hide_password is RFC 2865 5.2's User-Password hiding: |password|
 * (at most 128 octets) padded with NULs to a multiple of 16 (16 when
 * empty), each block XORed with MD5(secret + previous block), the first
 * previous block being the Request Authenticator.  |out| must hold
 * radius_hidden_len(password_len) octets.
 */
size_t radius_hidden_len(size_t password_len);
NTSTATUS radius_hide_password(const uint8_t *password, size_t password_len,
			      const uint8_t *secret, size_t secret_len,
			      const uint8_t authenticator[RADIUS_AUTH_LEN],
			      uint8_t *out, const char **reason);

/*
 * radius_message_authenticator computes RFC 3579 3.2's HMAC-MD5 under
 * |secret| over |pkt| (|len| octets, 20 to 4096) with its authenticator
 * field replaced by |auth| (the Request Authenticator, in a reply as in a
 * request) and the 16 value octets at |ma_off| zeroed; |pkt| itself is not
 * changed.
 */
NTSTATUS radius_message_authenticator(const uint8_t *pkt, size_t len, size_t ma_off,
				      const uint8_t auth[RADIUS_AUTH_LEN],
				      const uint8_t *secret, size_t secret_len,
				      uint8_t out[RADIUS_MESSAGE_AUTH_LEN]);

/*
 * radius_packet_check: the framing and attribute structure of one RADIUS
 * packet, no cryptography: |len| at least 20 and at least the Length
 * field, which is 20 to 4096; octets past Length are padding (RFC 2865
 * section 3 says to ignore them; over TLS they are the next packet);
 * attributes, each with a length octet of at least 2, fill the packet
 * exactly.  |*packet_len| is set to the Length field.
 */
NTSTATUS radius_packet_check(const uint8_t *pkt, size_t len,
			     size_t *packet_len, const char **reason)
	CRYPTO_WARN_UNUSED;

/* radius_packet_length reads the Length field of a packet header (|len| at
 * least 4); 0 if |len| is shorter.  For framing a TLS stream. */
size_t radius_packet_length(const uint8_t *pkt, size_t len);

/*
 * struct radius_reply: what a verified reply says.  |state| points into
 * the packet given to radius_reply_parse; |reply_message| is the
 * Reply-Messages in order, joined with '\n', NUL-terminated (text the
 * server chose: sanitise it before logging it).
 */
struct radius_reply {
	uint8_t code;
	const uint8_t *state;
	size_t state_len;
	char reply_message[RADIUS_MAX_VALUE + 1];
	bool reply_message_truncated;
};

/*
 * radius_reply_parse accepts a reply to the Access-Request whose
 * Identifier is |identifier| and whose Request Authenticator is
 * |request_auth|, only if:
 *   - radius_packet_check passes;
 *   - the code is Access-Accept, Access-Reject or Access-Challenge;
 *   - the Identifier matches;
 *   - the Response Authenticator is MD5(Code + Identifier + Length +
 *     Request Authenticator + Attributes + secret) (RFC 2865 section 3);
 *   - exactly one Message-Authenticator, of 16 octets, equal to
 *     HMAC-MD5(secret, the packet with the Request Authenticator in place
 *     of the Response Authenticator and the Message-Authenticator's value
 *     zeroed) (RFC 3579 3.2).  A reply without one is refused whatever its
 *     code: BlastRADIUS (CVE-2024-3596) forges Response Authenticators
 *     with an MD5 chosen-prefix collision, which the HMAC defeats;
 *   - at most one State (RFC 2865 5.24: 0-1) and no Reply-Message with a
 *     NUL octet (it is text: RFC 2865 5.18).
 * The Response Authenticator and Message-Authenticator are compared in
 * constant time.  Attributes are checked structurally before any
 * cryptography; the cryptographic checks come before any attribute value
 * is used.
 */
NTSTATUS radius_reply_parse(const uint8_t *pkt, size_t len, uint8_t identifier,
			    const uint8_t request_auth[RADIUS_AUTH_LEN],
			    const uint8_t *secret, size_t secret_len,
			    struct radius_reply *out, const char **reason)
	CRYPTO_WARN_UNUSED;

#endif
