/*
 * probe.h - what every ipcvm probe shares: observation output, bounded
 * blocking, a cleanup registry, helper processes and automake exit codes.
 *
 * A probe does things to the kernel and writes down what the kernel answered,
 * one `name=value` line per observation on standard output.  It never decides
 * pass or fail: the Bats cases do that (see HACKING.md).
 *
 * Value vocabulary (the cases rely on it):
 *   OK          the call succeeded (its return value did not matter)
 *   EAGAIN ...  the call failed with this errno
 *   TIMEOUT     the call was still blocked when its deadline passed
 *   SIGPIPE ... a process was killed by this signal
 *   123         a decimal integer, its unit in the name (_bytes, _pages...)
 *   yes / no    a flag
 *   SKIP        not measured; NAME.why= says why
 */
#ifndef IPCVM_PROBE_H
#define IPCVM_PROBE_H

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

/* automake's test exit codes */
#define EXIT_RECORDED 0
#define EXIT_SKIP 77
#define EXIT_HARD_ERROR 99

/*
 * Deadlines.  BLOCK_MS is how long a call must stay blocked before the probe
 * calls it blocking; HANG_MS guards calls that are expected to return, so a
 * broken kernel turns into a TIMEOUT observation instead of a hang.  Both can
 * be raised for slow emulators with IPCVM_BLOCK_MS / IPCVM_HANG_MS.
 */
int block_ms(void);
int hang_ms(void);

/* ---- observations -------------------------------------------------- */

void obs_str(const char *name, const char *value);
void obs_int(const char *name, long long value);
void obs_bool(const char *name, int yes);
void obs_errno(const char *name, int err);	/* 0 -> OK */
void obs_signal(const char *name, int sig);	/* 0 -> none */
void obs_skip(const char *name, const char *why);

/* The outcome of one possibly-blocking call. */
struct outcome {
	long ret;
	int err;		/* errno when ret == -1 */
	int timed_out;		/* the deadline fired while the call ran */
};

/* OK, the errno name, or TIMEOUT */
void obs_outcome(const char *name, struct outcome o);
/* the return value as a number, the errno name, or TIMEOUT */
void obs_outcome_count(const char *name, struct outcome o);

/*
 * Run one expression under a deadline of MS milliseconds (0: no deadline).
 * SIGALRM interrupts a blocked system call with EINTR; the timer repeats, so
 * a signal that lands just before the call starts cannot leave it blocked.
 */
void deadline_start(int ms);
int deadline_stop(void);	/* disarms; 1 if the deadline fired */
#define TRY(ms, expr)                                            \
	__extension__({                                          \
		struct outcome o_;                               \
		deadline_start(ms);                              \
		errno = 0;                                       \
		o_.ret = (long)(expr);                           \
		o_.err = errno;                                  \
		o_.timed_out = deadline_stop();                  \
		o_;                                              \
	})
/* a call that blocked until its deadline, as opposed to one that failed */
int outcome_blocked(struct outcome o);

/* ---- hard errors and skips ------------------------------------------ */

/* exit 99 naming the failing setup call, its errno and where it was made */
__attribute__((noreturn)) void probe_fail_at(const char *call, int err,
					     const char *file, int line);
