/*
 * ldapnames.c: a user's exact distinguishedName and userPrincipalName from
 * Active Directory over LDAP, bound as the member's machine account
 * ([directory] backend = ldap; directory.c asks here once winbind has
 * found the user's SID).  winbind gives neither name, and deriving them
 * (backend = winbind) fails for an account outside dn_container or with
 * an explicit UPN of another suffix.
 *
 * Libraries: OpenLDAP's libldap, SASL GSSAPI through Cyrus SASL's plugin
 * (Debian's Heimdal build, libsasl2-modules-gssapi-heimdal), and Heimdal's
 * krb5 for the machine account's ticket: krb5_get_init_creds_keytab into a
 * MEMORY credential cache, which KRB5CCNAME names for the plugin.
 *
 * One connection per process (each worker has its own), made on first
 * use, dropped on any error and made again by the next lookup (at once,
 * within the same lookup, when the DC closed a kept connection); the
 * ticket is fetched again when less than RENEW_S seconds of it are left.  The
 * calls block, as winbind's do; dircache.c keeps the answers.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <krb5.h>
#include <ldap.h>
#include <sasl/sasl.h>
#include <wbclient.h>

#include "crypto/ms/sid.h"
#include "otpce/server/backends.h"

#define CCNAME "MEMORY:otpced-ldap"
#define RENEW_S 300

static struct {
	krb5_context k;
	krb5_ccache cc;
	time_t tgt_end;
	LDAP *ld;
} g;

static void drop_connection(void)
{
	if (g.ld != NULL) {
		ldap_unbind_ext_s(g.ld, NULL, NULL);
		g.ld = NULL;
	}
}

/* machine_principal: "NETBIOS$@REALM" of this member, from winbind. */
static int machine_principal(char *out, size_t outlen, char *err, size_t errlen)
{
	struct wbcInterfaceDetails *d = NULL;
	wbcErr e = wbcInterfaceDetails(&d);
	int rc = -1;

	if (!WBC_ERROR_IS_OK(e) || d->netbios_name == NULL || d->dns_domain == NULL) {
		snprintf(err, errlen, "winbind does not name this member: %s", wbcErrorString(e));
	} else if ((size_t)snprintf(out, outlen, "%s$@%s", d->netbios_name, d->dns_domain) <
		   outlen) {
		for (char *p = strchr(out, '@'); p != NULL && *p != '\0'; p++) {
			*p = (char)toupper((unsigned char)*p);
		}
		rc = 0;
	} else {
		snprintf(err, errlen, "the machine account's name is too long");
	}
	wbcFreeMemory(d);
	return rc;
}

/* ticket: a TGT for the machine account in CCNAME, fetched again when it
 * is about to end. */
static int ticket(const struct otpce_directory_config *cfg, char *err, size_t errlen)
{
	char pname[512];
	krb5_principal p = NULL;
	krb5_keytab kt = NULL;
	krb5_creds creds;
	krb5_error_code ret;
	const char *what;

	if (g.cc != NULL && g.tgt_end - time(NULL) > RENEW_S) {
		return 0;
	}
	if (g.k == NULL && (ret = krb5_init_context(&g.k)) != 0) {
		snprintf(err, errlen, "krb5_init_context failed (%d)", ret);
		return -1;
	}
	if (cfg->ldap_principal != NULL) {
		snprintf(pname, sizeof(pname), "%s", cfg->ldap_principal);
	} else if (machine_principal(pname, sizeof(pname), err, errlen) != 0) {
		return -1;
	}
	memset(&creds, 0, sizeof(creds));
	what = "the principal";
	ret = krb5_parse_name(g.k, pname, &p);
	if (ret == 0) {
		what = "the keytab";
		ret = cfg->ldap_keytab != NULL ? krb5_kt_resolve(g.k, cfg->ldap_keytab, &kt)
					       : krb5_kt_default(g.k, &kt);
	}
	if (ret == 0) {
		what = "a ticket with the keytab";
		ret = krb5_get_init_creds_keytab(g.k, &creds, p, kt, 0, NULL, NULL);
	}
	if (ret == 0 && g.cc == NULL) {
		what = "the credential cache";
		ret = krb5_cc_resolve(g.k, CCNAME, &g.cc);
	}
	if (ret == 0) {
		what = "the credential cache";
		ret = krb5_cc_initialize(g.k, g.cc, p);
		if (ret == 0) {
			ret = krb5_cc_store_cred(g.k, g.cc, &creds);
		}
	}
	if (ret == 0) {
		g.tgt_end = creds.times.endtime;
	} else {
		const char *m = krb5_get_error_message(g.k, ret);
		snprintf(err, errlen, "Kerberos, %s for %s: %s", what, pname, m);
		krb5_free_error_message(g.k, m);
	}
	krb5_free_cred_contents(g.k, &creds);
	if (kt != NULL) {
		krb5_kt_close(g.k, kt);
	}
	krb5_free_principal(g.k, p);
	return ret == 0 ? 0 : -1;
}

