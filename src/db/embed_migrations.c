/* Build-time tool: embeds migrations/<dialect>/NNNN_name.sql into a C file
 * with one {version, name, sql} array per dialect (see db_internal.h).
 *
 *   embed_migrations OUT.c [--dir DIR]... FILE.sql...
 *
 * Each --dir is checked for .sql files missing from the list, because Meson
 * does not glob and a forgotten entry in src/db/meson.build would otherwise
 * ship a binary without its migration. Versions must run 1, 2, 3... per
 * dialect. Plain C so the build needs no xxd or python. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mig {
	const char *path;
	int dialect; /* index into dialects[] */
	int version;
	char name[128];
	char *sql;
	size_t len;
};

static const char *const dialects[] = {"sqlite", "postgres"};
#define NDIALECTS 2

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "embed_migrations: %s: %s\n", what, detail);
	exit(1);
}

static void *xrealloc_(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die("out of memory", "realloc");
	return q;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* "NNNN_name.sql" with name in [a-z0-9_]. */
static bool parse_file_name(const char *base, int *version, char *name, size_t namesize)
{
	size_t n = strlen(base);
	if (n < 10 || strcmp(base + n - 4, ".sql") != 0 || base[4] != '_')
		return false;
	int v = 0;
	for (int i = 0; i < 4; i++) {
		if (base[i] < '0' || base[i] > '9')
			return false;
		v = v * 10 + (base[i] - '0');
	}
	size_t nl = n - 4 - 5;
	if (v == 0 || nl == 0 || nl >= namesize)
		return false;
	for (size_t i = 0; i < nl; i++) {
		char ch = base[5 + i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'))
			return false;
	}
	memcpy(name, base + 5, nl);
	name[nl] = '\0';
	*version = v;
	return true;
}

/* The dialect is the name of the directory holding the file. */
static int dialect_of(const char *path)
{
	const char *base = base_name(path);
	if (base == path)
		return -1;
	const char *end = base - 1;
	const char *start = end;
	while (start > path && start[-1] != '/')
		start--;
	for (int d = 0; d < NDIALECTS; d++)
		if ((size_t)(end - start) == strlen(dialects[d]) &&
		    strncmp(start, dialects[d], (size_t)(end - start)) == 0)
			return d;
	return -1;
}

static void read_file(struct mig *m)
{
	FILE *f = fopen(m->path, "rb");
	if (!f)
		die(m->path, strerror(errno));
	size_t cap = 4096, len = 0;
	char *data = xrealloc_(NULL, cap);
	size_t got;
	while ((got = fread(data + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			cap *= 2;
			data = xrealloc_(data, cap);
		}
	}
	if (ferror(f))
		die(m->path, "read error");
	fclose(f);
	if (memchr(data, 0, len))
		die(m->path, "contains a NUL byte");
	if (len == 0)
		die(m->path, "is empty");
	m->sql = data;
	m->len = len;
}

static int cmp_mig(const void *a, const void *b)
{
	const struct mig *x = a, *y = b;
	if (x->dialect != y->dialect)
		return x->dialect - y->dialect;
	return x->version - y->version;
}

/* A C string literal, one source line per SQL line. '?' is escaped so that
 * no "??x" trigraph forms under -std=c17. */
static void put_literal(FILE *out, const char *s, size_t n)
{
	fputs("\t \"", out);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		switch (ch) {
		case '\\':
			fputs("\\\\", out);
			break;
		case '"':
			fputs("\\\"", out);
			break;
		case '?':
			fputs("\\?", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		case '\n':
			fputs("\\n\"", out);
			if (i + 1 < n)
				fputs("\n\t \"", out);
			else
				return;
			break;
		default:
			if (ch < 0x20 || ch >= 0x7f)
				fprintf(out, "\\%03o", ch);
			else
				fputc(ch, out);
		}
	}
	fputc('"', out);
}

static void check_dir(const char *dir, const struct mig *migs, int n)
{
	DIR *d = opendir(dir);
	if (!d)
		die(dir, strerror(errno));
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len < 4 || strcmp(e->d_name + len - 4, ".sql") != 0)
			continue;
		bool listed = false;
		for (int i = 0; i < n && !listed; i++)
			listed = strcmp(base_name(migs[i].path), e->d_name) == 0 &&
			         strcmp(dialects[migs[i].dialect], base_name(dir)) == 0;
		if (!listed)
			die(e->d_name, "is not listed in src/db/meson.build (migration_files)");
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		die("usage", "embed_migrations OUT.c [--dir DIR]... FILE.sql...");
	const char *out_path = argv[1];
	struct mig *migs = xrealloc_(NULL, (size_t)argc * sizeof *migs);
	const char **dirs = xrealloc_(NULL, (size_t)argc * sizeof *dirs);
	int n = 0, ndirs = 0;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
			dirs[ndirs++] = argv[++i];
			continue;
		}
		struct mig *m = &migs[n++];
		memset(m, 0, sizeof *m);
		m->path = argv[i];
		m->dialect = dialect_of(m->path);
		if (m->dialect < 0)
			die(m->path, "not under migrations/sqlite or migrations/postgres");
		if (!parse_file_name(base_name(m->path), &m->version, m->name, sizeof m->name))
			die(m->path, "name must be NNNN_name.sql (name in [a-z0-9_])");
		read_file(m);
	}
	qsort(migs, (size_t)n, sizeof *migs, cmp_mig);
	int next[NDIALECTS] = {1, 1};
	for (int i = 0; i < n; i++) {
		if (migs[i].version != next[migs[i].dialect])
			die(migs[i].path,
			    "versions must be numbered 1, 2, 3... without gaps or repeats");
		next[migs[i].dialect]++;
	}
	for (int i = 0; i < ndirs; i++)
		check_dir(dirs[i], migs, n);

	FILE *out = fopen(out_path, "w");
	if (!out)
		die(out_path, strerror(errno));
	fputs("/* Generated by src/db/embed_migrations.c from migrations/: do not edit. */\n"
	      "#include \"db/db_internal.h\"\n",
	      out);
	for (int d = 0; d < NDIALECTS; d++) {
		unsigned count = 0;
		fprintf(out, "\nconst struct db_migration db_migrations_%s[] = {\n", dialects[d]);
		for (int i = 0; i < n; i++) {
			if (migs[i].dialect != d)
				continue;
			fprintf(out, "\t{%d, \"%s\",\n", migs[i].version, migs[i].name);
			put_literal(out, migs[i].sql, migs[i].len);
			fputs("},\n", out);
			count++;
		}
		/* A sentinel keeps the array non-empty (ISO C has no empty arrays). */
		fputs("\t{0, 0, 0},\n};\n", out);
		fprintf(out, "const unsigned db_migrations_%s_count = %u;\n", dialects[d], count);
	}
	if (fclose(out) != 0) {
		remove(out_path);
		die(out_path, "write error");
	}
	for (int i = 0; i < n; i++)
		free(migs[i].sql);
	free(migs);
	free(dirs);
	return 0;
}
