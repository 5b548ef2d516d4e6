#include "view/markdown.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"

const char *markdown_html(struct arena *arena, const char *text, size_t len)
{
	/* CMARK_OPT_UNSAFE is deliberately absent: that keeps raw HTML out. */
	char *html = cmark_markdown_to_html(text, len, CMARK_OPT_DEFAULT | CMARK_OPT_SMART);
	if (!html)
		return NULL;
	struct buf out;
	buf_init(&out, arena, 0);
	for (const char *p = html; *p; p++) {
		/* cmark writes headings as exactly "<hN>" and "</hN>". */
		if (p[0] == '<' && (p[1] == 'h' || (p[1] == '/' && p[2] == 'h'))) {
			const char *digit = p[1] == '/' ? p + 3 : p + 2;
			if (*digit >= '1' && *digit <= '6' && digit[1] == '>') {
				int level = *digit - '0' + 1;
				buf_append(&out, p, (size_t)(digit - p));
				buf_putc(&out, (char)('0' + (level < 3 ? 3 : level > 6 ? 6 : level)));
				p = digit;
				continue;
			}
		}
		buf_putc(&out, *p);
	}
	free(html);
	return out.overflow ? NULL : buf_cstr(&out);
}
