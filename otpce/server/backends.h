/*
 * backends.h: what otpced asks of the RADIUS client (otpce/radius), the
 * PKCS#10 checks and signer (otpce/sign) and the directory (directory.c,
 * ldapnames.c).  Unit tests link fakes of all three
 * (tests/unit/otpce_server_fakes.h).
 */
#ifndef OTPCE_SERVER_BACKENDS_H
#define OTPCE_SERVER_BACKENDS_H

#include <stddef.h>
#include <stdint.h>

#include "otpce/radius/radius.h"
#include "otpce/sign/sign.h"

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
