/*
 * libcrypto_lazy.c: OpenSSL's libcrypto loaded at its first use, for the
 * bpau command only (x86-64; elsewhere bpau links libcrypto as usual).
 *
 * Why: an exchange whose server certificate is unchanged, with our own
 * certificate's blob remembered (rpc/sidcache.h), calls no OpenSSL
 * function at all, yet loading libcrypto.so.3 at start-up costs about 120
 * page faults (the dynamic loader relocating it): 35% of a `bpau exchange`
 * process's faults and about 2-3 ms of its 15-20 ms on our 2-core VMs,
 * where a minor fault costs 25-30 us.  Loaded on demand, that cost is paid
 * only by the runs that need OpenSSL (a new server certificate, a new
 * certificate of ours, `bpau cert create`, ...).
 *
 * How: wscript links bpau once as usual (bpau-direct), lists the libcrypto
 * functions it imports, and generates for each a hidden symbol of that
 * name in bpau (build/libcrypto_lazy_stubs.c): a jump through a
 * pointer which first points to a thunk that saves the argument
 * registers, calls bpau_lazy_resolve below with the function's index,
 * and jumps to what it returns.  bpau_lazy_resolve opens the library once
 * (dlopen, RTLD_LOCAL), finds the function at the version bpau-direct was
 * linked against (dlvsym), and stores it in the pointer, so later calls
 * cost one indirect jump.  The stubs are hidden: nothing outside bpau,
 * libcrypto's own internal calls included, ever binds to them.
 *
 * Packaging note: bpau's ELF header no longer names libcrypto.so.3, so a
 * package must declare the dependency itself.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dlvsym */
#endif
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* From the generated stubs. */
extern const char bpau_lazy_soname[];
extern const char bpau_lazy_names[]; /* "name\0version\0" per function */
extern void *bpau_lazy_ptrs[];

void *bpau_lazy_resolve(unsigned long idx);

void *bpau_lazy_resolve(unsigned long idx)
{
	static void *lib;
	const char *name = bpau_lazy_names, *version;
	void *f;

	for (unsigned long i = 0; i < idx; i++) {
		name += strlen(name) + 1;
		name += strlen(name) + 1;
	}
	version = name + strlen(name) + 1;
	if (lib == NULL) {
		lib = dlopen(bpau_lazy_soname, RTLD_LAZY | RTLD_LOCAL);
		if (lib == NULL) {
			fprintf(stderr, "bpau: cannot load OpenSSL (%s): %s\n", bpau_lazy_soname,
				dlerror());
			exit(5); /* EXIT_SYSTEM */
		}
	}
	f = dlvsym(lib, name, version);
	if (f == NULL) {
		fprintf(stderr, "bpau: %s has no %s (version %s)\n", bpau_lazy_soname, name,
			version);
		exit(5);
	}
	__atomic_store_n(&bpau_lazy_ptrs[idx], f, __ATOMIC_RELEASE);
	return f;
}
