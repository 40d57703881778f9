/*
 * shm.c - what the kernel does with System V shared memory: keys and
 * IPC_PRIVATE, zero-filled new segments, stores that reach another process
 * with no system call carrying the data, shm_nattch (and what ipcs reads in
 * /proc/sysvipc/shm), IPC_RMID while attached, the size rules and the
 * SHMMAX/SHMMNI/SHMALL limits (lowered in a private IPC namespace),
 * SHM_RDONLY, and a counter kept exact by a System V semaphore.  Records
 * only; cases/shm.bats judges.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"
#include "names.h"

const char PROBE_NAME[] = "shm";

/* ---- small helpers ------------------------------------------------------ */

/* a new segment that the probe needs: failing to make it is a hard error */
static int new_segment(key_t key, size_t size)
{
	struct outcome o = sysv_shmget(key, size, IPC_CREAT | IPC_EXCL | 0600);

	if (o.ret == -1)
		probe_fail("shmget", o.err);
	return (int)o.ret;
}

static int new_private(size_t size)
{
	return new_segment(IPC_PRIVATE, size);
}

static void *attach(int id, int flags)
{
	void *p = shmat(id, NULL, flags);

	if (p == (void *)-1)
		probe_fail("shmat", errno);
	return p;
}

static void detach(const void *p)
{
	SETUP(shmdt(p));
}

static struct shmid_ds stat_shm(int id)
{
	struct shmid_ds ds;

	SETUP(shmctl(id, IPC_STAT, &ds));
	return ds;
}

/*
 * Done with a segment this process still has attached: mark it now, so the
 * last detach destroys it.  Where kernel.shm_rmid_forced is 1 the kernel
 * destroys any segment whose nattch falls to 0 (proc(5)); a segment marked
 * here never outlives its attachments either way, and never sits in the
 * registry after it is gone.
 */
static void finish_attached(int id, const void *p)
{
	if (sysv_shmrmid(id).ret == -1)
		probe_fail("shmctl IPC_RMID", errno);
	detach(p);
}

/* a core file in the working directory is a leak: children that are meant
 * to die of a signal do not dump */
static void no_core(void)
{
	struct rlimit none = { 0, 0 };

	setrlimit(RLIMIT_CORE, &none);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* the fate of a child as one token: none (exit 0), the signal's name,
 * exit-N, or TIMEOUT */
static void obs_fate(const char *name, int status)
{
	char v[16];

	if (status == -1)
		obs_str(name, "TIMEOUT");
	else if (WIFSIGNALED(status))
		obs_signal(name, WTERMSIG(status));
	else if (WEXITSTATUS(status) == 0)
		obs_str(name, "none");
	else {
		snprintf(v, sizeof(v), "exit-%d", WEXITSTATUS(status));
		obs_str(name, v);
	}
}

/* ---- /proc/sysvipc/shm: what ipcs(1) reads (proc(5)) ------------------- */

struct proc_shm {
	long long key;
	int id;
	unsigned long long nattch;
};

/* the line for segment ID (by_key: for KEY); 1 found, 0 absent, -1 unreadable */
static int proc_shm_find(int by_key, long long want, struct proc_shm *out)
{
	char line[512];
	FILE *f = fopen("/proc/sysvipc/shm", "re");
	int found = 0;

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) {	/* the header */
		fclose(f);
		return -1;
	}
	while (!found && fgets(line, sizeof(line), f)) {
		struct proc_shm p;
		unsigned long long size;
		unsigned perms;
		int cpid, lpid;

		/* key shmid perms size cpid lpid nattch ... */
		if (sscanf(line, "%lld %d %o %llu %d %d %llu", &p.key, &p.id,
			   &perms, &size, &cpid, &lpid, &p.nattch) != 7)
			continue;
		if (by_key ? p.key == want : p.id == want) {
			*out = p;
			found = 1;
		}
	}
	fclose(f);
	return found;
}

/* the ftok() project id of every key this probe makes */
enum { PROJ = 's' };

/* a key no object uses yet (sysv.c); PATH gets its file */
static key_t fresh_key(char *path, size_t size, int *proj)
{
	*proj = PROJ;
	return sysv_fresh_key("key", PROJ, path, size);
}

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

/* ---- peers: programs that know only a path and a project id ---------------- */

/* argv: reader PATH PROJ.  Finds the segment by its ftok key, then plays
 * the reader of the handshake. */
static int peer_reader(int argc, char **argv)
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

