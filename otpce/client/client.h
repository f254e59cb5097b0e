/*
 * otpce/client/client.h: what the files of otpce-client share.
 */
#ifndef OTPCE_CLIENT_CLIENT_H
#define OTPCE_CLIENT_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <talloc.h>

#include "crypto/crypto.h"

/* Exit codes (--help lists them). */
enum {
	EXIT_OK = 0,
	EXIT_AUTH = 1,       /* the server answered AuthenticationError */
	EXIT_USAGE = 2,      /* bad command line */
	EXIT_CHALLENGE = 3,  /* ChallengeResponseRequired and no (more) answer */
	EXIT_OTHER = 4,      /* the server answered OtherError */
	EXIT_TRANSPORT = 5,  /* TLS, HTTP, or an answer that is not a valid response */
	EXIT_LOCAL = 6,      /* key generation, files, terminal */
};

/* ---- options.c ---- */

struct options {
	const char *user, *subject, *upn, *template, *eku, *server, *otp_file, *response_file;
	const char *cacert, *pin, *client_cert, *client_key, *key_out, *out, *csr_out;
	const char *client_machine, *client_user, *client_process;
	int major, minor, ec, pem, csr_only, max_challenges;
	unsigned int rsa_bits;
	long timeout;
	int allow_http; /* OTPCE_CLIENT_TEST_HTTP set: tests may use http:// */
};

/* parse_args fills |o|: 0, EXIT_USAGE (after saying why on stderr), or
 * -1 when --help printed the usage text. */
int parse_args(int argc, char **argv, struct options *o);

/* ---- http.c ---- */

struct http_options {
	const char *url;
	const char *cacert;      /* CA file for the server; NULL: the system's */
	const char *pin;         /* "sha256//base64" public key pin, or NULL */
	const char *client_cert; /* TLS client certificate and key, or NULL */
	const char *client_key;
	long timeout;            /* seconds */
	int allow_http;          /* tests only accept https unless set */
};

struct http_client;

struct http_client *http_client_new(TALLOC_CTX *mem_ctx, const struct http_options *o,
				    char *err, size_t errlen);
/*
 * http_post sends |body| (the signCertRequest) with the MS-OTPCE headers
 * and returns the response body on mem_ctx when the answer is HTTP 200
 * with X-OTPCEP-version 1.0 and an application/xml (utf-8) content type.
 * The request body is not kept by curl after the call.  -1 with |err|.
 */
int http_post(struct http_client *c, TALLOC_CTX *mem_ctx, const uint8_t *body, size_t len,
	      uint8_t **resp, size_t *resp_len, char *err, size_t errlen);

/* ---- secret.c ---- */

/* read_secret_line reads line |index| (0-based) of |path| ("-" is standard
 * input, read once) into a secret without its line end.  -1 if there is
 * no such line. */
int read_secret_line(TALLOC_CTX *mem_ctx, const char *path, unsigned int index,
		     struct crypto_secret **out, char *err, size_t errlen);
/* secret_cleanup wipes and frees what was kept of standard input. */
void secret_cleanup(void);
/* prompt_secret asks on the controlling terminal with echo off. */
int prompt_secret(TALLOC_CTX *mem_ctx, const char *prompt, struct crypto_secret **out,
		  char *err, size_t errlen);

#endif
