/*
 * mit-gss-peer.c: one side of a SPNEGO/NEGOEX exchange on MIT krb5's
 * libgssapi_krb5, for the NEGOEX interop tests.  It is compiled at test
 * time against MIT (pkg-config mit-krb5-gssapi) by
 * tests/integration/mit_negoex.sh, never by waf: the waf build links Heimdal,
 * and the two GSSAPI libraries must never meet in one binary.
 *
 *   mit-gss-peer --role initiator|acceptor [--target SERVICE]
 *                [--channel-binding STRING]
 *
 * The line protocol (shared with tests/tools/negoex-peer.c and relayed by
 * tests/tools/negoex_relay.py):
 *   - each output token is written as one line "TOKEN <hex>" on standard
 *     output, flushed at once;
 *   - each token of the peer is read as one line "TOKEN <hex>" from
 *     standard input (the initiator speaks first);
 *   - when the context is established: "DONE", exit 0;
 *   - on failure: "ERROR <what>: <major status>; <minor status>", exit 1
 *     (an output token the mechanism produced with its failure, such as
 *     MIT's error token for the peer, is written before the ERROR line).
 * Nothing else is written on standard output; diagnostics go to standard
 * error.
 *
 * The mechanism is always SPNEGO (1.3.6.1.5.5.2), with GSS_C_NO_CREDENTIAL
 * as in MIT's tests/gssapi/t_context.c: SPNEGO then offers every mechanism
 * MIT finds credentials for, in the order of GSS_MECH_CONFIG, which is the
 * NEGOEX scheme order.  An explicit credential restricted with
 * gss_set_neg_mechs() cannot be used with MIT's negoextest plugin: its
 * gss_acquire_cred() returns GSS_S_COMPLETE without a credential handle, so
 * mechglue g_negoex.c:gssspi_query_meta_data() answers GSS_S_NO_CRED for it
 * and SPNEGO drops the scheme ("No mutually supported NegoEx authentication
 * schemes").  The tests restrict and order the schemes with GSS_MECH_CONFIG
 * and keep the host's Kerberos credentials out (KRB5_CONFIG, KRB5CCNAME,
 * KRB5_KTNAME), as t_negoex.py's realm does.
 * The initiator names its target as a host-based service (default "host",
 * t_context's "h:host").  MIT's own NEGOEX trace goes where KRB5_TRACE says.
 *
 * Exit status: 0 established, 1 the exchange failed, 2 usage or I/O error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gssapi/gssapi.h>

/* A longer input line is refused as not a token of this protocol. */
#define MAX_LINE (4U << 20)

static gss_OID_desc spnego_oid = { 6, (void *)"\x2b\x06\x01\x05\x05\x02" };

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mit-gss-peer --role initiator|acceptor [--target SERVICE]\n"
		"                    [--channel-binding STRING]\n"
		"\n"
		"One side of a SPNEGO exchange on MIT krb5's GSSAPI, speaking the\n"
		"line protocol of tests/tools/negoex_relay.py: tokens as 'TOKEN <hex>'\n"
		"lines on stdout (ours) and stdin (the peer's); 'DONE' when the\n"
		"context is established, 'ERROR <message>' when it fails.\n"
		"\n"
		"  --role R             initiator (speaks first) or acceptor\n"
		"  --target SERVICE     the initiator's host-based target (default host)\n"
		"  --channel-binding S  application data of the channel bindings\n"
		"\n"
		"SPNEGO offers every mechanism MIT has credentials for, in the order of\n"
		"GSS_MECH_CONFIG (MIT's mechanism list).  KRB5_TRACE names a file for\n"
		"MIT's trace, with its NegoEx message lines.\n"
		"\n"
		"Exit status: 0 established, 1 the exchange failed, 2 usage or I/O error.\n");
}

/* append_status: the texts of one status code, as MIT words them. */
static void append_status(char *out, size_t outlen, OM_uint32 code, int type)
{
	OM_uint32 tmp, ctx = 0;
	gss_buffer_desc msg;
	size_t used;

	do {
		msg.value = NULL;
		msg.length = 0;
		if (gss_display_status(&tmp, code, type, GSS_C_NO_OID, &ctx, &msg) != GSS_S_COMPLETE)
			return;
		used = strlen(out);
		snprintf(out + used, outlen - used, "%s%.*s", used > 0 ? ", " : "",
			 (int)msg.length, (const char *)msg.value);
		gss_release_buffer(&tmp, &msg);
	} while (ctx != 0);
}

/* status_text: "<major texts>; <minor texts>" on one line. */
static void status_text(char *out, size_t outlen, OM_uint32 major, OM_uint32 minor)
{
	char minor_text[512] = "";
	size_t used;

	out[0] = '\0';
	append_status(out, outlen, major, GSS_C_GSS_CODE);
	if (minor != 0) {
		append_status(minor_text, sizeof(minor_text), minor, GSS_C_MECH_CODE);
		used = strlen(out);
		snprintf(out + used, outlen - used, "; %s", minor_text);
	}
	/* The message goes on one protocol line. */
	for (char *p = out; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	}
}

