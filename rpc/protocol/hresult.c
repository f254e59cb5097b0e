/*
 * hresult.c: names of the HRESULTs of ExchangePublicKeys.  See bpau.h.
 */
#include "rpc/protocol/bpau.h"

const char *bpau_hresult_name(uint32_t hresult)
{
	switch (hresult) {
	case BPAU_S_OK:
		return "S_OK";
	case BPAU_E_ACCESSDENIED:
		return "E_ACCESSDENIED";
	case BPAU_E_TABLE_FULL:
		return "table full (0x80040006)";
	case BPAU_E_INVALIDARG:
		return "E_INVALIDARG";
	case BPAU_E_OUTOFMEMORY:
		return "E_OUTOFMEMORY";
	case BPAU_E_FAIL:
		return "E_FAIL";
	default:
		return "unknown HRESULT";
	}
}