const struct peer_role probe_peers[] = {
	{ "reader", peer_reader },
	{ 0 },
};

/* ---- limits the kernel advertises (proc(5)) ------------------------------ */

static unsigned long long shmmax = ULLONG_MAX;
static long long rmid_forced = -1;

static void limits(void)
{
	unsigned long long v;
	char buf[32];

	obs_int("page_size_bytes", page_size());
	if (sysctl_read_ull("kernel.shmmax", &shmmax) == 0) {
		/* may exceed LLONG_MAX: written as text */
		snprintf(buf, sizeof(buf), "%llu", shmmax);
		obs_str("limit.shmmax_bytes", buf);
	} else {
		shmmax = ULLONG_MAX;
		obs_skip("limit.shmmax_bytes", "proc-sys-kernel-shmmax-unreadable");
	}
	if (sysctl_read_ull("kernel.shmall", &v) == 0) {
		snprintf(buf, sizeof(buf), "%llu", v);
		obs_str("limit.shmall_pages", buf);
	} else {
		obs_skip("limit.shmall_pages", "proc-sys-kernel-shmall-unreadable");
	}
	if (sysctl_read_ull("kernel.shmmni", &v) == 0)
		obs_int("limit.shmmni_count", (long long)v);
	else
		obs_skip("limit.shmmni_count", "proc-sys-kernel-shmmni-unreadable");
	/* 1: a segment is destroyed when its nattch falls to 0 (proc(5)) */
	rmid_forced = sysctl_read("kernel.shm_rmid_forced");
	if (rmid_forced >= 0)
		obs_int("limit.shm_rmid_forced", rmid_forced);
	else
		obs_skip("limit.shm_rmid_forced", "proc-sys-kernel-shm_rmid_forced-unreadable");
}

/* ---- keys (shmget(2)) ------------------------------------------------------ */

static void keys(void)
{
	char path[4096];
	size_t ps = (size_t)page_size();
	struct outcome o;
	int proj, id;
	key_t key = fresh_key(path, sizeof(path), &proj);

	/* finds, never creates: nothing to register */
	obs_outcome("key.unused_without_creat", TRY(0, shmget(key, ps, 0600)));

	/* plain IPC_CREAT may find instead of create: the segment is ours
	 * (registered) only if this process made it */
	sigset_t old;
	struct shmid_ds ds;
	int ours = 0;

	hold_signals(&old);
	o = TRY(0, shmget(key, ps, IPC_CREAT | 0600));
	if (o.ret != -1 && shmctl((int)o.ret, IPC_STAT, &ds) == 0 &&
	    ds.shm_cpid == getpid()) {
		cleanup_shm((int)o.ret);
		ours = 1;
	}
	release_signals(&old);
	obs_outcome("key.unused_with_creat", o);
	if (o.ret == -1) {
		obs_skip("key.created_new", "create-failed");
		obs_skip("key.same_key_same_id", "create-failed");
		obs_skip("key.creat_again_same_id", "create-failed");
		obs_skip("key.excl_on_existing", "create-failed");
	} else {
		/* somebody else's segment took the fresh key in between */
		if (!ours)
			probe_fail("shmget: the fresh key was taken by another process", EEXIST);
		id = (int)o.ret;
		obs_bool("key.created_new", ds.shm_nattch == 0 && ds.shm_perm.__key == key);
		obs_bool("key.same_key_same_id", shmget(key, 0, 0600) == id);
		obs_bool("key.creat_again_same_id", shmget(key, ps, IPC_CREAT | 0600) == id);
		obs_outcome("key.excl_on_existing",
			    sysv_shmget(key, ps, IPC_CREAT | IPC_EXCL | 0600));
	}

	/* IPC_PRIVATE: a new segment every time, with or without IPC_CREAT
	 * and IPC_EXCL (shmget(2) NOTES) */
	struct outcome a = sysv_shmget(IPC_PRIVATE, ps, IPC_CREAT | IPC_EXCL | 0600);
	struct outcome b = sysv_shmget(IPC_PRIVATE, ps, IPC_CREAT | IPC_EXCL | 0600);
	struct outcome c = sysv_shmget(IPC_PRIVATE, ps, 0600);

	obs_outcome("key.private_excl_twice", b);
	obs_outcome("key.private_without_creat", c);
	obs_bool("key.private_ids_distinct", a.ret != -1 && b.ret != -1 && c.ret != -1 &&
		 a.ret != b.ret && b.ret != c.ret && a.ret != c.ret);
}

