/*
 * shm.c - what the kernel does with System V shared memory: keys and
 * IPC_PRIVATE, zero-filled new segments, stores that reach another process
 * with no system call carrying the data, shm_nattch (and what ipcs reads in
 * /proc/sysvipc/shm), IPC_RMID while attached, the size rules and the
 * SHMMAX/SHMMNI/SHMALL limits (lowered in a private IPC namespace),
 * SHM_RDONLY, and a counter kept exact by a System V semaphore.  Records
 * only; cases/shm.bats judges.
 *
 * The probe runs in sections (probes/lib/probe.h), each in a process of its
 * own; shm.h says which file holds which.  Here: the section table, the
 * peer roles, and the segment helpers every section uses.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "shm.h"

const char PROBE_NAME[] = "shm";

const struct peer_role probe_peers[] = {
	{ "reader", peer_reader },
	{ 0 },
};

/* in the order of cases/shm.bats */
const struct probe_section probe_sections[] = {
	SECTION(keys, "SHM-ENOENT SHM-CREAT SHM-SAME-KEY SHM-EXCL"),
	SECTION(private_keys, "SHM-PRIVATE"),
	SECTION(zero_fill, "SHM-ZERO-FILL"),
	SECTION(shared, "SHM-SHARED-FORK SHM-SHARED-UNRELATED SHM-NO-SYSCALL"),
	SECTION(nattch, "SHM-NATTCH-ATTACH SHM-NATTCH-FORK SHM-NATTCH-SHMDT "
		"SHM-NATTCH-EXIT SHM-NATTCH-IPCS"),
	SECTION(attach_twice, "SHM-NATTCH-ATTACHES"),
	SECTION(no_private_attach, "SHM-NO-PRIVATE-ATTACH"),
	SECTION(rmid, "SHM-RMID-LIVES SHM-RMID-DEST SHM-RMID-KEY SHM-RMID-GONE "
		"SHM-RMID-REATTACH"),
	SECTION(sizes, "SHM-SIZE-ZERO SHM-SIZE-EXISTING SHM-SIZE-SHMMAX"),
	SECTION(size_page, "SHM-SIZE-PAGE"),
	SECTION(namespace_limits, "SHM-NS-SYSCTL-WRITE SHM-NS-SHMMAX SHM-NS-SHMMNI "
		"SHM-NS-SHMALL"),
	SECTION(rdonly, "SHM-RDONLY"),
	SECTION(shmdt_errors, "SHM-SHMDT-EINVAL"),
	SECTION(lock, "SHM-LOCK"),
	SECTION(nolock, "SHM-LOCK-NEEDED"),
	{ 0 },
};

/* ---- segment helpers ------------------------------------------------------ */

int new_segment(key_t key, size_t size)
{
	struct outcome o = sysv_shmget(key, size, IPC_CREAT | IPC_EXCL | 0600);

	if (o.ret == -1)
		probe_fail("shmget", o.err);
	return (int)o.ret;
}

int new_private(size_t size)
{
	return new_segment(IPC_PRIVATE, size);
}

void *attach(int id, int flags)
{
	void *p = shmat(id, NULL, flags);

	if (p == (void *)-1)
		probe_fail("shmat", errno);
	return p;
}

void detach(const void *p)
{
	SETUP(shmdt(p));
}

struct shmid_ds stat_shm(int id)
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
void finish_attached(int id, const void *p)
{
	if (sysv_shmrmid(id).ret == -1)
		probe_fail("shmctl IPC_RMID", errno);
	detach(p);
}

/* a core file in the working directory is a leak: children that are meant
 * to die of a signal do not dump */
void no_core(void)
{
	struct rlimit none = { 0, 0 };

	setrlimit(RLIMIT_CORE, &none);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

void obs_fate(const char *name, int status)
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
