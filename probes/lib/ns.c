/*
 * ns.c - entering new namespaces: a user namespace (unprivileged where
 * they are allowed) with root of it mapped to the caller, and what that
 * root may write there.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe.h"

int map_root_to(uid_t uid, gid_t gid)
{
	char map[64];
	int err;

	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
	if ((err = write_text_file("/proc/self/uid_map", map)))
		return err;
	/* before gid_map, or an unprivileged writer is refused; absent
	 * before Linux 3.19, where it is not needed */
	write_text_file("/proc/self/setgroups", "deny\n");
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
	return write_text_file("/proc/self/gid_map", map);
}

int ns_enter_user(int flags, int *map_err)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int err;

	if (unshare(CLONE_NEWUSER | flags) == -1)
		return errno;
	/* be root of the new user namespace, which owns the others */
	err = map_root_to(uid, gid);
	if (map_err)
		*map_err = err;
	return 0;
}

/*
 * Whether this process's euid is uid 0 of the initial user namespace, the
 * "global root" that, before Linux 6.9, alone could write an IPC
 * namespace's /proc/sys/kernel limits (fs/proc/proc_sysctl.c test_perm:
 * current_euid() == GLOBAL_ROOT_UID).  uid 0 of unshare -r run by root is
 * it; uid 0 of a rootless container is not.  A sysctl file of a table with
 * no set_ownership belongs to GLOBAL_ROOT_UID and stat shows that owner
 * through the caller's uid map: 0 only where the caller's uid 0 is it.
 */
void obs_writer_global_root(void)
{
	struct stat st;

	if (stat("/proc/sys/fs/file-max", &st) == -1)
		obs_skip("ns.writer_global_root", "stat-of-proc-sys-fs-file-max-failed");
	else
		obs_bool("ns.writer_global_root", geteuid() == 0 && st.st_uid == 0);
}
