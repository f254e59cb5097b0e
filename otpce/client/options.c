/*
 * options.c: otpce-client's command line and --help.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "otpce/client/client.h"

static const char usage_text[] =
"Usage: otpce-client --user DOMAIN\\user --template OID|NAME (--subject DN | --upn UPN)\n"
"                    --key-out FILE (--csr-only | --server URL --out FILE) [options]\n"
"\n"
"Enrolls for a short-lived certificate with a one-time password (MS-OTPCE):\n"
"generates a key and a PKCS#10 request laid out as a Windows client makes it\n"
"(subject, UPN, certificate template extension, ClientInfo), sends it with\n"
"the one-time password to the OTPCE server over HTTPS, and writes the\n"
"request signed by the server and the private key.  Submit the signed\n"
"request to the CA (certreq -submit on Windows, or an OpenSSL CA: see\n"
"otpce/client/README.md).\n"
"\n"
"The request:\n"
"  --user DOMAIN\\user     the logon name sent in the signCertRequest (3.1.5.1)\n"
"  --subject DN           the subject, RFC 4514: \"CN=User 1,CN=Users,DC=example,DC=com\"\n"
"                         (the user's distinguishedName: the server checks it)\n"
"  --upn UPN              the UPN put in the subject alternative name\n"
"  --template OID|NAME    the certificate template: a dotted OID goes in the\n"
"                         template extension 1.3.6.1.4.1.311.21.7 (version 2+\n"
"                         templates, what Windows sends); a name goes in the\n"
"                         version 1 name extension 1.3.6.1.4.1.311.20.2\n"
"  --template-version M[.N]  the template's major and minor version (default 100.0)\n"
"  --eku OID[,OID...]     extended key usages (default 1.3.6.1.4.1.311.20.2.2,\n"
"                         smart card logon)\n"
"  --key-type rsa|ec      RSA (default) or EC P-256\n"
"  --rsa-bits N           RSA key size, 2048..8192 (default 2048)\n"
"  --client-machine NAME, --client-user NAME, --client-process NAME\n"
"                         the ClientInfo attribute (defaults: this host's name,\n"
"                         the --user value, \"otpce-client\")\n"
"\n"
"The exchange:\n"
"  --server URL           the OTPCE server, https://host[:port]/path\n"
"  --otp-file FILE        read the one-time password from the first line of\n"
"                         FILE (\"-\": standard input) instead of asking on the\n"
"                         terminal\n"
"  --response-file FILE   answers to ChallengeResponseRequired, one per line, in\n"
"                         order; without it the client asks on the terminal\n"
"  --max-challenges N     challenge rounds to answer before giving up (default 3)\n"
"  --cacert FILE          CA certificates for the server (default: the system's)\n"
"  --pin sha256//BASE64   also require the server's public key to have this\n"
"                         SHA-256 (base64 of the hash of its DER SubjectPublicKeyInfo)\n"
"  --client-cert FILE, --client-key FILE   TLS client authentication\n"
"  --timeout SECONDS      per request, 1..3600 (default 30)\n"
"\n"
"Output:\n"
"  --key-out FILE         the private key (PKCS#8 PEM, unencrypted, mode 0600)\n"
"  --out FILE             the signed request (CMS SignedData around a CMC PKIData;\n"
"                         \"-\" for standard output)\n"
"  --csr-out FILE         also write the PKCS#10 request\n"
"  --format pem|der       of --out and --csr-out (default pem)\n"
"  --csr-only             make the key and request, write them, contact nobody\n"
"  --help                 this text\n"
"\n"
"The server's answer (3.1.5.2): Success writes the files (after checking the\n"
"signed request carries our request unchanged and its signature verifies) and\n"
"prints each IssuingCA on standard output; ChallengeResponseRequired asks for\n"
"the challenge response and sends the same request again with it as the\n"
"one-time password; any other status fails.  The one-time password is never\n"
"printed or logged.\n"
"\n"
"Exit codes:\n"
"  0  success (signed request written, or --csr-only done)\n"
"  1  the server answered AuthenticationError\n"
"  2  usage error\n"
"  3  the server answered ChallengeResponseRequired and no (more) answer was given\n"
"  4  the server answered OtherError\n"
"  5  transport or protocol failure (TLS, HTTP, malformed answer, or a signed\n"
"     request that does not carry our request or does not verify)\n"
"  6  local failure (key generation, files, terminal)\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "otpce-client: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'otpce-client --help'.\n");
	return EXIT_USAGE;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi || *s == '-' || *s == '+') {
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_template_version(const char *arg, struct options *o)
{
	char major[16];
	const char *dot = strchr(arg, '.');
	size_t n = dot ? (size_t)(dot - arg) : strlen(arg);
	long v;

	if (n == 0 || n >= sizeof(major)) {
		return -1;
	}
	memcpy(major, arg, n);
	major[n] = '\0';
	if (parse_long(major, 0, 2147483647L, &v) != 0) {
		return -1;
	}
	o->major = (int)v;
	o->minor = 0;
	if (dot != NULL) {
		if (parse_long(dot + 1, 0, 2147483647L, &v) != 0) {
			return -1;
		}
		o->minor = (int)v;
	}
	return 0;
}

enum {
	OPT_USER = 256, OPT_SUBJECT, OPT_UPN, OPT_TEMPLATE, OPT_TEMPLATE_VERSION, OPT_EKU,
	OPT_KEY_TYPE, OPT_RSA_BITS, OPT_CLIENT_MACHINE, OPT_CLIENT_USER, OPT_CLIENT_PROCESS,
	OPT_SERVER, OPT_OTP_FILE, OPT_RESPONSE_FILE, OPT_MAX_CHALLENGES, OPT_CACERT, OPT_PIN,
	OPT_CLIENT_CERT, OPT_CLIENT_KEY, OPT_TIMEOUT, OPT_KEY_OUT, OPT_OUT, OPT_CSR_OUT,
	OPT_FORMAT, OPT_CSR_ONLY, OPT_HELP,
};

static const struct option long_options[] = {
	{ "user", required_argument, NULL, OPT_USER },
	{ "subject", required_argument, NULL, OPT_SUBJECT },
	{ "upn", required_argument, NULL, OPT_UPN },
	{ "template", required_argument, NULL, OPT_TEMPLATE },
	{ "template-version", required_argument, NULL, OPT_TEMPLATE_VERSION },
	{ "eku", required_argument, NULL, OPT_EKU },
	{ "key-type", required_argument, NULL, OPT_KEY_TYPE },
	{ "rsa-bits", required_argument, NULL, OPT_RSA_BITS },
	{ "client-machine", required_argument, NULL, OPT_CLIENT_MACHINE },
	{ "client-user", required_argument, NULL, OPT_CLIENT_USER },
	{ "client-process", required_argument, NULL, OPT_CLIENT_PROCESS },
	{ "server", required_argument, NULL, OPT_SERVER },
	{ "otp-file", required_argument, NULL, OPT_OTP_FILE },
	{ "response-file", required_argument, NULL, OPT_RESPONSE_FILE },
	{ "max-challenges", required_argument, NULL, OPT_MAX_CHALLENGES },
	{ "cacert", required_argument, NULL, OPT_CACERT },
	{ "pin", required_argument, NULL, OPT_PIN },
	{ "client-cert", required_argument, NULL, OPT_CLIENT_CERT },
	{ "client-key", required_argument, NULL, OPT_CLIENT_KEY },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "key-out", required_argument, NULL, OPT_KEY_OUT },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "csr-out", required_argument, NULL, OPT_CSR_OUT },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "csr-only", no_argument, NULL, OPT_CSR_ONLY },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* check_combination: what must go together, after all options are read. */
