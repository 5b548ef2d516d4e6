/* Template engine tests: Mustache behaviour, inheritance, translations,
 * context-aware escaping, compile and render errors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/arena.h"
#include "view/numbers.h"
#include "view/tmpl.h"

/* ------------------------------------------------------------------------ */
/* Helpers */

#define HTML 0u
#define PLAIN TMPL_PLAIN

/* Compile `src` as template "t" from file "t.html", plus partials given as
 * name/source pairs ending in NULL; link; render with JSON `data`. Returns
 * the output, or "ERR(<code>) <message>" so one string comparison checks
 * both. The result is static: valid until the next call. */
static char result[1 << 16];

static const char *run_opts(unsigned flags, const char *src, const char *const *partials,
                            const char *data, const struct tmpl_render_opts *opts)
{
	struct tmpl_set *set = tmpl_set_new(flags);
	struct buf out, err;
	buf_init(&out, NULL, 0);
	buf_init(&err, NULL, 0);
	int rc = tmpl_set_add(set, "t", src, strlen(src), "t.html", &err);
	for (size_t i = 0; rc == 0 && partials && partials[i]; i += 2) {
		char file[256];
		snprintf(file, sizeof file, "%s.html", partials[i]);
		rc = tmpl_set_add(set, partials[i], partials[i + 1], strlen(partials[i + 1]), file, &err);
	}
	if (rc == 0)
		rc = tmpl_set_link(set, &err);
	json_t *json = NULL;
	if (rc == 0 && data) {
		json_error_t jerr;
		json = json_loads(data, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
		if (!json)
			fail_msg("bad test JSON %s: %s", data, jerr.text);
	}
	if (rc == 0)
		rc = tmpl_render(set, "t", json, opts, &out, &err);
	if (rc)
		snprintf(result, sizeof result, "ERR(%d) %s", rc, buf_cstr(&err));
	else
		snprintf(result, sizeof result, "%s", buf_cstr(&out));
	json_decref(json);
	buf_fini(&out);
	buf_fini(&err);
	tmpl_set_free(set);
	return result;
}

static const char *run(unsigned flags, const char *src, const char *const *partials, const char *data)
{
	return run_opts(flags, src, partials, data, NULL);
}

/* Both modes must agree (templates without HTML). */
#define BOTH(src, data, want)                                        \
	do {                                                         \
		assert_string_equal(run(HTML, src, NULL, data), want);  \
		assert_string_equal(run(PLAIN, src, NULL, data), want); \
	} while (0)
#define H(src, data, want) assert_string_equal(run(HTML, src, NULL, data), want)
#define P(src, data, want) assert_string_equal(run(PLAIN, src, NULL, data), want)
#define HP(src, parts, data, want) assert_string_equal(run(HTML, src, parts, data), want)
#define PP(src, parts, data, want) assert_string_equal(run(PLAIN, src, parts, data), want)

/* Compile errors come back as "ERR(-1) t.html:<line>: message". */
#define HERR(src, msg) assert_string_equal(run(HTML, src, NULL, "{}"), "ERR(-1) " msg)
#define PERR(src, msg) assert_string_equal(run(PLAIN, src, NULL, "{}"), "ERR(-1) " msg)

/* "{{#a}}" n times, then mid, then "{{/a}}" n times. */
static const char *nested_sections(int n, const char *mid)
{
	static struct buf b;
	buf_fini(&b);
	buf_init(&b, NULL, 0);
	for (int i = 0; i < n; i++)
		buf_puts(&b, "{{#a}}");
	buf_puts(&b, mid);
	for (int i = 0; i < n; i++)
		buf_puts(&b, "{{/a}}");
	return buf_cstr(&b);
}

/* ------------------------------------------------------------------------ */
/* Interpolation */

static void test_interpolation(void **state)
{
	(void)state;
	BOTH("Hallo, wereld!", "{}", "Hallo, wereld!");
	BOTH("", "{}", "");
	BOTH("Hallo, {{naam}}.", "{\"naam\":\"Anna\"}", "Hallo, Anna.");
	BOTH("{{ naam }}|{{{ naam }}}|{{& naam }}", "{\"naam\":\"Bo\"}", "Bo|Bo|Bo");
	/* Escaped by default, raw with triple braces or &. */
	BOTH("{{x}}", "{\"x\":\"& \\\" < > '\"}", "&amp; &quot; &lt; &gt; &#39;");
	BOTH("{{{x}}}", "{\"x\":\"<b>&amp;</b>\"}", "<b>&amp;</b>");
	BOTH("{{&x}}", "{\"x\":\"<i>\"}", "<i>");
	/* Numbers print as JSON writes them; booleans as words; null as nothing. */
	BOTH("{{n}} {{m}} {{r}} {{s}} {{big}}",
	     "{\"n\":85,\"m\":-7,\"r\":1.21,\"s\":0.5,\"big\":9223372036854775807}",
	     "85 -7 1.21 0.5 9223372036854775807");
	BOTH("[{{t}}|{{f}}|{{z}}|{{missing}}]", "{\"t\":true,\"f\":false,\"z\":null}",
	     "[true|false||]");
	/* Objects and arrays have no text form. */
	BOTH("[{{o}}{{a}}]", "{\"o\":{\"k\":1},\"a\":[1]}", "[]");
	/* Interpolation tags are never standalone. */
	BOTH("  {{x}}\n", "{\"x\":\"y\"}", "  y\n");
	BOTH("  {{{x}}}\n  {{&x}}\n", "{\"x\":\"y\"}", "  y\n  y\n");
	/* Values are not parsed as templates. */
	BOTH("{{x}}", "{\"x\":\"{{y}}\",\"y\":\"no\"}", "{{y}}");
	/* NULL data: nothing resolves, nothing fails. */
	assert_string_equal(run(HTML, "[{{x}}{{.}}]", NULL, NULL), "[]");
	/* A top-level scalar is the context itself. */
	BOTH("{{.}}", "\"root\"", "root");
}

static void test_dotted_names(void **state)
{
	(void)state;
	BOTH("{{a.b.c}}", "{\"a\":{\"b\":{\"c\":\"diep\"}}}", "diep");
	BOTH("{{a.b.c.d.e}}", "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":\"heel diep\"}}}}}", "heel diep");
	BOTH("{{p.name}} == {{#p}}{{name}}{{/p}}", "{\"p\":{\"name\":\"Jo\"}}", "Jo == Jo");
	/* A broken chain is empty and does not fall back to outer contexts. */
	BOTH("[{{a.b.c}}]", "{\"a\":{\"b\":{}},\"c\":\"fout\"}", "[]");
	BOTH("[{{a.x.c}}]", "{\"a\":{\"b\":{\"c\":1}}}", "[]");
	/* The first part resolves through the stack like any name. */
	BOTH("{{#a}}{{b.c}}{{/a}}", "{\"a\":{\"x\":1},\"b\":{\"c\":\"buiten\"}}", "buiten");
	/* ...and the innermost match wins even when it lacks the rest. */
	BOTH("[{{#a}}{{b.c}}{{/a}}]", "{\"a\":{\"b\":{}},\"b\":{\"c\":\"fout\"}}", "[]");
	/* Numeric parts index arrays: {{#list.0}} tests for a first item. */
	BOTH("{{list.1.n}}|{{#list.0}}ja{{/list.0}}|{{#e.0}}nee{{/e.0}}",
	     "{\"list\":[{\"n\":1},{\"n\":2}],\"e\":[]}", "2|ja|");
	BOTH("[{{list.9}}{{list.x}}]", "{\"list\":[1]}", "[]");
	/* Malformed names are compile errors. */
	HERR("{{a..b}}", "t.html:1: bad name \"a..b\"");
	HERR("\n{{.a}}", "t.html:2: bad name \".a\"");
	HERR("{{#a.}}{{/a.}}", "t.html:1: bad name \"a.\"");
}

static void test_implicit_iterator(void **state)
{
	(void)state;
	BOTH("{{#l}}({{.}}){{/l}}", "{\"l\":[\"a\",\"b\",\"c\"]}", "(a)(b)(c)");
	BOTH("{{#l}}({{.}}){{/l}}", "{\"l\":[1,2.5,true]}", "(1)(2.5)(true)");
	BOTH("{{#l}}{{.}}{{/l}}", "{\"l\":[\"&\",\"<\"]}", "&amp;&lt;");
	BOTH("{{#l}}{{{.}}}{{/l}}", "{\"l\":[\"&\",\"<\"]}", "&<");
	BOTH("{{#l}}({{#.}}{{.}}{{/.}}){{/l}}", "{\"l\":[[1,2,3],[\"a\",\"b\"]]}", "(123)(ab)");
	BOTH("{{#l}}{{.}},{{/l}}", "{\"l\":[\"\",\"x\"]}", ",x,");
}

/* ------------------------------------------------------------------------ */
/* Sections */

static void test_sections(void **state)
{
	(void)state;
	BOTH("[{{#b}}ja{{/b}}]", "{\"b\":true}", "[ja]");
	/* Only false, null, a missing name and an empty list are falsey. */
	BOTH("[{{#b}}ja{{/b}}]", "{\"b\":false}", "[]");
	BOTH("[{{#b}}ja{{/b}}]", "{\"b\":null}", "[]");
	BOTH("[{{#b}}ja{{/b}}]", "{}", "[]");
	BOTH("[{{#b}}ja{{/b}}]", "{\"b\":[]}", "[]");
	BOTH("[{{#b}}ja{{/b}}]", "{\"b\":\"\"}", "[ja]");
	BOTH("[{{#b}}ja{{/b}}]", "{\"b\":0}", "[ja]");
	BOTH("[{{#b}}ja{{/b}}]", "{\"b\":{}}", "[ja]");
	/* Objects push a context; arrays iterate; scalars push themselves. */
	BOTH("{{#p}}{{naam}} ({{leeftijd}}){{/p}}", "{\"p\":{\"naam\":\"Ed\",\"leeftijd\":40}}",
	     "Ed (40)");
	BOTH("{{#l}}({{n}}){{/l}}", "{\"l\":[{\"n\":1},{\"n\":2},{\"n\":3}]}", "(1)(2)(3)");
	BOTH("{{#s}}[{{.}}]{{/s}}", "{\"s\":\"tekst\"}", "[tekst]");
	/* Names not found inside resolve outwards. */
	BOTH("{{#l}}{{n}}{{sep}}{{/l}}", "{\"sep\":\";\",\"l\":[{\"n\":1},{\"n\":2}]}", "1;2;");
	BOTH("{{#a}}{{one}}{{#b}}{{one}}{{two}}{{#c}}{{one}}{{two}}{{three}}{{/c}}{{/b}}{{/a}}",
	     "{\"a\":{\"one\":1},\"b\":{\"two\":2},\"c\":{\"three\":3}}", "112123");
	/* Nested sections with the same name. */
	BOTH("| A {{#b}}B {{#b}}C{{/b}} D{{/b}} E |", "{\"b\":true}", "| A B C D E |");
	BOTH("{{#a}}{{#a}}{{x}}{{/a}}{{/a}}", "{\"a\":{\"a\":{\"x\":\"binnen\"}}}", "binnen");
	/* Lists of lists and dotted section names. */
	BOTH("{{#a.b.c}}hier{{/a.b.c}}|{{#a.b.x}}niet{{/a.b.x}}", "{\"a\":{\"b\":{\"c\":true}}}", "hier|");
	/* Missing sections render nothing, even with a body full of names. */
	BOTH("[{{#m}}{{x}}{{y}}{{/m}}]", "{\"x\":1}", "[]");
	/* A section can be repeated. */
	BOTH("{{#b}}1{{/b}}{{#b}}2{{/b}}", "{\"b\":true}", "12");
}

static void test_inverted(void **state)
{
	(void)state;
	BOTH("[{{^b}}nee{{/b}}]", "{\"b\":false}", "[nee]");
	BOTH("[{{^b}}nee{{/b}}]", "{\"b\":null}", "[nee]");
	BOTH("[{{^b}}nee{{/b}}]", "{}", "[nee]");
	BOTH("[{{^b}}nee{{/b}}]", "{\"b\":[]}", "[nee]");
	BOTH("[{{^b}}nee{{/b}}]", "{\"b\":true}", "[]");
	BOTH("[{{^b}}nee{{/b}}]", "{\"b\":[1]}", "[]");
	BOTH("[{{^b}}nee{{/b}}]", "{\"b\":\"\"}", "[]");
	/* An inverted section does not push a context. */
	BOTH("{{^b}}{{x}}{{/b}}", "{\"b\":false,\"x\":\"X\"}", "X");
	BOTH("{{#l}}{{.}}{{/l}}{{^l}}leeg{{/l}}", "{\"l\":[]}", "leeg");
	BOTH("{{^a.b}}geen{{/a.b}}", "{\"a\":{}}", "geen");
}

static void test_comments(void **state)
{
	(void)state;
	BOTH("12345{{! commentaar }}67890", "{}", "1234567890");
	BOTH("12345{{!\n  regel\n  nog een\n}}67890", "{}", "1234567890");
	/* Standalone comment lines disappear. */
	BOTH("Begin.\n{{! weg }}\nEinde.\n", "{}", "Begin.\nEinde.\n");
	BOTH("Begin.\n  {{! weg }}\nEinde.\n", "{}", "Begin.\nEinde.\n");
	BOTH("Begin.\n{{!\n  meer\n  regels\n}}\nEinde.\n", "{}", "Begin.\nEinde.\n");
	BOTH("  12 {{! 34 }}\n", "{}", "  12 \n");
	BOTH("12345 {{! 1\n2 }} 67890", "{}", "12345  67890");
	/* A comment may contain anything but the closing delimiter. */
	BOTH("a{{! {{x {{#y }}b", "{}", "ab");
}

static void test_standalone(void **state)
{
	(void)state;
	const char *d = "{\"b\":true}";
	BOTH("| Dit is\n{{#b}}\n|\n{{/b}}\n| een test\n", d, "| Dit is\n|\n| een test\n");
	BOTH("| Dit is\n  {{#b}}\n|\n  {{/b}}\n| een test\n", d, "| Dit is\n|\n| een test\n");
	BOTH("| Dit is\n{{^x}}\n|\n{{/x}}\n| een test\n", d, "| Dit is\n|\n| een test\n");
	BOTH("|\r\n{{#b}}\r\n{{/b}}\r\n|", d, "|\r\n|");
	BOTH("  {{#b}}\n#{{/b}}\n/", d, "#\n/");
	BOTH("#{{#b}}\n/\n  {{/b}}", d, "#\n/\n");
	BOTH("\t{{#b}}\t\nx\n\t{{/b}} \n", d, "x\n");
	/* Inline sections keep the whitespace around them. */
	BOTH(" {{#b}}JA{{/b}}\n {{#b}}GOED{{/b}}\n", d, " JA\n GOED\n");
	BOTH(" | {{#b}} {{! belangrijk }}\n {{/b}} | \n", d, " |  \n  | \n");
	BOTH(" | {{^x}} {{/x}} | ", "{}", " |   | ");
	/* A line with several quiet tags is standalone as a whole. */
	BOTH("a\n{{#b}}{{! c }}{{/b}}\nz\n", d, "a\nz\n");
	BOTH("a\n  {{#b}}  {{/b}}  \nz", "{}", "a\nz");
	/* A line with any interpolation is not. */
	BOTH("a\n{{#b}}{{x}}{{/b}}\nz", "{\"b\":true,\"x\":\"\"}", "a\n\nz");
	/* Lines in a list render once per item. */
	BOTH("<ul>\n{{#l}}\n  <li>{{.}}</li>\n{{/l}}\n</ul>\n", "{\"l\":[1,2]}",
	     "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n");
}

static void test_delimiters(void **state)
{
	(void)state;
	BOTH("{{=<% %>=}}(<%t%>)", "{\"t\":\"ja\"}", "(ja)");
	BOTH("({{=[ ]=}}[t])", "{\"t\":\"ja\"}", "(ja)");
	BOTH("|{{= @   @ =}}|", "{}", "||");
	BOTH("{{=| |=}}|x| {{x}} |={{ }}=| {{x}}", "{\"x\":1}", "1 {{x}}  1");
	BOTH("[\n{{#s}}\n{{d}}\n|d|\n{{/s}}\n{{=| |=}}\n|#s|\n{{d}}\n|d|\n|/s|\n]",
	     "{\"s\":true,\"d\":\"D\"}", "[\nD\n|d|\n{{d}}\nD\n]");
	/* Raw with new delimiters: <%{x}%> and <%& x%>. */
	BOTH("{{=<% %>=}}<%{x}%>|<%& x%>|<%x%>", "{\"x\":\"<\"}", "<|<|&lt;");
	/* Standalone delimiter lines disappear. */
	BOTH("Begin.\n{{=@ @=}}\nEinde.\n", "{}", "Begin.\nEinde.\n");
	BOTH("Begin.\n   {{=@ @=}}\nEinde.\n", "{}", "Begin.\nEinde.\n");
	/* Delimiters do not carry into partials. */
	const char *const parts[] = {"p", ".{{x}}.", NULL};
	HP("{{=| |=}}[|> p|]", parts, "{\"x\":1}", "[.1.]");
	PP("{{=<% %>=}}<%> p%>", parts, "{\"x\":1}", ".1.");
	/* Bad set-delimiter tags. */
	HERR("a\n{{=<%=}}", "t.html:2: bad set-delimiter tag \"<%\"");
	HERR("{{= a b c =}}", "t.html:1: bad set-delimiter tag \"a b c\"");
	HERR("{{= =}}", "t.html:1: bad set-delimiter tag \"\"");
	HERR("{{=<= =>=}}", "t.html:1: bad set-delimiter tag \"<= =>\"");
	HERR("{{=aaaaaaaaaaaaaaaaa b=}}", "t.html:1: bad set-delimiter tag \"aaaaaaaaaaaaaaaaa b\"");
}

/* ------------------------------------------------------------------------ */
/* Partials */

static void test_partials(void **state)
{
	(void)state;
	const char *const p1[] = {"p", "*{{tekst}}*", NULL};
	HP("\"{{>p}}\"", p1, "{\"tekst\":\"inhoud\"}", "\"*inhoud*\"");
	HP("|{{> p }}|", p1, "{\"tekst\":\"\"}", "|**|");
	/* Partials see the current context stack. */
	HP("{{#l}}{{>p}}{{/l}}", p1, "{\"tekst\":\"buiten\",\"l\":[{\"tekst\":\"a\"},{}]}",
	   "*a**buiten*");
	/* Recursion through data terminates. */
	const char *const tree[] = {"node", "{{naam}}({{#kids}}{{>node}}{{/kids}})", NULL};
	HP("{{>node}}", tree,
	   "{\"naam\":\"1\",\"kids\":[{\"naam\":\"2\",\"kids\":[{\"naam\":\"3\",\"kids\":[]}]},"
	   "{\"naam\":\"4\",\"kids\":[]}]}",
	   "1(2(3())4())");
	/* Standalone partial lines take their indentation to every line of the
	 * partial, but not into values. */
	const char *const p2[] = {"p", "|\n{{{c}}}\n|\n", NULL};
	HP("\\\n {{>p}}\n/\n", p2, "{\"c\":\"<\\n->\"}", "\\\n |\n <\n->\n |\n/\n");
	const char *const p3[] = {"p", ">\n>", NULL};
	HP("  {{>p}}\n>", p3, "{}", "  >\n  >>");
	HP(">\n  {{>p}}", p3, "{}", ">\n  >\n  >");
	HP("|\r\n{{>p}}\r\n|", p3, "{}", "|\r\n>\n>|");
	/* Inline partials are not indented. */
	HP("  {{x}}  {{>p}}\n", p3, "{\"x\":\"|\"}", "  |  >\n>\n");
	/* Indentation adds up through nested standalone partials; empty lines
	 * keep it too (as the text of the partial is indented). */
	const char *const nested[] = {"outer", "o1\n  {{>inner}}\no2\n", "inner", "i1\n\ni2\n", NULL};
	HP("  {{>outer}}\nx\n", nested, "{}", "  o1\n    i1\n    \n    i2\n  o2\nx\n");
	/* A standalone partial inside a section, in a list. */
	const char *const li[] = {"li", "<li>{{.}}</li>\n", NULL};
	HP("<ul>\n{{#l}}\n  {{>li}}\n{{/l}}\n</ul>\n", li, "{\"l\":[\"a\",\"b\"]}",
	   "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n");
	/* A standalone indented section in an indented partial. */
	const char *const sec[] = {"s", "<ol>\n  {{#l}}\n  <li>{{.}}</li>\n  {{/l}}\n</ol>\n", NULL};
	HP("<div>\n  {{>s}}\n</div>\n", sec, "{\"l\":[1,2]}",
	   "<div>\n  <ol>\n    <li>1</li>\n    <li>2</li>\n  </ol>\n</div>\n");
}

/* ------------------------------------------------------------------------ */
/* Inheritance */

static void test_inheritance(void **state)
{
	(void)state;
	BOTH("{{$titel}}Standaardtitel{{/titel}}\n", "{}", "Standaardtitel\n");
	BOTH("{{$b}}a {{x}} {{{y}}} {{#s}}{{z}}{{/s}}{{^n}}!{{/n}} c{{/b}}",
	     "{\"x\":\"<\",\"y\":\"<\",\"s\":{\"z\":\"Z\"}}", "a &lt; < Z! c");
	const char *const inc[] = {"inc", "{{$foo}}standaard{{/foo}}", NULL};
	HP("{{<inc}}{{/inc}}", inc, "{}", "standaard");
	HP("{{>inc}}|{{<inc}}{{/inc}}", inc, "{}", "standaard|standaard");
	const char *const sup[] = {"super", "...{{$titel}}Standaard{{/titel}}...", NULL};
	HP("{{<super}}{{$titel}}eigen titel{{/titel}}{{/super}}", sup, "{}", "...eigen titel...");
	/* Data never overrides a block, with or without an override. */
	const char *const var[] = {"inc", "{{$var}}uit inc{{/var}}", NULL};
	HP("{{<inc}}{{$var}}uit t{{/var}}{{/inc}}", var, "{\"var\":\"uit data\"}", "uit t");
	HP("{{<inc}}{{/inc}}", var, "{\"var\":\"uit data\"}", "uit inc");
	/* Two uses of one parent with different overrides; unused blocks keep
	 * their default. */
	const char *const two[] = {"ouder", "|{{$stuk}}...{{/stuk}}{{$std}} std{{/std}}|", NULL};
	HP("test {{<ouder}}{{$stuk}}een{{/stuk}}{{/ouder}} {{<ouder}}{{$stuk}}twee{{/stuk}}{{/ouder}}\n",
	   two, "{}", "test |een std| |twee std|\n");
	/* Text inside a parent tag, outside blocks, is ignored. */
	HP("{{<inc}} weg {{$foo}}hmm{{/foo}} ook weg {{x}}{{/inc}}", inc, "{\"x\":1}", "hmm");
	HP("{{<inc}} alleen tekst {{/inc}}", inc, "{}", "standaard");
	/* Multi-level: the outermost override wins. */
	const char *const levels[] = {
		"ouder", "{{<oud}}{{$a}}p{{/a}}{{/oud}}",
		"oud", "{{<grootouder}}{{$a}}o{{/a}}{{/grootouder}}",
		"grootouder", "{{$a}}g{{/a}}",
		NULL,
	};
	HP("{{<ouder}}{{$a}}c{{/a}}{{/ouder}}", levels, "{}", "c");
	HP("{{<ouder}}{{/ouder}}", levels, "{}", "p");
	/* Overrides reach templates included further down, and a parent used
	 * again deeper adds its own overrides without recursing forever. */
	const char *const rec[] = {
		"ouder", "{{$foo}}std{{/foo}} {{$bar}}{{<ouder2}}{{/ouder2}}{{/bar}}",
		"ouder2", "{{$foo}}ouder2 std{{/foo}} {{<ouder}}{{$bar}}stop{{/bar}}{{/ouder}}",
		NULL,
	};
	HP("{{<ouder}}{{$foo}}over{{/foo}}{{/ouder}}", rec, "{}", "over over over stop");
	/* A block renders in the context where the parent places it. */
	const char *const scope[] = {"ouder", "{{#genest}}{{$blok}}Jij zegt {{fruit}}.{{/blok}}{{/genest}}", NULL};
	HP("{{<ouder}}{{$blok}}Ik zeg {{fruit}}.{{/blok}}{{/ouder}}", scope,
	   "{\"fruit\":\"appels\",\"genest\":{\"fruit\":\"bananen\"}}", "Ik zeg bananen.");
	/* Nested blocks: an override of the outer block replaces the inner one
	 * too; an override of only the inner block keeps the outer frame. */
	const char *const nest[] = {"ouder", "|{{$buiten}}[{{$binnen}}std{{/binnen}}]{{/buiten}}|", NULL};
	HP("{{<ouder}}{{$binnen}}eigen{{/binnen}}{{/ouder}}", nest, "{}", "|[eigen]|");
	HP("{{<ouder}}{{$buiten}}alles{{/buiten}}{{/ouder}}", nest, "{}", "|alles|");
	HP("{{<ouder}}{{$buiten}}({{$binnen}}x{{/binnen}}){{/buiten}}{{$binnen}}y{{/binnen}}{{/ouder}}",
	   nest, "{}", "|(y)|");
	/* Overrides may hold sections, partials and parents of their own. */
	const char *const rich[] = {
		"ouder", "<main>{{$main}}{{/main}}</main>",
		"p", "P{{n}}",
		NULL,
	};
	HP("{{<ouder}}{{$main}}{{#l}}{{>p}}{{/l}}{{/main}}{{/ouder}}", rich, "{\"l\":[{\"n\":1},{\"n\":2}]}",
	   "<main>P1P2</main>");
	/* Newlines in an override. */
	const char *const nl[] = {"ouder", "{{$b}}x{{/b}}", NULL};
	HP("{{<ouder}}{{$b}}\neen\n\ntwee\n{{/b}}{{/ouder}}", nl, "{}", "een\n\ntwee\n");
}

static void test_inheritance_indentation(void **state)
{
	(void)state;
	/* An inline block keeps the text around it. */
	const char *const p1[] = {"ouder", "stop:\n  {{$b}}en luister{{/b}}\n", NULL};
	HP("{{<ouder}}{{$b}}hamer{{/b}}{{/ouder}}", p1, "{}", "stop:\n  hamer\n");
	/* A standalone parent indents all its lines. */
	const char *const p2[] = {"ouder", "een\ntwee\n", NULL};
	HP("Hoi,\n  {{<ouder}}{{/ouder}}\n", p2, "{}", "Hoi,\n  een\n  twee\n");
	/* Block indentation is removed where the block is written and added
	 * where it is placed. */
	const char *const p3[] = {"ouder", "Hoi,\n  {{$b}}\n  {{/b}}\n", NULL};
	HP("{{<ouder}}{{$b}}\n      een\n      twee\n{{/b}}{{/ouder}}\n", p3, "{}", "Hoi,\n  een\n  twee\n");
	/* A standalone block takes its indentation from its default content. */
	const char *const p4[] = {"ouder", "Hoi,\n{{$b}}\n  std\n{{/b}}\n", NULL};
	HP("{{<ouder}}{{$b}}\neen\ntwee\n{{/b}}{{/ouder}}\n", p4, "{}", "Hoi,\n  een\n  twee\n");
	HP("{{<ouder}}{{/ouder}}\n", p4, "{}", "Hoi,\n  std\n");
	/* A layout as Campus writes them. */
	const char *const base[] = {
		"base",
		"<html>\n<body>\n  <main>\n    {{$main}}{{/main}}\n  </main>\n</body>\n</html>\n",
		NULL,
	};
	HP("{{<base}}\n{{$main}}\n<h1>{{t}}</h1>\n<p>x</p>\n{{/main}}\n{{/base}}\n", base, "{\"t\":\"T\"}",
	   "<html>\n<body>\n  <main>\n    <h1>T</h1>\n    <p>x</p>\n  </main>\n</body>\n</html>\n");
}

/* ------------------------------------------------------------------------ */
/* Translations */

static int tr_calls;

static const char *fake_translate(void *cls, const char *msgid)
{
	(void)cls;
	tr_calls++;
	if (strcmp(msgid, "Welkom bij Campus") == 0)
		return "Welcome to Campus";
	if (strcmp(msgid, "{{n}} boeken van {{naam}}") == 0)
		return "{{naam}}'s {{ n }} books";
	if (strcmp(msgid, "Zoeken") == 0)
		return "Search \"all\" o'clock";
	if (strcmp(msgid, "Lees <a href=\"/regels\">de regels</a>") == 0)
		return "Read <a href=\"/regels\">the rules</a>";
	if (strcmp(msgid, "Hallo {{naam}}") == 0)
		return "{{{naam}}} {{x y}} {{naam} {{ }} {{onbekend}} {{naam}}";
	if (strcmp(msgid, "open") == 0)
		return "unclosed {{naam";
	return NULL;
}

static void test_translation(void **state)
{
	(void)state;
	struct tmpl_render_opts tr = {.translate = fake_translate};
	/* Without a callback, or without a translation, the msgid is used. */
	BOTH("<h1>{{#_}}Welkom bij Campus{{/_}}</h1>", "{}", "<h1>Welkom bij Campus</h1>");
	assert_string_equal(run_opts(HTML, "<h1>{{#_}}Welkom bij Campus{{/_}}</h1>", NULL, "{}", &tr),
	                    "<h1>Welcome to Campus</h1>");
	assert_string_equal(run_opts(HTML, "{{#_}}Onbekend{{/_}}", NULL, "{}", &tr), "Onbekend");
	/* Variables are filled in (escaped) in either text, in any order. */
	const char *src = "<p>{{#_}}{{n}} boeken van {{naam}}{{/_}}</p>";
	const char *data = "{\"n\":3,\"naam\":\"<Bo>\"}";
	assert_string_equal(run(HTML, src, NULL, data), "<p>3 boeken van &lt;Bo&gt;</p>");
	assert_string_equal(run_opts(HTML, src, NULL, data, &tr), "<p>&lt;Bo&gt;'s 3 books</p>");
	assert_string_equal(run_opts(PLAIN, src, NULL, data, &tr), "<p>&lt;Bo&gt;'s 3 books</p>");
	/* Variables resolve through the context stack. */
	assert_string_equal(run_opts(HTML, "{{#l}}{{#_}}{{n}} boeken van {{naam}}{{/_}};{{/l}}", NULL,
	                             "{\"naam\":\"Jo\",\"l\":[{\"n\":1},{\"n\":2,\"naam\":\"Li\"}]}", &tr),
	                    "Jo's 1 books;Li's 2 books;");
	/* Whitespace around the msgid stays outside it. */
	assert_string_equal(run_opts(HTML, "<p>{{#_}}\n  Welkom bij Campus\n{{/_}}</p>", NULL, "{}", &tr),
	                    "<p>\n  Welcome to Campus\n</p>");
	/* Markup in a msgid is template text; in an attribute quotes are escaped. */
	assert_string_equal(run_opts(HTML, "<p>{{#_}}Lees <a href=\"/regels\">de regels</a>{{/_}}</p>",
	                             NULL, "{}", &tr),
	                    "<p>Read <a href=\"/regels\">the rules</a></p>");
	assert_string_equal(run_opts(HTML, "<input placeholder=\"{{#_}}Zoeken{{/_}}\">", NULL, "{}", &tr),
	                    "<input placeholder=\"Search &quot;all&quot; o&#39;clock\">");
	assert_string_equal(run_opts(PLAIN, "<input placeholder=\"{{#_}}Zoeken{{/_}}\">", NULL, "{}", &tr),
	                    "<input placeholder=\"Search \"all\" o'clock\">");
	/* In a translation only {{name}} is a variable; other braces stay. */
	assert_string_equal(run_opts(HTML, "{{#_}}Hallo {{naam}}{{/_}}", NULL, "{\"naam\":\"<x>\"}", &tr),
	                    "{{{naam}}} {{x y}} {{naam} {{ }}  &lt;x&gt;");
	assert_string_equal(run_opts(HTML, "{{#_}}open{{/_}}", NULL, "{\"naam\":1}", &tr), "unclosed {{naam");
	/* Other delimiters: the msgid still uses {{name}}. */
	assert_string_equal(run_opts(HTML, "{{=<% %>=}}<%#_%><%n%> boeken van <%naam%><%/_%>", NULL, data, &tr),
	                    "&lt;Bo&gt;'s 3 books");
	/* Errors. */
	HERR("{{#_}}a {{#x}}b{{/x}}{{/_}}", "t.html:1: only {{name}} variables may appear inside a translation");
	HERR("{{#_}}a {{{x}}}{{/_}}", "t.html:1: only {{name}} variables may appear inside a translation");
	HERR("{{#_}}a {{! c }}{{/_}}", "t.html:1: only {{name}} variables may appear inside a translation");
	HERR("{{#_}}a {{>p}}{{/_}}", "t.html:1: only {{name}} variables may appear inside a translation");
	HERR("\n{{#_}}a\n", "t.html:2: translation {{#_}} is never closed");
	HERR("{{#_}}  {{/_}}", "t.html:1: empty translation");
	HERR("{{#_}}{{a/b}}{{/_}}", "t.html:1: bad variable name \"a/b\" inside a translation");
	HERR("<a href=\"{{#_}}/x{{/_}}\">", "t.html:1: translation inside a URL, style or event-handler attribute");
	HERR("<a title={{#_}}x{{/_}}>", "t.html:1: translation inside an unquoted attribute value");
	HERR("<script>{{#_}}x{{/_}}</script>", "t.html:1: translation inside <script>");
	HERR("{{#_}}<a href=\"/z?q={{q}}\">z</a>{{/_}}",
	     "t.html:1: variable \"q\" inside a translation may only sit in text or a plain attribute value");
	HERR("{{#_}}<a href=\"{{/_}}\">", "t.html:1: translation starts in text but ends in an attribute value");
}

struct msgid_seen {
	char text[1024];
};

static void collect_cb(void *cls, const char *msgid, const char *file, int line)
{
	struct msgid_seen *s = cls;
	size_t n = strlen(s->text);
	snprintf(s->text + n, sizeof s->text - n, "%s:%d:%s|", file, line, msgid);
}

static void test_collect_msgids(void **state)
{
	(void)state;
	struct tmpl_set *set = tmpl_set_new(0);
	struct buf err;
	buf_init(&err, NULL, 0);
	const char *a = "<h1>{{#_}}Welkom{{/_}}</h1>\n{{#x}}\n<p>{{#_}}{{n}} boeken{{/_}}</p>\n{{/x}}\n";
	const char *b = "{{<a}}\n{{$blok}}\n\n{{#_}}In blok{{/_}}\n{{/blok}}\n{{/a}}\n<i title=\"{{#_}}Titel{{/_}}\"></i>";
	assert_int_equal(tmpl_set_add(set, "a", a, strlen(a), "tpl/a.html", &err), 0);
	assert_int_equal(tmpl_set_add(set, "b", b, strlen(b), "tpl/b.html", &err), 0);
	struct msgid_seen seen = {{0}};
	assert_int_equal(tmpl_collect_msgids(set, collect_cb, &seen), 0);
	assert_string_equal(seen.text, "tpl/a.html:1:Welkom|tpl/a.html:3:{{n}} boeken|"
	                               "tpl/b.html:4:In blok|tpl/b.html:7:Titel|");
	assert_int_equal(tmpl_collect_msgids(set, NULL, NULL), CAMPUS_EINVAL);
	buf_fini(&err);
	tmpl_set_free(set);
}

/* ------------------------------------------------------------------------ */
/* Context-aware escaping */

static void test_escape_text_and_attributes(void **state)
{
	(void)state;
	const char *d = "{\"x\":\"<a href='j'>\\\"&\"}";
	H("<p>{{x}}</p>", d, "<p>&lt;a href&#61;&#39;j&#39;&gt;&quot;&amp;</p>");
	H("<p title=\"{{x}}\"></p>", d, "<p title=\"&lt;a href&#61;&#39;j&#39;&gt;&quot;&amp;\"></p>");
	H("<p title='{{x}}'></p>", d, "<p title='&lt;a href&#61;&#39;j&#39;&gt;&quot;&amp;'></p>");
	H("<p class=\"a {{x}} b\" data-x=\"{{x}}\"></p>", "{\"x\":\"k\"}", "<p class=\"a k b\" data-x=\"k\"></p>");
	/* Raw is allowed in text (trusted, pre-rendered HTML). */
	H("<div>{{{x}}}{{&x}}</div>", "{\"x\":\"<b>\"}", "<div><b><b></div>");
	/* Textarea and title content is text. */
	H("<textarea>{{x}}</textarea><title>{{x}}</title>", "{\"x\":\"</textarea>\"}",
	  "<textarea>&lt;/textarea&gt;</textarea><title>&lt;/textarea&gt;</title>");
	/* After a comment, a doctype, a processing instruction or a finished
	 * script we are back in text. */
	H("<!DOCTYPE html><!-- <a href=\" --><?x ?>{{x}}", "{\"x\":\"<\"}", "<!DOCTYPE html><!-- <a href=\" --><?x ?>&lt;");
	H("<!---->{{x}}<!-->{{x}}<!--->{{x}}<!-- a --!>{{x}}", "{\"x\":\"<\"}",
	  "<!---->&lt;<!-->&lt;<!--->&lt;<!-- a --!>&lt;");
	H("<script src=\"/app.js\" nonce=\"{{n}}\"></script>{{x}}", "{\"n\":\"abc\",\"x\":\"<\"}",
	  "<script src=\"/app.js\" nonce=\"abc\"></script>&lt;");
	H("<SCRIPT>var a = '</scriptx>';</SCRIPT >{{x}}", "{\"x\":\"<\"}", "<SCRIPT>var a = '</scriptx>';</SCRIPT >&lt;");
	H("<style>p{color:red}</style\n>{{x}}", "{\"x\":\"<\"}", "<style>p{color:red}</style\n>&lt;");
	/* A lone "<" or "</>" does not open a tag. */
	H("a < b {{x}} </> {{x}}", "{\"x\":1}", "a < b 1 </> 1");
	/* Sections inside tags and attribute values. */
	H("<input type=\"checkbox\" {{#c}}checked{{/c}} name=\"{{n}}\">", "{\"c\":true,\"n\":\"k\"}",
	  "<input type=\"checkbox\" checked name=\"k\">");
	H("<li class=\"{{#on}}actief {{/on}}item\"{{#id}} id=\"i{{id}}\"{{/id}}>", "{\"on\":true,\"id\":7}",
	  "<li class=\"actief item\" id=\"i7\">");
	H("<option {{#sel}}selected{{/sel}}>{{x}}</option>", "{\"sel\":false,\"x\":\"a\"}", "<option >a</option>");
	/* Plain mode: ordinary Mustache escaping everywhere. */
	P("<script>var x = \"{{x}}\";</script><a href=\"{{u}}\" onclick=\"{{x}}\">",
	  "{\"x\":\"<\\\"\",\"u\":\"javascript:alert(1)\"}",
	  "<script>var x = \"&lt;&quot;\";</script><a href=\"javascript:alert(1)\" onclick=\"&lt;&quot;\">");
}

static void test_escape_urls(void **state)
{
	(void)state;
	/* Safe URLs at the start of a URL attribute pass (HTML-escaped). */
	H("<a href=\"{{u}}\">", "{\"u\":\"https://example.nl/a?b=1&c=2\"}",
	  "<a href=\"https://example.nl/a?b&#61;1&amp;c&#61;2\">");
	H("<a href=\"{{u}}\">", "{\"u\":\"HTTP://x.nl\"}", "<a href=\"HTTP://x.nl\">");
	H("<a href=\"{{u}}\">", "{\"u\":\"mailto:info@bieb.nl\"}", "<a href=\"mailto:info@bieb.nl\">");
	H("<a href=\"{{u}}\">", "{\"u\":\"tel:+31201234567\"}", "<a href=\"tel:+31201234567\">");
	H("<a href=\"{{u}}\">", "{\"u\":\"/cursus/12\"}", "<a href=\"/cursus/12\">");
	H("<a href=\"{{u}}\">", "{\"u\":\"cursus/12?x=a:b\"}", "<a href=\"cursus/12?x&#61;a:b\">");
	H("<a href=\"{{u}}\">", "{\"u\":\"#inhoud\"}", "<a href=\"#inhoud\">");
	H("<a href=\"{{u}}\">", "{\"u\":\"//cdn.example.nl/x\"}", "<a href=\"//cdn.example.nl/x\">");
	H("<a href=\"{{u}}\">", "{\"u\":\"\"}", "<a href=\"\">");
	H("<a href=' {{u}}'>", "{\"u\":\"https://x\"}", "<a href=' https://x'>");
	/* Everything else becomes about:invalid. */
	const char *bad[] = {
		"javascript:alert(1)",
		"JaVaScRiPt:alert(1)",
		" javascript:alert(1)",
		"\\u0001\\u0002javascript:alert(1)",
		"java\\tscript:alert(1)",
		"java\\nscript:alert(1)",
		"java\\r\\nscript:alert(1)",
		"jav\\u0000ascript:alert(1)",
		"javascript\\t:alert(1)",
		"data:text/html;base64,PHNjcmlwdD4=",
		"DATA:text/html,x",
		"vbscript:msgbox(1)",
		"javascript&colon;x:1",
		"file:///etc/passwd",
		"ftp://x",
		"https\\u00a0:x",
		"httpsssssss:x",
		"a:b",
		"\\u0000:x",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char json[256];
		snprintf(json, sizeof json, "{\"u\":\"%s\"}", bad[i]);
		assert_string_equal(run(HTML, "<a href=\"{{u}}\">", NULL, json), "<a href=\"about:invalid\">");
	}
	/* Entities in the value are escaped, so they cannot spell a scheme. */
	H("<a href=\"{{u}}\">", "{\"u\":\"javascript&#58;alert(1)\"}",
	  "<a href=\"javascript&amp;#58;alert(1)\">");
	H("<a href=\"{{u}}\">", "{\"u\":\"&#x6A;avascript:alert(1)\"}",
	  "<a href=\"&amp;#x6A;avascript:alert(1)\">");
	/* The other URL attributes behave the same. */
	const char *attrs[] = {"src", "action", "formaction", "poster", "cite", "data", "xlink:href", "SRC",
	                       "HREF", "background"};
	for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
		char src[128], want[128];
		snprintf(src, sizeof src, "<x %s=\"{{u}}\">", attrs[i]);
		snprintf(want, sizeof want, "<x %s=\"about:invalid\">", attrs[i]);
		assert_string_equal(run(HTML, src, NULL, "{\"u\":\"javascript:x\"}"), want);
	}
	/* Later in the value a variable is percent-encoded. */
	H("<a href=\"/b/{{slug}}/x\">", "{\"slug\":\"a b/c?d\"}", "<a href=\"/b/a%20b%2Fc%3Fd/x\">");
	H("<a href=\"/zoek?q={{q}}&amp;p={{p}}\">", "{\"q\":\"javascript:x&y\",\"p\":2}",
	  "<a href=\"/zoek?q=javascript%3Ax%26y&amp;p=2\">");
	H("<form action=\"{{base}}{{path}}\">", "{\"base\":\"https://x.nl\",\"path\":\"/a b\"}",
	  "<form action=\"https://x.nl%2Fa%20b\">");
	H("<a href=\"mailto:{{e}}\">", "{\"e\":\"a@b.nl\"}", "<a href=\"mailto:a%40b.nl\">");
	/* A section at the start keeps the start check; after literal text or
	 * in later iterations the value is percent-encoded or still checked. */
	H("<a href=\"{{#l}}{{u}}{{/l}}\">", "{\"l\":{\"u\":\"javascript:x\"}}", "<a href=\"about:invalid\">");
	H("<a href=\"{{#l}}{{.}}{{/l}}\">", "{\"l\":[\"/a\",\"javascript:x\"]}", "<a href=\"/aabout:invalid\">");
	H("<a href=\"{{#a}}/p{{/a}}{{u}}\">", "{\"a\":false,\"u\":\"javascript:x\"}",
	  "<a href=\"javascript%3Ax\">");
	/* Literal text after a URL-start variable may not finish a scheme
	 * ("{{u}}:" with u = "javascript", or an entity for ':'); once a '/',
	 * '?' or '#' follows it may. A later variable cannot add a raw ':'. */
	HERR("<a href=\"{{u}}:x\">",
	     "t.html:1: \":\" after a variable that starts a URL could complete its scheme; put \"/\", \"?\" or \"#\" first");
	HERR("<a href=\"{{u}}\n&#58;x\">",
	     "t.html:2: \"&\" after a variable that starts a URL could complete its scheme; put \"/\", \"?\" or \"#\" first");
	HERR("<a href=\"{{#a}}{{u}}{{/a}}{{#b}}:{{/b}}\">",
	     "t.html:1: \":\" after a variable that starts a URL could complete its scheme; put \"/\", \"?\" or \"#\" first");
	H("<a href=\"{{u}}/x:y?a=1&amp;b={{v}}\" title=\"a:b\">", "{\"u\":\"/p\",\"v\":\"c:d\"}",
	  "<a href=\"/p/x:y?a=1&amp;b=c%3Ad\" title=\"a:b\">");
	H("<a href=\"{{u}}#x:y\"><a href='{{u}}?q=a:b'>", "{\"u\":\"javascript\"}",
	  "<a href=\"javascript#x:y\"><a href='javascript?q=a:b'>");
	H("<a href=\"{{scheme}}{{rest}}\">", "{\"scheme\":\"javascript\",\"rest\":\":alert(1)\"}",
	  "<a href=\"javascript%3Aalert%281%29\">");
	/* Non-URL attributes that merely look alike are plain values. */
	H("<a data-href=\"{{u}}\" hreflang=\"{{u}}\">", "{\"u\":\"javascript:x\"}",
	  "<a data-href=\"javascript:x\" hreflang=\"javascript:x\">");
}

