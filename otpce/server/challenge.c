/*
 * challenge.c: the RADIUS States kept between an Access-Challenge and the
 * client's answer (server.h says why).  A fixed table, scanned linearly:
 * it is small, and touched once per request.
 *
 * The table is shared by otpced's worker processes (workers.c): the
 * answer to a challenge comes on a new HTTP request, which the kernel
 * may hand to another worker.  So it lives in an anonymous shared mapping
 * made before the workers are forked, behind a process-shared robust
 * mutex: a worker that dies holding it does not stop the others.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <strings.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "otpce/server/server.h"

struct entry {
	char user[OTPCE_USERNAME_MAX_LEN + 1];
	uint8_t key[CRYPTO_SHA256_LEN];
	uint8_t state[253];
	size_t state_len;
	time_t expires;
};

/* tag[i] is 0 when e[i] is free, else its user's tag (user_tag): the
 * scans read these 16 KiB, not the 2 MiB of entries. */
struct shared_table {
	pthread_mutex_t lock;
	uint32_t tag[OTPCED_CHALLENGES_MAX];
	struct entry e[OTPCED_CHALLENGES_MAX];
};

struct otpced_challenges {
	unsigned lifetime_s;
	pid_t owner;               /* the process that made the mapping */
	struct shared_table *shm;
};

/* The owner wipes the States before unmapping; a worker going away only
 * unmaps its view (the others still use the table). */
static int unmap_table(struct otpced_challenges *t)
{
	if (t->shm != NULL) {
		if (getpid() == t->owner) {
			crypto_wipe(t->shm->e, sizeof(t->shm->e));
			memset(t->shm->tag, 0, sizeof(t->shm->tag));
			pthread_mutex_destroy(&t->shm->lock);
		}
		munmap(t->shm, sizeof(*t->shm));
		t->shm = NULL;
	}
	return 0;
}

struct otpced_challenges *otpced_challenges_new(TALLOC_CTX *mem_ctx, unsigned lifetime_s)
{
	struct otpced_challenges *t = talloc_zero(mem_ctx, struct otpced_challenges);
	pthread_mutexattr_t a;
	void *m;

	if (t == NULL) {
		return NULL;
	}
	m = mmap(NULL, sizeof(struct shared_table), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		talloc_free(t);
		return NULL;
	}
	/* The States are not secrets, but they are not for core dumps either. */
	(void)madvise(m, sizeof(struct shared_table), MADV_DONTDUMP);
	t->shm = m;
	t->owner = getpid();
	t->lifetime_s = lifetime_s;
	talloc_set_destructor(t, unmap_table);
	if (pthread_mutexattr_init(&a) != 0 ||
	    pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED) != 0 ||
	    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST) != 0 ||
	    pthread_mutex_init(&t->shm->lock, &a) != 0) {
		talloc_free(t);
		return NULL;
	}
	pthread_mutexattr_destroy(&a);
	return t;
}

/* lock: false if the mutex cannot be taken.  A holder that died left the
 * table as it was (each change is one entry, written in place): go on. */
static bool lock(struct otpced_challenges *t)
{
	int rc = pthread_mutex_lock(&t->shm->lock);

	if (rc == EOWNERDEAD) {
		rc = pthread_mutex_consistent(&t->shm->lock);
	}
	return rc == 0;
}

static void unlock(struct otpced_challenges *t)
{
	pthread_mutex_unlock(&t->shm->lock);
}

/* user_tag: FNV-1a of the name folded to ASCII lower case (names compare
 * case-insensitively), never 0. */
static uint32_t user_tag(const char *user)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)user; *p != '\0'; p++) {
		h ^= (uint32_t)tolower(*p);
		h *= 16777619u;
	}
	return h | 1u;
}

static void clear(struct shared_table *m, size_t i)
{
	crypto_wipe(&m->e[i], sizeof(m->e[i]));
	m->tag[i] = 0;
}

static void put_locked(struct otpced_challenges *t, const char *user,
		       const uint8_t key[CRYPTO_SHA256_LEN], const uint8_t *state, size_t state_len,
		       time_t now)
{
	struct shared_table *m = t->shm;
	uint32_t tag = user_tag(user);
	size_t slot = OTPCED_CHALLENGES_MAX, free_slot = OTPCED_CHALLENGES_MAX;

	for (size_t i = 0; i < OTPCED_CHALLENGES_MAX; i++) {
		if (m->tag[i] == tag && strcasecmp(m->e[i].user, user) == 0) {
			slot = i; /* one pending challenge per user: the latest */
			break;
		}
		if (m->tag[i] == 0 && free_slot == OTPCED_CHALLENGES_MAX) {
			free_slot = i;
		}
	}
	if (slot == OTPCED_CHALLENGES_MAX) {
		slot = free_slot;
	}
	if (slot == OTPCED_CHALLENGES_MAX) {
		/* Full: an expired entry, else the one that expires first. */
		slot = 0;
		for (size_t i = 0; i < OTPCED_CHALLENGES_MAX && m->e[slot].expires > now; i++) {
			if (m->e[i].expires < m->e[slot].expires) {
				slot = i;
			}
		}
	}
	clear(m, slot);
	strcpy(m->e[slot].user, user);
	memcpy(m->e[slot].key, key, CRYPTO_SHA256_LEN);
	memcpy(m->e[slot].state, state, state_len);
	m->e[slot].state_len = state_len;
	m->e[slot].expires = now + (time_t)t->lifetime_s;
	m->tag[slot] = tag;
}

void otpced_challenge_put(struct otpced_challenges *t, const char *user,
			  const uint8_t key[CRYPTO_SHA256_LEN], const uint8_t *state,
			  size_t state_len, time_t now)
{
	if (strlen(user) > OTPCE_USERNAME_MAX_LEN || state_len > sizeof(t->shm->e[0].state) ||
	    !lock(t)) {
		return;
	}
	put_locked(t, user, key, state, state_len, now);
	unlock(t);
}

bool otpced_challenge_take(struct otpced_challenges *t, const char *user,
			   const uint8_t key[CRYPTO_SHA256_LEN], uint8_t state[253],
			   size_t *state_len, time_t now)
{
	uint32_t tag = user_tag(user);
	bool found = false;

	if (!lock(t)) {
		return false;
	}
	for (size_t i = 0; i < OTPCED_CHALLENGES_MAX; i++) {
		struct entry *e = &t->shm->e[i];
		if (t->shm->tag[i] != tag || strcasecmp(e->user, user) != 0) {
			continue;
		}
		/* Expired, or another request: the challenge is spent either way. */
		if (e->expires > now && crypto_memequal(e->key, key, CRYPTO_SHA256_LEN)) {
			memcpy(state, e->state, e->state_len);
			*state_len = e->state_len;
			found = true;
		}
		clear(t->shm, i);
		break;
	}
	unlock(t);
	return found;
}
