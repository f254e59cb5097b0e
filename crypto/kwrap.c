/*
 * kwrap.c: RFC 3961/3962 aes-cts-hmac-sha1-96 and RFC 4121 DCE-style wrap
 * tokens on OpenSSL.  See kwrap.h.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "crypto/kwrap.h"

#define AES_BLOCK 16
#define CKSUM_LEN 12 /* HMAC-SHA1-96 */
#define TOK_LEN 16
#define DCE_EC 16 /* the filler Heimdal, Samba and Windows use: one block */
#define RRC_DCE (TOK_LEN + CKSUM_LEN)

/* RFC 4121 4.2.2 flags */
#define FLAG_SENT_BY_ACCEPTOR 0x01
#define FLAG_SEALED 0x02
#define FLAG_ACCEPTOR_SUBKEY 0x04

/* ---- RFC 3961 ------------------------------------------------------------- */

/* n-fold (RFC 3961 5.1), in the byte-wise form of MIT's and Heimdal's
 * implementations: replicate the input, rotated right by 13 bits each
 * time, to lcm(in, out) bytes and add the out-sized pieces with
 * end-around carry. */
void crypto_krb5_nfold(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len)
{
	size_t a = out_len, b = in_len, lcm, byte;
	int carry = 0;

	while (b != 0) {
		size_t c = b;
		b = a % b;
		a = c;
	}
	lcm = out_len * in_len / a;
	memset(out, 0, out_len);
	for (ssize_t i = (ssize_t)lcm - 1; i >= 0; i--) {
		size_t n = (size_t)i;
		/* the bit of the replicated, rotated input this byte starts at */
		size_t msbit = ((in_len << 3) - 1 + (((in_len << 3) + 13) * (n / in_len)) +
				((in_len - (n % in_len)) << 3)) %
			       (in_len << 3);
		byte = (((unsigned)in[((in_len - 1) - (msbit >> 3)) % in_len] << 8) |
			in[((in_len) - (msbit >> 3)) % in_len]);
		byte = (byte >> ((msbit & 7) + 1)) & 0xff;
		byte += (size_t)carry + out[n % out_len];
		out[n % out_len] = (uint8_t)(byte & 0xff);
		carry = (int)(byte >> 8);
	}
	if (carry) {
		for (ssize_t i = (ssize_t)out_len - 1; i >= 0; i--) {
			byte = (size_t)out[i] + (size_t)carry;
			out[i] = (uint8_t)(byte & 0xff);
			carry = (int)(byte >> 8);
			if (!carry) {
				break;
			}
		}
	}
}

static const EVP_CIPHER *cipher_of(int enctype, size_t key_len, bool cbc)
{
	if (enctype == CRYPTO_KRB5_AES128 && key_len == 16) {
		return cbc ? EVP_aes_128_cbc() : EVP_aes_128_ecb();
	}
	if (enctype == CRYPTO_KRB5_AES256 && key_len == 32) {
		return cbc ? EVP_aes_256_cbc() : EVP_aes_256_ecb();
	}
	return NULL;
}

/* DK = random-to-key(DR(base, constant)); for AES random-to-key is the
 * identity and DR chains E(base, .) from the n-folded constant. */