static int check_combination(struct options *o)
{
	if (o->user == NULL || *o->user == '\0' || strchr(o->user, '\\') == NULL) {
		return usage_error("--user DOMAIN\\user is required (the domain\\name form, "
				   "MS-OTPCE 3.1.5.1)%s", "");
	}
	if (o->template == NULL || *o->template == '\0') {
		return usage_error("--template is required%s", "");
	}
	if ((o->subject == NULL || *o->subject == '\0') && (o->upn == NULL || *o->upn == '\0')) {
		return usage_error("give --subject or --upn (or both): the request must name "
				   "the user%s", "");
	}
	if (o->key_out == NULL) {
		return usage_error("--key-out is required%s", "");
	}
	if (o->ec && o->rsa_bits != 0) {
		return usage_error("--rsa-bits goes with --key-type rsa%s", "");
	}
	if (o->pin != NULL && strncmp(o->pin, "sha256//", 8) != 0) {
		return usage_error("--pin is sha256//BASE64, not \"%s\"", o->pin);
	}
	if (o->csr_only) {
		if (o->server || o->out || o->otp_file || o->response_file) {
			return usage_error("--csr-only contacts nobody: drop --server, --out, "
					   "--otp-file and --response-file%s", "");
		}
		return 0;
	}
	if (o->server == NULL) {
		return usage_error("--server is required (or --csr-only)%s", "");
	}
	if (strncasecmp(o->server, "https://", 8) != 0 &&
	    !(o->allow_http && strncasecmp(o->server, "http://", 7) == 0)) {
		return usage_error("--server must be an https:// URL, not \"%s\"", o->server);
	}
	if (o->out == NULL) {
		return usage_error("--out is required (or --csr-only)%s", "");
	}
	if (o->otp_file && o->response_file && strcmp(o->otp_file, "-") == 0 &&
	    strcmp(o->response_file, "-") == 0) {
		return usage_error("--otp-file and --response-file cannot both be \"-\"%s", "");
	}
	return 0;
}

