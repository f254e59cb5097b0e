/*
 * samfile.c: the standalone-host backend, a local user file in FreeRDP's
 * SAM format, so FreeRDP users can reuse theirs.
 *
 * The format and matching rules are FreeRDP's (winpr/libwinpr/utils/sam.c,
 * SamLookupStart / SamReadEntry / SamLookupUserA / SamAreEntriesEqual; and
 * winpr/libwinpr/sspi/NTLM/ntlm_compute.c ntlm_fetch_ntlm_v2_hash), the
 * lines `winpr-hash -u USER -p PASS [-d DOMAIN] -f sam` prints:
 *
 *     USER:DOMAIN:LMHASH:NTHASH:::
 *
 * - lines end at '\n'; empty lines, one-character lines and lines that
 *   start with '#' are skipped;
 * - a line has at least four ':'; the fields are user, domain, LM hash
 *   and NT hash, each hash empty or 32 hex digits; the rest is ignored;
 * - a line matches when user and domain are byte-for-byte those the client
 *   sent (case-sensitive); the first matching line wins; when no line
 *   names the client's domain, the user's line with an empty domain is
 *   used (FreeRDP's second SamLookupUserW, with NULL domain).
 *
 * Where we are stricter, and why:
 * - FreeRDP stops at the first malformed line (users after it are not
 *   found) and reads a non-hex digit as 0; we refuse the whole file, with
 *   its line number, so a damaged file is noticed rather than half used;
 * - an empty NT hash field is read by FreeRDP as sixteen zero bytes, a
 *   hash anyone can use; here such a user cannot log on;
 * - a NUL byte, or a file over 4 MiB, is refused.
 * The hashes are wiped from memory after each lookup and never logged.
 */
#include <errno.h>
#include <string.h>

#include <stdint.h>
#include <time.h>
#include <heimntlm.h> /* needs stdint.h and time.h first */

#include "crypto/crypto.h"
#include "crypto/wire/file.h"
#include "credssp/ntlm/ntlm.h"

#define SAMFILE_MAX (4u << 20)

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