/* sasl_interact: GSSAPI asks for nothing but may ask for an authorization
 * name: none. */
static int sasl_interact(LDAP *ld, unsigned flags, void *defaults, void *in)
{
	for (sasl_interact_t *i = in; i->id != SASL_CB_LIST_END; i++) {
		i->result = "";
		i->len = 0;
	}
	return LDAP_SUCCESS;
}

/* dc_uri: ldap://<the DC winbind uses for |dns_domain|>: the one its
 * NETLOGON connection goes to (wbcPingDc2), else one DsGetDcName finds. */
static int dc_uri(const char *dns_domain, char *out, size_t outlen, char *err, size_t errlen)
{
	struct wbcDomainControllerInfoEx *dc = NULL;
	char *pinged = NULL;
	const char *name = NULL;
	wbcErr e = wbcPingDc2(dns_domain, NULL, &pinged);
	int rc = -1;

	if (WBC_ERROR_IS_OK(e) && pinged != NULL && pinged[0] != '\0') {
		name = pinged;
	} else {
		e = wbcLookupDomainControllerEx(dns_domain, NULL, NULL,
						WBC_LOOKUP_DC_DS_REQUIRED |
							WBC_LOOKUP_DC_RETURN_DNS_NAME,
						&dc);
		if (WBC_ERROR_IS_OK(e) && dc->dc_unc != NULL) {
			name = dc->dc_unc;
		}
	}
	if (name == NULL) {
		snprintf(err, errlen, "winbind names no DC for %s (set ldap_uri): %s", dns_domain,
			 wbcErrorString(e));
	} else {
		while (*name == '\\') {
			name++;
		}
		rc = (size_t)snprintf(out, outlen, "ldap://%s", name) < outlen ? 0 : -1;
		if (rc != 0) {
			snprintf(err, errlen, "the DC's name is too long");
		}
	}
	wbcFreeMemory(pinged);
	wbcFreeMemory(dc);
	return rc;
}

