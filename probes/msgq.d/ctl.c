/*
 * ctl.c - msgctl: the msqid_ds bookkeeping of a new queue and after msgsnd
 * and msgrcv, IPC_SET of msg_qbytes, and IPC_RMID (msgctl(2), msgop(2)).
 */
#include "config.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "msgq.h"

/* T was set between LO and HI (one second of slack for the clock's edge) */
static int in_window(time_t t, time_t lo, time_t hi)
{
	return t != 0 && t >= lo - 1 && t <= hi + 1;
}

/* ---- msqid_ds bookkeeping: new (part of the limits section) ------------ */

void stat_new(void)
{
	struct msqid_ds ds;
	time_t t0, t1;
	int id;

	t0 = time(NULL);
	id = private_queue();
	t1 = time(NULL);
	stat_queue(id, &ds);
	obs_int("stat.new.qnum_count", (long long)ds.msg_qnum);
	obs_int("stat.new.cbytes_bytes", (long long)ds.msg_cbytes);
	obs_int("stat.new.qbytes_bytes", (long long)ds.msg_qbytes);
	obs_bool("stat.new.lspid_zero", ds.msg_lspid == 0);
	obs_bool("stat.new.lrpid_zero", ds.msg_lrpid == 0);
	obs_bool("stat.new.stime_zero", ds.msg_stime == 0);
	obs_bool("stat.new.rtime_zero", ds.msg_rtime == 0);
	obs_bool("stat.new.ctime_is_creation", in_window(ds.msg_ctime, t0, t1));
	drop_queue(id);
}

/* ---- msqid_ds bookkeeping: after msgsnd, after msgrcv ------------------- */

static int send_one(void *arg)
{
	return send_text(*(int *)arg, 1, "hello", IPC_NOWAIT).ret == 0 ? 0 : 1;
}

static int recv_one(void *arg)
{
	struct msg m;

	return recv_text(*(int *)arg, &m, TEXT_MAX - 1, 0, IPC_NOWAIT, 0).ret == 5 ? 0 : 1;
}

void stat_use(void)
{
	struct msqid_ds ds;
	time_t t0, t1;
	pid_t sender, receiver;
	int id;

	msgq_require();
	id = private_queue();

	/* one process sends 5 bytes */
	t0 = time(NULL);
	sender = spawn(send_one, &id);
	obs_int("stat.sender_exit", status_code(reap(sender, hang_ms())));
	t1 = time(NULL);
	stat_queue(id, &ds);
	obs_int("stat.sent.qnum_count", (long long)ds.msg_qnum);
	obs_int("stat.sent.cbytes_bytes", (long long)ds.msg_cbytes);
	obs_bool("stat.sent.lspid_is_sender", ds.msg_lspid == sender);
	obs_bool("stat.sent.stime_is_send", in_window(ds.msg_stime, t0, t1));
	obs_bool("stat.sent.lrpid_zero", ds.msg_lrpid == 0);
	obs_bool("stat.sent.rtime_zero", ds.msg_rtime == 0);

	/* another process receives it */
	t0 = time(NULL);
	receiver = spawn(recv_one, &id);
	obs_int("stat.receiver_exit", status_code(reap(receiver, hang_ms())));
	t1 = time(NULL);
	stat_queue(id, &ds);
	obs_int("stat.received.qnum_count", (long long)ds.msg_qnum);
	obs_int("stat.received.cbytes_bytes", (long long)ds.msg_cbytes);
	obs_bool("stat.received.lrpid_is_receiver", ds.msg_lrpid == receiver);
	obs_bool("stat.received.rtime_is_receive", in_window(ds.msg_rtime, t0, t1));
	obs_bool("stat.received.lspid_is_sender", ds.msg_lspid == sender);
	drop_queue(id);
}

/* ---- IPC_SET and msg_qbytes (part of the limits section) --------------- */

void set_limits(long long msgmnb)
{
	struct msqid_ds ds;
	int id = private_queue();

	obs_bool("set.cap_sys_resource", have_cap(CAPBIT_SYS_RESOURCE));
	stat_queue(id, &ds);
	ds.msg_qbytes = (unsigned long)msgmnb / 2;
	obs_outcome("set.lower", TRY(0, msgctl(id, IPC_SET, &ds)));
	stat_queue(id, &ds);
	obs_int("set.lowered_qbytes_bytes", (long long)ds.msg_qbytes);
	/* back up to msgmnb is allowed; one byte more needs CAP_SYS_RESOURCE */
	ds.msg_qbytes = (unsigned long)msgmnb;
	obs_outcome("set.raise_to_msgmnb", TRY(0, msgctl(id, IPC_SET, &ds)));
	ds.msg_qbytes = (unsigned long)msgmnb + 1;
	obs_outcome("set.raise_above_msgmnb", TRY(0, msgctl(id, IPC_SET, &ds)));
	stat_queue(id, &ds);
	obs_int("set.final_qbytes_bytes", (long long)ds.msg_qbytes);
	drop_queue(id);
}

/* ---- IPC_RMID: gone at once, and a blocked receiver wakes --------------- */

struct waiter { int id; int report; };

static int blocked_receiver(void *arg)
{
	struct waiter *w = arg;
	struct msg m;

	report_outcome(w->report, "rmid.blocked_receiver",
		       recv_text(w->id, &m, TEXT_MAX - 1, 0, 0, hang_ms()));
	return 0;
}

void removal(void)
{
	static const char *const expected[] = { "rmid.blocked_receiver", NULL };
	struct msqid_ds ds;
	struct waiter w;
	int fds[2], id;
	key_t key;
	pid_t pid;

	msgq_require();
	key = new_key("rmid");
	id = new_queue(key, IPC_CREAT | IPC_EXCL | 0600);
	put(id, 1, "still-queued");	/* queued messages do not delay removal */
	obs_outcome("rmid.result", sysv_msgrmid(id));
	obs_outcome("rmid.get_by_key", sysv_msgget(key, 0600));
	obs_outcome("rmid.send_old_id", send_text(id, 1, "x", IPC_NOWAIT));
	obs_outcome("rmid.stat_old_id", TRY(0, msgctl(id, IPC_STAT, &ds)));

	w.id = private_queue();
	SETUP(pipe2(fds, O_CLOEXEC));
	w.report = fds[1];
	pid = spawn(blocked_receiver, &w);
	close(fds[1]);
	obs_bool("rmid.receiver_seen_blocked", wait_blocked(pid, SYS_msgrcv));
	sysv_msgrmid(w.id);
	collect_reports(fds[0], pid, expected);
}