/* ---- a new segment is zero-filled (shmget(2)) ------------------------------ */

static void zero_fill(void)
{
	size_t size = 16 * (size_t)page_size() + 123;
	int id = new_private(size);
	unsigned char *p = attach(id, 0);
	size_t nonzero = 0;

	/* the whole rounded-up size, not only the bytes asked for */
	size_t rounded = (size + (size_t)page_size() - 1) & ~((size_t)page_size() - 1);
	for (size_t i = 0; i < rounded; i++)
		nonzero += p[i] != 0;
	obs_int("new.checked_bytes", (long long)rounded);
	obs_int("new.nonzero_bytes", (long long)nonzero);
	finish_attached(id, p);
}

/* ---- a store seen by another process, parent/child and unrelated ------------ */

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
	int proj;
	key_t key = fresh_key(path, sizeof(path), &proj);
	int id = new_segment(key, sizeof(struct handshake));
	struct handshake *hs = attach(id, 0);
	struct exchange x;
	pid_t pid;

	snprintf(projs, sizeof(projs), "%d", proj);
	pid = spawn_peer("reader", args);
	x = writer_side(hs);	/* before reap: argument order is unspecified */
	obs_exchange(&names, x, reap(pid, hang_ms()));
	finish_attached(id, hs);
}

/* ---- shm_nattch (shmctl(2), shmop(2)) and /proc/sysvipc/shm ---------------- */

struct nattch_child {
	int id;
	void *inherited;
	int go[2], ack[2];
};

/* on each go byte: detach the inherited attachment; attach again; exit */
static int nattch_child(void *arg)
{
	struct nattch_child *c = arg;

	close(c->go[1]);
	close(c->ack[0]);
	signal_byte(c->ack[1]);		/* running */
	if (wait_byte(c->go[0], hang_ms()) != 1 || shmdt(c->inherited) == -1)
		return 1;
	signal_byte(c->ack[1]);
	if (wait_byte(c->go[0], hang_ms()) != 1 || shmat(c->id, NULL, 0) == (void *)-1)
		return 2;
	signal_byte(c->ack[1]);
	/* exits still attached: _exit(2) detaches */
	return wait_byte(c->go[0], hang_ms()) == 1 ? 0 : 3;
}

static int proc_agrees = 1, proc_readable = 1;

static void obs_nattch(const char *name, int id)
{
	struct shmid_ds ds;
	struct proc_shm p;
	struct outcome o = TRY(0, shmctl(id, IPC_STAT, &ds));
	int r;

	if (o.ret == -1) {
		/* with shm_rmid_forced=1, nattch 0 destroys the segment */
		if (o.err == EINVAL && rmid_forced == 1) {
			cleanup_done_ipc(id);
			obs_skip(name, "shm_rmid_forced-destroyed-it-at-nattch-0");
		} else {
			obs_errno(name, o.err);
		}
		return;
	}
	r = proc_shm_find(0, id, &p);
	if (r == -1)
		proc_readable = 0;
	else if (r == 0 || p.nattch != (unsigned long long)ds.shm_nattch)
		proc_agrees = 0;
	obs_int(name, (long long)ds.shm_nattch);
}

static void nattch(void)
{
	struct nattch_child c;
	pid_t pid;

	c.id = new_private((size_t)page_size());
	obs_nattch("nattch.after_create_count", c.id);
	c.inherited = attach(c.id, 0);
	obs_nattch("nattch.after_shmat_count", c.id);

	SETUP(pipe2(c.go, O_CLOEXEC));
	SETUP(pipe2(c.ack, O_CLOEXEC));
	pid = spawn(nattch_child, &c);
	close(c.go[0]);
	close(c.ack[1]);
	if (wait_byte(c.ack[0], hang_ms()) != 1)
		probe_fail("nattch child did not start", ETIMEDOUT);
	obs_nattch("nattch.after_fork_count", c.id);
	/* a child that failed a step exits without its ack: the counts then
	 * show what the kernel did, nattch.child_end why, and it is sent
	 * nothing more (a write to its closed pipe would be our SIGPIPE) */
	int alive = 1;
	signal_byte(c.go[1]);
	alive = wait_byte(c.ack[0], hang_ms()) == 1;
	obs_nattch("nattch.after_child_shmdt_count", c.id);
	if (alive) {
		signal_byte(c.go[1]);
		alive = wait_byte(c.ack[0], hang_ms()) == 1;
	}
	obs_nattch("nattch.after_child_shmat_count", c.id);
	if (alive)
		signal_byte(c.go[1]);
	obs_fate("nattch.child_end", reap(pid, hang_ms()));
	obs_nattch("nattch.after_child_exit_count", c.id);
	detach(c.inherited);
	obs_nattch("nattch.after_shmdt_count", c.id);
	close(c.go[1]);
	close(c.ack[0]);

	if (proc_readable)
		obs_bool("nattch.proc_sysvipc_agrees", proc_agrees);
	else
		obs_skip("nattch.proc_sysvipc_agrees", "proc-sysvipc-shm-unreadable");
}

