/*
 * msgq.c - what the kernel does with System V message queues: msgget and
 * keys, permissions, the msqid_ds bookkeeping, IPC_SET and IPC_RMID, message
 * order and types, blocking and IPC_NOWAIT, signals, MSG_COPY, and the
 * limits msgmax / msgmnb / msgmni enforced at their boundaries, on this
 * machine and in a private IPC namespace with lowered limits.  Records only;
 * cases/msgq.bats judges.
 *
 * Every queue is IPC_PRIVATE or has a key from ftok() on a file in the
 * probe's scratch directory, checked unused in /proc/sysvipc/msg, so two
 * runs at once never meet.  Every queue is registered for removal the moment
 * it exists, with signals blocked in between.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"
#include "names.h"

const char PROBE_NAME[] = "msgq";

#ifndef MSG_COPY
#define MSG_COPY 040000		/* Linux 3.8, <linux/msg.h> */
#endif

/* capability bits (capabilities(7)); <linux/capability.h> clashes with libc */
enum {
	CAPBIT_SETGID = 6,
	CAPBIT_SETUID = 7,
	CAPBIT_IPC_OWNER = 15,
	CAPBIT_SYS_ADMIN = 21,
	CAPBIT_SYS_RESOURCE = 24,
};

/* the ftok() project id of every key this probe makes */
enum { PROJ = 'q' };
/* the uid and gid a child drops to for "another user" */
enum { OTHER_ID = 65534 };

/* limits written inside the private IPC namespace: small, and unlike any
 * default, so a check that passes follows the configured value */
enum { NS_MSGMNI = 8, NS_MSGMAX = 100, NS_MSGMNB = 300 };

/* a message as msgop(2) describes it */
enum { TEXT_MAX = 64, MIN_MSGMNB = 128 };
struct msg {
	long mtype;
	char mtext[TEXT_MAX];
};

/* ---- queues: made and removed with signals held (sysv.c) -------------- */

static int new_queue(key_t key, int flags)
{
	struct outcome o = sysv_msgget(key, flags);

	if (o.ret == -1)
		probe_fail("msgget", o.err);
	return (int)o.ret;
}

static int private_queue(void)
{
	return new_queue(IPC_PRIVATE, 0600);
}

static void drop_queue(int id)
{
	struct outcome o = sysv_msgrmid(id);

	if (o.ret == -1)
		probe_fail("msgctl IPC_RMID", o.err);
}

static void stat_queue(int id, struct msqid_ds *ds)
{
	SETUP(msgctl(id, IPC_STAT, ds));
}

static void set_qbytes(int id, unsigned long bytes)
{
	struct msqid_ds ds;

	stat_queue(id, &ds);
	ds.msg_qbytes = bytes;
	SETUP(msgctl(id, IPC_SET, &ds));
}

/* ---- keys unique to the run (sysv.c) ---------------------------------- */

static key_t fresh_key(const char *name, char *path, size_t size)
{
	return sysv_fresh_key(name, PROJ, path, size);
}

static key_t new_key(const char *name)
{
	return sysv_fresh_key(name, PROJ, NULL, 0);
}

/* ---- messages ------------------------------------------------------------ */

static struct outcome send_text(int id, long type, const char *text, int flags)
{
	struct msg m = { .mtype = type };
	size_t len = strlen(text);

	memcpy(m.mtext, text, len);
	return TRY(hang_ms(), msgsnd(id, &m, len, flags));
}

static void put(int id, long type, const char *text)
{
	struct outcome o = send_text(id, type, text, IPC_NOWAIT);

	if (o.ret == -1)
		probe_fail("msgsnd", o.err);
}

/* receive into M as a NUL-terminated string; the outcome's ret is the length */
static struct outcome recv_text(int id, struct msg *m, size_t size, long type,
				int flags, int ms)
{
	struct outcome o;

	memset(m, 0, sizeof(*m));
	o = TRY(ms, msgrcv(id, m, size, type, flags));
	if (o.ret >= 0 && (size_t)o.ret < sizeof(m->mtext))
		m->mtext[o.ret] = '\0';
	return o;
}

/* the text received, or the errno / TIMEOUT token */
static void obs_received(const char *name, struct outcome o, const struct msg *m)
{
	if (o.ret == -1)
		obs_outcome(name, o);
	else
		obs_str(name, o.ret > 0 ? m->mtext : "empty");
}

