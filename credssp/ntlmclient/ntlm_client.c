/*
 * ntlm_client.c: the NTLMv2 initiator (ntlm_client.h), MS-NLMP 3.1.5.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <heimntlm.h> /* needs stdint.h and time.h first */

#include "credssp/ntlm/ntlm.h"
#include "credssp/ntlm/rc4.h" /* credssp/ntlm/'s RC4 (OpenSSL legacy provider), see below */
#include "credssp/ntlmclient/ntlm_client.h"

/* What we ask for (3.1.5.1.1): Unicode, signing and sealing with
 * extended session security and 128-bit keys, the target info for the
 * NTLMv2 response, ALWAYS_SIGN, VERSION and KEY_EXCH, as FreeRDP's
 * client does.  KEY_EXCH is needed by FreeRDP's servers: winpr's
 * EncryptMessage/DecryptMessage RC4-encrypt the checksum whether or not
 * KEY_EXCH was negotiated (winpr/libwinpr/sspi/NTLM/ntlm.c,
 * "RC4-encrypt first 8 bytes of digest"), where MS-NLMP 3.4.4.2 does so
 * only with KEY_EXCH; with it, both agree.  VERSION matters for the layout:
 * the MIC sits at offset 72, after the 8-byte Version (2.2.1.3), and an
 * acceptor finds it there only if the payload starts after both. */
#define CLIENT_FLAGS                                                                         \
	(NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_SIGN |        \
	 NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |    \
	 NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_128 |                  \
	 NTLMSSP_NEGOTIATE_VERSION | NTLMSSP_NEGOTIATE_KEY_EXCH)

struct ntlm_client {
	TALLOC_CTX *mem;                 /* everything below, wiped when freed */
	char *user, *domain, *workstation;
	struct crypto_secret *password;
	uint8_t *negotiate;
	size_t negotiate_len;
	struct ntlm_session *session;
	int step;
};

static int out_copy(const uint8_t *p, size_t len, uint8_t **out, size_t *out_len)
{
	*out = malloc(len > 0 ? len : 1);
	if (*out == NULL) {
		return -1;
	}
	memcpy(*out, p, len);
	*out_len = len;
	return 0;
}

static int client_negotiate(struct ntlm_client *c, uint8_t **out, size_t *out_len)
{
	struct ntlm_type1 t1;
	struct ntlm_buf b = { 0, NULL };
	int rc;

	memset(&t1, 0, sizeof(t1));
	t1.flags = CLIENT_FLAGS;
	if (heim_ntlm_encode_type1(&t1, &b) != 0) {
		return -1;
	}
	c->negotiate = talloc_memdup(c->mem, b.data, b.length);
	c->negotiate_len = b.length;
	rc = c->negotiate != NULL ? out_copy(b.data, b.length, out, out_len) : -1;
	heim_ntlm_free_buf(&b);
	return rc;
}