static void test_escape_refused(void **state)
{
	(void)state;
	HERR("<script>\nvar x = {{x}};\n</script>", "t.html:2: variable \"x\" inside <script>");
	HERR("<script>var x = \"{{{x}}}\";</script>", "t.html:1: variable \"x\" inside <script>");
	HERR("<script type=\"module\">\n</scrip>{{x}}</script>", "t.html:2: variable \"x\" inside <script>");
	HERR("<style>p::after { content: \"{{x}}\" }</style>", "t.html:1: variable \"x\" inside <style>");
	HERR("<svg><style>{{x}}</style></svg>", "t.html:1: variable \"x\" inside <style>");
	HERR("<a onclick=\"go('{{x}}')\">", "t.html:1: variable \"x\" inside an event-handler attribute");
	HERR("<body ONLOAD='{{x}}'>", "t.html:1: variable \"x\" inside an event-handler attribute");
	HERR("<p style=\"color: {{c}}\">", "t.html:1: variable \"c\" inside a style attribute");
	HERR("<img srcset=\"{{s}} 2x\">", "t.html:1: variable \"s\" inside a srcset attribute");
	HERR("<iframe srcdoc=\"{{s}}\">", "t.html:1: variable \"s\" inside a srcdoc attribute");
	HERR("<a href={{u}}>", "t.html:1: variable \"u\" inside an unquoted attribute value");
	HERR("<a class=x{{u}}>", "t.html:1: variable \"u\" inside an unquoted attribute value");
	HERR("<a {{attr}}=\"x\">", "t.html:1: variable \"attr\" inside a tag (attribute names must be literal)");
	HERR("<a href=\"/\" {{attr}}>", "t.html:1: variable \"attr\" inside a tag (attribute names must be literal)");
	HERR("<{{tag}}>", "t.html:1: variable \"tag\" inside a tag name");
	HERR("<h{{n}}>", "t.html:1: variable \"n\" inside a tag name");
	HERR("</{{tag}}>", "t.html:1: variable \"tag\" inside a tag name");
	HERR("<!-- {{x}} -->", "t.html:1: variable \"x\" inside an HTML comment");
	HERR("<!DOCTYPE {{x}}>", "t.html:1: variable \"x\" inside a markup declaration");
	HERR("<p title=\"{{{x}}}\">", "t.html:1: variable \"x\" is raw inside an attribute value");
	HERR("<a href=\"{{&x}}\">", "t.html:1: variable \"x\" is raw inside an attribute value");
	/* A section must end in the context it starts in. */
	HERR("{{#a}}<p title=\"{{/a}}\">", "t.html:1: section \"a\" starts in text but ends in an attribute value");
	HERR("<p {{#a}}title=\"{{/a}}x\">", "t.html:1: section \"a\" starts in a tag but ends in an attribute value");
	HERR("\n<{{#a}}b{{/a}}>", "t.html:2: section \"a\" starts in a tag name but ends in a tag name");
	/* An attribute name assembled by a section is unknown: no variables in
	 * its value (it could be onclick). */
	HERR("<a {{#x}}on{{/x}}click=\"{{y}}\">",
	     "t.html:1: variable \"y\" inside an attribute whose name depends on a section");
	HERR("<a {{#x}}onclick {{/x}}=\"{{y}}\">",
	     "t.html:1: variable \"y\" inside an attribute whose name depends on a section");
	/* ...and a body that continues a name from its previous round is
	 * checked again from there. */
	HERR("<a {{#l}}title=\"{{t}}\" on{{/l}}>",
	     "t.html:1: variable \"t\" inside an attribute whose name depends on a section");
	/* Partials, parents and blocks belong in text. */
	const char *const parts[] = {"p", "x", NULL};
	assert_string_equal(run(HTML, "<a title=\"{{>p}}\">", parts, "{}"),
	                    "ERR(-1) t.html:1: partial \"p\" inside an attribute value");
	HERR("<script>{{<p}}{{/p}}</script>", "t.html:1: parent \"p\" inside <script>");
	HERR("<a title=\"{{$b}}x{{/b}}\">", "t.html:1: block \"b\" inside an attribute value");
	HERR("{{$b}}<a title=\"{{/b}}\">", "t.html:1: block \"b\" ends inside an attribute value");
	HERR("{{<p}}{{$b}}<a{{/b}}{{/p}}", "t.html:1: block \"b\" ends inside a tag name");
	/* A template must end in text (a partial cannot leave a tag open). */
	HERR("<a href=\"", "t.html:1: template ends inside an attribute value");
	HERR("a\n<div\n", "t.html:2: template ends inside a tag");
	HERR("a\n<div", "t.html:2: template ends inside a tag name");
	HERR("<script>\n", "t.html:1: template ends inside <script>");
	HERR("<!-- x", "t.html:1: template ends inside an HTML comment");
	/* "<!--" inside a script is refused (its parsing rules are odd). */
	HERR("<script>\nif (a <!-- b) {}\n</script>", "t.html:2: an HTML comment \"<!--\" inside <script> is not supported");
	/* None of this applies in plain mode. */
	P("<script>{{x}}</script><a href={{x}} {{x}}><!-- {{x}} -->", "{\"x\":\"<\"}",
	  "<script>&lt;</script><a href=&lt; &lt;><!-- &lt; -->");
}

