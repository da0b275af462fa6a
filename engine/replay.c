/*
** Native replay of a trace through one sequential NF instance.
*/

#include "engine/replay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/clock.h"
#include "engine/pcapw.h"
#include "engine/trace.h"
#include "engine/xalloc.h"

#define MAX_FRAME 65535u

/* PREFIX-PORT.pcap for every port. */
static struct pcapw *
outputs_open(const struct replay_result *r, const char *prefix, struct err *e)
{
	struct pcapw *w = pcapw_new(r->nports);
	char path[8192];

	for (unsigned i = 0; i < r->nports; i++) {
		snprintf(path, sizeof path, "%s-%s.pcap", prefix, r->ports[i]);
		if (pcapw_open(w, i, path, e) < 0) {
			pcapw_free(w);
			return NULL;
		}
	}
	return w;
}

static void
emit(struct pcapw *o, struct replay_result *r, unsigned port, const uint8_t *buf, uint16_t len,
     uint64_t ts_ns)
{
	pcapw_write(o, port, buf, len, len, ts_ns);
	r->written[port]++;
}

/* The packet loop, run through the shell's guard: the NF is code we do not trust. */
struct loop {
	struct trace *t;
	struct nfload_inst *in;
	const struct portmap *pm;
	struct pcapw *o;		/* NULL: no outputs */
	const struct progress *p;
	struct replay_result *r;
	uint8_t *buf;
	struct err *e;
	uint64_t index;		/* the packet being replayed */
};

static int
run_loop(void *arg)
{
	struct loop *lp = arg;
	struct replay_result *r = lp->r;
	const struct portmap *pm = lp->pm;
	struct nfload_inst *in = lp->in;
	struct pcapw *o = lp->o;
	uint8_t *buf = lp->buf;
	struct trace_pkt pk;
	int rc = 0, nr;

	for (;;) {
		bool ipv4;
		uint16_t port, len;
		int v;
		unsigned col;

		nr = trace_next(lp->t, &pk, lp->e);
		if (nr <= 0) {
			if (nr < 0) {
				rc = nr;
				r->truncated = true;
			}
			break;
		}
		if (pk.len > MAX_FRAME) {
			r->oversize++;
			continue;
		}
		len = (uint16_t)pk.len;
		port = portmap_assign(pm, pk.data, pk.len, &ipv4);
		if (pm->by_lan && !ipv4)
			r->non_ipv4++;
		memcpy(buf, pk.data, len);
		lp->index = pk.index;
		v = in->process(in->state, port, buf, len, pk.ts_ns);
		r->packets++;
		r->bytes += len;
		r->in[port]++;
		if (v >= 0 && (unsigned)v < r->nports) {
			col = (unsigned)v;
		} else if (v == NF_DROP) {
			col = REPLAY_DROP;
		} else if (v == NF_FLOOD) {
			col = REPLAY_FLOOD;
		} else {
			col = REPLAY_INVALID;
			if (!r->first_invalid) {
				r->first_invalid = pk.index;
				r->invalid_value = v;
			}
		}
		r->out[port][col]++;
		if (memcmp(buf, pk.data, len) != 0)
			r->rewritten++;
		if (o) {
			if (col < r->nports) {
				emit(o, r, col, buf, len, pk.ts_ns);
			} else if (col == REPLAY_FLOOD) {
				for (unsigned q = 0; q < r->nports; q++) {
					if (q != port)
						emit(o, r, q, buf, len, pk.ts_ns);
				}
			}
		}
		if ((r->packets & 0xffff) == 0) {
			if (progress_stopped(lp->p)) {
				r->stopped = true;
				rc = -EINTR;
				break;
			}
			progress_report(lp->p, "replaying", r->packets, 0);
		}
	}
	return rc;
}

int
replay_run(struct nfload *nf, const char *pcap, const struct portmap *pm,
	   const char *out_prefix, const struct progress *p, struct replay_result *r,
	   struct err *e)
{
	const struct nf_desc *d = nfload_desc(nf);
	struct nfload_inst *in;
	struct trace *t;
	struct pcapw *o = NULL;
	struct loop lp;
	uint8_t *buf;
	double t0;
	int rc, sig;

