/*
 * ntlm.h: the server side of NTLM (MS-NLMP) for CredSSP: an NTLMSSP
 * acceptor (NEGOTIATE -> CHALLENGE -> AUTHENTICATE, NTLMv2 only), two
 * ways to validate the client's response (winbind on a joined member, a
 * FreeRDP SAM file on a standalone host), and the session security
 * (sealing) that CredSSP's pubKeyAuth and authInfo travel in.
 *
 * Why this is written here and not taken from a library: credssp/ntlm/README.md.
 *
 * Errors are NTSTATUS (crypto/ms/status.h).  Authentication failures are
 * the codes Windows reports to a CredSSP client: NT_STATUS_LOGON_FAILURE
 * (unknown user or wrong password), NT_STATUS_ACCOUNT_DISABLED,
 * NT_STATUS_ACCOUNT_LOCKED_OUT, NT_STATUS_PASSWORD_EXPIRED, ...;
 * malformed or refused tokens are NT_STATUS_INVALID_PARAMETER (with a
 * reason), NTLMv1/LM responses NT_STATUS_NOT_SUPPORTED.  Nothing here logs
 * a hash, a response or a key.
 */
#ifndef CREDSSP_NTLM_NTLM_H
#define CREDSSP_NTLM_NTLM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "crypto/ms/status.h"

#define NTLM_CHALLENGE_LEN 8
#define NTLM_KEY_LEN 16
#define NTLM_SIGNATURE_LEN 16
/* The largest NTLM token we take (MS-NLMP has no limit; real AUTHENTICATE
 * messages are well under 2 KiB, FreeRDP's with channel bindings too). */
#define NTLM_MAX_TOKEN 65535
/* The largest message sealed or unsealed (CredSSP's are at most 64 KiB). */
#define NTLM_MAX_SEAL (1u << 20)

/* NEGOTIATE flags (MS-NLMP 2.2.2.5), by the specification's names. */
#define NTLMSSP_NEGOTIATE_UNICODE 0x00000001u
#define NTLMSSP_REQUEST_TARGET 0x00000004u
#define NTLMSSP_NEGOTIATE_SIGN 0x00000010u
#define NTLMSSP_NEGOTIATE_SEAL 0x00000020u
#define NTLMSSP_NEGOTIATE_LM_KEY 0x00000080u
#define NTLMSSP_NEGOTIATE_NTLM 0x00000200u
#define NTLMSSP_NEGOTIATE_ANONYMOUS 0x00000800u
#define NTLMSSP_NEGOTIATE_ALWAYS_SIGN 0x00008000u
#define NTLMSSP_TARGET_TYPE_DOMAIN 0x00010000u
#define NTLMSSP_TARGET_TYPE_SERVER 0x00020000u
#define NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY 0x00080000u
#define NTLMSSP_NEGOTIATE_TARGET_INFO 0x00800000u
#define NTLMSSP_NEGOTIATE_VERSION 0x02000000u
#define NTLMSSP_NEGOTIATE_128 0x20000000u
#define NTLMSSP_NEGOTIATE_KEY_EXCH 0x40000000u
#define NTLMSSP_NEGOTIATE_56 0x80000000u

/* MsvAvFlags bit 0x2: the AUTHENTICATE message carries a MIC (2.2.2.1). */
#define NTLM_AV_FLAG_MIC_PRESENT 0x00000002u

/* ---- validation backends ------------------------------------------------ */

/*
 * struct ntlm_auth_request: what a backend needs to check one NTLMv2
 * response.  Strings are UTF-8 as the client sent them; the buffers point
 * into the acceptor's copy of the AUTHENTICATE message.
 */
struct ntlm_auth_request {
	const char *user;
	const char *domain;
	const char *workstation;
	uint8_t server_challenge[NTLM_CHALLENGE_LEN];
	const uint8_t *nt_response; /* NTProofStr || NTLMv2_CLIENT_CHALLENGE */
	size_t nt_response_len;
	const uint8_t *lm_response;
	size_t lm_response_len;
};

