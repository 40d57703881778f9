/*
 * shared.c - a store in one process seen by another, a forked child and an
 * unrelated program that knows only a path (shmop(2), ftok(3)), with no
 * system call on the reader's side carrying the data (seccomp(2)).
 */
#include "config.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "shm.h"

/* ---- a store seen through memory alone ----------------------------------- */
/*
 * The point of shared memory (notes, section 1) is that the data does not
 * travel through a kernel buffer by system calls.  Proof by construction:
 *
 *  - the reader (a child, or an unrelated program) attaches, then installs a
 *    seccomp filter under which any system call but exit, exit_group and
 *    rt_sigreturn kills it with SIGSYS, and then says READY in the segment;
 *  - only after READY does the writer draw a random payload (so the reader
 *    cannot have it from fork or its command line), store it and say
 *    PAYLOAD;
 *  - the reader, spinning on plain loads, sees PAYLOAD, writes back the
 *    complement of the payload and says REPLY;
 *  - the writer, spinning too, checks the reply.
 *
 * A correct reply from a reader that is still alive means the payload
 * reached it with no system call at all on its side, and came back the same
 * way.  The writer arms its timer before its first store and makes no
 * system call until it has seen the reply either.  Both loops are bounded by
 * a one-shot ITIMER_REAL whose SIGALRM handler only sets a flag (returning
 * from it is the one system call the filter allows besides exiting).
 * Synchronising through a pipe would work as well but would put a system
 * call between the store and the load, which is what this section must rule
 * out.
 */

enum { HS_EMPTY, HS_READY, HS_PAYLOAD, HS_REPLY };
enum { PAYLOAD_BYTES = 1024 };

struct handshake {
	uint32_t state;		/* HS_*: release stores, acquire loads */
	int32_t filter;		/* the reader's seccomp filter: 1, or -errno */
	unsigned char payload[PAYLOAD_BYTES];
	unsigned char reply[PAYLOAD_BYTES];
};

/* reader exit codes */
enum { READER_OK, READER_USAGE = 100, READER_FTOK, READER_SHMGET,
       READER_SHMAT, READER_WAIT_TIMEOUT };

static volatile sig_atomic_t window_expired;

static void on_window_alarm(int sig)
{
	(void)sig;
	window_expired = 1;
}

/* the last system calls before a window without any */
static void window_open(int ms)
{
	struct sigaction sa;
	struct itimerval it;

	window_expired = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_window_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
}

static void window_close(void)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
}

/* plain loads until *P == WANT or the window's timer fires */
static int spin_until(uint32_t *p, uint32_t want)
{
	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) != want) {
		if (window_expired)
			return 0;
		cpu_relax();
	}
	return 1;
}

/*
 * 1 when every system call but exiting and returning from a signal handler
 * now kills this process with SIGSYS; -errno when there is no such filter.
 * The filter does not check the ABI (seccomp_data.arch): it is a witness
 * that this code made no system call, not a sandbox, and this code makes
 * none through another ABI.
 */
static int forbid_syscalls(void)
{
	static const unsigned allowed[] = {
		__NR_exit_group, __NR_exit, __NR_rt_sigreturn,
#ifdef __NR_sigreturn
		__NR_sigreturn,	/* i386 returns from plain handlers with it */
#endif
	};
	enum { N = sizeof(allowed) / sizeof(allowed[0]) };
	struct sock_filter code[N + 3];
	struct sock_fprog prog = { N + 3, code };

	code[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					       offsetof(struct seccomp_data, nr));
	for (unsigned i = 0; i < N; i++)	/* a match jumps to ALLOW */
		code[i + 1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
							   allowed[i], N - i, 0);
	code[N + 1] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL);
	code[N + 2] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == -1)
		return -errno;
	return 1;
}

/* never returns: the only way out under the filter is _exit */
__attribute__((noreturn)) static void reader_side(struct handshake *hs)
{
	int filter;

	no_core();
	window_open(hang_ms());
	filter = forbid_syscalls();
	/* from here on: loads and stores only */
	hs->filter = filter;
	__atomic_store_n(&hs->state, HS_READY, __ATOMIC_RELEASE);
	if (!spin_until(&hs->state, HS_PAYLOAD))
		_exit(READER_WAIT_TIMEOUT);
	for (int i = 0; i < PAYLOAD_BYTES; i++)
		hs->reply[i] = (unsigned char)~hs->payload[i];
	__atomic_store_n(&hs->state, HS_REPLY, __ATOMIC_RELEASE);
	_exit(READER_OK);
}

