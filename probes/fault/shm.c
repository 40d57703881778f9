/*
 * shm.c - the fault library's lies about System V shared memory (see fault.c).
 */
#define _GNU_SOURCE 1
#include <stddef.h>

#include "fault.h"

const char *const shm_faults[] = {
	NULL,
};
