/*
 * names.c - symbolic names for errno values and signals, so observations
 * say EAGAIN rather than 11 (the numbers differ between architectures).
 * Written out rather than taken from strerrorname_np(), which old and
 * non-glibc C libraries lack.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>

#include "names.h"

struct name { int value; const char *name; };

static const struct name errnos[] = {
#ifdef EPERM
	{ EPERM, "EPERM" },
#endif
#ifdef ENOENT
	{ ENOENT, "ENOENT" },
#endif
#ifdef ESRCH
	{ ESRCH, "ESRCH" },
#endif
#ifdef EINTR
	{ EINTR, "EINTR" },
#endif
#ifdef EIO
	{ EIO, "EIO" },
#endif
#ifdef ENXIO
	{ ENXIO, "ENXIO" },
#endif
#ifdef E2BIG
	{ E2BIG, "E2BIG" },
#endif
#ifdef ENOEXEC
	{ ENOEXEC, "ENOEXEC" },
#endif
#ifdef EBADF
	{ EBADF, "EBADF" },
#endif
#ifdef ECHILD
	{ ECHILD, "ECHILD" },
#endif
#ifdef EAGAIN
	{ EAGAIN, "EAGAIN" },
#endif
#ifdef ENOMEM
	{ ENOMEM, "ENOMEM" },
#endif
#ifdef EACCES
	{ EACCES, "EACCES" },
#endif
#ifdef EFAULT
	{ EFAULT, "EFAULT" },
#endif
#ifdef ENOTBLK
	{ ENOTBLK, "ENOTBLK" },
#endif
#ifdef EBUSY
	{ EBUSY, "EBUSY" },
#endif
#ifdef EEXIST
	{ EEXIST, "EEXIST" },
#endif
#ifdef EXDEV
	{ EXDEV, "EXDEV" },
#endif
#ifdef ENODEV
	{ ENODEV, "ENODEV" },
#endif
#ifdef ENOTDIR
	{ ENOTDIR, "ENOTDIR" },
#endif
#ifdef EISDIR
	{ EISDIR, "EISDIR" },
#endif
#ifdef EINVAL
	{ EINVAL, "EINVAL" },
#endif
#ifdef ENFILE
	{ ENFILE, "ENFILE" },
#endif
#ifdef EMFILE
	{ EMFILE, "EMFILE" },
#endif
#ifdef ENOTTY
	{ ENOTTY, "ENOTTY" },
#endif
#ifdef ETXTBSY
	{ ETXTBSY, "ETXTBSY" },
#endif
#ifdef EFBIG
	{ EFBIG, "EFBIG" },
#endif
#ifdef ENOSPC
	{ ENOSPC, "ENOSPC" },
#endif
#ifdef ESPIPE
	{ ESPIPE, "ESPIPE" },
#endif
#ifdef EROFS
	{ EROFS, "EROFS" },
#endif
#ifdef EMLINK
	{ EMLINK, "EMLINK" },
#endif
#ifdef EPIPE
	{ EPIPE, "EPIPE" },
#endif
#ifdef EDOM
	{ EDOM, "EDOM" },
#endif
#ifdef ERANGE
	{ ERANGE, "ERANGE" },
#endif
#ifdef EDEADLK
	{ EDEADLK, "EDEADLK" },
#endif
#ifdef ENAMETOOLONG
	{ ENAMETOOLONG, "ENAMETOOLONG" },
#endif
#ifdef ENOLCK
	{ ENOLCK, "ENOLCK" },
#endif
#ifdef ENOSYS
	{ ENOSYS, "ENOSYS" },
#endif
#ifdef ENOTEMPTY
	{ ENOTEMPTY, "ENOTEMPTY" },
#endif
#ifdef ELOOP
	{ ELOOP, "ELOOP" },
#endif
#ifdef ENOMSG
	{ ENOMSG, "ENOMSG" },
#endif
#ifdef EIDRM
	{ EIDRM, "EIDRM" },
#endif
#ifdef ENOSTR
	{ ENOSTR, "ENOSTR" },
#endif
#ifdef ENODATA
	{ ENODATA, "ENODATA" },
#endif
#ifdef ETIME
	{ ETIME, "ETIME" },
#endif
#ifdef ENOSR
	{ ENOSR, "ENOSR" },
#endif
#ifdef EREMOTE
	{ EREMOTE, "EREMOTE" },
#endif
#ifdef ENOLINK
	{ ENOLINK, "ENOLINK" },
#endif
#ifdef EPROTO
	{ EPROTO, "EPROTO" },
#endif
#ifdef EBADMSG
	{ EBADMSG, "EBADMSG" },
#endif
#ifdef EOVERFLOW
	{ EOVERFLOW, "EOVERFLOW" },
#endif
#ifdef EILSEQ
	{ EILSEQ, "EILSEQ" },
#endif
#ifdef EUSERS
	{ EUSERS, "EUSERS" },
#endif
#ifdef ENOTSOCK
	{ ENOTSOCK, "ENOTSOCK" },
#endif
#ifdef EDESTADDRREQ
	{ EDESTADDRREQ, "EDESTADDRREQ" },
#endif
#ifdef EMSGSIZE
	{ EMSGSIZE, "EMSGSIZE" },
#endif
#ifdef EPROTOTYPE
	{ EPROTOTYPE, "EPROTOTYPE" },
#endif
#ifdef ENOPROTOOPT
	{ ENOPROTOOPT, "ENOPROTOOPT" },
#endif
#ifdef EPROTONOSUPPORT
	{ EPROTONOSUPPORT, "EPROTONOSUPPORT" },
#endif
#ifdef ESOCKTNOSUPPORT
	{ ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT" },
#endif
#ifdef EOPNOTSUPP
	{ EOPNOTSUPP, "EOPNOTSUPP" },
#endif
#ifdef EPFNOSUPPORT
	{ EPFNOSUPPORT, "EPFNOSUPPORT" },
#endif
#ifdef EAFNOSUPPORT
	{ EAFNOSUPPORT, "EAFNOSUPPORT" },
#endif
#ifdef EADDRINUSE
	{ EADDRINUSE, "EADDRINUSE" },
#endif
#ifdef EADDRNOTAVAIL
	{ EADDRNOTAVAIL, "EADDRNOTAVAIL" },
#endif
#ifdef ENETDOWN
	{ ENETDOWN, "ENETDOWN" },
#endif
#ifdef ENETUNREACH
	{ ENETUNREACH, "ENETUNREACH" },
#endif
#ifdef ENETRESET
	{ ENETRESET, "ENETRESET" },
#endif
#ifdef ECONNABORTED
	{ ECONNABORTED, "ECONNABORTED" },
#endif
#ifdef ECONNRESET
	{ ECONNRESET, "ECONNRESET" },
#endif
#ifdef ENOBUFS
	{ ENOBUFS, "ENOBUFS" },
#endif
#ifdef EISCONN
	{ EISCONN, "EISCONN" },
#endif
#ifdef ENOTCONN
	{ ENOTCONN, "ENOTCONN" },
#endif
#ifdef ESHUTDOWN
	{ ESHUTDOWN, "ESHUTDOWN" },
#endif
#ifdef ETOOMANYREFS
	{ ETOOMANYREFS, "ETOOMANYREFS" },
#endif
#ifdef ETIMEDOUT
	{ ETIMEDOUT, "ETIMEDOUT" },
#endif
#ifdef ECONNREFUSED
	{ ECONNREFUSED, "ECONNREFUSED" },
#endif
#ifdef EHOSTDOWN
	{ EHOSTDOWN, "EHOSTDOWN" },
#endif
#ifdef EHOSTUNREACH
	{ EHOSTUNREACH, "EHOSTUNREACH" },
#endif
#ifdef EALREADY
	{ EALREADY, "EALREADY" },
#endif
#ifdef EINPROGRESS
	{ EINPROGRESS, "EINPROGRESS" },
#endif
#ifdef ESTALE
	{ ESTALE, "ESTALE" },
#endif
#ifdef EDQUOT
	{ EDQUOT, "EDQUOT" },
#endif
#ifdef ECANCELED
	{ ECANCELED, "ECANCELED" },
#endif
#ifdef EOWNERDEAD
	{ EOWNERDEAD, "EOWNERDEAD" },
#endif
#ifdef ENOTRECOVERABLE
	{ ENOTRECOVERABLE, "ENOTRECOVERABLE" },
#endif
#ifdef ERFKILL
	{ ERFKILL, "ERFKILL" },
#endif
#ifdef EHWPOISON
	{ EHWPOISON, "EHWPOISON" },
#endif
};

static const struct name signals[] = {
#ifdef SIGHUP
	{ SIGHUP, "SIGHUP" },
#endif
#ifdef SIGINT
	{ SIGINT, "SIGINT" },
#endif
#ifdef SIGQUIT
	{ SIGQUIT, "SIGQUIT" },
#endif
#ifdef SIGILL
	{ SIGILL, "SIGILL" },
#endif
#ifdef SIGTRAP
	{ SIGTRAP, "SIGTRAP" },
#endif
#ifdef SIGABRT
	{ SIGABRT, "SIGABRT" },
#endif
#ifdef SIGBUS
	{ SIGBUS, "SIGBUS" },
#endif
#ifdef SIGFPE
	{ SIGFPE, "SIGFPE" },
#endif
#ifdef SIGKILL
	{ SIGKILL, "SIGKILL" },
#endif
#ifdef SIGUSR1
	{ SIGUSR1, "SIGUSR1" },
#endif
#ifdef SIGSEGV
	{ SIGSEGV, "SIGSEGV" },
#endif
#ifdef SIGUSR2
	{ SIGUSR2, "SIGUSR2" },
#endif
#ifdef SIGPIPE
	{ SIGPIPE, "SIGPIPE" },
#endif
#ifdef SIGALRM
	{ SIGALRM, "SIGALRM" },
#endif
#ifdef SIGTERM
	{ SIGTERM, "SIGTERM" },
#endif
#ifdef SIGSTKFLT
	{ SIGSTKFLT, "SIGSTKFLT" },
#endif
#ifdef SIGCHLD
	{ SIGCHLD, "SIGCHLD" },
#endif
#ifdef SIGCONT
	{ SIGCONT, "SIGCONT" },
#endif
#ifdef SIGSTOP
	{ SIGSTOP, "SIGSTOP" },
#endif
#ifdef SIGTSTP
	{ SIGTSTP, "SIGTSTP" },
#endif
#ifdef SIGTTIN
	{ SIGTTIN, "SIGTTIN" },
#endif
#ifdef SIGTTOU
	{ SIGTTOU, "SIGTTOU" },
#endif
#ifdef SIGURG
	{ SIGURG, "SIGURG" },
#endif
#ifdef SIGXCPU
	{ SIGXCPU, "SIGXCPU" },
#endif
#ifdef SIGXFSZ
	{ SIGXFSZ, "SIGXFSZ" },
#endif
#ifdef SIGVTALRM
	{ SIGVTALRM, "SIGVTALRM" },
#endif
#ifdef SIGPROF
	{ SIGPROF, "SIGPROF" },
#endif
#ifdef SIGWINCH
	{ SIGWINCH, "SIGWINCH" },
#endif
#ifdef SIGIO
	{ SIGIO, "SIGIO" },
#endif
#ifdef SIGPWR
	{ SIGPWR, "SIGPWR" },
#endif
#ifdef SIGSYS
	{ SIGSYS, "SIGSYS" },
#endif
};

static const char *lookup(const struct name *t, size_t n, int v,
			  const char *prefix, char *buf, size_t size)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == v)
			return t[i].name;
	snprintf(buf, size, "%s%d", prefix, v);
	return buf;
}

const char *errno_name(int err)
{
	static char buf[32];

	/* EWOULDBLOCK == EAGAIN and EDEADLOCK == EDEADLK on Linux: the table
	 * holds the POSIX spellings */
	return lookup(errnos, sizeof(errnos) / sizeof(errnos[0]), err,
		      "ERRNO", buf, sizeof(buf));
}

const char *signal_name(int sig)
{
	static char buf[32];

	return lookup(signals, sizeof(signals) / sizeof(signals[0]), sig,
		      "SIG", buf, sizeof(buf));
}
