#include "repl/args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sbuf.h"
#include "engine/xalloc.h"

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void
args_push(struct args *a, const char *word)
{
	a->argv = xrealloc(a->argv, (size_t)(a->argc + 2) * sizeof *a->argv);
	a->argv[a->argc++] = xstrdup(word);
	a->argv[a->argc] = NULL;
}

void
args_remove(struct args *a, int i)
{
	if (i < 0 || i >= a->argc)
		return;
	free(a->argv[i]);
	memmove(a->argv + i, a->argv + i + 1, (size_t)(a->argc - i) * sizeof *a->argv);
	a->argc--;
}

void
args_release(struct args *a)
{
	for (int i = 0; i < a->argc; i++)
		free(a->argv[i]);
	free(a->argv);
	a->argc = 0;
	a->argv = NULL;
}

int
args_split(struct args *out, const char *line, struct err *e)
{
	struct sbuf word = SBUF_INIT;
	const char *p = line;
	int rc = 0;

	args_release(out);
	for (;;) {
		while (is_blank(*p))
			p++;
		if (!*p || *p == '#')
			break;
		sbuf_reset(&word);
		while (*p && !is_blank(*p)) {
			if (*p == '\'') {
				const char *q = strchr(p + 1, '\'');
				if (!q) {
					rc = err_set(e, -EINVAL, "unterminated ' at column %d",
						     (int)(p - line) + 1);
					goto done;
				}
				sbuf_add(&word, p + 1, (size_t)(q - p - 1));
				p = q + 1;
			} else if (*p == '"') {
				const char *start = p++;
				while (*p && *p != '"') {
					if (*p == '\\' && p[1])
						p++;
					sbuf_addc(&word, *p++);
				}
				if (!*p) {
					rc = err_set(e, -EINVAL, "unterminated \" at column %d",
						     (int)(start - line) + 1);
					goto done;
				}
				p++;
			} else if (*p == '\\' && p[1]) {
				sbuf_addc(&word, p[1]);
				p += 2;
			} else {
				sbuf_addc(&word, *p++);
			}
		}
		args_push(out, sbuf_str(&word));
	}
done:
	sbuf_release(&word);
	if (rc)
		args_release(out);
	return rc;
}

size_t
args_first_word(const char *line, size_t *out_start, size_t *out_len)
{
	size_t i = 0, start;

	while (is_blank(line[i]))
		i++;
	start = i;
	while (line[i] && !is_blank(line[i]))
		i++;
	*out_start = start;
	*out_len = i - start;
	return i;
}

size_t
args_chomp(char *line, size_t n)
{
	if (n && line[n - 1] == '\n')
		line[--n] = '\0';
	if (n && line[n - 1] == '\r')
		line[--n] = '\0';
	return n;
}

bool
args_continues(char *line)
{
	size_t n = strlen(line);

	if (!n || line[n - 1] != '\\')
		return false;
	line[n - 1] = '\0';
	return true;
}

bool
args_uint(const char *str, unsigned long max, unsigned long *out)
{
	char *end;

	if (*str < '0' || *str > '9')
		return false;
	errno = 0;
	*out = strtoul(str, &end, 10);
	return !*end && errno == 0 && *out <= max;
}
