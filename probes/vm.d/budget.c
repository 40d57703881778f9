/*
 * budget.c - the size of the notes' experiment: the notes' 512 MiB when
 * half of what MemAvailable, the memory cgroup and RLIMIT_AS/RLIMIT_DATA
 * leave is that much; else it runs scaled down and records the size used.
 * IPCVM_VM_MIB (a power of two, 16 to 512) asks for less on a slow
 * emulator, where each page fault costs tens of microseconds.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "vm.h"

/* a cgroup memory file: bytes, or -1 for "max"/unlimited/unreadable */
static long long cgroup_bytes(const char *dir, const char *file)
{
	char path[PATH_MAX];
	long long v;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (slurp(path) <= 0 || strncmp(text, "max", 3) == 0)
		return -1;
	v = strtoll(text, NULL, 10);
	return v >= (1LL << 60) ? -1 : v;	/* v1 writes "unlimited" as ~2^63 */
}

/* the smallest limit - usage from the cgroup of PATH up to its root */
static void cgroup_walk(const char *root, const char *cgpath, const char *max_file,
			const char *cur_file, long long *room)
{
	char dir[PATH_MAX];
	size_t rootlen;

	snprintf(dir, sizeof(dir), "%s%s", root, cgpath);
	rootlen = strlen(root);
	for (;;) {
		long long max = cgroup_bytes(dir, max_file);
		long long cur = cgroup_bytes(dir, cur_file);
		char *slash;

		if (max >= 0 && cur >= 0 && (*room < 0 || max - cur < *room))
			*room = max > cur ? max - cur : 0;
		slash = strrchr(dir + rootlen, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
}

/* headroom under every memory cgroup limit above this process, in bytes;
 * -1 when none is set.  cgroup v2 ("0::PATH") and v1 ("N:memory:PATH"). */
static long long cgroup_room(void)
{
	char lines[4096], *save = NULL;
	long long room = -1;

	if (slurp("/proc/self/cgroup") < 0)
		return -1;
	snprintf(lines, sizeof(lines), "%.4000s", text);
	for (char *l = strtok_r(lines, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *ctl = strchr(l, ':'), *path;

		if (!ctl || !(path = strchr(ctl + 1, ':')))
			continue;
		*path++ = '\0';
		ctl++;
		if (*ctl == '\0') {
			cgroup_walk("/sys/fs/cgroup", path, "memory.max", "memory.current", &room);
			cgroup_walk("/sys/fs/cgroup/unified", path, "memory.max", "memory.current", &room);
		} else if (strstr(ctl, "memory")) {
			cgroup_walk("/sys/fs/cgroup/memory", path, "memory.limit_in_bytes",
				    "memory.usage_in_bytes", &room);
		}
	}
	return room;
}

/* room left under a resource limit for a process that already uses USED */
static long long rlimit_room(int resource, long long used)
{
	struct rlimit rl;

	if (getrlimit(resource, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
		return -1;
	return (long long)rl.rlim_cur > used ? (long long)rl.rlim_cur - used : 0;
}

/* IPCVM_VM_MIB: a smaller size for the experiment, a power of two from
 * MIN_BYTES up; 0 when unset or not such a number */
static long long env_size_mib(void)
{
	const char *s = getenv("IPCVM_VM_MIB");
	char *end;
	long long v;

	if (!s || !*s)
		return 0;
	v = strtoll(s, &end, 10);
	if (*end || v * MIB < MIN_BYTES || v * MIB > NOTES_BYTES || (v & (v - 1)))
		return 0;
	return v;
}

/* The notes' 512 MiB when half of what the machine, its cgroup and this
 * process's limits leave is that much; else the largest power-of-two
 * fraction of it that fits; 0 when not even MIN_BYTES fits.  *LIMITED_BY
 * (may be NULL) gets the limit that made it smaller, or "none". */
long long budget_size(const char **limited_by)
{
	struct { const char *name; long long room; } limits[] = {
		{ "mem_available", meminfo_kib("MemAvailable") * KIB },
		{ "cgroup", cgroup_room() },
		{ "rlimit_as", rlimit_room(RLIMIT_AS, status_kib("VmSize") * KIB) },
		{ "rlimit_data", rlimit_room(RLIMIT_DATA, status_kib("VmData") * KIB) },
	};
	long long afford = -1, size = NOTES_BYTES;
	long long env_mib = env_size_mib();
	const char *by = "none";

	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
		if (limits[i].room >= 0 && (afford < 0 || limits[i].room / 2 < afford)) {
			afford = limits[i].room / 2;
			if (afford < NOTES_BYTES)
				by = limits[i].name;
		}
	while (afford >= 0 && size > afford && size > MIN_BYTES)
		size /= 2;
	if (afford >= 0 && size > afford)
		size = 0;
	/* a slow emulator may ask for less, as it may raise IPCVM_HANG_MS */
	if (env_mib > 0 && env_mib * MIB < size) {
		size = env_mib * MIB;
		by = "IPCVM_VM_MIB";
	}
	if (limited_by)
		*limited_by = size == NOTES_BYTES ? "none" : by;
	return size;
}

long long budget(void)
{
	const char *by;
	long long size = budget_size(&by);

	obs_int("budget.notes_size_kib", NOTES_BYTES / KIB);
	obs_int("budget.size_kib", size / KIB);
	obs_bool("budget.scaled", size != NOTES_BYTES);
	obs_str("budget.limited_by", by);
	return size;
}
