/* siphash.c — SipHash-c-d, written from the paper's description
 * ("SipHash: a fast short-input PRF", section 2): four 64-bit words of
 * state initialised from the key and the constants "somepseudorandomlygeneratedbytes",
 * little-endian 8-byte message words absorbed with c SipRounds each, the
 * last word carrying the length in its top byte, then 0xff xored into v2 and
 * d SipRounds.
 */
#include "siphash.h"

#include <string.h>

static inline uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

#define SIPROUND                                                                                              \
	do {                                                                                                  \
		v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);                                     \
		v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;                                                        \
		v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;                                                        \
		v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);                                     \
	} while (0)

static inline uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

uint64_t rt_siphash(int c, int d, uint64_t k0, uint64_t k1, const void *data, size_t len)
{
	const unsigned char *m = data;
	uint64_t v0 = k0 ^ UINT64_C(0x736f6d6570736575);
	uint64_t v1 = k1 ^ UINT64_C(0x646f72616e646f6d);
	uint64_t v2 = k0 ^ UINT64_C(0x6c7967656e657261);
	uint64_t v3 = k1 ^ UINT64_C(0x7465646279746573);
	size_t full = len & ~(size_t)7;
	for (size_t i = 0; i < full; i += 8) {
		uint64_t w = le64(m + i);
		v3 ^= w;
		for (int r = 0; r < c; r++)
			SIPROUND;
		v0 ^= w;
	}
	unsigned char last[8] = {0};
	memcpy(last, m + full, len - full);
	uint64_t w = le64(last) | ((uint64_t)(len & 0xff) << 56);
	v3 ^= w;
	for (int r = 0; r < c; r++)
		SIPROUND;
	v0 ^= w;
	v2 ^= 0xff;
	for (int r = 0; r < d; r++)
		SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* The fixed key: "ludic-variants!!" as two little-endian words. Changing it
 * would move customers between variants: never change it. */
#define KEY0 UINT64_C(0x7261762d6369646c)
#define KEY1 UINT64_C(0x2121737473e61691)

uint64_t rt_hash2(const char *a, size_t alen, const char *b, size_t blen)
{
	/* Short inputs (names, ids) go through a stack buffer; longer ones are
	 * hashed in pieces folded together, still deterministic. */
	unsigned char buf[256];
	if (alen + 1 + blen <= sizeof buf) {
		if (alen)
			memcpy(buf, a, alen);
		buf[alen] = 0;
		if (blen)
			memcpy(buf + alen + 1, b, blen);
		return rt_siphash(1, 3, KEY0, KEY1, buf, alen + 1 + blen);
	}
	uint64_t ha = rt_siphash(1, 3, KEY0, KEY1, a, alen);
	return rt_siphash(1, 3, KEY0 ^ ha, KEY1, b, blen);
}
