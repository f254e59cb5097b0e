/*
 * server.c: credssp-server, a CredSSP (NLA) server: TLS, then the engine
 * with Heimdal's Kerberos acceptor, optionally inside the RDP connection
 * sequence (X.224 negotiation, HYBRID or HYBRID_EX, the Early User
 * Authorization Result).  Serves connections one after another; a
 * failed or hostile one does not stop it.
 */
#include <ctype.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "credssp/gss/credssp_gss.h"
#include "credssp/ntlm/ntlm.h"
#include "credssp/spnego_ntlm/spnego_ntlm.h"
#include "credssp/rdp/rdp_nego.h"
#include "credssp/tls/credssp_tls.h"
#include "credssp/tools/tools.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: credssp-server [options]\n"
		"A CredSSP (MS-CSSP, NLA) server: TLS, then SPNEGO/Kerberos, then the\n"
		"client's delegated credentials.  One line per connection on stdout:\n"
		"  ok peer=NAME mech=MECH version=V peer-version=P credentials=TYPE ...\n"
		"  refused: STATUS: reason\n"
		"Options:\n"
		"  --listen ADDR:PORT   where to listen (default 127.0.0.1:3389)\n"
		"  --cert FILE          PEM certificate (chain); --key FILE its PEM key\n"
		"                       (default: a fresh self-signed RSA-2048 certificate)\n"
		"  --name NAME          CN of the self-signed certificate (default localhost)\n"
		"  --keytab FILE        Kerberos keytab of the service (default KRB5_KTNAME\n"
		"                       or /etc/krb5.keytab)\n"
		"  --ntlm-winbind       accept raw NTLM (as mstsc and FreeRDP send it),\n"
		"                       checked against the domain through winbind (a joined\n"
		"                       member)\n"
		"  --sam FILE           accept raw NTLM checked against a FreeRDP SAM file\n"
		"                       (winpr-hash -u USER -p PASSWORD [-d DOMAIN] lines)\n"
		"                       With either backend, NTLM inside SPNEGO too: an\n"
		"                       SPNEGO token offering NTLM first\n"
		"  --no-kerberos        no GSSAPI/Kerberos acceptor: SPNEGO tokens that offer\n"
		"                       NTLM after another mechanism are answered with NTLM\n"
		"                       (supportedMech NTLM, request-mic)\n"
		"  --nb-computer NAME --nb-domain NAME --dns-computer NAME --dns-domain NAME\n"
		"                       the names NTLM's CHALLENGE announces (default: the\n"
		"                       host name's first label, upper-cased, and WORKGROUP)\n"
		"  --version N          the CredSSP version we send (2-6, default 6)\n"
		"  --min-version N      refuse clients below N (2-6, default 5)\n"
		"  --rdp                RDP mode: X.224 negotiation first (HYBRID or HYBRID_EX)\n"
		"  --count N            serve N connections, then exit\n"
		"  --show-credentials   print the delegated credentials: type, domain, user and\n"
		"                       the SHA-256 of each secret (never the secret itself)\n"
		"  -h, --help           this text\n"
		"Readiness: the line \"listening on ADDR:PORT\" once the socket is open.\n"
		"Exit codes: 0 every connection served (with --count: every one authenticated),\n"
		"1 some connection refused (with --count), 2 bad options or files,\n"
		"3 cannot listen.\n");
}

struct server_opts {
	const char *cert, *key, *name;
	const char *sam;             /* NTLM backends: a SAM file, or winbind */
	bool winbind, no_kerberos;
	struct ntlm_server_names names;
	bool rdp, show;
	uint32_t version, min_version;
	struct credssp_nonce_cache *nonces;
};

static void print_digest(const char *label, const struct crypto_secret *s)
{
	uint8_t h[CRYPTO_SHA256_LEN];

	if (s == NULL || !NT_STATUS_IS_OK(crypto_sha256(s->data, s->len, h))) {
		return;
	}
	printf(" %s-sha256=", label);
	for (size_t i = 0; i < sizeof(h); i++) {
		printf("%02x", h[i]);
	}
}

/* print_safe: attacker-chosen text (a peer name, an error that quotes a
 * token) without its control characters, which could forge lines. */
static void print_safe(const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f) {
			printf("\\x%02x", c);
		} else {
			putchar(c);
		}
	}
}

/* print_text: a credential field, one word: spaces and backslashes escaped too. */
static void print_text(const char *label, const char *s)
{
	if (s == NULL) {
		return;
	}
	printf(" %s=", label);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || c == ' ' || c == '\\') {
			printf("\\x%02x", c);
		} else {
			putchar(c);
		}
	}
}

