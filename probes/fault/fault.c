/*
 * fault.c - lies a broken kernel or C library could tell, for proving that
 * the cases catch them.  Built as an LD_PRELOAD object; the harness loads it
 * into probe processes only (never the shell, Bats or make) when
 * IPCVM_FAULT names one fault.  harness/faults lists every fault with the
 * claims it must break; `make check-self` runs each and checks they do.
 *
 * Each fault is a small wrapper around the real call, found with
 * dlsym(RTLD_NEXT).  Calls that are not the fault's business pass through.
 * This file holds the pipe and FIFO faults and picks the fault; the other
 * families' faults live beside it (sysv.c, shm.c, socket.c, vm.c).
 */
#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"

/* ---- which fault --------------------------------------------------------- */

const char *const pipe_faults[] = {
	"pipe-bidirectional", "lseek-on-pipe", "short-write", "child-writes-lost",
	"eof-while-writer", "sigpipe-swallowed", "nonblock-ignored",
	"cloexec-ignored", "capacity-lie", "setpipe-exact", "setpipe-unlimited",
	"setpipe-max-refused", "pipe-buf-split", "pipe-buf-partial", "fionread-zero",
	"buffer-dies-with-writer", "own-bytes-hidden", "mkfifo-regular",
	"umask-ignored", "mkfifo-replaces", "fifo-open-never-waits",
	"fifo-enxio-lost", "fifo-nonblock-refused", "fifo-name-private",
	"fifo-stat-size", "fifo-rdwr-refused", "fifo-eof-early", "hang-read", "eof-as-error",
	"pipe-two-pages", "ndelay-zero", "fifo-nowriter-eagain",
	NULL,
};

const char *ipcvm_fault = "";
pid_t ipcvm_first_pid;
int ipcvm_in_peer;

__attribute__((constructor)) static void choose_fault(void)
{
	static const char *const *const families[] = {
		pipe_faults, sysv_faults, shm_faults, socket_faults, vm_faults,
	};
	const char *f = getenv("IPCVM_FAULT");
	char cmd[512];
	int fd;
	ssize_t n;

	if (!f || !*f)
		return;
	for (size_t k = 0; k < sizeof(families) / sizeof(families[0]); k++)
		for (int i = 0; families[k][i]; i++)
			if (strcmp(families[k][i], f) == 0)
				ipcvm_fault = families[k][i];
	if (!*ipcvm_fault) {
		fprintf(stderr, "ipcvm fault library: unknown fault '%s'\n", f);
		_exit(99);
	}
	ipcvm_first_pid = getpid();
	fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, cmd, sizeof(cmd) - 1);
		close(fd);
		for (ssize_t i = 0; n > 0 && i + 7 <= n; i++)
			if (memcmp(cmd + i, "--peer", 7) == 0)
				ipcvm_in_peer = 1;
	}
}

/* ---- what kind of descriptor ----------------------------------------- */

/* the probe itself, not a child or peer of it: the process the probe
 * started as, or the process of the section now running (the probe
 * library names it in IPCVM_SECTION_PID) */
static int ipcvm_is_probe(void)
{
	const char *s = getenv("IPCVM_SECTION_PID");

	if (ipcvm_in_peer)
		return 0;
	if (s && *s)
		return strtol(s, NULL, 10) == (long)getpid();
	return getpid() == ipcvm_first_pid;
}

