/* durable.c — `ludic run PROGRAM --store DIR`: the run of run.c, with the
 * engine's state, the ledger and the input position kept in a store
 * (include/ludic.h, "Durable store"; docs/operations.md).
 *
 * The input is read from the position the store has committed (a file is
 * sought to it; standard input is read and skipped up to it), events are
 * pushed through the store, and every `--batch` events (by default every
 * DEFAULT_BATCH events or DEFAULT_SECONDS, whichever comes first) the store
 * commits: records, ledger and position in one transaction. The
 * effects of a batch are written to --effects only after its commit, so
 * the effects output never holds an effect the store does not. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* Without --batch: large batches, as a commit costs about the same for
 * 10,000 events as for 100,000 (it rewrites the pages of the customers it
 * touched, and syncs), but at least one commit a second, so that a slow
 * input has its effects out soon. */
#define DEFAULT_BATCH 100000
#define DEFAULT_SECONDS 1.0

typedef struct durable_ctx {
	run_ctx x;
	FILE *effects;                 /* committed effects go here (NULL: nowhere) */
	unsigned long long written;    /* effects written */
} durable_ctx;

static void on_committed(void *user, const char *json, size_t len)
{
	durable_ctx *d = user;
	d->written++;
	if (!d->effects)
		return;
	fwrite(json, 1, len, d->effects);
	putc_unlocked('\n', d->effects);
}

static void print_report(const char *dir, const ludic_store_report *r, const ludic_program *p)
{
	char a[32], b[32], c[32];
	if (r->created) {
		fprintf(stderr, "store %s: new, for program \"%s\"%s%s\n", dir, ludic_program_name(p),
			*ludic_program_version(p) ? " version " : "", ludic_program_version(p));
		return;
	}
	fprintf(stderr, "store %s: %s customers, %s ledger entries; resuming after input line %s\n", dir,
		grouped((long long)r->customers, a, sizeof a), grouped((long long)r->ledger, b, sizeof b),
		grouped((long long)r->line, c, sizeof c));
	if (!r->migrated) {
		if (strcmp(r->previous_version, ludic_program_version(p)) != 0)
			fprintf(stderr, "  program version \"%s\" now \"%s\": the same state layout, every customer's state kept "
					"as it is\n",
				r->previous_version, ludic_program_version(p));
		return;
	}
	fprintf(stderr, "  migrated from version \"%s\" to \"%s\": every customer's state carried over by name\n",
		r->previous_version, ludic_program_version(p));
	struct {
		const char *title;
		const char *const *items;
		size_t n;
	} parts[] = {{"kept", r->kept, r->nkept},
		     {"new (start empty)", r->added, r->nadded},
		     {"changed (restart empty)", r->reset, r->nreset},
		     {"dropped (no longer in the program)", r->dropped, r->ndropped}};
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
		if (!parts[i].n)
			continue;
		fprintf(stderr, "  %s:\n", parts[i].title);
		for (size_t k = 0; k < parts[i].n; k++)
			fprintf(stderr, "    %s\n", parts[i].items[k]);
	}
}

/* Moves `in` past the `offset` bytes and `line` lines already applied.
 * False after saying why. */
static bool skip_input(FILE *in, const char *name, unsigned long long offset, unsigned long long line,
		       line_reader *r)
{
	struct stat st;
	if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode)) {
		if ((unsigned long long)st.st_size < offset) {
			usage_error("`%s` has %lld bytes, but the store has already applied %llu bytes of its input: is it "
				    "the same file? Give the events file the store was fed, or a new store",
				    name, (long long)st.st_size, offset);
			return false;
		}
		/* the position is the start of a line: a different file shows it, most of the time */
		if (offset && (fseeko(in, (off_t)offset - 1, SEEK_SET) != 0 || getc(in) != '\n')) {
			usage_error("`%s` does not continue where the store stopped (its byte %llu does not end a line): "
				    "is it the same file? Give the events file the store was fed, or a new store",
				    name, offset);
			return false;
		}
		if (fseeko(in, (off_t)offset, SEEK_SET) == 0) {
			r->line_no = line;
			return true;
		}
	}
	size_t len;
	unsigned long long full, done = 0;
	while (r->line_no < line && read_line(r, &len, &full))
		done += full;
	if (r->line_no < line || done != offset) {
		usage_error("`%s` ends before the position the store has reached (line %llu): give the events the store "
			    "was fed, or a new store",
			    name, line);
		return false;
	}
	return true;
}

