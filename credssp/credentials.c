/*
 * credentials.c: TSCredentials (MS-CSSP 2.2.1.2) and the credential
 * structures it carries (TSPasswordCreds, TSSmartCardCreds with
 * TSCspDataDetail, TSRemoteGuardCreds with TSRemoteGuardPackageCred),
 * between ours and the ASN.1 types of asn1_internal.h.  See credssp_msg.h.
 */
#include "credssp/asn1_internal.h"

#include <stdint.h>

/* ---- TSCredentials ------------------------------------------------------ */

static bool cred_type_known(int64_t v)
{
	return v == CREDSSP_CRED_PASSWORD || v == CREDSSP_CRED_SMARTCARD ||
	       v == CREDSSP_CRED_REMOTE_GUARD;
}

NTSTATUS credssp_tscredentials_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
				     struct credssp_tscredentials **out, const char **reason)
{
	CREDSSP_TSCREDENTIALS *a = NULL;
	struct credssp_tscredentials *r;
	NTSTATUS status;
	int64_t v;

	status = credssp_der_decode(ASN1_ITEM_rptr(CREDSSP_TSCREDENTIALS), buf, len,
				    "not a DER TSCredentials (MS-CSSP 2.2.1.2)", (ASN1_VALUE **)&a,
				    reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	r = talloc_zero(mem_ctx, struct credssp_tscredentials);
	if (r == NULL) {
		status = NT_STATUS_NO_MEMORY;
	} else if (!credssp_integer_get(a->credType, INT32_MIN, INT32_MAX, &v) ||
		   !cred_type_known(v)) {
		crypto_set_reason(reason, "TSCredentials credType is not 1, 2 or 6");
		status = NT_STATUS_INVALID_PARAMETER;
	} else {
		r->cred_type = (enum credssp_cred_type)v;
		status = credssp_secret_get(r, a->credentials, CREDSSP_CREDENTIALS_MAX_LEN,
					    "TSCredentials credentials longer than 64 KiB",
					    &r->credentials, reason);
	}
	CREDSSP_TSCREDENTIALS_free(a);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(r);
		return status;
	}
	*out = r;
	return NT_STATUS_OK;
}

NTSTATUS credssp_tscredentials_build(TALLOC_CTX *mem_ctx,
				     const struct credssp_tscredentials *creds,
				     struct crypto_secret **out, const char **reason)
{
	CREDSSP_TSCREDENTIALS *a = CREDSSP_TSCREDENTIALS_new();
	NTSTATUS status;

