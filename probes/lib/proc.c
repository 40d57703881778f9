/*
 * proc.c - numeric readers of /proc and /sys files, and what /proc says
 * about another process (its state letter, the system call it sleeps in).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"

/* up to SIZE - 1 bytes of PATH, NUL-terminated; the length, or -1 */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return n;
}

long long read_ll_file(const char *path)
{
	char buf[64];

	if (read_small(path, buf, sizeof(buf)) < 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

int read_ull_file(const char *path, unsigned long long *v)
{
	char buf[64];

	if (read_small(path, buf, sizeof(buf)) < 0)
		return -1;
	errno = 0;
	*v = strtoull(buf, NULL, 10);
	return errno ? -1 : 0;
}

char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return 0;
	/* the name in parentheses may hold anything: the state follows the last ')' */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

long proc_syscall(pid_t pid)
{
	char path[64], buf[256];

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return -2;
	if (buf[0] < '0' || buf[0] > '9')
		return -1;	/* "running", or "-1 ..." outside a call */
	return strtol(buf, NULL, 10);
}