/* a zero-filled message buffer for LEN bytes of text */
static struct msg *big_msg(size_t len)
{
	struct msg *m = calloc(1, sizeof(struct msg) + len);

	if (!m)
		probe_fail("calloc", errno);
	m->mtype = 1;
	return m;
}

/* send LEN-byte messages with IPC_NOWAIT until the queue refuses one;
 * returns the bytes accepted, *LAST gets the refusal */
static long long fill(int id, size_t len, long long max_msgs, struct outcome *last)
{
	struct msg *m = big_msg(len);
	long long bytes = 0;

	for (long long i = 0; i < max_msgs; i++) {
		*last = TRY(0, msgsnd(id, m, len, IPC_NOWAIT));
		if (last->ret == -1)
			break;
		bytes += (long long)len;
	}
	free(m);
	return bytes;
}

/* zero-length messages until refused; returns how many went in */
static long long fill_count(int id, long long max_msgs, struct outcome *last)
{
	struct msg m = { .mtype = 1 };
	long long n = 0;

	while (n < max_msgs) {
		*last = TRY(0, msgsnd(id, &m, 0, IPC_NOWAIT));
		if (last->ret == -1)
			break;
		n++;
	}
	return n;
}

static struct msginfo ipc_info(int cmd)
{
	struct msginfo mi;

	memset(&mi, 0, sizeof(mi));
	SETUP(msgctl(0, cmd, (struct msqid_ds *)(void *)&mi));
	return mi;
}

/* ---- helpers report to the probe through a pipe (report.c) ------------- */

/* a pipe whose ends do not leak into exec'd peers */
static void make_pipe(int fds[2])
{
	SETUP(pipe2(fds, O_CLOEXEC));
}

/* ---- peers: separate programs that know only a path --------------------- */

/* argv: keyuser PATH.  Finds the queue from ftok(PATH) alone, takes the
 * type-1 request and answers "got-" + it as type 2.  Exit 0, or 100+. */
static int peer_keyuser(int argc, char **argv)
{
	struct msg m;
	char reply[TEXT_MAX + 8];
	key_t key;
	int id;

	if (argc != 2)
		return 100;
	key = ftok(argv[1], PROJ);
	if (key == -1)
		return 101;
	id = msgget(key, 0600);		/* no IPC_CREAT: it must exist */
	if (id == -1)
		return 102;
	if (recv_text(id, &m, TEXT_MAX - 1, 1, 0, hang_ms()).ret < 0)
		return 103;
	snprintf(reply, sizeof(reply), "got-%.32s", m.mtext);
	if (send_text(id, 2, reply, 0).ret == -1)
		return 104;
	return 0;
}

const struct peer_role probe_peers[] = {
	{ "keyuser", peer_keyuser },
	{ 0 },
};

/* ---- msgget: keys, IPC_CREAT, IPC_EXCL, IPC_PRIVATE (msgget(2)) -------- */

static void getting(void)
{
	key_t key = new_key("get"), other = new_key("excl");
	struct outcome a, b, c;

	obs_outcome("get.unused_key", sysv_msgget(key, 0600));
	a = sysv_msgget(key, IPC_CREAT | 0600);
	obs_outcome("get.creat", a);
	b = sysv_msgget(key, IPC_CREAT | 0600);
	c = sysv_msgget(key, 0600);
	obs_bool("get.same_id_with_creat", a.ret != -1 && b.ret == a.ret);
	obs_bool("get.same_id_without_creat", a.ret != -1 && c.ret == a.ret);
	obs_outcome("get.excl_existing", sysv_msgget(key, IPC_CREAT | IPC_EXCL | 0600));
	obs_outcome("get.excl_new", sysv_msgget(other, IPC_CREAT | IPC_EXCL | 0600));

	/* IPC_PRIVATE needs no IPC_CREAT and never finds an old queue */
	a = sysv_msgget(IPC_PRIVATE, 0600);
	b = sysv_msgget(IPC_PRIVATE, 0600);
	obs_outcome("get.private.first", a);
	obs_outcome("get.private.second", b);
	obs_bool("get.private.distinct_ids", a.ret != -1 && b.ret != -1 && a.ret != b.ret);
}

/* ---- errno after a call that succeeded (errno(3)) ----------------------- */

