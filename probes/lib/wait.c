/*
 * wait.c - waiting until another process is blocked, by watching
 * /proc/PID/stat (LTP's TST_PROCESS_STATE_WAIT), never by sleeping a
 * fixed time and hoping.
 */
#include "config.h"

#include <sys/syscall.h>
#include <time.h>

#include "probe.h"

static int is_call(long nr, long want)
{
	if (want < 0)
		return 1;
#ifdef SYS_ipc
	if (nr == SYS_ipc)	/* System V calls through the ipc() multiplexer */
		return 1;
#endif
	return nr == want;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int wait_blocked(pid_t pid, long nr)
{
	struct timespec tick = { 0, 1000000 };
	long long end = now_ms() + hang_ms();

	do {
		char state = proc_state(pid);
		long in = proc_syscall(pid);

		if ((state == 'S' || state == 'D') && (in == -2 || is_call(in, nr)))
			return 1;
		if (state == 0 || state == 'Z' || state == 'X')
			return 0;
		nanosleep(&tick, NULL);
	} while (now_ms() < end);
	return 0;
}