/* A hash field: empty (|*present| false) or exactly 32 hex digits. */
static bool parse_hash(struct cursor f, uint8_t out[NTLM_KEY_LEN], bool *present)
{
	size_t i;

	*present = false;
	if (f.len == 0) {
		return true;
	}
	if (f.len != 2 * NTLM_KEY_LEN) {
		return false;
	}
	for (i = 0; i < NTLM_KEY_LEN; i++) {
		int hi = hexval(f.data[2 * i]);
		int lo = hexval(f.data[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			return false;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*present = true;
	return true;
}

/* The next field up to ':' (not included); false when there is no ':'. */
static bool next_field(struct cursor *line, struct cursor *field)
{
	const uint8_t *colon = memchr(line->data, ':', line->len);
	size_t n;

	if (colon == NULL) {
		return false;
	}
	n = (size_t)(colon - line->data);
	return cursor_get_sub(line, field, n) && cursor_skip(line, 1);
}

static bool field_is(struct cursor f, const char *s)
{
	size_t n = strlen(s);
	return f.len == n && (n == 0 || memcmp(f.data, s, n) == 0);
}

enum { MATCH_NONE, MATCH_EMPTY_DOMAIN, MATCH_DOMAIN };

NTSTATUS ntlm_samfile_lookup(const char *path, const char *user, const char *domain,
			     uint8_t nt_hash[NTLM_KEY_LEN], size_t *line_no,
			     const char **reason)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	uint8_t *buf = NULL;
	size_t len = 0, no = 0;
	struct cursor all, line;
	uint8_t best[NTLM_KEY_LEN], hash[NTLM_KEY_LEN], lm[NTLM_KEY_LEN];
	int best_kind = MATCH_NONE;
	bool best_has_nt = false;
	NTSTATUS st;
	int err = 0;

	*line_no = 0;
	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	st = crypto_read_file(tmp, path, false, SAMFILE_MAX + 1, &buf, &len, &err);
	if (!NT_STATUS_IS_OK(st)) {
		talloc_free(tmp);
		crypto_set_reason(reason, "cannot read the SAM file");
		return err == ENOENT ? NT_STATUS_OBJECT_NAME_NOT_FOUND : st;
	}
	if (len > SAMFILE_MAX) {
		st = NT_STATUS_INVALID_PARAMETER;
		crypto_set_reason(reason, "SAM file larger than 4 MiB");
		goto out;
	}
	if (memchr(buf, 0, len) != NULL) {
		st = NT_STATUS_INVALID_PARAMETER;
		crypto_set_reason(reason, "SAM file holds a NUL byte");
		goto out;
	}
	cursor_init(&all, buf, len);
	st = NT_STATUS_OK;
	while (cursor_left(&all) > 0) {
		const uint8_t *nl = memchr(all.data, '\n', all.len);
		size_t n = nl != NULL ? (size_t)(nl - all.data) : all.len;
		struct cursor fu, fd, flm, fnt;
		bool has_lm, has_nt;
		int kind;

		no++;
		(void)cursor_get_sub(&all, &line, n);
		(void)cursor_skip(&all, 1); /* the '\n', if any */
		if (line.len <= 1 || line.data[0] == '#') {
			continue;
		}
		if (!next_field(&line, &fu) || !next_field(&line, &fd) ||
		    !next_field(&line, &flm) || !next_field(&line, &fnt)) {
			st = NT_STATUS_INVALID_PARAMETER;
			crypto_set_reason(reason, "SAM line with fewer than four ':'");
			break;
		}
		if (!parse_hash(flm, lm, &has_lm) || !parse_hash(fnt, hash, &has_nt)) {
			st = NT_STATUS_INVALID_PARAMETER;
			crypto_set_reason(reason, "SAM line whose hash is not empty or 32 hex digits");
			break;
		}
		if (!field_is(fu, user) || best_kind == MATCH_DOMAIN) {
			continue;
		}
		if (field_is(fd, domain)) {
			kind = MATCH_DOMAIN;
		} else if (fd.len == 0 && best_kind == MATCH_NONE) {
			kind = MATCH_EMPTY_DOMAIN;
		} else {
			continue;
		}
		best_kind = kind;
		best_has_nt = has_nt;
		memcpy(best, hash, sizeof(best));
	}
	if (!NT_STATUS_IS_OK(st)) {
		*line_no = no;
		goto out;
	}
	if (best_kind == MATCH_NONE || !best_has_nt) {
		st = NT_STATUS_NO_SUCH_USER;
		crypto_set_reason(reason, best_kind == MATCH_NONE ? "no SAM line for the user"
								: "the user's SAM line has no NT hash");
		goto out;
	}
	memcpy(nt_hash, best, NTLM_KEY_LEN);
out:
	crypto_wipe(best, sizeof(best));
	crypto_wipe(hash, sizeof(hash));
	crypto_wipe(lm, sizeof(lm));
	crypto_wipe(buf, len);
	talloc_free(tmp);
	return st;
}

struct samfile_backend {
	struct ntlm_backend backend;
	char *path;
};

/*
 * NTLMv2 (MS-NLMP 3.3.2): NTProofStr = HMAC_MD5(NTOWFv2, ServerChallenge
 * || temp), NTOWFv2 = HMAC_MD5(NT hash, UNICODE(Uppercase(User)) ||
 * UNICODE(UserDom)) (Heimdal's heim_ntlm_ntlmv2_key, which uppercases
 * ASCII only), SessionBaseKey = HMAC_MD5(NTOWFv2, NTProofStr) (ours:
 * heimntlm.h declares heim_ntlm_v2_base_session but libheimntlm.so does
 * not export it).  Not heim_ntlm_verify_ntlm2: it compares
 * NTProofStr with memcmp, and refuses a client clock more than five
 * minutes off (Windows does not; the fresh server challenge is what
 * prevents a replay).
 */
static NTSTATUS samfile_validate(void *priv, TALLOC_CTX *mem_ctx,
				 const struct ntlm_auth_request *req,
				 uint8_t session_base_key[NTLM_KEY_LEN], char **user,
				 char **domain, const char **reason)
{
	struct samfile_backend *b = priv;
	uint8_t nt_hash[NTLM_KEY_LEN], v2key[NTLM_KEY_LEN], proof[CRYPTO_MD5_LEN];
	uint8_t *msg = NULL;
	size_t msg_len, line_no = 0;
	char *u = NULL, *d = NULL;
	NTSTATUS st;

	if (req->nt_response_len <= NTLM_KEY_LEN) {
		crypto_set_reason(reason, "NTLMv2 response too short");
		return NT_STATUS_INVALID_PARAMETER;
	}
	st = ntlm_samfile_lookup(b->path, req->user, req->domain, nt_hash, &line_no, reason);
	if (NT_STATUS_EQUAL(st, NT_STATUS_NO_SUCH_USER)) {
		/* Windows reports an unknown user as a wrong password. */
		return NT_STATUS_LOGON_FAILURE;
	}
	if (NT_STATUS_EQUAL(st, NT_STATUS_INVALID_PARAMETER)) {
		/* The server's file, not the client's token, is malformed. */
		return NT_STATUS_INTERNAL_DB_CORRUPTION;
	}
	if (!NT_STATUS_IS_OK(st)) {
		return st;
	}
	if (heim_ntlm_ntlmv2_key(nt_hash, sizeof(nt_hash), req->user, req->domain, 0, v2key) != 0) {
		st = NT_STATUS_INTERNAL_ERROR;
		crypto_set_reason(reason, "heim_ntlm_ntlmv2_key failed");
		goto out;
	}
	msg_len = NTLM_CHALLENGE_LEN + req->nt_response_len - NTLM_KEY_LEN;
	msg = talloc_size(NULL, msg_len);
	if (msg == NULL) {
		st = NT_STATUS_NO_MEMORY;
		goto out;
	}
	memcpy(msg, req->server_challenge, NTLM_CHALLENGE_LEN);
	memcpy(msg + NTLM_CHALLENGE_LEN, req->nt_response + NTLM_KEY_LEN,
	       req->nt_response_len - NTLM_KEY_LEN);
	st = crypto_hmac(CRYPTO_MD_MD5, v2key, sizeof(v2key), msg, msg_len, proof);
	if (!NT_STATUS_IS_OK(st)) {
		goto out;
	}
	if (!crypto_memequal(proof, req->nt_response, NTLM_KEY_LEN)) {
		st = NT_STATUS_LOGON_FAILURE;
		crypto_set_reason(reason, "NTProofStr does not match the SAM file's hash");
		goto out;
	}
	st = crypto_hmac(CRYPTO_MD_MD5, v2key, sizeof(v2key), req->nt_response, NTLM_KEY_LEN,
			 proof);
	if (!NT_STATUS_IS_OK(st)) {
		goto out;
	}
	u = talloc_strdup(mem_ctx, req->user);
	d = talloc_strdup(mem_ctx, req->domain);
	if (u == NULL || d == NULL) {
		st = NT_STATUS_NO_MEMORY;
		goto out;
	}
	memcpy(session_base_key, proof, NTLM_KEY_LEN);
	*user = u;
	*domain = d;
	u = d = NULL;
	st = NT_STATUS_OK;
out:
	talloc_free(u);
	talloc_free(d);
	if (msg != NULL) {
		crypto_wipe(msg, msg_len);
		talloc_free(msg);
	}
	crypto_wipe(nt_hash, sizeof(nt_hash));
	crypto_wipe(v2key, sizeof(v2key));
	crypto_wipe(proof, sizeof(proof));
	return st;
}

struct ntlm_backend *ntlm_backend_samfile(TALLOC_CTX *mem_ctx, const char *path)
{
	struct samfile_backend *b = talloc_zero(mem_ctx, struct samfile_backend);

	if (b == NULL) {
		return NULL;
	}
	b->path = talloc_strdup(b, path);
	if (b->path == NULL) {
		talloc_free(b);
		return NULL;
	}
	b->backend.name = "samfile";
	b->backend.validate = samfile_validate;
	b->backend.priv = b;
	return &b->backend;
}
