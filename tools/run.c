/* run.c — `ludic run` (apply a program to a stream of events: effects out,
 * rejects out, a summary) and `ludic state` (one customer, for a person). */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* ------------------------------------------------------------------------ */
/* ludic run                                                                */
/* ------------------------------------------------------------------------ */

static const char *const any_value[] = {NULL}; /* options whose value is free text */
enum { RUN_EVENTS, RUN_EFFECTS, RUN_REJECTS, RUN_UNTIL, RUN_QUIET, RUN_ENGINE, RUN_STORE, RUN_BATCH };
static const opt_spec run_opts[] = {
	[RUN_EVENTS] = {"--events", NULL, any_value},
	[RUN_EFFECTS] = {"--effects", NULL, any_value},
	[RUN_REJECTS] = {"--rejects", NULL, any_value},
	[RUN_UNTIL] = {"--until", NULL, any_value},
	[RUN_QUIET] = {"--quiet", "-q", NULL},
	[RUN_ENGINE] = {"--engine", NULL, engine_values},
	[RUN_STORE] = {"--store", NULL, any_value},
	[RUN_BATCH] = {"--batch", NULL, any_value},
};

/* Bytes for people: 812 bytes, 4.2 KiB, 1.3 MiB. */
static void format_bytes(size_t n, char *buf, size_t cap)
{
	if (n < 1024)
		snprintf(buf, cap, "%zu %s", n, plural(n, "byte", "bytes"));
	else if (n < 1024 * 1024)
		snprintf(buf, cap, "%.1f KiB", (double)n / 1024);
	else
		snprintf(buf, cap, "%.1f MiB", (double)n / (1024 * 1024));
}

static void print_summary(ludic_engine *e, const run_ctx *x, double seconds)
{
	ludic_engine_stats st;
	ludic_engine_stats_get(e, &st);
	char a[32], b[32], c[32], d[32], f[32];
	fprintf(stderr, "read %s %s from %s in %.2f s", grouped((long long)x->read, a, sizeof a),
		plural(x->read, "event", "events"), x->input, seconds);
	if (seconds > 0)
		fprintf(stderr, " (%s events per second)", grouped((long long)((double)x->read / seconds), b, sizeof b));
	fputc('\n', stderr);
	fprintf(stderr, "  applied %s, duplicates %s, rejected %s, anonymous %s\n",
		grouped((long long)x->applied, a, sizeof a), grouped((long long)x->duplicates, b, sizeof b),
		grouped((long long)x->rejected, c, sizeof c), grouped((long long)x->anonymous, d, sizeof d));
	unsigned long long total = 0;
	for (int k = 0; k < LUDIC_EFFECT_KIND_COUNT; k++)
		total += st.effects[k];
	fprintf(stderr, "  effects %s", grouped((long long)total, a, sizeof a));
	const char *sep = ": ";
	for (int k = 0; k < LUDIC_EFFECT_KIND_COUNT; k++) {
		if (!st.effects[k])
			continue;
		fprintf(stderr, "%s%s %s", sep, ludic_effect_kind_name((ludic_effect_kind)k),
			grouped((long long)st.effects[k], b, sizeof b));
		sep = ", ";
	}
	fputc('\n', stderr);
	format_bytes(st.state_bytes, f, sizeof f);
	fprintf(stderr, "  customers %s, staff %s, state %s\n", grouped((long long)st.customers, a, sizeof a),
		grouped((long long)st.staff, b, sizeof b), f);
	print_engine_line(e);
}

