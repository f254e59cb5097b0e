/*
 * otpce/sign/cmc.h: the ASN.1 types of the signed request and of the
 * Microsoft request attributes, as OpenSSL ASN.1 templates (cmc.c).
 * Internal to otpce/sign and its tests: it includes OpenSSL.
 *
 * RFC 5272 (CMC), section 3.2:
 *   PKIData ::= SEQUENCE {
 *       controlSequence    SEQUENCE SIZE(0..MAX) OF TaggedAttribute,
 *       reqSequence        SEQUENCE SIZE(0..MAX) OF TaggedRequest,
 *       cmsSequence        SEQUENCE SIZE(0..MAX) OF TaggedContentInfo,
 *       otherMsgSequence   SEQUENCE SIZE(0..MAX) OF OtherMsg }
 *   TaggedAttribute ::= SEQUENCE { bodyPartID BodyPartID,
 *       attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue }
 *   TaggedRequest ::= CHOICE { tcr [0] TaggedCertificationRequest, ... }
 *   TaggedCertificationRequest ::= SEQUENCE { bodyPartID BodyPartID,
 *       certificationRequest CertificationRequest }
 * (the module uses IMPLICIT tags: the 4.1 bytes carry "a0 82 04 96 02 01
 * 01 30 ..", the [0] replacing the SEQUENCE tag).  Only tcr is supported:
 * neither Windows nor we send crm or orm, and decoding one fails.
 * The cmsSequence and otherMsgSequence are kept as opaque elements (we
 * send them empty, as Windows does).
 *
 * Microsoft, MS-WCCE 2.2.2.8 (CMC add attributes, 1.3.6.1.4.1.311.10.10.1):
 *   CMCAddAttributesInfo ::= SEQUENCE { dataReference BodyPartID,
 *       certReferences SEQUENCE OF BodyPartID, attributes SET OF Attribute }
 * MS-WCCE 2.2.2.7.4 (ClientInfo, 1.3.6.1.4.1.311.21.20):
 *   ClientInfo ::= SEQUENCE { clientId INTEGER, MachineName UTF8String,
 *       UserName UTF8String, ProcessName UTF8String }
 * MS-WCCE 2.2.2.7.7.2 (certificate template, 1.3.6.1.4.1.311.21.7):
 *   CertificateTemplate ::= SEQUENCE { templateID OBJECT IDENTIFIER,
 *       templateMajorVersion INTEGER, templateMinorVersion INTEGER OPTIONAL }
 */
#ifndef OTPCE_SIGN_CMC_H
#define OTPCE_SIGN_CMC_H

#include <openssl/asn1t.h>
#include <openssl/x509.h>

#define OTPCE_OID_PKIDATA "1.3.6.1.5.5.7.12.2"         /* id-cct-PKIData */
#define OTPCE_OID_ADD_ATTRIBUTES "1.3.6.1.4.1.311.10.10.1" /* szOID_CMC_ADD_ATTRIBUTES */
#define OTPCE_OID_CLIENT_INFO "1.3.6.1.4.1.311.21.20"  /* szOID_REQUEST_CLIENT_INFO */
#define OTPCE_OID_TEMPLATE "1.3.6.1.4.1.311.21.7"      /* szOID_CERTIFICATE_TEMPLATE */
#define OTPCE_OID_TEMPLATE_NAME "1.3.6.1.4.1.311.20.2" /* szOID_ENROLL_CERTTYPE_EXTENSION */
#define OTPCE_OID_UPN "1.3.6.1.4.1.311.20.2.3"         /* szOID_NT_PRINCIPAL_NAME */
#define OTPCE_OID_DUMMY_SIGNER "1.3.6.1.4.1.311.21.9"  /* szOID_RDN_DUMMY_SIGNER */
#define OTPCE_OID_NO_SIGNATURE "1.3.6.1.5.5.7.6.2"     /* id-alg-noSignature */
#define OTPCE_OID_OS_VERSION "1.3.6.1.4.1.311.13.2.3"  /* szOID_OS_VERSION */
#define OTPCE_OID_APP_POLICIES "1.3.6.1.4.1.311.21.10" /* szOID_APPLICATION_CERT_POLICIES */
#define OTPCE_OID_MS_EXT_REQ "1.3.6.1.4.1.311.2.1.14"  /* szOID_CERT_EXTENSIONS */
#define OTPCE_OID_SMARTCARD_LOGON "1.3.6.1.4.1.311.20.2.2"

