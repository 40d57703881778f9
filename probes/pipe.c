/*
 * pipe.c - the pipe probe, one program in sections whose files are in
 * probes/pipe/ (pipe.c there lists the sections): compiled here as one
 * unit, because the program probes/pipe and a directory probes/pipe/ of
 * objects cannot share a build directory.
 */
#include "pipe/pipe.c"
#include "pipe/channel.c"
#include "pipe/holders.c"
#include "pipe/flags.c"
#include "pipe/buffer.c"
