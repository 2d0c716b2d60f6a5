/* ledger.c — queries on a store made by `ludic run --store`:
 *   ludic ledger     the ledger: one customer's history, or every entry
 *   ludic balances   every customer's balances (CSV, JSON Lines) or a
 *                    fingerprint of every customer's whole state
 *   ludic liability  points issued, redeemed, expired, outstanding per wallet
 * Every command opens the store read-only: it can run while nothing else
 * writes, or next to a running `ludic run --store` (LMDB readers see the
 * last commit). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *const any_value[] = {NULL};

/* Opens the store in `dir` read-only; NULL after saying why. */
static ludic_store *open_store(const char *dir)
{
	ludic_store *s = NULL;
	ludic_store_options o = {.read_only = 1};
	if (ludic_store_open(dir, &o, &s) == LUDIC_OK)
		return s;
	fprintf(stderr, "ludic: %s\n", s ? ludic_store_error(s) : "out of memory");
	ludic_store_close(s);
	return NULL;
}

/* The common start of the three commands: their options (the first is
 * always --store), no operand, and the store opened read-only. NULL with
 * the exit status in *rc when the command should stop. `example` is a
 * command line that works. */
static ludic_store *store_command(const char *cmd, int argc, char **argv, const opt_spec *opts, size_t n,
				  const char *help, const char *example, parsed_args *a, int *rc)
{
	if (!command_args(cmd, argc, argv, opts, n, help, a, rc))
		return NULL;
	free(a->operands);
	*rc = EXIT_USAGE;
	if (!a->set[0] || a->noperands) {
		usage_error(!a->set[0] ? "`ludic %s` needs `--store DIR`"
				       : "`ludic %s` takes no file: give the store with `--store DIR` (the program is the "
					 "one kept in the store)",
			    cmd);
		fprintf(stderr, "help: for example `%s`\n", example);
		return NULL;
	}
	return open_store(a->value[0]);
}

/* The string value of top-level key `key` in an effect's JSON (effects
 * write no nested string under these keys), unescaped only for \" and \\. */
static bool json_get(const char *json, size_t len, const char *key, char *out, size_t cap)
{
	char pat[64];
	int n = snprintf(pat, sizeof pat, "\"%s\":\"", key);
	const char *end = json + len;
	for (const char *p = json; p + n <= end; p++) {
		if (memcmp(p, pat, (size_t)n) != 0)
			continue;
		size_t o = 0;
		for (p += n; p < end && *p != '"'; p++) {
			if (*p == '\\' && p + 1 < end)
				p++;
			if (o + 1 < cap)
				out[o++] = *p;
		}
		out[o] = 0;
		return true;
	}
	return false;
}

/* ---- ludic ledger ---- */

enum { LEDGER_STORE, LEDGER_CUSTOMER, LEDGER_STAFF, LEDGER_FORMAT };
static const opt_spec ledger_opts[] = {
	[LEDGER_STORE] = {"--store", NULL, any_value},
	[LEDGER_CUSTOMER] = {"--customer", NULL, any_value},
	[LEDGER_STAFF] = {"--staff", NULL, any_value},
	[LEDGER_FORMAT] = {"--format", NULL, format_values},
};

typedef struct ledger_out {
	bool json;
	unsigned long long n;
} ledger_out;

