/* grow.h -- room for one more element in a growing array, the one way the program grows its arrays. */
#ifndef SOCKPLAY_GROW_H
#define SOCKPLAY_GROW_H

#include <stddef.h>

/*
 * The array V holds N elements of SIZE bytes in room for *CAP. When it is
 * full (N == *CAP), realloc it to twice the room (FIRST elements when there
 * is none yet) and set *CAP. Returns the array to use, V itself when there
 * was room, or NULL when memory ran out or the size would overflow: then V
 * and *CAP are untouched and still valid.
 */
void *grow_array(void *v, size_t n, size_t *cap, size_t size, size_t first);

#endif