NTSTATUS crypto_krb5_derive(int enctype, const uint8_t *key, size_t key_len,
			    const uint8_t *constant, size_t constant_len, uint8_t *out)
{
	const EVP_CIPHER *ecb = cipher_of(enctype, key_len, false);
	EVP_CIPHER_CTX *ctx;
	uint8_t block[AES_BLOCK];
	NTSTATUS status = NT_STATUS_INTERNAL_ERROR;
	int n;

	if (ecb == NULL) {
		return NT_STATUS_NOT_SUPPORTED;
	}
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	crypto_krb5_nfold(constant, constant_len, block, sizeof(block));
	if (EVP_EncryptInit_ex(ctx, ecb, NULL, key, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1) {
		goto done;
	}
	for (size_t done = 0; done < key_len; done += AES_BLOCK) {
		if (EVP_EncryptUpdate(ctx, block, &n, block, AES_BLOCK) != 1 || n != AES_BLOCK) {
			goto done;
		}
		memcpy(out + done, block, AES_BLOCK);
	}
	status = NT_STATUS_OK;
done:
	crypto_wipe(block, sizeof(block));
	EVP_CIPHER_CTX_free(ctx);
	return status;
}

/* ---- one direction: Ke, Ki ------------------------------------------------- */

struct dir {
	EVP_CIPHER_CTX *cbc;     /* Ke, CBC without padding */
	EVP_CIPHER_CTX *ecb_dec; /* Ke, one-block decryption for CTS (receiving) */
	EVP_MAC_CTX *hmac;       /* Ki, HMAC-SHA1, keyed */
};

struct crypto_kwrap {
	struct dir send, recv;
	bool initiator, acceptor_subkey;
	uint64_t send_seq, recv_seq;
	uint8_t *buf; /* scratch: the gathered plaintext or ciphertext */
	size_t buf_len;
	/* confounders, drawn from the CSPRNG 16 at a time (OpenSSL's
	 * RAND_bytes costs a getpid() system call per call) */
	uint8_t pool[16 * AES_BLOCK];
	size_t pool_pos;
};

static void dir_free(struct dir *d)
{
	EVP_CIPHER_CTX_free(d->cbc);
	EVP_CIPHER_CTX_free(d->ecb_dec);
	EVP_MAC_CTX_free(d->hmac);
	memset(d, 0, sizeof(*d));
}

static int kwrap_destructor(struct crypto_kwrap *k)
{
	dir_free(&k->send);
	dir_free(&k->recv);
	if (k->buf != NULL) {
		crypto_wipe(k->buf, k->buf_len);
	}
	crypto_wipe(k->pool, sizeof(k->pool));
	return 0;
}

/* dir_init: the keys of one direction; |enc| 1 for what we send (CBC
 * encryption), 0 for what we receive (CBC and one-block decryption). */
static NTSTATUS dir_init(struct dir *d, int enctype, const uint8_t *key, size_t key_len,
			 unsigned usage, int enc)
{
	uint8_t c[5] = {(uint8_t)(usage >> 24), (uint8_t)(usage >> 16), (uint8_t)(usage >> 8),
			(uint8_t)usage, 0xAA};
	uint8_t ke[32], ki[32];
	EVP_MAC *mac = NULL;
	OSSL_PARAM params[2] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA1", 0),
		OSSL_PARAM_construct_end(),
	};
	NTSTATUS status = crypto_krb5_derive(enctype, key, key_len, c, sizeof(c), ke);

	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	c[4] = 0x55;
	status = crypto_krb5_derive(enctype, key, key_len, c, sizeof(c), ki);
	if (!NT_STATUS_IS_OK(status)) {
		goto done;
	}
	status = NT_STATUS_INTERNAL_ERROR;
	d->cbc = EVP_CIPHER_CTX_new();
	d->ecb_dec = enc ? NULL : EVP_CIPHER_CTX_new();
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	d->hmac = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
	if (d->cbc == NULL || (!enc && d->ecb_dec == NULL) || d->hmac == NULL) {
		goto done;
	}
	if (EVP_CipherInit_ex(d->cbc, cipher_of(enctype, key_len, true), NULL, ke, NULL, enc) != 1 ||
	    EVP_CIPHER_CTX_set_padding(d->cbc, 0) != 1 ||
	    (!enc && (EVP_DecryptInit_ex(d->ecb_dec, cipher_of(enctype, key_len, false), NULL, ke,
					 NULL) != 1 ||
		      EVP_CIPHER_CTX_set_padding(d->ecb_dec, 0) != 1)) ||
	    EVP_MAC_init(d->hmac, ki, key_len, params) != 1) {
		goto done;
	}
	status = NT_STATUS_OK;
done:
	EVP_MAC_free(mac);
	crypto_wipe(ke, sizeof(ke));
	crypto_wipe(ki, sizeof(ki));
	return status;
}

