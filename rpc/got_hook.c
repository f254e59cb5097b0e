/*
 * got_hook.c: see got_hook.h.  Only slots whose current value is exactly
 * the function's address are changed, so nothing but references to that
 * function is touched, whatever their relocation type; a slot in a
 * segment the object does not map writable and outside its PT_GNU_RELRO
 * range (text relocations) is left alone.
 */
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rpc/got_hook.h"

struct job {
	void *real, *hook;
	unsigned changed;
	bool failed;
};

struct object {
	const struct dl_phdr_info *info;
	uintptr_t relro_start, relro_end; /* the protected pages */
	uintptr_t page;
};

/* dyn_ptr: an address from the dynamic section.  glibc relocates those in
 * place where the section is writable (x86-64, aarch64) but not everywhere
 * else; an address below the load base was not relocated. */
static uintptr_t dyn_ptr(const struct dl_phdr_info *info, ElfW(Addr) p)
{
	return p < info->dlpi_addr ? info->dlpi_addr + p : p;
}

/* slot_kind: whether |slot| is in the pages ld.so made read-only after
 * relocation (2), else in a segment the object maps writable (1) or
 * read-only (0); -1 outside every loaded segment (not to be read).
 * ld.so protects the RELRO range rounded down to whole pages at both
 * ends; the last page's tail stays writable with .data. */
static int slot_kind(const struct object *o, uintptr_t slot)
{
	if (slot >= o->relro_start && slot + sizeof(void *) <= o->relro_end) {
		return 2;
	}
	for (int i = 0; i < o->info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &o->info->dlpi_phdr[i];
		uintptr_t seg = o->info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && slot >= seg &&
		    slot + sizeof(void *) <= seg + ph->p_memsz) {
			return (ph->p_flags & PF_W) ? 1 : 0;
		}
	}
	return -1;
}

/* read_slot: a pointer-sized slot of an object's relocated data.  Not
 * through ASan: a sanitized object's relocations also reach into its
 * globals' redzones, which are mapped memory all the same. */
__attribute__((no_sanitize("address"))) static void *read_slot(uintptr_t slot)
{
	return __atomic_load_n((void **)slot, __ATOMIC_ACQUIRE);
}

static void patch(struct job *job, const struct object *o, uintptr_t slot)
{
	uintptr_t page, size = o->page;
	int kind;

	/* GOT slots and pointers are aligned; the rest (32-bit or
	 * PC-relative relocations) are not pointers to our function. */
	if (slot % sizeof(void *) != 0 || (kind = slot_kind(o, slot)) < 0 ||
	    read_slot(slot) != job->real) {
		return;
	}
	if (kind == 0) {
		job->failed = true;
		return;
	}
	page = slot & ~(size - 1);
	if (kind == 2 && mprotect((void *)page, size, PROT_READ | PROT_WRITE) != 0) {
		job->failed = true;
		return;
	}
	__atomic_store_n((void **)slot, job->hook, __ATOMIC_RELEASE);
	if (kind == 2) {
		mprotect((void *)page, size, PROT_READ);
	}
	job->changed++;
}

static void scan(struct job *job, const struct object *o, uintptr_t table, size_t bytes,
		 bool rela)
{
	size_t entry = rela ? sizeof(ElfW(Rela)) : sizeof(ElfW(Rel));

	for (size_t off = 0; table != 0 && off + entry <= bytes; off += entry) {
		ElfW(Addr) r_offset = rela ? ((const ElfW(Rela) *)(table + off))->r_offset
					   : ((const ElfW(Rel) *)(table + off))->r_offset;
		patch(job, o, o->info->dlpi_addr + r_offset);
	}
}

static int each_object(struct dl_phdr_info *info, size_t size, void *data)
{
	struct job *job = data;
	struct object o = {.info = info, .page = (uintptr_t)sysconf(_SC_PAGESIZE)};
	const ElfW(Dyn) *dyn = NULL;
	uintptr_t rela = 0, rel = 0, jmprel = 0;
	size_t relasz = 0, relsz = 0, pltrelsz = 0;
	ElfW(Sxword) pltrel = 0;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_DYNAMIC) {
			dyn = (const ElfW(Dyn) *)(info->dlpi_addr + ph->p_vaddr);
		} else if (ph->p_type == PT_GNU_RELRO) {
			o.relro_start = info->dlpi_addr + ph->p_vaddr;
			o.relro_end = o.relro_start + ph->p_memsz;
			o.relro_start &= ~(o.page - 1);
			o.relro_end &= ~(o.page - 1);
		}
	}
	for (; dyn != NULL && dyn->d_tag != DT_NULL; dyn++) {
		switch (dyn->d_tag) {
		case DT_RELA: rela = dyn_ptr(info, dyn->d_un.d_ptr); break;
		case DT_RELASZ: relasz = dyn->d_un.d_val; break;
		case DT_REL: rel = dyn_ptr(info, dyn->d_un.d_ptr); break;
		case DT_RELSZ: relsz = dyn->d_un.d_val; break;
		case DT_JMPREL: jmprel = dyn_ptr(info, dyn->d_un.d_ptr); break;
		case DT_PLTRELSZ: pltrelsz = dyn->d_un.d_val; break;
		case DT_PLTREL: pltrel = (ElfW(Sxword))dyn->d_un.d_val; break;
		default: break;
		}
	}
	scan(job, &o, rela, relasz, true);
	scan(job, &o, rel, relsz, false);
	scan(job, &o, jmprel, pltrelsz, pltrel == DT_RELA);
	return 0;
}

unsigned got_hook_replace(void *real, void *hook, bool *failed)
{
	struct job job = {.real = real, .hook = hook};

	if (real != NULL && hook != NULL && real != hook) {
		dl_iterate_phdr(each_object, &job);
	}
	*failed = job.failed;
	return job.changed;
}
