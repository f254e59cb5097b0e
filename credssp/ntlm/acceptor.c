/*
 * acceptor.c: the NTLMSSP acceptor (MS-NLMP 3.2.5, server side of
 * connection-oriented NTLM): NEGOTIATE in, CHALLENGE out, AUTHENTICATE
 * in, NTLMv2 only.
 *
 * The messages go through Heimdal's libheimntlm (heim_ntlm_decode_type1,
 * heim_ntlm_encode_targetinfo, heim_ntlm_encode_type2,
 * heim_ntlm_decode_type3); what this file adds is the server's policy,
 * which Heimdal's own acceptor (lib/gssapi/ntlm/accept_sec_context.c)
 * leaves to its KDC-digest backend: which flags we answer, NTLMv2 only,
 * the MIC, the key exchange, and the backend call.
 *
 * Decisions, each with the section it implements:
 * - 2.2.2.5 flags: the client must offer UNICODE, EXTENDED_SESSIONSECURITY
 *   and 128 (FreeRDP and Windows do); we answer with those, NTLM,
 *   TARGET_INFO, REQUEST_TARGET, TARGET_TYPE_DOMAIN, and echo SIGN, SEAL,
 *   ALWAYS_SIGN, KEY_EXCH and VERSION when offered.  LM_KEY, 56-bit, OEM
 *   and anonymous are never answered.
 * - 2.2.1.2 CHALLENGE TargetInfo: MsvAvNbComputerName, MsvAvNbDomainName,
 *   MsvAvDnsComputerName, MsvAvDnsDomainName (when known) and
 *   MsvAvTimestamp (so 3.1.5.1.2: the client sends a MIC).
 * - 3.3.2: an NT response of 24 bytes is NTLMv1 (or NTLM2 session
 *   response, also v1): refused (NT_STATUS_NOT_SUPPORTED); LM responses
 *   are never checked; an empty user with no NT response is anonymous:
 *   refused.  CredSSP sends credentials to the server, so accepting a
 *   downgraded response would hand them to whoever can break NTLMv1.
 * - 3.2.5.1.2: KeyExchangeKey = SessionBaseKey (NTLMv2); with KEY_EXCH
 *   ExportedSessionKey = RC4K(KeyExchangeKey, EncryptedRandomSessionKey),
 *   which must be 16 bytes.  RC4K is ours (rc4.c): heimntlm.h declares
 *   heim_ntlm_keyex_unwrap, heim_ntlm_v2_base_session and
 *   heim_ntlm_unix2ts_time, but libheimntlm.so does not export them
 *   (Heimdal lib/ntlm/version-script.map), so they cannot be linked.
 * - 3.2.5.1.2: when the client's MsvAvFlags has 0x2 the MIC must be
 *   present and equal HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE
 *   || AUTHENTICATE with the MIC zeroed); compared in constant time.
 *   A mismatch is NT_STATUS_INVALID_PARAMETER, as in Samba's
 *   auth/ntlmssp/ntlmssp_server.c.
 */
#include <ctype.h>
#include <string.h>
#include <time.h>

#include <stdint.h>
#include <time.h>
#include <heimntlm.h> /* needs stdint.h and time.h first */

#include "crypto/crypto.h"
#include "credssp/ntlm/ntlm.h"
#include "credssp/ntlm/rc4.h"

enum acceptor_state { WANT_NEGOTIATE, WANT_AUTHENTICATE, DONE, FAILED };

/* Names longer than this (UTF-8 bytes) are refused: Windows' are 256
 * UTF-16 units at most (MS-NLMP has no limit). */
#define NTLM_MAX_NAME 1024

struct ntlm_acceptor {
	enum acceptor_state state;
	char *nb_computer, *nb_domain, *dns_computer, *dns_domain;
	const struct ntlm_backend *backend;
	uint32_t flags;
	uint8_t challenge[NTLM_CHALLENGE_LEN];
	uint8_t *negotiate, *challenge_msg; /* kept for the MIC */
	size_t negotiate_len, challenge_msg_len;
	uint8_t exported_key[NTLM_KEY_LEN];
	struct ntlm_session *session;
	char *peer_name;
	bool mic_present;
};

