/*
 * blocking.c - empty and full queues: IPC_NOWAIT's refusals and the calls
 * that block without it, and a signal that ends a blocked msgrcv (msgop(2),
 * signal(7)).
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "msgq.h"

/* ---- empty and full queues: IPC_NOWAIT, and blocking --------------------- */

enum { FULL_QBYTES = 64 };

void blocking(void)
{
	struct outcome o;
	struct msg m;
	int id;

	msgq_require();
	/* IPC_NOWAIT and no message of the type asked for: a queue that holds
	 * only types 1-3, asked for type 4 */
	id = mixed_queue();
	obs_outcome("types.absent_type", recv_text(id, &m, TEXT_MAX - 1, 4, IPC_NOWAIT, 0));
	drop_queue(id);

	id = private_queue();
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

/* signal the helper only once it is seen asleep in msgrcv, then in read:
 * a signal sent before it sleeps would prove nothing (its results are then
 * not waited for, the helper is killed) */
static void interrupt(pid_t pid, int notify, int data)
{
	int seen = wait_blocked(pid, SYS_msgrcv);

	obs_bool("eintr.seen_blocked_in_msgrcv", seen);
	if (seen) {
		kill(pid, SIGUSR1);
		wait_byte(notify, hang_ms());
		seen = wait_blocked(pid, SYS_read);
		obs_bool("eintr.seen_blocked_in_read", seen);
	} else {
		obs_skip("eintr.seen_blocked_in_read", "the-helper-was-not-seen-blocked-in-msgrcv");
	}
	if (seen) {
		/* the byte goes in only after the handler ran: a read that
		 * returns it was restarted, not woken by the data */
		kill(pid, SIGUSR1);
		wait_byte(notify, hang_ms());
		signal_byte(data);
	} else {
		kill(pid, SIGKILL);
	}
}

void eintr(void)
{
	static const char *const expected[] = {
		"eintr.sa_restart_set", "eintr.msgrcv", "eintr.msgrcv_handler_ran",
		"eintr.control_read", "eintr.control_handler_ran", NULL
	};
	struct intr_case c;
	int report[2], notify[2], data[2];
	pid_t pid;

	msgq_require();
	c.id = private_queue();
	SETUP(pipe2(report, O_CLOEXEC));
	SETUP(pipe2(notify, O_CLOEXEC));
	SETUP(pipe2(data, O_CLOEXEC));
	c.report = report[1];
	c.notify = notify[1];
	c.data = data[0];
	pid = spawn(interrupted, &c);
	close(report[1]);
	close(notify[1]);
	close(data[0]);
	interrupt(pid, notify[0], data[1]);
	close(data[1]);
	collect_reports(report[0], pid, expected);
	close(notify[0]);
	drop_queue(c.id);
}