static void random_bytes(unsigned char *buf, size_t len)
{
	struct timespec ts;
	uint64_t x;

	if (getrandom(buf, len, GRND_NONBLOCK) == (ssize_t)len)
		return;
	/* unpredictable enough for a reader that never sees it otherwise */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)getpid();
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (unsigned char)x;
	}
}

struct exchange {
	int ready;		/* the reader said READY */
	int reply_ok;		/* its reply is the complement of our payload */
	int filter;		/* what it said about its filter */
};

static struct exchange writer_side(struct handshake *hs)
{
	unsigned char payload[PAYLOAD_BYTES];
	struct exchange x = { 0, 0, 0 };
	int replied;

	window_open(hang_ms());
	x.ready = spin_until(&hs->state, HS_READY);
	window_close();
	if (!x.ready)
		return x;
	x.filter = hs->filter;
	random_bytes(payload, sizeof(payload));

	window_open(hang_ms());
	/* no system call from here until the reply is in */
	memcpy(hs->payload, payload, sizeof(payload));
	__atomic_store_n(&hs->state, HS_PAYLOAD, __ATOMIC_RELEASE);
	replied = spin_until(&hs->state, HS_REPLY);
	window_close();

	x.reply_ok = replied;
	for (int i = 0; replied && i < PAYLOAD_BYTES; i++)
		if (hs->reply[i] != (unsigned char)~payload[i])
			x.reply_ok = 0;
	return x;
}

/* the four observations of one exchange, spelled out where they are used */
struct exchange_names {
	const char *ready, *filter, *reply, *end;
};

static void obs_exchange(const struct exchange_names *n, struct exchange x, int status)
{
	obs_bool(n->ready, x.ready);
	if (!x.ready)
		obs_str(n->filter, "no-report");	/* the claim fails: no proof */
	else if (x.filter == 1)
		obs_str(n->filter, "yes");
	else
		obs_errno(n->filter, -x.filter);
	obs_bool(n->reply, x.reply_ok);
	obs_fate(n->end, status);
}

/* ---- the readers: a child, and a program that knows only a path and a
 * project id ------------------------------------------------------------ */

/* argv: reader PATH PROJ.  Finds the segment by its ftok key, then plays
 * the reader of the handshake. */
int peer_reader(int argc, char **argv)
{
	key_t key;
	int id;
	void *p;

	if (argc != 3)
		return READER_USAGE;
	key = ftok(argv[1], atoi(argv[2]));
	if (key == -1)
		return READER_FTOK;
	id = shmget(key, 0, 0600);
	if (id == -1)
		return READER_SHMGET;
	p = shmat(id, NULL, 0);
	if (p == (void *)-1)
		return READER_SHMAT;
	reader_side(p);
}

static int fork_reader(void *arg)
{
	void *p = shmat(*(int *)arg, NULL, 0);

	if (p == (void *)-1)
		return READER_SHMAT;
	reader_side(p);
}

static void shared_fork(void)
{
	static const struct exchange_names names = {
		"shared.fork.reader_ready", "shared.fork.syscall_filter",
		"shared.fork.reply_matches", "shared.fork.reader_end",
	};
	int id = new_private(sizeof(struct handshake));
	pid_t pid = spawn(fork_reader, &id);	/* attaches on its own */
	struct handshake *hs = attach(id, 0);
	struct exchange x = writer_side(hs);

	obs_exchange(&names, x, reap(pid, hang_ms()));
	finish_attached(id, hs);
}

static void shared_unrelated(void)
{
	static const struct exchange_names names = {
		"shared.unrelated.reader_ready", "shared.unrelated.syscall_filter",
		"shared.unrelated.reply_matches", "shared.unrelated.reader_end",
	};
	char path[4096], projs[8];
	const char *args[] = { path, projs, NULL };
	key_t key = sysv_fresh_key("key", PROJ, path, sizeof(path));
	int id = new_segment(key, sizeof(struct handshake));
	struct handshake *hs = attach(id, 0);
	struct exchange x;
	pid_t pid;

	snprintf(projs, sizeof(projs), "%d", PROJ);
	pid = spawn_peer("reader", args);
	x = writer_side(hs);	/* before reap: argument order is unspecified */
	obs_exchange(&names, x, reap(pid, hang_ms()));
	finish_attached(id, hs);
}

void shared(void)
{
	shared_fork();
	shared_unrelated();
}
