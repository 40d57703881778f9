/*
 * probe-internal.h - what the library's own files share (probe.c,
 * cleanup.c, section.c, util.c).  Not for the families: their API is
 * probe.h.
 */
#ifndef IPCVM_PROBE_INTERNAL_H
#define IPCVM_PROBE_INTERNAL_H

#include <signal.h>
#include <sys/types.h>

/* ---- probe.c ---------------------------------------------------------- */

/* the probe's own process: the only one that writes observations */
extern pid_t main_pid;
/* set by the SIGALRM of a TRY() deadline */
extern volatile sig_atomic_t deadline_fired;
/* the integer in environment variable VAR (1..600000), else DFLT */
int env_ms(const char *var, int dflt);
/* write one observation line NAME=VALUE (the name in full) */
void emit(const char *name, const char *value);
/* fork a helper that dies with us and that the registry kills and reaps;
 * returns 0 in the helper (signals released), its pid in the parent */
pid_t fork_tied(void);

/* ---- cleanup.c: the cleanup registry ---------------------------------- */

enum undo_kind { UNDO_NONE, UNDO_UNLINK, UNDO_RMDIR, UNDO_MSGQ, UNDO_SHM,
		 UNDO_SEM, UNDO_CHILD };
struct undo;

/* make the registry shared with every process forked after it */
void share_registry(void);
void push(enum undo_kind kind, int id, const char *path);
void forget(enum undo_kind kind, int id, const char *path);
/* undo the entries that MINE accepts, newest first; async-signal-safe */
void undo_where(int (*mine)(const struct undo *, pid_t), pid_t who);
/* an entry made under section process WHO */
int made_under(const struct undo *u, pid_t who);
/* undo this process's own entries */
void run_cleanup(void);
/* SIGINT, SIGTERM...: undo, then die of SIG */
void on_fatal_signal(int sig);

/* ---- section.c: the section runner ------------------------------------ */

/* the section process this process belongs to (0 outside sections),
 * and that section's name */
extern pid_t current_section;
extern const char *current_section_name;
/* --list: the sections and their claims on stdout */
void list_sections(void);
/* run the sections named in ARGV (every one when ARGC is 0); EXIT_HARD_ERROR
 * (nothing run) when one is not a section */
int run_sections(int argc, char **argv);

#endif
