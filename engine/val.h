#ifndef ENGINE_VAL_H
#define ENGINE_VAL_H
/*
** Result values as a small JSON-shaped tree: every engine result is built once as a val and then
** printed as JSON by the shell, turned into a plain table by Lua, or read field by field. The
** reader of JSON text is json.h.
*/

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/sbuf.h"

enum val_kind { VAL_NULL, VAL_BOOL, VAL_INT, VAL_NUM, VAL_STR, VAL_ARR, VAL_OBJ };

struct val {
	enum val_kind kind;
	union {
		bool b;
		int64_t i;
		double n;
		char *s;
		struct {
			struct val **items;	/* values, in insertion order */
			char **keys;		/* VAL_OBJ only: one key per item */
			size_t n, cap;
		} c;
	} u;
};

/* Constructors: the caller owns the result (val_free), until it is added to a container. */
struct val *val_null(void);
struct val *val_bool(bool b);
struct val *val_int(int64_t i);
struct val *val_num(double n);
struct val *val_str(const char *s);
struct val *val_arr(void);
struct val *val_obj(void);

/* Containers take ownership of 'v'. val_set replaces an existing key. Both return 'v'. */
struct val *val_push(struct val *arr, struct val *v);
struct val *val_set(struct val *obj, const char *key, struct val *v);
void val_set_int(struct val *obj, const char *key, int64_t i);
void val_set_num(struct val *obj, const char *key, double n);
void val_set_str(struct val *obj, const char *key, const char *s);
void val_set_bool(struct val *obj, const char *key, bool b);

/* Lookups; NULL when absent or of another kind. Borrowed from the tree. */
const struct val *val_get(const struct val *obj, const char *key);
int64_t val_get_int(const struct val *obj, const char *key, int64_t dflt);
const char *val_get_str(const struct val *obj, const char *key);

/* Appends compact one-line JSON to 'out' (non-finite numbers become null). */
void val_json(const struct val *v, struct sbuf *out);

/* Appends a JSON string literal, quotes and escapes included. */
void val_json_string(struct sbuf *out, const char *s);

void val_free(struct val *v);

#endif
