/*
 * client_result.c: the client's results and names, shared by the bpau
 * client (client.c) and the Samba-stack session code of the benchmark and
 * test tools (samba_session.c).
 */
#include "rpc/client/client.h"

#include <ctype.h>
#include <stdarg.h>
#include <string.h>

const char *bpau_client_stage_name(enum bpau_client_stage s)
{
	switch (s) {
	case BPAU_STAGE_SETUP:
		return "setup";
	case BPAU_STAGE_CONNECT:
		return "connect";
	case BPAU_STAGE_CALL:
		return "call";
	case BPAU_STAGE_SERVER:
		return "server";
	case BPAU_STAGE_LOOKUP:
		return "SID lookup";
	case BPAU_STAGE_VERIFY:
		return "verify";
	case BPAU_STAGE_TABLE:
		return "table";
	case BPAU_STAGE_DONE:
		return "done";
	}
	return "?";
}

char *bpau_client_principal(TALLOC_CTX *mem_ctx, const char *fqdn)
{
	const char *dot = strchr(fqdn, '.');
	char *p;

	if (dot == NULL || dot == fqdn || dot[1] == '\0') {
		return NULL;
	}
	/* 3.2.3: "sample.corp.contoso.com" -> "sample$@corp.contoso.com";
	 * Active Directory realms are the upper-cased DNS domain. */
	p = talloc_asprintf(mem_ctx, "%.*s$@%s", (int)(dot - fqdn), fqdn, dot + 1);
	if (p != NULL) {
		for (char *q = strchr(p, '@'); *q != '\0'; q++) {
			*q = (char)toupper((unsigned char)*q);
		}
	}
	return p;
}

NTSTATUS bpau_client_fail(struct bpau_client_result *r, enum bpau_client_stage stage,
			  NTSTATUS status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	r->message = talloc_vasprintf(r, fmt, ap);
	va_end(ap);
	r->stage = stage;
	r->status = status;
	return status;
}
