/*
 * emit.c: negoex-dump's text and JSON output (emit.h).  JSON is written as
 * it goes, with one "a member was written at this depth" flag per level
 * for the commas; problems wait in a list for the end.
 */
#include "negoex/dump/emit.h"

#include <stdarg.h>
#include <string.h>

#define MAX_DEPTH 16

struct problem {
	long offset;
	const char *layer;
	char *reason;
};

struct dump_out {
	FILE *f;
	bool json;
	int depth;
	bool written[MAX_DEPTH + 1];
	struct problem *problems;
	unsigned num_problems;
};

struct dump_out *dump_out_new(TALLOC_CTX *mem_ctx, FILE *f, bool json)
{
	struct dump_out *o = talloc_zero(mem_ctx, struct dump_out);

	if (o == NULL) {
		return NULL;
	}
	o->f = f;
	o->json = json;
	if (json) {
		fputc('{', f);
	}
	return o;
}

/* json_string writes |s| as a JSON string: bytes outside printable ASCII
 * as \u00XX (Latin-1), so any input gives valid JSON. */
static void json_string(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			fprintf(f, "\\%c", c);
		} else if (c < 0x20 || c >= 0x7f) {
			fprintf(f, "\\u%04x", c);
		} else {
			fputc(c, f);
		}
	}
	fputc('"', f);
}

static void text_string(FILE *f, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f || c == '\\') {
			fprintf(f, "\\x%02x", c);
		} else {
			fputc(c, f);
		}
	}
}

/* json_key starts a member (or list element when |key| is NULL). */
static void json_key(struct dump_out *o, const char *key)
{
	if (o->written[o->depth]) {
		fputc(',', o->f);
	}
	o->written[o->depth] = true;
	if (key != NULL) {
		json_string(o->f, key, strlen(key));
		fputc(':', o->f);
	}
}

/* text_key starts a field line: the offset column, indentation, key. */
static void text_key(struct dump_out *o, const char *key, long offset)
{
	if (offset >= 0) {
		fprintf(o->f, "+0x%04lx  ", (unsigned long)offset);
	} else {
		fputs("         ", o->f);
	}
	fprintf(o->f, "%*s", 2 * o->depth, "");
	if (key != NULL) {
		fprintf(o->f, "%-18s ", key);
	}
}

static void push(struct dump_out *o)
{
	if (o->depth < MAX_DEPTH) {
		o->depth++;
		o->written[o->depth] = false;
	}
}

static void pop(struct dump_out *o)
{
	if (o->depth > 0) {
		o->depth--;
	}
}

void dump_begin(struct dump_out *o, const char *key, long offset, const char *title)
{
	if (o->json) {
		json_key(o, key);
		fputc('{', o->f);
		push(o);
		if (offset >= 0) {
			json_key(o, "offset");
			fprintf(o->f, "%ld", offset);
		}
		return;
	}
	if (title != NULL || key != NULL) {
		text_key(o, NULL, offset);
		fprintf(o->f, "%s\n", title != NULL ? title : key);
	}
	push(o);
}

void dump_end(struct dump_out *o)
{
	pop(o);
	if (o->json) {
		fputc('}', o->f);
	}
}

void dump_begin_list(struct dump_out *o, const char *key, const char *title)
{
	if (o->json) {
		json_key(o, key);
		fputc('[', o->f);
		push(o);
		return;
	}
	if (title != NULL) {
		text_key(o, NULL, -1);
		fprintf(o->f, "%s\n", title);
	}
	push(o);
}

void dump_end_list(struct dump_out *o)
{
	pop(o);
	if (o->json) {
		fputc(']', o->f);
	}
}

void dump_uint(struct dump_out *o, const char *key, long offset, uint64_t v)
{
	if (o->json) {
		json_key(o, key);
		fprintf(o->f, "%llu", (unsigned long long)v);
		return;
	}
	text_key(o, key, offset);
	fprintf(o->f, "%llu\n", (unsigned long long)v);
}

void dump_hex32(struct dump_out *o, const char *key, long offset, uint32_t v)
{
	if (o->json) {
		json_key(o, key);
		fprintf(o->f, "%lu", (unsigned long)v);
		return;
	}
	text_key(o, key, offset);
	fprintf(o->f, "0x%08lx\n", (unsigned long)v);
}