static int print_entry(void *user, const ludic_ledger_entry *e)
{
	ledger_out *o = user;
	o->n++;
	if (o->json) {
		printf("{\"seq\":%llu,\"id\":", e->seq);
		json_string(stdout, e->id);
		printf(",\"effect\":%.*s}\n", (int)e->len, e->json);
		return 0;
	}
	char at[64] = "", what[300] = "", rule[256] = "", event[256] = "", n1[32], n2[32];
	json_get(e->json, e->len, "at", at, sizeof at);
	const char *kind = ludic_effect_kind_name(e->kind);
	if (*e->wallet) {
		bool minus = e->kind == LUDIC_EFFECT_DEBIT || e->kind == LUDIC_EFFECT_EXPIRE ||
			     e->kind == LUDIC_EFFECT_REVERSE || e->kind == LUDIC_EFFECT_REDEMPTION;
		snprintf(what, sizeof what, "%s%s %s (balance %s)", minus ? "-" : "+", grouped(e->amount, n1, sizeof n1),
			 e->wallet, grouped(e->balance, n2, sizeof n2));
	} else {
		static const char *const keys[] = {"badge", "rung", "step", "mission", "streak", "template", "item", "reason"};
		for (size_t i = 0; i < sizeof keys / sizeof *keys && !what[0]; i++)
			json_get(e->json, e->len, keys[i], what, sizeof what);
	}
	if (e->kind == LUDIC_EFFECT_REDEMPTION || e->kind == LUDIC_EFFECT_REFUSAL) {
		char item[200];
		if (json_get(e->json, e->len, "item", item, sizeof item) && strlen(what) + strlen(item) + 4 < sizeof what)
			strcat(strcat(what, ": "), item);
	}
	json_get(e->json, e->len, "rule", rule, sizeof rule);
	bool has_event = json_get(e->json, e->len, "event", event, sizeof event);
	printf("%-25s  %-16s  %-40s", at, kind, what);
	if (*rule)
		printf("  %s", rule);
	printf("  %s%s\n", has_event ? "event " : "", has_event ? event : "(time passing)");
	return 0;
}

int cmd_ledger(int argc, char **argv)
{
	parsed_args a;
	int rc;
	ludic_store *s = store_command("ledger", argc, argv, ledger_opts, sizeof ledger_opts / sizeof *ledger_opts,
				       help_ledger, "ludic ledger --store loyalty.store --customer c-1001", &a, &rc);
	if (!s)
		return rc;
	if (a.set[LEDGER_CUSTOMER] && a.set[LEDGER_STAFF]) {
		usage_error("give `--customer ID` or `--staff ID`, not both");
		ludic_store_close(s);
		return EXIT_USAGE;
	}
	const char *who = a.set[LEDGER_CUSTOMER] ? a.value[LEDGER_CUSTOMER] : a.value[LEDGER_STAFF];
	ledger_out o = {.json = who ? a.value[LEDGER_FORMAT] && strcmp(a.value[LEDGER_FORMAT], "json") == 0
				    : !a.value[LEDGER_FORMAT] || strcmp(a.value[LEDGER_FORMAT], "json") == 0};
	if (who && !o.json)
		printf("%s %s: ledger, oldest first\n", a.set[LEDGER_STAFF] ? "staff member" : "customer", who);
	ludic_status st = ludic_store_ledger(s, who, a.set[LEDGER_STAFF], print_entry, &o);
	if (st != LUDIC_OK)
		fprintf(stderr, "ludic: %s\n", *ludic_store_error(s) ? ludic_store_error(s) : ludic_status_message(st));
	else if (who && !o.n)
		fprintf(stderr, "note: the ledger has no entry for `%s` (ids are compared exactly)\n", who);
	ludic_store_close(s);
	return st == LUDIC_OK ? 0 : EXIT_USAGE;
}

/* ---- ludic balances ---- */

static const char *const balance_formats[] = {"csv", "jsonl", "digest", NULL};
enum { BAL_STORE, BAL_FORMAT, BAL_ENGINE };
static const opt_spec balances_opts[] = {
	[BAL_STORE] = {"--store", NULL, any_value},
	[BAL_FORMAT] = {"--format", NULL, balance_formats},
	[BAL_ENGINE] = {"--engine", NULL, engine_values},
};

typedef struct balances_out {
	ludic_engine *e;
	int format; /* 0 csv, 1 jsonl, 2 digest */
	bool failed;
} balances_out;

