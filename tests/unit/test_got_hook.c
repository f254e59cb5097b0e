/*
 * test_got_hook.c: rpc/got_hook.c, which the DC module uses to route the
 * samba process's calls of Samba's GSSAPI sealing through samba_seal.c.
 * Here the function is libtalloc's talloc_total_blocks, referenced three
 * ways: a call (a PLT/GOT slot), a pointer in writable data and a pointer
 * in data made read-only after relocation (RELRO).  Every reference moves
 * to the hook and back; the RELRO page is read-only again afterwards; a
 * second replacement finds nothing left.
 */
#include "helpers.h"

#include <dlfcn.h>
#include <inttypes.h>

#include <talloc.h>

#include "rpc/got_hook.h"

typedef size_t (*blocks_fn)(const void *);

static blocks_fn data_ptr = talloc_total_blocks;
static blocks_fn const relro_ptr = talloc_total_blocks;

static size_t fake_blocks(const void *ptr)
{
	(void)ptr;
	return 424242;
}

static __attribute__((noinline)) size_t call_direct(const void *ptr)
{
	return talloc_total_blocks(ptr);
}

/* page_perms: the permissions /proc/self/maps shows for |addr|'s page. */
static void page_perms(const void *addr, char perms[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	uintptr_t a = (uintptr_t)addr;

	assert_non_null(f);
	strcpy(perms, "?");
	while (fgets(line, sizeof(line), f) != NULL) {
		uintptr_t lo, hi;
		char p[5];
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %4s", &lo, &hi, p) == 3 && a >= lo &&
		    a < hi) {
			strcpy(perms, p);
			break;
		}
	}
	fclose(f);
}

static void test_replace_and_back(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	void *real = dlsym(RTLD_DEFAULT, "talloc_total_blocks");
	blocks_fn volatile *relro = (blocks_fn volatile *)&relro_ptr;
	char before[5], after[5];
	unsigned n, back;
	bool failed = true;

	(void)state;
	assert_non_null(real);
	assert_ptr_equal((void *)data_ptr, real);
	assert_ptr_equal((void *)*relro, real);
	assert_non_null(talloc_new(ctx));
	assert_int_equal(call_direct(ctx), 2);
	page_perms(&relro_ptr, before);
	assert_string_equal(before, "r--p");

	n = got_hook_replace(real, (void *)fake_blocks, &failed);
	assert_false(failed);
	assert_true(n >= 3);
	assert_int_equal(call_direct(ctx), 424242);
	assert_int_equal(data_ptr(ctx), 424242);
	assert_int_equal((*relro)(ctx), 424242);
	page_perms(&relro_ptr, after);
	assert_string_equal(after, "r--p");

	/* nothing left to replace */
	assert_int_equal(got_hook_replace(real, (void *)fake_blocks, &failed), 0);
	assert_false(failed);

	back = got_hook_replace((void *)fake_blocks, real, &failed);
	assert_false(failed);
	assert_int_equal(back, n);
	assert_int_equal(call_direct(ctx), 2);
	assert_int_equal(data_ptr(ctx), 2);
	assert_int_equal((*relro)(ctx), 2);
	talloc_free(ctx);
}

static void test_nothing_to_do(void **state)
{
	bool failed = true;

	(void)state;
	assert_int_equal(got_hook_replace(NULL, (void *)fake_blocks, &failed), 0);
	assert_false(failed);
	assert_int_equal(got_hook_replace((void *)fake_blocks, (void *)fake_blocks, &failed), 0);
	assert_false(failed);
	/* a function nothing refers to through a slot */
	assert_int_equal(got_hook_replace((void *)test_nothing_to_do, (void *)fake_blocks, &failed),
			 0);
	assert_false(failed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replace_and_back),
		cmocka_unit_test(test_nothing_to_do),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
