/* hash.h - one string hash for the tools' hash tables. */
#ifndef PUMA_HASH_H
#define PUMA_HASH_H

#include <stddef.h>
#include <stdint.h>

/* 64-bit FNV-1a of n bytes: quick, and good enough for table slots. */
uint64_t fnv1a(const void *p, size_t n);

#endif
