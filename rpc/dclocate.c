/*
 * dclocate.c: the realm's domain controllers from DNS SRV records (see
 * dclocate.h).  The message is parsed with glibc's ns_* functions, which
 * check every length against the message; what we take from a record's
 * data is checked here (the target's name must end inside the record).
 */
#include <arpa/nameser.h>
#include <ctype.h>
#include <netdb.h>
#include <resolv.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <talloc.h>

#include "rpc/dclocate.h"

/* At most this many records are read; the BPAU_DC_MAX best are kept. */
#define RECORDS_MAX 64

struct target {
	uint16_t priority, weight;
	uint32_t shuffle; /* random: the order among equals */
	char *name;
};

static int by_preference(const void *a, const void *b)
{
	const struct target *x = a, *y = b;

	if (x->priority != y->priority) {
		return x->priority < y->priority ? -1 : 1;
	}
	if (x->weight != y->weight) {
		return x->weight > y->weight ? -1 : 1;
	}
	/* Equal priority and weight (every AD DC registers 0 100): in a
	 * random order, so that clients spread over the DCs and a dead one
	 * is not every client's first try. */
	if (x->shuffle != y->shuffle) {
		return x->shuffle < y->shuffle ? -1 : 1;
	}
	return strcmp(x->name, y->name);
}

char *bpau_dc_srv_name(TALLOC_CTX *mem_ctx, const char *realm)
{
	char *name = talloc_asprintf(mem_ctx, "_ldap._tcp.dc._msdcs.%s", realm);

	for (char *p = name ? name + strlen("_ldap._tcp.dc._msdcs.") : NULL; p && *p; p++) {
		*p = (char)tolower((unsigned char)*p);
	}
	return name;
}

NTSTATUS bpau_dc_srv_parse(TALLOC_CTX *mem_ctx, const uint8_t *msg, size_t len, char ***names,
			   const char **reason)
{
	struct target found[RECORDS_MAX];
	uint32_t shuffle[RECORDS_MAX];
	size_t n = 0;
	ns_msg h;
	TALLOC_CTX *frame = talloc_new(mem_ctx);
	char **out;

	*names = NULL;
	if (frame == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (len > 65535 || ns_initparse(msg, (int)len, &h) < 0) {
		talloc_free(frame);
		crypto_set_reason(reason, "a malformed DNS message");
		return NT_STATUS_INVALID_NETWORK_RESPONSE;
	}
	if (getrandom(shuffle, sizeof(shuffle), GRND_NONBLOCK) != (ssize_t)sizeof(shuffle)) {
		memset(shuffle, 0, sizeof(shuffle)); /* then by name */
	}
	for (int i = 0; i < ns_msg_count(h, ns_s_an) && n < RECORDS_MAX; i++) {
		ns_rr rr;
		const uint8_t *rd;
		char name[NS_MAXDNAME];
		int used;

		if (ns_parserr(&h, ns_s_an, i, &rr) < 0) {
			talloc_free(frame);
			crypto_set_reason(reason, "a malformed DNS answer record");
			return NT_STATUS_INVALID_NETWORK_RESPONSE;
		}
		if (ns_rr_type(rr) != ns_t_srv || ns_rr_class(rr) != ns_c_in) {
			continue; /* a CNAME on the way, say */
		}
		rd = ns_rr_rdata(rr);
		/* priority, weight, port (16 bits each), then the target */
		if (ns_rr_rdlen(rr) < 7) {
			talloc_free(frame);
			crypto_set_reason(reason, "a short SRV record");
			return NT_STATUS_INVALID_NETWORK_RESPONSE;
		}
		used = dn_expand(msg, msg + len, rd + 6, name, sizeof(name));
		if (used < 1 || used > ns_rr_rdlen(rr) - 6) {
			talloc_free(frame);
			crypto_set_reason(reason, "an SRV record whose target is malformed");
			return NT_STATUS_INVALID_NETWORK_RESPONSE;
		}
		if (name[0] == '\0' || strcmp(name, ".") == 0) {
			continue; /* RFC 2782: "." -- not offered there */
		}
		found[n].priority = ns_get16(rd);
		found[n].weight = ns_get16(rd + 2);
		found[n].shuffle = shuffle[n];
		found[n].name = talloc_strdup(frame, name);
		if (found[n].name == NULL) {
			talloc_free(frame);
			return NT_STATUS_NO_MEMORY;
		}
		n++;
	}
	if (n == 0) {
		talloc_free(frame);
		crypto_set_reason(reason, "no domain controller in the answer");
		return NT_STATUS_NOT_FOUND;
	}
	qsort(found, n, sizeof(found[0]), by_preference);
	if (n > BPAU_DC_MAX) {
		n = BPAU_DC_MAX; /* the best, after sorting them all */
	}
	out = talloc_zero_array(mem_ctx, char *, n + 1);
	if (out == NULL) {
		talloc_free(frame);
		return NT_STATUS_NO_MEMORY;
	}
	for (size_t i = 0; i < n; i++) {
		out[i] = talloc_steal(out, found[i].name);
	}
	talloc_free(frame);
	*names = out;
	return NT_STATUS_OK;
}

NTSTATUS bpau_dc_locate(TALLOC_CTX *mem_ctx, const char *realm, unsigned timeout,
			char ***names, const char **reason)
{
	struct __res_state st;
	uint8_t answer[8192];
	char *qname = bpau_dc_srv_name(mem_ctx, realm);
	int len;
	NTSTATUS status;

	*names = NULL;
	if (qname == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	memset(&st, 0, sizeof(st));
	if (res_ninit(&st) != 0) {
		talloc_free(qname);
		crypto_set_reason(reason, "the DNS resolver could not be set up");
		return NT_STATUS_INTERNAL_ERROR;
	}
	/* resolv.conf's timeout, but no longer than the step's. */
	if (timeout > 0 && st.retrans > (int)timeout) {
		st.retrans = (int)timeout;
	}
	len = res_nquery(&st, qname, ns_c_in, ns_t_srv, answer, sizeof(answer));
	if (len < 0) {
		int e = st.res_h_errno;
		res_nclose(&st);
		talloc_free(qname);
		crypto_set_reason(reason, e == HOST_NOT_FOUND || e == NO_DATA
						  ? "DNS has no domain controller records for the realm"
						  : "DNS did not answer for the realm's domain controllers");
		return e == TRY_AGAIN ? NT_STATUS_IO_TIMEOUT : NT_STATUS_NOT_FOUND;
	}
	res_nclose(&st);
	talloc_free(qname);
	status = bpau_dc_srv_parse(mem_ctx, answer,
				   (size_t)len < sizeof(answer) ? (size_t)len : sizeof(answer), names,
				   reason);
	return status;
}
