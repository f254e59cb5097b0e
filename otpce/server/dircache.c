/*
 * dircache.c: the directory's positive answers (3.2.5.1 step 2), kept for
 * [directory] cache_seconds (server.h says why).  A direct-mapped table:
 * the slot is a hash of the ASCII-case-folded user name, and a new name
 * takes the slot over.  Entries are allocated when first used.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "otpce/server/server.h"

struct dircache_entry {
	char *username;
	struct otpce_directory_user user;
	time_t expires;
};

struct otpced_dircache {
	unsigned lifetime_s;
	struct dircache_entry *slot[OTPCED_DIRCACHE_SLOTS];
};

struct otpced_dircache *otpced_dircache_new(TALLOC_CTX *mem_ctx, unsigned lifetime_s)
{
	struct otpced_dircache *c = talloc_zero(mem_ctx, struct otpced_dircache);

	if (c != NULL) {
		c->lifetime_s = lifetime_s;
	}
	return c;
}

/* FNV-1a over the name folded to ASCII lower case (names compare
 * case-insensitively, as Windows account names do). */
static size_t slot_of(const char *username)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)username; *p != '\0'; p++) {
		h ^= (uint32_t)tolower(*p);
		h *= 16777619u;
	}
	return h % OTPCED_DIRCACHE_SLOTS;
}

bool otpced_dircache_get(struct otpced_dircache *c, const char *username,
			 struct otpce_directory_user *out, time_t now)
{
	struct dircache_entry *e;

	if (c == NULL || c->lifetime_s == 0) {
		return false;
	}
	e = c->slot[slot_of(username)];
	if (e == NULL || strcasecmp(e->username, username) != 0) {
		return false;
	}
	if (e->expires <= now) {
		TALLOC_FREE(c->slot[slot_of(username)]);
		return false;
	}
	*out = e->user;
	return true;
}

void otpced_dircache_put(struct otpced_dircache *c, const char *username,
			 const struct otpce_directory_user *user, time_t now)
{
	size_t i;
	struct dircache_entry *e;

	if (c == NULL || c->lifetime_s == 0) {
		return;
	}
	i = slot_of(username);
	e = c->slot[i];
	if (e == NULL) {
		e = talloc_zero(c, struct dircache_entry);
		if (e == NULL) {
			return; /* not kept: the next request asks the directory */
		}
		c->slot[i] = e;
	}
	TALLOC_FREE(e->username);
	e->username = talloc_strdup(e, username);
	if (e->username == NULL) {
		TALLOC_FREE(c->slot[i]);
		return;
	}
	e->user = *user;
	e->expires = now + (time_t)c->lifetime_s;
}