/* ------------------------------------------------------------------------ */
/* Errors */

static void test_compile_errors(void **state)
{
	(void)state;
	const char *src = "<ul>\n"
	                  "\n"
	                  "\n"
	                  "\n"
	                  "\n"
	                  "\n"
	                  "{{#items}}\n"
	                  "<li>{{naam}}</li>\n"
	                  "\n"
	                  "\n"
	                  "\n"
	                  "{{/item}}\n"
	                  "</ul>\n";
	HERR(src, "t.html:12: section \"items\" opened on line 7 is closed by \"item\"");
	PERR(src, "t.html:12: section \"items\" opened on line 7 is closed by \"item\"");
	HERR("a\n{{^x}}\n{{/y}}", "t.html:3: inverted section \"x\" opened on line 2 is closed by \"y\"");
	HERR("{{$b}}{{/c}}", "t.html:1: block \"b\" opened on line 1 is closed by \"c\"");
	HERR("{{<p}}\n{{/q}}", "t.html:2: parent \"p\" opened on line 1 is closed by \"q\"");
	HERR("a\nb {{#x}}\n{{y}}", "t.html:2: section \"x\" is never closed");
	HERR("{{#x}}{{#y}}{{/y}}", "t.html:1: section \"x\" is never closed");
	HERR("{{<p}}{{$b}}{{/b}}", "t.html:1: parent \"p\" is never closed");
	HERR("a\n\nb {{/x}}", "t.html:3: closing tag \"x\" has no open section");
	HERR("a\nb {{x", "t.html:2: unclosed tag \"{{\"");
	HERR("{{{x}}", "t.html:1: unclosed tag \"{{\"");
	HERR("{{=<% %>=}}\n\n<%x", "t.html:3: unclosed tag \"<%\"");
	HERR("{{! never closed", "t.html:1: unclosed tag \"{{\"");
	HERR("a {{}}", "t.html:1: empty tag");
	HERR("a {{# }}", "t.html:1: empty tag");
	HERR("{{a b}}", "t.html:1: bad tag name \"a b\"");
	HERR("{{> a b}}", "t.html:1: bad tag name \"a b\"");
	/* A tag spread over lines reports where it starts; later lines count on. */
	HERR("{{!\n\n}}\n{{#x}}\n{{/y}}", "t.html:5: section \"x\" opened on line 4 is closed by \"y\"");
	/* Nesting limit. */
	char want[128];
	snprintf(want, sizeof want, "ERR(-1) t.html:1: sections nested more than %d deep", TMPL_MAX_DEPTH);
	assert_string_equal(run(HTML, nested_sections(TMPL_MAX_DEPTH + 1, ""), NULL, "{}"), want);
}

