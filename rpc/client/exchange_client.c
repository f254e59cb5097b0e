/*
 * exchange_client.c: the client's processing of ExchangePublicKeys' reply
 * (MS-BPAU 3.2.4.1).  See exchange_client.h.
 */
#include "rpc/client/exchange_client.h"

NTSTATUS bpau_client_accept(struct certtable *table, uint32_t hresult, uint32_t server_len,
			    const uint8_t *server_key, const struct crypto_sid *server_sid,
			    const char *server_principal, enum certtable_outcome *outcome,
			    const char **reason)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	struct certblob *blob;
	NTSTATUS status;

	if (frame == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	/* "If the method returns an error ... the client MUST ignore the
	 * pServerKey and pServerKeyLength parameters". */
	if (hresult != BPAU_S_OK) {
		crypto_set_reason(reason, "the server returned an error");
		status = hresult == BPAU_E_TABLE_FULL ? NT_STATUS_CERTTABLE_FULL
						      : NT_STATUS_ACCESS_DENIED;
		goto out;
	}
	/* "If pServerKeyLength is zero, the client MUST ignore the value of
	 * pServerKey and report an error". */
	if (server_len == 0 || server_key == NULL) {
		crypto_set_reason(reason, "the server returned no certificate");
		status = NT_STATUS_INVALID_NETWORK_RESPONSE;
		goto out;
	}
	/* The blob our entry for this SID already holds was decoded and
	 * checked against the SID when it was inserted: only its time changes
	 * (no decode, no durable transaction), as on the server. */
	{
		bool refreshed = false;
		status = certtable_refresh(table, server_sid, server_principal, server_key,
					   server_len, &refreshed);
		if (NT_STATUS_IS_OK(status) && refreshed) {
			*outcome = CERTTABLE_REFRESHED;
			goto out;
		}
	}
	status = certblob_parse(frame, server_key, server_len, &blob, reason);
	if (!NT_STATUS_IS_OK(status)) {
		if (!NT_STATUS_EQUAL(status, NT_STATUS_NO_MEMORY)) {
			status = NT_STATUS_INVALID_NETWORK_RESPONSE;
		}
		goto out;
	}
	if (!certblob_names_sid(blob, server_sid)) {
		crypto_set_reason(reason,
				  "the server's certificate subject is not the server account's SID");
		status = NT_STATUS_ACCESS_DENIED;
		goto out;
	}
	status = certtable_insert(table, server_sid, server_principal, blob, outcome);
	if (NT_STATUS_EQUAL(status, NT_STATUS_CERTTABLE_FULL)) {
		crypto_set_reason(reason, "our table is full and its oldest entry is "
					  "younger than a minute");
	} else if (!NT_STATUS_IS_OK(status)) {
		crypto_set_reason(reason, "cannot write our peer certificate table");
	}
out:
	talloc_free(frame);
	return status;
}