/*
 * The notes test errno after msgget without looking at its return value.
 * A failed msgget sets errno; a later msgget that succeeds leaves it as it
 * was, so the notes' `if (errno == ENOENT)` reports a missing queue that
 * was just created.
 */
static void stale_errno(void)
{
	key_t key = new_key("stale");
	struct outcome o;
	sigset_t old;
	int id, after;

	o = sysv_msgget(key, 0600);
	obs_outcome("stale.failed_call", o);
	errno = o.err;		/* as the failed call left it */
	hold_signals(&old);
	id = msgget(key, IPC_CREAT | 0600);	/* no TRY: it would reset errno */
	after = errno;
	if (id != -1)
		cleanup_msgq(id);
	release_signals(&old);
	obs_str("stale.successful_call", id == -1 ? errno_name(after) : "OK");
	obs_errno("stale.errno_after_success", after);
	obs_bool("stale.notes_check_says_missing", id != -1 && after == ENOENT);
}

/* ---- the key is the bridge between unrelated processes (notes) ---------- */

static void bridge(void)
{
	char path[PATH_MAX];
	const char *args[] = { path, NULL };
	key_t key = fresh_key("bridge", path, sizeof(path));
	int id = new_queue(key, IPC_CREAT | IPC_EXCL | 0600);
	struct msg m;
	pid_t peer;

	put(id, 1, "ping");
	peer = spawn_peer("keyuser", args);
	obs_received("bridge.reply", recv_text(id, &m, TEXT_MAX - 1, 2, 0, hang_ms()), &m);
	obs_int("bridge.peer_exit", status_code(reap(peer, hang_ms())));
}

/* ---- permissions: msg_perm.mode, and another user (msgctl(2)) ----------- */

static void perm_mode(void)
{
	key_t key = new_key("mode");
	int flags = IPC_CREAT | IPC_EXCL | 0640;
	mode_t old = umask(077);	/* shows the umask plays no part */
	struct msqid_ds ds;
	char s[16];
	int id;

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

static void perm_other(void)
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
	make_pipe(fds);
	c.report = fds[1];
	pid = spawn(other_user, &c);
	close(fds[1]);
	collect_reports(fds[0], pid, expected);
	/* IPC_RMID was refused: both queues are still there */
	obs_bool("perm.closed_still_exists", msgctl(c.closed, IPC_STAT, &ds) == 0);
	obs_bool("perm.open_still_exists", msgctl(c.open, IPC_STAT, &ds) == 0);
}

/* ---- msqid_ds bookkeeping: new, after msgsnd, after msgrcv -------------- */

static int send_one(void *arg)
{
	return send_text(*(int *)arg, 1, "hello", IPC_NOWAIT).ret == 0 ? 0 : 1;
}

static int recv_one(void *arg)
{
	struct msg m;

	return recv_text(*(int *)arg, &m, TEXT_MAX - 1, 0, IPC_NOWAIT, 0).ret == 5 ? 0 : 1;
}

/* T was set between LO and HI (one second of slack for the clock's edge) */
static int in_window(time_t t, time_t lo, time_t hi)
{
	return t != 0 && t >= lo - 1 && t <= hi + 1;
}