/*
 * struct ntlm_backend: validates a response and returns the
 * SessionBaseKey (MS-NLMP 3.3.2) and the account's canonical names.
 * |validate| returns NT_STATUS_OK and sets |session_base_key|, |*user|
 * and |*domain| (talloc strings on mem_ctx), or a failure NTSTATUS with
 * nothing set.  |name| appears in log lines ("winbind", "samfile").
 */
struct ntlm_backend {
	const char *name;
	NTSTATUS (*validate)(void *priv, TALLOC_CTX *mem_ctx,
			     const struct ntlm_auth_request *req,
			     uint8_t session_base_key[NTLM_KEY_LEN],
			     char **user, char **domain, const char **reason);
	void *priv;
};

/*
 * ntlm_backend_winbind: validation through winbindd on a joined member
 * (libwbclient's wbcAuthenticateUserEx, WBC_AUTH_USER_LEVEL_RESPONSE: the
 * DC checks the response and returns the user session key).  The backend
 * is a talloc object on mem_ctx with no state of its own.
 */
struct ntlm_backend *ntlm_backend_winbind(TALLOC_CTX *mem_ctx);

/*
 * ntlm_backend_samfile: validation against a local user file in FreeRDP's
 * SAM format (`winpr-hash -u USER -p PASS [-d DOMAIN] -f sam` lines,
 * "USER:DOMAIN:LMHASH:NTHASH:::"; credssp/ntlm/samfile.c says which
 * rules of FreeRDP's reader are kept).  The file is read again at each
 * authentication, as FreeRDP does, so edits apply without a restart; a
 * file with any malformed line is refused as a whole
 * (NT_STATUS_INTERNAL_DB_CORRUPTION from validate; an unreadable file is
 * NT_STATUS_OBJECT_NAME_NOT_FOUND or the errno's status).
 */
struct ntlm_backend *ntlm_backend_samfile(TALLOC_CTX *mem_ctx, const char *path);

/*
 * ntlm_samfile_lookup: the SAM file lookup on its own (for tools and
 * tests): the NT hash of |user| in |domain| (exact, case-sensitive
 * matches, as FreeRDP's SamLookupUserA; then the user's line with an empty
 * domain, as FreeRDP's ntlm_fetch_ntlm_v2_hash).  NT_STATUS_NO_SUCH_USER
 * when no line matches, NT_STATUS_INVALID_PARAMETER (with a reason and
 * the line number in |*line_no|) when the file is malformed.
 */
NTSTATUS ntlm_samfile_lookup(const char *path, const char *user,
			     const char *domain, uint8_t nt_hash[NTLM_KEY_LEN],
			     size_t *line_no, const char **reason)
	CRYPTO_WARN_UNUSED;

/* ---- the acceptor ------------------------------------------------------- */

/*
 * struct ntlm_server_names: what the CHALLENGE message announces
 * (MS-NLMP 2.2.1.2 TargetName and the AV pairs MsvAvNbComputerName,
 * MsvAvNbDomainName, MsvAvDnsComputerName, MsvAvDnsDomainName).  The
 * NetBIOS names are required; the DNS names may be NULL.
 */
struct ntlm_server_names {
	const char *nb_computer;
	const char *nb_domain;
	const char *dns_computer;
	const char *dns_domain;
};

/*
 * ntlm_winbind_server_names fills |names| (strings on mem_ctx) with the
 * joined member's own names as winbindd knows them (wbcInterfaceDetails:
 * NetBIOS name, NetBIOS domain, DNS domain).  With the winbind backend the
 * CHALLENGE must announce these: a Samba DC refuses an NTLMv2 response
 * whose MsvAvNbComputerName is not the member's account or whose
 * MsvAvNbDomainName is not the domain (libcli/auth/smbencrypt.c
 * NTLMv2_RESPONSE_verify_netlogon_creds), and Windows DCs check the same.
 * NT_STATUS_NO_LOGON_SERVERS when winbindd does not answer.
 */
