/*
 * epm.c: a minimal endpoint mapper (C706 ept_*, MS-RPCE 2.2.1.2)
 * for bpaud, answering from the dcesrv_context's own endpoint list:
 *
 *   ept_map (opnum 3)            the towers of the registered interface that
 *                                matches the request tower's floor 1 (UUID,
 *                                major version, minor >= requested), floor 2
 *                                (NDR) and protocol sequence;
 *   ept_lookup (opnum 2)         the registered (endpoint, interface) pairs
 *                                (including the "mgmt" interface the core
 *                                adds to every endpoint), with a context
 *                                handle for continuation;
 *   ept_lookup_handle_free (4)   drops that handle;
 *   insert/delete/mgmt_delete    refused (ept_s_cant_perform_op);
 *   inq_object, MapAuth          op range fault.
 *
 * The NDR and the dispatch come from pidl run on Samba's
 * librpc/idl/epmapper.idl (ndr_table_epmapper itself is only in the
 * private libndr-samba-samba4); the generated parser is compiled with
 * hidden visibility so it can never interpose on Samba's copy.
 */
#include <stdio.h>
#include <string.h>

#include <talloc.h>
#include <dcesrv_core.h>
#include <rpc_common.h>
#include <util/debug.h>

#include "gen/ndr_epmapper.h"
#include "rpc/bpaud/epm.h"
#include "rpc/bpaud/log.h"

#define EPM_HANDLE_LOOKUP 1

struct epm_pair {
	const struct dcesrv_endpoint *ep;
	const struct dcesrv_interface *iface;
};

/* All (endpoint, interface) pairs, in registration order. */
static size_t epm_pairs(TALLOC_CTX *mem_ctx, struct dcesrv_context *dce, struct epm_pair **out)
{
	size_t n = 0;
	struct epm_pair *v = NULL;

	for (const struct dcesrv_endpoint *ep = dce->endpoint_list; ep; ep = ep->next) {
		for (const struct dcesrv_if_list *il = ep->interface_list; il; il = il->next) {
			struct epm_pair *nv = talloc_realloc(mem_ctx, v, struct epm_pair, n + 1);
			if (nv == NULL) {
				break;
			}
			v = nv;
			v[n].ep = ep;
			v[n].iface = il->iface;
			n++;
		}
	}
	*out = v;
	return n;
}

/* The tower of one (endpoint, interface): the endpoint's binding
 * (transport, host, port) with the interface as abstract syntax. */
static struct epm_twr_t *pair_tower(TALLOC_CTX *mem_ctx, const struct epm_pair *p)
{
	struct dcerpc_binding *b = dcerpc_binding_dup(mem_ctx, p->ep->ep_description);
	struct epm_twr_t *twr = talloc_zero(mem_ctx, struct epm_twr_t);

	if (b == NULL || twr == NULL ||
	    !NT_STATUS_IS_OK(dcerpc_binding_set_abstract_syntax(b, &p->iface->syntax_id)) ||
	    !NT_STATUS_IS_OK(dcerpc_binding_build_tower(twr, b, &twr->tower))) {
		talloc_free(twr);
		twr = NULL;
	}
	talloc_free(b);
	return twr;
}

static bool version_matches(uint32_t have, uint32_t want)
{
	/* if_version: major in the low 16 bits, minor in the high 16 */
	return (have & 0xffff) == (want & 0xffff) && (have >> 16) >= (want >> 16);
}

static bool pair_matches_tower(const struct epm_pair *p, const struct epm_tower *t,
			       const struct ndr_syntax_id *want, enum dcerpc_transport_t transport)
{
	struct ndr_syntax_id xfer;

	if (dcerpc_binding_get_transport(p->ep->ep_description) != transport) {
		return false;
	}
	if (!GUID_equal(&p->iface->syntax_id.uuid, &want->uuid) ||
	    !version_matches(p->iface->syntax_id.if_version, want->if_version)) {
		return false;
	}
	/* Floor 2: the transfer syntax; we speak NDR only. */
	if (t->num_floors < 2 || !NT_STATUS_IS_OK(dcerpc_floor_get_lhs_data(&t->floors[1], &xfer)) ||
	    !ndr_syntax_id_equal(&xfer, &ndr_transfer_syntax_ndr)) {
		return false;
	}
	return true;
}

static uint32_t dcesrv_epm_Map(struct dcesrv_call_state *dce_call, TALLOC_CTX *mem_ctx,
			       struct epm_Map *r)
{
	struct dcerpc_binding *b = NULL;
	struct ndr_syntax_id want;
	enum dcerpc_transport_t transport;
	struct epm_pair *pairs = NULL;
	size_t n, found = 0;
	char *want_s = NULL;

