/*
 * session.c: NTLM session security with extended session security
 * (MS-NLMP 3.4): the four keys of 3.4.5.2 SIGNKEY and 3.4.5.3 SEALKEY,
 * and SEAL / MAC of 3.4.3 and 3.4.4.2 in connection-oriented mode (one
 * RC4 stream per direction for the life of the context, one sequence
 * number per direction).
 *
 * Checked against the peers (read-only references):
 * - FreeRDP winpr/libwinpr/sspi/NTLM/ntlm.c ntlm_EncryptMessage: HMAC-MD5
 *   over SeqNum || message with the signing key, RC4 of the data, then
 *   RC4 of the first 8 bytes of the HMAC with the same stream (KEY_EXCH),
 *   signature = 01 00 00 00 || checksum || SeqNum;
 * - Heimdal lib/gssapi/ntlm/crypto.c v2_seal_message: the same stream
 *   order, but its signature's last 4 bytes are zero where MS-NLMP and
 *   FreeRDP put SeqNum, and its token is data || signature.  We follow
 *   MS-NLMP and FreeRDP (tests/unit/test_credssp_ntlm_exchange.c shows
 *   the difference against Heimdal's gss_wrap).
 */
#include <string.h>

#include "crypto/crypto.h"
#include "credssp/ntlm/ntlm.h"
#include "credssp/ntlm/rc4.h"

struct ntlm_direction {
	uint8_t sign_key[NTLM_KEY_LEN];
	struct ntlm_rc4 *seal;
	struct ntlm_rc4 *seal_initial; /* the stream as keyed, for a reset */
	uint32_t seq;
};

struct ntlm_session {
	uint32_t flags;
	struct ntlm_direction send;
	struct ntlm_direction recv;
};

/* 3.4.5.2 / 3.4.5.3: the magic constants, each with its terminating NUL. */
static const char CLI_SIGN[] = "session key to client-to-server signing key magic constant";
static const char SRV_SIGN[] = "session key to server-to-client signing key magic constant";
static const char CLI_SEAL[] = "session key to client-to-server sealing key magic constant";
static const char SRV_SEAL[] = "session key to server-to-client sealing key magic constant";

static int session_destructor(struct ntlm_session *s)
{
	crypto_wipe(s->send.sign_key, sizeof(s->send.sign_key));
	crypto_wipe(s->recv.sign_key, sizeof(s->recv.sign_key));
	return 0;
}

/* MD5(key || magic-with-NUL) into |out|. */
static NTSTATUS derive(const uint8_t key[NTLM_KEY_LEN], const char *magic, size_t magic_len,
		       uint8_t out[NTLM_KEY_LEN])
{
	uint8_t buf[NTLM_KEY_LEN + 64];
	NTSTATUS st;

	memcpy(buf, key, NTLM_KEY_LEN);
	memcpy(buf + NTLM_KEY_LEN, magic, magic_len);
	st = crypto_md5(buf, NTLM_KEY_LEN + magic_len, out);
	crypto_wipe(buf, sizeof(buf));
	return st;
}

static NTSTATUS direction_init(TALLOC_CTX *mem_ctx, struct ntlm_direction *d,
			       const uint8_t key[NTLM_KEY_LEN], const char *sign,
			       size_t sign_len, const char *seal, size_t seal_len)
{
	uint8_t seal_key[NTLM_KEY_LEN];
	NTSTATUS st;

	st = derive(key, sign, sign_len, d->sign_key);
	if (!NT_STATUS_IS_OK(st)) {
		return st;
	}
	/* NTLMSSP_NEGOTIATE_128 (required by ntlm_session_new): the whole key. */
	st = derive(key, seal, seal_len, seal_key);
	if (NT_STATUS_IS_OK(st)) {
		st = ntlm_rc4_new(mem_ctx, seal_key, sizeof(seal_key), &d->seal);
	}
	if (NT_STATUS_IS_OK(st)) {
		st = ntlm_rc4_dup(mem_ctx, d->seal, &d->seal_initial);
	}
	crypto_wipe(seal_key, sizeof(seal_key));
	d->seq = 0;
	return st;
}

