/*
 * fuzz_otpce_radius_reply.c: libFuzzer target for radius_reply_parse (the
 * RADIUS reply parser of otpce/radius).
 *
 * Raw input is nearly always refused at the authenticators, so each input
 * is parsed twice: as it is, and re-signed (when its framing holds and it
 * has exactly one 16-octet Message-Authenticator: Identifier set, the
 * Message-Authenticator and Response Authenticator recomputed under the
 * secret), which takes the fuzzer past the cryptography into the value
 * rules.  Checks: a failure says why and leaves the output untouched; a
 * re-signed reply is never refused as forged (NT_STATUS_ACCESS_DENIED),
 * only for a value rule; an accepted reply's code is one of the three,
 * its State points inside the input and its Reply-Message is a C string
 * of at most 253 octets.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "otpce/radius/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t SECRET[] = "fuzz-secret";
#define SECRET_LEN (sizeof(SECRET) - 1)
#define ID 7
static const uint8_t REQ_AUTH[RADIUS_AUTH_LEN] = "0123456789abcdef";

static void check(const uint8_t *p, size_t len, bool signed_by_us)
{
	struct radius_reply r;
	const char *why = NULL;
	NTSTATUS status;

	memset(&r, 0xa5, sizeof(r));
	status = radius_reply_parse(p, len, ID, REQ_AUTH, SECRET, SECRET_LEN, &r, &why);
	if (!NT_STATUS_IS_OK(status)) {
		if (why == NULL || r.code != 0xa5 ||
		    (signed_by_us && NT_STATUS_EQUAL(status, NT_STATUS_ACCESS_DENIED))) {
			abort();
		}
		return;
	}
	if (r.code != RADIUS_CODE_ACCESS_ACCEPT && r.code != RADIUS_CODE_ACCESS_REJECT &&
	    r.code != RADIUS_CODE_ACCESS_CHALLENGE) {
		abort();
	}
	if (r.state_len > 0 &&
	    (r.state_len > RADIUS_MAX_VALUE || r.state < p || r.state + r.state_len > p + len)) {
		abort();
	}
	if (memchr(r.reply_message, 0, sizeof(r.reply_message)) == NULL ||
	    strlen(r.reply_message) > RADIUS_MAX_VALUE) {
		abort();
	}
}

/* resign fixes the Identifier and both authenticators of |p| (framing
 * already checked); false if it has not exactly one 16-octet
 * Message-Authenticator. */
static bool resign(uint8_t *p, size_t n)
{
	uint8_t buf[RADIUS_MAX_PACKET + SECRET_LEN];
	uint8_t mac[RADIUS_MESSAGE_AUTH_LEN];
	size_t i = RADIUS_HEADER_LEN, ma_off = 0, count = 0;

	while (i < n) {
		if (p[i] == RADIUS_ATTR_MESSAGE_AUTHENTICATOR) {
			if (p[i + 1] != 18) {
				return false;
			}
			ma_off = i + 2;
			count++;
		}
		i += p[i + 1];
	}
	if (count != 1) {
		return false;
	}
	p[1] = ID;
	if (!NT_STATUS_IS_OK(radius_message_authenticator(p, n, ma_off, REQ_AUTH, SECRET,
							  SECRET_LEN, mac))) {
		abort();
	}
	memcpy(p + ma_off, mac, sizeof(mac));
	memcpy(buf, p, n);
	memcpy(buf + 4, REQ_AUTH, RADIUS_AUTH_LEN);
	memcpy(buf + n, SECRET, SECRET_LEN);
	if (!NT_STATUS_IS_OK(crypto_md5(buf, n + SECRET_LEN, p + 4))) {
		abort();
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t copy[RADIUS_MAX_PACKET];
	size_t n = 0;

	check(data, size, false);
	if (size > sizeof(copy) ||
	    !NT_STATUS_IS_OK(radius_packet_check(data, size, &n, NULL))) {
		return 0;
	}
	memcpy(copy, data, n);
	if (resign(copy, n)) {
		check(copy, n, true);
	}
	return 0;
}
