/*
 * radius_probe.c: otpce-radius-probe, one PAP Access-Request through
 * otpce/radius (the blocking otpce_radius_pap), for testing by hand and
 * for tests/integration/test_otpce_radius.sh.  Test-only: not installed.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "otpce/radius/radius.h"

#define MAX_SERVERS 8
#define EXIT_USAGE 64
/* A 256-octet secret, its newline and the NUL. */
#define RADIUS_SECRET_FILE_MAX 258

static const char usage_text[] =
	"Usage: otpce-radius-probe [OPTIONS] USER\n"
	"Sends one RADIUS PAP Access-Request for USER with otpce's RADIUS client and\n"
	"prints the outcome.  The password (the one-time password, or the answer to a\n"
	"challenge) is the first line of standard input, never an argument.\n"
	"\n"
	"Servers, tried in the order given; the options after a --server apply to it:\n"
	"  --server HOST[:PORT]   a RADIUS server (IPv6: [ADDR]:PORT); PORT defaults\n"
	"                         to 1812, or 2083 with --tls\n"
	"  --secret TEXT          its shared secret (visible in ps: prefer --secret-file)\n"
	"  --secret-file FILE     its shared secret, the first line of FILE\n"
	"  --timeout MS           wait MS milliseconds for an answer (default 3000)\n"
	"  --retries N            resend N times before the next server (default 2)\n"
	"  --tls                  RADIUS over TLS (RFC 6614); the secret defaults to\n"
	"                         \"radsec\"; needs:\n"
	"  --ca FILE              PEM CA certificates the server's certificate must\n"
	"                         chain to (it must also name HOST)\n"
	"  --cert FILE --key FILE our PEM client certificate and key\n"
	"\n"
	"Request:\n"
	"  --state HEX            the State of the Access-Challenge this answers\n"
	"  --nas-identifier TEXT  the NAS-Identifier (default \"otpced\")\n"
	"  --verbose              print the client's log lines on standard error\n"
	"  --help                 this text\n"
	"\n"
	"Output, on standard output, one line each:\n"
	"  result=accept|reject|challenge|no-answer|error\n"
	"  server=HOST:PORT       the server that answered (empty if none)\n"
	"  state=HEX              the challenge's State (challenge only)\n"
	"  reply-message=TEXT     the server's Reply-Message, if any (octets outside\n"
	"                         printable ASCII as \\xNN, newlines as \\n)\n"
	"\n"
	"Exit status: 0 accept, 1 reject, 2 challenge, 3 no answer, 4 error (bad\n"
	"configuration, a TLS file that does not load), 64 usage.\n";

static void log_line(enum otpce_radius_log_level level, const char *line, void *arg)
{
	fprintf(stderr, "%s%s\n", level == OTPCE_RADIUS_LOG_WARNING ? "warning: " : "", line);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "otpce-radius-probe: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'otpce-radius-probe --help'.\n");
	return EXIT_USAGE;
}

/* parse_host_port splits "host", "host:port", "[v6]" or "[v6]:port". */
static bool parse_host_port(char *arg, const char **host, uint16_t *port)
{
	char *p = NULL, *end;
	unsigned long v;

	if (arg[0] == '[') {
		char *close = strchr(arg, ']');
		if (close == NULL || (close[1] != '\0' && close[1] != ':')) {
			return false;
		}
		*close = '\0';
		*host = arg + 1;
		p = close[1] == ':' ? close + 2 : NULL;
	} else {
		*host = arg;
		p = strchr(arg, ':');
		if (p != NULL) {
			if (strchr(p + 1, ':') != NULL) {
				return false; /* IPv6 needs brackets */
			}
			*p++ = '\0';
		}
	}
	*port = 0;
	if (p != NULL) {
		errno = 0;
		v = strtoul(p, &end, 10);
		if (*p == '\0' || *end != '\0' || errno != 0 || v == 0 || v > 65535) {
			return false;
		}
		*port = (uint16_t)v;
	}
	return **host != '\0';
}

static bool parse_unsigned(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s == '\0' || !isdigit((unsigned char)*s) || *end != '\0' || errno != 0 ||
	    v > 3600 * 1000) {
		return false;
	}
	*out = (unsigned)v;
	return true;
}

static bool parse_hex(const char *s, uint8_t *out, size_t max, size_t *len)
{
	size_t n = strlen(s);

	if (n == 0 || n % 2 != 0 || n / 2 > max) {
		return false;
	}
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		if (!isxdigit((unsigned char)s[2 * i]) || !isxdigit((unsigned char)s[2 * i + 1]) ||
		    sscanf(s + 2 * i, "%2x", &v) != 1) {
			return false;
		}
		out[i] = (uint8_t)v;
	}
	*len = n / 2;
	return true;
}

/* read_line reads the first line of |f| into |buf| (without its newline);
 * false if it is longer than |len| - 1. */
static bool read_line(FILE *f, char *buf, size_t len)
{
	size_t n;

	if (fgets(buf, (int)len, f) == NULL) {
		buf[0] = '\0';
		return !ferror(f);
	}
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n') {
		buf[--n] = '\0';
		if (n > 0 && buf[n - 1] == '\r') {
			buf[--n] = '\0';
		}
		return true;
	}
	return feof(f) || n < len - 1;
}

static void print_text(const char *key, const char *s)
{
	printf("%s=", key);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n') {
			printf("\\n");
		} else if (c == '\\') {
			printf("\\\\");
		} else if (c < 0x20 || c >= 0x7f) {
			printf("\\x%02x", c);
		} else {
			putchar(c);
		}
	}
	putchar('\n');
}

