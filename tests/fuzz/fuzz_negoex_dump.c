/*
 * fuzz_negoex_dump.c: libFuzzer target for negoex-dump's input decoding
 * and unwrapping (negoex/dump/layers.h): the bytes are read in each input
 * form (detected, hex, base64/HTTP header, binary) and, when they decode,
 * dumped through every layer (GSS framing, SPNEGO, NEGOEX) in text and in
 * JSON.  Checks: a decoding failure says why and leaves no output; decoded
 * bytes are never more than the input; the JSON output is one balanced
 * object (brackets outside strings, every string closed) ending in a
 * newline, whatever the bytes were.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "negoex/dump/emit.h"
#include "negoex/dump/layers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_json(const char *s, size_t n)
{
	int depth = 0;
	bool in_string = false;

	if (n < 3 || s[0] != '{' || s[n - 1] != '\n' || s[n - 2] != '}') {
		abort();
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (in_string) {
			if (c < 0x20 || c >= 0x7f) {
				abort(); /* must have been escaped */
			}
			if (c == '\\') {
				i++;
			} else if (c == '"') {
				in_string = false;
			}
		} else if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (--depth < 0) {
				abort();
			}
		}
	}
	if (in_string || depth != 0) {
		abort();
	}
}

static void dump_both(const uint8_t *token, size_t len)
{
	for (int json = 0; json <= 1; json++) {
		TALLOC_CTX *t = talloc_new(NULL);
		char *text = NULL;
		size_t text_len = 0;
		FILE *f = open_memstream(&text, &text_len);
		struct dump_out *o;

		if (f == NULL) {
			abort();
		}
		o = dump_out_new(t, f, json != 0);
		if (o == NULL) {
			abort();
		}
		dump_token(o, token, len);
		dump_finish(o);
		fclose(f);
		if (json != 0) {
			check_json(text, text_len);
		}
		free(text);
		talloc_free(t);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum dump_input_form forms[] = { DUMP_INPUT_AUTO, DUMP_INPUT_HEX,
						      DUMP_INPUT_BASE64, DUMP_INPUT_BINARY };

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		TALLOC_CTX *t = talloc_new(NULL);
		uint8_t *token = NULL;
		size_t len = 0;
		const char *form = NULL, *why = NULL;
		NTSTATUS status = dump_decode_input(t, data, size, forms[i], &token, &len, &form,
						    &why);

		if (NT_STATUS_IS_OK(status)) {
			if (form == NULL || len > size || (len > 0 && token == NULL)) {
				abort();
			}
			/* the binary form is the same bytes for every form: dump once */
			if (forms[i] != DUMP_INPUT_BINARY || i == 0) {
				dump_both(token, len);
			}
		} else if (token != NULL || why == NULL) {
			abort();
		}
		talloc_free(t);
	}
	return 0;
}
