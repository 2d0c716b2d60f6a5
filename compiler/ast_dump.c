/* ast_dump.c — `ludic dump --ast`: the syntax tree as an indented tree.
 *
 * One node per line: `(kind attributes @line:col-line:col`, its children on
 * the lines below, indented two more and prefixed with their role
 * (`amount=`, `where=`), and the closing parentheses at the end of the
 * node's last line. A list prints one line per item, each with the list's
 * role. Attributes hold everything that is not a child node (names, values,
 * operators, units, flags), so two trees that dump the same without
 * positions mean the same program. The output depends on nothing but the
 * tree: same tree, same bytes.
 *
 * Past DUMP_MAX_INDENT levels the indentation stops growing and each line
 * says its depth instead (`<41>l=(...`), so a pathological tree (a sum of
 * 10,000 terms) gives an output linear in its size.
 */
#include "ast.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Levels of indentation shown as spaces. */
#define DUMP_MAX_INDENT 40

/* Where the dump goes and how. */
typedef struct dumper {
	FILE *out;              /* destination */
	const source_set *srcs; /* to turn spans into lines and columns */
	bool positions;         /* print `@line:col-line:col` */
	const source *col_src;  /* the line whose columns are in `cols` */
	uint32_t col_line;      /* its number (0: none) */
	uint32_t *cols;         /* column of each byte of that line, and one past its end (malloc'd) */
	uint32_t ncols;         /* entries in cols */
} dumper;

static void node(dumper *d, const ast_node *n, int indent, const char *role);