#define probe_fail(call, err) probe_fail_at((call), (err), __FILE__, __LINE__)
/* for setup calls that return -1 on failure */
#define SETUP(expr)                                                    \
	__extension__({                                                \
		long r_ = (long)(expr);                                \
		if (r_ == -1)                                          \
			probe_fail_at(#expr, errno, __FILE__, __LINE__); \
		r_;                                                    \
	})
/* exit 77: the whole probe cannot run here; REASON is a-dashed-phrase */
__attribute__((noreturn)) void probe_skip(const char *reason);

/* ---- cleanup registry ----------------------------------------------- */
/*
 * Everything a probe makes is registered as it is made and undone on every
 * exit path: normal exit, probe_fail, and SIGINT/SIGTERM/SIGHUP.  Entries
 * belong to the process that registered them, so a forked child never
 * removes its parent's objects.  Undo runs newest first.
 */
void cleanup_unlink(const char *path);
void cleanup_rmdir(const char *path);
void cleanup_msgq(int id);
void cleanup_shm(int id);
void cleanup_sem(int id);
/* (registering an IPC id this process has registered already does nothing) */
/* drop an entry that was already undone by hand (e.g. a queue removed by
 * the claim under test) */
void cleanup_done_path(const char *path);
/* one kind's entry: a queue, a segment and a semaphore set may share an id
 * (the first of each in a new IPC namespace is 0) */
void cleanup_done_msgq(int id);
void cleanup_done_shm(int id);
void cleanup_done_sem(int id);
/* (every kind's entry of ID: for code not yet told which kind it removed) */
void cleanup_done_ipc(int id);

/* a private 0700 directory made with mkdtemp, removed at exit */
const char *scratch_dir(void);
/* BUF = scratch_dir() "/" NAME */
void scratch_path(char *buf, size_t size, const char *name);

/* hold every signal while an object is made and registered, so an
 * interrupt cannot fall between the two; release restores the old mask */
void hold_signals(sigset_t *old);
void release_signals(const sigset_t *old);
/* ignore SIGPIPE (a write with no reader then fails with EPIPE) until
 * restore_sigpipe puts back the action OLD got */
void ignore_sigpipe(struct sigaction *old);
void restore_sigpipe(const struct sigaction *old);

/* ---- helper processes ----------------------------------------------- */

/*
 * Fork a child that runs FN(ARG) and exits with its return value.  The child
 * dies with its parent (PR_SET_PDEATHSIG), writes no observations, and is
 * killed and reaped by the cleanup registry if still running at exit.
 */
pid_t spawn(int (*fn)(void *), void *arg);
/*
 * Start this probe again as a fresh program ("peer") that runs ROLE with
 * ARGS: a process that shares no open file with the probe, only what it is
 * told on its command line.  Same cleanup as spawn().
 */
pid_t spawn_peer(const char *role, const char *const args[]);
/*
 * Wait for PID up to MS milliseconds.  Returns its wait status, or -1 with
 * the child killed and reaped if it had not ended by then.
 */
int reap(pid_t pid, int ms);
/* run FN(ARG) in a helper (spawn) and wait up to hang_ms(): the signal
 * that killed it, 0 if it exited (or was still running, then killed) */
int spawn_killed_by(int (*fn)(void *), void *arg);
/* exit code of a wait status, or 128 + signal */
int status_code(int status);


/* ---- System V objects (sysv.c) ---------------------------------------- */

/* is KEY the key of a message queue, segment or semaphore set here
 * (/proc/sysvipc/msg, shm, sem)? */
int sysv_key_in_use(key_t key);
/*
 * A key no object uses: ftok(PATH, PROJ) on a new file NAME.N in the
 * scratch directory (registered for removal; the first N not taken by an
 * earlier call).  ftok keeps only 16 bits of
 * the inode, so the key is checked with sysv_key_in_use() and another file
 * tried when it is taken.  PATH (SIZE bytes) gets the file, for a peer that
 * must find the key itself; it may be NULL.
 */
key_t sysv_fresh_key(const char *name, int proj, char *path, size_t size);
/* msgget / shmget whose object, if any, is registered for removal with
 * every signal held in between (a SIGINT cannot leave it behind) */
struct outcome sysv_msgget(key_t key, int flags);
struct outcome sysv_shmget(key_t key, size_t size, int flags);
/* IPC_RMID, and the id out of the registry at once when it worked (the id
 * may be reused by someone else once the object is gone) */
struct outcome sysv_msgrmid(int id);
struct outcome sysv_shmrmid(int id);

/* ---- /proc readers (proc.c) and waiting on another process (wait.c) -- */

/* a /proc or /sys file holding one integer; -1 if unreadable */
long long read_ll_file(const char *path);
/* the same, unsigned, for values near ULONG_MAX that read_ll_file would
 * saturate (shmmax, shmall); 0, or -1 if unreadable */
int read_ull_file(const char *path, unsigned long long *v);
/* the state letter of /proc/PID/stat (R, S, D, Z...), 0 when unreadable */
char proc_state(pid_t pid);
/* the system call number in /proc/PID/syscall: -1 when the task is running
 * or not in a call, -2 when the file cannot be read (no
 * CONFIG_HAVE_ARCH_TRACEHOOK, or ptrace access refused) */
long proc_syscall(pid_t pid);
/*
 * Wait until PID sleeps (state S or D) inside system call NR (SYS_...; any
 * call when NR < 0; the ipc() multiplexer counts as every System V call).
 * A helper that calls nothing else that sleeps once started is then inside
 * the call itself: a sync byte written just before the call could not tell
 * that.  Where /proc/PID/syscall cannot be read, the state alone is the
 * sign.  Looks every millisecond for at most hang_ms().  1: seen blocked;
 * 0: not (it ended, or the time ran out).
 */
int wait_blocked(pid_t pid, long nr);

/* ---- kernel parameters (sysctl.c) ------------------------------------ */
/*
 * NAME is a sysctl(8) name, "kernel.msgmax" or "kernel/msgmax": the file
 * /proc/sys/kernel/msgmax.  Probes write only where the value is their own
 * (a private IPC namespace), never the machine's: to restore one, read it
 * first and write it back.
 */
/* its value; -1 if unreadable */
long long sysctl_read(const char *name);
/* unsigned, for values near ULONG_MAX; 0, or -1 if unreadable */
int sysctl_read_ull(const char *name, unsigned long long *v);
/* write VALUE; 0 or the errno */
int sysctl_write(const char *name, long long value);

/* ---- namespaces (ns.c) ------------------------------------------------ */

/*
 * unshare(CLONE_NEWUSER | FLAGS) (FLAGS: CLONE_NEWIPC, CLONE_NEWNET...) and
 * become root of the new user namespace, mapped to this process's euid and
 * egid outside it (map_root_to).  0, or the errno of unshare; *MAP_ERR (may
 * be NULL) gets 0 or the errno of the map.  Meant for a helper process
 * (spawn) that reports back: the probe's own process stays where it is.
 */
int ns_enter_user(int flags, int *map_err);
/* just after unshare(CLONE_NEWUSER): map root of the new user namespace to
 * UID and GID outside it (the caller's ids from before the unshare), writing
 * "deny" to setgroups first; 0 or the errno of the map that failed */
int map_root_to(uid_t uid, gid_t gid);
/* ns.writer_global_root=yes/no: whether this process is the "global root"
 * that alone could write an IPC namespace's limits before Linux 6.9 (msgq
 * and shm record it beside their namespace sysctl writes) */
void obs_writer_global_root(void);

/* ---- helpers report to the probe (report.c) --------------------------- */
/*
 * Only the probe's own process writes observations.  A helper (spawn) that
 * measures something writes name=value lines to a pipe with these, each
 * like the obs_ function of the same suffix; the probe turns them into
 * observations with collect_reports().
 */
void report_str(int fd, const char *name, const char *value);
void report_int(int fd, const char *name, long long v);
void report_bool(int fd, const char *name, int yes);
void report_errno(int fd, const char *name, int err);	/* 0 -> OK */
void report_outcome(int fd, const char *name, struct outcome o);
void report_skip(int fd, const char *name, const char *why);
/* the reason (a-dashed-phrase) to skip every expected name not sent */
void report_reason(int fd, const char *why);
/*
 * Read FD to EOF (each read under hang_ms()), record every line, skip every
 * name of EXPECTED (NULL-terminated, at most 64) that did not come, and
 * reap PID.  A helper whose own setup failed (exit 99, its complaint on
 * stderr) makes the probe fail too.
 */
void collect_reports(int fd, pid_t pid, const char *const expected[]);

/* ---- the request and reply (exchange.c) ------------------------------ */
/*
 * Every family shows a request answered across its channel: the asker
 * sends 4 bytes ("ping"), the answerer replies "got-" and them (8 bytes).
 * IN and OUT are the same descriptor on a socket.  Each read and write runs
 * under hang_ms(); a reader that has gone makes a write fail, never kills.
 */
/* read the request from IN into REQ (NUL-terminated), reply on OUT.
 * 0 done; 1 the request did not come whole; 2 the reply could not go */
int echo_answer(int in, int out, char req[5]);
/* send REQ (4 bytes) on OUT, read the reply from IN into REPLY
 * (NUL-terminated); *READ (may be NULL) gets the outcome of that read.
 * 0 the reply was "got-" + REQ; 1 the request could not go; 2 the reply
 * did not come whole; 3 it came wrong */
int echo_ask(int out, int in, const char *req, char reply[9], struct outcome *read);

/* ---- the probe itself ----------------------------------------------- */

struct peer_role {
	const char *name;
	int (*run)(int argc, char **argv);	/* argv[0] is the role name */
};

/*
 * Each probe defines these.  PROBE_NAME is the family prefix of its
 * observations; probe_peers the roles spawn_peer() can start.
 */
extern const char PROBE_NAME[];
extern const struct peer_role probe_peers[];	/* ends with {0} */

/*
 * A section is the unit the library runs: one group of claims, measured in
 * a process of its own (forked, with its own deadline), so that a section
 * that crashes or hangs cannot take another down.  A probe lists its
 * sections in order, in the style of kselftest's TEST():
 *
 *   const struct probe_section probe_sections[] = {
 *           SECTION(ends, "PIPE-END-READ PIPE-END-WRITE"),
 *           ...
 *           { 0 }
 *   };
 *
 * For each section the probe records probe.section.NAME.claims (the claim
 * ids, joined by +) and, when it ends, probe.section.NAME: ok, or what
 * stopped it (crashed-SIGSEGV, timeout, error, exit-N).  A section that did
 * not end ok makes every claim it serves an error, never a skip (the cases'
 * require_observations).  `PROBE --list` prints the sections and their
 * claims; `PROBE --only NAME...` runs only those.  The deadline of a
 * section is IPCVM_SECTION_MS (default: 3 x hang_ms()).
 *
 * A probe without sections defines probe_main() instead, run in the
 * probe's own process.
 */
struct probe_section {
	const char *name;	/* a word: [a-z0-9_] */
	const char *claims;	/* the claim ids it serves, space-separated */
	void (*run)(void);
};
#define SECTION(fn, claims) { #fn, (claims), (fn) }
extern const struct probe_section probe_sections[] __attribute__((weak));
void probe_main(void) __attribute__((weak));
int section_ms(void);

/* ---- small helpers ---------------------------------------------------- */

/* write all of BUF, looping over short writes; -1 on error.  Under TRY(),
 * a deadline that fires ends the loop (EINTR) instead of being retried. */
ssize_t write_all(int fd, const void *buf, size_t len);
/* read exactly LEN bytes unless EOF comes first; returns bytes read or -1
 * (EINTR when a TRY() deadline fired) */
ssize_t read_full(int fd, void *buf, size_t len);
/* send/receive one byte over a pipe: used to keep helper processes in step */
void signal_byte(int fd);
int wait_byte(int fd, int ms);	/* 1 got it, 0 EOF, -1 timeout or error */
/* is BIT set in this process's effective capabilities? */
int have_cap(int bit);
long page_size(void);
/* one turn of a busy-wait loop: tells the CPU we are spinning */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}
/* write TEXT to an existing file (a /proc or /sys knob); 0 or the errno */
int write_text_file(const char *path, const char *text);
/* descriptors this process holds beyond stdin, stdout and stderr (-1 if
 * /proc is missing): a fresh peer must hold none */
int inherited_fds(void);

#endif
