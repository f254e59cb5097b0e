/*
 * negoex_walk.h: negoex-dump's NEGOEX dissector.  Prints every field of
 * every message of a token with its offset, and every rule the codec
 * (negoex/msg.h) refuses with the offset of the field that broke it.
 */
#ifndef NEGOEX_DUMP_NEGOEX_WALK_H
#define NEGOEX_DUMP_NEGOEX_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "negoex/dump/emit.h"
#include "negoex/msg.h"

/* negoex_scheme_name: the name of a known auth scheme GUID, or NULL. */
const char *negoex_scheme_name(const struct negoex_guid *g);

/* negoex_walk_token dumps the NEGOEX token |buf| (|len| bytes), which
 * starts at offset |base| of the input, under the key "negoex". */
void negoex_walk_token(struct dump_out *o, const uint8_t *buf, size_t len, size_t base);

#endif
