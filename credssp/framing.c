/*
 * framing.c: where a TSRequest ends in a TLS byte stream (credssp.h,
 * credssp_message_length).  The header is read with OpenSSL's
 * ASN1_get_object, as the codec reads everything else; nothing is
 * decoded here beyond the outer tag and length.
 */
#include <openssl/asn1.h>
#include <openssl/err.h>

#include "credssp/credssp.h"

NTSTATUS credssp_message_length(const uint8_t *buf, size_t len, size_t *need)
{
	const unsigned char *p = buf;
	long content = 0;
	int tag = 0, xclass = 0, ret;
	size_t header;

	/* A SEQUENCE with a definite length of at most four octets (0x84). */
	if (len < 2) {
		return NT_STATUS_MORE_ENTRIES;
	}
	if (buf[0] != 0x30) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if ((buf[1] & 0x80) != 0) {
		size_t n = buf[1] & 0x7f;

		if (n == 0 || n > 4) {
			return NT_STATUS_INVALID_PARAMETER; /* indefinite or absurd */
		}
		if (len < 2 + n) {
			return NT_STATUS_MORE_ENTRIES;
		}
	}
	/* The header's bytes are all there (checked above) and
	 * ASN1_get_object reads no further, but it wants |omax| to cover at
	 * least one content byte and flags 0x80 when the contents run past
	 * it: give it the largest message we take, and check the length
	 * ourselves below.  It queues an OpenSSL error on failure; the mark
	 * keeps the thread's queue as it was, or the caller's next
	 * SSL_get_error() would see ours. */
	ERR_set_mark();
	ret = ASN1_get_object(&p, &content, &tag, &xclass, (long)CREDSSP_MSG_MAX_LEN);
	ERR_pop_to_mark();
	if (p == buf || (ret & 0x01) != 0 /* indefinite */ || (ret & V_ASN1_CONSTRUCTED) == 0 ||
	    (ret & 0x80) != 0 || tag != V_ASN1_SEQUENCE || xclass != V_ASN1_UNIVERSAL ||
	    content < 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	header = (size_t)(p - buf);
	if ((size_t)content > CREDSSP_MSG_MAX_LEN - header) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	*need = header + (size_t)content;
	return NT_STATUS_OK;
}