NTSTATUS crypto_kwrap_new(TALLOC_CTX *mem_ctx, int enctype, const uint8_t *key, size_t key_len,
			  bool initiator, bool acceptor_subkey, uint64_t send_seq,
			  uint64_t recv_seq, struct crypto_kwrap **out)
{
	struct crypto_kwrap *k;
	NTSTATUS status;

	if (cipher_of(enctype, key_len, true) == NULL) {
		return NT_STATUS_NOT_SUPPORTED;
	}
	k = talloc_zero(mem_ctx, struct crypto_kwrap);
	if (k == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	talloc_set_destructor(k, kwrap_destructor);
	k->initiator = initiator;
	k->acceptor_subkey = acceptor_subkey;
	k->send_seq = send_seq;
	k->recv_seq = recv_seq;
	k->pool_pos = sizeof(k->pool);
	status = dir_init(&k->send, enctype, key, key_len,
			  initiator ? CRYPTO_KU_INITIATOR_SEAL : CRYPTO_KU_ACCEPTOR_SEAL, 1);
	if (NT_STATUS_IS_OK(status)) {
		status = dir_init(&k->recv, enctype, key, key_len,
				  initiator ? CRYPTO_KU_ACCEPTOR_SEAL : CRYPTO_KU_INITIATOR_SEAL, 0);
	}
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(k);
		return status;
	}
	*out = k;
	return NT_STATUS_OK;
}

/* ---- CBC with ciphertext stealing (RFC 3962 section 5: CBC-CS3) ---------- */

/* cbc_run: CBC in the context's own direction (a context's key schedule
 * is for one direction), from a zero IV. */
static bool cbc_run(EVP_CIPHER_CTX *ctx, uint8_t *p, size_t len)
{
	static const uint8_t zero_iv[AES_BLOCK];
	int n = 0;

	if (len == 0) {
		return true;
	}
	return EVP_CipherInit_ex(ctx, NULL, NULL, NULL, zero_iv, -1) == 1 &&
	       EVP_CipherUpdate(ctx, p, &n, p, (int)len) == 1 && (size_t)n == len;
}

/* cts_encrypt: |p| holds |len| (>= 16) bytes and room for a whole last
 * block; on return the first |len| bytes are the ciphertext. */
static bool cts_encrypt(struct dir *d, uint8_t *p, size_t len)
{
	size_t full = (len + AES_BLOCK - 1) / AES_BLOCK * AES_BLOCK;
	uint8_t last[AES_BLOCK];
	size_t r;

	memset(p + len, 0, full - len);
	if (!cbc_run(d->cbc, p, full)) {
		return false;
	}
	if (full == AES_BLOCK) {
		return true;
	}
	/* swap C(n-1) and C(n); C(n-1) is cut to the last block's length */
	r = len - (full - AES_BLOCK);
	memcpy(last, p + full - AES_BLOCK, AES_BLOCK);
	memmove(p + full - AES_BLOCK, p + full - 2 * AES_BLOCK, r);
	memcpy(p + full - 2 * AES_BLOCK, last, AES_BLOCK);
	crypto_wipe(last, sizeof(last));
	return true;
}

static bool cts_decrypt(struct dir *d, uint8_t *p, size_t len)
{
	size_t full = (len + AES_BLOCK - 1) / AES_BLOCK * AES_BLOCK;
	size_t r = len - (full - AES_BLOCK);
	uint8_t cn[AES_BLOCK], dn[AES_BLOCK];
	int n = 0;

	if (full == AES_BLOCK) {
		return cbc_run(d->cbc, p, len);
	}
	/* The block at n-2 is C(n) whole; the last r bytes start C(n-1).
	 * D(C(n)) = C(n-1) ^ (P(n) | 0), which gives C(n-1)'s missing tail. */
	memcpy(cn, p + full - 2 * AES_BLOCK, AES_BLOCK);
	if (EVP_DecryptUpdate(d->ecb_dec, dn, &n, cn, AES_BLOCK) != 1 || n != AES_BLOCK) {
		return false;
	}
	memmove(p + full - 2 * AES_BLOCK, p + full - AES_BLOCK, r);
	memcpy(p + full - 2 * AES_BLOCK + r, dn + r, AES_BLOCK - r);
	memcpy(p + full - AES_BLOCK, cn, AES_BLOCK);
	crypto_wipe(dn, sizeof(dn));
	return cbc_run(d->cbc, p, full);
}