static void print_credentials(const struct credssp_credentials *c)
{
	switch (c->type) {
	case CREDSSP_CRED_PASSWORD:
		printf(" credentials=%s", credssp_credentials_restricted_admin(c)
						  ? "restricted-admin"
						  : "password");
		print_text("domain", c->password.domain);
		print_text("user", c->password.user);
		print_digest("password", c->password.password);
		break;
	case CREDSSP_CRED_SMARTCARD:
		printf(" credentials=smartcard key-spec=%d", (int)c->smartcard.key_spec);
		print_text("reader", c->smartcard.reader_name);
		print_text("card", c->smartcard.card_name);
		print_text("user-hint", c->smartcard.user_hint);
		print_text("domain-hint", c->smartcard.domain_hint);
		print_digest("pin", c->smartcard.pin);
		break;
	case CREDSSP_CRED_REMOTE_GUARD:
		printf(" credentials=remote-guard");
		print_text("package", c->remote_guard.logon.package_name);
		print_digest("buffer", c->remote_guard.logon.cred_buffer);
		printf(" supplemental=%zu", c->remote_guard.num_supplemental);
		break;
	}
}

/* start_mech: the acceptor the client's first token asks for (the
 * engine's credssp_mech_start_fn): Heimdal for GSSAPI tokens, our
 * NTLMSSP acceptor for raw NTLM when a backend is configured. */
static int start_ntlm(const struct server_opts *o, const struct credssp_mech_ops **ops,
		      void **mech_ctx, char *err, size_t errlen)
{
	if (o->sam != NULL) {
		return credssp_ntlm_acceptor_new_samfile(o->sam, &o->names, ops, mech_ctx, err,
							 errlen);
	}
	if (o->winbind) {
		return credssp_ntlm_acceptor_new_winbind(&o->names, ops, mech_ctx, err, errlen);
	}
	snprintf(err, errlen, "NTLM is not enabled (--sam or --ntlm-winbind)");
	return -1;
}

static int start_mech(void *arg, enum credssp_mech_kind kind, const struct credssp_mech_ops **ops,
		      void **mech_ctx, char *err, size_t errlen)
{
	const struct server_opts *o = arg;

	switch (kind) {
	case CREDSSP_MECH_GSSAPI:
		if (o->no_kerberos) {
			snprintf(err, errlen, "Kerberos is disabled (--no-kerberos)");
			return -1;
		}
		return credssp_gss_start(NULL, kind, ops, mech_ctx, err, errlen);
	case CREDSSP_MECH_NTLM_RAW:
		return start_ntlm(o, ops, mech_ctx, err, errlen);
	case CREDSSP_MECH_NTLM_SPNEGO:
		if (start_ntlm(o, ops, mech_ctx, err, errlen) != 0) {
			return -1;
		}
		return credssp_spnego_ntlm_acceptor(*ops, *mech_ctx, ops, mech_ctx, err, errlen);
	}
	snprintf(err, errlen, "unknown mechanism");
	return -1;
}

/* rdp_negotiate: read the Connection Request, answer; *selected. */
static int rdp_negotiate(int fd, uint32_t *selected)
{
	TALLOC_CTX *t = talloc_new(NULL);
	uint8_t buf[RDP_X224_MAX_LEN];
	uint8_t *out = NULL;
	size_t len = 0, out_len = 0;
	uint32_t requested = 0, failure = 0;
	const char *reason = NULL;
	int rc = -1;

	if (tool_read_tpkt(fd, buf, sizeof(buf), &len) != 0 ||
	    !NT_STATUS_IS_OK(rdp_connection_request_parse(buf, len, &requested, &reason))) {
		printf("refused: NT_STATUS_INVALID_PARAMETER: bad X.224 Connection Request%s%s\n",
		       reason != NULL ? ": " : "", reason != NULL ? reason : "");
		goto out;
	}
	/* 2.2.1.2: pick one the client offered; NLA only. */
	if (requested & RDP_PROTOCOL_HYBRID_EX) {
		*selected = RDP_PROTOCOL_HYBRID_EX;
	} else if (requested & RDP_PROTOCOL_HYBRID) {
		*selected = RDP_PROTOCOL_HYBRID;
	} else {
		failure = RDP_HYBRID_REQUIRED_BY_SERVER;
	}
	if (!NT_STATUS_IS_OK(rdp_connection_confirm_build(t, *selected, failure, &out, &out_len)) ||
	    tool_write(fd, out, out_len) != 0) {
		printf("refused: NT_STATUS_CONNECTION_RESET: cannot send the Connection Confirm\n");
		goto out;
	}
	if (failure != 0) {
		printf("refused: NT_STATUS_NOT_SUPPORTED: the client offers no NLA protocol "
		       "(requestedProtocols 0x%08x)\n",
		       (unsigned)requested);
		goto out;
	}
	rc = 0;
out:
	talloc_free(t);
	return rc;
}

