/* grow.c -- room for one more element in a growing array: doubling, overflow checked. */
#include <stdint.h>
#include <stdlib.h>

#include "sockplay/grow.h"

void *grow_array(void *v, size_t n, size_t *cap, size_t size, size_t first)
{
	if (n < *cap)
		return v;
	size_t ncap = *cap ? *cap * 2 : first;
	if (ncap <= *cap || size == 0 || ncap > SIZE_MAX / size)
		return NULL;
	void *nv = realloc(v, ncap * size);
	if (!nv)
		return NULL;
	*cap = ncap;
	return nv;
}
