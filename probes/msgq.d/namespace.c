/*
 * namespace.c - the limits in a private IPC namespace, lowered: msgmni,
 * msgmax and msgmnb written there and followed by msgget, msgsnd, IPC_INFO
 * and MSG_INFO (ipc_namespaces(7), proc(5)).
 */
#include "config.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "msgq.h"
#include "names.h"

/* limits written inside the private IPC namespace: small, and unlike any
 * default, so a check that passes follows the configured value */
enum { NS_MSGMNI = 8, NS_MSGMAX = 100, NS_MSGMNB = 300 };

/* ---- limits in a private IPC namespace, lowered ------------------------- */
/*
 * A helper enters a new user + IPC namespace (unprivileged where user
 * namespaces are allowed), where /proc/sys/kernel/msg* are its own and
 * start from the kernel's defaults (ipc_namespaces(7)).  It writes small
 * limits there and shows msgget, msgsnd and IPC_INFO follow them, so the
 * machine's own msgmni is never exhausted.  Its queues die with the
 * namespace when it exits, so it needs no cleanup registry.
 */

static const char *const ns_expected[] = {
	"ns.default.msgmax_bytes", "ns.default.msgmnb_bytes", "ns.default.msgmni_count",
	"ns.msgmni.requested_count", "ns.msgmni.readback_count", "ns.msgmni.info_count",
	"ns.msgmni.created_count", "ns.msgmni.next",
	"ns.msgmax.requested_bytes", "ns.msgmax.readback_bytes", "ns.msgmax.info_bytes",
	"ns.msgmax.send_at_max", "ns.msgmax.send_above_max",
	"ns.msgmnb.requested_bytes", "ns.msgmnb.readback_bytes", "ns.msgmnb.info_bytes",
	"ns.msgmnb.new_queue_qbytes_bytes", "ns.msgmnb.filled_bytes",
	"ns.msgmnb.one_more_byte", "ns.msgmnb.zero_length_count",
	"ns.msgmnb.zero_length_next",
	"ns.msg_info.made_queues_count", "ns.msg_info.queues_count",
	"ns.msg_info.made_messages_count", "ns.msg_info.messages_count",
	"ns.msg_info.made_bytes", "ns.msg_info.bytes",
	NULL
};

/* write NAME=VALUE, its outcome as observation OBS; on failure record why
 * and skip DEPENDENT */
static int ns_set(int fd, const char *name, const char *obs, long long value,
		  const char *const dependent[])
{
	char why[96];
	int err = sysctl_write(name, value);

	report_errno(fd, obs, err);
	if (!err)
		return 1;
	snprintf(why, sizeof(why), "writing-%s-in-a-user-and-IPC-namespace-failed-%s",
		 name, errno_name(err));
	for (int i = 0; dependent[i]; i++)
		report_skip(fd, dependent[i], why);
	return 0;
}

static int ns_queue(void)
{
	return (int)SETUP(msgget(IPC_PRIVATE, 0600));
}

static void ns_msgmni(int fd)
{
	static const char *const dep[] = {
		"ns.msgmni.requested_count", "ns.msgmni.readback_count",
		"ns.msgmni.info_count", "ns.msgmni.created_count", "ns.msgmni.next", NULL
	};
	int ids[4 * NS_MSGMNI], n = 0;
	struct outcome o = { 0, 0, 0 };

	if (!ns_set(fd, "kernel.msgmni", "ns.msgmni.write", NS_MSGMNI, dep))
		return;
	report_int(fd, "ns.msgmni.requested_count", NS_MSGMNI);
	report_int(fd, "ns.msgmni.readback_count", sysctl_read("kernel.msgmni"));
	report_int(fd, "ns.msgmni.info_count", ipc_info(IPC_INFO).msgmni);
	while (n < 4 * NS_MSGMNI) {
		o = TRY(0, msgget(IPC_PRIVATE, 0600));
		if (o.ret == -1)
			break;
		ids[n++] = (int)o.ret;
	}
	report_int(fd, "ns.msgmni.created_count", n);
	report_outcome(fd, "ns.msgmni.next", o);
	while (n > 0)
		msgctl(ids[--n], IPC_RMID, NULL);
}

static void ns_msgmax(int fd)
{
	static const char *const dep[] = {
		"ns.msgmax.requested_bytes", "ns.msgmax.readback_bytes", "ns.msgmax.info_bytes",
		"ns.msgmax.send_at_max", "ns.msgmax.send_above_max", NULL
	};
	struct msg *m;
	int id;

	if (!ns_set(fd, "kernel.msgmax", "ns.msgmax.write", NS_MSGMAX, dep))
		return;
	report_int(fd, "ns.msgmax.requested_bytes", NS_MSGMAX);
	report_int(fd, "ns.msgmax.readback_bytes", sysctl_read("kernel.msgmax"));
	report_int(fd, "ns.msgmax.info_bytes", ipc_info(IPC_INFO).msgmax);
	m = big_msg(NS_MSGMAX + 1);
	id = ns_queue();
	report_outcome(fd, "ns.msgmax.send_at_max", TRY(0, msgsnd(id, m, NS_MSGMAX, IPC_NOWAIT)));
	report_outcome(fd, "ns.msgmax.send_above_max",
		    TRY(0, msgsnd(id, m, NS_MSGMAX + 1, IPC_NOWAIT)));
	free(m);
	msgctl(id, IPC_RMID, NULL);
}

