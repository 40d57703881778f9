/*
 * sysctl.c - numeric kernel parameters under /proc/sys, named as sysctl(8)
 * names them ("kernel.msgmax" or "kernel/msgmax").
 */
#include "config.h"

#include <stdio.h>

#include "probe.h"

/* /proc/sys/NAME with the dots of NAME made slashes */
static void sysctl_path(char *path, size_t size, const char *name)
{
	snprintf(path, size, "/proc/sys/%s", name);
	for (char *p = path + sizeof("/proc/sys/") - 1; *p; p++)
		if (*p == '.')
			*p = '/';
}

long long sysctl_read(const char *name)
{
	char path[256];

	sysctl_path(path, sizeof(path), name);
	return read_ll_file(path);
}

int sysctl_read_ull(const char *name, unsigned long long *v)
{
	char path[256];

	sysctl_path(path, sizeof(path), name);
	return read_ull_file(path, v);
}

int sysctl_write(const char *name, long long value)
{
	char path[256], text[32];

	sysctl_path(path, sizeof(path), name);
	snprintf(text, sizeof(text), "%lld\n", value);
	return write_text_file(path, text);
}
