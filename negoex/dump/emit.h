/*
 * emit.h: negoex-dump's output, one interface for both forms: readable
 * text (an offset column, one field a line, problems inline) and JSON
 * (objects carry their "offset"; problems gathered in one top-level list).
 *
 * Offsets are byte positions in the decoded input (-1: none).  Strings
 * from the wire are sanitised: JSON escapes every byte outside printable
 * ASCII (read as Latin-1), text shows it as \xNN.
 */
#ifndef NEGOEX_DUMP_EMIT_H
#define NEGOEX_DUMP_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <talloc.h>

struct dump_out;

/* dump_out_new starts the output on |f| (JSON: opens the root object). */
struct dump_out *dump_out_new(TALLOC_CTX *mem_ctx, FILE *f, bool json);

/* An object under |key| (NULL inside a list); |title| is text mode's
 * heading line (NULL: the key). */
void dump_begin(struct dump_out *o, const char *key, long offset, const char *title);
void dump_end(struct dump_out *o);
void dump_begin_list(struct dump_out *o, const char *key, const char *title);
void dump_end_list(struct dump_out *o);

void dump_uint(struct dump_out *o, const char *key, long offset, uint64_t v);
/* dump_hex32: a number shown as 0x%08x in text (an NTSTATUS, flags). */
void dump_hex32(struct dump_out *o, const char *key, long offset, uint32_t v);
/* dump_enum: a number and its name (NULL: unknown): JSON
 * {"value": v, "name": "..."|null}. */
void dump_enum(struct dump_out *o, const char *key, long offset, uint64_t v, const char *name);
void dump_str(struct dump_out *o, const char *key, long offset, const char *s, size_t len);
void dump_cstr(struct dump_out *o, const char *key, long offset, const char *s);
void dump_bool(struct dump_out *o, const char *key, long offset, bool v);
/* dump_bytes: hex (JSON: all of it; text: the first 64 bytes and the
 * length). */
void dump_bytes(struct dump_out *o, const char *key, long offset, const uint8_t *p, size_t n);
/* dump_note: a line of explanation (text only). */
void dump_note(struct dump_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* dump_problem records a validation failure at |offset| of layer |layer|
 * ("input", "gss", "spnego", "negoex"). */
void dump_problem(struct dump_out *o, long offset, const char *layer, const char *reason);
unsigned dump_problem_count(const struct dump_out *o);

/* dump_finish closes the output: JSON adds "problems" and "valid". */
void dump_finish(struct dump_out *o);

#endif
