/*
 * http.c: one HTTPS POST of a signCertRequest with libcurl, and the
 * checks MS-OTPCE puts on the answer: X-OTPCEP-version 1.0 (section 1.7,
 * required both ways) and an application/xml;charset=utf-8 body (2.2),
 * at most OTPCE_MSG_MAX_LEN bytes.  TLS is curl's (OpenSSL): the server
 * certificate is verified against the system's CAs or --cacert, and with
 * --pin its public key must also match.  No redirects are followed.  The
 * same curl handle is kept for a challenge round, with its cookies, so a
 * server that ties the round to a cookie sees it again.
 */
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "otpce/client/client.h"
#include "otpce/msg/otpce_msg.h"

struct http_client {
	CURL *curl;
	char errbuf[CURL_ERROR_SIZE];
};

struct response {
	TALLOC_CTX *mem_ctx;
	uint8_t *body;
	size_t len;
	int too_big;
	int version_seen, version_ok;
};

static int http_client_destructor(struct http_client *c)
{
	curl_easy_cleanup(c->curl);
	return 0;
}

struct http_client *http_client_new(TALLOC_CTX *mem_ctx, const struct http_options *o,
				    char *err, size_t errlen)
{
	struct http_client *c = talloc_zero(mem_ctx, struct http_client);
	CURLcode rc = CURLE_OK;

	if (c == NULL || (c->curl = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "cannot start libcurl");
		talloc_free(c);
		return NULL;
	}
	talloc_set_destructor(c, http_client_destructor);
#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(c->curl, opt, val); } while (0)
	SET(CURLOPT_URL, o->url);
	SET(CURLOPT_PROTOCOLS_STR, o->allow_http ? "https,http" : "https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_TIMEOUT, o->timeout);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_COOKIEFILE, ""); /* in-memory cookies, kept across the rounds */
	SET(CURLOPT_ERRORBUFFER, c->errbuf);
	SET(CURLOPT_USERAGENT, "otpce-client/" "0.1");
	if (o->cacert != NULL) {
		SET(CURLOPT_CAINFO, o->cacert);
	}
	if (o->pin != NULL) {
		SET(CURLOPT_PINNEDPUBLICKEY, o->pin);
	}
	if (o->client_cert != NULL) {
		SET(CURLOPT_SSLCERT, o->client_cert);
		SET(CURLOPT_SSLKEY, o->client_key ? o->client_key : o->client_cert);
	}
#undef SET
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "libcurl refused an option: %s", curl_easy_strerror(rc));
		talloc_free(c);
		return NULL;
	}
	return c;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct response *r = arg;
	size_t len = size * n;
	uint8_t *grown;

	if (len > OTPCE_MSG_MAX_LEN - r->len) {
		r->too_big = 1;
		return 0; /* curl stops with CURLE_WRITE_ERROR */
	}
	grown = talloc_realloc(r->mem_ctx, r->body, uint8_t, r->len + len + 1);
	if (grown == NULL) {
		return 0;
	}
	memcpy(grown + r->len, p, len);
	r->body = grown;
	r->len += len;
	r->body[r->len] = '\0';
	return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct response *r = arg;
	size_t len = size * n, name = strlen(OTPCE_HTTP_VERSION_HEADER);
	char value[64];

	if (len > name + 1 && strncasecmp(p, OTPCE_HTTP_VERSION_HEADER, name) == 0 && p[name] == ':') {
		size_t vlen = len - name - 1;

		while (vlen > 0 && (p[name + vlen] == '\r' || p[name + vlen] == '\n')) {
			vlen--;
		}
		r->version_seen++;
		if (vlen < sizeof(value)) {
			memcpy(value, p + name + 1, vlen);
			value[vlen] = '\0';
			r->version_ok = otpce_http_version_ok(value);
		}
	}
	return len;
}

int http_post(struct http_client *c, TALLOC_CTX *mem_ctx, const uint8_t *body, size_t len,
	      uint8_t **resp, size_t *resp_len, char *err, size_t errlen)
{
	struct curl_slist *h = NULL, *h2;
	struct response r = { .mem_ctx = mem_ctx };
	long status = 0;
	char *ctype = NULL;
	CURLcode rc;

	h = curl_slist_append(h, OTPCE_HTTP_VERSION_HEADER ": " OTPCE_HTTP_VERSION);
	h2 = h ? curl_slist_append(h, "Content-Type: " OTPCE_HTTP_CONTENT_TYPE) : NULL;
	/* No "Expect: 100-continue" (curl adds it to bodies over 1 KiB and
	 * then waits for an interim answer a server need not send). */
	h2 = h2 ? curl_slist_append(h2, "Expect:") : NULL;
	if (h2 == NULL) {
		curl_slist_free_all(h);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	h = h2;
	c->errbuf[0] = '\0';
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, (const char *)body);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, &r);
	rc = curl_easy_perform(c->curl);
	/* Do not leave pointers to the request (it holds the password). */
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(h);
	if (r.too_big) {
		snprintf(err, errlen, "the answer is larger than %d bytes", OTPCE_MSG_MAX_LEN);
		goto fail;
	}
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s%s%s", curl_easy_strerror(rc), c->errbuf[0] ? ": " : "",
			 c->errbuf);
		goto fail;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(c->curl, CURLINFO_CONTENT_TYPE, &ctype);
	if (status != 200) {
		snprintf(err, errlen, "the server answered HTTP %ld", status);
		goto fail;
	}
	if (r.version_seen != 1 || !r.version_ok) {
		snprintf(err, errlen, "the answer lacks the header %s: %s (MS-OTPCE 1.7)",
			 OTPCE_HTTP_VERSION_HEADER, OTPCE_HTTP_VERSION);
		goto fail;
	}
	if (!otpce_http_content_type_ok(ctype)) {
		snprintf(err, errlen, "the answer's Content-Type is not %s", OTPCE_HTTP_CONTENT_TYPE);
		goto fail;
	}
	if (r.len == 0) {
		snprintf(err, errlen, "the answer is empty");
		goto fail;
	}
	*resp = r.body;
	*resp_len = r.len;
	return 0;
fail:
	talloc_free(r.body);
	return -1;
}
