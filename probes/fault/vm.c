/*
 * vm.c - the fault library's lies about the vm family (see fault.c).
 */
#define _GNU_SOURCE 1
#include <stddef.h>

#include "fault.h"

const char *const vm_faults[] = {
	NULL,
};