static void stat_fields(void)
{
	struct msqid_ds ds;
	time_t t0, t1;
	pid_t sender, receiver;
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

/* ---- IPC_SET and msg_qbytes (msgctl(2)) --------------------------------- */

static void set_limits(long long msgmnb)
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

static void removal(void)
{
	static const char *const expected[] = { "rmid.blocked_receiver", NULL };
	key_t key = new_key("rmid");
	int id = new_queue(key, IPC_CREAT | IPC_EXCL | 0600);
	struct msqid_ds ds;
	struct waiter w;
	int fds[2];
	pid_t pid;

	put(id, 1, "still-queued");	/* queued messages do not delay removal */
	obs_outcome("rmid.result", sysv_msgrmid(id));
	obs_outcome("rmid.get_by_key", sysv_msgget(key, 0600));
	obs_outcome("rmid.send_old_id", send_text(id, 1, "x", IPC_NOWAIT));
	obs_outcome("rmid.stat_old_id", TRY(0, msgctl(id, IPC_STAT, &ds)));

	w.id = private_queue();
	make_pipe(fds);
	w.report = fds[1];
	pid = spawn(blocked_receiver, &w);
	close(fds[1]);
	obs_bool("rmid.receiver_seen_blocked", wait_blocked(pid, SYS_msgrcv));
	sysv_msgrmid(w.id);
	collect_reports(fds[0], pid, expected);
}

/* ---- order and message types (msgop(2)) --------------------------------- */

enum { FIFO_MSGS = 32 };

static void fifo_order(void)
{
	int id = private_queue(), in_order = 0;
	char text[16];
	struct msg m;

	for (int i = 0; i < FIFO_MSGS; i++) {
		snprintf(text, sizeof(text), "m%02d", i);
		put(id, 5, text);
	}
	for (int i = 0; i < FIFO_MSGS; i++) {
		snprintf(text, sizeof(text), "m%02d", i);
		if (recv_text(id, &m, TEXT_MAX - 1, 5, IPC_NOWAIT, 0).ret < 0 ||
		    strcmp(m.mtext, text) != 0)
			break;
		in_order++;
	}
	obs_int("fifo.sent_count", FIFO_MSGS);
	obs_int("fifo.received_in_order_count", in_order);
	drop_queue(id);
}

/* a queue holding, in order: type 3 "3a", 2 "2a", 1 "1a", 2 "2b", 1 "1b" */
static const struct { long type; const char *text; } mixed[] = {
	{ 3, "3a" }, { 2, "2a" }, { 1, "1a" }, { 2, "2b" }, { 1, "1b" },
};

static int mixed_queue(void)
{
	int id = private_queue();

	for (size_t i = 0; i < sizeof(mixed) / sizeof(mixed[0]); i++)
		put(id, mixed[i].type, mixed[i].text);
	return id;
}

/* one receive from a fresh mixed queue: its text (observation TEXT_NAME),
 * and its type (MTYPE_NAME) */
static void select_one(const char *text_name, const char *mtype_name, long type, int flags)
{
	struct msg m;
	int id = mixed_queue();
	struct outcome o = recv_text(id, &m, TEXT_MAX - 1, type, flags | IPC_NOWAIT, 0);

	obs_received(text_name, o, &m);
	if (o.ret == -1)
		obs_outcome(mtype_name, o);
	else
		obs_int(mtype_name, m.mtype);
	drop_queue(id);
}

static void types(void)
{
	int id;

	char sent[64] = "";

	/* the probe's input, for the report: the texts in the order sent */
	for (size_t i = 0; i < sizeof(mixed) / sizeof(mixed[0]); i++) {
		if (i > 0)
			strcat(sent, "-");
		strcat(sent, mixed[i].text);
	}
	obs_str("types.sent", sent);
	select_one("types.typ0.text", "types.typ0.mtype", 0, 0);
	select_one("types.typ2.text", "types.typ2.mtype", 2, 0);
	select_one("types.typ_minus2.text", "types.typ_minus2.mtype", -2, 0);
	select_one("types.except3.text", "types.except3.mtype", 3, MSG_EXCEPT);

	struct msg m;

	id = mixed_queue();
	obs_outcome("types.absent_type", recv_text(id, &m, TEXT_MAX - 1, 4, IPC_NOWAIT, 0));
	obs_outcome("send.mtype_zero", send_text(id, 0, "x", IPC_NOWAIT));
	obs_outcome("send.mtype_negative", send_text(id, -1, "x", IPC_NOWAIT));
	drop_queue(id);
}

/* ---- a receive buffer that is too small: E2BIG or MSG_NOERROR ---------- */

static void truncation(void)
{
	int id = private_queue();
	struct msqid_ds ds;
	struct msg m;
	struct outcome o;

	put(id, 1, "0123456789");
	obs_outcome("e2big.recv", recv_text(id, &m, 4, 0, IPC_NOWAIT, 0));
	stat_queue(id, &ds);
	obs_int("e2big.qnum_after_count", (long long)ds.msg_qnum);
	o = recv_text(id, &m, 4, 0, IPC_NOWAIT | MSG_NOERROR, 0);
	if (o.ret >= 0)
		m.mtext[4] = '\0';	/* what was copied, nothing beyond */
	obs_int("noerror.recv_bytes", o.ret);
	obs_received("noerror.data", o, &m);
	stat_queue(id, &ds);
	obs_int("noerror.qnum_after_count", (long long)ds.msg_qnum);
	obs_outcome("noerror.rest", recv_text(id, &m, TEXT_MAX - 1, 0, IPC_NOWAIT, 0));
	drop_queue(id);
}

/* ---- empty and full queues: IPC_NOWAIT, and blocking --------------------- */

enum { FULL_QBYTES = 64 };

static void blocking(void)
{
	int id = private_queue();
	struct outcome o;
	struct msg m;

	obs_outcome("nowait.empty_recv", recv_text(id, &m, TEXT_MAX - 1, 0, IPC_NOWAIT, 0));
	obs_outcome("block.empty_recv", recv_text(id, &m, TEXT_MAX - 1, 0, 0, block_ms()));

	set_qbytes(id, FULL_QBYTES);
	fill(id, FULL_QBYTES, 1, &o);
	obs_outcome("full.fill", o);
	obs_outcome("nowait.full_send", send_text(id, 1, "x", IPC_NOWAIT));
	m.mtype = 1;
	obs_outcome("block.full_send", TRY(block_ms(), msgsnd(id, &m, 1, 0)));
	drop_queue(id);
}

/* ---- a signal ends a blocked msgrcv with EINTR, SA_RESTART or not ------- */
/*
 * The blocked call is in a helper, so the probe can look at it from outside:
 * it waits until /proc shows the helper asleep inside msgrcv, and only then
 * sends SIGUSR1, whose handler was installed with SA_RESTART.  (TRY()'s own
 * SIGALRM has no SA_RESTART, so it cannot show this.)  As a control, the
 * same handler then interrupts a blocked read() on a pipe, which SA_RESTART
 * does restart (signal(7)): the read goes on and returns the byte the probe
 * writes once it knows the handler ran.
 */
static volatile sig_atomic_t usr1_seen;
static int usr1_notify = -1;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_seen = 1;
	if (usr1_notify != -1)
		(void)!write(usr1_notify, "h", 1);
}

