/* Dutch text analysis for catalogue search, shared by the SQLite tokenizer
 * (src/db/db_sqlite.c) and the domain (src/domain/search.c) so that index and
 * query always agree: lower-case, strip diacritics, split into words, the
 * Snowball Dutch stemmer, then a "fold" that lets compounds and spelling
 * alternations meet (see docs/internals/search.md):
 *   doubled vowels collapse anywhere (ee->e, oo->o, aa->a, uu->u);
 *   a final z becomes s and a final v becomes f (lezen/lees, geven/geef).
 * So "voorlezen" -> voorlez -> "vorles" and "voorleesexpert" ->
 * "vorlesexpert": the query term "vorles" is a prefix of the document's.
 * An analyser holds a stemmer and is for one thread at a time. */
#ifndef CAMPUS_CORE_DUTCH_H
#define CAMPUS_CORE_DUTCH_H

#include <stddef.h>

#define DUTCH_WORD_MAX 64 /* longer words are cut to this many bytes */

struct dutch;

struct dutch *dutch_new(void); /* aborts when out of memory */
void dutch_free(struct dutch *d);

/* One analysed word. word is the normalised surface form (lower case, no
 * diacritics), term what the index holds; both NUL-terminated, valid until
 * the callback returns. start/end are byte offsets of the word in the text. */
struct dutch_token {
	const char *word, *term;
	size_t word_len, term_len;
	size_t start, end;
};

/* Calls fn for each word of text (UTF-8; invalid bytes separate words). A
 * nonzero return from fn stops and is returned. With raw set, words are only
 * normalised and split, not stemmed or folded (term == word). */
int dutch_analyse(struct dutch *d, const char *text, size_t len, int raw,
                  int (*fn)(void *cls, const struct dutch_token *t), void *cls);

/* The term for one normalised word (as dutch_token.word). out gets at most
 * DUTCH_WORD_MAX bytes and a NUL; returns the length. */
size_t dutch_term(struct dutch *d, const char *word, size_t len, char out[DUTCH_WORD_MAX + 1]);

/* The fold alone, in place; returns the new length. */
size_t dutch_fold(char *s, size_t len);

#endif
