/*
 * lock.c - a counter in a segment kept exact by a System V semaphore
 * (semop(2)), and the control that shows the lock is needed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shm.h"

/* ---- a counter under a semaphore (semop(2); the notes: shared memory
 * "needs locking, together with a semaphore") ---------------------------- */
/*
 * LOCK_PROCS children each add LOCK_INCREMENTS to a counter in the segment,
 * with a load, an add and a store, each between a semop that takes a
 * semaphore and one that gives it back.  In the locked run every child
 * uses semaphore 0, the lock.  In the control every child uses a semaphore
 * of its own (1 + its index): the same loop, the same system calls at the
 * same cost, but excluding no one.  The control must lose updates, or it
 * shows nothing about the lock: it runs again, up to NOLOCK_ROUNDS times,
 * until it loses one.  Where the children cannot run side by side (one
 * CPU), it may never lose one; cases/shm.bats skips then.  The locked run
 * and the control are sections of their own (lock, nolock).
 */

enum { LOCK_PROCS = 4, LOCK_INCREMENTS = 10000, NOLOCK_ROUNDS = 32 };

struct counter_child {
	volatile long *counter;
	int semid;
	int shared;		/* 1: everyone uses semaphore 0 (the lock) */
	unsigned short sem;	/* the semaphore this child uses, set before each fork */
	int gate[2];
};

static int lock_op(int semid, unsigned short sem, int op)
{
	struct sembuf sb = { sem, (short)op, SEM_UNDO };
	struct timespec ts = { hang_ms() / 1000, (hang_ms() % 1000) * 1000000L };

	/* bounded: a lost wake-up is a failed child, not a hang */
	return semtimedop(semid, &sb, 1, &ts);
}

static int counter_child(void *arg)
{
	struct counter_child *c = arg;

	close(c->gate[1]);
	if (wait_byte(c->gate[0], hang_ms()) != 0)	/* all start at EOF */
		return 1;
	for (int i = 0; i < LOCK_INCREMENTS; i++) {
		if (lock_op(c->semid, c->sem, -1) == -1)
			return 2;
		*c->counter = *c->counter + 1;	/* load, add, store: not atomic */
		if (lock_op(c->semid, c->sem, +1) == -1)
			return 3;
	}
	return 0;
}

/* the counter after LOCK_PROCS children each added LOCK_INCREMENTS;
 * *ALL_OK: every child exited 0 */
static long count_with(struct counter_child *c, int *all_ok)
{
	pid_t pids[LOCK_PROCS];

	*c->counter = 0;
	SETUP(pipe2(c->gate, O_CLOEXEC));
	for (int i = 0; i < LOCK_PROCS; i++) {
		c->sem = c->shared ? 0 : (unsigned short)(1 + i);
		pids[i] = spawn(counter_child, c);
	}
	close(c->gate[0]);
	close(c->gate[1]);	/* EOF: go */
	*all_ok = 1;
	for (int i = 0; i < LOCK_PROCS; i++) {
		int st = reap(pids[i], hang_ms());

		if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			*all_ok = 0;
	}
	return *c->counter;
}

/* semctl(2): the calling program must define this union; passing a bare
 * int for SETVAL works only where an int and the union are passed alike
 * (on 64-bit big-endian s390x every semaphore then started at 0) */
union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

/* 1 + LOCK_PROCS semaphores, each of value 1: the lock, and one for each
 * child of the control; removed at exit */
static int new_locks(void)
{
	union semun one = { .val = 1 };
	sigset_t old;
	int id, err;

	hold_signals(&old);
	id = semget(IPC_PRIVATE, 1 + LOCK_PROCS, IPC_CREAT | IPC_EXCL | 0600);
	err = errno;
	if (id != -1)
		cleanup_sem(id);
	release_signals(&old);
	if (id == -1)
		probe_fail("semget", err);
	for (int i = 0; i < 1 + LOCK_PROCS; i++)
		SETUP(semctl(id, i, SETVAL, one));
	return id;
}

/*
 * The end of a run: the segment and the semaphores removed here, not left
 * to the registry (each removal drops only its own kind's entry: a segment
 * and a semaphore set may have the same id, both 0 in a new IPC namespace).
 */
static void counter_done(int id, struct counter_child *c)
{
	sigset_t old;
	int err = 0;

	finish_attached(id, (const void *)c->counter);
	/* removed and out of the registry in one window, as sysv.c does */
	hold_signals(&old);
	if (semctl(c->semid, 0, IPC_RMID) == -1)
		err = errno;
	else
		cleanup_done_sem(c->semid);
	release_signals(&old);
	if (err)
		probe_fail("semctl IPC_RMID", err);
}

/* the counter's segment, attached (every child inherits it), and the
 * semaphores; TAKE_LOCK: every child takes the lock.  Returns the segment. */
static int counter_setup(struct counter_child *c, int take_lock)
{
	int id = new_private((size_t)page_size());

	c->counter = attach(id, 0);
	c->semid = new_locks();
	c->shared = take_lock;
	return id;
}

void lock(void)
{
	struct counter_child c;
	int ok, id = counter_setup(&c, 1);
	long total;

	obs_int("lock.processes_count", LOCK_PROCS);
	obs_int("lock.increments_each_count", LOCK_INCREMENTS);
	total = count_with(&c, &ok);
	obs_bool("lock.children_ok", ok);
	obs_int("lock.total_count", total);
	counter_done(id, &c);
}

/* the control: a semaphore each, so nothing excludes anyone.  On one CPU
 * it rarely races (a switch must fall between a load and its store): two
 * rounds show that, without 32 slow ones in an emulator */
void nolock(void)
{
	struct counter_child c;
	int ok, rounds = 0, ncpus, id = counter_setup(&c, 0);
	cpu_set_t cpus;
	long total, want = (long)LOCK_PROCS * LOCK_INCREMENTS;

	ncpus = sched_getaffinity(0, sizeof(cpus), &cpus) == 0 ? CPU_COUNT(&cpus) : 0;
	do {
		total = count_with(&c, &ok);
		rounds++;
	} while (ok && total == want && rounds < (ncpus >= 2 ? NOLOCK_ROUNDS : 2));
	obs_bool("nolock.children_ok", ok);
	/* the CPUs the children could run on */
	obs_int("nolock.cpus_count", ncpus);
	obs_int("nolock.rounds_count", rounds);
	obs_int("nolock.lost_count", want - total);
	obs_bool("nolock.lost_updates", total < want);
	counter_done(id, &c);
}
