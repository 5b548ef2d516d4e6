/* libFuzzer target: compile the input as a template in HTML and plain mode,
 * link it against two fixed partials and render it with a small fixed
 * context. Whatever the input, this must not crash, leak or hang. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "view/tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char context[] =
	"{\"a\":\"<x&y>\",\"u\":\"javascript:alert(1)\",\"n\":42,\"r\":1.5,\"t\":true,\"f\":false,"
	"\"z\":null,\"s\":\"\",\"o\":{\"a\":\"in o\",\"b\":{\"c\":\"diep\"}},"
	"\"l\":[1,\"twee\",{\"a\":3},[4,5],null],\"e\":[]}";

static const char partial[] = "<b>{{a}}</b>{{#l}}[{{.}}]{{/l}}\n  {{$blok}}std {{n}}{{/blok}}\n";
static const char layout[] = "<title>{{$t}}Campus{{/t}}</title>\n<main>\n  {{$main}}{{/main}}\n</main>\n";

/* A translation that moves, repeats and breaks variables. */
static const char *translate(void *cls, const char *msgid)
{
	(void)cls;
	switch (strlen(msgid) % 4) {
	case 0: return NULL;
	case 1: return msgid;
	case 2: return "{{a}} \"{{ o.b.c }}\" {{{a}}} {{l.1}} {{";
	default: return "'vertaald' {{n}}}}";
	}
}

static void count_msgid(void *cls, const char *msgid, const char *file, int line)
{
	(void)msgid;
	(void)file;
	(void)line;
	(*(size_t *)cls)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *ctx;
	if (!ctx)
		ctx = json_loads(context, 0, NULL);
	if (size > 64 * 1024)
		return 0;
	static const unsigned modes[] = {0, TMPL_PLAIN};
	for (size_t m = 0; m < 2; m++) {
		struct tmpl_set *set = tmpl_set_new(modes[m]);
		struct buf out, err;
		buf_init(&out, NULL, 1 << 20);
		buf_init(&err, NULL, 0);
		tmpl_set_add(set, "p", partial, sizeof partial - 1, "p.html", &err);
		tmpl_set_add(set, "layout", layout, sizeof layout - 1, "layout.html", &err);
		buf_clear(&err);
		if (tmpl_set_add(set, "t", (const char *)data, size, "fuzz.html", &err) == 0) {
			struct tmpl_render_opts opts = {.translate = translate, .max_steps = 200000};
			size_t n = 0;
			tmpl_set_link(set, &err);
			buf_clear(&err);
			tmpl_render(set, "t", ctx, &opts, &out, &err);
			tmpl_render(set, "t", NULL, NULL, &out, &err);
			tmpl_collect_msgids(set, count_msgid, &n);
		}
		buf_fini(&out);
		buf_fini(&err);
		tmpl_set_free(set);
	}
	return 0;
}