int cmd_run(int argc, char **argv)
{
	parsed_args a;
	int rc;
	if (!command_args("run", argc, argv, run_opts, sizeof run_opts / sizeof *run_opts, help_run, &a, &rc))
		return rc;
	if (a.noperands != 1) {
		if (a.noperands)
			usage_error("`ludic run` takes one program (a file, or a folder with a program and its overlays), not %d",
				    a.noperands);
		else
			usage_error("`ludic run` needs a program");
		fputs("help: for example `ludic run examples/retailer/ --events examples/retailer/events.jsonl`\n",
		      stderr);
		free(a.operands);
		return EXIT_USAGE;
	}
	long long until = 0;
	if (a.set[RUN_UNTIL] && !until_option(a.value[RUN_UNTIL], &until)) {
		free(a.operands);
		return EXIT_USAGE;
	}
	const char *program_path = a.operands[0];
	free(a.operands);
	if (a.set[RUN_STORE] || a.set[RUN_BATCH]) {
		char *end = NULL;
		unsigned long long batch = a.set[RUN_BATCH] ? strtoull(a.value[RUN_BATCH], &end, 10) : 0;
		if (!a.set[RUN_STORE] || (end && (*end || !batch))) {
			usage_error(a.set[RUN_STORE] ? "`--batch %s` is not a number of events (1 or more)"
						     : "`--batch` needs `--store DIR`",
				    a.value[RUN_BATCH]);
			return EXIT_USAGE;
		}
		return durable_run(&(durable_args){program_path, a.value[RUN_EVENTS], a.value[RUN_EFFECTS],
						   a.value[RUN_REJECTS], a.value[RUN_STORE], a.set[RUN_UNTIL],
						   a.set[RUN_QUIET], until, engine_kind(a.value[RUN_ENGINE]), batch});
	}

	run_ctx x = {.rejects_text = true};
	FILE *in = open_events(a.value[RUN_EVENTS], &x.input);
	if (!in)
		return EXIT_USAGE;
	const char *effects_path = a.value[RUN_EFFECTS];
	bool effects_stdout = !effects_path || strcmp(effects_path, "-") == 0;
	x.effects = effects_stdout ? stdout : fopen(effects_path, "w");
	if (!x.effects) {
		usage_error("cannot write effects to `%s`: %s", effects_path, strerror(errno));
		if (in != stdin)
			fclose(in);
		return EXIT_USAGE;
	}
	const char *rejects_path = a.value[RUN_REJECTS];
	if (rejects_path) {
		x.rejects_json = strcmp(rejects_path, "-") == 0 ? stdout : fopen(rejects_path, "w");
		if (!x.rejects_json) {
			usage_error("cannot write rejects to `%s`: %s", rejects_path, strerror(errno));
			rc = EXIT_USAGE;
			goto close_files;
		}
		x.rejects_text = false;
	}

	ludic_program *p = NULL;
	rc = load_program(program_path, stderr, &p);
	if (rc)
		goto close_files;
	ludic_engine_options opt = {.on_effect = on_effect_out, .effect_user = &x,
				    .on_reject = on_reject_out, .reject_user = &x,
				    .engine = engine_kind(a.value[RUN_ENGINE])};
	ludic_engine *e = NULL;
	if (ludic_engine_new(p, &opt, &e) != LUDIC_OK) {
		usage_error("cannot start the engine: %s", e ? ludic_engine_error(e) : "out of memory");
		ludic_program_free(p);
		rc = EXIT_USAGE;
		goto close_files;
	}
	bool quiet = a.set[RUN_QUIET];
	double start = now_seconds();
	bool read_ok = feed_events(e, in, &x, !quiet && isatty(STDERR_FILENO));
	if (a.set[RUN_UNTIL] && ludic_engine_advance(e, until) != LUDIC_OK) {
		usage_error("cannot let time pass up to %s: %s", a.value[RUN_UNTIL], ludic_engine_error(e));
		read_ok = false;
	}
	double seconds = now_seconds() - start;
	if (fflush(x.effects) != 0 || ferror(x.effects)) {
		usage_error("cannot write the effects to `%s`: %s", effects_stdout ? "standard output" : effects_path,
			    strerror(errno));
		read_ok = false;
	}
	if (x.rejects_json && (fflush(x.rejects_json) != 0 || ferror(x.rejects_json))) {
		usage_error("cannot write the rejects to `%s`: %s", rejects_path, strerror(errno));
		read_ok = false;
	}
	if (!quiet)
		print_summary(e, &x, seconds);
	ludic_engine_free(e);
	ludic_program_free(p);
	rc = read_ok ? 0 : EXIT_USAGE;
close_files:
	if (in != stdin)
		fclose(in);
	if (x.effects && x.effects != stdout)
		fclose(x.effects);
	if (x.rejects_json && x.rejects_json != stdout)
		fclose(x.rejects_json);
	free(x.line.s);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* ludic state                                                              */
/* ------------------------------------------------------------------------ */

enum { STATE_EVENTS, STATE_CUSTOMER, STATE_UNTIL, STATE_FORMAT, STATE_ENGINE };
static const opt_spec state_opts[] = {
	[STATE_EVENTS] = {"--events", NULL, any_value},
	[STATE_CUSTOMER] = {"--customer", NULL, any_value},
	[STATE_UNTIL] = {"--until", NULL, any_value},
	[STATE_ENGINE] = {"--engine", NULL, engine_values},
	[STATE_FORMAT] = {"--format", NULL, format_values},
};

/* A progress bar of `width` cells: [#########-----]. */
static void progress_bar(FILE *out, long long value, long long goal, int width)
{
	int filled = 0;
	if (goal > 0 && value > 0)
		filled = value >= goal ? width : (int)((double)value * width / (double)goal);
	fputc('[', out);
	for (int i = 0; i < width; i++)
		fputc(i < filled ? '#' : '-', out);
	fputc(']', out);
}

static void state_text(FILE *out, const ludic_customer_view *v, const ludic_program *p, long long now)
{
	char t1[40], n1[32], n2[32], n3[32];
	fprintf(out, "customer %s", v->id);
	if (!v->known)
		fputs(" (no event of this customer was applied: the state of a new customer)", out);
	fputc('\n', out);
	ludic_program_format_time(p, now, false, t1, sizeof t1);
	fprintf(out, "  program %s%s%s, as of %s\n", ludic_program_name(p), *ludic_program_version(p) ? " " : "",
		ludic_program_version(p), t1);
	if (v->known && v->last_event_at) {
		ludic_program_format_time(p, v->last_event_at, false, t1, sizeof t1);
		fprintf(out, "  last event at %s\n", t1);
	}
	if (v->nbalances) {
		fputs("\nwallets\n", out);
		for (size_t i = 0; i < v->nbalances; i++) {
			const ludic_balance_view *b = &v->balances[i];
			fprintf(out, "  %-22s %s spendable", b->label ? b->label : b->wallet,
				grouped(b->balance, n1, sizeof n1));
			if (b->pending)
				fprintf(out, ", %s pending", grouped(b->pending, n2, sizeof n2));
			fprintf(out, ", %s earned in all", grouped(b->earned, n3, sizeof n3));
			if (b->label)
				fprintf(out, " (%s)", b->wallet);
			fputc('\n', out);
			if (b->next_expiry_amount) {
				ludic_program_format_time(p, b->next_expiry_at, true, t1, sizeof t1);
				fprintf(out, "  %-22s next expiry: %s on %s\n", "", grouped(b->next_expiry_amount, n1, sizeof n1),
					t1);
			}
		}
	}
	for (size_t i = 0; i < v->nladders; i++) {
		const ludic_ladder_view *l = &v->ladders[i];
		fprintf(out, "\n%s `%s`\n", l->level ? "levels" : "tiers", l->ladder);
		fprintf(out, "  %s", l->rung ? l->rung : "(none yet)");
		if (l->since) {
			ludic_program_format_time(p, l->since, true, t1, sizeof t1);
			fprintf(out, " since %s", t1);
		}
		fputc('\n', out);
		if (l->next) {
			fputs("  ", out);
			progress_bar(out, l->metric, l->next_at, 20);
			fprintf(out, " %s / %s to %s\n", grouped(l->metric, n1, sizeof n1), grouped(l->next_at, n2, sizeof n2),
				l->next);
		} else {
			fprintf(out, "  the top %s (measure: %s)\n", l->level ? "level" : "tier", grouped(l->metric, n1, sizeof n1));
		}
	}
	if (v->nmissions) {
		fputs("\nmissions\n", out);
		for (size_t i = 0; i < v->nmissions; i++) {
			const ludic_mission_view *m = &v->missions[i];
			fprintf(out, "  %s: ", m->mission);
			if (m->complete)
				fprintf(out, "complete (%u of %u steps)", m->done, m->steps);
			else if (m->expired)
				fprintf(out, "closed unfinished (%u of %u steps done)", m->done, m->steps);
			else if (!m->started)
				fprintf(out, "not started (%u steps)", m->steps);
			else {
				fprintf(out, "%u of %u steps done", m->done, m->steps);
				if (m->next_step) {
					fprintf(out, "; open: \"%s\"", m->next_step);
					if (m->times > 1)
						fprintf(out, " (%u of %u times)", m->count, m->times);
				}
			}
			if (m->deadline && !m->complete) {
				ludic_program_format_time(p, m->deadline, false, t1, sizeof t1);
				fprintf(out, "; deadline %s", t1);
			}
			fputc('\n', out);
		}
	}
	if (v->nstreaks) {
		fputs("\nstreaks\n", out);
		for (size_t i = 0; i < v->nstreaks; i++) {
			const ludic_streak_view *s = &v->streaks[i];
			fprintf(out, "  %s: %u of %u in a row", s->streak, s->length, s->goal);
			if (s->grace_used)
				fprintf(out, " (%u missed %s forgiven)", s->grace_used, plural(s->grace_used, "period", "periods"));
			fputc('\n', out);
		}
	}
	fputs("\nbadges\n  ", out);
	if (!v->nbadges)
		fputs("(none)", out);
	for (size_t i = 0; i < v->nbadges; i++)
		fprintf(out, "%s%s", i ? ", " : "", v->badges[i]);
	fputc('\n', out);
	if (v->ncaps) {
		fputs("\nlimits used\n", out);
		for (size_t i = 0; i < v->ncaps; i++) {
			const ludic_cap_view *c = &v->caps[i];
			bool ever = strcmp(c->period, "customer") == 0 || strcmp(c->period, "campaign") == 0;
			fprintf(out, "  %s: %s of %s%s%s %s %s\n", c->rule, grouped(c->used, n1, sizeof n1),
				grouped(c->limit, n2, sizeof n2), c->wallet ? " " : "", c->wallet ? c->wallet : "",
				ever ? "per" : "this", c->period);
		}
	}
	if (v->nvariants) {
		fputs("\nexperiments\n", out);
		for (size_t i = 0; i < v->nvariants; i++)
			fprintf(out, "  %s: %s\n", v->variants[i].experiment, v->variants[i].variant);
	}
}

static void json_time(FILE *out, long long t, const ludic_program *p)
{
	if (!t) {
		fputs("null", out);
		return;
	}
	char buf[40];
	ludic_program_format_time(p, t, false, buf, sizeof buf);
	json_string(out, buf);
}

static void json_opt_string(FILE *out, const char *s)
{
	if (s)
		json_string(out, s);
	else
		fputs("null", out);
}

static void state_json(FILE *out, const ludic_customer_view *v, const ludic_program *p, long long now)
{
	fputs("{\"customer\":", out);
	json_string(out, v->id);
	fprintf(out, ",\"known\":%s,\"as_of\":", v->known ? "true" : "false");
	json_time(out, now, p);
	fputs(",\"last_event_at\":", out);
	json_time(out, v->known ? v->last_event_at : 0, p);
	fputs(",\"wallets\":[", out);
	for (size_t i = 0; i < v->nbalances; i++) {
		const ludic_balance_view *b = &v->balances[i];
		fputs(i ? ",{\"wallet\":" : "{\"wallet\":", out);
		json_string(out, b->wallet);
		fputs(",\"label\":", out);
		json_opt_string(out, b->label);
		fprintf(out, ",\"balance\":%lld,\"pending\":%lld,\"earned\":%lld,\"next_expiry\":", b->balance, b->pending,
			b->earned);
		if (b->next_expiry_amount) {
			fprintf(out, "{\"amount\":%lld,\"at\":", b->next_expiry_amount);
			json_time(out, b->next_expiry_at, p);
			fputc('}', out);
		} else {
			fputs("null", out);
		}
		fputc('}', out);
	}
	fputs("],\"ladders\":[", out);
	for (size_t i = 0; i < v->nladders; i++) {
		const ludic_ladder_view *l = &v->ladders[i];
		fputs(i ? ",{\"ladder\":" : "{\"ladder\":", out);
		json_string(out, l->ladder);
		fprintf(out, ",\"kind\":\"%s\",\"rung\":", l->level ? "levels" : "tiers");
		json_opt_string(out, l->rung);
		fputs(",\"since\":", out);
		json_time(out, l->since, p);
		fprintf(out, ",\"metric\":%lld,\"rung_at\":%lld,\"next\":", l->metric, l->rung_at);
		json_opt_string(out, l->next);
		fputs(",\"next_at\":", out);
		if (l->next)
			fprintf(out, "%lld}", l->next_at);
		else
			fputs("null}", out);
	}
	fputs("],\"missions\":[", out);
	for (size_t i = 0; i < v->nmissions; i++) {
		const ludic_mission_view *m = &v->missions[i];
		fputs(i ? ",{\"mission\":" : "{\"mission\":", out);
		json_string(out, m->mission);
		fprintf(out, ",\"steps\":%u,\"done\":%u,\"next_step\":", m->steps, m->done);
		json_opt_string(out, m->next_step);
		fprintf(out, ",\"count\":%u,\"times\":%u,\"started\":%s,\"complete\":%s,\"expired\":%s,\"deadline\":",
			m->count, m->times, m->started ? "true" : "false", m->complete ? "true" : "false",
			m->expired ? "true" : "false");
		json_time(out, m->deadline, p);
		fputc('}', out);
	}
	fputs("],\"streaks\":[", out);
	for (size_t i = 0; i < v->nstreaks; i++) {
		const ludic_streak_view *s = &v->streaks[i];
		fputs(i ? ",{\"streak\":" : "{\"streak\":", out);
		json_string(out, s->streak);
		fprintf(out, ",\"length\":%u,\"goal\":%u,\"grace_used\":%u}", s->length, s->goal, s->grace_used);
	}
	fputs("],\"badges\":[", out);
	for (size_t i = 0; i < v->nbadges; i++) {
		if (i)
			fputc(',', out);
		json_string(out, v->badges[i]);
	}
	fputs("],\"limits\":[", out);
	for (size_t i = 0; i < v->ncaps; i++) {
		const ludic_cap_view *c = &v->caps[i];
		fputs(i ? ",{\"rule\":" : "{\"rule\":", out);
		json_string(out, c->rule);
		fputs(",\"period\":", out);
		json_string(out, c->period);
		fputs(",\"wallet\":", out);
		json_opt_string(out, c->wallet);
		fprintf(out, ",\"used\":%lld,\"limit\":%lld}", c->used, c->limit);
	}
	fputs("],\"variants\":{", out);
	for (size_t i = 0; i < v->nvariants; i++) {
		if (i)
			fputc(',', out);
		json_string(out, v->variants[i].experiment);
		fputc(':', out);
		json_string(out, v->variants[i].variant);
	}
	fputs("}}\n", out);
}

int cmd_state(int argc, char **argv)
{
	parsed_args a;
	int rc;
	if (!command_args("state", argc, argv, state_opts, sizeof state_opts / sizeof *state_opts, help_state, &a, &rc))
		return rc;
	if (a.noperands != 1 || !a.set[STATE_CUSTOMER]) {
		usage_error(a.noperands != 1 ? "`ludic state` takes one program" : "`ludic state` needs `--customer ID`");
		fputs("help: for example `ludic state examples/retailer/ --events examples/retailer/events.jsonl "
		      "--customer c-1001`\n",
		      stderr);
		free(a.operands);
		return EXIT_USAGE;
	}
	const char *customer = a.value[STATE_CUSTOMER];
	if (!*customer) {
		usage_error("`--customer` needs a customer id, not an empty text");
		free(a.operands);
		return EXIT_USAGE;
	}
	long long until = 0;
	if (a.set[STATE_UNTIL] && !until_option(a.value[STATE_UNTIL], &until)) {
		free(a.operands);
		return EXIT_USAGE;
	}
	const char *program_path = a.operands[0];
	free(a.operands);
	run_ctx x = {0};
	FILE *in = open_events(a.value[STATE_EVENTS], &x.input);
	if (!in)
		return EXIT_USAGE;
	ludic_program *p = NULL;
	rc = load_program(program_path, stderr, &p);
	if (rc) {
		if (in != stdin)
			fclose(in);
		return rc;
	}
	/* Effects are not shown; the callback only notes the zone's offset. */
	ludic_engine_options opt = {.on_effect = on_effect_out, .effect_user = &x,
				    .engine = engine_kind(a.value[STATE_ENGINE])};
	ludic_engine *e = NULL;
	if (ludic_engine_new(p, &opt, &e) != LUDIC_OK) {
		usage_error("cannot start the engine: %s", e ? ludic_engine_error(e) : "out of memory");
		ludic_program_free(p);
		if (in != stdin)
			fclose(in);
		return EXIT_USAGE;
	}
	bool ok = feed_events(e, in, &x, false);
	if (in != stdin)
		fclose(in);
	if (ok && a.set[STATE_UNTIL] && ludic_engine_advance(e, until) != LUDIC_OK) {
		usage_error("cannot let time pass up to %s: %s", a.value[STATE_UNTIL], ludic_engine_error(e));
		ok = false;
	}
	ludic_customer_view v;
	if (ok && ludic_engine_customer(e, customer, strlen(customer), &v) != LUDIC_OK) {
		usage_error("cannot read the state of `%s`: %s", customer, ludic_engine_error(e));
		ok = false;
	}
	if (ok) {
		/* Times are shown as the program's time zone has them. */
		long long now = a.set[STATE_UNTIL] ? until : v.last_event_at;
		if (a.value[STATE_FORMAT] && strcmp(a.value[STATE_FORMAT], "json") == 0)
			state_json(stdout, &v, p, now);
		else
			state_text(stdout, &v, p, now);
		fflush(stdout);
		if (x.rejected)
			fprintf(stderr, "note: %llu %s rejected (`ludic run` shows why)\n", x.rejected,
				x.rejected == 1 ? "event was" : "events were");
	}
	ludic_engine_free(e);
	ludic_program_free(p);
	free(x.line.s);
	return ok ? 0 : EXIT_USAGE;
}