/* ---- wrap tokens -------------------------------------------------------------- */

static bool hmac_regions(struct dir *d, const uint8_t *conf, const struct crypto_kwrap_iov *iov,
			 size_t n, const uint8_t *tail, size_t tail_len, uint8_t out[CKSUM_LEN])
{
	uint8_t mac[20];
	size_t mac_len = 0;
	bool ok = EVP_MAC_init(d->hmac, NULL, 0, NULL) == 1 &&
		  EVP_MAC_update(d->hmac, conf, AES_BLOCK) == 1;

	for (size_t i = 0; ok && i < n; i++) {
		ok = iov[i].len == 0 || EVP_MAC_update(d->hmac, iov[i].p, iov[i].len) == 1;
	}
	ok = ok && EVP_MAC_update(d->hmac, tail, tail_len) == 1 &&
	     EVP_MAC_final(d->hmac, mac, &mac_len, sizeof(mac)) == 1 && mac_len == sizeof(mac);
	if (ok) {
		memcpy(out, mac, CKSUM_LEN);
	}
	crypto_wipe(mac, sizeof(mac));
	return ok;
}

static bool scratch(struct crypto_kwrap *k, size_t need)
{
	if (k->buf_len >= need) {
		return true;
	}
	if (k->buf != NULL) {
		crypto_wipe(k->buf, k->buf_len);
	}
	TALLOC_FREE(k->buf);
	k->buf_len = 0;
	k->buf = talloc_size(k, need);
	if (k->buf == NULL) {
		return false;
	}
	k->buf_len = need;
	return true;
}

static size_t data_len(const struct crypto_kwrap_iov *iov, size_t n)
{
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		if (iov[i].type == CRYPTO_KWRAP_DATA) {
			len += iov[i].len;
		}
	}
	return len;
}

/* gather conf | DATA regions | tail into k->buf; scatter does the reverse */
static void gather(struct crypto_kwrap *k, const uint8_t *conf,
		   const struct crypto_kwrap_iov *iov, size_t n, const uint8_t *tail,
		   size_t tail_len)
{
	uint8_t *q = k->buf;
	memcpy(q, conf, AES_BLOCK);
	q += AES_BLOCK;
	for (size_t i = 0; i < n; i++) {
		if (iov[i].type == CRYPTO_KWRAP_DATA && iov[i].len > 0) {
			memcpy(q, iov[i].p, iov[i].len);
			q += iov[i].len;
		}
	}
	memcpy(q, tail, tail_len);
}

static void scatter(const struct crypto_kwrap *k, uint8_t *conf, struct crypto_kwrap_iov *iov,
		    size_t n, uint8_t *tail, size_t tail_len)
{
	const uint8_t *q = k->buf;
	memcpy(conf, q, AES_BLOCK);
	q += AES_BLOCK;
	for (size_t i = 0; i < n; i++) {
		if (iov[i].type == CRYPTO_KWRAP_DATA && iov[i].len > 0) {
			memcpy(iov[i].p, q, iov[i].len);
			q += iov[i].len;
		}
	}
	memcpy(tail, q, tail_len);
}

/* next_confounder: 16 bytes from the pool, refilled from the CSPRNG. */
static NTSTATUS next_confounder(struct crypto_kwrap *k, uint8_t out[AES_BLOCK])
{
	if (k->pool_pos == sizeof(k->pool)) {
		NTSTATUS status = crypto_random(k->pool, sizeof(k->pool));
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
		k->pool_pos = 0;
	}
	memcpy(out, k->pool + k->pool_pos, AES_BLOCK);
	crypto_wipe(k->pool + k->pool_pos, AES_BLOCK);
	k->pool_pos += AES_BLOCK;
	return NT_STATUS_OK;
}