void dump_enum(struct dump_out *o, const char *key, long offset, uint64_t v, const char *name)
{
	if (o->json) {
		json_key(o, key);
		fprintf(o->f, "{\"value\":%llu,\"name\":", (unsigned long long)v);
		if (name != NULL) {
			json_string(o->f, name, strlen(name));
		} else {
			fputs("null", o->f);
		}
		fputc('}', o->f);
		return;
	}
	text_key(o, key, offset);
	fprintf(o->f, "%llu (%s)\n", (unsigned long long)v, name != NULL ? name : "unknown");
}

void dump_str(struct dump_out *o, const char *key, long offset, const char *s, size_t len)
{
	if (o->json) {
		json_key(o, key);
		json_string(o->f, s, len);
		return;
	}
	text_key(o, key, offset);
	text_string(o->f, s, len);
	fputc('\n', o->f);
}

void dump_cstr(struct dump_out *o, const char *key, long offset, const char *s)
{
	dump_str(o, key, offset, s, strlen(s));
}

void dump_bool(struct dump_out *o, const char *key, long offset, bool v)
{
	if (o->json) {
		json_key(o, key);
		fputs(v ? "true" : "false", o->f);
		return;
	}
	text_key(o, key, offset);
	fputs(v ? "yes\n" : "no\n", o->f);
}

void dump_bytes(struct dump_out *o, const char *key, long offset, const uint8_t *p, size_t n)
{
	size_t show = n;

	if (o->json) {
		json_key(o, key);
		fputc('"', o->f);
		for (size_t i = 0; i < n; i++) {
			fprintf(o->f, "%02x", p[i]);
		}
		fputc('"', o->f);
		return;
	}
	text_key(o, key, offset);
	if (show > 64) {
		show = 64;
	}
	fprintf(o->f, "%zu bytes%s", n, n > 0 ? ": " : "");
	for (size_t i = 0; i < show; i++) {
		fprintf(o->f, "%02x", p[i]);
	}
	fputs(show < n ? "...\n" : "\n", o->f);
}

void dump_note(struct dump_out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->json) {
		return;
	}
	text_key(o, NULL, -1);
	va_start(ap, fmt);
	vfprintf(o->f, fmt, ap);
	va_end(ap);
	fputc('\n', o->f);
}

void dump_problem(struct dump_out *o, long offset, const char *layer, const char *reason)
{
	struct problem *p = talloc_realloc(o, o->problems, struct problem, o->num_problems + 1);

	if (p != NULL) {
		o->problems = p;
		p[o->num_problems].offset = offset;
		p[o->num_problems].layer = layer;
		p[o->num_problems].reason = talloc_strdup(o->problems, reason);
	}
	o->num_problems++;
	if (!o->json) {
		fprintf(o->f, "+0x%04lx  %*s!! %s: %s\n", (unsigned long)(offset < 0 ? 0 : offset),
			2 * o->depth, "", layer, reason);
	}
}

unsigned dump_problem_count(const struct dump_out *o)
{
	return o->num_problems;
}

void dump_finish(struct dump_out *o)
{
	if (!o->json) {
		if (o->num_problems == 0) {
			fputs("valid: no problem found\n", o->f);
		} else {
			fprintf(o->f, "INVALID: %u problem(s)\n", o->num_problems);
		}
		fflush(o->f);
		return;
	}
	o->depth = 0;
	json_key(o, "problems");
	fputc('[', o->f);
	for (unsigned i = 0; i < o->num_problems && o->problems != NULL; i++) {
		const struct problem *p = &o->problems[i];

		fprintf(o->f, "%s{\"offset\":%ld,\"layer\":", i > 0 ? "," : "", p->offset);
		json_string(o->f, p->layer, strlen(p->layer));
		fputs(",\"reason\":", o->f);
		json_string(o->f, p->reason != NULL ? p->reason : "", p->reason != NULL ? strlen(p->reason) : 0);
		fputc('}', o->f);
	}
	fputc(']', o->f);
	json_key(o, "valid");
	fputs(o->num_problems == 0 ? "true" : "false", o->f);
	fputs("}\n", o->f);
	fflush(o->f);
}
