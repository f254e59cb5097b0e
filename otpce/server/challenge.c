/*
 * challenge.c: the RADIUS States kept between an Access-Challenge and the
 * client's answer (server.h says why).  A fixed table, scanned linearly:
 * it is small, and touched once per request.
 */
#include <strings.h>
#include <string.h>

#include "otpce/server/server.h"

struct entry {
	bool used;
	char user[OTPCE_USERNAME_MAX_LEN + 1];
	uint8_t key[CRYPTO_SHA256_LEN];
	uint8_t state[253];
	size_t state_len;
	time_t expires;
};

struct otpced_challenges {
	unsigned lifetime_s;
	struct entry e[OTPCED_CHALLENGES_MAX];
};

static int wipe_table(struct otpced_challenges *t)
{
	crypto_wipe(t->e, sizeof(t->e));
	return 0;
}

struct otpced_challenges *otpced_challenges_new(TALLOC_CTX *mem_ctx, unsigned lifetime_s)
{
	struct otpced_challenges *t = talloc_zero(mem_ctx, struct otpced_challenges);

	if (t != NULL) {
		t->lifetime_s = lifetime_s;
		talloc_set_destructor(t, wipe_table);
	}
	return t;
}

static bool same_user(const struct entry *e, const char *user)
{
	return strcasecmp(e->user, user) == 0;
}

void otpced_challenge_put(struct otpced_challenges *t, const char *user,
			  const uint8_t key[CRYPTO_SHA256_LEN], const uint8_t *state,
			  size_t state_len, time_t now)
{
	struct entry *slot = NULL;

	if (strlen(user) > OTPCE_USERNAME_MAX_LEN || state_len > sizeof(slot->state)) {
		return;
	}
	for (size_t i = 0; i < OTPCED_CHALLENGES_MAX; i++) {
		struct entry *e = &t->e[i];
		if (e->used && same_user(e, user)) {
			slot = e; /* one pending challenge per user: the latest */
			break;
		}
		if (slot == NULL && (!e->used || e->expires <= now)) {
			slot = e;
		}
	}
	if (slot == NULL) {
		/* Full of live entries: replace the one that expires first. */
		slot = &t->e[0];
		for (size_t i = 1; i < OTPCED_CHALLENGES_MAX; i++) {
			if (t->e[i].expires < slot->expires) {
				slot = &t->e[i];
			}
		}
	}
	crypto_wipe(slot, sizeof(*slot));
	slot->used = true;
	strcpy(slot->user, user);
	memcpy(slot->key, key, CRYPTO_SHA256_LEN);
	memcpy(slot->state, state, state_len);
	slot->state_len = state_len;
	slot->expires = now + (time_t)t->lifetime_s;
}

bool otpced_challenge_take(struct otpced_challenges *t, const char *user,
			   const uint8_t key[CRYPTO_SHA256_LEN], uint8_t state[253],
			   size_t *state_len, time_t now)
{
	for (size_t i = 0; i < OTPCED_CHALLENGES_MAX; i++) {
		struct entry *e = &t->e[i];
		if (!e->used || !same_user(e, user)) {
			continue;
		}
		if (e->expires <= now || !crypto_memequal(e->key, key, CRYPTO_SHA256_LEN)) {
			/* Expired, or another request: the challenge is spent. */
			crypto_wipe(e, sizeof(*e));
			return false;
		}
		memcpy(state, e->state, e->state_len);
		*state_len = e->state_len;
		crypto_wipe(e, sizeof(*e));
		return true;
	}
	return false;
}