/* A string in double quotes, with \" \\ \n \t and \xNN for other control bytes. */
static void quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20 || *p == 0x7F)
				fprintf(out, "\\x%02X", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

/* The column of `offset` (as source_col), from a table of the columns of
 * its line kept for the next call: nodes on one long line cost no rescan. */
static uint32_t column(dumper *d, const source *src, uint32_t line, uint32_t offset)
{
	if (offset > src->len)
		offset = src->len;
	uint32_t start = src->line_start[line - 1];
	if (d->col_src != src || d->col_line != line) {
		uint32_t end = line < src->nlines ? src->line_start[line] : src->len;
		uint32_t n = end - start + 1;
		uint32_t *cols = realloc(d->cols, n * sizeof *cols);
		if (!cols) {
			fputs("ludic: out of memory\n", stderr);
			abort();
		}
		uint32_t col = 1;
		for (uint32_t i = 0; i < n; i++) {
			cols[i] = col;
			if (start + i < src->len && ((unsigned char)src->text[start + i] & 0xC0) != 0x80)
				col++;
		}
		d->cols = cols;
		d->ncols = n;
		d->col_src = src;
		d->col_line = line;
	}
	uint32_t i = offset - start;
	return i < d->ncols ? d->cols[i] : source_col(src, offset);
}

static void position(dumper *d, span sp)
{
	if (!d->positions)
		return;
	const source *src = source_get(d->srcs, sp.file);
	if (!src) {
		fprintf(d->out, " @?");
		return;
	}
	uint32_t l1 = source_line(src, sp.start), c1 = column(d, src, l1, sp.start);
	uint32_t l2 = source_line(src, sp.end), c2 = column(d, src, l2, sp.end);
	fprintf(d->out, " @%u:%u-%u:%u", l1, c1, l2, c2);
}

static const char *agg_name(ast_agg a)
{
	static const char *const names[] = {"count", "sum", "any", "all", "min", "max"};
	return (unsigned)a <= AGG_MAX ? names[a] : "?";
}

static const char *rounding_name(ast_rounding r)
{
	static const char *const names[] = {"default", "down", "up", "nearest"};
	return (unsigned)r <= ROUND_NEAREST ? names[r] : "?";
}

static const char *rule_kind_name(ast_rule_kind k)
{
	static const char *const names[] = {"rule", "challenge", "bonus", "quest"};
	return (unsigned)k <= RULE_QUEST ? names[k] : "?";
}

/* The attributes of `n` (after its kind, before its position). */
static void attributes(dumper *d, const ast_node *n)
{
	FILE *o = d->out;
	switch (n->kind) {
	case AST_INT: case AST_DECIMAL: case AST_PERCENT: case AST_DATE: case AST_TIMESTAMP:
		fprintf(o, " %" PRId64 " ", n->u.num.value);
		quoted(o, n->u.num.text);
		break;
	case AST_BOOL:
		fprintf(o, " %s", n->u.num.value ? "true" : "false");
		break;
	case AST_MONEY:
		fprintf(o, " %" PRId64 " %s ", n->u.money.minor, n->u.money.currency);
		quoted(o, n->u.money.text);
		break;
	case AST_DURATION:
		fprintf(o, " %" PRId64 " %s", n->u.dur.count, ast_unit_name(n->u.dur.unit, false));
		break;
	case AST_STRING: case AST_USE: case AST_CURRENCY: case AST_TIMEZONE: case AST_GIVE_BADGE: case AST_SKIP:
	case AST_DISABLE:
		fputc(' ', o);
		quoted(o, n->u.str.s);
		break;
	case AST_NAME:
		fprintf(o, " %s", n->u.name.s ? n->u.name.s : "?");
		break;
	case AST_FIELD:
		fprintf(o, " name=%s", n->u.field.name ? n->u.field.name : "?");
		break;
	case AST_UNARY:
		fprintf(o, " op=\"%s\"", ast_op_text(n->u.unary.op));
		break;
	case AST_BINARY:
		fprintf(o, " op=\"%s\"", ast_op_text(n->u.binary.op));
		break;
	case AST_CALL:
		fprintf(o, " fn=%s", n->u.call.fn ? n->u.call.fn : "?");
		break;
	case AST_AGG:
		fprintf(o, " fn=%s", agg_name(n->u.agg.fn));
		break;
	case AST_WINDOW:
		if (n->u.window.is_this)
			fprintf(o, " this=%s", ast_unit_name(n->u.window.this_period, false));
		else
			fputs(" last", o);
		break;
	case AST_AWARD:
		fprintf(o, " rounding=%s", rounding_name(n->u.award.rounding));
		break;
	case AST_ARG: case AST_PARAM:
		fprintf(o, " key=%s", n->u.arg.key ? n->u.arg.key : "?");
		break;
	case AST_LIMIT:
		fprintf(o, " per=%s", ast_unit_name(n->u.limit.per, false));
		break;
	case AST_BIRTHDAY:
		fprintf(o, " month=%s", n->u.trig.month ? "true" : "false");
		break;
	case AST_ENUM: case AST_EVENT: case AST_RECORD:
		fprintf(o, " name=%s", n->u.decl.name ? n->u.decl.name : "?");
		break;
	case AST_FIELD_DECL:
		fprintf(o, " name=%s%s", n->u.fdecl.name ? n->u.fdecl.name : "?", n->u.fdecl.optional ? " optional" : "");
		break;
	case AST_TYPE:
		fprintf(o, " %s", n->u.type.name ? n->u.type.name : "?");
		break;
	case AST_WALLET:
		fprintf(o, " name=%s%s", n->u.wallet.name ? n->u.wallet.name : "?", n->u.wallet.staff ? " staff" : "");
		break;
	case AST_TIERS: case AST_LEVELS:
		fprintf(o, " name=%s", n->u.ladder.name ? n->u.ladder.name : "?");
		if (n->u.ladder.has_review)
			fprintf(o, " review=%s", ast_unit_name(n->u.ladder.review, false));
		break;
	case AST_STEP_AT:
		fprintf(o, " name=%s", n->u.rung.name ? n->u.rung.name : "?");
		break;
	case AST_RULE:
		fprintf(o, " kind=%s", rule_kind_name(n->u.rule.kind));
		if (n->u.rule.override)
			fputs(" override", o);
		if (n->u.rule.name) {
			fputs(" name=", o);
			quoted(o, n->u.rule.name->u.str.s);
		}
		break;
	case AST_MISSION:
		if (n->u.mission.name) {
			fputs(" name=", o);
			quoted(o, n->u.mission.name->u.str.s);
		}
		break;
	case AST_STREAK:
		if (n->u.streak.name) {
			fputs(" name=", o);
			quoted(o, n->u.streak.name->u.str.s);
		}
		fprintf(o, " every=%s", ast_unit_name(n->u.streak.every, false));
		break;
	case AST_GROUP:
		fprintf(o, " keep=%s", n->u.group.mode == GROUP_BEST ? "best" : "first");
		break;
	case AST_SCOPE:
		fprintf(o, " %s", n->u.scope.stores ? "stores" : "region");
		break;
	default:
		break;
	}
}

/* A list: one line per item, each with `role`. */
static void list(dumper *d, const ast_node *first, int indent, const char *role)
{
	for (const ast_node *n = first; n; n = n->next)
		node(d, n, indent, role);
}

/* The children of `n`, each on its own lines. */
static void children(dumper *d, const ast_node *n, int in)
{
	switch (n->kind) {
	case AST_FIELD: node(d, n->u.field.obj, in, "obj"); break;
	case AST_UNARY: node(d, n->u.unary.e, in, "e"); break;
	case AST_BINARY:
		node(d, n->u.binary.l, in, "l");
		node(d, n->u.binary.r, in, "r");
		break;
	case AST_CALL: list(d, n->u.call.args, in, "arg"); break;
	case AST_AGG:
		node(d, n->u.agg.value, in, "value");
		node(d, n->u.agg.src, in, "src");
		node(d, n->u.agg.where, in, "where");
		break;
	case AST_WINDOW:
		node(d, n->u.window.event, in, "event");
		node(d, n->u.window.length, in, "length");
		break;
	case AST_EARNED:
		node(d, n->u.earned.wallet, in, "wallet");
		node(d, n->u.earned.window, in, "window");
		break;
	case AST_SET: list(d, n->u.list.items, in, "item"); break;
	case AST_AWARD: case AST_DEBIT:
		node(d, n->u.award.amount, in, "amount");
		node(d, n->u.award.wallet, in, "wallet");
		list(d, n->u.award.mults, in, "times");
		break;
	case AST_MULTIPLIER:
		node(d, n->u.mult.factor, in, "factor");
		node(d, n->u.mult.cond, in, "when");
		break;
	case AST_NOTIFY:
		node(d, n->u.notify.tmpl, in, "template");
		list(d, n->u.notify.args, in, "arg");
		break;
	case AST_ARG: case AST_PARAM: node(d, n->u.arg.value, in, "value"); break;
	case AST_LIMIT:
		node(d, n->u.limit.amount, in, "amount");
		node(d, n->u.limit.wallet, in, "wallet");
		break;
	case AST_BUDGET:
		node(d, n->u.budget.amount, in, "amount");
		node(d, n->u.budget.wallet, in, "wallet");
		break;
	case AST_ON_EVENT: case AST_INACTIVE: case AST_EXPIRING: case AST_BIRTHDAY: case AST_AFTER:
		node(d, n->u.trig.event, in, "event");
		node(d, n->u.trig.where, in, "where");
		node(d, n->u.trig.dur, in, "duration");
		break;
	case AST_PROGRAM: case AST_OVERLAY: case AST_LIBRARY:
		node(d, n->u.program.name, in, "name");
		node(d, n->u.program.base, in, "extends");
		node(d, n->u.program.version, in, "version");
		node(d, n->u.program.scope, in, "for");
		break;
	case AST_LATENESS: node(d, n->u.expr1.expr, in, "up-to"); break;
	case AST_ENUM: list(d, n->u.decl.items, in, "member"); break;
	case AST_EVENT: case AST_RECORD: list(d, n->u.decl.items, in, "field"); break;
	case AST_BADGES: case AST_CATALOGUE: list(d, n->u.decl.items, in, "item"); break;
	case AST_FIELD_DECL: node(d, n->u.fdecl.type, in, "type"); break;
	case AST_TYPE: node(d, n->u.type.elem, in, "of"); break;
	case AST_WALLET:
		node(d, n->u.wallet.label, in, "label");
		node(d, n->u.wallet.expires, in, "expires");
		node(d, n->u.wallet.pending, in, "pending");
		break;
	case AST_TIERS: case AST_LEVELS:
		node(d, n->u.ladder.metric, in, "on");
		list(d, n->u.ladder.rungs, in, "rung");
		node(d, n->u.ladder.hold, in, "hold");
		break;
	case AST_STEP_AT: node(d, n->u.rung.at, in, "at"); break;
	case AST_RULE:
		node(d, n->u.rule.scope, in, "scope");
		node(d, n->u.rule.trigger, in, "trigger");
		node(d, n->u.rule.from, in, "from");
		node(d, n->u.rule.until, in, "until");
		list(d, n->u.rule.actions, in, "action");
		list(d, n->u.rule.clauses, in, "cap");
		break;
	case AST_MISSION:
		node(d, n->u.mission.scope, in, "scope");
		node(d, n->u.mission.within, in, "within");
		node(d, n->u.mission.anchor, in, "of");
		node(d, n->u.mission.audience, in, "for");
		node(d, n->u.mission.from, in, "from");
		node(d, n->u.mission.until, in, "until");
		list(d, n->u.mission.steps, in, "step");
		list(d, n->u.mission.reward, in, "reward");
		break;
	case AST_STEP:
		node(d, n->u.step.name, in, "name");
		node(d, n->u.step.event, in, "event");
		node(d, n->u.step.where, in, "where");
		node(d, n->u.step.times, in, "times");
		list(d, n->u.step.reward, in, "then");
		break;
	case AST_STREAK:
		node(d, n->u.streak.scope, in, "scope");
		node(d, n->u.streak.event, in, "event");
		node(d, n->u.streak.where, in, "where");
		node(d, n->u.streak.length, in, "for");
		node(d, n->u.streak.grace, in, "grace");
		node(d, n->u.streak.from, in, "from");
		node(d, n->u.streak.until, in, "until");
		list(d, n->u.streak.actions, in, "action");
		list(d, n->u.streak.clauses, in, "cap");
		break;
	case AST_BADGE_DECL:
		node(d, n->u.badge.name, in, "name");
		node(d, n->u.badge.description, in, "description");
		break;
	case AST_ITEM:
		node(d, n->u.item.name, in, "name");
		node(d, n->u.item.cost, in, "costs");
		node(d, n->u.item.wallet, in, "wallet");
		node(d, n->u.item.cond, in, "for");
		break;
	case AST_EXPERIMENT:
		node(d, n->u.experiment.name, in, "name");
		list(d, n->u.experiment.variants, in, "variant");
		break;
	case AST_VARIANT:
		node(d, n->u.variant.name, in, "name");
		node(d, n->u.variant.share, in, "share");
		list(d, n->u.variant.changes, in, "change");
		break;
	case AST_GROUP:
		node(d, n->u.group.name, in, "name");
		list(d, n->u.group.rules, in, "rule");
		break;
	case AST_SCOPE: list(d, n->u.scope.values, in, "value"); break;
	case AST_FILE: list(d, n->u.file.decls, in, "decl"); break;
	default: break;
	}
}

/* One node: its line, then its children; the closing parenthesis ends the
 * last line printed. */
static void node(dumper *d, const ast_node *n, int indent, const char *role)
{
	if (!n)
		return;
	if (indent > 0)
		fputc('\n', d->out);
	if (indent > 2 * DUMP_MAX_INDENT)
		fprintf(d->out, "%*s<%d>", 2 * DUMP_MAX_INDENT, "", indent / 2);
	else
		fprintf(d->out, "%*s", indent, "");
	fprintf(d->out, "%s%s(%s", role ? role : "", role ? "=" : "", ast_kind_name(n->kind));
	attributes(d, n);
	position(d, n->sp);
	children(d, n, indent + 2);
	fputc(')', d->out);
}

void ast_dump(FILE *out, const ast_node *file, const source_set *srcs, bool positions)
{
	dumper d = {out, srcs, positions, NULL, 0, NULL, 0};
	if (!file) {
		fputs("(nothing)\n", out);
		return;
	}
	node(&d, file, 0, NULL);
	fputc('\n', out);
	free(d.cols);
}
