#include "engine/tstat.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/flow.h"
#include "engine/htab.h"
#include "engine/trace.h"

/* How often the read loop looks at the stop flag and reports progress (a power of two). */
#define TSTAT_POLL_EVERY 65536

/* An unordered IP pair: family, then the smaller and the larger address. */
struct tstat_pair {
	uint8_t family;
	uint8_t lo[16], hi[16];
};

/* Conversation flags kept as the htab value. */
#define TSTAT_SEEN_FWD 1u	/* the canonical (smaller) direction */
#define TSTAT_SEEN_REV 2u

struct tstat_tabs {
	struct htab *five, *conv, *pairs;
};

/* ------------------------------------------------------------------------------------------ */
/* Counting */

static void
tstat_count_flows(struct tstat_tabs *tb, const struct flow_info *fi)
{
	const struct flow_key *k = &fi->key;
	struct tstat_pair pair;
	struct flow_key rev;
	uint64_t *seen;
	int c;

	memset(&pair, 0, sizeof pair);
	pair.family = k->family;
	c = memcmp(k->src, k->dst, sizeof k->src);
	memcpy(pair.lo, c <= 0 ? k->src : k->dst, sizeof pair.lo);
	memcpy(pair.hi, c <= 0 ? k->dst : k->src, sizeof pair.hi);
	htab_upsert(tb->pairs, &pair, NULL);

	/* Ports of a cut TCP/UDP header are unknown, not 0: keep such packets out of the tuples. */
	if (fi->truncated)
		return;
	htab_upsert(tb->five, k, NULL);

	/* One conversation entry per 5-tuple and its reverse, keyed by the smaller of the two; a
	** key that is its own reverse sees both directions at once. */
	flow_key_reverse(k, &rev);
	c = memcmp(k, &rev, sizeof rev);
	seen = htab_upsert(tb->conv, c <= 0 ? k : &rev, NULL);
	*seen |= c < 0 ? TSTAT_SEEN_FWD : c > 0 ? TSTAT_SEEN_REV : TSTAT_SEEN_FWD | TSTAT_SEEN_REV;
}

static void
tstat_count(struct tstat *s, struct tstat_tabs *tb, const struct trace_pkt *pkt)
{
	struct flow_info fi;

	s->packets++;	/* frames only, until tstat_finish adds the short_link records */
	s->bytes += pkt->len;
	s->wire_bytes += pkt->wire_len;
	if (pkt->len < pkt->wire_len)
		s->snapped++;
	if (s->packets == 1 || pkt->ts_ns < s->first_ns)
		s->first_ns = pkt->ts_ns;
	if (pkt->ts_ns > s->last_ns)
		s->last_ns = pkt->ts_ns;

	flow_parse(pkt->data, pkt->len, &fi);
	switch (fi.l3) {
	case FLOW_L3_IPV4: s->ipv4++; break;
	case FLOW_L3_IPV6: s->ipv6++; break;
	case FLOW_L3_OTHER: s->other_l3++; break;
	}
	switch (fi.l4) {
	case FLOW_L4_TCP: s->tcp++; break;
	case FLOW_L4_UDP: s->udp++; break;
	case FLOW_L4_OTHER: s->other_l4++; break;
	case FLOW_L4_NONE: break;
	}
	if (fi.fragment)
		s->fragments++;
	if (fi.truncated)
		s->truncated++;
	if (fi.key.family)
		tstat_count_flows(tb, &fi);
}

/* Fills the fields derived from the counts and the tables. */
static void
tstat_finish(struct tstat *s, const struct tstat_tabs *tb, const struct trace *t)
{
	const void *key;
	uint64_t *val;
	size_t pos = 0;

	/* Count skipped records as packets, so the total matches capinfos and tshark; their
	** bytes and stamps never reach us (trace.h drops them). */
	s->short_link = trace_short_link(t);
	s->packets += s->short_link;
	s->five_tuples = htab_count(tb->five);
	s->conversations = htab_count(tb->conv);
	s->ip_pairs = htab_count(tb->pairs);
	while (htab_next(tb->conv, &pos, &key, &val))
		if (*val == (TSTAT_SEEN_FWD | TSTAT_SEEN_REV))
			s->bidir_conversations++;
	s->bidir_share = s->conversations ?
		(double)s->bidir_conversations / (double)s->conversations : 0;
	s->duration_s = s->packets ? (double)(s->last_ns - s->first_ns) / 1e9 : 0;
	s->avg_size = s->packets ? (double)s->bytes / (double)s->packets : 0;
	if (s->duration_s > 0) {
		s->pps = (double)s->packets / s->duration_s;
		s->bps = (double)s->bytes * 8 / s->duration_s;
	}
}

