#ifndef ENGINE_NIC_H
#define ENGINE_NIC_H
/*
** NIC profiles for RSS: the key size, the redirection table (RETA) sizes and the field sets a
** NIC family accepts, as DPDK's drivers report them (reference: the drivers' dev_info). A
** configuration is checked against its profile so that what baton proposes can be programmed.
** 'software' accepts anything (baton's own dispatcher, or a check on paper). Never prints.
*/

#include <stdbool.h>

#include "engine/err.h"
#include "engine/fieldset.h"

struct nic {
	const char *name;	/* "i40e" */
	const char *what;	/* "Intel X710/XL710 (i40e PMD)" */
	unsigned key_len;	/* bytes; for 'software' the default (any 16..64 accepted) */
	unsigned reta_default;
	unsigned reta_sizes[10];	/* accepted sizes, 0-terminated (unless any_size) */
	bool modifiers;		/* accepts l3-src-only ... (else only ipv4 and the 4-tuple) */
	bool any_fields;	/* also sets DPDK cannot name (ethtool 'fn') */
	bool any_size;		/* any key of 16..64 bytes, any power-of-two RETA */
	const char *note;	/* how the field sets are programmed there */
};

/* The profiles, in a fixed order, and their count. */
const struct nic *nic_list(unsigned *n);

/* By name; NULL with the names listed in 'e' when unknown. */
const struct nic *nic_find(const char *name, struct err *e);

/* The default profile ('software'). */
const struct nic *nic_default(void);

/* 0, or -EINVAL naming the sizes the profile accepts. */
int nic_check_key_len(const struct nic *n, unsigned len, struct err *e);
int nic_check_reta(const struct nic *n, unsigned size, struct err *e);
int nic_check_fields(const struct nic *n, const struct fieldset *fs, struct err *e);

/* The largest RETA the profile accepts (65536 for 'software'). */
unsigned nic_reta_max(const struct nic *n);

#endif
