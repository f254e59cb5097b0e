/*
 * bpau.h: what both roles of MS-BPAU know of the protocol beyond the IDL
 * (idl/bitspeerauth.idl): the HRESULTs ExchangePublicKeys returns and the
 * authentication levels the rules name.  Used by rpc/server/ and
 * rpc/client/; uses nothing of theirs.
 */
#ifndef RPC_PROTOCOL_BPAU_H
#define RPC_PROTOCOL_BPAU_H

#include <stdint.h>

/* HRESULTs on the wire (MS-ERREF 2.1). */
#define BPAU_S_OK 0x00000000u
#define BPAU_E_ACCESSDENIED 0x80070005u /* 3.1.4.1: not a trusted computer, or wrong SID */
#define BPAU_E_TABLE_FULL 0x80040006u   /* 3.1.4.1 and note 3: the one-minute rule */
#define BPAU_E_INVALIDARG 0x80070057u   /* the client's blob does not decode */
#define BPAU_E_OUTOFMEMORY 0x8007000Eu
#define BPAU_E_FAIL 0x80004005u         /* our own certificate or the table failed */

/* DCE/RPC authentication levels (C706, MS-RPCE 2.2.1.1.8). */
#define BPAU_AUTH_LEVEL_INTEGRITY 5
#define BPAU_AUTH_LEVEL_PRIVACY 6

/* bpau_hresult_name gives a short name for the HRESULTs above. */
const char *bpau_hresult_name(uint32_t hresult);

#endif