NTSTATUS ntlm_winbind_server_names(TALLOC_CTX *mem_ctx, struct ntlm_server_names *names)
	CRYPTO_WARN_UNUSED;

struct ntlm_acceptor; /* talloc object; freeing it wipes its keys */

/*
 * ntlm_acceptor_new starts an acceptor that validates with |backend|
 * (which must outlive it).  The names are copied.
 */
NTSTATUS ntlm_acceptor_new(TALLOC_CTX *mem_ctx, const struct ntlm_server_names *names,
			   const struct ntlm_backend *backend,
			   struct ntlm_acceptor **out) CRYPTO_WARN_UNUSED;

/*
 * ntlm_acceptor_step feeds one token from the client.
 *   NEGOTIATE    -> NT_STATUS_MORE_PROCESSING_REQUIRED, *out = CHALLENGE
 *   AUTHENTICATE -> NT_STATUS_OK, *out = NULL: authenticated; the session
 *                   security is ready (ntlm_acceptor_seal/unseal)
 * Any other result is final: the acceptor refuses further steps.
 * |*out| is on mem_ctx.  |reason| (optional) says what was wrong with a
 * refused token.
 */
NTSTATUS ntlm_acceptor_step(struct ntlm_acceptor *a, TALLOC_CTX *mem_ctx,
			    const uint8_t *in, size_t in_len,
			    uint8_t **out, size_t *out_len, const char **reason)
	CRYPTO_WARN_UNUSED;

/* After success: "DOMAIN\user" as the backend names the account. */
const char *ntlm_acceptor_peer_name(const struct ntlm_acceptor *a);
/* After success: the negotiated flags and the ExportedSessionKey. */
uint32_t ntlm_acceptor_flags(const struct ntlm_acceptor *a);
bool ntlm_acceptor_session_key(const struct ntlm_acceptor *a,
			       uint8_t key[NTLM_KEY_LEN]);

/* Session security after success (see ntlm_session_seal/unseal). */
NTSTATUS ntlm_acceptor_seal(struct ntlm_acceptor *a, TALLOC_CTX *mem_ctx,
			    const uint8_t *in, size_t len,
			    uint8_t **out, size_t *out_len) CRYPTO_WARN_UNUSED;
NTSTATUS ntlm_acceptor_unseal(struct ntlm_acceptor *a, TALLOC_CTX *mem_ctx,
			      const uint8_t *in, size_t len,
			      uint8_t **out, size_t *out_len) CRYPTO_WARN_UNUSED;

/* ---- session security (MS-NLMP 3.4, extended session security) -------- */

struct ntlm_session; /* talloc object; freeing it wipes the keys */

/*
 * ntlm_session_new derives the signing and sealing keys (3.4.5.2 SIGNKEY,
 * 3.4.5.3 SEALKEY) from the ExportedSessionKey for one side: |acceptor|
 * true sends with the server-to-client keys and receives with the
 * client-to-server ones.  |flags| must include
 * NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY and NTLMSSP_NEGOTIATE_128
 * (we refuse the 40- and 56-bit seal keys); NTLMSSP_NEGOTIATE_KEY_EXCH
 * decides whether the checksum is encrypted (3.4.4.2).
 */
NTSTATUS ntlm_session_new(TALLOC_CTX *mem_ctx, const uint8_t exported_key[NTLM_KEY_LEN],
			  uint32_t flags, bool acceptor, struct ntlm_session **out)
	CRYPTO_WARN_UNUSED;

/*
 * ntlm_session_seal encrypts |len| bytes and signs them with the next
 * sending sequence number (3.4.3 SEAL, 3.4.4.2 MAC with extended session
 * security).  The output is the 16-byte signature (Version 1, Checksum,
 * SeqNum) followed by the ciphertext: the layout of CredSSP's pubKeyAuth
 * and authInfo for NTLM (FreeRDP nla.c nla_encrypt_public_key_echo: the
 * SECBUFFER_TOKEN of cbSecurityTrailer bytes, then the data).
 */