/* serve: one connection; true when the client authenticated. */
static bool serve(SSL_CTX *tls, int fd, const struct server_opts *o)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct credssp_server_settings ss = { 0 };
	struct credssp_ctx *ctx = NULL;
	uint32_t selected = RDP_PROTOCOL_HYBRID;
	uint8_t *key = NULL;
	size_t key_len = 0;
	const char *reason = NULL;
	char err[256] = "";
	enum credssp_result r;
	SSL *ssl = NULL;
	bool ok = false;

	tool_set_timeouts(fd, 30);
	if (o->rdp && rdp_negotiate(fd, &selected) != 0) {
		goto out;
	}
	ssl = SSL_new(tls);
	if (ssl == NULL || SSL_set_fd(ssl, fd) != 1 || SSL_accept(ssl) != 1) {
		printf("refused: NT_STATUS_CONNECTION_RESET: TLS handshake failed\n");
		goto out;
	}
	if (!NT_STATUS_IS_OK(credssp_tls_public_key(t, ssl, false, &key, &key_len))) {
		printf("refused: NT_STATUS_INTERNAL_ERROR: no public key in our certificate\n");
		goto out;
	}
	ss.version = o->version;
	ss.min_version = o->min_version;
	ss.start_mech = start_mech;
	ss.start_arg = (void *)o;
	ss.nonces = o->nonces;
	if (!NT_STATUS_IS_OK(credssp_server_new(t, &ss, key, key_len, &ctx, &reason))) {
		printf("refused: NT_STATUS_INVALID_PARAMETER: %s\n", reason);
		goto out;
	}
	r = credssp_tls_run(ssl, ctx, false, err, sizeof(err));
	if (selected == RDP_PROTOCOL_HYBRID_EX && err[0] == '\0') {
		/* 2.2.10.2: the Early User Authorization Result, in TLS. */
		uint8_t res[RDP_EARLY_AUTH_RESULT_LEN] = { 0 };

		if (r != CREDSSP_DONE) {
			res[0] = (uint8_t)RDP_AUTHZ_ACCESS_DENIED;
		}
		(void)credssp_tls_write_all(ssl, res, sizeof(res), err, sizeof(err));
	}
	if (r == CREDSSP_DONE) {
		printf("ok peer=");
		print_safe(credssp_peer_name(ctx) != NULL ? credssp_peer_name(ctx) : "?");
		printf(" mech=%s version=%u peer-version=%u%s", credssp_mech_name(ctx), (unsigned)credssp_negotiated_version(ctx),
		       (unsigned)credssp_peer_version(ctx),
		       selected == RDP_PROTOCOL_HYBRID_EX ? " rdp=hybrid-ex"
		       : o->rdp                           ? " rdp=hybrid"
							  : "");
		if (o->show) {
			print_credentials(credssp_server_credentials(ctx));
		}
		printf("\n");
		ok = true;
	} else if (err[0] != '\0' && NT_STATUS_IS_OK(credssp_status(ctx))) {
		printf("refused: NT_STATUS_CONNECTION_RESET: %s\n", err);
	} else {
		printf("refused: %s: ", crypto_status_name(credssp_status(ctx)));
		print_safe(credssp_error(ctx));
		printf("\n");
	}
