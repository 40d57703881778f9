/*
 * attach.c - attaching (shmop(2)): shm_nattch through attach, fork, detach
 * and exit (and what ipcs reads in /proc/sysvipc/shm), one process that
 * attaches twice, no private attachment, and SHM_RDONLY.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "shm.h"

/* ---- /proc/sysvipc/shm: what ipcs(1) reads (proc(5)) ------------------- */

/* the nattch of segment ID in /proc/sysvipc/shm: 1 found, 0 absent, -1
 * unreadable (sysv.c reads the same file for keys only) */
static int proc_shm_nattch(int id, unsigned long long *count)
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
		long long key;
		unsigned long long size, n;
		unsigned perms;
		int shmid, cpid, lpid;

		/* key shmid perms size cpid lpid nattch ... */
		if (sscanf(line, "%lld %d %o %llu %d %d %llu", &key, &shmid,
			   &perms, &size, &cpid, &lpid, &n) == 7 && shmid == id) {
			*count = n;
			found = 1;
		}
	}
	fclose(f);
	return found;
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
	unsigned long long proc_nattch;
	struct outcome o = TRY(0, shmctl(id, IPC_STAT, &ds));
	int r;

	if (o.ret == -1) {
		/* with shm_rmid_forced=1, nattch 0 destroys the segment */
		if (o.err == EINVAL && sysctl_read("kernel.shm_rmid_forced") == 1) {
			cleanup_done_shm(id);
			obs_skip(name, "shm_rmid_forced-destroyed-it-at-nattch-0");
		} else {
			obs_errno(name, o.err);
		}
		return;
	}
	r = proc_shm_nattch(id, &proc_nattch);
	if (r == -1)
		proc_readable = 0;
	else if (r == 0 || proc_nattch != (unsigned long long)ds.shm_nattch)
		proc_agrees = 0;
	obs_int(name, (long long)ds.shm_nattch);
}

void nattch(void)
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
void attach_twice(void)
{
	int id = new_private((size_t)page_size());
	void *a = attach(id, 0), *b = attach(id, 0);

	obs_bool("nattch.twice.distinct_addresses", a != b);
	obs_nattch("nattch.twice.one_process_count", id);
	detach(b);
	obs_nattch("nattch.twice.after_one_shmdt_count", id);
	finish_attached(id, a);
}

void no_private_attach(void)
{
	size_t ps = (size_t)page_size();
	int id = new_private(ps);
	volatile unsigned char *a = attach(id, 0), *b;
	const int documented = SHM_RDONLY | SHM_RND | SHM_REMAP | SHM_EXEC;
	int tried = 0, refused = 0, both_ways = 0, private_copies = 0;

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
			both_ways++;
		else
			private_copies++;
		detach((const void *)b);
	}
	obs_int("private.flags_tried_count", tried);
	obs_int("private.flags_refused_count", refused);
	obs_int("private.flags_shared_count", both_ways);
	obs_int("private.flags_private_count", private_copies);
	finish_attached(id, (const void *)a);
}

/* ---- SHM_RDONLY (shmop(2)) ------------------------------------------------- */

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

void rdonly(void)
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