static void ns_msgmnb(int fd)
{
	static const char *const dep[] = {
		"ns.msgmnb.requested_bytes", "ns.msgmnb.readback_bytes", "ns.msgmnb.info_bytes",
		"ns.msgmnb.new_queue_qbytes_bytes", "ns.msgmnb.filled_bytes",
		"ns.msgmnb.one_more_byte", "ns.msgmnb.zero_length_count",
		"ns.msgmnb.zero_length_next", NULL
	};
	struct msg m = { .mtype = 1 };
	struct msqid_ds ds;
	struct outcome o;
	long long bytes;
	int id;

	if (!ns_set(fd, "kernel.msgmnb", "ns.msgmnb.write", NS_MSGMNB, dep))
		return;
	report_int(fd, "ns.msgmnb.requested_bytes", NS_MSGMNB);
	report_int(fd, "ns.msgmnb.readback_bytes", sysctl_read("kernel.msgmnb"));
	report_int(fd, "ns.msgmnb.info_bytes", ipc_info(IPC_INFO).msgmnb);

	/* a new queue takes its msg_qbytes from this namespace's msgmnb and
	 * holds that many bytes (100-byte messages: 300 = 3 of them) */
	id = ns_queue();
	stat_queue(id, &ds);
	report_int(fd, "ns.msgmnb.new_queue_qbytes_bytes", (long long)ds.msg_qbytes);
	bytes = fill(id, 100, NS_MSGMNB, &o);
	report_int(fd, "ns.msgmnb.filled_bytes", bytes);
	report_outcome(fd, "ns.msgmnb.one_more_byte", TRY(0, msgsnd(id, &m, 1, IPC_NOWAIT)));
	msgctl(id, IPC_RMID, NULL);

	/* and as many zero-length messages */
	id = ns_queue();
	report_int(fd, "ns.msgmnb.zero_length_count", fill_count(id, 4 * NS_MSGMNB, &o));
	report_outcome(fd, "ns.msgmnb.zero_length_next", o);
	msgctl(id, IPC_RMID, NULL);
}

/* MSG_INFO counts what exists in the namespace: nothing else lives here */
static void ns_msg_info(int fd)
{
	struct msg m = { .mtype = 1 };
	struct msginfo mi;
	int a = ns_queue(), b = ns_queue();

	SETUP(msgsnd(a, &m, 20, IPC_NOWAIT));
	SETUP(msgsnd(a, &m, 20, IPC_NOWAIT));
	SETUP(msgsnd(b, &m, 20, IPC_NOWAIT));
	mi = ipc_info(MSG_INFO);
	report_int(fd, "ns.msg_info.made_queues_count", 2);
	report_int(fd, "ns.msg_info.queues_count", mi.msgpool);
	report_int(fd, "ns.msg_info.made_messages_count", 3);
	report_int(fd, "ns.msg_info.messages_count", mi.msgmap);
	report_int(fd, "ns.msg_info.made_bytes", 60);
	report_int(fd, "ns.msg_info.bytes", mi.msgtql);
	msgctl(a, IPC_RMID, NULL);
	msgctl(b, IPC_RMID, NULL);
}

static int in_namespace(void *arg)
{
	int fd = *(int *)arg, err, map_err = 0;

	/* a user namespace makes it possible without privilege; where they
	 * are forbidden, CAP_SYS_ADMIN can still make the IPC namespace */
	err = ns_enter_user(CLONE_NEWIPC, &map_err);
	if (!err) {
		if (map_err) {
			report_reason(fd, "could-not-map-root-in-the-new-user-namespace");
			return 0;
		}
		report_str(fd, "ns.method", "user_and_ipc");
	} else if (have_cap(CAPBIT_SYS_ADMIN) && unshare(CLONE_NEWIPC) == 0) {
		report_str(fd, "ns.method", "ipc_only");
	} else {
		char why[96];

		snprintf(why, sizeof(why), "unshare-CLONE_NEWUSER-CLONE_NEWIPC-failed-%s",
			 errno_name(err));
		report_reason(fd, why);
		report_errno(fd, "ns.unshare", err);
		return 0;
	}
	report_str(fd, "ns.unshare", "OK");
	report_int(fd, "ns.default.msgmax_bytes", sysctl_read("kernel.msgmax"));
	report_int(fd, "ns.default.msgmnb_bytes", sysctl_read("kernel.msgmnb"));
	report_int(fd, "ns.default.msgmni_count", sysctl_read("kernel.msgmni"));
	ns_msgmni(fd);
	ns_msgmax(fd);
	ns_msgmnb(fd);
	ns_msg_info(fd);
	return 0;
}

void namespace_limits(void)
{
	int fds[2];
	pid_t pid;

	msgq_require();
	obs_writer_global_root();
	/* the pipe's ends do not leak into exec'd peers */
	SETUP(pipe2(fds, O_CLOEXEC));
	pid = spawn(in_namespace, &fds[1]);
	close(fds[1]);
	collect_reports(fds[0], pid, ns_expected);
}