static int acceptor_destructor(struct ntlm_acceptor *a)
{
	crypto_wipe(a->exported_key, sizeof(a->exported_key));
	crypto_wipe(a->challenge, sizeof(a->challenge));
	return 0;
}

NTSTATUS ntlm_acceptor_new(TALLOC_CTX *mem_ctx, const struct ntlm_server_names *names,
			   const struct ntlm_backend *backend, struct ntlm_acceptor **out)
{
	struct ntlm_acceptor *a;

	if (names == NULL || names->nb_computer == NULL || names->nb_domain == NULL ||
	    names->nb_computer[0] == '\0' || names->nb_domain[0] == '\0' ||
	    backend == NULL || backend->validate == NULL) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	a = talloc_zero(mem_ctx, struct ntlm_acceptor);
	if (a == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	talloc_set_destructor(a, acceptor_destructor);
	a->nb_computer = talloc_strdup(a, names->nb_computer);
	a->nb_domain = talloc_strdup(a, names->nb_domain);
	a->dns_computer = names->dns_computer ? talloc_strdup(a, names->dns_computer) : NULL;
	a->dns_domain = names->dns_domain ? talloc_strdup(a, names->dns_domain) : NULL;
	if (a->nb_computer == NULL || a->nb_domain == NULL ||
	    (names->dns_computer != NULL && a->dns_computer == NULL) ||
	    (names->dns_domain != NULL && a->dns_domain == NULL)) {
		talloc_free(a);
		return NT_STATUS_NO_MEMORY;
	}
	a->backend = backend;
	a->state = WANT_NEGOTIATE;
	*out = a;
	return NT_STATUS_OK;
}

/* FILETIME: 100 ns units since 1601-01-01 (MS-DTYP 2.3.3). */
static uint64_t unix_to_filetime(time_t t)
{
	return ((uint64_t)t + 11644473600u) * 10000000u;
}

/* Copies a buffer libheimntlm allocated onto mem_ctx. */
static uint8_t *dup_buf(TALLOC_CTX *mem_ctx, const struct ntlm_buf *b)
{
	return talloc_memdup(mem_ctx, b->data, b->length > 0 ? b->length : 1);
}

static NTSTATUS on_negotiate(struct ntlm_acceptor *a, TALLOC_CTX *mem_ctx,
			     const uint8_t *in, size_t in_len, uint8_t **out,
			     size_t *out_len, const char **reason)
{
	struct ntlm_buf buf = { in_len, (void *)in };
	struct ntlm_type1 t1;
	struct ntlm_type2 t2;
	struct ntlm_targetinfo ti;
	struct ntlm_buf ti_buf = { 0, NULL }, msg = { 0, NULL };
	uint32_t offered, flags;
	uint8_t *reply;
	NTSTATUS st;

	uint8_t *copy = NULL;

	/*
	 * MS-NLMP 2.2.1.1: the NEGOTIATE's DomainName and Workstation are
	 * always OEM, but libheimntlm's heim_ntlm_decode_type1
	 * (lib/ntlm/ntlm.c) reads them as UTF-16 when UNICODE is offered,
	 * and refuses an odd length: a Windows 7 client's NEGOTIATE with
	 * NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED (domain "GLYCERINE",
	 * tests/vectors/credssp/spnego_ntlm_windows.txt) fails there.  We
	 * use neither name, so a copy without the two "supplied" flags is
	 * decoded; the flags offered and the bytes kept for the MIC are the
	 * client's own.
	 */
	if (in_len >= 16 && (in[13] & 0x30) != 0) {
		copy = talloc_memdup(mem_ctx, in, in_len);
		if (copy == NULL) {
			return NT_STATUS_NO_MEMORY;
		}
		copy[13] &= (uint8_t)~0x30; /* 0x1000 and 0x2000 of the flags */
		buf.data = copy;
	}
	if (heim_ntlm_decode_type1(&buf, &t1) != 0) {
		talloc_free(copy);
		crypto_set_reason(reason, "malformed NEGOTIATE message");
		return NT_STATUS_INVALID_PARAMETER;
	}
	talloc_free(copy);
	offered = t1.flags | (in_len >= 16 ? ((uint32_t)(in[13] & 0x30) << 8) : 0);
	heim_ntlm_free_type1(&t1);
	if (!(offered & NTLMSSP_NEGOTIATE_UNICODE)) {
		crypto_set_reason(reason, "the client does not offer Unicode (OEM is refused)");
		return NT_STATUS_NOT_SUPPORTED;
	}
	if (!(offered & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) ||
	    !(offered & NTLMSSP_NEGOTIATE_128)) {
		crypto_set_reason(reason, "the client does not offer extended session "
					  "security with 128-bit keys");
		return NT_STATUS_NOT_SUPPORTED;
	}
	flags = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_NTLM |
		NTLMSSP_TARGET_TYPE_DOMAIN | NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
		NTLMSSP_NEGOTIATE_TARGET_INFO | NTLMSSP_NEGOTIATE_128;
	flags |= offered & (NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL |
			    NTLMSSP_NEGOTIATE_ALWAYS_SIGN | NTLMSSP_NEGOTIATE_KEY_EXCH |
			    NTLMSSP_NEGOTIATE_VERSION);

	st = crypto_random(a->challenge, sizeof(a->challenge));
	if (!NT_STATUS_IS_OK(st)) {
		return st;
	}
	memset(&ti, 0, sizeof(ti));
	ti.servername = a->nb_computer;
	ti.domainname = a->nb_domain;
	ti.dnsservername = a->dns_computer;
	ti.dnsdomainname = a->dns_domain;
	ti.timestamp = unix_to_filetime(time(NULL));
	if (heim_ntlm_encode_targetinfo(&ti, 1, &ti_buf) != 0) {
		return NT_STATUS_NO_MEMORY;
	}
	memset(&t2, 0, sizeof(t2));
	t2.flags = flags;
	t2.targetname = a->nb_domain;
	t2.targetinfo = ti_buf;
	memcpy(t2.challenge, a->challenge, sizeof(t2.challenge));
	if (heim_ntlm_encode_type2(&t2, &msg) != 0) {
		heim_ntlm_free_buf(&ti_buf);
		return NT_STATUS_NO_MEMORY;
	}
	heim_ntlm_free_buf(&ti_buf);

	a->negotiate = talloc_memdup(a, in, in_len);
	a->challenge_msg = dup_buf(a, &msg);
	reply = dup_buf(mem_ctx, &msg);
	if (a->negotiate == NULL || a->challenge_msg == NULL || reply == NULL) {
		heim_ntlm_free_buf(&msg);
		talloc_free(reply);
		return NT_STATUS_NO_MEMORY;
	}
	a->negotiate_len = in_len;
	a->challenge_msg_len = msg.length;
	a->flags = flags;
	*out = reply;
	*out_len = msg.length;
	heim_ntlm_free_buf(&msg);
	return NT_STATUS_MORE_PROCESSING_REQUIRED;
}

/*
 * The NTLMv2_CLIENT_CHALLENGE after NTProofStr (2.2.2.7): RespType 1,
 * HiRespType 1, reserved, TimeStamp, ChallengeFromClient, reserved, then
 * the AV pairs (2.2.2.1), of which we read MsvAvFlags.
 *
 * The AV pairs are walked here rather than with heim_ntlm_decode_targetinfo:
 * Heimdal's decoder (lib/ntlm/ntlm.c) overwrites a string field without
 * freeing it when a pair repeats, and keeps what it decoded when it fails,
 * so a hostile client could make the server leak memory at every logon
 * (found by fuzz_credssp_ntlm_acceptor).  The walk: each pair is AvId,
 * AvLen and AvLen bytes, all inside the blob; MsAvEOL ends the list; a
 * missing MsvAvEOL, a truncated pair, a repeated or wrongly sized
 * MsvAvFlags is malformed.  Bytes after MsvAvEOL are allowed (Windows and
 * the 4.2.4 example pad with zeros).
 */
#define MSV_AV_EOL 0
#define MSV_AV_FLAGS 6

static NTSTATUS client_av_flags(const uint8_t *resp, size_t len, uint32_t *av_flags,
				const char **reason)
{
	struct cursor c, value;
	uint8_t resp_type, hi_resp_type;
	uint16_t id, n;
	bool seen_flags = false;
	uint32_t flags = 0;

	cursor_init(&c, resp, len);
	if (!cursor_skip(&c, 16) || !cursor_get_u8(&c, &resp_type) ||
	    !cursor_get_u8(&c, &hi_resp_type) || !cursor_skip(&c, 26)) {
		crypto_set_reason(reason, "NTLMv2 response too short");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (resp_type != 1 || hi_resp_type != 1) {
		crypto_set_reason(reason, "NTLMv2 response of an unknown version");
		return NT_STATUS_INVALID_PARAMETER;
	}
	for (;;) {
		if (!cursor_get_u16le(&c, &id) || !cursor_get_u16le(&c, &n) ||
		    !cursor_get_sub(&c, &value, n)) {
			crypto_set_reason(reason, "truncated AV pairs in the NTLMv2 response");
			return NT_STATUS_INVALID_PARAMETER;
		}
		if (id == MSV_AV_EOL) {
			break;
		}
		if (id == MSV_AV_FLAGS) {
			if (seen_flags || !cursor_get_u32le(&value, &flags)) {
				crypto_set_reason(reason, "repeated or malformed MsvAvFlags");
				return NT_STATUS_INVALID_PARAMETER;
			}
			seen_flags = true;
		}
	}
	*av_flags = flags;
	return NT_STATUS_OK;
}

static NTSTATUS check_mic(struct ntlm_acceptor *a, const uint8_t *in, size_t in_len,
			  const struct ntlm_type3 *t3, const char **reason)
{
	size_t total;
	uint8_t *all, mic[CRYPTO_MD5_LEN];
	NTSTATUS st;

	if (t3->mic_offset == 0 || t3->mic_offset > in_len || in_len - t3->mic_offset < 16) {
		crypto_set_reason(reason, "MsvAvFlags announces a MIC the AUTHENTICATE "
					  "message does not carry");
		return NT_STATUS_INVALID_PARAMETER;
	}
	total = a->negotiate_len + a->challenge_msg_len + in_len;
	all = talloc_size(NULL, total);
	if (all == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	memcpy(all, a->negotiate, a->negotiate_len);
	memcpy(all + a->negotiate_len, a->challenge_msg, a->challenge_msg_len);
	memcpy(all + a->negotiate_len + a->challenge_msg_len, in, in_len);
	memset(all + a->negotiate_len + a->challenge_msg_len + t3->mic_offset, 0, 16);
	st = crypto_hmac(CRYPTO_MD_MD5, a->exported_key, NTLM_KEY_LEN, all, total, mic);
	talloc_free(all);
	if (NT_STATUS_IS_OK(st) && !crypto_memequal(mic, t3->mic, 16)) {
		crypto_set_reason(reason, "the MIC does not verify");
		st = NT_STATUS_INVALID_PARAMETER;
	}
	crypto_wipe(mic, sizeof(mic));
	return st;
}

/* Printable names for peer_name: control characters become '?'. */
static char *printable(TALLOC_CTX *mem_ctx, const char *domain, const char *user)
{
	char *s = talloc_asprintf(mem_ctx, "%s\\%s", domain, user);
	size_t i;

	for (i = 0; s != NULL && s[i] != '\0'; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			s[i] = '?';
		}
	}
	return s;
}

static NTSTATUS on_authenticate(struct ntlm_acceptor *a, const uint8_t *in, size_t in_len,
				const char **reason)
{
	struct ntlm_buf buf = { in_len, (void *)in };
	struct ntlm_type3 t3;
	struct ntlm_auth_request req;
	uint8_t base_key[NTLM_KEY_LEN];
	struct ntlm_rc4 *rc4 = NULL;
	uint32_t flags, av_flags = 0;
	char *user = NULL, *domain = NULL;
	TALLOC_CTX *tmp;
	NTSTATUS st;

	if (heim_ntlm_decode_type3(&buf, 1, &t3) != 0) {
		crypto_set_reason(reason, "malformed AUTHENTICATE message");
		return NT_STATUS_INVALID_PARAMETER;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		st = NT_STATUS_NO_MEMORY;
		goto out;
	}
	/* The flags the client settles on (2.2.1.3); absent in very old clients. */
	flags = a->flags;
	if (t3.flags != 0) {
		if (!(t3.flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) ||
		    !(t3.flags & NTLMSSP_NEGOTIATE_128) || !(t3.flags & NTLMSSP_NEGOTIATE_UNICODE)) {
			st = NT_STATUS_INVALID_PARAMETER;
			crypto_set_reason(reason, "AUTHENTICATE drops flags the CHALLENGE required");
			goto out;
		}
		flags &= t3.flags | ~(uint32_t)(NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_SIGN |
						NTLMSSP_NEGOTIATE_SEAL);
	}
	if (t3.username == NULL || t3.targetname == NULL) {
		st = NT_STATUS_INVALID_PARAMETER;
		crypto_set_reason(reason, "AUTHENTICATE without user or domain");
		goto out;
	}
	if (t3.ntlm.length == 0 && t3.username[0] == '\0') {
		st = NT_STATUS_LOGON_FAILURE;
		crypto_set_reason(reason, "anonymous logon refused");
		goto out;
	}
	if (t3.ntlm.length == 24 || (t3.ntlm.length == 0 && t3.lm.length > 0)) {
		st = NT_STATUS_NOT_SUPPORTED;
		crypto_set_reason(reason, "NTLMv1/LM response refused: the client must use NTLMv2 "
					  "(LmCompatibilityLevel 3 or more)");
		goto out;
	}
	if (t3.username[0] == '\0' || strlen(t3.username) > NTLM_MAX_NAME ||
	    strlen(t3.targetname) > NTLM_MAX_NAME ||
	    (t3.ws != NULL && strlen(t3.ws) > NTLM_MAX_NAME)) {
		st = NT_STATUS_INVALID_PARAMETER;
		crypto_set_reason(reason, "user, domain or workstation name empty or too long");
		goto out;
	}
	st = client_av_flags(t3.ntlm.data, t3.ntlm.length, &av_flags, reason);
	if (!NT_STATUS_IS_OK(st)) {
		goto out;
	}

	memset(&req, 0, sizeof(req));
	req.user = t3.username;
	req.domain = t3.targetname;
	req.workstation = t3.ws != NULL ? t3.ws : "";
	memcpy(req.server_challenge, a->challenge, NTLM_CHALLENGE_LEN);
	req.nt_response = t3.ntlm.data;
	req.nt_response_len = t3.ntlm.length;
	req.lm_response = t3.lm.data;
	req.lm_response_len = t3.lm.length;
	st = a->backend->validate(a->backend->priv, tmp, &req, base_key, &user, &domain, reason);
	if (!NT_STATUS_IS_OK(st)) {
		goto out;
	}

	/* KeyExchangeKey = SessionBaseKey for NTLMv2 (3.4.5.1). */
	if (flags & NTLMSSP_NEGOTIATE_KEY_EXCH) {
		if (t3.sessionkey.length != NTLM_KEY_LEN) {
			st = NT_STATUS_INVALID_PARAMETER;
			crypto_set_reason(reason, "KEY_EXCH without a 16-byte "
						  "EncryptedRandomSessionKey");
			goto out;
		}
		st = ntlm_rc4_new(tmp, base_key, NTLM_KEY_LEN, &rc4);
		if (NT_STATUS_IS_OK(st)) {
			st = ntlm_rc4_crypt(rc4, t3.sessionkey.data, a->exported_key,
					    NTLM_KEY_LEN);
		}
		if (!NT_STATUS_IS_OK(st)) {
			crypto_set_reason(reason, "RC4 (OpenSSL legacy provider) unavailable");
			goto out;
		}
	} else {
		memcpy(a->exported_key, base_key, NTLM_KEY_LEN);
	}
	if (av_flags & NTLM_AV_FLAG_MIC_PRESENT) {
		st = check_mic(a, in, in_len, &t3, reason);
		if (!NT_STATUS_IS_OK(st)) {
			goto out;
		}
		a->mic_present = true;
	}
	st = ntlm_session_new(a, a->exported_key, flags, true, &a->session);
	if (!NT_STATUS_IS_OK(st)) {
		crypto_set_reason(reason, "cannot set up session security");
		goto out;
	}
	a->peer_name = printable(a, domain, user);
	if (a->peer_name == NULL) {
		st = NT_STATUS_NO_MEMORY;
		goto out;
	}
	a->flags = flags;
out:
	if (!NT_STATUS_IS_OK(st)) {
		crypto_wipe(a->exported_key, sizeof(a->exported_key));
		TALLOC_FREE(a->session);
	}
	crypto_wipe(base_key, sizeof(base_key));
	if (t3.sessionkey.data != NULL) {
		crypto_wipe(t3.sessionkey.data, t3.sessionkey.length);
	}
	heim_ntlm_free_type3(&t3);
	talloc_free(tmp);
	return st;
}

NTSTATUS ntlm_acceptor_step(struct ntlm_acceptor *a, TALLOC_CTX *mem_ctx,
			    const uint8_t *in, size_t in_len, uint8_t **out,
			    size_t *out_len, const char **reason)
{
	NTSTATUS st;

	*out = NULL;
	*out_len = 0;
	if (a->state == DONE || a->state == FAILED) {
		crypto_set_reason(reason, "NTLM exchange already finished");
		return NT_STATUS_INVALID_DEVICE_STATE;
	}
	if (in == NULL || in_len == 0 || in_len > NTLM_MAX_TOKEN) {
		a->state = FAILED;
		crypto_set_reason(reason, "empty or over-long NTLM token");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (a->state == WANT_NEGOTIATE) {
		st = on_negotiate(a, mem_ctx, in, in_len, out, out_len, reason);
		a->state = NT_STATUS_EQUAL(st, NT_STATUS_MORE_PROCESSING_REQUIRED)
				   ? WANT_AUTHENTICATE : FAILED;
		return st;
	}
	st = on_authenticate(a, in, in_len, reason);
	a->state = NT_STATUS_IS_OK(st) ? DONE : FAILED;
	return st;
}

const char *ntlm_acceptor_peer_name(const struct ntlm_acceptor *a)
{
	return a->state == DONE ? a->peer_name : NULL;
}

struct ntlm_session *ntlm_acceptor_session(struct ntlm_acceptor *a)
{
	return a->state == DONE ? a->session : NULL;
}

bool ntlm_acceptor_mic_present(const struct ntlm_acceptor *a)
{
	return a->state == DONE && a->mic_present;
}

uint32_t ntlm_acceptor_flags(const struct ntlm_acceptor *a)
{
	return a->state == DONE ? a->flags : 0;
}

bool ntlm_acceptor_session_key(const struct ntlm_acceptor *a, uint8_t key[NTLM_KEY_LEN])
{
	if (a->state != DONE) {
		return false;
	}
	memcpy(key, a->exported_key, NTLM_KEY_LEN);
	return true;
}

NTSTATUS ntlm_acceptor_seal(struct ntlm_acceptor *a, TALLOC_CTX *mem_ctx, const uint8_t *in,
			    size_t len, uint8_t **out, size_t *out_len)
{
	if (a->state != DONE) {
		return NT_STATUS_INVALID_DEVICE_STATE;
	}
	return ntlm_session_seal(a->session, mem_ctx, in, len, out, out_len);
}

NTSTATUS ntlm_acceptor_unseal(struct ntlm_acceptor *a, TALLOC_CTX *mem_ctx, const uint8_t *in,
			      size_t len, uint8_t **out, size_t *out_len)
{
	if (a->state != DONE) {
		return NT_STATUS_INVALID_DEVICE_STATE;
	}
	return ntlm_session_unseal(a->session, mem_ctx, in, len, out, out_len);
}