static void test_link_errors(void **state)
{
	(void)state;
	struct buf err;
	buf_init(&err, NULL, 0);
	struct tmpl_set *set = tmpl_set_new(0);
	const char *a = "x\n\n{{#s}}\n  {{> partials/nav }}\n{{/s}}\n";
	const char *b = "{{<layouts/weg}}{{/layouts/weg}}";
	assert_int_equal(tmpl_set_add(set, "pages/a", a, strlen(a), "templates/pages/a.html", &err), 0);
	assert_int_equal(tmpl_set_link(set, &err), CAMPUS_ENOTFOUND);
	assert_string_equal(buf_cstr(&err), "templates/pages/a.html:4: unknown partial \"partials/nav\"");
	buf_clear(&err);
	assert_int_equal(tmpl_set_add(set, "partials/nav", "<nav></nav>", 11, NULL, &err), 0);
	assert_int_equal(tmpl_set_link(set, &err), 0);
	assert_int_equal(tmpl_set_add(set, "pages/b", b, strlen(b), "templates/pages/b.html", &err), 0);
	assert_int_equal(tmpl_set_link(set, &err), CAMPUS_ENOTFOUND);
	assert_string_equal(buf_cstr(&err), "templates/pages/b.html:1: unknown parent template \"layouts/weg\"");
	/* Names are unique. */
	buf_clear(&err);
	assert_int_equal(tmpl_set_add(set, "pages/a", "", 0, "other.html", &err), CAMPUS_ECONFLICT);
	assert_string_equal(buf_cstr(&err),
	                    "other.html: template \"pages/a\" is already defined by templates/pages/a.html");
	assert_true(tmpl_set_has(set, "pages/a"));
	assert_true(tmpl_set_has(set, "partials/nav"));
	assert_false(tmpl_set_has(set, "pages/c"));
	assert_int_equal(tmpl_set_add(set, "", "", 0, NULL, NULL), CAMPUS_EINVAL);
	/* Errors with a NULL err buffer still return the code. */
	assert_int_equal(tmpl_set_add(set, "bad", "{{#x}}", 6, NULL, NULL), CAMPUS_EINVAL);
	assert_false(tmpl_set_has(set, "bad"));
	tmpl_set_free(set);

	/* Plain mode leaves unknown partials to the render. */
	set = tmpl_set_new(TMPL_PLAIN);
	buf_clear(&err);
	const char *m = "Beste {{naam}},\n{{> voet}}\n";
	assert_int_equal(tmpl_set_add(set, "mail", m, strlen(m), "mail.mustache", &err), 0);
	assert_int_equal(tmpl_set_link(set, &err), 0);
	struct buf out;
	buf_init(&out, NULL, 0);
	assert_int_equal(tmpl_render(set, "mail", NULL, NULL, &out, &err), CAMPUS_ENOTFOUND);
	assert_string_equal(buf_cstr(&err), "mail.mustache:2: partial \"voet\" not found");
	buf_fini(&out);
	tmpl_set_free(set);
	buf_fini(&err);
}

