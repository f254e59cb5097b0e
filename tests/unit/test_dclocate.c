/*
 * test_dclocate.c: the DC locator's DNS answer parser (rpc/dclocate.c) on
 * hand-built messages (RFC 1035 4.1, RFC 2782): order by priority then
 * weight, "." targets and other record types left out, compressed
 * targets, and malformed messages refused.
 */
#include "helpers.h"

#include <stdio.h>

#include "rpc/dclocate.h"

struct msg {
	uint8_t b[4096];
	size_t n;
};

static void put8(struct msg *m, uint8_t v)
{
	assert_true(m->n < sizeof(m->b));
	m->b[m->n++] = v;
}

static void put16(struct msg *m, uint16_t v)
{
	put8(m, (uint8_t)(v >> 8));
	put8(m, (uint8_t)v);
}

/* put_name: "a.b.c" as labels, or "." as the root. */
static void put_name(struct msg *m, const char *name)
{
	while (*name != '\0' && strcmp(name, ".") != 0) {
		size_t l = strcspn(name, ".");
		put8(m, (uint8_t)l);
		for (size_t i = 0; i < l; i++) {
			put8(m, (uint8_t)name[i]);
		}
		name += l + (name[l] == '.');
	}
	put8(m, 0);
}

/* begin: a response header and the question for the SRV name. */
static void begin(struct msg *m, uint16_t answers)
{
	m->n = 0;
	put16(m, 0x1234);
	put16(m, 0x8180);
	put16(m, 1);
	put16(m, answers);
	put16(m, 0);
	put16(m, 0);
	put_name(m, "_ldap._tcp.dc._msdcs.bpau.test");
	put16(m, 33);
	put16(m, 1);
}

/* answer: a record's fixed part for the question's name (pointer to
 * offset 12): type, class IN, TTL 600, then |rdlen|. */
static void answer(struct msg *m, uint16_t type, uint16_t rdlen)
{
	put16(m, 0xc00c);
	put16(m, type);
	put16(m, 1);
	put16(m, 0);
	put16(m, 600);
	put16(m, rdlen);
}

/* srv: an answer for the question's name (pointer to offset 12). */
static void srv(struct msg *m, uint16_t prio, uint16_t weight, const char *target)
{
	size_t len_at;

	answer(m, 33, 0);
	len_at = m->n - 2;
	put16(m, prio);
	put16(m, weight);
	put16(m, 389);
	put_name(m, target);
	m->b[len_at] = (uint8_t)((m->n - len_at - 2) >> 8);
	m->b[len_at + 1] = (uint8_t)(m->n - len_at - 2);
}

static NTSTATUS parse(TALLOC_CTX *t, const struct msg *m, char ***names)
{
	const char *reason = NULL;
	NTSTATUS st = bpau_dc_srv_parse(t, m->b, m->n, names, &reason);
	if (!NT_STATUS_IS_OK(st)) {
		assert_non_null(reason);
	}
	return st;
}

