/*
 * sysv.c - System V IPC objects a probe makes: keys no other object uses,
 * and creation and removal kept in step with the cleanup registry.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/shm.h>
#include <unistd.h>

#include "probe.h"

/* is KEY the key of an object listed in /proc/sysvipc/WHAT? */
static int key_listed(const char *what, key_t key)
{
	char path[64], line[512];
	FILE *f;
	int in_use = 0;
	long long k;

	snprintf(path, sizeof(path), "/proc/sysvipc/%s", what);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f))	/* the header */
		while (!in_use && fgets(line, sizeof(line), f))
			if (sscanf(line, "%lld", &k) == 1 && (key_t)k == key)
				in_use = 1;
	fclose(f);
	return in_use;
}

int sysv_key_in_use(key_t key)
{
	return key_listed("msg", key) || key_listed("shm", key) || key_listed("sem", key);
}

key_t sysv_fresh_key(const char *name, int proj, char *path, size_t size)
{
	char own[PATH_MAX];

	if (!path) {
		path = own;
		size = sizeof(own);
	}
	for (int i = 0, tries = 0; tries < 32 && i < 4096; i++) {
		char leaf[64];
		sigset_t old;
		key_t key;
		int fd;

		snprintf(leaf, sizeof(leaf), "%s.%d", name, i);
		scratch_path(path, size, leaf);
		/* a signal that arrives during open() is handled as it returns:
		 * the file must be registered before that can happen */
		hold_signals(&old);
		fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
		if (fd != -1)
			cleanup_unlink(path);
		release_signals(&old);
		if (fd == -1 && errno == EEXIST)
			continue;	/* NAME.I made by an earlier call */
		if (fd == -1)
			probe_fail("open of a key file", errno);
		close(fd);
		tries++;
		key = ftok(path, proj);
		if (key == -1)
			probe_fail("ftok", errno);
		if (!sysv_key_in_use(key))
			return key;
	}
	probe_fail("ftok gave only keys already in use", EEXIST);
}

/* CALL with every signal held and, when it worked, THEN in the same
 * window (THEN may read h_, the call's outcome) */
#define HELD(call, then)                              \
	__extension__({                               \
		sigset_t old_;                        \
		struct outcome h_;                    \
		hold_signals(&old_);                  \
		h_ = TRY(0, call);                    \
		if (h_.ret != -1)                     \
			then;                         \
		release_signals(&old_);               \
		h_;                                   \
	})

struct outcome sysv_msgget(key_t key, int flags)
{
	return HELD(msgget(key, flags), cleanup_msgq((int)h_.ret));
}

struct outcome sysv_shmget(key_t key, size_t size, int flags)
{
	return HELD(shmget(key, size, flags), cleanup_shm((int)h_.ret));
}

struct outcome sysv_msgrmid(int id)
{
	return HELD(msgctl(id, IPC_RMID, NULL), cleanup_done_msgq(id));
}

struct outcome sysv_shmrmid(int id)
{
	return HELD(shmctl(id, IPC_RMID, NULL), cleanup_done_shm(id));
}
