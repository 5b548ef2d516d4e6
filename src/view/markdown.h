/* Markdown to HTML for text that owners write (module descriptions), through
 * cmark with its safe defaults: raw HTML is dropped and javascript:, vbscript:,
 * file: and data: (other than images) links are emptied. Headings go one
 * level down and start at <h3> (# and ## become <h3>, ### <h4>...), so a
 * description sits under the page's own <h2> without skipping a level. */
#ifndef CAMPUS_VIEW_MARKDOWN_H
#define CAMPUS_VIEW_MARKDOWN_H

#include <stddef.h>

struct arena;

/* The HTML in the arena; NULL when out of memory. */
const char *markdown_html(struct arena *arena, const char *text, size_t len);

#endif
