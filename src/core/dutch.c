/* Dutch text analysis: see dutch.h. */
#include "core/dutch.h"

#include <libstemmer.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

struct dutch {
	struct sb_stemmer *stemmer;
};

struct dutch *dutch_new(void)
{
	struct dutch *d = xcalloc(1, sizeof *d);
	d->stemmer = sb_stemmer_new("dutch", "UTF_8");
	if (!d->stemmer)
		abort(); /* only fails when out of memory */
	return d;
}

void dutch_free(struct dutch *d)
{
	if (!d)
		return;
	sb_stemmer_delete(d->stemmer);
	free(d);
}

/* Base letters for U+00C0..U+00FF and U+0100..U+017F. Digits stand for
 * two letters (1 ij, 2 oe, 3 ae, 4 th, 5 ss); a space separates words. */
static const char latin1[64 + 1] = "aaaaaa3ceeeeiiiidnooooo ouuuuy45aaaaaa3ceeeeiiiidnooooo ouuuuy4y";
static const char latin_ext_a[128 + 1] = "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii11jjkkk"
                                         "llllllllllnnnnnnnnnoooooo22rrrrrrssssssssttttttuuuuuuuuuuuu"
                                         "wwyyyzzzzzzs";
static const char *const pairs[] = {"", "ij", "oe", "ae", "th", "ss"};

/* Decodes one UTF-8 sequence at s (n bytes left); *cp = -1 for an invalid one. */
static size_t utf8_next(const unsigned char *s, size_t n, int32_t *cp)
{
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
	if (c >= 0xf5)
		len = 0;
	if (!len || len > n) {
		*cp = -1;
		return 1;
	}
	int32_t v = c & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = -1;
			return 1;
		}
		v = (v << 6) | (s[i] & 0x3f);
	}
	*cp = v;
	return len;
}

enum cls { C_SEP, C_SKIP, C_ASCII, C_PAIR, C_OTHER };

/* What a code point contributes to a word: an ASCII letter (*out), two
 * letters (*out is a pairs index), the code point itself, nothing
 * (combining marks) or a word break. */
static enum cls classify(int32_t cp, char *out)
{
	if (cp < 0x80) {
		if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
			*out = (char)cp;
			return C_ASCII;
		}
		if (cp >= 'A' && cp <= 'Z') {
			*out = (char)(cp - 'A' + 'a');
			return C_ASCII;
		}
		return C_SEP;
	}
	char ch = 0;
	if (cp >= 0xc0 && cp <= 0xff)
		ch = latin1[cp - 0xc0];
	else if (cp >= 0x100 && cp <= 0x17f)
		ch = latin_ext_a[cp - 0x100];
	if (ch) {
		if (ch == ' ')
			return C_SEP;
		if (ch >= '1' && ch <= '5') {
			*out = (char)(ch - '0');
			return C_PAIR;
		}
		*out = ch;
		return C_ASCII;
	}
	if (cp >= 0x300 && cp <= 0x36f)
		return C_SKIP; /* combining accents (decomposed input) */
	if (cp < 0x180 || (cp >= 0x2000 && cp <= 0x2bff) || (cp >= 0x3000 && cp <= 0x303f) ||
	    cp >= 0xfe00 || cp < 0)
		return C_SEP; /* Latin-1 symbols, punctuation, quotes, dashes, arrows, invalid */
	return C_OTHER;
}

size_t dutch_fold(char *s, size_t len)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (o && s[o - 1] == c && (c == 'a' || c == 'e' || c == 'o' || c == 'u'))
			continue;
		s[o++] = c;
	}
	if (o > 1 && s[o - 1] == 'z')
		s[o - 1] = 's';
	else if (o > 1 && s[o - 1] == 'v')
		s[o - 1] = 'f';
	return o;
}

size_t dutch_term(struct dutch *d, const char *word, size_t len, char out[DUTCH_WORD_MAX + 1])
{
	if (len > DUTCH_WORD_MAX)
		len = DUTCH_WORD_MAX;
	bool letters = true;
	for (size_t i = 0; i < len; i++)
		if (word[i] >= '0' && word[i] <= '9')
			letters = false;
	const char *src = word;
	size_t n = len;
	if (letters && len > 2) {
		const sb_symbol *st = sb_stemmer_stem(d->stemmer, (const sb_symbol *)word, (int)len);
		if (st) {
			src = (const char *)st;
			n = (size_t)sb_stemmer_length(d->stemmer);
			if (n > DUTCH_WORD_MAX)
				n = DUTCH_WORD_MAX;
		}
	}
	memcpy(out, src, n);
	n = letters ? dutch_fold(out, n) : n;
	out[n] = '\0';
	return n;
}

int dutch_analyse(struct dutch *d, const char *text, size_t len, int raw,
                  int (*fn)(void *cls, const struct dutch_token *t), void *cls)
{
	const unsigned char *s = (const unsigned char *)text;
	char word[DUTCH_WORD_MAX + 8];
	char term[DUTCH_WORD_MAX + 1];
	size_t wn = 0, start = 0;
	bool in_word = false;
	for (size_t i = 0; i <= len;) {
		int32_t cp = -2;
		size_t step = 1;
		char ch = 0;
		enum cls k = C_SEP;
		if (i < len) {
			step = utf8_next(s + i, len - i, &cp);
			k = classify(cp, &ch);
		}
		if (k == C_SEP) {
			if (in_word && wn) {
				word[wn] = '\0';
				struct dutch_token t = {.word = word, .word_len = wn, .start = start, .end = i};
				if (raw) {
					t.term = word;
					t.term_len = wn;
				} else {
					t.term_len = dutch_term(d, word, wn, term);
					t.term = term;
				}
				int rc = t.term_len ? fn(cls, &t) : 0;
				if (rc)
					return rc;
			}
			in_word = false;
			wn = 0;
			i += step;
			continue;
		}
		if (!in_word) {
			in_word = true;
			start = i;
		}
		if (k == C_ASCII && wn < DUTCH_WORD_MAX) {
			word[wn++] = ch;
		} else if (k == C_PAIR && wn + 2 <= DUTCH_WORD_MAX) {
			word[wn++] = pairs[(int)ch][0];
			word[wn++] = pairs[(int)ch][1];
		} else if (k == C_OTHER && wn + step <= DUTCH_WORD_MAX) {
			memcpy(word + wn, s + i, step);
			wn += step;
		}
		i += step;
	}
	return 0;
}