int parse_args(int argc, char **argv, struct options *o)
{
	int c;
	long v;

	*o = (struct options){ .major = 100, .minor = 0, .pem = 1, .max_challenges = 3,
			       .timeout = 30, .client_process = "otpce-client",
			       .allow_http = getenv("OTPCE_CLIENT_TEST_HTTP") != NULL };
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_USER: o->user = optarg; break;
		case OPT_SUBJECT: o->subject = optarg; break;
		case OPT_UPN: o->upn = optarg; break;
		case OPT_TEMPLATE: o->template = optarg; break;
		case OPT_TEMPLATE_VERSION:
			if (parse_template_version(optarg, o) != 0) {
				return usage_error("bad --template-version \"%s\" (MAJOR[.MINOR])", optarg);
			}
			break;
		case OPT_EKU: o->eku = optarg; break;
		case OPT_KEY_TYPE:
			if (strcmp(optarg, "rsa") == 0) {
				o->ec = 0;
			} else if (strcmp(optarg, "ec") == 0) {
				o->ec = 1;
			} else {
				return usage_error("--key-type is rsa or ec, not \"%s\"", optarg);
			}
			break;
		case OPT_RSA_BITS:
			if (parse_long(optarg, 2048, 8192, &v) != 0) {
				return usage_error("--rsa-bits must be 2048..8192, not \"%s\"", optarg);
			}
			o->rsa_bits = (unsigned int)v;
			break;
		case OPT_CLIENT_MACHINE: o->client_machine = optarg; break;
		case OPT_CLIENT_USER: o->client_user = optarg; break;
		case OPT_CLIENT_PROCESS: o->client_process = optarg; break;
		case OPT_SERVER: o->server = optarg; break;
		case OPT_OTP_FILE: o->otp_file = optarg; break;
		case OPT_RESPONSE_FILE: o->response_file = optarg; break;
		case OPT_MAX_CHALLENGES:
			if (parse_long(optarg, 0, 20, &v) != 0) {
				return usage_error("--max-challenges must be 0..20, not \"%s\"", optarg);
			}
			o->max_challenges = (int)v;
			break;
		case OPT_CACERT: o->cacert = optarg; break;
		case OPT_PIN: o->pin = optarg; break;
		case OPT_CLIENT_CERT: o->client_cert = optarg; break;
		case OPT_CLIENT_KEY: o->client_key = optarg; break;
		case OPT_TIMEOUT:
			if (parse_long(optarg, 1, 3600, &o->timeout) != 0) {
				return usage_error("--timeout must be 1..3600 seconds, not \"%s\"", optarg);
			}
			break;
		case OPT_KEY_OUT: o->key_out = optarg; break;
		case OPT_OUT: o->out = optarg; break;
		case OPT_CSR_OUT: o->csr_out = optarg; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "pem") == 0) {
				o->pem = 1;
			} else if (strcmp(optarg, "der") == 0) {
				o->pem = 0;
			} else {
				return usage_error("--format is pem or der, not \"%s\"", optarg);
			}
			break;
		case OPT_CSR_ONLY: o->csr_only = 1; break;
		case OPT_HELP:
			fputs(usage_text, stdout);
			return -1;
		default:
			return usage_error("unknown option, or one missing its value: \"%s\"",
					   argv[optind - 1]);
		}
	}
	if (optind < argc) {
		return usage_error("unexpected argument \"%s\"", argv[optind]);
	}
	return check_combination(o);
}
