/*
 * otpce/sign/internal.h: what the files of otpce/sign share (not public).
 */
#ifndef OTPCE_SIGN_INTERNAL_H
#define OTPCE_SIGN_INTERNAL_H

#include <stddef.h>

#include <openssl/cms.h>
#include <openssl/x509.h>

/* otpce_err fills |err| (when not NULL) with the formatted reason. */
void otpce_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * otpce_dn_parse turns an RFC 4514 string ("CN=User 1,CN=Users,DC=domain1,
 * DC=com", most specific first) into an X509_NAME (root first, as X.509
 * encodes it).  DC values become IA5String, C PrintableString, the rest
 * UTF8String, as Windows encodes them (the 4.1 request).  NULL on failure
 * with |err| filled.  An empty string gives an empty name.
 */
X509_NAME *otpce_dn_parse(const char *dn, char *err, size_t errlen);

/* otpce_name_text renders |name| as RFC 2253 text with every non-ASCII or
 * control character escaped, so that it is safe in a log line; into |buf|. */
void otpce_name_text(const X509_NAME *name, char *buf, size_t buflen);

/* otpce_safe_text copies at most |len| bytes of attacker-supplied |s|
 * into |buf|, replacing every byte that is not printable ASCII by '?'. */
void otpce_safe_text(const unsigned char *s, size_t len, char *buf, size_t buflen);

/* otpce_is_dotted_oid: |s| is a dotted-decimal OID ("1.2.840..."). */
int otpce_is_dotted_oid(const char *s);

/* otpce_signed_attrs_der: the DER SET OF the signed attributes of |si|,
 * the bytes that are hashed and signed (RFC 5652 5.4); OPENSSL_free it. */
int otpce_signed_attrs_der(CMS_SignerInfo *si, unsigned char **der, int *len);

#endif