/* client_authenticate: 3.1.5.1.2 with NTLMv2 (3.3.2) and the MIC. */
static int client_authenticate(struct ntlm_client *c, const uint8_t *in, size_t in_len,
			       uint8_t **out, size_t *out_len, char *err, size_t errlen)
{
	struct ntlm_buf chal = { in_len, (void *)in }, ti_buf = { 0, NULL }, nt_key = { 0, NULL };
	struct ntlm_buf answer = { 0, NULL }, lm = { 0, NULL }, msg = { 0, NULL };
	struct ntlm_type2 t2;
	struct ntlm_type3 t3;
	struct ntlm_targetinfo ti;
	uint8_t v2key[16], base[16], exported[16], enc[16], mic[16];
	struct ntlm_rc4 *rc4 = NULL;
	uint8_t *all = NULL;
	size_t mic_offset = 0, total;
	uint32_t flags;
	int rc = -1;

	memset(&t2, 0, sizeof(t2));
	memset(&ti, 0, sizeof(ti));
	if (heim_ntlm_decode_type2(&chal, &t2) != 0) {
		snprintf(err, errlen, "malformed NTLM CHALLENGE");
		return -1;
	}
	flags = t2.flags & (CLIENT_FLAGS | NTLMSSP_NEGOTIATE_TARGET_INFO);
	/* We seal with extended session security and 128-bit keys only. */
	if ((flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) == 0 ||
	    (flags & NTLMSSP_NEGOTIATE_128) == 0 || (flags & NTLMSSP_NEGOTIATE_SEAL) == 0 ||
	    (flags & NTLMSSP_NEGOTIATE_UNICODE) == 0 || t2.targetinfo.length == 0) {
		snprintf(err, errlen, "the server's CHALLENGE refuses NTLMv2 sealing "
				      "(flags 0x%08x)", (unsigned)t2.flags);
		goto out;
	}
	/* 3.1.5.1.2: MsvAvFlags MIC present, then the MIC over the three
	 * messages (integrity of the negotiation). */
	if (heim_ntlm_decode_targetinfo(&t2.targetinfo, 1, &ti) != 0) {
		snprintf(err, errlen, "malformed target info in the CHALLENGE");
		goto out;
	}
	ti.avflags |= NTLM_AV_FLAG_MIC_PRESENT;
	if (heim_ntlm_encode_targetinfo(&ti, 1, &ti_buf) != 0 ||
	    heim_ntlm_nt_key((const char *)c->password->data, &nt_key) != 0 ||
	    heim_ntlm_calculate_ntlm2(nt_key.data, nt_key.length, c->user, c->domain, t2.challenge,
				      &ti_buf, v2key, &answer) != 0 ||
	    heim_ntlm_calculate_lm2(nt_key.data, nt_key.length, c->user, c->domain, t2.challenge,
				    v2key, &lm) != 0 ||
	    answer.length < 16) {
		snprintf(err, errlen, "cannot compute the NTLMv2 response");
		goto out;
	}
	/* 3.3.2: SessionBaseKey = HMAC_MD5(ResponseKeyNT, NTProofStr), the
	 * KeyExchangeKey for NTLMv2 (3.4.5.1); 3.1.5.1.2: with KEY_EXCH the
	 * ExportedSessionKey is random, sent as RC4K(KeyExchangeKey, it). */
	if (!NT_STATUS_IS_OK(crypto_hmac(CRYPTO_MD_MD5, v2key, 16, answer.data, 16, base))) {
		snprintf(err, errlen, "cannot compute the session key");
		goto out;
	}
	if (flags & NTLMSSP_NEGOTIATE_KEY_EXCH) {
		if (!NT_STATUS_IS_OK(crypto_random(exported, sizeof(exported))) ||
		    !NT_STATUS_IS_OK(ntlm_rc4_new(c->mem, base, sizeof(base), &rc4)) ||
		    !NT_STATUS_IS_OK(ntlm_rc4_crypt(rc4, exported, enc, sizeof(enc)))) {
			snprintf(err, errlen, "cannot exchange the session key");
			goto out;
		}
	} else {
		memcpy(exported, base, sizeof(exported));
	}
	memset(&t3, 0, sizeof(t3));
	t3.flags = flags;
	t3.username = c->user;
	t3.targetname = c->domain;
	t3.ws = c->workstation;
	t3.lm = lm;
	t3.ntlm = answer;
	if (flags & NTLMSSP_NEGOTIATE_KEY_EXCH) {
		t3.sessionkey.data = enc;
		t3.sessionkey.length = sizeof(enc);
	}
	if (heim_ntlm_encode_type3(&t3, &msg, &mic_offset) != 0 || mic_offset + 16 > msg.length) {
		snprintf(err, errlen, "cannot build the AUTHENTICATE message");
		goto out;
	}
	total = c->negotiate_len + in_len + msg.length;
	all = talloc_size(c->mem, total);
	if (all == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	memcpy(all, c->negotiate, c->negotiate_len);
	memcpy(all + c->negotiate_len, in, in_len);
	memcpy(all + c->negotiate_len + in_len, msg.data, msg.length);
	if (!NT_STATUS_IS_OK(crypto_hmac(CRYPTO_MD_MD5, exported, 16, all, total, mic))) {
		snprintf(err, errlen, "cannot compute the MIC");
		goto out;
	}
	memcpy((uint8_t *)msg.data + mic_offset, mic, 16);
	if (!NT_STATUS_IS_OK(ntlm_session_new(c->mem, exported, flags, false, &c->session))) {
		snprintf(err, errlen, "cannot derive the sealing keys");
		goto out;
	}
	rc = out_copy(msg.data, msg.length, out, out_len);
out:
	talloc_free(all);
	talloc_free(rc4);
	crypto_wipe(exported, sizeof(exported));
	crypto_wipe(v2key, sizeof(v2key));
	crypto_wipe(base, sizeof(base));
	if (nt_key.data != NULL) {
		crypto_wipe(nt_key.data, nt_key.length);
	}
	heim_ntlm_free_buf(&msg);
	heim_ntlm_free_buf(&lm);
	heim_ntlm_free_buf(&answer);
	heim_ntlm_free_buf(&nt_key);
	heim_ntlm_free_buf(&ti_buf);
	heim_ntlm_free_targetinfo(&ti);
	heim_ntlm_free_type2(&t2);
	return rc;
}

static int nc_step(void *ctx, const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len,
		   uint32_t *status, char *err, size_t errlen)
{
	struct ntlm_client *c = ctx;

	*out = NULL;
	*out_len = 0;
	c->step++;
	if (c->step == 1 && in == NULL) {
		if (client_negotiate(c, out, out_len) != 0) {
			snprintf(err, errlen, "cannot build the NEGOTIATE message");
			return -1;
		}
		return 0;
	}
	if (c->step == 2 && in != NULL) {
		return client_authenticate(c, in, in_len, out, out_len, err, errlen) == 0 ? 1 : -1;
	}
	snprintf(err, errlen, "unexpected NTLM token at step %d", c->step);
	return -1;
}

static int nc_wrap(void *ctx, const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len)
{
	struct ntlm_client *c = ctx;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (c->session == NULL ||
	    !NT_STATUS_IS_OK(ntlm_session_seal(c->session, c->mem, in, in_len, &buf, &len))) {
		return -1;
	}
	rc = out_copy(buf, len, out, out_len);
	talloc_free(buf);
	return rc;
}

static int nc_unwrap(void *ctx, const uint8_t *in, size_t in_len, uint8_t **out,
		     size_t *out_len)
{
	struct ntlm_client *c = ctx;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (c->session == NULL ||
	    !NT_STATUS_IS_OK(ntlm_session_unseal(c->session, c->mem, in, in_len, &buf, &len))) {
		return -1;
	}
	rc = out_copy(buf, len, out, out_len);
	crypto_wipe(buf, len);
	talloc_free(buf);
	return rc;
}

static const char *nc_peer_name(void *ctx)
{
	return NULL; /* NTLM does not authenticate the server */
}

static void nc_free(void *ctx)
{
	struct ntlm_client *c = ctx;

	talloc_free(c->mem);
	free(c);
}

static const struct credssp_mech_ops ntlm_client_ops = {
	.name = "NTLM",
	.step = nc_step,
	.wrap = nc_wrap,
	.unwrap = nc_unwrap,
	.peer_name = nc_peer_name,
	.free = nc_free,
};

int credssp_ntlm_client_new(const struct credssp_ntlm_client_opts *o,
			    const struct credssp_mech_ops **ops, void **mech_ctx, char *err,
			    size_t errlen)
{
	struct ntlm_client *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->mem = talloc_new(NULL)) == NULL) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (o->user == NULL || o->password == NULL) {
		nc_free(c);
		snprintf(err, errlen, "NTLM needs a user and a password");
		return -1;
	}
	c->user = talloc_strdup(c->mem, o->user);
	c->domain = talloc_strdup(c->mem, o->domain != NULL ? o->domain : "");
	c->workstation = talloc_strdup(c->mem, o->workstation != NULL ? o->workstation
								      : "WORKSTATION");
	c->password = crypto_secret_dup(c->mem, o->password->data, o->password->len);
	if (c->user == NULL || c->domain == NULL || c->workstation == NULL || c->password == NULL) {
		nc_free(c);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*ops = &ntlm_client_ops;
	*mech_ctx = c;
	return 0;
}

struct ntlm_session *credssp_ntlm_client_session(void *mech_ctx)
{
	struct ntlm_client *c = mech_ctx;
	return c != NULL ? c->session : NULL;
}