/* ---- what nattch counts, and no private attach ------------------------------ */
/*
 * shmctl(2): shm_nattch is the "number of current attaches"; ipc/shm.c
 * __shm_open() (from shm_mmap and the vm open hook) adds one for every
 * mapping of the segment, whoever makes it.
 * One process that attaches twice counts 2 (the notes: "how many
 * processes are connected").
 *
 * shmop(2) documents four shmflg bits: SHM_RDONLY, SHM_RND, SHM_REMAP and
 * SHM_EXEC.  None gives a private (copy-on-write) attachment, where stores
 * stay in the process unless synced back, as mmap's MAP_PRIVATE does:
 * ipc/shm.c do_shmat always maps the segment MAP_SHARED.  Every other bit
 * is tried alone: each attach is either refused or shared both ways with
 * the first attachment.
 */
static void attaches(void)
{
	size_t ps = (size_t)page_size();
	int id = new_private(ps);
	volatile unsigned char *a = attach(id, 0), *b;
	const int documented = SHM_RDONLY | SHM_RND | SHM_REMAP | SHM_EXEC;
	int tried = 0, refused = 0, shared = 0, private_copies = 0;

	b = attach(id, 0);
	obs_bool("nattch.twice.distinct_addresses", a != b);
	obs_nattch("nattch.twice.one_process_count", id);
	detach((const void *)b);
	obs_nattch("nattch.twice.after_one_shmdt_count", id);

	for (int bit = 0; bit < 31; bit++) {
		int flag = 1 << bit;

		if (flag & documented)
			continue;
		tried++;
		b = shmat(id, NULL, flag);
		if (b == (void *)-1) {
			refused++;
			continue;
		}
		b[0] = (unsigned char)(bit + 1);
		a[1] = (unsigned char)(bit + 101);
		if (a[0] == bit + 1 && b[1] == bit + 101)
			shared++;
		else
			private_copies++;
		detach((const void *)b);
	}
	obs_int("private.flags_tried_count", tried);
	obs_int("private.flags_refused_count", refused);
	obs_int("private.flags_shared_count", shared);
	obs_int("private.flags_private_count", private_copies);
	finish_attached(id, (const void *)a);
}

/* ---- IPC_RMID while attached (shmctl(2)) ------------------------------------ */

static void rmid(void)
{
	char path[4096];
	size_t ps = (size_t)page_size();
	struct shmid_ds ds;
	int proj;
	key_t key = fresh_key(path, sizeof(path), &proj);
	int id = new_segment(key, ps);
	volatile unsigned char *a, *b;
	struct outcome o;

	/* two attachments: the segment must outlive the first detach */
	a = attach(id, 0);
	b = attach(id, 0);
	ds = stat_shm(id);
	obs_bool("rmid.before.key_is_private", ds.shm_perm.__key == IPC_PRIVATE);
	obs_bool("rmid.before.mode_shm_dest", (ds.shm_perm.mode & SHM_DEST) != 0);

	obs_outcome("rmid.result", sysv_shmrmid(id));
	ds = stat_shm(id);
	obs_bool("rmid.after.key_is_private", ds.shm_perm.__key == IPC_PRIVATE);
	obs_bool("rmid.after.mode_shm_dest", (ds.shm_perm.mode & SHM_DEST) != 0);
	obs_int("rmid.after.nattch_count", (long long)ds.shm_nattch);
	obs_outcome("rmid.after.get_old_key", TRY(0, shmget(key, ps, 0600)));

	/* still memory: a store through one attachment, read through the other */
	a[ps - 1] = 0xa5;
	b[0] = 0x5a;
	obs_bool("rmid.after.memory_shared", b[ps - 1] == 0xa5 && a[0] == 0x5a);

	/* Linux lets a marked segment be attached again (shmop(2) NOTES) */
	void *again = shmat(id, NULL, 0);
	obs_errno("rmid.after.shmat_again", again == (void *)-1 ? errno : 0);
	if (again != (void *)-1)
		detach(again);

	detach((const void *)a);
	o = TRY(0, shmctl(id, IPC_STAT, &ds));
	obs_outcome("rmid.after_first_shmdt.stat", o);
	obs_int("rmid.after_first_shmdt.nattch_count", o.ret == -1 ? -1 : (long long)ds.shm_nattch);
	detach((const void *)b);
	obs_outcome("rmid.after_last_shmdt.stat", TRY(0, shmctl(id, IPC_STAT, &ds)));
}

