/*
 * main.c: negoex-dump, a dissector for NEGOEX tokens, bare or inside
 * SPNEGO and GSS framing, given as hex, base64, an HTTP Negotiate header or
 * a file.  The options and exit codes are in usage() below.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <talloc.h>

#include "crypto/wire/file.h"
#include "negoex/dump/emit.h"
#include "negoex/dump/layers.h"

enum {
	EXIT_VALID = 0,
	EXIT_PROBLEMS = 1,
	EXIT_USAGE = 2,
	EXIT_BAD_INPUT = 3,
	EXIT_NO_FILE = 4,
};

static void usage(FILE *f)
{
	fputs("Usage: negoex-dump [--json] [--hex | --base64 | --file] [TOKEN... | FILE | -]\n"
	      "\n"
	      "Decodes a NEGOEX token (draft-zhu-negoex-04, MS-NEGOEX) and prints every\n"
	      "field with its offset, auth scheme GUIDs by name where known, and every\n"
	      "validation failure with the offset of the field that broke the rule.\n"
	      "The token may be bare NEGOEX or inside SPNEGO (RFC 4178), with or without\n"
	      "the GSS framing (RFC 2743 3.1); a GSS token of another mechanism and an\n"
	      "NTLM message are named, not decoded.\n"
	      "\n"
	      "Input, by default detected:\n"
	      "  - an argument that names a file: the file (raw bytes, or text as below);\n"
	      "  - otherwise the arguments, joined by spaces, as text: an HTTP header line\n"
	      "    (\"Authorization: Negotiate <base64>\", WWW-Authenticate, Proxy-...) or\n"
	      "    its value (\"Negotiate <base64>\"), hex (spaces, ':' and a leading 0x\n"
	      "    allowed), or base64;\n"
	      "  - no argument, or \"-\": standard input, the same way.\n"
	      "Offsets are in the decoded bytes.\n"
	      "\n"
	      "Options:\n"
	      "  --json      print JSON: one object with the layers (\"gss\", \"spnego\",\n"
	      "              \"negoex\" with its \"messages\"), each structure with its\n"
	      "              \"offset\", and \"problems\" [{offset, layer, reason}], \"valid\"\n"
	      "  --hex       the input is hex text\n"
	      "  --base64    the input is base64 text (or an HTTP Negotiate header)\n"
	      "  --file      the argument is a file name (its content detected as above)\n"
	      "  -h, --help  this text\n"
	      "\n"
	      "Exit codes:\n"
	      "  0  the token decoded and broke no rule\n"
	      "  1  the token decoded, with validation failures (each printed)\n"
	      "  2  usage error\n"
	      "  3  the input is not hex, base64, a Negotiate header or a token\n"
	      "  4  the file cannot be read\n",
	      f);
}

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int main(int argc, char **argv)
{
	TALLOC_CTX *t = talloc_new(NULL);
	enum dump_input_form form = DUMP_INPUT_AUTO;
	bool json = false, want_file = false;
	const char *form_used = NULL, *why = NULL;
	uint8_t *raw = NULL, *token = NULL;
	size_t raw_len = 0, token_len = 0;
	char *text = NULL;
	struct dump_out *o;
	int first = argc, rc;
	NTSTATUS status;
	int err = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--hex") == 0 && form == DUMP_INPUT_AUTO) {
			form = DUMP_INPUT_HEX;
		} else if (strcmp(argv[i], "--base64") == 0 && form == DUMP_INPUT_AUTO) {
			form = DUMP_INPUT_BASE64;
		} else if (strcmp(argv[i], "--file") == 0) {
			want_file = true;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			talloc_free(t);
			return EXIT_VALID;
		} else if (strcmp(argv[i], "--") == 0) {
			first = i + 1;
			break;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "negoex-dump: unknown or repeated option %s\n", argv[i]);
			usage(stderr);
			talloc_free(t);
			return EXIT_USAGE;
		} else {
			first = i;
			break;
		}
	}
	if (want_file && argc - first != 1) {
		fprintf(stderr, "negoex-dump: --file takes one file name\n");
		talloc_free(t);
		return EXIT_USAGE;
	}
	if (first >= argc || strcmp(argv[first], "-") == 0 ||
	    (argc - first == 1 && (want_file || is_file(argv[first])))) {
		const char *path = first >= argc ? "-" : argv[first];

		if (first < argc && first + 1 < argc) {
			fprintf(stderr, "negoex-dump: \"-\" takes no other argument\n");
			talloc_free(t);
			return EXIT_USAGE;
		}
		status = crypto_read_file(t, path, true, DUMP_MAX_INPUT_LEN, &raw, &raw_len, &err);
		if (!NT_STATUS_IS_OK(status)) {
			fprintf(stderr, "negoex-dump: cannot read %s: %s\n",
				strcmp(path, "-") == 0 ? "standard input" : path,
				err != 0 ? strerror(err) : "too large or unreadable");
			talloc_free(t);
			return EXIT_NO_FILE;
		}
	} else {
		for (int i = first; i < argc; i++) {
			text = text == NULL ? talloc_strdup(t, argv[i])
					    : talloc_asprintf_append(text, " %s", argv[i]);
			if (text == NULL) {
				fprintf(stderr, "negoex-dump: out of memory\n");
				talloc_free(t);
				return EXIT_BAD_INPUT;
			}
		}
		raw = (uint8_t *)text;
		raw_len = strlen(text);
	}
	status = dump_decode_input(t, raw, raw_len, form, &token, &token_len, &form_used, &why);
	if (!NT_STATUS_IS_OK(status)) {
		fprintf(stderr, "negoex-dump: %s\n", why != NULL ? why : "out of memory");
		talloc_free(t);
		return EXIT_BAD_INPUT;
	}
	o = dump_out_new(t, stdout, json);
	if (o == NULL) {
		fprintf(stderr, "negoex-dump: out of memory\n");
		talloc_free(t);
		return EXIT_BAD_INPUT;
	}
	dump_begin(o, "input", -1, "input");
	dump_cstr(o, "form", -1, form_used);
	dump_uint(o, "length", -1, token_len);
	dump_end(o);
	dump_token(o, token, token_len);
	dump_finish(o);
	rc = dump_problem_count(o) == 0 ? EXIT_VALID : EXIT_PROBLEMS;
	talloc_free(t);
	return rc;
}
