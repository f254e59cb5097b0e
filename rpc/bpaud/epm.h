/*
 * epm.h: bpaud's minimal endpoint mapper (epm.c).
 */
#ifndef RPC_BPAUD_EPM_H
#define RPC_BPAUD_EPM_H

#include <dcesrv_core.h>

/*
 * bpaud_epm_register: serve the endpoint mapper interface on the
 * endpoint |ep_string| of |dce|; it answers from |dce|'s own endpoint
 * list, whatever is registered there at the time of the call.
 */
NTSTATUS bpaud_epm_register(struct dcesrv_context *dce, const char *ep_string);

#endif
