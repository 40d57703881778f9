/*
 * remove.c - IPC_RMID while attached (shmctl(2)), and shmdt of what is not
 * attached (shmop(2)).
 */
#include "config.h"

#include <errno.h>
#include <sys/mman.h>

#include "shm.h"

/* ---- IPC_RMID while attached (shmctl(2)) ------------------------------------ */

void rmid(void)
{
	char path[4096];
	size_t ps = (size_t)page_size();
	struct shmid_ds ds;
	key_t key = sysv_fresh_key("key", PROJ, path, sizeof(path));
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

/* ---- shmdt (shmop(2)) ---------------------------------------------------- */

void shmdt_errors(void)
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
