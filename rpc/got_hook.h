/*
 * got_hook.h: point the process's GOT slots that hold one function's
 * address at another, for the module in Samba's AD DC (bitspeerauth_srv.c),
 * which cannot interpose by symbol lookup as bpaud does: Samba's libraries
 * were bound to Samba's own GSSAPI before the module was loaded.
 */
#ifndef RPC_GOT_HOOK_H
#define RPC_GOT_HOOK_H

#include <stdbool.h>

/*
 * got_hook_replace: in every object loaded now, each relocated slot (GOT
 * or data pointer, from DT_RELA/DT_REL/DT_JMPREL) that holds |real| is
 * set to |hook|; read-only-after-relocation pages are made writable for
 * the write and read-only again.  Objects loaded later are not changed.
 * Returns the number of slots changed; *|failed| says whether a slot could
 * not be written (it keeps |real|).  A second call with the same |real|
 * finds nothing left to change.
 */
unsigned got_hook_replace(void *real, void *hook, bool *failed);

#endif
