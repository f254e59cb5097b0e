/*
 * repro-spnego-cred-leak.c: acquires and releases a SPNEGO initiator
 * credential COUNT times, as credssp/gss/gss_mech.c does, so that
 * LeakSanitizer shows what Heimdal's NTLM mechanism loses under it
 * (fixed by 0003-gssapi-ntlm-do-not-leak-in-credential-acquisition.patch).
 * Build and run it with repro-spnego-cred-leak.sh, which reads
 * LeakSanitizer's report.
 *
 * usage: repro-spnego-cred-leak CCACHE PRINCIPAL COUNT
 *
 * CCACHE (e.g. FILE:/tmp/x/cc) is created for PRINCIPAL with one made-up
 * krbtgt credential valid for an hour, which is what a kinit leaves
 * behind as far as credential acquisition can tell (no KDC is contacted:
 * acquiring an initiator credential only looks in the ccache).  It is
 * then made the default ccache through KRB5CCNAME, the only way to reach
 * the NTLM mechanism's get_user_ccache(), which opens its own
 * krb5_context.
 *
 * Each round: gss_import_name(PRINCIPAL, GSS_C_NT_USER_NAME),
 * gss_acquire_cred(name, {SPNEGO}, GSS_C_INITIATE), gss_release_name,
 * gss_release_cred.  Heimdal's SPNEGO acquires a credential of every
 * mechanism under it (lib/gssapi/spnego/cred_stubs.c); Kerberos succeeds
 * from the ccache, NTLM finds no "ntlm-key-DOMAIN" entry there and
 * fails.  Everything the program allocates is freed, so anything still
 * allocated at exit was lost inside the library.
 *
 * Exit status: 0 when the ccache was made and every acquisition
 * succeeded, 2 otherwise.  Leaks are reported by LeakSanitizer, not by
 * this exit status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_spnego.h>
#include <krb5.h>

static int make_ccache(const char *ccname, const char *principal)
{
	krb5_context kc = NULL;
	krb5_ccache cc = NULL;
	krb5_principal client = NULL, server = NULL;
	krb5_creds creds;
	static unsigned char key[16], ticket[] = "not a ticket";
	krb5_error_code ret;

	memset(&creds, 0, sizeof(creds));
	ret = krb5_init_context(&kc);
	if (ret != 0) {
		fprintf(stderr, "krb5_init_context: %d\n", ret);
		return -1;
	}
	ret = krb5_parse_name(kc, principal, &client);
	if (ret == 0) {
		ret = krb5_make_principal(kc, &server, krb5_principal_get_realm(kc, client),
					  KRB5_TGS_NAME, krb5_principal_get_realm(kc, client),
					  NULL);
	}
	if (ret == 0) {
		ret = krb5_cc_resolve(kc, ccname, &cc);
	}
	if (ret == 0) {
		ret = krb5_cc_initialize(kc, cc, client);
	}
	if (ret == 0) {
		creds.client = client;
		creds.server = server;
		creds.session.keytype = ETYPE_AES128_CTS_HMAC_SHA1_96;
		creds.session.keyvalue.data = key;
		creds.session.keyvalue.length = sizeof(key);
		creds.times.authtime = creds.times.starttime = time(NULL);
		creds.times.endtime = creds.times.authtime + 3600;
		creds.ticket.data = ticket;
		creds.ticket.length = sizeof(ticket) - 1;
		creds.flags.b.initial = 1;
		ret = krb5_cc_store_cred(kc, cc, &creds);
	}
	if (ret != 0) {
		const char *msg = krb5_get_error_message(kc, ret);

		fprintf(stderr, "making %s for %s: %s\n", ccname, principal, msg);
		krb5_free_error_message(kc, msg);
	}
	if (cc != NULL) {
		krb5_cc_close(kc, cc);
	}
	krb5_free_principal(kc, server);
	krb5_free_principal(kc, client);
	krb5_free_context(kc);
	return ret == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	gss_OID_set_desc mechs = { 1, GSS_SPNEGO_MECHANISM };
	OM_uint32 major, minor;
	long count, i;
	char *end;

	if (argc != 4) {
		fprintf(stderr, "usage: %s CCACHE PRINCIPAL COUNT\n", argv[0]);
		return 2;
	}
	count = strtol(argv[3], &end, 10);
	if (*end != '\0' || count < 1 || count > 100000) {
		fprintf(stderr, "bad COUNT %s\n", argv[3]);
		return 2;
	}
	if (make_ccache(argv[1], argv[2]) != 0) {
		return 2;
	}
	if (setenv("KRB5CCNAME", argv[1], 1) != 0) {
		perror("setenv");
		return 2;
	}
	for (i = 0; i < count; i++) {
		gss_buffer_desc nb = { strlen(argv[2]), argv[2] };
		gss_name_t name = GSS_C_NO_NAME;
		gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;

		major = gss_import_name(&minor, &nb, GSS_C_NT_USER_NAME, &name);
		if (GSS_ERROR(major)) {
			fprintf(stderr, "gss_import_name: major %#x minor %u\n", major, minor);
			return 2;
		}
		major = gss_acquire_cred(&minor, name, GSS_C_INDEFINITE, &mechs, GSS_C_INITIATE,
					 &cred, NULL, NULL);
		gss_release_name(&minor, &name);
		if (GSS_ERROR(major)) {
			fprintf(stderr, "gss_acquire_cred (round %ld): major %#x minor %u\n", i + 1,
				major, minor);
			return 2;
		}
		gss_release_cred(&minor, &cred);
	}
	printf("%ld SPNEGO initiator credential(s) acquired and released\n", count);
	return 0;
}