static void test_order(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct msg m;
	char **names;
	(void)state;

	begin(&m, 5);
	srv(&m, 10, 0, "dc3.bpau.test");
	srv(&m, 0, 10, "dc2.bpau.test");
	srv(&m, 0, 100, "dc1.bpau.test");
	srv(&m, 0, 100, ".");                /* not offered there */
	/* a CNAME among the answers is passed over */
	answer(&m, 5, 2);
	put16(&m, 0xc00c);
	assert_true(NT_STATUS_IS_OK(parse(t, &m, &names)));
	assert_string_equal(names[0], "dc1.bpau.test");
	assert_string_equal(names[1], "dc2.bpau.test");
	assert_string_equal(names[2], "dc3.bpau.test");
	assert_null(names[3]);

	/* A target compressed against the question: "bpau.test" at 33. */
	begin(&m, 1);
	answer(&m, 33, 6 + 6);
	put16(&m, 0);   /* priority */
	put16(&m, 0);   /* weight */
	put16(&m, 389); /* port */
	put8(&m, 3);
	put8(&m, 'd');
	put8(&m, 'c');
	put8(&m, '9');
	put16(&m, 0xc000 | 33);
	assert_true(NT_STATUS_IS_OK(parse(t, &m, &names)));
	assert_string_equal(names[0], "dc9.bpau.test");

	assert_string_equal(bpau_dc_srv_name(t, "BPAU.TEST"), "_ldap._tcp.dc._msdcs.bpau.test");

	/* More records than are kept: the best are kept, wherever they
	 * stand in the answer (18 of priority 10, then 2 of priority 0). */
	begin(&m, 20);
	for (int i = 0; i < 18; i++) {
		char name[32];
		snprintf(name, sizeof(name), "far%d.bpau.test", i);
		srv(&m, 10, 100, name);
	}
	srv(&m, 0, 100, "near1.bpau.test");
	srv(&m, 0, 100, "near2.bpau.test");
	assert_true(NT_STATUS_IS_OK(parse(t, &m, &names)));
	assert_true(strncmp(names[0], "near", 4) == 0 && strncmp(names[1], "near", 4) == 0);
	assert_true(strncmp(names[2], "far", 3) == 0);
	assert_null(names[BPAU_DC_MAX]);

	/* Equal priority and weight (what every AD DC registers): in a
	 * random order, both orders seen over 64 answers. */
	{
		int first_a = 0;
		begin(&m, 2);
		srv(&m, 0, 100, "a.bpau.test");
		srv(&m, 0, 100, "b.bpau.test");
		for (int i = 0; i < 64; i++) {
			assert_true(NT_STATUS_IS_OK(parse(t, &m, &names)));
			first_a += strcmp(names[0], "a.bpau.test") == 0;
		}
		assert_true(first_a > 0 && first_a < 64);
	}
	talloc_free(t);
}

static void test_refused(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct msg m, cut;
	char **names;
	(void)state;

	/* No answer, or only ".": not found. */
	begin(&m, 0);
	assert_int_equal(NT_STATUS_V(parse(t, &m, &names)), NT_STATUS_V(NT_STATUS_NOT_FOUND));
	begin(&m, 1);
	srv(&m, 0, 0, ".");
	assert_int_equal(NT_STATUS_V(parse(t, &m, &names)), NT_STATUS_V(NT_STATUS_NOT_FOUND));

	/* Every cut of a good message is refused, never read beyond. */
	begin(&m, 2);
	srv(&m, 0, 0, "dc1.bpau.test");
	srv(&m, 1, 0, "dc2.bpau.test");
	for (size_t n = 0; n < m.n; n++) {
		cut.n = n;
		memcpy(cut.b, m.b, n);
		assert_false(NT_STATUS_IS_OK(parse(t, &cut, &names)));
	}

	/* An SRV record too short for its three numbers and a name. */
	begin(&m, 1);
	answer(&m, 33, 6);
	put16(&m, 0);   /* priority */
	put16(&m, 0);   /* weight */
	put16(&m, 389); /* port */
	assert_int_equal(NT_STATUS_V(parse(t, &m, &names)),
			 NT_STATUS_V(NT_STATUS_INVALID_NETWORK_RESPONSE));

	/* A target whose name runs past its record (into the next one):
	 * refused, by the end check or by the next record's parse. */
	begin(&m, 2);
	srv(&m, 0, 0, "dc1.bpau.test");
	m.b[m.n - 21 - 1] -= 3; /* the low byte of the first record's rdlength (21) */
	srv(&m, 1, 0, "dc2.bpau.test");
	assert_false(NT_STATUS_IS_OK(parse(t, &m, &names)));

	/* A compression pointer to itself. */
	begin(&m, 1);
	answer(&m, 33, 8);
	put16(&m, 0);   /* priority */
	put16(&m, 0);   /* weight */
	put16(&m, 389); /* port */
	put16(&m, (uint16_t)(0xc000 | m.n));
	assert_int_equal(NT_STATUS_V(parse(t, &m, &names)),
			 NT_STATUS_V(NT_STATUS_INVALID_NETWORK_RESPONSE));
	talloc_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
