/*
 * directory.c: MS-OTPCE 3.2.5.1 step 2 ("Validate that the user name is
 * listed in Active Directory") through winbind on the joined member, and
 * the names step 1 compares with the PKCS#10.
 *
 * What winbind gives: the SID and type of DOMAIN\user (wbcLookupName),
 * the canonical domain and account name (wbcLookupSid), the domain's DNS
 * name (wbcDomainInfo) and the account's full name (wbcGetpwsid, the
 * gecos field).  What it does not give: the userPrincipalName and the
 * distinguishedName.  So:
 *  - UPN: account@upn_suffix, by default account@<the domain's DNS name>,
 *    the UPN every AD account has implicitly (MS-ADTS 5.1.1.1.1, the
 *    "implicit UPN").  An account whose explicit userPrincipalName differs
 *    (another suffix) needs upn_suffix, or its requests fail step 1
 *    (OtherError): they fail closed;
 *  - DN: CN=<full name, or the account name if none>,<dn_container>,
 *    DC=<each label of the DNS name>, which is the distinguishedName of an
 *    account created in CN=Users (the default) or the configured
 *    container, when its cn is its full name (what AD's tools do).  An
 *    account elsewhere fails step 1, closed.
 * With backend = ldap, both come from the directory itself instead: the
 * object with the user's SID, read over LDAP as the machine account
 * (ldapnames.c); an account without a userPrincipalName keeps the
 * implicit one above.
 */
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <wbclient.h>

#include "otpce/server/backends.h"

/* escape_rdn: RFC 4514 2.4 escaping of an attribute value. */
static void escape_rdn(const char *in, char *out, size_t outlen)
{
	size_t o = 0, n = strlen(in);

	for (size_t i = 0; i < n && o + 4 < outlen; i++) {
		char c = in[i];
		if (strchr(",+\"\\<>;=", c) != NULL || (i == 0 && (c == '#' || c == ' ')) ||
		    (i == n - 1 && c == ' ')) {
			out[o++] = '\\';
		}
		out[o++] = c;
	}
	out[o] = '\0';
}

static enum otpce_directory_result wbc_fail(wbcErr e, const char *what, char *err,
					    size_t errlen)
{
	snprintf(err, errlen, "%s: %s", what, wbcErrorString(e));
	if (e == WBC_ERR_WINBIND_NOT_AVAILABLE || e == WBC_ERR_NO_MEMORY ||
	    e == WBC_ERR_NOT_IMPLEMENTED || e == WBC_ERR_AUTH_ERROR) {
		return OTPCE_DIRECTORY_ERROR;
	}
	return OTPCE_DIRECTORY_NOT_FOUND;
}

enum otpce_directory_result otpce_directory_lookup(const struct otpce_directory_config *cfg,
						   const char *username,
						   struct otpce_directory_user *out, char *err,
						   size_t errlen)
{
	char domain[256] = "", cn[OTPCE_DIR_NAME_MAX], dcs[OTPCE_DIR_NAME_MAX] = "";
	const char *name = username, *slash = strchr(username, '\\');
	struct wbcDomainSid sid;
	enum wbcSidType type;
	char *canon_dom = NULL, *canon_name = NULL;
	struct wbcDomainInfo *dinfo = NULL;
	struct passwd *pw = NULL;
	enum otpce_directory_result rc = OTPCE_DIRECTORY_ERROR;
	wbcErr e;

	if (slash != NULL) {
		if ((size_t)(slash - username) >= sizeof(domain)) {
			snprintf(err, errlen, "domain part too long");
			return OTPCE_DIRECTORY_NOT_FOUND;
		}
		memcpy(domain, username, (size_t)(slash - username));
		name = slash + 1;
	}
	if (*name == '\0' || strchr(name, '\\') != NULL || strchr(name, '@') != NULL) {
		snprintf(err, errlen, "username is not DOMAIN\\user (3.1.5.1)");
		return OTPCE_DIRECTORY_NOT_FOUND;
	}
	e = wbcLookupName(domain, name, &sid, &type);
	if (!WBC_ERROR_IS_OK(e)) {
		return wbc_fail(e, "winbind lookup of the user", err, errlen);
	}
	if (type != WBC_SID_NAME_USER) {
		snprintf(err, errlen, "the name is a %s, not a user", wbcSidTypeString(type));
		return OTPCE_DIRECTORY_NOT_FOUND;
	}
	e = wbcLookupSid(&sid, &canon_dom, &canon_name, &type);
	if (!WBC_ERROR_IS_OK(e)) {
		rc = wbc_fail(e, "winbind lookup of the SID", err, errlen);
		goto out;
	}
	e = wbcDomainInfo(canon_dom, &dinfo);
	if (!WBC_ERROR_IS_OK(e) || dinfo->dns_name == NULL || dinfo->dns_name[0] == '\0') {
		snprintf(err, errlen, "winbind has no DNS name for the user's domain");
		rc = OTPCE_DIRECTORY_ERROR;
		goto out;
	}
	/* The full name is optional: an account without one uses its name. */
	if (WBC_ERROR_IS_OK(wbcGetpwsid(&sid, &pw)) && pw->pw_gecos != NULL &&
	    pw->pw_gecos[0] != '\0') {
		escape_rdn(pw->pw_gecos, cn, sizeof(cn));
	} else {
		escape_rdn(canon_name, cn, sizeof(cn));
	}
	for (const char *p = dinfo->dns_name; *p != '\0';) {
		const char *dot = strchr(p, '.');
		size_t l = dot != NULL ? (size_t)(dot - p) : strlen(p);
		size_t used = strlen(dcs);
		if ((size_t)snprintf(dcs + used, sizeof(dcs) - used, "%sDC=%.*s", used ? "," : "",
				     (int)l, p) >= sizeof(dcs) - used) {
			break; /* too long: the DN check then fails, closed */
		}
		p += l + (dot != NULL);
	}
	if ((size_t)snprintf(out->account, sizeof(out->account), "%s\\%s", canon_dom,
			     canon_name) >= sizeof(out->account) ||
	    (size_t)snprintf(out->upn, sizeof(out->upn), "%s@%s", canon_name,
			     cfg->upn_suffix != NULL ? cfg->upn_suffix : dinfo->dns_name) >=
		    sizeof(out->upn) ||
	    (size_t)snprintf(out->dn, sizeof(out->dn), "CN=%s%s%s,%s", cn,
			     cfg->dn_container != NULL && cfg->dn_container[0] ? "," : "",
			     cfg->dn_container != NULL ? cfg->dn_container : "", dcs) >=
		    sizeof(out->dn)) {
		snprintf(err, errlen, "the user's names are too long");
		rc = OTPCE_DIRECTORY_ERROR;
		goto out;
	}
	wbcSidToStringBuf(&sid, out->sid, sizeof(out->sid));
	if (cfg->use_ldap) {
		rc = otpce_ldap_names(cfg, out->sid, dcs, dinfo->dns_name, out->dn, sizeof(out->dn),
				      out->upn, sizeof(out->upn), err, errlen);
		goto out;
	}
	rc = OTPCE_DIRECTORY_FOUND;
out:
	wbcFreeMemory(canon_dom);
	wbcFreeMemory(canon_name);
	wbcFreeMemory(dinfo);
	wbcFreeMemory(pw);
	return rc;
}
