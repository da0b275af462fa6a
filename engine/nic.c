#include "engine/nic.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define SOFT_KEY_MIN 16	/* the IPv4 4-tuple reads key bits 0..126 */
#define SOFT_KEY_MAX 64
#define SOFT_RETA_MAX 65536

static const struct nic nics[] = {
	{ .name = "software", .what = "baton's software RSS (a dispatcher core, or a check on paper)",
	  .key_len = 52, .reta_default = 512, .modifiers = true, .any_fields = true,
	  .any_size = true, .note = "any key of 16-64 bytes, any power-of-two RETA, any field set" },
	{ .name = "generic", .what = "any DPDK port with RSS: the common denominator",
	  .key_len = 40, .reta_default = 128, .reta_sizes = { 128 },
	  .note = "ipv4 and the TCP/UDP 4-tuple only" },
	{ .name = "ixgbe", .what = "Intel 82599/X520/X540 (ixgbe PMD)", .key_len = 40,
	  .reta_default = 128, .reta_sizes = { 128 },
	  .note = "fixed input sets: ipv4, ipv4-tcp, ipv4-udp (X550: 512-entry RETA)" },
	{ .name = "i40e", .what = "Intel X710/XL710 (i40e PMD)", .key_len = 52, .reta_default = 512,
	  .reta_sizes = { 128, 512 }, .modifiers = true,
	  .note = "*-only modifiers through rss_hf or rte_flow; input sets per packet type" },
	{ .name = "ice", .what = "Intel E810 (ice PMD)", .key_len = 52, .reta_default = 512,
	  .reta_sizes = { 128, 512, 2048 }, .modifiers = true,
	  .note = "*-only modifiers through rte_flow rules (advanced RSS)" },
	{ .name = "mlx5", .what = "NVIDIA ConnectX-4 and later (mlx5 PMD)", .key_len = 40,
	  .reta_default = 512, .reta_sizes = { 2, 4, 8, 16, 32, 64, 128, 256, 512 },
	  .modifiers = true, .note = "any L3/L4 src/dst combination; RETA sized when configured" },
};

#define N_NICS (sizeof nics / sizeof nics[0])

const struct nic *
nic_list(unsigned *n)
{
	*n = N_NICS;
	return nics;
}

const struct nic *
nic_default(void)
{
	return &nics[0];
}

const struct nic *
nic_find(const char *name, struct err *e)
{
	for (unsigned i = 0; i < N_NICS; i++)
		if (!strcmp(nics[i].name, name))
			return &nics[i];
	err_set(e, -EINVAL, "unknown NIC profile '%s' (software, generic, ixgbe, i40e, ice, mlx5; "
		"rss nics lists them)", name);
	return NULL;
}

static bool
pow2(unsigned v)
{
	return v && !(v & (v - 1));
}

unsigned
nic_reta_max(const struct nic *n)
{
	unsigned m = 0;

	if (n->any_size)
		return SOFT_RETA_MAX;
	for (unsigned i = 0; n->reta_sizes[i]; i++)
		if (n->reta_sizes[i] > m)
			m = n->reta_sizes[i];
	return m;
}

int
nic_check_key_len(const struct nic *n, unsigned len, struct err *e)
{
	if (n->any_size && len >= SOFT_KEY_MIN && len <= SOFT_KEY_MAX)
		return 0;
	if (!n->any_size && len == n->key_len)
		return 0;
	if (n->any_size)
		return err_set(e, -EINVAL, "the key has %u bytes; %s takes %d to %d", len, n->name,
			       SOFT_KEY_MIN, SOFT_KEY_MAX);
	return err_set(e, -EINVAL, "the key has %u bytes; %s takes exactly %u (%u hex digits)", len,
		       n->name, n->key_len, 2 * n->key_len);
}

int
nic_check_reta(const struct nic *n, unsigned size, struct err *e)
{
	char list[128] = "";

	if (n->any_size) {
		if (pow2(size) && size <= SOFT_RETA_MAX)
			return 0;
		return err_set(e, -EINVAL, "a RETA of %u entries: %s takes a power of two up to %d",
			       size, n->name, SOFT_RETA_MAX);
	}
	for (unsigned i = 0; n->reta_sizes[i]; i++) {
		if (n->reta_sizes[i] == size)
			return 0;
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%u", i ? ", " : "",
			 n->reta_sizes[i]);
	}
	return err_set(e, -EINVAL, "a RETA of %u entries: %s takes %s", size, n->name, list);
}

int
nic_check_fields(const struct nic *n, const struct fieldset *fs, struct err *e)
{
	char name[96];

	fieldset_name(fs, name, sizeof name);
	if (!n->any_fields && !fieldset_dpdk(fs))
		return err_set(e, -EINVAL, "field set %s: DPDK cannot hash ports without an address "
			       "(only the software profile can)", name);
	if (!n->modifiers && fs->fields != FIELDSET_ALL &&
	    fs->fields != (FIELDSET_S | FIELDSET_D))
		return err_set(e, -EINVAL, "field set %s: %s hashes only ipv4 (sd) or the 4-tuple "
			       "(sdfn), no *-only modifiers", name, n->name);
	return 0;
}