static int print_balances(void *user, bool staff, const char *id, unsigned long long fingerprint)
{
	balances_out *o = user;
	if (o->format == 2) {
		printf("%s,%s,%016llx\n", !*id ? "clock" : staff ? "staff" : "customer", id, fingerprint);
		return 0;
	}
	if (staff || !*id)
		return 0;
	ludic_customer_view v;
	if (ludic_engine_customer(o->e, id, strlen(id), &v) != LUDIC_OK) {
		fprintf(stderr, "ludic: cannot read customer `%s`: %s\n", id, ludic_engine_error(o->e));
		o->failed = true;
		return 1;
	}
	if (o->format == 0) {
		for (size_t i = 0; i < v.nbalances; i++) {
			const ludic_balance_view *b = &v.balances[i];
			/* ids with a comma or a quote are quoted, as CSV says */
			if (strpbrk(id, ",\"\n")) {
				putchar('"');
				for (const char *p = id; *p; p++) {
					if (*p == '"')
						putchar('"');
					putchar(*p);
				}
				putchar('"');
			} else {
				fputs(id, stdout);
			}
			printf(",%s,%lld,%lld,%lld\n", b->wallet, b->balance, b->pending, b->earned);
		}
		return 0;
	}
	fputs("{\"customer\":", stdout);
	json_string(stdout, id);
	fputs(",\"wallets\":{", stdout);
	for (size_t i = 0; i < v.nbalances; i++) {
		const ludic_balance_view *b = &v.balances[i];
		if (i)
			putchar(',');
		json_string(stdout, b->wallet);
		printf(":{\"balance\":%lld,\"pending\":%lld,\"earned\":%lld}", b->balance, b->pending, b->earned);
	}
	fputs("},\"ladders\":{", stdout);
	for (size_t i = 0; i < v.nladders; i++) {
		if (i)
			putchar(',');
		json_string(stdout, v.ladders[i].ladder);
		putchar(':');
		if (v.ladders[i].rung)
			json_string(stdout, v.ladders[i].rung);
		else
			fputs("null", stdout);
	}
	fputs("},\"badges\":[", stdout);
	for (size_t i = 0; i < v.nbadges; i++) {
		if (i)
			putchar(',');
		json_string(stdout, v.badges[i]);
	}
	fputs("]}\n", stdout);
	return 0;
}

int cmd_balances(int argc, char **argv)
{
	parsed_args a;
	int rc;
	ludic_store *s = store_command("balances", argc, argv, balances_opts, sizeof balances_opts / sizeof *balances_opts,
				       help_balances, "ludic balances --store loyalty.store --format=jsonl", &a, &rc);
	if (!s)
		return rc;
	const char *f = a.value[BAL_FORMAT];
	balances_out o = {.format = !f || strcmp(f, "csv") == 0 ? 0 : strcmp(f, "jsonl") == 0 ? 1 : 2};
	ludic_program *p = NULL;
	rc = 0;
	if (o.format != 2) {
		ludic_status st = ludic_store_program(s, &p);
		ludic_engine_options opt = {.engine = engine_kind(a.value[BAL_ENGINE])};
		if (st == LUDIC_OK)
			st = ludic_store_attach(s, p, &opt, NULL, NULL, &o.e, NULL);
		if (st != LUDIC_OK) {
			fprintf(stderr, "ludic: %s\n", ludic_store_error(s));
			rc = st == LUDIC_ERR_PROGRAM ? EXIT_ERRORS : EXIT_USAGE;
		}
	}
	if (!rc) {
		if (o.format == 0)
			puts("customer,wallet,balance,pending,earned");
		ludic_status st = ludic_store_each(s, print_balances, &o);
		if (st != LUDIC_OK || o.failed) {
			if (st != LUDIC_OK)
				fprintf(stderr, "ludic: %s\n", ludic_store_error(s));
			rc = EXIT_USAGE;
		}
	}
	ludic_store_close(s);
	ludic_program_free(p);
	return rc;
}

/* ---- ludic liability ---- */