out:
	fflush(stdout);
	if (ssl != NULL) {
		SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	close(fd);
	talloc_free(t); /* wipes the received credentials */
	return ok;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "name", required_argument, NULL, 'n' },
		{ "keytab", required_argument, NULL, 't' },
		{ "ntlm-winbind", no_argument, NULL, 'W' },
		{ "sam", required_argument, NULL, 'S' },
		{ "no-kerberos", no_argument, NULL, 'K' },
		{ "nb-computer", required_argument, NULL, 'B' },
		{ "nb-domain", required_argument, NULL, 'D' },
		{ "dns-computer", required_argument, NULL, 'F' },
		{ "dns-domain", required_argument, NULL, 'G' },
		{ "version", required_argument, NULL, 'v' },
		{ "min-version", required_argument, NULL, 'm' },
		{ "rdp", no_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'N' },
		{ "show-credentials", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	TALLOC_CTX *t = talloc_new(NULL);
	struct server_opts o = { 0 };
	struct credssp_gss_server_opts g = { 0 };
	const char *listen_addr = "127.0.0.1:3389";
	char *host = NULL, *port = NULL, err[256] = "";
	long count = -1, served = 0, failed = 0;
	SSL_CTX *tls = NULL;
	int ch, lfd, rc;

	/* A peer that closes first must not kill us on our next write
	 * (SSL_shutdown's close_notify): EPIPE is handled as an error. */
	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'l': listen_addr = optarg; break;
		case 'c': o.cert = optarg; break;
		case 'k': o.key = optarg; break;
		case 'n': o.name = optarg; break;
		case 't': g.keytab = optarg; break;
		case 'W': o.winbind = true; break;
		case 'S': o.sam = optarg; break;
		case 'K': o.no_kerberos = true; break;
		case 'B': o.names.nb_computer = optarg; break;
		case 'D': o.names.nb_domain = optarg; break;
		case 'F': o.names.dns_computer = optarg; break;
		case 'G': o.names.dns_domain = optarg; break;
		case 'v':
			if (!tool_parse_version(optarg, &o.version)) {
				fprintf(stderr, "credssp-server: --version must be 2 to 6\n");
				{ rc = TOOL_USAGE; goto done; }
			}
			break;
		case 'm':
			if (!tool_parse_version(optarg, &o.min_version)) {
				fprintf(stderr, "credssp-server: --min-version must be 2 to 6\n");
				{ rc = TOOL_USAGE; goto done; }
			}
			break;
		case 'r': o.rdp = true; break;
		case 'N': count = strtol(optarg, NULL, 10); break;
		case 's': o.show = true; break;
		case 'h': usage(stdout); rc = TOOL_OK; goto done;
		default: usage(stderr); rc = TOOL_USAGE; goto done;
		}
	}
	if (optind != argc || count == 0 || (o.key != NULL && o.cert == NULL) ||
	    !tool_split_addr(t, listen_addr, &host, &port)) {
		usage(stderr);
		{ rc = TOOL_USAGE; goto done; }
	}
	if (o.sam != NULL && o.winbind) {
		fprintf(stderr, "credssp-server: --sam or --ntlm-winbind, not both\n");
		{ rc = TOOL_USAGE; goto done; }
	}
	if (o.sam != NULL && access(o.sam, R_OK) != 0) {
		fprintf(stderr, "credssp-server: --sam %s: cannot read it\n", o.sam);
		{ rc = TOOL_USAGE; goto done; }
	}
	if (o.names.nb_computer == NULL) {
		char hn[256] = "", *dot;

		gethostname(hn, sizeof(hn) - 1);
		if ((dot = strchr(hn, '.')) != NULL) {
			*dot = '\0';
		}
		for (char *p = hn; *p != '\0'; p++) {
			*p = (char)toupper((unsigned char)*p);
		}
		o.names.nb_computer = talloc_strdup(t, hn[0] != '\0' ? hn : "CREDSSP");
	}
	if (o.names.nb_domain == NULL) {
		o.names.nb_domain = "WORKGROUP";
	}
	if (credssp_gss_server_init(&g, err, sizeof(err)) != 0) {
		fprintf(stderr, "credssp-server: %s\n", err);
		{ rc = TOOL_USAGE; goto done; }
	}
	tls = credssp_tls_server_ctx(o.cert, o.key, o.name != NULL ? o.name : "localhost", err,
				     sizeof(err));
	if (tls == NULL) {
		fprintf(stderr, "credssp-server: %s\n", err);
		{ rc = TOOL_USAGE; goto done; }
	}
	o.nonces = credssp_nonce_cache_new(t, 4096);
	lfd = tool_listen(host, port);
	if (lfd < 0) {
		{ rc = TOOL_NETWORK; goto done; }
	}
	printf("listening on %s\n", listen_addr);
	fflush(stdout);
	while (count < 0 || served < count) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0) {
			continue;
		}
		if (!serve(tls, fd, &o)) {
			failed++;
		}
		served++;
	}
	close(lfd);
	rc = failed > 0 ? TOOL_REFUSED : TOOL_OK;
done:
	SSL_CTX_free(tls);
	talloc_free(t);
	return rc;
}