NTSTATUS ntlm_session_new(TALLOC_CTX *mem_ctx, const uint8_t exported_key[NTLM_KEY_LEN],
			  uint32_t flags, bool acceptor, struct ntlm_session **out)
{
	struct ntlm_session *s;
	NTSTATUS st;

	if (!(flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) ||
	    !(flags & NTLMSSP_NEGOTIATE_128)) {
		return NT_STATUS_NOT_SUPPORTED;
	}
	s = talloc_zero(mem_ctx, struct ntlm_session);
	if (s == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	talloc_set_destructor(s, session_destructor);
	s->flags = flags;
	if (acceptor) {
		st = direction_init(s, &s->send, exported_key, SRV_SIGN, sizeof(SRV_SIGN),
				    SRV_SEAL, sizeof(SRV_SEAL));
		if (NT_STATUS_IS_OK(st)) {
			st = direction_init(s, &s->recv, exported_key, CLI_SIGN,
					    sizeof(CLI_SIGN), CLI_SEAL, sizeof(CLI_SEAL));
		}
	} else {
		st = direction_init(s, &s->send, exported_key, CLI_SIGN, sizeof(CLI_SIGN),
				    CLI_SEAL, sizeof(CLI_SEAL));
		if (NT_STATUS_IS_OK(st)) {
			st = direction_init(s, &s->recv, exported_key, SRV_SIGN,
					    sizeof(SRV_SIGN), SRV_SEAL, sizeof(SRV_SEAL));
		}
	}
	if (!NT_STATUS_IS_OK(st)) {
		talloc_free(s);
		return st;
	}
	*out = s;
	return NT_STATUS_OK;
}

static void put_u32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/*
 * 3.4.4.2: Version (1) || Checksum || SeqNum, where Checksum is the first 8
 * bytes of HMAC_MD5(SigningKey, SeqNum || Message), RC4'd with the
 * direction's stream when KEY_EXCH was negotiated.  |plain| is the clear
 * message; the stream |rc4| must already have sealed it.
 */
static NTSTATUS make_signature(const struct ntlm_session *s, const uint8_t sign_key[NTLM_KEY_LEN],
			       struct ntlm_rc4 *rc4, uint32_t seq, const uint8_t *plain,
			       size_t len, uint8_t sig[NTLM_SIGNATURE_LEN])
{
	uint8_t *buf;
	uint8_t mac[CRYPTO_MD5_LEN];
	NTSTATUS st;

	if (len > SIZE_MAX - 4) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	buf = talloc_size(NULL, len + 4);
	if (buf == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	put_u32le(buf, seq);
	if (len > 0) {
		memcpy(buf + 4, plain, len);
	}
	st = crypto_hmac(CRYPTO_MD_MD5, sign_key, NTLM_KEY_LEN, buf, len + 4, mac);
	crypto_wipe(buf, len + 4);
	talloc_free(buf);
	if (!NT_STATUS_IS_OK(st)) {
		return st;
	}
	put_u32le(sig, 1);
	if (s->flags & NTLMSSP_NEGOTIATE_KEY_EXCH) {
		st = ntlm_rc4_crypt(rc4, mac, sig + 4, 8);
	} else {
		memcpy(sig + 4, mac, 8);
	}
	put_u32le(sig + 12, seq);
	crypto_wipe(mac, sizeof(mac));
	return st;
}

NTSTATUS ntlm_session_seal(struct ntlm_session *s, TALLOC_CTX *mem_ctx,
			   const uint8_t *in, size_t len, uint8_t **out, size_t *out_len)
{
	struct ntlm_rc4 *trial = NULL;
	uint8_t *buf;
	NTSTATUS st;

	if (len > NTLM_MAX_SEAL) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	buf = talloc_size(mem_ctx, len + NTLM_SIGNATURE_LEN);
	if (buf == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	/* Work on a copy of the stream: a failure leaves the session as it was. */
	st = ntlm_rc4_dup(buf, s->send.seal, &trial);
	if (NT_STATUS_IS_OK(st)) {
		st = ntlm_rc4_crypt(trial, in, buf + NTLM_SIGNATURE_LEN, len);
	}
	if (NT_STATUS_IS_OK(st)) {
		st = make_signature(s, s->send.sign_key, trial, s->send.seq, in, len, buf);
	}
	if (!NT_STATUS_IS_OK(st)) {
		talloc_free(buf);
		return st;
	}
	talloc_free(s->send.seal);
	s->send.seal = talloc_steal(s, trial);
	s->send.seq++;
	*out = buf;
	*out_len = len + NTLM_SIGNATURE_LEN;
	return NT_STATUS_OK;
}

NTSTATUS ntlm_session_unseal(struct ntlm_session *s, TALLOC_CTX *mem_ctx,
			     const uint8_t *in, size_t len, uint8_t **out, size_t *out_len)
{
	struct ntlm_rc4 *trial = NULL;
	uint8_t sig[NTLM_SIGNATURE_LEN];
	uint8_t *buf;
	size_t n;
	NTSTATUS st;

	if (len < NTLM_SIGNATURE_LEN || len - NTLM_SIGNATURE_LEN > NTLM_MAX_SEAL) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	n = len - NTLM_SIGNATURE_LEN;
	buf = talloc_size(mem_ctx, n > 0 ? n : 1);
	if (buf == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	st = ntlm_rc4_dup(buf, s->recv.seal, &trial);
	if (NT_STATUS_IS_OK(st)) {
		st = ntlm_rc4_crypt(trial, in + NTLM_SIGNATURE_LEN, buf, n);
	}
	if (NT_STATUS_IS_OK(st)) {
		st = make_signature(s, s->recv.sign_key, trial, s->recv.seq, buf, n, sig);
	}
	if (NT_STATUS_IS_OK(st) && !crypto_memequal(sig, in, NTLM_SIGNATURE_LEN)) {
		st = NT_STATUS_ACCESS_DENIED;
	}
	crypto_wipe(sig, sizeof(sig));
	if (!NT_STATUS_IS_OK(st)) {
		crypto_wipe(buf, n);
		talloc_free(buf);
		return st;
	}
	talloc_free(s->recv.seal);
	s->recv.seal = talloc_steal(s, trial);
	s->recv.seq++;
	*out = buf;
	*out_len = n;
	return NT_STATUS_OK;
}

/*
 * Signing without sealing (3.4.4.2 MAC): what SPNEGO's mechListMIC is
 * (MS-SPNG 3.3.5.1: "the mechListMIC ... using the negotiated
 * mechanism's GSS_GetMIC"; for NTLM that is MS-NLMP 3.4.4.2 with the
 * direction's sequence number and, with KEY_EXCH, the checksum RC4'd
 * with the sealing stream, as Samba's ntlmssp_make_packet_signature
 * does for gensec_sign_packet).  A failure leaves the session as it was.
 */
NTSTATUS ntlm_session_sign(struct ntlm_session *s, const uint8_t *in, size_t len,
			   uint8_t sig[NTLM_SIGNATURE_LEN])
{
	struct ntlm_rc4 *trial = NULL;
	NTSTATUS st;

	if (len > NTLM_MAX_SEAL) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	st = ntlm_rc4_dup(s, s->send.seal, &trial);
	if (NT_STATUS_IS_OK(st)) {
		st = make_signature(s, s->send.sign_key, trial, s->send.seq, in, len, sig);
	}
	if (!NT_STATUS_IS_OK(st)) {
		talloc_free(trial);
		return st;
	}
	talloc_free(s->send.seal);
	s->send.seal = trial;
	s->send.seq++;
	return NT_STATUS_OK;
}

NTSTATUS ntlm_session_verify(struct ntlm_session *s, const uint8_t *in, size_t len,
			     const uint8_t *sig, size_t sig_len)
{
	struct ntlm_rc4 *trial = NULL;
	uint8_t mine[NTLM_SIGNATURE_LEN];
	NTSTATUS st;

	if (sig_len != NTLM_SIGNATURE_LEN || len > NTLM_MAX_SEAL) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	st = ntlm_rc4_dup(s, s->recv.seal, &trial);
	if (NT_STATUS_IS_OK(st)) {
		st = make_signature(s, s->recv.sign_key, trial, s->recv.seq, in, len, mine);
	}
	if (NT_STATUS_IS_OK(st) && !crypto_memequal(mine, sig, NTLM_SIGNATURE_LEN)) {
		st = NT_STATUS_ACCESS_DENIED;
	}
	crypto_wipe(mine, sizeof(mine));
	if (!NT_STATUS_IS_OK(st)) {
		talloc_free(trial);
		return st;
	}
	talloc_free(s->recv.seal);
	s->recv.seal = trial;
	s->recv.seq++;
	return NT_STATUS_OK;
}

/*
 * ntlm_session_reset: both RC4 streams back to their start, and the
 * sequence numbers to 0 when |reset_seq| (Samba auth/ntlmssp/ntlmssp.c
 * gensec_ntlmssp_may_reset_crypto, called by auth/gensec/spnego.c
 * gensec_spnego_update_done once SPNEGO completes: a full reset unless
 * the mechListMIC was exchanged, then the streams only).
 */
NTSTATUS ntlm_session_reset(struct ntlm_session *s, bool reset_seq)
{
	struct ntlm_rc4 *send = NULL, *recv = NULL;
	NTSTATUS st;

	st = ntlm_rc4_dup(s, s->send.seal_initial, &send);
	if (NT_STATUS_IS_OK(st)) {
		st = ntlm_rc4_dup(s, s->recv.seal_initial, &recv);
	}
	if (!NT_STATUS_IS_OK(st)) {
		talloc_free(send);
		return st;
	}
	talloc_free(s->send.seal);
	talloc_free(s->recv.seal);
	s->send.seal = send;
	s->recv.seal = recv;
	if (reset_seq) {
		s->send.seq = 0;
		s->recv.seq = 0;
	}
	return NT_STATUS_OK;
}