struct intr_case { int id; int report; int notify; int data; };

static int interrupted(void *arg)
{
	struct intr_case *c = arg;
	struct sigaction sa, now;
	struct outcome o;
	struct msg m;
	char byte;

	usr1_notify = c->notify;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR1, NULL, &now);
	report_bool(c->report, "eintr.sa_restart_set", (now.sa_flags & SA_RESTART) != 0);

	usr1_seen = 0;
	report_outcome(c->report, "eintr.msgrcv", recv_text(c->id, &m, TEXT_MAX - 1, 0, 0, hang_ms()));
	report_bool(c->report, "eintr.msgrcv_handler_ran", usr1_seen);

	usr1_seen = 0;
	o = TRY(hang_ms(), read(c->data, &byte, 1));
	report_outcome(c->report, "eintr.control_read", o);
	report_bool(c->report, "eintr.control_handler_ran", usr1_seen);
	return 0;
}

static void signals(void)
{
	static const char *const expected[] = {
		"eintr.sa_restart_set", "eintr.msgrcv", "eintr.msgrcv_handler_ran",
		"eintr.control_read", "eintr.control_handler_ran", NULL
	};
	struct intr_case c;
	int report[2], notify[2], data[2], seen;
	pid_t pid;

	c.id = private_queue();
	make_pipe(report);
	make_pipe(notify);
	make_pipe(data);
	c.report = report[1];
	c.notify = notify[1];
	c.data = data[0];
	pid = spawn(interrupted, &c);
	close(report[1]);
	close(notify[1]);
	close(data[0]);

	/* a signal sent before the helper sleeps in msgrcv would prove
	 * nothing: its results are then not waited for */
	seen = wait_blocked(pid, SYS_msgrcv);
	obs_bool("eintr.seen_blocked_in_msgrcv", seen);
	if (seen) {
		kill(pid, SIGUSR1);
		wait_byte(notify[0], hang_ms());
		seen = wait_blocked(pid, SYS_read);
		obs_bool("eintr.seen_blocked_in_read", seen);
	} else {
		obs_skip("eintr.seen_blocked_in_read", "the-helper-was-not-seen-blocked-in-msgrcv");
	}
	if (seen) {
		/* the byte goes in only after the handler ran: a read that
		 * returns it was restarted, not woken by the data */
		kill(pid, SIGUSR1);
		wait_byte(notify[0], hang_ms());
		signal_byte(data[1]);
	} else {
		kill(pid, SIGKILL);
	}
	close(data[1]);
	collect_reports(report[0], pid, expected);
	close(notify[0]);
	drop_queue(c.id);
}