	memset(r, 0, sizeof *r);
	snprintf(r->pcap, sizeof r->pcap, "%s", pcap);
	snprintf(r->nf, sizeof r->nf, "%s", d->name);
	r->nports = nfload_nports(nf);
	for (unsigned i = 0; i < r->nports; i++)
		snprintf(r->ports[i], sizeof r->ports[i], "%s", d->ports[i]);
	r->pm = *pm;
	t = trace_open(pcap, e);
	if (!t)
		return e->code;
	in = nfload_instance(nf, NFLOAD_PLAIN, 1, 1, NULL, 1, e);
	if (!in) {
		trace_close(t);
		return e->code;
	}
	if (out_prefix) {
		snprintf(r->out_prefix, sizeof r->out_prefix, "%s", out_prefix);
		if (!(o = outputs_open(r, out_prefix, e))) {
			nfload_instance_free(in);
			trace_close(t);
			return -EIO;
		}
	}
	/* Cache-line aligned, and the NF may rewrite it: the trace's bytes stay untouched. */
	buf = aligned_alloc(64, MAX_FRAME + 1);
	if (!buf)
		abort();
	lp = (struct loop){ .t = t, .in = in, .pm = pm, .o = o, .p = p, .r = r, .buf = buf, .e = e };
	t0 = clock_seconds();
	rc = progress_guard(p, run_loop, &lp, &sig);
	r->seconds = clock_seconds() - t0;
	free(buf);
	pcapw_free(o);
	nfload_instance_free(in);
	trace_close(t);
	if (rc == -EFAULT) {
		r->crashed = true;
		return err_set(e, -EFAULT, "%s crashed (%s) on packet %llu of %s: it reads or writes "
			       "memory it does not own (make fuzz finds such bugs)", d->name,
			       strsignal(sig), (unsigned long long)lp.index, pcap);
	}
	if (rc == -EINTR)
		err_set(e, -EINTR, "replay stopped after %llu packets",
			(unsigned long long)r->packets);
	return rc;
}

static const char *
col_name(const struct replay_result *r, unsigned c)
{
	return c < r->nports ? r->ports[c] : c == REPLAY_DROP ? "drop" :
	       c == REPLAY_FLOOD ? "flood" : "invalid";
}

static bool
col_shown(const struct replay_result *r, unsigned c)
{
	uint64_t n = 0;

	if (c < r->nports || c == REPLAY_DROP || c == REPLAY_FLOOD)
		return true;
	if (c != REPLAY_INVALID)
		return false;
	for (unsigned i = 0; i < r->nports; i++)
		n += r->out[i][c];
	return n > 0;
}

