/*
 * fault.h - what every file of the fault library shares: which fault is on,
 * and the real libc function behind a wrapper.  See fault.c.
 */
#ifndef IPCVM_FAULT_H
#define IPCVM_FAULT_H

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

/* the fault IPCVM_FAULT names ("" when none); set before main() runs */
extern const char *ipcvm_fault;
/* the probe's own process, as opposed to a helper it forked */
extern pid_t ipcvm_first_pid;
/* a probe started again as a peer (--peer): a process unrelated to it */
extern int ipcvm_in_peer;

static inline int is(const char *name)
{
	return strcmp(ipcvm_fault, name) == 0;
}

/* inside a wrapper: real_NAME, the function the wrapper hides */
#define REAL(ret, name, ...)                                              \
	static ret (*real_##name)(__VA_ARGS__);                           \
	if (!real_##name)                                                 \
		real_##name = (ret (*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name)

/* each family's file lists the faults it implements */
extern const char *const pipe_faults[];
extern const char *const sysv_faults[];
extern const char *const shm_faults[];
extern const char *const socket_faults[];
extern const char *const vm_faults[];

/*
 * Hooks: a family's faults that act through a call fault.c already wraps.
 * fault.c's wrapper calls the hook first; it returns 1 when it answered the
 * call itself (the result in *ret, errno set) and 0, doing nothing, when the
 * fault on is none of its own, so the pipe and FIFO faults are untouched.
 */
int sysv_open_hook(const char *path, int flags, int *ret);		/* sysv.c */
int socket_read_hook(int fd, void *buf, size_t len, ssize_t *ret);	/* socket.c */
int socket_write_hook(int fd, const void *buf, size_t len, ssize_t *ret); /* socket.c */
int shm_fopen_hook(const char *path, const char *mode, FILE **ret);	/* shm.c */

#endif
