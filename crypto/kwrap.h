/*
 * kwrap.h: Kerberos per-message protection in the crypto core, on OpenSSL.
 *
 *   RFC 3961  the simplified profile: n-fold, key derivation (DK)
 *   RFC 3962  aes128/aes256-cts-hmac-sha1-96 (enctypes 17 and 18)
 *   RFC 4121  wrap tokens with confidentiality, in the DCE style of
 *             MS-KILE 3.4.5.4.1 (no trailer buffer: the token carries
 *             EC filler, the encrypted header copy and the checksum,
 *             rotated by RRC = 28; DCE/RPC header signing through
 *             sign-only regions, MS-RPCE 3.3.1.5.2)
 *
 * Why here and not through GSSAPI: Debian's Heimdal does its AES and SHA-1
 * in software (libhcrypto without OpenSSL), about 17 us per 1 kB sealed
 * and checked on the machines we measure, most of a repeated
 * ExchangePublicKeys call on the client.  OpenSSL uses the CPU's AES and
 * SHA instructions.  GSSAPI still establishes the context; its keys and
 * sequence numbers are taken with gss_krb5_export_lucid_sec_context (what
 * the Linux kernel's RPCSEC_GSS does) and any other enctype stays on
 * gss_wrap_iov.
 *
 * The byte layout follows Heimdal's _gssapi_wrap_cfx_iov and
 * _gssapi_unwrap_cfx_iov (what Samba's DC and Windows accept and send);
 * the unit tests check every primitive against Heimdal's own libkrb5.
 */
#ifndef CRYPTO_KWRAP_H
#define CRYPTO_KWRAP_H

#include "crypto/crypto.h"

#define CRYPTO_KRB5_AES128 17 /* aes128-cts-hmac-sha1-96 */
#define CRYPTO_KRB5_AES256 18 /* aes256-cts-hmac-sha1-96 */

/* Key usages of RFC 4121 section 2. */
#define CRYPTO_KU_ACCEPTOR_SEAL 22
#define CRYPTO_KU_ACCEPTOR_SIGN 23
#define CRYPTO_KU_INITIATOR_SEAL 24
#define CRYPTO_KU_INITIATOR_SIGN 25

/* A DCE-style AES wrap token: header 16, EC filler 16, encrypted header
 * 16, checksum 12, confounder 16. */
#define CRYPTO_KWRAP_DCE_TOKEN_LEN 76

/* crypto_krb5_nfold: RFC 3961 section 5.1, |in| to |out_len| bytes. */
void crypto_krb5_nfold(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len);

/* crypto_krb5_derive: DK(base, constant) for an AES enctype (the key is
 * 16 or 32 bytes, the same length out). */
NTSTATUS crypto_krb5_derive(int enctype, const uint8_t *key, size_t key_len,
			    const uint8_t *constant, size_t constant_len, uint8_t *out);

/* One region of a message.  DATA is encrypted and checksummed in place;
 * SIGN_ONLY is checksummed only.  Regions count in the order given. */
enum crypto_kwrap_region { CRYPTO_KWRAP_DATA, CRYPTO_KWRAP_SIGN_ONLY };
struct crypto_kwrap_iov {
	enum crypto_kwrap_region type;
	uint8_t *p;
	size_t len;
};

struct crypto_kwrap; /* opaque; on talloc, keys wiped when freed */

/*
 * crypto_kwrap_new: a wrap context for one side of an established RFC 4121
 * context.  |key| is the token key (the acceptor subkey when the acceptor
 * sent one, |acceptor_subkey| true; else the initiator's); |send_seq| and
 * |recv_seq| are the next sequence numbers out and in.  Returns
 * NT_STATUS_NOT_SUPPORTED for enctypes other than 17 and 18.
 */
NTSTATUS crypto_kwrap_new(TALLOC_CTX *mem_ctx, int enctype, const uint8_t *key, size_t key_len,
			  bool initiator, bool acceptor_subkey, uint64_t send_seq,
			  uint64_t recv_seq, struct crypto_kwrap **out);

/* crypto_kwrap_seal_dce: seal the regions in place and write the
 * CRYPTO_KWRAP_DCE_TOKEN_LEN-byte token (which must not overlap them). */
NTSTATUS crypto_kwrap_seal_dce(struct crypto_kwrap *k, uint8_t token[CRYPTO_KWRAP_DCE_TOKEN_LEN],
			       struct crypto_kwrap_iov *iov, size_t n);

/*
 * crypto_kwrap_unseal_dce: check |token| (from the peer), decrypt the DATA
 * regions in place and verify the checksum and the sequence number (the
 * next expected one; no replay, no gap).  On failure the regions' contents
 * are unspecified, the sequence number does not advance and |reason| says
 * what was wrong: NT_STATUS_INVALID_PARAMETER for a malformed token,
 * NT_STATUS_ACCESS_DENIED for a failed check.
 */
NTSTATUS crypto_kwrap_unseal_dce(struct crypto_kwrap *k, const uint8_t *token, size_t token_len,
				 struct crypto_kwrap_iov *iov, size_t n, const char **reason);

/* crypto_kwrap_token_seq: the SND_SEQ (RFC 4121 4.2.6.2) a wrap token
 * carries in clear, if |token| is one (GSSAPI's tokens included). */
bool crypto_kwrap_token_seq(const uint8_t *token, size_t len, uint64_t *seq);

#endif
