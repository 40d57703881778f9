/* names.h - symbolic errno and signal names for observations */
#ifndef IPCVM_NAMES_H
#define IPCVM_NAMES_H

/* "EAGAIN"; "ERRNO123" for a value this table does not know */
const char *errno_name(int err);
/* "SIGPIPE"; "SIG45" for a value this table does not know */
const char *signal_name(int sig);

#endif