/* ---- MSG_COPY (msgop(2), Linux 3.8, CONFIG_CHECKPOINT_RESTORE) ---------- */

static void copying(void)
{
	static const char *const names[] = {
		"copy.index1.text", "copy.qnum_after_count", "copy.past_end",
		"copy.without_nowait", "copy.with_except", NULL
	};
	struct msqid_ds ds;
	struct msg m;
	int id = mixed_queue();
	struct outcome o = recv_text(id, &m, TEXT_MAX - 1, 1, MSG_COPY | IPC_NOWAIT, 0);

	obs_outcome("copy.first_try", o);
	if (o.ret == -1 && o.err == ENOSYS) {
		for (int i = 0; names[i]; i++)
			obs_skip(names[i],
				 "MSG_COPY-needs-a-kernel-with-CONFIG_CHECKPOINT_RESTORE");
		drop_queue(id);
		return;
	}
	obs_received("copy.index1.text", o, &m);
	stat_queue(id, &ds);
	obs_int("copy.qnum_after_count", (long long)ds.msg_qnum);
	obs_outcome("copy.past_end",
		    recv_text(id, &m, TEXT_MAX - 1, 5, MSG_COPY | IPC_NOWAIT, 0));
	/* before Linux 3.14 this blocked: bounded, so it shows as TIMEOUT */
	obs_outcome("copy.without_nowait",
		    recv_text(id, &m, TEXT_MAX - 1, 9, MSG_COPY, block_ms()));
	obs_outcome("copy.with_except",
		    recv_text(id, &m, TEXT_MAX - 1, 1, MSG_COPY | MSG_EXCEPT | IPC_NOWAIT, 0));
	drop_queue(id);
}

/* ---- limits on this machine: msgmax, msg_qbytes, the count limit -------- */

/* the largest queue the probe fills byte by byte, or message by message */
enum { FILL_BYTES_MAX = 1 << 20, FILL_COUNT_MAX = 1 << 16, COUNT_QBYTES = 12 };

static void limits(long long msgmax, long long msgmnb, long long msgmni)
{
	struct msginfo mi = ipc_info(IPC_INFO);
	struct outcome o;
	int id;

	obs_int("limit.msgmax_bytes", msgmax);
	obs_int("limit.msgmnb_bytes", msgmnb);
	obs_int("limit.msgmni_count", msgmni);
	obs_int("info.msgmax_bytes", mi.msgmax);
	obs_int("info.msgmnb_bytes", mi.msgmnb);
	obs_int("info.msgmni_count", mi.msgmni);

	/* a message of exactly msgmax bytes, then one byte more */
	if (msgmax <= 0 || msgmax > FILL_BYTES_MAX) {
		obs_skip("limit.send_msgmax", "msgmax-unreadable-or-above-1MiB");
		obs_skip("limit.send_msgmax_plus_one", "msgmax-unreadable-or-above-1MiB");
	} else {
		struct msg *m = big_msg((size_t)msgmax + 1);

		id = private_queue();
		if (msgmax > msgmnb)
			obs_skip("limit.send_msgmax", "msgmax-exceeds-msgmnb-so-no-queue-holds-it");
		else
			obs_outcome("limit.send_msgmax",
				    TRY(0, msgsnd(id, m, (size_t)msgmax, IPC_NOWAIT)));
		obs_outcome("limit.send_msgmax_plus_one",
			    TRY(0, msgsnd(id, m, (size_t)msgmax + 1, IPC_NOWAIT)));
		free(m);
		drop_queue(id);
	}

	/* bytes: with msg_qbytes lowered to Q, messages go in until the next
	 * would pass Q; a message that fills it exactly still goes in.  The
	 * chunk must not divide Q, or whole chunks fill it and no chunk is
	 * refused (msgmax 100, 125, 200 or 250, or a small msgmnb): take the
	 * largest size up to min(msgmax, 300) below Q that does not */
	long long q = msgmnb < 1000 ? msgmnb : 1000;
	long long chunk = msgmax < 300 ? msgmax : 300;

	if (chunk >= q)
		chunk = q > 1 ? q - 1 : 1;
	while (chunk > 1 && q % chunk == 0)
		chunk--;
	id = private_queue();
	set_qbytes(id, (unsigned long)q);
	long long bytes = fill(id, (size_t)chunk, q, &o);
	obs_outcome("qbytes.chunk_refused", o);
	if (bytes < q) {
		bytes += fill(id, (size_t)(q - bytes), 1, &o);
		obs_outcome("qbytes.remainder", o);
	} else {
		/* only where every size divides Q: msgmax 1, or msgmnb below 3 */
		obs_skip("qbytes.remainder", "msgmax-or-msgmnb-too-small-for-a-chunk-that-does-not-divide-msg_qbytes");
	}
	obs_int("qbytes.set_bytes", q);
	obs_int("qbytes.filled_bytes", bytes);
	obs_outcome("qbytes.one_more_byte", send_text(id, 1, "x", IPC_NOWAIT));
	drop_queue(id);

	/* count: zero-length messages until refused, with msg_qbytes lowered */
	id = private_queue();
	set_qbytes(id, COUNT_QBYTES);
	obs_int("count.set_qbytes_bytes", COUNT_QBYTES);
	obs_int("count.zero_length_accepted_count", fill_count(id, 10 * COUNT_QBYTES, &o));
	obs_outcome("count.next", o);
	drop_queue(id);
}