	if (a == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	ASN1_INTEGER_free(a->credType);
	ASN1_OCTET_STRING_free(a->credentials);
	a->credType = NULL;
	a->credentials = NULL;
	if (!cred_type_known(creds->cred_type)) {
		crypto_set_reason(reason, "TSCredentials credType is not 1, 2 or 6");
		status = NT_STATUS_INVALID_PARAMETER;
	} else {
		status = credssp_integer_set(&a->credType, creds->cred_type);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = credssp_secret_set(&a->credentials, creds->credentials,
					    CREDSSP_CREDENTIALS_MAX_LEN,
					    "TSCredentials without credentials",
					    "TSCredentials credentials longer than 64 KiB", reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = credssp_der_encode(mem_ctx, ASN1_ITEM_rptr(CREDSSP_TSCREDENTIALS),
					    (ASN1_VALUE *)a, out, reason);
	}
	CREDSSP_TSCREDENTIALS_free(a);
	return status;
}

/* ---- TSPasswordCreds ---------------------------------------------------- */

NTSTATUS credssp_tspasswordcreds_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
				       struct credssp_tspasswordcreds **out,
				       const char **reason)
{
	CREDSSP_TSPASSWORDCREDS *a = NULL;
	struct credssp_tspasswordcreds *r;
	NTSTATUS status;

	status = credssp_der_decode(ASN1_ITEM_rptr(CREDSSP_TSPASSWORDCREDS), buf, len,
				    "not a DER TSPasswordCreds (MS-CSSP 2.2.1.2.1)",
				    (ASN1_VALUE **)&a, reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	r = talloc_zero(mem_ctx, struct credssp_tspasswordcreds);
	status = r == NULL ? NT_STATUS_NO_MEMORY
			   : credssp_octets_get(r, a->domainName, CREDSSP_STRING_MAX_LEN,
						"TSPasswordCreds domainName longer than 4 KiB",
						&r->domain_name, reason);
	if (NT_STATUS_IS_OK(status)) {
		status = credssp_octets_get(r, a->userName, CREDSSP_STRING_MAX_LEN,
					    "TSPasswordCreds userName longer than 4 KiB",
					    &r->user_name, reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = credssp_secret_get(r, a->password, CREDSSP_STRING_MAX_LEN,
					    "TSPasswordCreds password longer than 4 KiB",
					    &r->password, reason);
	}
	CREDSSP_TSPASSWORDCREDS_free(a);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(r);
		return status;
	}
	*out = r;
	return NT_STATUS_OK;
}

NTSTATUS credssp_tspasswordcreds_build(TALLOC_CTX *mem_ctx,
				       const struct credssp_tspasswordcreds *creds,
				       struct crypto_secret **out, const char **reason)
{
	CREDSSP_TSPASSWORDCREDS *a = CREDSSP_TSPASSWORDCREDS_new();
	NTSTATUS status;

	if (a == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	ASN1_OCTET_STRING_free(a->domainName);
	ASN1_OCTET_STRING_free(a->userName);
	ASN1_OCTET_STRING_free(a->password);
	a->domainName = a->userName = a->password = NULL;
	status = credssp_octets_set(&a->domainName, &creds->domain_name, CREDSSP_STRING_MAX_LEN,
				    "TSPasswordCreds domainName longer than 4 KiB", reason);
	if (NT_STATUS_IS_OK(status)) {
		status = credssp_octets_set(&a->userName, &creds->user_name, CREDSSP_STRING_MAX_LEN,
					    "TSPasswordCreds userName longer than 4 KiB", reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = credssp_secret_set(&a->password, creds->password, CREDSSP_STRING_MAX_LEN,
					    "TSPasswordCreds without a password",
					    "TSPasswordCreds password longer than 4 KiB", reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = credssp_der_encode(mem_ctx, ASN1_ITEM_rptr(CREDSSP_TSPASSWORDCREDS),
					    (ASN1_VALUE *)a, out, reason);
	}
	CREDSSP_TSPASSWORDCREDS_free(a);
	return status;
}

/* ---- TSSmartCardCreds --------------------------------------------------- */

static NTSTATUS smartcard_from_asn1(struct credssp_tssmartcardcreds *r,
				    const CREDSSP_TSSMARTCARDCREDS *a, const char **reason)
{
	const CREDSSP_TSCSPDATADETAIL *c = a->cspData;
	struct credssp_tscspdatadetail *d = &r->csp_data;
	NTSTATUS status;
	int64_t v;

	status = credssp_secret_get(r, a->pin, CREDSSP_STRING_MAX_LEN,
				    "TSSmartCardCreds pin longer than 4 KiB", &r->pin, reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	if (!credssp_integer_get(c->keySpec, INT32_MIN, INT32_MAX, &v)) {
		crypto_set_reason(reason, "TSCspDataDetail keySpec is not a signed 32-bit "
					  "INTEGER");
		return NT_STATUS_INVALID_PARAMETER;
	}
	d->key_spec = (int32_t)v;
	status = credssp_octets_get_opt(r, c->cardName, CREDSSP_STRING_MAX_LEN,
					"TSCspDataDetail cardName longer than 4 KiB", &d->card_name,
					reason);
	if (NT_STATUS_IS_OK(status)) {
		status = credssp_octets_get_opt(r, c->readerName, CREDSSP_STRING_MAX_LEN,
						"TSCspDataDetail readerName longer than 4 KiB",
						&d->reader_name, reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = credssp_octets_get_opt(r, c->containerName, CREDSSP_STRING_MAX_LEN,
						"TSCspDataDetail containerName longer than 4 KiB",
						&d->container_name, reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = credssp_octets_get_opt(r, c->cspName, CREDSSP_STRING_MAX_LEN,
						"TSCspDataDetail cspName longer than 4 KiB",
						&d->csp_name, reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = credssp_octets_get_opt(r, a->userHint, CREDSSP_STRING_MAX_LEN,
						"TSSmartCardCreds userHint longer than 4 KiB",
						&r->user_hint, reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = credssp_octets_get_opt(r, a->domainHint, CREDSSP_STRING_MAX_LEN,
						"TSSmartCardCreds domainHint longer than 4 KiB",
						&r->domain_hint, reason);
	}
	return status;
}

NTSTATUS credssp_tssmartcardcreds_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
					struct credssp_tssmartcardcreds **out,
					const char **reason)
{
	CREDSSP_TSSMARTCARDCREDS *a = NULL;
	struct credssp_tssmartcardcreds *r;
	NTSTATUS status;

	status = credssp_der_decode(ASN1_ITEM_rptr(CREDSSP_TSSMARTCARDCREDS), buf, len,
				    "not a DER TSSmartCardCreds (MS-CSSP 2.2.1.2.2)",
				    (ASN1_VALUE **)&a, reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	r = talloc_zero(mem_ctx, struct credssp_tssmartcardcreds);
	status = r == NULL ? NT_STATUS_NO_MEMORY : smartcard_from_asn1(r, a, reason);
	CREDSSP_TSSMARTCARDCREDS_free(a);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(r);
		return status;
	}
	*out = r;
	return NT_STATUS_OK;
}

static NTSTATUS smartcard_to_asn1(CREDSSP_TSSMARTCARDCREDS *a,
				  const struct credssp_tssmartcardcreds *r, const char **reason)
{
	CREDSSP_TSCSPDATADETAIL *c = a->cspData;
	const struct credssp_tscspdatadetail *d = &r->csp_data;
	NTSTATUS status;

	status = credssp_secret_set(&a->pin, r->pin, CREDSSP_STRING_MAX_LEN,
				    "TSSmartCardCreds without a pin",
				    "TSSmartCardCreds pin longer than 4 KiB", reason);
	if (NT_STATUS_IS_OK(status)) {
		status = credssp_integer_set(&c->keySpec, d->key_spec);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = credssp_octets_set_opt(&c->cardName, d->card_name, CREDSSP_STRING_MAX_LEN,
						"TSCspDataDetail cardName longer than 4 KiB",
						reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = credssp_octets_set_opt(&c->readerName, d->reader_name,
						CREDSSP_STRING_MAX_LEN,
						"TSCspDataDetail readerName longer than 4 KiB",
						reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = credssp_octets_set_opt(&c->containerName, d->container_name,
						CREDSSP_STRING_MAX_LEN,
						"TSCspDataDetail containerName longer than 4 KiB",
						reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = credssp_octets_set_opt(&c->cspName, d->csp_name, CREDSSP_STRING_MAX_LEN,
						"TSCspDataDetail cspName longer than 4 KiB",
						reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = credssp_octets_set_opt(&a->userHint, r->user_hint, CREDSSP_STRING_MAX_LEN,
						"TSSmartCardCreds userHint longer than 4 KiB",
						reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = credssp_octets_set_opt(&a->domainHint, r->domain_hint,
						CREDSSP_STRING_MAX_LEN,
						"TSSmartCardCreds domainHint longer than 4 KiB",
						reason);
	}
	return status;
}

NTSTATUS credssp_tssmartcardcreds_build(TALLOC_CTX *mem_ctx,
					const struct credssp_tssmartcardcreds *creds,
					struct crypto_secret **out, const char **reason)
{
	CREDSSP_TSSMARTCARDCREDS *a = CREDSSP_TSSMARTCARDCREDS_new();
	NTSTATUS status;

	if (a == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	ASN1_OCTET_STRING_free(a->pin);
	a->pin = NULL;
	ASN1_INTEGER_free(a->cspData->keySpec);
	a->cspData->keySpec = NULL;
	status = smartcard_to_asn1(a, creds, reason);
	if (NT_STATUS_IS_OK(status)) {
		status = credssp_der_encode(mem_ctx, ASN1_ITEM_rptr(CREDSSP_TSSMARTCARDCREDS),
					    (ASN1_VALUE *)a, out, reason);
	}
	CREDSSP_TSSMARTCARDCREDS_free(a);
	return status;
}

/* ---- TSRemoteGuardCreds ------------------------------------------------- */

static NTSTATUS packagecred_get(TALLOC_CTX *ctx, const CREDSSP_TSREMOTEGUARDPACKAGECRED *a,
				struct credssp_tsremoteguardpackagecred *p, const char **reason)
{
	NTSTATUS status;

	status = credssp_octets_get(ctx, a->packageName, CREDSSP_STRING_MAX_LEN,
				    "TSRemoteGuardPackageCred packageName longer than 4 KiB",
				    &p->package_name, reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	return credssp_secret_get(ctx, a->credBuffer, CREDSSP_CRED_BUFFER_MAX_LEN,
				  "TSRemoteGuardPackageCred credBuffer longer than 64 KiB",
				  &p->cred_buffer, reason);
}

static NTSTATUS remoteguard_from_asn1(struct credssp_tsremoteguardcreds *r,
				      const CREDSSP_TSREMOTEGUARDCREDS *a, const char **reason)
{
	NTSTATUS status;
	int n;

	status = packagecred_get(r, a->logonCred, &r->logon_cred, reason);
	if (!NT_STATUS_IS_OK(status) || a->supplementalCreds == NULL) {
		return status;
	}
	n = sk_CREDSSP_TSREMOTEGUARDPACKAGECRED_num(a->supplementalCreds);
	if (n < 0 || n > CREDSSP_SUPPLEMENTAL_CREDS_MAX) {
		return credssp_too_long(reason,
					"TSRemoteGuardCreds has more than 16 supplementalCreds");
	}
	r->has_supplemental_creds = true;
	r->num_supplemental_creds = (size_t)n;
	r->supplemental_creds = talloc_zero_array(r, struct credssp_tsremoteguardpackagecred,
						  (size_t)n + 1);
	if (r->supplemental_creds == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	for (int i = 0; i < n && NT_STATUS_IS_OK(status); i++) {
		status = packagecred_get(
			r->supplemental_creds,
			sk_CREDSSP_TSREMOTEGUARDPACKAGECRED_value(a->supplementalCreds, i),
			&r->supplemental_creds[i], reason);
	}
	return status;
}

NTSTATUS credssp_tsremoteguardcreds_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf,
					  size_t len, struct credssp_tsremoteguardcreds **out,
					  const char **reason)
{
	CREDSSP_TSREMOTEGUARDCREDS *a = NULL;
	struct credssp_tsremoteguardcreds *r;
	NTSTATUS status;

	status = credssp_der_decode(ASN1_ITEM_rptr(CREDSSP_TSREMOTEGUARDCREDS), buf, len,
				    "not a DER TSRemoteGuardCreds (MS-CSSP 2.2.1.2.3)",
				    (ASN1_VALUE **)&a, reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	r = talloc_zero(mem_ctx, struct credssp_tsremoteguardcreds);
	status = r == NULL ? NT_STATUS_NO_MEMORY : remoteguard_from_asn1(r, a, reason);
	CREDSSP_TSREMOTEGUARDCREDS_free(a);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(r);
		return status;
	}
	*out = r;
	return NT_STATUS_OK;
}

/* packagecred_set fills a template-made TSRemoteGuardPackageCred. */
static NTSTATUS packagecred_set(CREDSSP_TSREMOTEGUARDPACKAGECRED *a,
				const struct credssp_tsremoteguardpackagecred *p,
				const char **reason)
{
	NTSTATUS status;

	ASN1_OCTET_STRING_free(a->packageName);
	ASN1_OCTET_STRING_free(a->credBuffer);
	a->packageName = a->credBuffer = NULL;
	status = credssp_octets_set(&a->packageName, &p->package_name, CREDSSP_STRING_MAX_LEN,
				    "TSRemoteGuardPackageCred packageName longer than 4 KiB",
				    reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	return credssp_secret_set(&a->credBuffer, p->cred_buffer, CREDSSP_CRED_BUFFER_MAX_LEN,
				  "TSRemoteGuardPackageCred without a credBuffer",
				  "TSRemoteGuardPackageCred credBuffer longer than 64 KiB", reason);
}

static NTSTATUS remoteguard_to_asn1(CREDSSP_TSREMOTEGUARDCREDS *a,
				    const struct credssp_tsremoteguardcreds *r,
				    const char **reason)
{
	const ASN1_ITEM *it = ASN1_ITEM_rptr(CREDSSP_TSREMOTEGUARDPACKAGECRED);
	NTSTATUS status;

	status = packagecred_set(a->logonCred, &r->logon_cred, reason);
	if (!NT_STATUS_IS_OK(status) || !r->has_supplemental_creds) {
		return status;
	}
	if (r->num_supplemental_creds > CREDSSP_SUPPLEMENTAL_CREDS_MAX) {
		return credssp_too_long(reason,
					"TSRemoteGuardCreds has more than 16 supplementalCreds");
	}
	if (r->num_supplemental_creds > 0 && r->supplemental_creds == NULL) {
		crypto_set_reason(reason, "TSRemoteGuardCreds supplementalCreds counted but "
					  "missing");
		return NT_STATUS_INVALID_PARAMETER;
	}
	a->supplementalCreds = sk_CREDSSP_TSREMOTEGUARDPACKAGECRED_new_null();
	if (a->supplementalCreds == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	for (size_t i = 0; i < r->num_supplemental_creds; i++) {
		CREDSSP_TSREMOTEGUARDPACKAGECRED *p =
			(CREDSSP_TSREMOTEGUARDPACKAGECRED *)ASN1_item_new(it);

		if (p == NULL ||
		    sk_CREDSSP_TSREMOTEGUARDPACKAGECRED_push(a->supplementalCreds, p) <= 0) {
			ASN1_item_free((ASN1_VALUE *)p, it);
			return NT_STATUS_NO_MEMORY;
		}
		status = packagecred_set(p, &r->supplemental_creds[i], reason);
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
	}
	return NT_STATUS_OK;
}

NTSTATUS credssp_tsremoteguardcreds_build(TALLOC_CTX *mem_ctx,
					  const struct credssp_tsremoteguardcreds *creds,
					  struct crypto_secret **out, const char **reason)
{
	CREDSSP_TSREMOTEGUARDCREDS *a = CREDSSP_TSREMOTEGUARDCREDS_new();
	NTSTATUS status;

	if (a == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = remoteguard_to_asn1(a, creds, reason);
	if (NT_STATUS_IS_OK(status)) {
		status = credssp_der_encode(mem_ctx, ASN1_ITEM_rptr(CREDSSP_TSREMOTEGUARDCREDS),
					    (ASN1_VALUE *)a, out, reason);
	}
	CREDSSP_TSREMOTEGUARDCREDS_free(a);
	return status;
}