static int fd_is_fifo(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

/* a FIFO with a name, as opposed to an anonymous pipe */
static int fd_is_named_fifo(int fd)
{
	char link[64], target[64];
	ssize_t n;

	if (!fd_is_fifo(fd))
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	return n > 0 && strncmp(target, "pipe:", 5) != 0;
}

/* the real stat(): the fifo-stat-size wrapper opens FIFOs, and open()
 * asks path_is_fifo(), which must not come back here */
static int real_stat_call(const char *path, struct stat *st)
{
	REAL(int, stat, const char *, struct stat *);
	return real_stat(path, st);
}

static int path_is_fifo(const char *path)
{
	struct stat st;

	return real_stat_call(path, &st) == 0 && S_ISFIFO(st.st_mode);
}

static ino_t fd_inode(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

/* ---- pipe() and pipe2() ------------------------------------------------ */

int pipe2(int fds[2], int flags)
{
	REAL(int, pipe2, int *, int);

	if (is("pipe-bidirectional")) {
		int type = SOCK_STREAM;

		if (flags & O_NONBLOCK)
			type |= SOCK_NONBLOCK;
		if (flags & O_CLOEXEC)
			type |= SOCK_CLOEXEC;
		return socketpair(AF_UNIX, type, 0, fds);
	}
	if (is("nonblock-ignored"))
		flags &= ~O_NONBLOCK;
	if (is("cloexec-ignored"))
		flags &= ~O_CLOEXEC;
	if (is("pipe-two-pages")) {
		/* every new pipe gets PIPE_MIN_DEF_BUFFERS, as if its user
		 * were past fs.pipe-user-pages-soft, yet may still grow */
		if (real_pipe2(fds, flags) == -1)
			return -1;
		fcntl(fds[1], F_SETPIPE_SZ, 2 * (int)sysconf(_SC_PAGESIZE));
		return 0;
	}
	return real_pipe2(fds, flags);
}

static int fd_nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl != -1 && (fl & O_NONBLOCK);
}

int pipe(int fds[2])
{
	return pipe2(fds, 0);
}

/* ---- write() ------------------------------------------------------------ */

static ino_t last_written;	/* own-bytes-hidden */

ssize_t write(int fd, const void *buf, size_t len)
{
	REAL(ssize_t, write, int, const void *, size_t);
	ssize_t hooked;

	if (*ipcvm_fault && socket_write_hook(fd, buf, len, &hooked))
		return hooked;
	if (!*ipcvm_fault || fd <= 2 || !fd_is_fifo(fd))
		return real_write(fd, buf, len);
	if (is("short-write") && len > 1)
		len--;
	if (is("child-writes-lost") && !ipcvm_is_probe())
		return (ssize_t)len;
	if (is("pipe-buf-partial") && len <= PIPE_BUF && fd_nonblocking(fd)) {
		/* a write of PIPE_BUF bytes or less that does not fit goes
		 * in part, as pipe(7) allows only above PIPE_BUF: the most
		 * that fits, found by asking for less and less */
		ssize_t r = real_write(fd, buf, len);

		for (size_t n = len - 1; r == -1 && errno == EAGAIN && n > 0; n--)
			r = real_write(fd, buf, n);
		return r;
	}
	if (is("ndelay-zero") && fd_nonblocking(fd)) {
		/* System V's O_NDELAY: a full pipe takes nothing and says 0 */
		ssize_t r = real_write(fd, buf, len);

		return r == -1 && errno == EAGAIN ? 0 : r;
	}
	if (is("pipe-buf-split") && len >= PIPE_BUF) {
		/* two halves with a pause between: another writer gets in */
		struct timespec pause = { 0, 2000000 };
		ssize_t a = real_write(fd, buf, len / 2), b;

		if (a <= 0)
			return a;
		nanosleep(&pause, NULL);
		b = real_write(fd, (const char *)buf + a, len - (size_t)a);
		return b < 0 ? a : a + b;
	}
	if (is("sigpipe-swallowed")) {
		sigset_t pipe_only, old;
		ssize_t r;
		int err;

		sigemptyset(&pipe_only);
		sigaddset(&pipe_only, SIGPIPE);
		sigprocmask(SIG_BLOCK, &pipe_only, &old);
		r = real_write(fd, buf, len);
		err = errno;
		if (r == -1 && err == EPIPE) {
			struct timespec now = { 0, 0 };

			sigtimedwait(&pipe_only, NULL, &now);
			r = (ssize_t)len;
		}
		sigprocmask(SIG_SETMASK, &old, NULL);
		errno = err;
		return r;
	}
	if (is("own-bytes-hidden"))
		last_written = fd_inode(fd);
	return real_write(fd, buf, len);
}

/* ---- read() ------------------------------------------------------------- */

static int reaped_a_child;	/* buffer-dies-with-writer */
static ino_t closed_writer;	/* fifo-eof-early */

ssize_t read(int fd, void *buf, size_t len)
{
	REAL(ssize_t, read, int, void *, size_t);
	ssize_t hooked;

	if (*ipcvm_fault && socket_read_hook(fd, buf, len, &hooked))
		return hooked;
	if (!*ipcvm_fault || fd <= 2 || !fd_is_fifo(fd))
		return real_read(fd, buf, len);
	if (is("hang-read") && !fd_is_named_fifo(fd)) {
		/* deaf to the probe's deadline: only the harness can stop this */
		sigset_t all;

		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, NULL);
		for (;;)
			pause();
	}
	if (is("eof-while-writer")) {
		int flags = fcntl(fd, F_GETFL);
		int queued = 0;

		if (ioctl(fd, FIONREAD, &queued) == 0 && queued == 0 &&
		    !(flags & O_NONBLOCK))
			return 0;
	}
	if (is("buffer-dies-with-writer") && reaped_a_child)
		return 0;
	if (is("own-bytes-hidden") && last_written && fd_inode(fd) == last_written) {
		errno = EAGAIN;
		return -1;
	}
	if (is("fifo-eof-early") && closed_writer && fd_inode(fd) == closed_writer)
		return 0;
	if (is("ndelay-zero") && fd_nonblocking(fd)) {
		/* System V's O_NDELAY: an empty pipe reads as end of file */
		ssize_t r = real_read(fd, buf, len);

		return r == -1 && errno == EAGAIN ? 0 : r;
	}
	if (is("fifo-nowriter-eagain") && fd_is_named_fifo(fd) && fd_nonblocking(fd)) {
		/* no writer: "try again" instead of end of file */
		ssize_t r = real_read(fd, buf, len);

		if (r == 0 && len > 0) {
			errno = EAGAIN;
			return -1;
		}
		return r;
	}
	if (is("eof-as-error")) {
		ssize_t r = real_read(fd, buf, len);

		if (r == 0 && len > 0) {
			errno = EIO;
			return -1;
		}
		return r;
	}
	return real_read(fd, buf, len);
}