struct val *
replay_to_val(const struct replay_result *r)
{
	struct val *v = val_obj(), *ports = val_arr(), *per = val_obj(), *tot = val_obj();
	uint64_t sum[REPLAY_NCOLS] = { 0 };

	val_set_str(v, "nf", r->nf);
	val_set_str(v, "pcap", r->pcap);
	val_set_int(v, "packets", (int64_t)r->packets);
	val_set_int(v, "bytes", (int64_t)r->bytes);
	val_set_num(v, "seconds", r->seconds);
	val_set_num(v, "mpps", r->seconds > 0 ? r->packets / r->seconds / 1e6 : 0);
	for (unsigned i = 0; i < r->nports; i++)
		val_push(ports, val_str(r->ports[i]));
	val_set(v, "ports", ports);
	if (r->pm.by_lan) {
		val_set_str(v, "lan", r->pm.cidr);
		val_set_int(v, "non_ipv4", (int64_t)r->non_ipv4);
	} else {
		val_set_str(v, "port", r->ports[r->pm.port]);
	}
	for (unsigned i = 0; i < r->nports; i++) {
		struct val *pv = val_obj();
		val_set_int(pv, "packets", (int64_t)r->in[i]);
		for (unsigned c = 0; c < REPLAY_NCOLS; c++) {
			if (!col_shown(r, c))
				continue;
			val_set_int(pv, col_name(r, c), (int64_t)r->out[i][c]);
			sum[c] += r->out[i][c];
		}
		val_set(per, r->ports[i], pv);
	}
	val_set(v, "per_port", per);
	for (unsigned c = 0; c < REPLAY_NCOLS; c++) {
		if (col_shown(r, c))
			val_set_int(tot, col_name(r, c), (int64_t)sum[c]);
	}
	val_set(v, "verdicts", tot);
	val_set_int(v, "rewritten", (int64_t)r->rewritten);
	if (r->oversize)
		val_set_int(v, "oversize", (int64_t)r->oversize);
	if (r->first_invalid) {
		val_set_int(v, "first_invalid", (int64_t)r->first_invalid);
		val_set_int(v, "invalid_value", r->invalid_value);
	}
	if (r->out_prefix[0]) {
		struct val *outs = val_arr();
		for (unsigned i = 0; i < r->nports; i++) {
			struct val *ov = val_obj();
			char path[8192];
			snprintf(path, sizeof path, "%s-%s.pcap", r->out_prefix, r->ports[i]);
			val_set_str(ov, "port", r->ports[i]);
			val_set_str(ov, "file", path);
			val_set_int(ov, "packets", (int64_t)r->written[i]);
			val_push(outs, ov);
		}
		val_set(v, "outputs", outs);
	}
	val_set_bool(v, "stopped", r->stopped);
	val_set_bool(v, "truncated", r->truncated);
	return v;
}

void
replay_format(const struct replay_result *r, struct sbuf *out)
{
	uint64_t sum[REPLAY_NCOLS] = { 0 };

	sbuf_printf(out, "%s through %s: %llu packets, %llu bytes in %.3f s (%.2f Mpps)%s\n",
		    r->pcap, r->nf, (unsigned long long)r->packets, (unsigned long long)r->bytes,
		    r->seconds, r->seconds > 0 ? r->packets / r->seconds / 1e6 : 0.0,
		    r->stopped ? ", stopped early" : r->truncated ? ", trace cut short" : "");
	portmap_format(&r->pm, r->ports, r->non_ipv4, out);
	sbuf_printf(out, "%-8s %10s", "in\\out", "packets");
	for (unsigned c = 0; c < REPLAY_NCOLS; c++) {
		if (col_shown(r, c))
			sbuf_printf(out, " %10s", col_name(r, c));
	}
	sbuf_addc(out, '\n');
	for (unsigned i = 0; i < r->nports; i++) {
		sbuf_printf(out, "%-8s %10llu", r->ports[i], (unsigned long long)r->in[i]);
		for (unsigned c = 0; c < REPLAY_NCOLS; c++) {
			if (!col_shown(r, c))
				continue;
			sbuf_printf(out, " %10llu", (unsigned long long)r->out[i][c]);
			sum[c] += r->out[i][c];
		}
		sbuf_addc(out, '\n');
	}
	sbuf_printf(out, "%-8s %10llu", "total", (unsigned long long)r->packets);
	for (unsigned c = 0; c < REPLAY_NCOLS; c++) {
		if (col_shown(r, c))
			sbuf_printf(out, " %10llu", (unsigned long long)sum[c]);
	}
	sbuf_addc(out, '\n');
	sbuf_printf(out, "rewritten: %llu packets\n", (unsigned long long)r->rewritten);
	if (r->oversize)
		sbuf_printf(out, "skipped: %llu frames over 65535 bytes\n",
			    (unsigned long long)r->oversize);
	if (r->first_invalid)
		sbuf_printf(out, "invalid: nf_process returned %d for packet %llu (neither a port, "
			    "NF_DROP nor NF_FLOOD)\n", r->invalid_value,
			    (unsigned long long)r->first_invalid);
	if (r->out_prefix[0]) {
		for (unsigned i = 0; i < r->nports; i++)
			sbuf_printf(out, "wrote %s-%s.pcap: %llu packets\n", r->out_prefix,
				    r->ports[i], (unsigned long long)r->written[i]);
	}
}