static void put_header(uint8_t h[TOK_LEN], uint8_t flags, uint16_t ec, uint16_t rrc, uint64_t seq)
{
	h[0] = 0x05;
	h[1] = 0x04;
	h[2] = flags;
	h[3] = 0xFF;
	h[4] = (uint8_t)(ec >> 8);
	h[5] = (uint8_t)ec;
	h[6] = (uint8_t)(rrc >> 8);
	h[7] = (uint8_t)rrc;
	for (int i = 0; i < 8; i++) {
		h[8 + i] = (uint8_t)(seq >> (56 - 8 * i));
	}
}

/*
 * The DCE-style token (Heimdal's layout with no trailer buffer, RRC = 28):
 *   [0,16)   header: 05 04 flags FF EC RRC SND_SEQ
 *   [16,16+ec+16)  E(EC filler 0xFF... | header copy with RRC 0)
 *   then     HMAC-SHA1-96 (12)
 *   then     E(confounder) (16)
 * The ciphertext is one CTS stream over confounder | DATA regions |
 * filler | header copy; the checksum covers the same plaintext with the
 * sign-only regions in their places.
 */
NTSTATUS crypto_kwrap_seal_dce(struct crypto_kwrap *k, uint8_t token[CRYPTO_KWRAP_DCE_TOKEN_LEN],
			       struct crypto_kwrap_iov *iov, size_t n)
{
	uint8_t flags = FLAG_SEALED;
	uint8_t *tail = token + TOK_LEN;                       /* ec | header copy */
	uint8_t *cksum = tail + DCE_EC + TOK_LEN;              /* 12 */
	uint8_t *conf = cksum + CKSUM_LEN;                     /* 16 */
	size_t total = AES_BLOCK + data_len(iov, n) + DCE_EC + TOK_LEN;
	NTSTATUS status;

	if (k->send_seq > UINT32_MAX) {
		/* Heimdal and Windows keep 32-bit sequence numbers here. */
		return NT_STATUS_NOT_SUPPORTED;
	}
	if (!scratch(k, total + AES_BLOCK)) {
		return NT_STATUS_NO_MEMORY;
	}
	if (!k->initiator) {
		flags |= FLAG_SENT_BY_ACCEPTOR;
	}
	if (k->acceptor_subkey) {
		flags |= FLAG_ACCEPTOR_SUBKEY;
	}
	put_header(token, flags, DCE_EC, 0, k->send_seq);
	memset(tail, 0xFF, DCE_EC);
	memcpy(tail + DCE_EC, token, TOK_LEN);
	status = next_confounder(k, conf);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	if (!hmac_regions(&k->send, conf, iov, n, tail, DCE_EC + TOK_LEN, cksum)) {
		return NT_STATUS_INTERNAL_ERROR;
	}
	gather(k, conf, iov, n, tail, DCE_EC + TOK_LEN);
	if (!cts_encrypt(&k->send, k->buf, total)) {
		crypto_wipe(k->buf, k->buf_len);
		return NT_STATUS_INTERNAL_ERROR;
	}
	scatter(k, conf, iov, n, tail, DCE_EC + TOK_LEN);
	token[6] = 0;
	token[7] = RRC_DCE;
	k->send_seq++;
	return NT_STATUS_OK;
}

NTSTATUS crypto_kwrap_unseal_dce(struct crypto_kwrap *k, const uint8_t *token, size_t token_len,
				 struct crypto_kwrap_iov *iov, size_t n, const char **reason)
{
	uint8_t flags, want, hdr[TOK_LEN], *tail, *conf, cksum[CKSUM_LEN];
	const uint8_t *their_cksum;
	uint16_t ec, rrc;
	uint64_t seq = 0;
	size_t total;
	NTSTATUS status;