int close(int fd)
{
	REAL(int, close, int);

	if (is("fifo-eof-early") && fd > 2 && fd_is_named_fifo(fd) &&
	    (fcntl(fd, F_GETFL) & O_ACCMODE) == O_WRONLY)
		closed_writer = fd_inode(fd);
	return real_close(fd);
}

pid_t waitpid(pid_t pid, int *status, int options)
{
	REAL(pid_t, waitpid, pid_t, int *, int);
	pid_t r = real_waitpid(pid, status, options);

	if (r > 0 && is("buffer-dies-with-writer"))
		reaped_a_child = 1;
	return r;
}

/* ---- lseek, fcntl, ioctl ------------------------------------------------- */

off_t lseek(int fd, off_t off, int whence)
{
	REAL(off_t, lseek, int, off_t, int);

	if (is("lseek-on-pipe") && fd_is_fifo(fd))
		return 0;
	return real_lseek(fd, off, whence);
}

int fcntl(int fd, int cmd, ...)
{
	REAL(int, fcntl, int, int, ...);
	va_list ap;
	long arg;
	int r;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);

	if (is("nonblock-ignored") && cmd == F_SETFL)
		arg &= ~(long)O_NONBLOCK;
	r = real_fcntl(fd, cmd, arg);
	if (cmd == F_GETPIPE_SZ && r > 0 && is("capacity-lie"))
		return r / 2;
	if (cmd == F_SETPIPE_SZ) {
		long long max = 0;
		FILE *f;

		if (is("setpipe-exact") && r > 0)
			return (int)arg;
		if (is("setpipe-unlimited") && r == -1)
			return (int)arg;
		if (is("setpipe-max-refused") && (f = fopen("/proc/sys/fs/pipe-max-size", "re"))) {
			if (fscanf(f, "%lld", &max) != 1)
				max = 0;
			fclose(f);
			if (max > 0 && arg >= max) {
				errno = EPERM;
				return -1;
			}
		}
	}
	return r;
}