int durable_run(const durable_args *a)
{
	/* a file size limit (ulimit -f) makes writes fail with EFBIG instead of killing the process */
	signal(SIGXFSZ, SIG_IGN);
	durable_ctx d = {.x = {.rejects_text = true}};
	int rc = EXIT_USAGE;
	FILE *in = open_events(a->events, &d.x.input);
	if (!in)
		return EXIT_USAGE;
	bool effects_stdout = !a->effects || strcmp(a->effects, "-") == 0;
	d.effects = effects_stdout ? stdout : fopen(a->effects, "w");
	if (!d.effects) {
		usage_error("cannot write effects to `%s`: %s", a->effects, strerror(errno));
		goto close_in;
	}
	if (a->rejects) {
		d.x.rejects_json = strcmp(a->rejects, "-") == 0 ? stdout : fopen(a->rejects, "w");
		if (!d.x.rejects_json) {
			usage_error("cannot write rejects to `%s`: %s", a->rejects, strerror(errno));
			goto close_out;
		}
		d.x.rejects_text = false;
	}
	ludic_program *p = NULL;
	rc = load_program(a->program, stderr, &p);
	if (rc)
		goto close_out;
	ludic_store *s = NULL;
	ludic_engine *e = NULL;
	ludic_store_report rep;
	ludic_engine_options opt = {.on_reject = on_reject_out, .reject_user = &d.x, .engine = a->engine};
	if (ludic_store_open(a->store, NULL, &s) != LUDIC_OK ||
	    ludic_store_attach(s, p, &opt, on_committed, &d, &e, &rep) != LUDIC_OK) {
		fprintf(stderr, "ludic: %s\n", s ? ludic_store_error(s) : "out of memory");
		rc = EXIT_USAGE;
		goto close_store;
	}
	if (!a->quiet)
		print_report(a->store, &rep, p);
	line_reader r = {.fp = in};
	unsigned long long offset = rep.offset, batch = 0, per_commit = a->batch ? a->batch : DEFAULT_BATCH;
	rc = EXIT_USAGE;
	if (!skip_input(in, d.x.input, rep.offset, rep.line, &r))
		goto close_store;
	double start = now_seconds(), committed = start;
	size_t len;
	unsigned long long full;
	bool ok = true;
	while (ok && read_line(&r, &len, &full)) {
		offset += full;
		if (full > MAX_LINE) {
			d.x.read++;
			reject_too_long(&d.x, r.line_no, full);
		} else if (!blank_line(r.buf, len)) {
			d.x.read++;
			switch (ludic_store_push_json(s, r.buf, len, r.line_no)) {
			case LUDIC_APPLIED: d.x.applied++; break;
			case LUDIC_DUPLICATE: d.x.duplicates++; break;
			case LUDIC_ANONYMOUS: d.x.anonymous++; break;
			case LUDIC_BLANK: d.x.read--; break;
			default: d.x.rejected++; break;
			}
		}
		/* the clock is read every 256 events: its cost is not seen */
		if (++batch >= per_commit ||
		    (!a->batch && batch % 256 == 0 && now_seconds() - committed >= DEFAULT_SECONDS)) {
			/* written while the next batch is applied (it waits for the one before) */
			ok = ludic_store_commit_start(s, offset, r.line_no) == LUDIC_OK;
			batch = 0;
			committed = now_seconds();
		}
	}
	if (ok && ferror(in)) {
		usage_error("cannot read `%s`: %s", d.x.input, strerror(errno));
		ok = false;
	}
	if (ok && a->has_until && ludic_store_advance(s, a->until) != LUDIC_OK) {
		usage_error("cannot let time pass: %s", ludic_engine_error(e));
		ok = false;
	}
	if (ok)
		ok = ludic_store_commit(s, offset, r.line_no) == LUDIC_OK;
	if (!ok && ludic_store_error(s)[0])
		fprintf(stderr, "ludic: %s\n", ludic_store_error(s));
	free(r.buf);
	double seconds = now_seconds() - start;
	if (fflush(d.effects) != 0 || ferror(d.effects)) {
		usage_error("cannot write the effects: %s", strerror(errno));
		ok = false;
	}
	if (ok && !a->quiet) {
		char n1[32], n2[32], n3[32], n4[32];
		ludic_store_position(s, &offset, &full);
		fprintf(stderr, "read %s events in %.2f s (%s per second), effects %s; the store is at input line %s\n",
			grouped((long long)d.x.read, n1, sizeof n1), seconds,
			grouped(seconds > 0 ? (long long)((double)d.x.read / seconds) : 0, n2, sizeof n2),
			grouped((long long)d.written, n3, sizeof n3), grouped((long long)full, n4, sizeof n4));
		fprintf(stderr, "  applied %llu, duplicates %llu, rejected %llu, anonymous %llu\n", d.x.applied,
			d.x.duplicates, d.x.rejected, d.x.anonymous);
		ludic_store_usage u;
		if (ludic_store_usage_get(s, &u) == LUDIC_OK && u.customers && u.ledger_entries)
			fprintf(stderr,
				"  store %.1f MiB: customer records %.1f MiB (%llu bytes per customer), ledger %.1f MiB (%llu "
				"bytes per entry, %llu entries)\n",
				(double)u.file_bytes / 1048576, (double)u.customer_bytes / 1048576,
				u.customer_bytes / u.customers, (double)u.ledger_bytes / 1048576,
				u.ledger_bytes / u.ledger_entries, u.ledger_entries);
		print_engine_line(e);
	}
	rc = ok ? 0 : EXIT_USAGE;
close_store:
	ludic_store_close(s);
	ludic_program_free(p);
close_out:
	if (d.x.rejects_json && d.x.rejects_json != stdout)
		fclose(d.x.rejects_json);
	if (d.effects && d.effects != stdout)
		fclose(d.effects);
close_in:
	if (in != stdin)
		fclose(in);
	free(d.x.line.s);
	return rc;
}
