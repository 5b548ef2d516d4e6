/* A small thread-safe cache of byte strings by string key. Each entry is
 * tagged with a generation (of the data it was made from): asking with
 * another generation is a miss, so bumping the generation empties the cache
 * without touching it. The least recently used entry makes room. Lookups
 * scan linearly: meant for tens to a few hundred entries.
 *
 *   static struct lru pages = LRU_INIT;
 *   if (!lru_get(&pages, key, gen, arena, &html, &len)) { ...; lru_put(&pages, key, gen, html, len); } */
#ifndef CAMPUS_CORE_LRU_H
#define CAMPUS_CORE_LRU_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

#define LRU_SLOTS 256

struct lru_entry {
	char *key; /* NULL: free */
	int64_t generation;
	void *data;
	size_t len;
	uint64_t used;
};

struct lru {
	pthread_mutex_t mu;
	uint64_t tick;
	struct lru_entry e[LRU_SLOTS];
};

#define LRU_INIT {.mu = PTHREAD_MUTEX_INITIALIZER}

/* A copy of the bytes in arena, NUL-terminated; false on a miss (or when
 * the arena is full). */
bool lru_get(struct lru *c, const char *key, int64_t generation, struct arena *arena, void **data,
             size_t *len);
/* Stores a copy; silently keeps nothing when memory is short. */
void lru_put(struct lru *c, const char *key, int64_t generation, const void *data, size_t len);

#endif
