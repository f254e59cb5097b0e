/*
 * backends.h: what otpced asks of the RADIUS client (otpce/radius), the
 * PKCS#10 checks and signer (otpce/sign) and the directory (directory.c).
 *
 * The RADIUS and signing declarations below are thin copies of the
 * interfaces those folders publish, for building this folder on its own;
 * when their headers are in the tree, they are used instead.
 */
#ifndef OTPCE_SERVER_BACKENDS_H
#define OTPCE_SERVER_BACKENDS_H

#include <stddef.h>
#include <stdint.h>

struct event_base;

#if __has_include("otpce/radius/radius.h")
#include "otpce/radius/radius.h"
#else
enum otpce_radius_result {
	OTPCE_RADIUS_ACCEPT,
	OTPCE_RADIUS_REJECT,
	OTPCE_RADIUS_CHALLENGE,
	OTPCE_RADIUS_NO_ANSWER,
	OTPCE_RADIUS_ERROR
};
struct otpce_radius_server {
	const char *host;
	uint16_t port;
	const char *secret;
	unsigned timeout_ms;
	unsigned retries;
	int tls;
	const char *tls_ca, *tls_cert, *tls_key;
};
struct otpce_radius_reply {
	enum otpce_radius_result result;
	char server[300];
	uint8_t state[253];
	size_t state_len;
	char reply_message[254];
};
typedef void (*otpce_radius_done_fn)(const struct otpce_radius_reply *reply, void *arg);
struct otpce_radius_req;
struct otpce_radius_req *otpce_radius_pap_start(struct event_base *base,
						const struct otpce_radius_server *servers, size_t n,
						const char *user, const char *password,
						const uint8_t *state, size_t state_len,
						otpce_radius_done_fn done, void *arg);
void otpce_radius_cancel(struct otpce_radius_req *req);
#endif

#if __has_include("otpce/sign/sign.h")
#include "otpce/sign/sign.h"
#else
struct otpce_signer;
struct otpce_signer *otpce_signer_load(const char *cert_file, const char *key_file, char *err,
				       size_t errlen);
void otpce_signer_free(struct otpce_signer *s);
int otpce_check_request(const uint8_t *csr, size_t csr_len, const char *template_name,
			const char *user_upn, const char *user_dn, char *err, size_t errlen);
int otpce_sign_request(const struct otpce_signer *s, const uint8_t *csr, size_t csr_len,
		       uint8_t **out, size_t *out_len, char *err, size_t errlen);
#endif

/* ---- the directory (3.2.5.1 step 2) -------------------------------------- */

#define OTPCE_DIR_NAME_MAX 1024

struct otpce_directory_user {
	char account[OTPCE_DIR_NAME_MAX]; /* "DOMAIN\account", as the directory spells it */
	char upn[OTPCE_DIR_NAME_MAX];     /* userPrincipalName, or account@dnsdomain */
	char dn[OTPCE_DIR_NAME_MAX];      /* the subject DN the request must carry */
	char sid[OTPCE_DIR_NAME_MAX];     /* S-1-5-21-... (for the log) */
};

enum otpce_directory_result {
	OTPCE_DIRECTORY_FOUND,
	OTPCE_DIRECTORY_NOT_FOUND, /* no such user, or not a user account */
	OTPCE_DIRECTORY_ERROR,     /* the directory could not be asked */
};

/* How the names are found (directory.c, ldapnames.c). */
struct otpce_directory_config {
	/* backend = winbind: the names are derived (directory.c) */
	const char *dn_container; /* e.g. "CN=Users"; the domain's DC= parts follow */
	const char *upn_suffix;   /* NULL: the domain's DNS name */
	/* backend = ldap: the names are read over LDAP (ldapnames.c) */
	int use_ldap;
	const char *ldap_uri;       /* NULL: the DC winbind uses */
	const char *ldap_keytab;    /* NULL: the default keytab */
	const char *ldap_principal; /* NULL: NETBIOS$@REALM of this member */
	unsigned ldap_timeout_ms;
};

/*
 * otpce_ldap_names (ldapnames.c): the distinguishedName and, if the
 * account has one, the userPrincipalName (else |upn| is left alone) of the
 * object whose objectSid is |sid|, under |base_dn|, over LDAP bound as
 * the machine account.  NOT_FOUND if there is none; ERROR (with |err|)
 * if the directory cannot be asked.
 */
enum otpce_directory_result otpce_ldap_names(const struct otpce_directory_config *cfg,
					     const char *sid, const char *base_dn,
					     const char *dns_domain, char *dn, size_t dnlen,
					     char *upn, size_t upnlen, char *err, size_t errlen);

/*
 * otpce_directory_lookup resolves |username| ("DOMAIN\user", 3.1.5.1) in
 * Active Directory.  |err| says why on NOT_FOUND or ERROR (no secret is
 * ever passed in).  Blocking (winbind answers over a local socket).
 */
enum otpce_directory_result otpce_directory_lookup(const struct otpce_directory_config *cfg,
						   const char *username,
						   struct otpce_directory_user *out, char *err,
						   size_t errlen);

#endif