	*r->out.num_towers = 0;
	memset(r->out.entry_handle, 0, sizeof(*r->out.entry_handle));
	/* The array has room for what we hold, not for max_towers: that is
	 * the caller's number, before any authentication (2^32-1 would be
	 * 32 GiB).  NDR sends max_towers as the array's size and only
	 * num_towers elements. */
	n = epm_pairs(mem_ctx, dce_call->conn->dce_ctx, &pairs);
	r->out.towers = talloc_zero_array(mem_ctx, struct epm_twr_p_t,
					  (r->in.max_towers < n ? r->in.max_towers : n) + 1);
	if (r->out.towers == NULL) {
		return EPMAPPER_STATUS_NO_MEMORY;
	}
	if (r->in.map_tower == NULL ||
	    !NT_STATUS_IS_OK(dcerpc_binding_from_tower(mem_ctx, &r->in.map_tower->tower, &b))) {
		bpaud_log(1, "epm: ept_map with an unusable tower");
		return EPMAPPER_STATUS_NO_MORE_ENTRIES;
	}
	want = dcerpc_binding_get_abstract_syntax(b);
	transport = dcerpc_binding_get_transport(b);
	want_s = GUID_string(mem_ctx, &want.uuid);

	for (size_t i = 0; i < n && found < r->in.max_towers; i++) {
		struct epm_twr_t *twr;
		if (!pair_matches_tower(&pairs[i], &r->in.map_tower->tower, &want, transport)) {
			continue;
		}
		twr = pair_tower(r->out.towers, &pairs[i]);
		if (twr == NULL) {
			continue;
		}
		r->out.towers[found++].twr = twr;
		bpaud_log(1, "epm: ept_map %s v%u.%u -> %s", want_s ? want_s : "?",
			  want.if_version & 0xffff, want.if_version >> 16,
			  dcerpc_binding_string(mem_ctx, pairs[i].ep->ep_description));
	}
	*r->out.num_towers = (uint32_t)found;
	if (found == 0) {
		bpaud_log(1, "epm: ept_map %s v%u.%u: not registered", want_s ? want_s : "?",
			  want.if_version & 0xffff, want.if_version >> 16);
		return EPMAPPER_STATUS_NO_MORE_ENTRIES;
	}
	return EPMAPPER_STATUS_OK;
}

static bool lookup_matches(const struct epm_Lookup *r, const struct epm_pair *p)
{
	const struct rpc_if_id_t *id = r->in.interface_id;
	uint32_t have = p->iface->syntax_id.if_version;
	uint16_t major = (uint16_t)(have & 0xffff), minor = (uint16_t)(have >> 16);

	switch (r->in.inquiry_type) {
	case RPC_C_EP_ALL_ELTS:
		return true;
	case RPC_C_EP_MATCH_BY_OBJ:
		/* we register no objects: only the nil object matches */
		return r->in.object == NULL || GUID_all_zero(r->in.object);
	case RPC_C_EP_MATCH_BY_IF:
	case RPC_C_EP_MATCH_BY_BOTH:
		if (r->in.inquiry_type == RPC_C_EP_MATCH_BY_BOTH && r->in.object != NULL &&
		    !GUID_all_zero(r->in.object)) {
			return false;
		}
		if (id == NULL || !GUID_equal(&id->uuid, &p->iface->syntax_id.uuid)) {
			return false;
		}
		switch (r->in.vers_option) {
		case RPC_C_VERS_ALL:
			return true;
		case RPC_C_VERS_COMPATIBLE:
			return major == id->vers_major && minor >= id->vers_minor;
		case RPC_C_VERS_EXACT:
			return major == id->vers_major && minor == id->vers_minor;
		case RPC_C_VERS_MAJOR_ONLY:
			return major == id->vers_major;
		case RPC_C_VERS_UPTO:
			return major < id->vers_major ||
			       (major == id->vers_major && minor <= id->vers_minor);
		}
		return false;
	}
	return false;
}

static uint32_t dcesrv_epm_Lookup(struct dcesrv_call_state *dce_call, TALLOC_CTX *mem_ctx,
				  struct epm_Lookup *r)
{
	struct dcesrv_handle *h = NULL;
	size_t *pos = NULL, n, out = 0, i;
	struct epm_pair *pairs = NULL;
	bool empty = true;

	for (i = 0; i < sizeof(r->in.entry_handle->uuid.node); i++) {
		empty = empty && r->in.entry_handle->uuid.node[i] == 0;
	}
	empty = empty && r->in.entry_handle->handle_type == 0 &&
		GUID_all_zero(&r->in.entry_handle->uuid);

