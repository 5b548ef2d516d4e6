#include "core/lru.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

bool lru_get(struct lru *c, const char *key, int64_t generation, struct arena *arena, void **data,
             size_t *len)
{
	bool hit = false;
	pthread_mutex_lock(&c->mu);
	for (size_t i = 0; i < LRU_SLOTS; i++) {
		struct lru_entry *e = &c->e[i];
		if (e->key && e->generation == generation && strcmp(e->key, key) == 0) {
			char *copy = arena_alloc(arena, e->len + 1);
			if (copy) {
				memcpy(copy, e->data, e->len);
				copy[e->len] = 0;
				*data = copy;
				*len = e->len;
				e->used = ++c->tick;
				hit = true;
			}
			break;
		}
	}
	pthread_mutex_unlock(&c->mu);
	return hit;
}

void lru_put(struct lru *c, const char *key, int64_t generation, const void *data, size_t len)
{
	size_t klen = strlen(key) + 1;
	char *k = malloc(klen);
	void *d = malloc(len ? len : 1);
	if (!k || !d) {
		free(k);
		free(d);
		return;
	}
	memcpy(k, key, klen);
	memcpy(d, data, len);
	pthread_mutex_lock(&c->mu);
	/* The same key again (another generation, or a race), else a free
	 * slot, else the least recently used. */
	struct lru_entry *victim = &c->e[0];
	for (size_t i = 0; i < LRU_SLOTS; i++) {
		struct lru_entry *e = &c->e[i];
		if (e->key && strcmp(e->key, key) == 0) {
			victim = e;
			break;
		}
		if (!e->key || (victim->key && e->used < victim->used))
			victim = e;
	}
	free(victim->key);
	free(victim->data);
	*victim = (struct lru_entry){k, generation, d, len, ++c->tick};
	pthread_mutex_unlock(&c->mu);
}
