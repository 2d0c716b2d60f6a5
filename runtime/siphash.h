/* siphash.h — SipHash-c-d (Aumasson and Bernstein), 64-bit output.
 *
 * The runtime hashes with SipHash-1-3 under a fixed key: experiment variants
 * (experiment name + customer id) and the ids of recent purchases. The
 * results are part of the program's meaning (who is in which variant), so
 * they must never change: the key and the rounds are fixed here, and a test
 * checks the published SipHash-2-4 vector and known 1-3 values.
 */
#ifndef LUDIC_SIPHASH_H
#define LUDIC_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* SipHash with `c` compression and `d` finalisation rounds, key k0/k1
 * (the 16 key bytes read as two little-endian words). */
uint64_t rt_siphash(int c, int d, uint64_t k0, uint64_t k1, const void *data, size_t len);

/* SipHash-1-3 under ludic's fixed key, of `a` followed by a 0 byte and `b`. */
uint64_t rt_hash2(const char *a, size_t alen, const char *b, size_t blen);

#endif