static void test_render_errors(void **state)
{
	(void)state;
	/* A partial that includes itself stops at the depth limit. */
	const char *const self[] = {"zelf", "x{{>zelf}}", NULL};
	char want[256];
	snprintf(want, sizeof want,
	         "ERR(%d) zelf.html:1: templates nested more than %d deep at \"zelf\" (recursive partial?)",
	         CAMPUS_EINVAL, TMPL_MAX_DEPTH);
	assert_string_equal(run(HTML, "{{>zelf}}", self, "{}"), want);
	/* Same for sections in a recursive partial and a parent that is its own
	 * parent. */
	const char *const rec[] = {"r", "{{#a}}{{>r}}{{/a}}", NULL};
	assert_int_equal(strncmp(run(HTML, "{{>r}}", rec, "{\"a\":true}"), "ERR(-1) r.html:1: templates nested", 34), 0);
	const char *const par[] = {"p", "{{<p}}{{/p}}", NULL};
	assert_int_equal(strncmp(run(HTML, "{{<p}}{{/p}}", par, "{}"), "ERR(-1) p.html:1: templates nested", 34), 0);
	/* Deep but legal nesting renders. */
	assert_string_equal(run(HTML, nested_sections(30, "{{x}}"), NULL, "{\"a\":true,\"x\":\"diep\"}"), "diep");
	/* Exponential work is cut off by the step budget. */
	const char *const twice[] = {"t2", "{{>t3}}{{>t3}}", "t3", "{{>t4}}{{>t4}}", "t4", "{{#l}}{{#l}}{{#l}}{{.}}{{/l}}{{/l}}{{/l}}", NULL};
	struct tmpl_render_opts small = {.max_steps = 1000};
	const char *r = run_opts(HTML, "{{>t2}}", twice, "{\"l\":[1,2,3,4,5,6,7,8,9,10]}", &small);
	assert_int_equal(strncmp(r, "ERR(-4) ", 8), 0);
	assert_non_null(strstr(r, "rendering needs more than 1000 steps"));
	/* Iterations count as steps too, even with an empty body at the end. */
	struct tmpl_render_opts tiny = {.max_steps = 5};
	assert_string_equal(run_opts(HTML, "x{{#l}}{{/l}}", NULL, "{\"l\":[1,2,3,4,5,6,7,8]}", &tiny),
	                    "ERR(-4) t.html:1: rendering needs more than 5 steps");
	assert_string_equal(run_opts(HTML, "x{{#l}}{{/l}}", NULL, "{\"l\":[1,2,3]}", &tiny), "x");

	/* Output over the buffer's cap. */
	struct tmpl_set *set = tmpl_set_new(0);
	struct buf out, err;
	buf_init(&out, NULL, 64);
	buf_init(&err, NULL, 0);
	const char *src = "{{#l}}0123456789{{/l}}";
	assert_int_equal(tmpl_set_add(set, "big", src, strlen(src), "big.html", &err), 0);
	json_t *data = json_pack("{s:[iiiiiiiiii]}", "l", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
	assert_int_equal(tmpl_render(set, "big", data, NULL, &out, &err), CAMPUS_ETOOBIG);
	assert_string_equal(buf_cstr(&err), "big.html:1: output larger than 64 bytes");
	/* Unknown template. */
	buf_clear(&err);
	buf_clear(&out);
	assert_int_equal(tmpl_render(set, "nope", data, NULL, &out, &err), CAMPUS_ENOTFOUND);
	assert_string_equal(buf_cstr(&err), "template \"nope\" not found");
	json_decref(data);
	buf_fini(&out);
	buf_fini(&err);
	tmpl_set_free(set);
}

/* ------------------------------------------------------------------------ */
/* Loading from disk */

static void write_file(const char *dir, const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_load_dir(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_tmpl_XXXXXX";
	assert_non_null(mkdtemp(dir));
	char sub[600];
	snprintf(sub, sizeof sub, "%s/layouts", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(sub, sizeof sub, "%s/partials", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(sub, sizeof sub, "%s/.verborgen", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	write_file(dir, "layouts/base.html", "<title>{{$t}}Campus{{/t}}</title>\n{{> partials/nav}}\n");
	write_file(dir, "partials/nav.mustache", "<nav>{{#_}}Menu{{/_}}</nav>\n");
	write_file(dir, "home.html", "{{<layouts/base}}{{$t}}Thuis{{/t}}{{/layouts/base}}");
	write_file(dir, "notes.txt", "{{#nooit");
	write_file(dir, ".verborgen/x.html", "{{#nooit");

	struct tmpl_set *set = tmpl_set_new(0);
	struct buf out, err;
	buf_init(&out, NULL, 0);
	buf_init(&err, NULL, 0);
	assert_int_equal(tmpl_set_load_dir(set, dir, &err), 0);
	assert_true(tmpl_set_has(set, "layouts/base"));
	assert_true(tmpl_set_has(set, "partials/nav"));
	assert_true(tmpl_set_has(set, "home"));
	assert_false(tmpl_set_has(set, "notes"));
	assert_false(tmpl_set_has(set, ".verborgen/x"));
	assert_int_equal(tmpl_set_link(set, &err), 0);
	assert_int_equal(tmpl_render(set, "home", NULL, NULL, &out, &err), 0);
	assert_string_equal(buf_cstr(&out), "<title>Thuis</title>\n<nav>Menu</nav>\n");
	tmpl_set_free(set);

	/* Errors name the file. */
	write_file(dir, "partials/kapot.html", "<p>\n{{#a}}\n</p>\n");
	set = tmpl_set_new(0);
	buf_clear(&err);
	assert_int_equal(tmpl_set_load_dir(set, dir, &err), CAMPUS_EINVAL);
	char want[700];
	snprintf(want, sizeof want, "%s/partials/kapot.html:2: section \"a\" is never closed", dir);
	assert_string_equal(buf_cstr(&err), want);
	tmpl_set_free(set);
	set = tmpl_set_new(0);
	buf_clear(&err);
	assert_int_equal(tmpl_set_load_dir(set, "/nonexistent/templates", &err), CAMPUS_EIO);
	assert_non_null(strstr(buf_cstr(&err), "/nonexistent/templates: "));
	tmpl_set_free(set);

	char cmd[700];
	snprintf(cmd, sizeof cmd, "%s/partials/kapot.html", dir);
	unlink(cmd);
	snprintf(cmd, sizeof cmd, "%s/partials/nav.mustache", dir);
	unlink(cmd);
	snprintf(cmd, sizeof cmd, "%s/layouts/base.html", dir);
	unlink(cmd);
	snprintf(cmd, sizeof cmd, "%s/.verborgen/x.html", dir);
	unlink(cmd);
	snprintf(cmd, sizeof cmd, "%s/home.html", dir);
	unlink(cmd);
	snprintf(cmd, sizeof cmd, "%s/notes.txt", dir);
	unlink(cmd);
	snprintf(cmd, sizeof cmd, "%s/layouts", dir);
	rmdir(cmd);
	snprintf(cmd, sizeof cmd, "%s/partials", dir);
	rmdir(cmd);
	snprintf(cmd, sizeof cmd, "%s/.verborgen", dir);
	rmdir(cmd);
	rmdir(dir);
	buf_fini(&out);
	buf_fini(&err);
}

/* The project's own templates compile, link and render. */
static const char *home_data =
	"{\"lang\":\"nl\",\"csrf_token\":\"tok\",\"path\":\"/\",\"other_lang\":\"en\","
	"\"other_lang_name\":\"English\",\"version\":\"0.1.0\","
	"\"breadcrumb\":[{\"href\":\"/\",\"label\":\"Start\"},{\"href\":\"javascript:x\",\"label\":\"<b>\"}],"
	"\"flash\":\"Opgeslagen & klaar\"}";

static void test_project_templates(void **state)
{
	(void)state;
	struct tmpl_set *set = tmpl_set_new(0);
	struct buf out, err;
	buf_init(&out, NULL, 0);
	buf_init(&err, NULL, 0);
	int rc = tmpl_set_load_dir(set, "templates", &err);
	if (rc)
		fail_msg("%s", buf_cstr(&err));
	rc = tmpl_set_link(set, &err);
	if (rc)
		fail_msg("%s", buf_cstr(&err));
	json_t *data = json_loads(home_data, 0, NULL);
	assert_non_null(data);
	assert_int_equal(tmpl_render(set, "pages/home", data, NULL, &out, &err), 0);
	const char *html = buf_cstr(&out);
	assert_non_null(strstr(html, "<title>Welkom · Campus</title>"));
	assert_non_null(strstr(html, "<h1 class=\"utrecht-heading-1\">Welkom bij Campus</h1>"));
	assert_non_null(strstr(html, "href=\"about:invalid\">&lt;b&gt;</a>"));
	assert_non_null(strstr(html, "Opgeslagen &amp; klaar"));
	assert_non_null(strstr(html, "aria-label=\"Kruimelpad\""));
	assert_null(strstr(html, "{{"));

	/* Informational: how long one home page takes. */
	struct timespec t0, t1;
	int rounds = 20000;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < rounds; i++) {
		buf_clear(&out);
		tmpl_render(set, "pages/home", data, NULL, &out, NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / rounds;
	print_message("# pages/home: %zu bytes in %.2f us per render\n", out.len, ns / 1000.0);
	json_decref(data);
	buf_fini(&out);
	buf_fini(&err);
	tmpl_set_free(set);
}

/* Amounts the Dutch way (view/numbers.h), also at the edges. */
static void test_numbers(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	assert_string_equal(numbers_euros(a, 35000), "€ 350");
	assert_string_equal(numbers_euros(a, 35050), "€ 350,50");
	assert_string_equal(numbers_euros(a, -505), "-€ 5,05");
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interpolation),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_dotted_names),
		cmocka_unit_test(test_implicit_iterator),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_inverted),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_standalone),
		cmocka_unit_test(test_delimiters),
		cmocka_unit_test(test_partials),
		cmocka_unit_test(test_inheritance),
		cmocka_unit_test(test_inheritance_indentation),
		cmocka_unit_test(test_translation),
		cmocka_unit_test(test_collect_msgids),
		cmocka_unit_test(test_escape_text_and_attributes),
		cmocka_unit_test(test_escape_urls),
		cmocka_unit_test(test_escape_refused),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_link_errors),
		cmocka_unit_test(test_render_errors),
		cmocka_unit_test(test_load_dir),
		cmocka_unit_test(test_project_templates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
