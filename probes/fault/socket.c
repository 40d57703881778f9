/*
 * socket.c - the fault library's lies about the socket family (see fault.c).
 */
#define _GNU_SOURCE 1
#include <stddef.h>

#include "fault.h"

const char *const socket_faults[] = {
	NULL,
};