	if (token_len < TOK_LEN || token[0] != 0x05 || token[1] != 0x04 || token[3] != 0xFF) {
		crypto_set_reason(reason, "not an RFC 4121 wrap token");
		return NT_STATUS_INVALID_PARAMETER;
	}
	flags = token[2] & (FLAG_SENT_BY_ACCEPTOR | FLAG_SEALED | FLAG_ACCEPTOR_SUBKEY);
	want = FLAG_SEALED | (k->initiator ? FLAG_SENT_BY_ACCEPTOR : 0) |
	       (k->acceptor_subkey ? FLAG_ACCEPTOR_SUBKEY : 0);
	if (flags != want) {
		crypto_set_reason(reason, "the wrap token's flags do not match the context");
		return NT_STATUS_INVALID_PARAMETER;
	}
	ec = (uint16_t)(token[4] << 8 | token[5]);
	rrc = (uint16_t)(token[6] << 8 | token[7]);
	if (rrc != RRC_DCE || token_len != (size_t)TOK_LEN + ec + TOK_LEN + CKSUM_LEN + AES_BLOCK) {
		crypto_set_reason(reason, "the wrap token's length or rotation is not DCE style");
		return NT_STATUS_INVALID_PARAMETER;
	}
	for (int i = 0; i < 8; i++) {
		seq = seq << 8 | token[8 + i];
	}
	if (seq != k->recv_seq) {
		crypto_set_reason(reason, "the wrap token is out of sequence");
		return NT_STATUS_ACCESS_DENIED;
	}
	total = AES_BLOCK + data_len(iov, n) + ec + TOK_LEN;
	if (!scratch(k, total + 2 * AES_BLOCK + ec + TOK_LEN)) {
		return NT_STATUS_NO_MEMORY;
	}
	/* decrypt a copy: the token is the caller's, read-only */
	tail = k->buf + total + AES_BLOCK;
	conf = tail + ec + TOK_LEN;
	memcpy(tail, token + TOK_LEN, (size_t)ec + TOK_LEN);
	memcpy(conf, token + TOK_LEN + ec + TOK_LEN + CKSUM_LEN, AES_BLOCK);
	their_cksum = token + TOK_LEN + ec + TOK_LEN;
	gather(k, conf, iov, n, tail, (size_t)ec + TOK_LEN);
	if (!cts_decrypt(&k->recv, k->buf, total)) {
		crypto_set_reason(reason, "decryption failed");
		status = NT_STATUS_INTERNAL_ERROR;
		goto done;
	}
	scatter(k, conf, iov, n, tail, (size_t)ec + TOK_LEN);
	if (!hmac_regions(&k->recv, conf, iov, n, tail, (size_t)ec + TOK_LEN, cksum)) {
		crypto_set_reason(reason, "checksum computation failed");
		status = NT_STATUS_INTERNAL_ERROR;
		goto done;
	}
	/* The encrypted copy must match the header but for RRC, which the
	 * sender sets after encrypting (RFC 4121 4.2.5; Heimdal compares the
	 * same way). */
	memcpy(hdr, token, TOK_LEN);
	hdr[6] = tail[ec + 6];
	hdr[7] = tail[ec + 7];
	if (!crypto_memequal(cksum, their_cksum, CKSUM_LEN) ||
	    !crypto_memequal(hdr, tail + ec, TOK_LEN)) {
		crypto_set_reason(reason, "the wrap token failed its integrity check");
		status = NT_STATUS_ACCESS_DENIED;
		goto done;
	}
	k->recv_seq++;
	status = NT_STATUS_OK;
done:
	crypto_wipe(k->buf, k->buf_len);
	return status;
}

bool crypto_kwrap_token_seq(const uint8_t *token, size_t len, uint64_t *seq)
{
	if (len < 16 || token[0] != 0x05 || token[1] != 0x04) {
		return false;
	}
	*seq = 0;
	for (int i = 8; i < 16; i++) {
		*seq = *seq << 8 | token[i];
	}
	return true;
}