enum { LIA_STORE, LIA_FORMAT };
static const opt_spec liability_opts[] = {
	[LIA_STORE] = {"--store", NULL, any_value},
	[LIA_FORMAT] = {"--format", NULL, format_values},
};

typedef struct wallet_sum {
	char wallet[128];
	bool staff;
	long long issued, redeemed, expired, reversed;
} wallet_sum;

typedef struct liability {
	wallet_sum w[64];
	size_t n;
	unsigned long long entries;
} liability;

static int add_entry(void *user, const ludic_ledger_entry *e)
{
	liability *l = user;
	l->entries++;
	if (!*e->wallet)
		return 0;
	size_t i = 0;
	while (i < l->n && (l->w[i].staff != e->staff || strcmp(l->w[i].wallet, e->wallet) != 0))
		i++;
	if (i == l->n) {
		if (l->n == sizeof l->w / sizeof *l->w)
			return 0;
		snprintf(l->w[i].wallet, sizeof l->w[i].wallet, "%s", e->wallet);
		l->w[i].staff = e->staff;
		l->n++;
	}
	wallet_sum *w = &l->w[i];
	switch (e->kind) {
	case LUDIC_EFFECT_AWARD: w->issued += e->amount; break;
	case LUDIC_EFFECT_DEBIT:
	case LUDIC_EFFECT_REDEMPTION: w->redeemed += e->amount; break;
	case LUDIC_EFFECT_EXPIRE: w->expired += e->amount; break;
	case LUDIC_EFFECT_REVERSE: w->reversed += e->amount; break;
	default: break;
	}
	return 0;
}

int cmd_liability(int argc, char **argv)
{
	parsed_args a;
	int rc;
	ludic_store *s = store_command("liability", argc, argv, liability_opts, sizeof liability_opts / sizeof *liability_opts,
				       help_liability, "ludic liability --store loyalty.store", &a, &rc);
	if (!s)
		return rc;
	liability *l = calloc(1, sizeof *l);
	ludic_status st = l ? ludic_store_ledger(s, NULL, false, add_entry, l) : LUDIC_ERR_MEMORY;
	if (st != LUDIC_OK) {
		fprintf(stderr, "ludic: %s\n", *ludic_store_error(s) ? ludic_store_error(s) : ludic_status_message(st));
		ludic_store_close(s);
		free(l);
		return EXIT_USAGE;
	}
	bool json = a.value[LIA_FORMAT] && strcmp(a.value[LIA_FORMAT], "json") == 0;
	if (!json)
		printf("%-24s %14s %14s %14s %14s %14s\n", "wallet", "issued", "redeemed", "expired", "reversed",
		       "outstanding");
	for (size_t i = 0; i < l->n; i++) {
		const wallet_sum *w = &l->w[i];
		long long out = w->issued - w->redeemed - w->expired - w->reversed;
		if (json) {
			fputs("{\"wallet\":", stdout);
			json_string(stdout, w->wallet);
			printf(",\"staff\":%s,\"issued\":%lld,\"redeemed\":%lld,\"expired\":%lld,\"reversed\":%lld,"
			       "\"outstanding\":%lld}\n",
			       w->staff ? "true" : "false", w->issued, w->redeemed, w->expired, w->reversed, out);
		} else {
			char name[160], n[5][32];
			snprintf(name, sizeof name, "%s%s", w->wallet, w->staff ? " (staff)" : "");
			printf("%-24s %14s %14s %14s %14s %14s\n", name, grouped(w->issued, n[0], 32),
			       grouped(w->redeemed, n[1], 32), grouped(w->expired, n[2], 32), grouped(w->reversed, n[3], 32),
			       grouped(out, n[4], 32));
		}
	}
	if (!json) {
		char n[32];
		printf("(from %s ledger entries)\n", grouped((long long)l->entries, n, sizeof n));
	}
	ludic_store_close(s);
	free(l);
	return 0;
}