int main(int argc, char **argv)
{
	enum { O_SERVER = 256, O_SECRET, O_SECRET_FILE, O_TIMEOUT, O_RETRIES, O_TLS, O_CA,
	       O_CERT, O_KEY, O_STATE, O_NAS, O_VERBOSE, O_HELP };
	static const struct option longopts[] = {
		{ "server", required_argument, NULL, O_SERVER },
		{ "secret", required_argument, NULL, O_SECRET },
		{ "secret-file", required_argument, NULL, O_SECRET_FILE },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "retries", required_argument, NULL, O_RETRIES },
		{ "tls", no_argument, NULL, O_TLS },
		{ "ca", required_argument, NULL, O_CA },
		{ "cert", required_argument, NULL, O_CERT },
		{ "key", required_argument, NULL, O_KEY },
		{ "state", required_argument, NULL, O_STATE },
		{ "nas-identifier", required_argument, NULL, O_NAS },
		{ "verbose", no_argument, NULL, O_VERBOSE },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct otpce_radius_server servers[MAX_SERVERS];
	static char secrets[MAX_SERVERS][RADIUS_SECRET_FILE_MAX];
	struct otpce_radius_options opts = { NULL, NULL, NULL };
	struct otpce_radius_reply reply;
	struct otpce_radius_server *cur = NULL;
	uint8_t state[253];
	size_t n = 0, state_len = 0;
	char password[256];
	enum otpce_radius_result result;
	int c;

	memset(servers, 0, sizeof(servers));
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c != O_SERVER && c != O_STATE && c != O_NAS && c != O_VERBOSE &&
		    c != O_HELP && c != '?' && cur == NULL) {
			return usage_error("%s must follow a --server", argv[optind - 1]);
		}
		switch (c) {
		case O_SERVER:
			if (n == MAX_SERVERS) {
				return usage_error("at most %d servers", MAX_SERVERS);
			}
			cur = &servers[n++];
			cur->retries = 2;
			if (!parse_host_port(optarg, &cur->host, &cur->port)) {
				return usage_error("bad --server '%s' (HOST[:PORT], [IPV6]:PORT)", optarg);
			}
			break;
		case O_SECRET:
			cur->secret = optarg;
			break;
		case O_SECRET_FILE: {
			FILE *f = fopen(optarg, "r");
			char *s = secrets[cur - servers];
			bool ok = f != NULL && read_line(f, s, RADIUS_SECRET_FILE_MAX);
			if (f != NULL) {
				fclose(f);
			}
			if (!ok) {
				return usage_error("cannot read a secret from '%s'", optarg);
			}
			cur->secret = s;
			break;
		}
		case O_TIMEOUT:
			if (!parse_unsigned(optarg, &cur->timeout_ms) || cur->timeout_ms == 0) {
				return usage_error("bad --timeout '%s' (1 to 3600000 ms)", optarg);
			}
			break;
		case O_RETRIES:
			if (!parse_unsigned(optarg, &cur->retries) || cur->retries > 100) {
				return usage_error("bad --retries '%s' (0 to 100)", optarg);
			}
			break;
		case O_TLS:
			cur->tls = 1;
			break;
		case O_CA:
			cur->tls_ca = optarg;
			break;
		case O_CERT:
			cur->tls_cert = optarg;
			break;
		case O_KEY:
			cur->tls_key = optarg;
			break;
		case O_STATE:
			if (!parse_hex(optarg, state, sizeof(state), &state_len)) {
				return usage_error("bad --state '%s' (1 to 253 octets in hex)", optarg);
			}
			break;
		case O_NAS:
			opts.nas_identifier = optarg;
			break;
		case O_VERBOSE:
			opts.log = log_line;
			break;
		case O_HELP:
			fputs(usage_text, stdout);
			return 0;
		default:
			return usage_error("%s", "bad option");
		}
	}
	if (optind != argc - 1) {
		return usage_error("%s", "give exactly one USER");
	}
	if (n == 0) {
		return usage_error("%s", "give at least one --server");
	}
	for (size_t i = 0; i < n; i++) {
		if (servers[i].tls && (servers[i].tls_ca == NULL || servers[i].tls_cert == NULL ||
				       servers[i].tls_key == NULL)) {
			return usage_error("%s", "--tls needs --ca, --cert and --key");
		}
		if (!servers[i].tls && servers[i].secret == NULL) {
			return usage_error("%s", "a UDP server needs --secret or --secret-file");
		}
	}
	if (!read_line(stdin, password, sizeof(password)) || strlen(password) > 128) {
		crypto_wipe(password, sizeof(password));
		return usage_error("%s", "the password (standard input) is over 128 octets");
	}
	result = otpce_radius_pap(servers, n, argv[optind], password, state, state_len, &opts,
				  &reply);
	crypto_wipe(password, sizeof(password));
	crypto_wipe(secrets, sizeof(secrets));

	printf("result=%s\n", result == OTPCE_RADIUS_NO_ANSWER ? "no-answer"
							       : otpce_radius_result_name(result));
	printf("server=%s\n", reply.server);
	if (reply.state_len > 0) {
		printf("state=");
		for (size_t i = 0; i < reply.state_len; i++) {
			printf("%02x", reply.state[i]);
		}
		printf("\n");
	}
	if (reply.reply_message[0] != '\0') {
		print_text("reply-message", reply.reply_message);
	}
	switch (result) {
	case OTPCE_RADIUS_ACCEPT:
		return 0;
	case OTPCE_RADIUS_REJECT:
		return 1;
	case OTPCE_RADIUS_CHALLENGE:
		return 2;
	case OTPCE_RADIUS_NO_ANSWER:
		return 3;
	default:
		return 4;
	}
}