NTSTATUS ntlm_session_seal(struct ntlm_session *s, TALLOC_CTX *mem_ctx,
			   const uint8_t *in, size_t len,
			   uint8_t **out, size_t *out_len) CRYPTO_WARN_UNUSED;

/*
 * ntlm_session_unseal is the inverse for the next receiving sequence
 * number: NT_STATUS_ACCESS_DENIED when the signature does not verify
 * (nothing is output, and the session is as before: the RC4 state and
 * sequence number advance only on success), NT_STATUS_INVALID_PARAMETER
 * when |len| < 16.
 */
NTSTATUS ntlm_session_unseal(struct ntlm_session *s, TALLOC_CTX *mem_ctx,
			     const uint8_t *in, size_t len,
			     uint8_t **out, size_t *out_len) CRYPTO_WARN_UNUSED;

/*
 * ntlm_session_sign: the 16-byte MAC of |in| (3.4.4.2) with the next
 * sending sequence number, no sealing: SPNEGO's mechListMIC (MS-SPNG
 * 3.3.5.1).  ntlm_session_verify checks one with the next receiving
 * sequence number: NT_STATUS_ACCESS_DENIED when it does not match (the
 * session is then as before), NT_STATUS_INVALID_PARAMETER when |sig_len|
 * is not 16.
 */
NTSTATUS ntlm_session_sign(struct ntlm_session *s, const uint8_t *in, size_t len,
			   uint8_t sig[NTLM_SIGNATURE_LEN]) CRYPTO_WARN_UNUSED;
NTSTATUS ntlm_session_verify(struct ntlm_session *s, const uint8_t *in, size_t len,
			     const uint8_t *sig, size_t sig_len) CRYPTO_WARN_UNUSED;
/*
 * ntlm_session_reset: the RC4 streams back to their start, and the
 * sequence numbers to 0 when |reset_seq|; what SPNEGO does when it
 * completes (session.c says whose behaviour this follows).
 */
NTSTATUS ntlm_session_reset(struct ntlm_session *s, bool reset_seq) CRYPTO_WARN_UNUSED;

/* After success: the acceptor's session security (NULL before), and
 * whether the AUTHENTICATE message carried NTLM's MIC (MsvAvFlags 0x2,
 * which obliges SPNEGO to exchange mechListMICs). */
struct ntlm_session *ntlm_acceptor_session(struct ntlm_acceptor *a);
bool ntlm_acceptor_mic_present(const struct ntlm_acceptor *a);

/* ---- the CredSSP mechanism adapter (ntlm_mech.c) ------------------------ */

struct credssp_mech_ops;

/*
 * Constructors of the CredSSP mechanism: |*ops| is a static table,
 * |*ctx| the mechanism context that ops->free releases.  |names| NULL:
 * with winbind, the member's names (ntlm_winbind_server_names, the only
 * ones its DC accepts); with a SAM file, the host name's NetBIOS form
 * (upper case, at most 15 characters) as computer and domain name.  Tokens are raw
 * NTLMSSP messages (what FreeRDP and mstsc put in negoTokens without
 * SPNEGO).  0 on success, -1 with |err| filled on failure.
 */
int credssp_ntlm_acceptor_new_winbind(const struct ntlm_server_names *names,
				      const struct credssp_mech_ops **ops, void **ctx,
				      char *err, size_t errlen);
int credssp_ntlm_acceptor_new_samfile(const char *path,
				      const struct ntlm_server_names *names,
				      const struct credssp_mech_ops **ops, void **ctx,
				      char *err, size_t errlen);

/* The acceptor inside a mechanism context those constructors made (for
 * the SPNEGO layer, credssp/spnego_ntlm/). */
struct ntlm_acceptor *credssp_ntlm_mech_acceptor(void *ctx);

#endif