static int put_token(const gss_buffer_desc *tok)
{
	const unsigned char *p = tok->value;
	static const char hex[] = "0123456789abcdef";

	if (fputs("TOKEN ", stdout) == EOF)
		return -1;
	for (size_t i = 0; i < tok->length; i++) {
		if (putchar(hex[p[i] >> 4]) == EOF || putchar(hex[p[i] & 15]) == EOF)
			return -1;
	}
	if (putchar('\n') == EOF || fflush(stdout) == EOF)
		return -1;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * get_token: read one "TOKEN <hex>" line into |buf| (malloc'd by getline,
 * decoded in place).  Returns 0, or -1 with |why| set on end of input or a
 * malformed line.
 */
static int get_token(char **line, size_t *cap, gss_buffer_desc *tok, const char **why)
{
	ssize_t n = getline(line, cap, stdin);
	char *hex;
	size_t len, i;

	if (n < 0) {
		*why = "end of input before the exchange completed";
		return -1;
	}
	if ((size_t)n > MAX_LINE) {
		*why = "input line too long";
		return -1;
	}
	len = (size_t)n;
	if (len > 0 && (*line)[len - 1] == '\n')
		(*line)[--len] = '\0';
	if (len < 6 || strncmp(*line, "TOKEN ", 6) != 0) {
		*why = "input line is not 'TOKEN <hex>'";
		return -1;
	}
	hex = *line + 6;
	len -= 6;
	if (len == 0 || len % 2 != 0) {
		*why = "token hex is empty or of odd length";
		return -1;
	}
	for (i = 0; i < len / 2; i++) {
		int hi = hexval((unsigned char)hex[2 * i]);
		int lo = hexval((unsigned char)hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			*why = "token hex has a non-hex character";
			return -1;
		}
		/* In place: byte i is written after hex characters 2i, 2i+1 are read. */
		((unsigned char *)*line)[i] = (unsigned char)(hi << 4 | lo);
	}
	tok->value = *line;
	tok->length = len / 2;
	return 0;
}

int main(int argc, char **argv)
{
	const char *role = NULL, *target = "host", *binding = NULL;
	OM_uint32 major, minor, tmp, flags = GSS_C_REPLAY_FLAG | GSS_C_SEQUENCE_FLAG;
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	gss_name_t tname = GSS_C_NO_NAME;
	struct gss_channel_bindings_struct cb;
	gss_channel_bindings_t cbp = GSS_C_NO_CHANNEL_BINDINGS;
	gss_buffer_desc in = GSS_C_EMPTY_BUFFER, out = GSS_C_EMPTY_BUFFER;
	char *line = NULL, msg[1024];
	size_t cap = 0;
	const char *why;
	int initiator, rc = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "mit-gss-peer: unknown option or missing value: %s\n", a);
			usage(stderr);
			return 2;
		}
		if (strcmp(a, "--role") == 0)
			role = argv[++i];
		else if (strcmp(a, "--target") == 0)
			target = argv[++i];
		else if (strcmp(a, "--channel-binding") == 0)
			binding = argv[++i];
		else {
			fprintf(stderr, "mit-gss-peer: unknown option: %s\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (role == NULL || (strcmp(role, "initiator") != 0 && strcmp(role, "acceptor") != 0)) {
		fprintf(stderr, "mit-gss-peer: --role initiator|acceptor is required\n");
		usage(stderr);
		return 2;
	}
	initiator = strcmp(role, "initiator") == 0;

	if (binding != NULL) {
		memset(&cb, 0, sizeof(cb));
		cb.application_data.value = (void *)binding;
		cb.application_data.length = strlen(binding);
		cbp = &cb;
	}
	if (initiator) {
		gss_buffer_desc name = { strlen(target), (void *)target };
		major = gss_import_name(&minor, &name, GSS_C_NT_HOSTBASED_SERVICE, &tname);
		if (major != GSS_S_COMPLETE) {
			status_text(msg, sizeof(msg), major, minor);
			printf("ERROR gss_import_name: %s\n", msg);
			goto out;
		}
	}

	for (;;) {
		if (initiator) {
			major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &ctx, tname, &spnego_oid,
						     flags, GSS_C_INDEFINITE, cbp,
						     in.length > 0 ? &in : GSS_C_NO_BUFFER,
						     NULL, &out, NULL, NULL);
		} else {
			if (get_token(&line, &cap, &in, &why) != 0) {
				printf("ERROR %s\n", why);
				goto out;
			}
			major = gss_accept_sec_context(&minor, &ctx, GSS_C_NO_CREDENTIAL, &in, cbp, NULL,
						       NULL, &out, NULL, NULL, NULL);
		}
		if (out.length > 0 && put_token(&out) != 0) {
			fprintf(stderr, "mit-gss-peer: writing a token: %s\n", strerror(errno));
			rc = 2;
			goto out;
		}
		gss_release_buffer(&tmp, &out);
		if (GSS_ERROR(major)) {
			status_text(msg, sizeof(msg), major, minor);
			printf("ERROR %s: %s\n",
			       initiator ? "gss_init_sec_context" : "gss_accept_sec_context", msg);
			goto out;
		}
		if (major == GSS_S_COMPLETE) {
			printf("DONE\n");
			rc = 0;
			goto out;
		}
		if (initiator && get_token(&line, &cap, &in, &why) != 0) {
			printf("ERROR %s\n", why);
			goto out;
		}
	}
out:
	fflush(stdout);
	gss_delete_sec_context(&tmp, &ctx, GSS_C_NO_BUFFER);
	gss_release_name(&tmp, &tname);
	free(line);
	return rc;
}