static int connect_and_bind(const struct otpce_directory_config *cfg, const char *dns_domain,
			    char *err, size_t errlen)
{
	char uri[600];
	int v3 = LDAP_VERSION3, rc;
	struct timeval tv = { .tv_sec = cfg->ldap_timeout_ms / 1000,
			      .tv_usec = (cfg->ldap_timeout_ms % 1000) * 1000 };

	if (g.ld != NULL) {
		return 0;
	}
	if (cfg->ldap_uri != NULL) {
		snprintf(uri, sizeof(uri), "%s", cfg->ldap_uri);
	} else if (dc_uri(dns_domain, uri, sizeof(uri), err, errlen) != 0) {
		return -1;
	}
	if (ticket(cfg, err, errlen) != 0) {
		return -1;
	}
	rc = ldap_initialize(&g.ld, uri);
	if (rc != LDAP_SUCCESS) {
		snprintf(err, errlen, "LDAP %s: %s", uri, ldap_err2string(rc));
		g.ld = NULL;
		return -1;
	}
	/* The SASL service name is ldap/<the host of the URI>, not of a
	 * reverse lookup; sealing is required (the DC asks for signing at
	 * least). */
	if (ldap_set_option(g.ld, LDAP_OPT_PROTOCOL_VERSION, &v3) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(g.ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(g.ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(g.ld, LDAP_OPT_X_SASL_SECPROPS, "minssf=56") != LDAP_OPT_SUCCESS ||
	    ldap_set_option(g.ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(g.ld, LDAP_OPT_TIMEOUT, &tv) != LDAP_OPT_SUCCESS) {
		snprintf(err, errlen, "LDAP %s: cannot set the connection's options", uri);
		drop_connection();
		return -1;
	}
	rc = ldap_sasl_interactive_bind_s(g.ld, NULL, "GSSAPI", NULL, NULL, LDAP_SASL_QUIET,
					  sasl_interact, NULL);
	if (rc != LDAP_SUCCESS) {
		char *diag = NULL;
		ldap_get_option(g.ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
		snprintf(err, errlen, "LDAP %s: the GSSAPI bind failed: %s%s%s", uri,
			 ldap_err2string(rc), diag != NULL && diag[0] ? ": " : "",
			 diag != NULL ? diag : "");
		ldap_memfree(diag);
		drop_connection();
		return -1;
	}
	return 0;
}

/* first_value copies the first value of |attr| of |e| into |out|: 1 if
 * there is one, 0 if none, -1 if it does not fit or holds a NUL. */
static int first_value(LDAP *ld, LDAPMessage *e, const char *attr, char *out, size_t outlen)
{
	struct berval **v = ldap_get_values_len(ld, e, attr);
	int rc = 0;

	if (v != NULL && v[0] != NULL) {
		if (v[0]->bv_len >= outlen || memchr(v[0]->bv_val, 0, v[0]->bv_len) != NULL) {
			rc = -1;
		} else {
			memcpy(out, v[0]->bv_val, v[0]->bv_len);
			out[v[0]->bv_len] = '\0';
			rc = 1;
		}
	}
	ldap_value_free_len(v);
	return rc;
}

enum otpce_directory_result otpce_ldap_names(const struct otpce_directory_config *cfg,
					     const char *sid, const char *base_dn,
					     const char *dns_domain, char *dn, size_t dnlen,
					     char *upn, size_t upnlen, char *err, size_t errlen)
{
	static const char *attrs[] = { "distinguishedName", "userPrincipalName", NULL };
	struct crypto_sid s;
	uint8_t bin[CRYPTO_SID_MAX_BINARY];
	char filter[32 + 3 * CRYPTO_SID_MAX_BINARY];
	size_t n, o;
	LDAPMessage *res = NULL, *e;
	int rc, count;
	enum otpce_directory_result r = OTPCE_DIRECTORY_ERROR;

	if (!NT_STATUS_IS_OK(crypto_sid_parse(sid, &s, NULL)) ||
	    (n = crypto_sid_to_binary(&s, bin)) == 0) {
		snprintf(err, errlen, "winbind gave a SID that does not parse");
		return OTPCE_DIRECTORY_ERROR;
	}
	/* (objectSid=\01\05...): every octet escaped (RFC 4515 3). */
	o = (size_t)snprintf(filter, sizeof(filter), "(objectSid=");
	for (size_t i = 0; i < n; i++) {
		o += (size_t)snprintf(filter + o, sizeof(filter) - o, "\\%02x", bin[i]);
	}
	snprintf(filter + o, sizeof(filter) - o, ")");
	/* setenv before the plugin's first use: it reads the name once.  A
	 * connection kept from an earlier lookup may have been closed by the
	 * DC (a restart, an idle timeout): then connect again once. */
	for (int attempt = 0;; attempt++) {
		bool kept = g.ld != NULL;
		if (setenv("KRB5CCNAME", CCNAME, 1) != 0 ||
		    connect_and_bind(cfg, dns_domain, err, errlen) != 0) {
			return OTPCE_DIRECTORY_ERROR;
		}
		rc = ldap_search_ext_s(g.ld, base_dn, LDAP_SCOPE_SUBTREE, filter, (char **)attrs,
				       0, NULL, NULL, NULL, 2, &res);
		if (rc == LDAP_SUCCESS || !kept || attempt > 0 ||
		    (rc != LDAP_SERVER_DOWN && rc != LDAP_CONNECT_ERROR && rc != LDAP_UNAVAILABLE)) {
			break;
		}
		ldap_msgfree(res);
		res = NULL;
		drop_connection();
	}
	if (rc != LDAP_SUCCESS) {
		snprintf(err, errlen, "LDAP search for %s: %s", sid, ldap_err2string(rc));
		drop_connection();
		goto out;
	}
	count = ldap_count_entries(g.ld, res);
	e = ldap_first_entry(g.ld, res);
	if (count == 0 || e == NULL) {
		snprintf(err, errlen, "no object with the SID %s under %s", sid, base_dn);
		r = OTPCE_DIRECTORY_NOT_FOUND;
		goto out;
	}
	if (count != 1) {
		snprintf(err, errlen, "several objects with the SID %s", sid);
		goto out;
	}
	if (first_value(g.ld, e, "distinguishedName", dn, dnlen) != 1) {
		snprintf(err, errlen, "the object of %s has no usable distinguishedName", sid);
		goto out;
	}
	/* No userPrincipalName: the caller keeps the implicit one. */
	if (first_value(g.ld, e, "userPrincipalName", upn, upnlen) < 0) {
		snprintf(err, errlen, "the userPrincipalName of %s is too long", sid);
		goto out;
	}
	r = OTPCE_DIRECTORY_FOUND;
out:
	ldap_msgfree(res);
	return r;
}
