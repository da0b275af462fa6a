#ifndef ENGINE_XALLOC_H
#define ENGINE_XALLOC_H
/*
** Allocation that never returns NULL: on exhaustion it prints one line and aborts. For a
** developer tool this beats threading ENOMEM through every caller (style.md 2.4).
*/

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
