/*
 * log.h: bpaud's log, on standard error or a log file.
 *
 * One line per event: "bpaud[PID] HH:MM:SS.mmm: " then the message.
 * Levels: 0 errors, 1 decisions, 2 more (--debug).
 */
#ifndef RPC_BPAUD_LOG_H
#define RPC_BPAUD_LOG_H

#include <stdbool.h>

/* bpaud_log_set_level: lines above |level| are dropped (default 1). */
void bpaud_log_set_level(int level);

void bpaud_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * bpaud_log_open: log to |path| (appended, line-buffered) instead of
 * standard error; NULL keeps standard error.  On failure says so on
 * standard output (standard error may be the terminal the caller no
 * longer watches) and returns false.
 */
bool bpaud_log_open(const char *path);

/*
 * bpaud_log_reopen: after a log rotation (SIGHUP), open the file again
 * by name; if that fails the old file stays in use and this says so.
 * Does nothing when logging to standard error.
 */
void bpaud_log_reopen(void);

#endif
