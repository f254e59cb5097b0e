/*
 * config.h: otpced's configuration, read once at start (MS-OTPCE 3.2.3:
 * "On server startup, the configuration is read from persistent storage
 * and set in the ADM elements").  The format is in otpce/server/README.md
 * and otpce/dist/otpced.conf.
 */
#ifndef OTPCE_SERVER_CONFIG_H
#define OTPCE_SERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "crypto/crypto.h"
#include "otpce/server/backends.h"

#define OTPCED_MAX_OTP_SERVERS 16
#define OTPCED_MAX_CAS 16 /* OTPCE_ISSUING_CA_MAX */
#define OTPCED_MAX_WORKERS 64

/* The User-Name otpced sends to the OTP server. */
enum otpced_radius_user {
	OTPCED_RADIUS_USER_REQUEST = 0, /* the username as the client sent it (DOMAIN\user) */
	OTPCED_RADIUS_USER_ACCOUNT,     /* the directory's account name, without domain */
	OTPCED_RADIUS_USER_UPN,         /* the UPN otpced derived (directory.c) */
};

enum otpced_client_cert { OTPCED_CLIENT_CERT_NONE, OTPCED_CLIENT_CERT_OPTIONAL,
			  OTPCED_CLIENT_CERT_REQUIRE };

struct otpced_config {
	/* [server] */
	char *listen_host;
	uint16_t listen_port;
	char *url_path;
	char *tls_cert, *tls_key;
	char *client_ca;                   /* NULL: no client certificates */
	enum otpced_client_cert client_cert;
	unsigned http_timeout_ms;          /* header and body reads, writes */
	size_t max_body;                   /* <= OTPCE_MSG_MAX_LEN */
	unsigned max_pending;              /* requests in flight at once */
	unsigned challenge_lifetime_s;     /* how long a RADIUS State is kept */
	unsigned workers;                  /* worker processes, >= 1 */
	/* [signing] (3.2.1 "Signing Certificate Template Name") */
	char *template_name;
	char *signing_cert, *signing_key;
	/* [directory] */
	char *directory_backend;           /* "winbind" */
	struct otpce_directory_config directory;
	enum otpced_radius_user radius_user;
	unsigned cache_seconds;            /* directory answers kept (0: none) */
	/* [otp_server] sections, in order (3.2.1 "OTP servers information") */
	size_t num_otp_servers;
	struct otpce_radius_server *otp_servers;
	struct crypto_secret **otp_secrets; /* what otp_servers[i].secret points at */
	/* [ca] name lines, in order (3.2.1 "CA servers list") */
	size_t num_cas;
	char **cas;
};

/*
 * otpced_config_load reads |path|.  On failure |err| names the file, the
 * line and what is wrong (never a secret's value).  The result is a talloc
 * tree on |mem_ctx|; the RADIUS secrets are wiped when it is freed.
 * An empty CA list is accepted (step 5 then answers OtherError, as the
 * spec says), and so is an empty OTP server list (step 3: OtherError).
 */
int otpced_config_load(TALLOC_CTX *mem_ctx, const char *path, struct otpced_config **out,
		       char *err, size_t errlen);

#endif
