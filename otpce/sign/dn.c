/*
 * dn.c: RFC 4514 distinguished-name strings to X509_NAME, and the safe
 * text forms of names for error messages and logs.
 *
 * Written by hand because OpenSSL has no public RFC 4514 parser (its
 * apps/ parse_name takes the "/CN=x/DC=y" form and is not in libcrypto),
 * while the directory hands us distinguishedName strings.  Small and
 * strict: escapes as RFC 4514 section 2.4 lists them (a backslash before
 * one of ' ', '"', '#', '+', ',', ';', '<', '=', '>', '\\', or two hex
 * digits); multi-valued RDNs ('+') and "#hex" values are refused; spaces
 * after a separating comma are skipped (LDAP tools print "a, b").
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/objects.h>

#include "otpce/sign/internal.h"

#define DN_MAX 4096

void otpce_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void otpce_safe_text(const unsigned char *s, size_t len, char *buf, size_t buflen)
{
	size_t i;

	if (buflen == 0) {
		return;
	}
	for (i = 0; i < len && i + 1 < buflen; i++) {
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '?';
	}
	buf[i] = '\0';
}

void otpce_name_text(const X509_NAME *name, char *buf, size_t buflen)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p = NULL;
	long n;

	if (buflen == 0) {
		return;
	}
	buf[0] = '\0';
	if (b == NULL) {
		return;
	}
	/* RFC 2253 order and escaping, and every byte >= 0x80 or < 0x20 as
	 * \XX: the text is ASCII whatever the request carried. */
	if (X509_NAME_print_ex(b, name, 0,
			       (XN_FLAG_RFC2253 | ASN1_STRFLGS_ESC_MSB) & ~ASN1_STRFLGS_DUMP_UNKNOWN) >= 0) {
		n = BIO_get_mem_data(b, &p);
		if (n > 0) {
			otpce_safe_text((const unsigned char *)p, (size_t)n, buf, buflen);
		}
	}
	BIO_free(b);
}

int otpce_is_dotted_oid(const char *s)
{
	int digits = 0, arcs = 0;

	if (s == NULL || *s == '\0') {
		return 0;
	}
	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9') {
			digits++;
		} else if (*s == '.' && digits > 0) {
			arcs++;
			digits = 0;
		} else {
			return 0;
		}
	}
	return digits > 0 && arcs >= 1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	return -1;
}

/* add_rdn appends one "type=value" to |name| at the front (RFC 4514 is
 * most specific first, X.509 root first). */
static int add_rdn(X509_NAME *name, const char *type, const unsigned char *val, size_t vlen,
		   char *err, size_t errlen)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(type, 0);
	int nid, asn1type, ok;
	char upper[128];

	if (obj == NULL && strlen(type) < sizeof(upper)) {
		/* LDAP attribute types are case-insensitive ("cn", "dc"). */
		for (size_t k = 0; k <= strlen(type); k++) {
			upper[k] = (char)toupper((unsigned char)type[k]);
		}
		obj = OBJ_txt2obj(upper, 0);
	}
	if (obj == NULL) {
		otpce_err(err, errlen, "DN: unknown attribute type \"%.64s\"", type);
		return -1;
	}
	nid = OBJ_obj2nid(obj);
	asn1type = nid == NID_domainComponent ? V_ASN1_IA5STRING
		 : nid == NID_countryName ? V_ASN1_PRINTABLESTRING
		 : V_ASN1_UTF8STRING;
	if (vlen > INT32_MAX) {
		ASN1_OBJECT_free(obj);
		return -1;
	}
	ok = X509_NAME_add_entry_by_OBJ(name, obj, asn1type, val, (int)vlen, -1, 0);
	ASN1_OBJECT_free(obj);
	if (!ok) {
		otpce_err(err, errlen, "DN: cannot add \"%.64s\"", type);
		return -1;
	}
	return 0;
}

X509_NAME *otpce_dn_parse(const char *dn, char *err, size_t errlen)
{
	X509_NAME *name = X509_NAME_new();
	size_t n = dn == NULL ? 0 : strnlen(dn, DN_MAX + 1), i = 0;
	char type[128];
	unsigned char *val = NULL;

	if (name == NULL || n > DN_MAX || (val = malloc(n + 1)) == NULL) {
		otpce_err(err, errlen, n > DN_MAX ? "DN longer than %d bytes" : "out of memory",
			  DN_MAX);
		goto fail;
	}
	while (i < n) {
		size_t t = 0, v = 0, keep = 0;

		while (i < n && dn[i] == ' ') {
			i++;
		}
		while (i < n && dn[i] != '=') {
			if (t + 1 >= sizeof(type) || !(isalnum((unsigned char)dn[i]) ||
						       dn[i] == '.' || dn[i] == '-')) {
				otpce_err(err, errlen, "DN: bad attribute type at offset %zu", i);
				goto fail;
			}
			type[t++] = dn[i++];
		}
		type[t] = '\0';
		if (i >= n || t == 0) {
			otpce_err(err, errlen, "DN: expected type=value at offset %zu", i);
			goto fail;
		}
		i++; /* '=' */
		if (i < n && dn[i] == '#') {
			otpce_err(err, errlen, "DN: #hex values are not supported");
			goto fail;
		}
		while (i < n && dn[i] != ',') {
			char c = dn[i];

			if (c == '+') {
				otpce_err(err, errlen, "DN: multi-valued RDNs are not supported");
				goto fail;
			}
			if (c == '\\') {
				int h, l;

				if (i + 1 >= n) {
					otpce_err(err, errlen, "DN: dangling backslash");
					goto fail;
				}
				if (strchr(" \"#+,;<=>\\", dn[i + 1]) != NULL) {
					val[v++] = (unsigned char)dn[i + 1];
					i += 2;
				} else if (i + 2 < n && (h = hexval(dn[i + 1])) >= 0 &&
					   (l = hexval(dn[i + 2])) >= 0 && (h | l) != 0) {
					val[v++] = (unsigned char)(h << 4 | l);
					i += 3;
				} else {
					otpce_err(err, errlen, "DN: bad escape at offset %zu", i);
					goto fail;
				}
				keep = v; /* an escaped space is kept */
				continue;
			}
			val[v++] = (unsigned char)c;
			i++;
			if (c != ' ') {
				keep = v;
			}
		}
		v = keep; /* trailing unescaped spaces */
		if (v == 0) {
			otpce_err(err, errlen, "DN: empty value for %.64s", type);
			goto fail;
		}
		if (add_rdn(name, type, val, v, err, errlen) != 0) {
			goto fail;
		}
		if (i < n) {
			i++; /* ',' */
			if (i == n) {
				otpce_err(err, errlen, "DN: trailing comma");
				goto fail;
			}
		}
	}
	/* Reverse: the string was most specific first. */
	{
		X509_NAME *rev = X509_NAME_new();
		int cnt = X509_NAME_entry_count(name);

		if (rev == NULL) {
			goto fail;
		}
		for (int k = cnt - 1; k >= 0; k--) {
			if (!X509_NAME_add_entry(rev, X509_NAME_get_entry(name, k), -1, 0)) {
				X509_NAME_free(rev);
				otpce_err(err, errlen, "out of memory");
				goto fail;
			}
		}
		X509_NAME_free(name);
		name = rev;
	}
	free(val);
	return name;
fail:
	free(val);
	X509_NAME_free(name);
	return NULL;
}