/* The body part IDs the Windows server uses (4.1 response). */
#define OTPCE_BODYPART_REQUEST 1
#define OTPCE_BODYPART_ADD_ATTRIBUTES 2

typedef struct {
	ASN1_INTEGER *body_part_id;
	ASN1_OBJECT *attr_type;
	STACK_OF(ASN1_TYPE) *attr_values;
} OTPCE_TAGGED_ATTRIBUTE;
DECLARE_ASN1_FUNCTIONS(OTPCE_TAGGED_ATTRIBUTE)
DEFINE_STACK_OF(OTPCE_TAGGED_ATTRIBUTE)

typedef struct {
	ASN1_INTEGER *body_part_id;
	/* The CertificationRequest as one opaque element: i2d writes these
	 * bytes as they are, so the client's PKCS#10 is carried byte for byte. */
	ASN1_TYPE *request;
} OTPCE_TAGGED_CERT_REQ;
DECLARE_ASN1_FUNCTIONS(OTPCE_TAGGED_CERT_REQ)

#define OTPCE_TAGGED_REQUEST_TCR 0
typedef struct {
	int type;
	union {
		OTPCE_TAGGED_CERT_REQ *tcr;
	} d;
} OTPCE_TAGGED_REQUEST;
DECLARE_ASN1_FUNCTIONS(OTPCE_TAGGED_REQUEST)
DEFINE_STACK_OF(OTPCE_TAGGED_REQUEST)

typedef struct {
	STACK_OF(OTPCE_TAGGED_ATTRIBUTE) *controls;
	STACK_OF(OTPCE_TAGGED_REQUEST) *requests;
	STACK_OF(ASN1_TYPE) *cms;
	STACK_OF(ASN1_TYPE) *other;
} OTPCE_PKIDATA;
DECLARE_ASN1_FUNCTIONS(OTPCE_PKIDATA)

typedef struct {
	ASN1_INTEGER *data_reference;
	STACK_OF(ASN1_INTEGER) *cert_references;
	STACK_OF(X509_ATTRIBUTE) *attributes;
} OTPCE_ADD_ATTRIBUTES;
DECLARE_ASN1_FUNCTIONS(OTPCE_ADD_ATTRIBUTES)

typedef struct {
	ASN1_INTEGER *client_id;
	ASN1_UTF8STRING *machine;
	ASN1_UTF8STRING *user;
	ASN1_UTF8STRING *process;
} OTPCE_CLIENT_INFO;
DECLARE_ASN1_FUNCTIONS(OTPCE_CLIENT_INFO)

typedef struct {
	ASN1_OBJECT *template_id;
	ASN1_INTEGER *major;
	ASN1_INTEGER *minor; /* optional */
} OTPCE_CERT_TEMPLATE;
DECLARE_ASN1_FUNCTIONS(OTPCE_CERT_TEMPLATE)

/* SET OF Attribute, DER-sorted on output: the form a SignerInfo's signed
 * attributes are hashed and signed in (RFC 5652 5.4). */
typedef STACK_OF(X509_ATTRIBUTE) OTPCE_ATTRIBUTE_SET;
DECLARE_ASN1_ENCODE_FUNCTIONS(OTPCE_ATTRIBUTE_SET, OTPCE_ATTRIBUTE_SET, OTPCE_ATTRIBUTE_SET)

#endif
