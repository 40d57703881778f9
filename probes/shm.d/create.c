/*
 * create.c - making segments (shmget(2)): keys and IPC_PRIVATE, a new
 * segment's zero fill, the size rules, and the limits the kernel
 * advertises (proc(5)).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shm.h"

/* ---- keys (shmget(2)) ------------------------------------------------------ */

void keys(void)
{
	char path[4096];
	size_t ps = (size_t)page_size();
	struct outcome o;
	int id;
	key_t key = sysv_fresh_key("key", PROJ, path, sizeof(path));

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
		return;
	}
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

/* IPC_PRIVATE: a new segment every time, with or without IPC_CREAT and
 * IPC_EXCL (shmget(2) NOTES) */
void private_keys(void)
{
	size_t ps = (size_t)page_size();
	struct outcome a = sysv_shmget(IPC_PRIVATE, ps, IPC_CREAT | IPC_EXCL | 0600);
	struct outcome b = sysv_shmget(IPC_PRIVATE, ps, IPC_CREAT | IPC_EXCL | 0600);
	struct outcome c = sysv_shmget(IPC_PRIVATE, ps, 0600);

	obs_outcome("key.private_excl_twice", b);
	obs_outcome("key.private_without_creat", c);
	obs_bool("key.private_ids_distinct", a.ret != -1 && b.ret != -1 && c.ret != -1 &&
		 a.ret != b.ret && b.ret != c.ret && a.ret != c.ret);
}

/* ---- a new segment is zero-filled (shmget(2)) ------------------------------ */

void zero_fill(void)
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

/* ---- limits the kernel advertises (proc(5)) ------------------------------ */

/* records them (report-only); returns SHMMAX, ULLONG_MAX if unreadable */
static unsigned long long limits(void)
{
	unsigned long long shmmax, v;
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
	long long rmid_forced = sysctl_read("kernel.shm_rmid_forced");
	if (rmid_forced >= 0)
		obs_int("limit.shm_rmid_forced", rmid_forced);
	else
		obs_skip("limit.shm_rmid_forced", "proc-sys-kernel-shm_rmid_forced-unreadable");
	return shmmax;
}

/* ---- size rules (shmget(2)) ------------------------------------------------ */

void sizes(void)
{
	char path[4096];
	size_t ps = (size_t)page_size();
	unsigned long long shmmax = limits();
	int id;
	key_t key;

	obs_outcome("size.zero_new", sysv_shmget(IPC_PRIVATE, 0, IPC_CREAT | IPC_EXCL | 0600));

	/* an existing segment: asking for more than its shm_segsz fails, even
	 * within the same page; asking for less or the same finds it */
	key = sysv_fresh_key("key", PROJ, path, sizeof(path));
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

/* a 1-byte segment keeps shm_segsz 1 but maps a whole page */
void size_page(void)
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