/* ---- size rules (shmget(2)) ------------------------------------------------ */

struct page_store {
	int id;
	size_t offset;
};

/*
 * Attach the segment at the start of a two-page PROT_NONE reservation and
 * store one byte at OFFSET: the page after the segment is certain to fault,
 * so a store that survives was a store into the segment.
 */
static int store_at(void *arg)
{
	struct page_store *s = arg;
	size_t ps = (size_t)page_size();
	unsigned char *base;

	no_core();
	base = mmap(NULL, 2 * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return 10;
	if (shmat(s->id, base, SHM_REMAP) != base)
		return 11;
	((volatile unsigned char *)base)[s->offset] = 0x5a;
	return 0;
}

static void size_one(void)
{
	size_t ps = (size_t)page_size();
	struct outcome o = sysv_shmget(IPC_PRIVATE, 1, IPC_CREAT | IPC_EXCL | 0600);
	struct page_store s;

	obs_outcome("size.one_byte_new", o);
	if (o.ret == -1) {
		obs_skip("size.one_byte.segsz_bytes", "create-failed");
		obs_skip("size.one_byte.store_last_byte_of_page", "create-failed");
		obs_skip("size.one_byte.last_byte_shared", "create-failed");
		obs_skip("size.one_byte.store_past_page", "create-failed");
		return;
	}
	s.id = (int)o.ret;
	obs_int("size.one_byte.segsz_bytes", (long long)stat_shm(s.id).shm_segsz);
	/* the parent's own view, held across the children (their exits must
	 * not take nattch to 0: see finish_attached) */
	volatile unsigned char *p = attach(s.id, SHM_RDONLY);

	s.offset = ps - 1;
	obs_fate("size.one_byte.store_last_byte_of_page", reap(spawn(store_at, &s), hang_ms()));
	obs_bool("size.one_byte.last_byte_shared", p[ps - 1] == 0x5a);

	s.offset = ps;		/* the control: one byte past the page */
	obs_fate("size.one_byte.store_past_page", reap(spawn(store_at, &s), hang_ms()));
	finish_attached(s.id, (const void *)p);
}

static void sizes(void)
{
	char path[4096];
	size_t ps = (size_t)page_size();
	int proj, id;
	key_t key;

	obs_outcome("size.zero_new", sysv_shmget(IPC_PRIVATE, 0, IPC_CREAT | IPC_EXCL | 0600));
	size_one();

	/* an existing segment: asking for more than its shm_segsz fails, even
	 * within the same page; asking for less or the same finds it */
	key = fresh_key(path, sizeof(path), &proj);
	id = new_segment(key, ps);
	obs_outcome("size.existing.larger", TRY(0, shmget(key, ps + 1, 0600)));
	obs_bool("size.existing.same_finds_it", shmget(key, ps, 0600) == id);
	obs_bool("size.existing.smaller_finds_it", shmget(key, 1, 0600) == id);

	if (shmmax < (unsigned long long)SIZE_MAX)
		obs_outcome("size.above_shmmax",
			    sysv_shmget(IPC_PRIVATE, (size_t)shmmax + 1, IPC_CREAT | IPC_EXCL | 0600));
	else
		obs_skip("size.above_shmmax", "shmmax-plus-one-does-not-fit-size_t");
}

/* ---- the limits, lowered in a private IPC namespace ------------------------- */
/*
 * SHMMAX, SHMMNI and SHMALL are per IPC namespace.  A child unshares a user
 * and an IPC namespace (unprivileged where user namespaces are allowed),
 * lowers the limits there, and reports through a pipe.  Whatever it makes
 * dies with its namespace; nothing is visible to ipcs outside.
 */

enum { NS_SHMMAX = 1 << 20, NS_SHMMNI = 3, NS_SHMALL_PAGES = 4 };

/* errno of a creation, 0 on success; what it made is removed at once */
static int create_err(size_t size)
{
	int id = shmget(IPC_PRIVATE, size, IPC_CREAT | IPC_EXCL | 0600);

	if (id == -1)
		return errno;
	shmctl(id, IPC_RMID, NULL);
	return 0;
}

/* write NAME=VALUE, its outcome as observation OBS; 1 if written, else
 * DEPENDENT (two names) skip with the reason */
static int ns_set(int fd, const char *name, const char *obs, long long value,
		  const char *dependent[2])
{
	char why[64];
	int err = sysctl_write(name, value);

	report_errno(fd, obs, err);
	if (!err)
		return 1;
	snprintf(why, sizeof(why), "sysctl-not-writable-in-namespace-%s", errno_name(err));
	report_skip(fd, dependent[0], why);
	report_skip(fd, dependent[1], why);
	return 0;
}

/* SHMMNI segments fit in the new namespace, and the next fails */
static void ns_shmmni(int fd)
{
	const char *dep[2] = { "ns.shmmni.created_count", "ns.shmmni.next" };
	int ids[NS_SHMMNI + 1], held = 0, id, next;
	/* lowered for this test alone, then back for the next */
	long long shmmni = sysctl_read("kernel.shmmni");

	if (!ns_set(fd, "kernel.shmmni", "ns.shmmni.write", NS_SHMMNI, dep))
		return;
	/* the namespace is new: it holds no segment but these */
	while (held < NS_SHMMNI + 1) {
		id = shmget(IPC_PRIVATE, 1, IPC_CREAT | IPC_EXCL | 0600);
		if (id == -1)
			break;
		ids[held++] = id;
	}
	next = held > NS_SHMMNI ? 0 : held == NS_SHMMNI ? errno : -1;
	report_int(fd, "ns.shmmni.created_count", held < NS_SHMMNI ? held : NS_SHMMNI);
	if (next == -1)
		report_str(fd, "ns.shmmni.next", "not-reached");
	else
		report_errno(fd, "ns.shmmni.next", next);
	while (held > 0)
		shmctl(ids[--held], IPC_RMID, NULL);
	sysctl_write("kernel.shmmni", shmmni > 0 ? shmmni : 4096);
}

static int ns_child(void *arg)
{
	int fd = *(int *)arg, err, map_err = 0, id;
	const char *max_dep[2] = { "ns.shmmax.at_limit", "ns.shmmax.above_limit" };
	const char *all_dep[2] = { "ns.shmall.at_limit", "ns.shmall.beyond_limit" };
	char why[64];

	err = ns_enter_user(CLONE_NEWIPC, &map_err);
	if (err) {
		snprintf(why, sizeof(why), "unshare-newuser-newipc-%s", errno_name(err));
		report_errno(fd, "ns.unshare", err);
		report_reason(fd, why);
		return 0;
	}
	report_str(fd, "ns.unshare", "OK");
	report_errno(fd, "ns.id_map", map_err);
	/* who may write them depends on the kernel (cases/shm.bats) */
	if (ns_set(fd, "kernel.shmmax", "ns.shmmax.write", NS_SHMMAX, max_dep)) {
		report_errno(fd, "ns.shmmax.at_limit", create_err(NS_SHMMAX));
		report_errno(fd, "ns.shmmax.above_limit", create_err(NS_SHMMAX + 1));
	}
	ns_shmmni(fd);
	if (ns_set(fd, "kernel.shmall", "ns.shmall.write", NS_SHMALL_PAGES, all_dep)) {
		/* exactly the limit fits; one more page does not */
		id = shmget(IPC_PRIVATE, NS_SHMALL_PAGES * (size_t)page_size(),
			    IPC_CREAT | IPC_EXCL | 0600);
		report_errno(fd, "ns.shmall.at_limit", id == -1 ? errno : 0);
		report_errno(fd, "ns.shmall.beyond_limit", create_err(1));
		if (id != -1)
			shmctl(id, IPC_RMID, NULL);
	}
	return 0;
}

static void namespace_limits(void)
{
	static const char *const expected[] = {
		"ns.unshare",
		"ns.shmmax.at_limit", "ns.shmmax.above_limit",
		"ns.shmmni.created_count", "ns.shmmni.next",
		"ns.shmall.at_limit", "ns.shmall.beyond_limit", NULL
	};
	int fds[2];
	pid_t pid;

	obs_int("ns.shmmax.limit_bytes", NS_SHMMAX);
	obs_int("ns.shmmni.limit_count", NS_SHMMNI);
	obs_int("ns.shmall.limit_pages", NS_SHMALL_PAGES);
	obs_writer_global_root();
	SETUP(pipe2(fds, O_CLOEXEC));
	pid = spawn(ns_child, &fds[1]);
	close(fds[1]);
	collect_reports(fds[0], pid, expected);
}

/* ---- SHM_RDONLY and shmdt (shmop(2)) ------------------------------------------ */

struct rdonly_child {
	int id;
	int report[2];
};

struct rdonly_report {
	int attach_err;
	int read_ok;
};

/* attach read-only, read what the parent stored, report, then store */
static int rdonly_child(void *arg)
{
	struct rdonly_child *c = arg;
	struct rdonly_report r = { 0, 0 };
	volatile unsigned char *p;

	no_core();
	close(c->report[0]);
	p = shmat(c->id, NULL, SHM_RDONLY);
	if (p == (void *)-1)
		r.attach_err = errno;
	else
		r.read_ok = p[0] == 0x42;
	if (write_all(c->report[1], &r, sizeof(r)) != sizeof(r) || r.attach_err)
		return 1;
	p[0] = 0x43;		/* must fault */
	return 0;
}

static void rdonly(void)
{
	struct rdonly_child c;
	struct rdonly_report r;
	unsigned char *p;
	pid_t pid;

	c.id = new_private((size_t)page_size());
	p = attach(c.id, 0);
	p[0] = 0x42;
	SETUP(pipe2(c.report, O_CLOEXEC));
	pid = spawn(rdonly_child, &c);
	close(c.report[1]);
	struct outcome o = TRY(hang_ms(), read_full(c.report[0], &r, sizeof(r)));
	close(c.report[0]);
	if (o.ret == (long)sizeof(r)) {
		obs_errno("rdonly.attach", r.attach_err);
		obs_bool("rdonly.read_sees_data", r.read_ok);
	} else {
		/* died before it could say: rdonly.store tells how */
		obs_str("rdonly.attach", "no-report");
		obs_bool("rdonly.read_sees_data", 0);
	}
	obs_fate("rdonly.store", reap(pid, hang_ms()));
	obs_bool("rdonly.data_unchanged", p[0] == 0x42);
	finish_attached(c.id, p);
}

static void shmdt_errors(void)
{
	size_t ps = (size_t)page_size();
	int id = new_private(ps);
	unsigned char *p = attach(id, 0);
	void *anon = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (anon == MAP_FAILED)
		probe_fail("mmap", errno);
	/* marked now: the detach under test is its last */
	if (sysv_shmrmid(id).ret == -1)
		probe_fail("shmctl IPC_RMID", errno);
	obs_outcome("detach.anonymous_page", TRY(0, shmdt(anon)));
	obs_outcome("detach.unaligned", TRY(0, shmdt(p + 1)));
	obs_outcome("detach.attached", TRY(0, shmdt(p)));
	obs_outcome("detach.twice", TRY(0, shmdt(p)));
	munmap(anon, ps);
}

/* ---- a counter under a semaphore (semop(2); the notes: shared memory
 * "needs locking, together with a semaphore") ---------------------------- */
/*
 * LOCK_PROCS children each add LOCK_INCREMENTS to a counter in the segment,
 * with a load, an add and a store, each between a semop that takes a
 * semaphore and one that gives it back.  In the locked run every child
 * uses semaphore 0, the lock.  In the control every child uses a semaphore
 * of its own (1 + its index): the same loop, the same system calls at the
 * same cost, but excluding no one.  The control must lose updates, or it
 * shows nothing about the lock: it runs again, up to NOLOCK_ROUNDS times,
 * until it loses one.  Where the children cannot run side by side (one
 * CPU), it may never lose one; cases/shm.bats skips then.
 */

enum { LOCK_PROCS = 4, LOCK_INCREMENTS = 10000, NOLOCK_ROUNDS = 32 };

struct counter_child {
	volatile long *counter;
	int semid;
	int shared;		/* 1: everyone uses semaphore 0 (the lock) */
	unsigned short sem;	/* the semaphore this child uses, set before each fork */
	int gate[2];
};

static int lock_op(int semid, unsigned short sem, int op)
{
	struct sembuf sb = { sem, (short)op, SEM_UNDO };
	struct timespec ts = { hang_ms() / 1000, (hang_ms() % 1000) * 1000000L };

	/* bounded: a lost wake-up is a failed child, not a hang */
	return semtimedop(semid, &sb, 1, &ts);
}

static int counter_child(void *arg)
{
	struct counter_child *c = arg;

	close(c->gate[1]);
	if (wait_byte(c->gate[0], hang_ms()) != 0)	/* all start at EOF */
		return 1;
	for (int i = 0; i < LOCK_INCREMENTS; i++) {
		if (lock_op(c->semid, c->sem, -1) == -1)
			return 2;
		*c->counter = *c->counter + 1;	/* load, add, store: not atomic */
		if (lock_op(c->semid, c->sem, +1) == -1)
			return 3;
	}
	return 0;
}

/* the counter after LOCK_PROCS children each added LOCK_INCREMENTS;
 * *ALL_OK: every child exited 0 */
static long count_with(struct counter_child *c, int *all_ok)
{
	pid_t pids[LOCK_PROCS];

	*c->counter = 0;
	SETUP(pipe2(c->gate, O_CLOEXEC));
	for (int i = 0; i < LOCK_PROCS; i++) {
		c->sem = c->shared ? 0 : (unsigned short)(1 + i);
		pids[i] = spawn(counter_child, c);
	}
	close(c->gate[0]);
	close(c->gate[1]);	/* EOF: go */
	*all_ok = 1;
	for (int i = 0; i < LOCK_PROCS; i++) {
		int st = reap(pids[i], hang_ms());

		if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			*all_ok = 0;
	}
	return *c->counter;
}

/* semctl(2): the calling program must define this union; passing a bare
 * int for SETVAL works only where an int and the union are passed alike
 * (on 64-bit big-endian s390x every semaphore then started at 0) */
union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

/* 1 + LOCK_PROCS semaphores, each of value 1: the lock, and one for each
 * child of the control; removed at exit */
static int new_locks(void)
{
	union semun one = { .val = 1 };
	sigset_t old;
	int id, err;

	hold_signals(&old);
	id = semget(IPC_PRIVATE, 1 + LOCK_PROCS, IPC_CREAT | IPC_EXCL | 0600);
	err = errno;
	if (id != -1)
		cleanup_sem(id);
	release_signals(&old);
	if (id == -1)
		probe_fail("semget", err);
	for (int i = 0; i < 1 + LOCK_PROCS; i++)
		SETUP(semctl(id, i, SETVAL, one));
	return id;
}

static void locking(void)
{
	struct counter_child c;
	int id = new_private((size_t)page_size());
	int ok, rounds = 0, ncpus;
	cpu_set_t cpus;
	long total, want = (long)LOCK_PROCS * LOCK_INCREMENTS;

	c.counter = attach(id, 0);	/* inherited by every child */
	c.semid = new_locks();

	obs_int("lock.processes_count", LOCK_PROCS);
	obs_int("lock.increments_each_count", LOCK_INCREMENTS);
	c.shared = 1;
	total = count_with(&c, &ok);
	obs_bool("lock.children_ok", ok);
	obs_int("lock.total_count", total);

	/* the control: a semaphore each, so nothing excludes anyone.  On one
	 * CPU it rarely races (a switch must fall between a load and its
	 * store): two rounds show that, without 32 slow ones in an emulator */
	ncpus = sched_getaffinity(0, sizeof(cpus), &cpus) == 0 ? CPU_COUNT(&cpus) : 0;
	c.shared = 0;
	do {
		total = count_with(&c, &ok);
		rounds++;
	} while (ok && total == want && rounds < (ncpus >= 2 ? NOLOCK_ROUNDS : 2));
	obs_bool("nolock.children_ok", ok);
	/* the CPUs the children could run on */
	obs_int("nolock.cpus_count", ncpus);
	obs_int("nolock.rounds_count", rounds);
	obs_int("nolock.lost_count", want - total);
	obs_bool("nolock.lost_updates", total < want);
	finish_attached(id, (const void *)c.counter);
}

void probe_main(void)
{
	limits();
	keys();
	zero_fill();
	shared_fork();
	shared_unrelated();
	nattch();
	attaches();
	rmid();
	sizes();
	namespace_limits();
	rdonly();
	shmdt_errors();
	locking();
}
