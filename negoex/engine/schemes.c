/*
 * schemes.c: the ordered list of auth schemes in one conversation (draft
 * 7.2: "an ordered list of supported security mechanisms"), and each
 * scheme's state and keys.  The list operations mirror MIT krb5 1.20
 * negoex_util.c (negoex_delete_auth_mech, negoex_select_auth_mech,
 * negoex_restrict_auth_schemes, negoex_common_auth_schemes), read, not
 * copied.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "negoex/engine/engine_internal.h"

bool guid_equal(const struct negoex_guid *a, const struct negoex_guid *b)
{
	return memcmp(a->bytes, b->bytes, NEGOEX_GUID_LEN) == 0;
}

int schemes_find(const struct negoex_engine *e, const struct negoex_guid *g)
{
	for (size_t i = 0; i < e->num; i++) {
		if (guid_equal(&e->list[i]->guid, g)) {
			return (int)i;
		}
	}
	return -1;
}

/* schemes_delete drops entry |i|, keeping the others' order. */
void schemes_delete(struct negoex_engine *e, size_t i)
{
	talloc_free(e->list[i]);
	memmove(&e->list[i], &e->list[i + 1], (e->num - i - 1) * sizeof(e->list[0]));
	e->num--;
}

/* schemes_select keeps entry |i| only: the scheme is chosen (draft 7.6:
 * "cannot be changed once it is selected"). */
void schemes_select(struct negoex_engine *e, size_t i)
{
	struct scheme_entry *keep = e->list[i];

	for (size_t j = 0; j < e->num; j++) {
		if (j != i) {
			talloc_free(e->list[j]);
		}
	}
	e->list[0] = keep;
	e->num = 1;
}

/* schemes_restrict (acceptor, draft 7.5): keep the schemes the initiator
 * offered, in our own order ("The acceptor does not need to honor the
 * preference order proposed by the initiator"). */
void schemes_restrict(struct negoex_engine *e, const struct negoex_guid *g, size_t n)
{
	size_t i = 0;

	while (i < e->num) {
		bool found = false;

		for (size_t j = 0; j < n && !found; j++) {
			found = guid_equal(&e->list[i]->guid, &g[j]);
		}
		if (found) {
			i++;
		} else {
			schemes_delete(e, i);
		}
	}
}

/* schemes_reorder (initiator, draft 7.6: "the highest one in the
 * acceptor's preference order SHOULD be selected"): keep the schemes the
 * acceptor listed, in its order. */
void schemes_reorder(struct negoex_engine *e, const struct negoex_guid *g, size_t n)
{
	struct scheme_entry *list[NEGOEX_ENGINE_MAX_SCHEMES];
	size_t num = 0;

	for (size_t j = 0; j < n; j++) {
		int i = schemes_find(e, &g[j]);

		if (i >= 0) {
			list[num++] = e->list[i];
			/* taken: out of the old list, so a repeat finds nothing */
			memmove(&e->list[i], &e->list[i + 1],
				(e->num - (size_t)i - 1) * sizeof(e->list[0]));
			e->num--;
		}
	}
	for (size_t i = 0; i < e->num; i++) {
		talloc_free(e->list[i]);
	}
	memcpy(e->list, list, num * sizeof(list[0]));
	e->num = num;
}

static int key_destructor(struct negoex_key *k)
{
	crypto_wipe(k, sizeof(*k));
	return 0;
}

void scheme_clear_keys(struct scheme_entry *s)
{
	TALLOC_FREE(s->key);
	TALLOC_FREE(s->verify_key);
}

/* scheme_start (re)creates the scheme's state: a fresh context, no keys,
 * no checksum sent or verified (MIT check_optimistic_result). */
NTSTATUS scheme_start(struct negoex_engine *e, struct scheme_entry *s)
{
	NTSTATUS status;

	TALLOC_FREE(s->state_ctx);
	scheme_clear_keys(s);
	s->state = NULL;
	s->started = s->complete = s->sent_checksum = s->verified_checksum = false;
	s->state_ctx = talloc_new(s);
	if (s->state_ctx == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = s->scheme.ops->start(s->state_ctx, s->scheme.priv, e->role, &s->state);
	if (!NT_STATUS_IS_OK(status)) {
		TALLOC_FREE(s->state_ctx);
	}
	return status;
}

static NTSTATUS fetch_key(struct scheme_entry *s, enum negoex_key_use use,
			  struct negoex_key **slot)
{
	struct negoex_key *k = talloc_zero(s, struct negoex_key);
	NTSTATUS status;

	if (k == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	talloc_set_destructor(k, key_destructor);
	status = s->scheme.ops->get_key(s->state, use, k);
	if (NT_STATUS_EQUAL(status, NT_STATUS_NOT_FOUND)) {
		/* None yet: MIT (get_session_keys) keeps what it had. */
		talloc_free(k);
		return NT_STATUS_OK;
	}
	if (!NT_STATUS_IS_OK(status) || k->len == 0 || k->len > NEGOEX_KEY_MAX_LEN) {
		talloc_free(k);
		return NT_STATUS_IS_OK(status) ? NT_STATUS_INTERNAL_ERROR : status;
	}
	talloc_free(*slot);
	*slot = k;
	return NT_STATUS_OK;
}

/* scheme_fetch_keys asks for both keys after a successful step (MIT
 * negoex_ctx.c get_session_keys). */
NTSTATUS scheme_fetch_keys(struct scheme_entry *s)
{
	NTSTATUS status = fetch_key(s, NEGOEX_KEY_MAKE, &s->key);

	if (NT_STATUS_IS_OK(status)) {
		status = fetch_key(s, NEGOEX_KEY_VERIFY, &s->verify_key);
	}
	return status;
}
