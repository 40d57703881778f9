/*
 * sysv.c - the fault library's lies about the sysv family (see fault.c).
 */
#define _GNU_SOURCE 1
#include <stddef.h>

#include "fault.h"

const char *const sysv_faults[] = {
	NULL,
};
