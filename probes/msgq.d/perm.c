/*
 * perm.c - permissions: msg_perm.mode, owner and creator (msgget(2)), and
 * what another user may do with a queue (msgctl(2), msgop(2)).
 */
#include "config.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msgq.h"

/* the uid and gid a child drops to for "another user" */
enum { OTHER_ID = 65534 };

void perm_mode(void)
{
	int flags = IPC_CREAT | IPC_EXCL | 0640;
	struct msqid_ds ds;
	mode_t old;
	key_t key;
	char s[16];
	int id;

	msgq_require();
	key = new_key("mode");
	old = umask(077);	/* shows the umask plays no part */
	id = new_queue(key, flags);
	umask(old);
	stat_queue(id, &ds);
	snprintf(s, sizeof(s), "%o", (unsigned)flags);
	obs_str("perm.msgflg_octal", s);
	obs_str("perm.umask_octal", "077");
	snprintf(s, sizeof(s), "%o", (unsigned)ds.msg_perm.mode);
	obs_str("perm.mode_octal", s);
	obs_bool("perm.uid_is_euid", ds.msg_perm.uid == geteuid() && ds.msg_perm.cuid == geteuid());
	obs_bool("perm.gid_is_egid", ds.msg_perm.gid == getegid() && ds.msg_perm.cgid == getegid());
}

struct other_case {
	int report;
	key_t closed_key;
	int closed;	/* mode 0600, one message queued */
	int open;	/* mode 0606: others may read and write */
};

static int other_user(void *arg)
{
	struct other_case *c = arg;
	struct msqid_ds ds;
	struct msg m = { .mtype = 1 };
	int fd = c->report;
	uid_t id = getuid() == OTHER_ID ? OTHER_ID - 1 : OTHER_ID;

	if (setgroups(0, NULL) == -1 || setgid(id) == -1 || setuid(id) == -1) {
		report_reason(fd, "could-not-drop-to-an-unprivileged-uid");
		return 1;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);	/* a uid change cleared it */
	report_bool(fd, "perm.other.cap_ipc_owner", have_cap(CAPBIT_IPC_OWNER));
	report_bool(fd, "perm.other.cap_sys_admin", have_cap(CAPBIT_SYS_ADMIN));

	/* mode 0600 grants this user nothing */
	report_outcome(fd, "perm.other.closed.msgget_rw", TRY(0, msgget(c->closed_key, 0600)));
	/* flag 0 asks for no access bits, so it is not refused (ipcperms) */
	report_outcome(fd, "perm.other.closed.msgget_zero", TRY(0, msgget(c->closed_key, 0)));
	report_outcome(fd, "perm.other.closed.msgsnd", TRY(0, msgsnd(c->closed, &m, 1, IPC_NOWAIT)));
	report_outcome(fd, "perm.other.closed.msgrcv",
		       TRY(0, msgrcv(c->closed, &m, TEXT_MAX, 0, IPC_NOWAIT)));
	report_outcome(fd, "perm.other.closed.ipc_stat", TRY(0, msgctl(c->closed, IPC_STAT, &ds)));
	report_outcome(fd, "perm.other.closed.ipc_rmid", TRY(0, msgctl(c->closed, IPC_RMID, NULL)));

	/* mode 0606 grants read and write, but removal stays the owner's */
	m.mtype = 1;
	report_outcome(fd, "perm.other.open.msgsnd", TRY(0, msgsnd(c->open, &m, 1, IPC_NOWAIT)));
	report_outcome(fd, "perm.other.open.msgrcv",
		       TRY(0, msgrcv(c->open, &m, TEXT_MAX, 0, IPC_NOWAIT)));
	report_outcome(fd, "perm.other.open.ipc_stat", TRY(0, msgctl(c->open, IPC_STAT, &ds)));
	report_outcome(fd, "perm.other.open.ipc_rmid", TRY(0, msgctl(c->open, IPC_RMID, NULL)));
	return 0;
}

void perm_other(void)
{
	static const char *const expected[] = {
		"perm.other.cap_ipc_owner",
		"perm.other.closed.msgget_rw", "perm.other.closed.msgsnd",
		"perm.other.closed.msgrcv", "perm.other.closed.ipc_stat",
		"perm.other.closed.ipc_rmid",
		"perm.other.open.msgsnd", "perm.other.open.msgrcv",
		"perm.other.open.ipc_stat", "perm.other.open.ipc_rmid", NULL
	};
	struct other_case c;
	struct msqid_ds ds;
	int fds[2];
	pid_t pid;

	msgq_require();
	if (!have_cap(CAPBIT_SETUID) || !have_cap(CAPBIT_SETGID)) {
		for (int i = 0; expected[i]; i++)
			obs_skip(expected[i],
				 "becoming-another-user-needs-CAP_SETUID-and-CAP_SETGID");
		return;
	}
	c.closed_key = new_key("closed");
	c.closed = new_queue(c.closed_key, IPC_CREAT | IPC_EXCL | 0600);
	c.open = new_queue(IPC_PRIVATE, 0606);
	put(c.closed, 1, "x");
	/* the pipe's ends do not leak into exec'd peers */
	SETUP(pipe2(fds, O_CLOEXEC));
	c.report = fds[1];
	pid = spawn(other_user, &c);
	close(fds[1]);
	collect_reports(fds[0], pid, expected);
	/* IPC_RMID was refused: both queues are still there */
	obs_bool("perm.closed_still_exists", msgctl(c.closed, IPC_STAT, &ds) == 0);
	obs_bool("perm.open_still_exists", msgctl(c.open, IPC_STAT, &ds) == 0);
}