	*r->out.num_ents = 0;
	memset(r->out.entry_handle, 0, sizeof(*r->out.entry_handle));
	if (r->in.max_ents == 0) {
		return EPMAPPER_STATUS_CANT_PERFORM_OP;
	}
	/* Room for what we hold, not for the caller's max_ents (ept_map). */
	n = epm_pairs(mem_ctx, dce_call->conn->dce_ctx, &pairs);
	r->out.entries = talloc_zero_array(mem_ctx, struct epm_entry_t,
					   (r->in.max_ents < n ? r->in.max_ents : n) + 1);
	if (r->out.entries == NULL) {
		return EPMAPPER_STATUS_NO_MEMORY;
	}
	if (empty) {
		h = dcesrv_handle_create(dce_call, EPM_HANDLE_LOOKUP);
		if (h == NULL) {
			return EPMAPPER_STATUS_NO_MEMORY;
		}
		pos = talloc_zero(h, size_t);
		h->data = pos;
	} else {
		h = dcesrv_handle_lookup(dce_call, r->in.entry_handle, EPM_HANDLE_LOOKUP);
		if (h == NULL) {
			return EPMAPPER_STATUS_NO_MORE_ENTRIES;
		}
		pos = h->data;
	}
	if (pos == NULL) {
		talloc_free(h);
		return EPMAPPER_STATUS_NO_MEMORY;
	}

	for (i = *pos; i < n && out < r->in.max_ents; i++) {
		struct epm_entry_t *e = &r->out.entries[out];
		if (!lookup_matches(r, &pairs[i])) {
			continue;
		}
		e->tower = pair_tower(r->out.entries, &pairs[i]);
		if (e->tower == NULL) {
			continue;
		}
		e->annotation = pairs[i].iface->name;
		out++;
	}
	*pos = i;
	*r->out.num_ents = (uint32_t)out;
	/* As Windows and Samba do: the handle stays valid while a call
	 * returns entries, and the first call that finds none frees it and
	 * says ept_s_no_more_entries (clients loop until then). */
	if (out != 0) {
		*r->out.entry_handle = h->wire_handle;
	} else {
		talloc_free(h);
	}
	bpaud_log(2, "epm: ept_lookup type %d: %zu entries", (int)r->in.inquiry_type, out);
	return out == 0 ? EPMAPPER_STATUS_NO_MORE_ENTRIES : EPMAPPER_STATUS_OK;
}

static uint32_t dcesrv_epm_LookupHandleFree(struct dcesrv_call_state *dce_call,
					    TALLOC_CTX *mem_ctx, struct epm_LookupHandleFree *r)
{
	struct dcesrv_handle *h = dcesrv_handle_lookup(dce_call, r->in.entry_handle,
						       EPM_HANDLE_LOOKUP);
	(void)mem_ctx;
	talloc_free(h);
	memset(r->out.entry_handle, 0, sizeof(*r->out.entry_handle));
	return EPMAPPER_STATUS_OK;
}

static uint32_t dcesrv_epm_Insert(struct dcesrv_call_state *dce_call, TALLOC_CTX *mem_ctx,
				  struct epm_Insert *r)
{
	(void)dce_call, (void)mem_ctx, (void)r;
	return EPMAPPER_STATUS_CANT_PERFORM_OP;
}

static uint32_t dcesrv_epm_Delete(struct dcesrv_call_state *dce_call, TALLOC_CTX *mem_ctx,
				  struct epm_Delete *r)
{
	(void)dce_call, (void)mem_ctx, (void)r;
	return EPMAPPER_STATUS_CANT_PERFORM_OP;
}

static uint32_t dcesrv_epm_MgmtDelete(struct dcesrv_call_state *dce_call, TALLOC_CTX *mem_ctx,
				      struct epm_MgmtDelete *r)
{
	(void)dce_call, (void)mem_ctx, (void)r;
	return EPMAPPER_STATUS_CANT_PERFORM_OP;
}

static uint32_t dcesrv_epm_InqObject(struct dcesrv_call_state *dce_call, TALLOC_CTX *mem_ctx,
				     struct epm_InqObject *r)
{
	(void)mem_ctx, (void)r;
	dce_call->fault_code = DCERPC_FAULT_OP_RNG_ERROR;
	return 0;
}

static uint32_t dcesrv_epm_MapAuth(struct dcesrv_call_state *dce_call, TALLOC_CTX *mem_ctx,
				   struct epm_MapAuth *r)
{
	(void)mem_ctx, (void)r;
	dce_call->fault_code = DCERPC_FAULT_OP_RNG_ERROR;
	return 0;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wshadow"
#include "gen/ndr_epmapper_s.c"
#pragma GCC diagnostic pop

NTSTATUS bpaud_epm_register(struct dcesrv_context *dce, const char *ep_string)
{
	return dcesrv_interface_register(dce, ep_string, NULL, &dcesrv_epmapper_interface,
					 NULL);
}
