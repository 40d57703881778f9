/*
 * namespace.c - SHMMAX, SHMMNI and SHMALL (shmget(2)) lowered in a private
 * IPC namespace (ipc_namespaces(7)), and who may lower them.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "names.h"
#include "shm.h"

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

void namespace_limits(void)
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