/*
 * What a fresh queue holds, measured on this machine: the numbers the notes'
 * "64k, 16 messages" are set beside.  Bytes: msgmax-sized messages (at most
 * 1 KiB each) and then the remainder; messages: zero-length ones.
 */
static void default_queue(long long msgmax, long long msgmnb)
{
	struct outcome o;
	long long bytes;
	int id;

	if (msgmnb <= 0 || msgmnb > FILL_BYTES_MAX || msgmax <= 0) {
		obs_skip("default_queue.capacity_bytes", "msgmnb-unreadable-or-above-1MiB");
	} else {
		long long chunk = msgmax < 1024 ? msgmax : 1024;

		/* then single bytes: the last chunk that did not fit */
		id = private_queue();
		bytes = fill(id, (size_t)chunk, msgmnb, &o);
		bytes += fill(id, 1, chunk, &o);
		obs_int("default_queue.capacity_bytes", bytes);
		drop_queue(id);
	}
	if (msgmnb <= 0 || msgmnb > FILL_COUNT_MAX) {
		obs_skip("default_queue.zero_length_messages_count",
			 "msgmnb-unreadable-or-above-65536");
		return;
	}
	id = private_queue();
	obs_int("default_queue.zero_length_messages_count", fill_count(id, msgmnb + 10, &o));
	obs_outcome("default_queue.zero_length_next", o);
	drop_queue(id);
}

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


static void namespace_limits(void)
{
	int fds[2];
	pid_t pid;

	obs_writer_global_root();
	make_pipe(fds);
	pid = spawn(in_namespace, &fds[1]);
	close(fds[1]);
	collect_reports(fds[0], pid, ns_expected);
}

void probe_main(void)
{
	long long msgmax = sysctl_read("kernel.msgmax");
	long long msgmnb = sysctl_read("kernel.msgmnb");
	long long msgmni = sysctl_read("kernel.msgmni");
	sigset_t old;

	if (msgmnb <= 0 || msgmax <= 0)
		probe_skip("proc-sys-kernel-msgmax-or-msgmnb-unreadable-no-System-V-IPC");
	/* the probe's own messages: up to TEXT_MAX bytes each, several queued
	 * at once (measured: msgmax 64 and msgmnb 100 suffice, 20 or 64 do not) */
	if (msgmax < TEXT_MAX || msgmnb < MIN_MSGMNB)
		probe_skip("msgmax-below-64-or-msgmnb-below-128-bytes-too-small-for-the-messages-of-the-probe");
	/* scratch_dir() registers its directory after mkdtemp returns; a
	 * SIGINT that lands during mkdtemp would be handled in between */
	hold_signals(&old);
	scratch_dir();
	release_signals(&old);
	getting();
	stale_errno();
	bridge();
	perm_mode();
	perm_other();
	stat_fields();
	set_limits(msgmnb);
	removal();
	fifo_order();
	types();
	truncation();
	blocking();
	signals();
	copying();
	limits(msgmax, msgmnb, msgmni);
	default_queue(msgmax, msgmnb);
	namespace_limits();
}