int ioctl(int fd, unsigned long req, ...)
{
	REAL(int, ioctl, int, unsigned long, ...);
	va_list ap;
	void *arg;
	int r;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	r = real_ioctl(fd, req, arg);
	if (r == 0 && req == FIONREAD && is("fionread-zero"))
		*(int *)arg = 0;
	return r;
}


/* ---- mkfifo, open, stat ------------------------------------------------- */

int mkfifo(const char *path, mode_t mode)
{
	REAL(int, mkfifo, const char *, mode_t);

	if (is("mkfifo-regular")) {
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

		return fd == -1 ? -1 : close(fd);
	}
	if (is("mkfifo-replaces"))
		unlink(path);
	if (is("umask-ignored")) {
		if (real_mkfifo(path, mode) == -1)
			return -1;
		return chmod(path, mode);
	}
	return real_mkfifo(path, mode);
}

static int open_fault(const char *path, int flags)
{
	int acc = flags & O_ACCMODE;

	if (!*ipcvm_fault || !path_is_fifo(path))
		return flags;
	if (is("nonblock-ignored"))
		flags &= ~O_NONBLOCK;
	if (is("fifo-open-never-waits"))
		flags |= O_NONBLOCK;
	if (is("fifo-enxio-lost") && acc == O_WRONLY && (flags & O_NONBLOCK))
		flags = (flags & ~O_ACCMODE) | O_RDWR;
	if (is("fifo-nonblock-refused") && acc == O_RDONLY && (flags & O_NONBLOCK))
		return -ENXIO;
	if (is("fifo-name-private") && ipcvm_in_peer)
		return -ENOENT;
	if (is("fifo-rdwr-refused") && acc == O_RDWR)
		return -EINVAL;
	return flags;
}

int open(const char *path, int flags, ...)
{
	REAL(int, open, const char *, int, ...);
	va_list ap;
	mode_t mode;
	int hooked;

	va_start(ap, flags);
	mode = (mode_t)va_arg(ap, int);
	va_end(ap);
	if (*ipcvm_fault && sysv_open_hook(path, flags, &hooked))
		return hooked;
	flags = open_fault(path, flags);
	if (flags < 0) {
		errno = -flags;
		return -1;
	}
	return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = (mode_t)va_arg(ap, int);
	va_end(ap);
	return open(path, flags, mode);
}

int stat(const char *path, struct stat *st)
{
	int r = real_stat_call(path, st);

	if (r == 0 && is("fifo-stat-size") && S_ISFIFO(st->st_mode)) {
		REAL(int, open, const char *, int, ...);
		REAL(int, ioctl, int, unsigned long, ...);
		int fd = real_open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), queued = 0;

		if (fd >= 0) {
			if (real_ioctl(fd, FIONREAD, &queued) == 0)
				st->st_size = queued;
			close(fd);
		}
	}
	return r;
}

/* ---- fopen: a family may answer for a file (shm.c: /proc/sysvipc/shm) --- */

FILE *fopen(const char *path, const char *mode)
{
	REAL(FILE *, fopen, const char *, const char *);
	FILE *hooked;

	if (*ipcvm_fault && shm_fopen_hook(path, mode, &hooked))
		return hooked;
	return real_fopen(path, mode);
}
