/*
 * main.c: otpce-client, the client side of MS-OTPCE (3.1): make a key and
 * a PKCS#10 as Windows does (otpce/sign), send it with the user's one-time
 * password in a signCertRequest (otpce/msg) over HTTPS (http.c), answer
 * challenge rounds if the OTP server asks, and write the signed request
 * and the key for submission to the CA (README.md shows how).
 *
 * ChallengeResponseRequired: the protocol carries no challenge state in
 * its messages (2.2.2 has only username, oneTimePassword, certRequest),
 * so a challenge round is the same signCertRequest sent again with the
 * user's response as the oneTimePassword, on the same connection settings
 * and with any cookie the server set (http.c).  The server keeps the
 * RADIUS State between the rounds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "otpce/client/client.h"
#include "otpce/msg/otpce_msg.h"
#include "otpce/sign/sign.h"

/* write_file writes |len| bytes to |path| ("-": standard output). */
static int write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = strcmp(path, "-") == 0 ? STDOUT_FILENO
		 : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	const uint8_t *p = data;

	if (fd < 0) {
		fprintf(stderr, "otpce-client: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	/* An existing file keeps its mode through O_TRUNC: set ours. */
	if (fd != STDOUT_FILENO && fchmod(fd, mode) != 0) {
		fprintf(stderr, "otpce-client: cannot set the mode of %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			fprintf(stderr, "otpce-client: cannot write %s: %s\n", path, strerror(errno));
			if (fd != STDOUT_FILENO) {
				close(fd);
			}
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fd != STDOUT_FILENO && close(fd) != 0) {
		fprintf(stderr, "otpce-client: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int write_der(const char *path, const uint8_t *der, size_t len, const char *label, int pem)
{
	char *text = NULL, err[256] = "";
	size_t tlen = 0;
	int rc;

	if (!pem) {
		return write_file(path, der, len, 0644);
	}
	if (otpce_der_to_pem(der, len, label, &text, &tlen, err, sizeof(err)) != 0) {
		fprintf(stderr, "otpce-client: %s\n", err);
		return -1;
	}
	rc = write_file(path, text, tlen, 0644);
	free(text);
	return rc;
}

/* get_secret: the one-time password (|round| 0) or the answer to
 * challenge |round|, from the file or the terminal. */
static int get_secret(TALLOC_CTX *mem_ctx, const struct options *o, int round,
		      struct crypto_secret **out)
{
	const char *file = round == 0 ? o->otp_file : o->response_file;
	char err[256] = "", prompt[600];

	if (file != NULL) {
		if (read_secret_line(mem_ctx, file, round == 0 ? 0 : (unsigned int)round - 1, out, err,
				     sizeof(err)) != 0) {
			fprintf(stderr, "otpce-client: %s\n", err);
			return -1;
		}
		return 0;
	}
	if (round == 0) {
		snprintf(prompt, sizeof(prompt), "One-time password for %.500s: ", o->user);
	} else {
		snprintf(prompt, sizeof(prompt), "Challenge response: ");
	}
	if (prompt_secret(mem_ctx, prompt, out, err, sizeof(err)) != 0) {
		fprintf(stderr, "otpce-client: %s\n", err);
		return -1;
	}
	return 0;
}

static int on_success(const struct options *o, const struct otpce_sign_cert_response *resp,
		      const uint8_t *csr, size_t csr_len, const char *key_pem, size_t key_len)
{
	char signer[256] = "", err[256] = "";

	if (otpce_signed_request_check(resp->signed_cert_request, resp->signed_cert_request_len,
				       csr, csr_len, signer, sizeof(signer), err, sizeof(err)) != 0) {
		fprintf(stderr, "otpce-client: the server's signed request is not acceptable: %s\n", err);
		return EXIT_TRANSPORT;
	}
	if (write_file(o->key_out, key_pem, key_len, 0600) != 0 ||
	    write_der(o->out, resp->signed_cert_request, resp->signed_cert_request_len, "CMS",
		      o->pem) != 0) {
		return EXIT_LOCAL;
	}
	fprintf(stderr, "otpce-client: Success: request signed by \"%s\"; written to %s, key to %s\n",
		signer, o->out, o->key_out);
	for (size_t i = 0; i < resp->num_issuing_cas; i++) {
		char safe[OTPCE_ISSUING_CA_MAX_LEN + 1];
		size_t k = 0;

		for (const char *c = resp->issuing_cas[i]; *c != '\0' && k < sizeof(safe) - 1; c++) {
			safe[k++] = (*c >= 0x20 && *c < 0x7f) ? *c : '?';
		}
		safe[k] = '\0';
		printf("IssuingCA: %s\n", safe);
	}
	return EXIT_OK;
}

/* one_round: send the request with |otp|; the parsed answer on |r|. */
static int one_round(TALLOC_CTX *r, const struct options *o, struct http_client *http,
		     struct otpce_sign_cert_request *req, struct crypto_secret *otp,
		     struct otpce_sign_cert_response **resp)
{
	struct crypto_secret *xml = NULL;
	const char *why = NULL;
	uint8_t *body = NULL;
	size_t body_len = 0;
	char err[512] = "";
	int rc;

	req->one_time_password = otp;
	rc = NT_STATUS_IS_OK(otpce_sign_cert_request_build(r, req, &xml, &why)) ? 0 : -1;
	req->one_time_password = NULL;
	if (rc != 0) {
		fprintf(stderr, "otpce-client: cannot build the signCertRequest: %s\n", why ? why : "?");
		return why ? EXIT_USAGE : EXIT_LOCAL;
	}
	rc = http_post(http, r, xml->data, xml->len, &body, &body_len, err, sizeof(err));
	TALLOC_FREE(xml); /* wiped: it holds the password */
	if (rc != 0) {
		fprintf(stderr, "otpce-client: %s: %s\n", o->server, err);
		return EXIT_TRANSPORT;
	}
	if (!NT_STATUS_IS_OK(otpce_sign_cert_response_parse(r, body, body_len, resp, &why))) {
		fprintf(stderr, "otpce-client: the server's answer is not a valid signCertResponse: %s\n",
			why ? why : "?");
		return EXIT_TRANSPORT;
	}
	return EXIT_OK;
}

static int exchange(TALLOC_CTX *t, const struct options *o, const uint8_t *csr, size_t csr_len,
		    const char *key_pem, size_t key_len)
{
	struct http_options ho = { .url = o->server, .cacert = o->cacert, .pin = o->pin,
				   .client_cert = o->client_cert, .client_key = o->client_key,
				   .timeout = o->timeout, .allow_http = o->allow_http };
	struct otpce_sign_cert_request req = { .username = (char *)o->user,
					       .cert_request = (uint8_t *)csr,
					       .cert_request_len = csr_len };
	struct http_client *http;
	char err[512] = "";

	http = http_client_new(t, &ho, err, sizeof(err));
	if (http == NULL) {
		fprintf(stderr, "otpce-client: %s\n", err);
		return EXIT_TRANSPORT;
	}
	for (int round = 0;; round++) {
		TALLOC_CTX *r = talloc_new(t);
		struct crypto_secret *otp = NULL;
		struct otpce_sign_cert_response *resp = NULL;
		int rc;

		if (r == NULL || get_secret(r, o, round, &otp) != 0) {
			talloc_free(r);
			/* No answer to a challenge: "no (more) answer was given". */
			return round > 0 ? EXIT_CHALLENGE : EXIT_LOCAL;
		}
		rc = one_round(r, o, http, &req, otp, &resp);
		TALLOC_FREE(otp);
		if (rc != EXIT_OK) {
			talloc_free(r);
			return rc;
		}
		switch (resp->status) {
		case OTPCE_STATUS_SUCCESS:
			rc = on_success(o, resp, csr, csr_len, key_pem, key_len);
			break;
		case OTPCE_STATUS_AUTHENTICATION_ERROR:
			fprintf(stderr, "otpce-client: AuthenticationError: the user or the one-time "
				"password was refused\n");
			rc = EXIT_AUTH;
			break;
		case OTPCE_STATUS_CHALLENGE_RESPONSE_REQUIRED:
			if (round >= o->max_challenges) {
				fprintf(stderr, "otpce-client: ChallengeResponseRequired after %d "
					"challenge round(s); giving up\n", round);
				rc = EXIT_CHALLENGE;
				break;
			}
			fprintf(stderr, "otpce-client: ChallengeResponseRequired: the OTP server "
				"asks for a challenge response\n");
			talloc_free(r);
			continue;
		case OTPCE_STATUS_OTHER_ERROR:
		default:
			fprintf(stderr, "otpce-client: OtherError: the server did not sign the "
				"request (its log says why)\n");
			rc = EXIT_OTHER;
			break;
		}
		talloc_free(r);
		return rc;
	}
}

/* request_params: the PKCS#10 the options describe. */
static void request_params(const struct options *o, const char *host,
			   struct otpce_request_params *p)
{
	*p = (struct otpce_request_params){ 0 };
	p->subject_dn = o->subject;
	p->upn = o->upn;
	/* A dotted OID names a version 2+ template, anything else a version 1
	 * name (otpce/sign/README.md). */
	if (strspn(o->template, "0123456789.") == strlen(o->template)) {
		p->template_oid = o->template;
	} else {
		p->template_name = o->template;
	}
	p->template_major = o->major;
	p->template_minor = o->minor;
	p->eku_oids = o->eku;
	p->client_id = 5; /* what Windows sends (the spec's 4.1 request) */
	p->client_machine = o->client_machine ? o->client_machine : host;
	p->client_user = o->client_user ? o->client_user : o->user;
	p->client_process = o->client_process;
	p->key_type = o->ec ? OTPCE_KEY_EC_P256 : OTPCE_KEY_RSA;
	p->rsa_bits = o->rsa_bits;
}

int main(int argc, char **argv)
{
	struct options o;
	struct otpce_request_params p;
	TALLOC_CTX *t;
	uint8_t *csr = NULL;
	char *key_pem = NULL, err[512] = "", host[256] = "localhost";
	size_t csr_len = 0, key_len = 0;
	int rc = parse_args(argc, argv, &o);

	if (rc == -1) {
		return EXIT_OK; /* --help */
	}
	if (rc != 0) {
		return rc;
	}
	if (gethostname(host, sizeof(host) - 1) != 0) {
		strcpy(host, "localhost");
	}
	host[sizeof(host) - 1] = '\0';
	request_params(&o, host, &p);
	if (otpce_request_build(&p, &csr, &csr_len, &key_pem, &key_len, err, sizeof(err)) != 0) {
		fprintf(stderr, "otpce-client: cannot make the request: %s\n", err);
		/* Bad --subject, --template or --eku values are usage errors. */
		return strstr(err, "DN") || strstr(err, "OID") || strstr(err, "template") ||
		       strstr(err, "EKU") ? EXIT_USAGE : EXIT_LOCAL;
	}
	if (o.csr_out != NULL &&
	    write_der(o.csr_out, csr, csr_len, "CERTIFICATE REQUEST", o.pem) != 0) {
		rc = EXIT_LOCAL;
		goto out;
	}
	if (o.csr_only) {
		rc = write_file(o.key_out, key_pem, key_len, 0600) == 0 ? EXIT_OK : EXIT_LOCAL;
		goto out;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || (t = talloc_new(NULL)) == NULL) {
		fprintf(stderr, "otpce-client: cannot start libcurl\n");
		rc = EXIT_LOCAL;
		goto out;
	}
	rc = exchange(t, &o, csr, csr_len, key_pem, key_len);
	talloc_free(t);
	curl_global_cleanup();
out:
	secret_cleanup();
	otpce_free_secret(key_pem, key_len);
	free(csr);
	return rc;
}