int
tstat_file(const char *path, const struct progress *p, struct tstat *out, struct err *e)
{
	struct tstat_tabs tb;
	struct trace_pkt pkt;
	struct trace *t;
	int rc;

	memset(out, 0, sizeof *out);
	snprintf(out->file, sizeof out->file, "%s", path);
	t = trace_open(path, e);
	if (!t)
		return e ? e->code : -EINVAL;
	snprintf(out->format, sizeof out->format, "%s", trace_format(t));
	snprintf(out->link_type, sizeof out->link_type, "%s", trace_link_name(t));
	out->snaplen = trace_snaplen(t);

	tb.five = htab_new(sizeof(struct flow_key));
	tb.conv = htab_new(sizeof(struct flow_key));
	tb.pairs = htab_new(sizeof(struct tstat_pair));
	while ((rc = trace_next(t, &pkt, e)) == 1) {
		tstat_count(out, &tb, &pkt);
		if (out->packets % TSTAT_POLL_EVERY == 0) {
			progress_report(p, "reading", out->packets, 0);
			if (progress_stopped(p)) {
				rc = err_set(e, -EINTR, "%s: stopped after %" PRIu64 " packets",
					     path, out->packets);
				break;
			}
		}
	}
	if (rc == -EIO)
		out->truncated_file = true;
	tstat_finish(out, &tb, t);
	htab_free(tb.five);
	htab_free(tb.conv);
	htab_free(tb.pairs);
	trace_close(t);
	return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Output */

struct val *
tstat_to_val(const struct tstat *s)
{
	struct val *v = val_obj();

	val_set_str(v, "file", s->file);
	val_set_str(v, "format", s->format);
	val_set_str(v, "link_type", s->link_type);
	val_set_int(v, "snaplen", s->snaplen);
	val_set_int(v, "packets", (int64_t)s->packets);
	val_set_int(v, "bytes", (int64_t)s->bytes);
	val_set_int(v, "wire_bytes", (int64_t)s->wire_bytes);
	val_set_num(v, "first_ts", (double)s->first_ns / 1e9);
	val_set_num(v, "last_ts", (double)s->last_ns / 1e9);
	val_set_num(v, "duration_s", s->duration_s);
	val_set_num(v, "avg_size", s->avg_size);
	val_set_num(v, "pps", s->pps);
	val_set_num(v, "bps", s->bps);
	val_set_int(v, "ipv4", (int64_t)s->ipv4);
	val_set_int(v, "ipv6", (int64_t)s->ipv6);
	val_set_int(v, "other_l3", (int64_t)s->other_l3);
	val_set_int(v, "tcp", (int64_t)s->tcp);
	val_set_int(v, "udp", (int64_t)s->udp);
	val_set_int(v, "other_l4", (int64_t)s->other_l4);
	val_set_int(v, "fragments", (int64_t)s->fragments);
	val_set_int(v, "truncated", (int64_t)s->truncated);
	val_set_int(v, "short_link", (int64_t)s->short_link);
	val_set_int(v, "snapped", (int64_t)s->snapped);
	val_set_int(v, "five_tuples", (int64_t)s->five_tuples);
	val_set_int(v, "conversations", (int64_t)s->conversations);
	val_set_int(v, "bidir_conversations", (int64_t)s->bidir_conversations);
	val_set_int(v, "ip_pairs", (int64_t)s->ip_pairs);
	val_set_num(v, "bidir_share", s->bidir_share);
	val_set_bool(v, "truncated_file", s->truncated_file);
	return v;
}

/* Writes 'n' with thousands separators ("3,905") into buf. */
static const char *
tstat_group(uint64_t n, char *buf, size_t size)
{
	char digits[24];
	size_t len, i, o = 0;

	len = (size_t)snprintf(digits, sizeof digits, "%" PRIu64, n);
	for (i = 0; i < len && o + 1 < size; i++) {
		if (i > 0 && (len - i) % 3 == 0 && o + 2 < size)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

static void
tstat_line(struct sbuf *out, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
tstat_line(struct sbuf *out, const char *label, const char *fmt, ...)
{
	va_list ap;

	sbuf_printf(out, "%-20s ", label);
	va_start(ap, fmt);
	sbuf_vprintf(out, fmt, ap);
	va_end(ap);
	sbuf_addc(out, '\n');
}

/* A count with its share of 'of' in parentheses: "3,812 (97.6%)". */
static void
tstat_share(struct sbuf *out, const char *label, uint64_t n, uint64_t of)
{
	char g[32];

	if (of)
		tstat_line(out, label, "%s (%.1f%%)", tstat_group(n, g, sizeof g),
			   100.0 * (double)n / (double)of);
	else
		tstat_line(out, label, "%s", tstat_group(n, g, sizeof g));
}

static void
tstat_time(struct sbuf *out, const char *label, uint64_t ns)
{
	time_t sec = (time_t)(ns / 1000000000u);
	char when[64];
	struct tm tm;

	if (!gmtime_r(&sec, &tm) || !strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(when, sizeof when, "%" PRIu64, (uint64_t)sec);
	tstat_line(out, label, "%s.%09" PRIu64 " UTC", when, ns % 1000000000u);
}

void
tstat_format(const struct tstat *s, struct sbuf *out)
{
	char a[32], b[32];

	tstat_line(out, "File:", "%s", s->file);
	tstat_line(out, "Format:", "%s, link type %s, snaplen %" PRIu32, s->format, s->link_type,
		   s->snaplen);
	if (s->truncated_file)
		tstat_line(out, "Warning:", "the file is cut short; counts cover the %s packets "
			   "before the break", tstat_group(s->packets, a, sizeof a));
	tstat_line(out, "Packets:", "%s", tstat_group(s->packets, a, sizeof a));
	tstat_line(out, "Bytes:", "%s captured, %s on the wire", tstat_group(s->bytes, a, sizeof a),
		   tstat_group(s->wire_bytes, b, sizeof b));
	if (s->packets > s->short_link) {
		tstat_time(out, "First packet:", s->first_ns);
		tstat_time(out, "Last packet:", s->last_ns);
	}
	tstat_line(out, "Duration:", "%.6f s", s->duration_s);
	tstat_line(out, "Average size:", "%.2f bytes", s->avg_size);
	if (s->pps >= 1000)
		tstat_line(out, "Packet rate:", "%s packets/s",
			   tstat_group((uint64_t)(s->pps + 0.5), a, sizeof a));
	else
		tstat_line(out, "Packet rate:", "%.2f packets/s", s->pps);
	tstat_line(out, "Bit rate:", "%s bits/s", tstat_group((uint64_t)(s->bps + 0.5), a, sizeof a));
	tstat_share(out, "IPv4:", s->ipv4, s->packets);
	tstat_share(out, "IPv6:", s->ipv6, s->packets);
	tstat_share(out, "Other L3:", s->other_l3, s->packets);
	tstat_share(out, "TCP:", s->tcp, s->packets);
	tstat_share(out, "UDP:", s->udp, s->packets);
	tstat_share(out, "Other L4:", s->other_l4, s->packets);
	tstat_share(out, "Fragments:", s->fragments, s->packets);
	tstat_share(out, "Truncated headers:", s->truncated, s->packets);
	tstat_share(out, "Snapped:", s->snapped, s->packets);
	tstat_line(out, "Short link headers:", "%s (skipped)",
		   tstat_group(s->short_link, a, sizeof a));
	tstat_line(out, "5-tuples:", "%s", tstat_group(s->five_tuples, a, sizeof a));
	tstat_line(out, "Conversations:", "%s", tstat_group(s->conversations, a, sizeof a));
	tstat_share(out, "  seen both ways:", s->bidir_conversations, s->conversations);
	tstat_line(out, "IP pairs:", "%s", tstat_group(s->ip_pairs, a, sizeof a));
}
