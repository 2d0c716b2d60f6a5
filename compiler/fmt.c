/* fmt.c — `ludic fmt`: a program in the one canonical layout.
 *
 * The layout (docs/language.md follows it):
 *   - the header first; a blank line between top-level declarations, except
 *     inside a run of settings (header, `use`, `currency`, `timezone`,
 *     `allow late events`), of params, of `disable`s or of wallets;
 *   - two spaces per level; a rule's trigger line ends with `:`, each action
 *     and cap on its own line, multipliers and rounding one level deeper;
 *   - blocks `{ }` one item per line (enums on one line), a blank line
 *     between the rules of a group;
 *   - expressions with only the parentheses their meaning needs (and around
 *     a comparison under `not`, for the reader); literals exactly as
 *     written; strings re-escaped.
 *
 * Comments are not in the tree: they are read again from the source text,
 * and each one is put back before the line that followed it, or at the end
 * of the line it trailed. A blank line before or after a comment is kept
 * (one at most). Formatting a formatted file gives it back unchanged, and
 * never changes what the program means. The caller formats only files
 * without syntax errors.
 */
#include "ast.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- growable strings ---- */

typedef struct sbuf {
	char *s;    /* NUL-terminated text (malloc'd) */
	size_t len; /* bytes, without the NUL */
	size_t cap; /* bytes allocated */
} sbuf;

static void oom(void)
{
	fputs("ludic: out of memory\n", stderr);
	abort();
}

static void sb_put(sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (b->len + n + 1 > cap)
			cap *= 2;
		char *p = realloc(b->s, cap);
		if (!p)
			oom();
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

static void sb_str(sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
	char small[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		sb_put(b, small, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big)
		oom();
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb_put(b, big, (size_t)n);
	free(big);
}

/* ---- comments, read from the source ---- */

typedef struct comment {
	uint32_t start, end; /* the `#` and one past the comment's last byte */
	bool trailing;       /* code before it on its line */
	bool blank_before;   /* an empty line between it and what comes before */
	bool blank_after;    /* the line after it is empty */
} comment;

/* Finds every comment of `src`, in order, skipping strings as the lexer does. */
static comment *scan_comments(const source *src, size_t *count)
{
	comment *cs = NULL;
	size_t n = 0, cap = 0;
	const char *t = src->text;
	uint32_t len = src->len;
	bool code_on_line = false;   /* non-blank, non-comment text on this line so far */
	bool line_empty = true;      /* nothing at all on this line so far */
	bool blank_seen = false;     /* an empty line since the last content */
	for (uint32_t i = 0; i < len; i++) {
		char ch = t[i];
		if (ch == '\n') {
			if (line_empty)
				blank_seen = true;
			code_on_line = false;
			line_empty = true;
			continue;
		}
		if (ch == ' ' || ch == '\t' || ch == '\r')
			continue;
		if (ch == '#') {
			uint32_t e = i;
			while (e < len && t[e] != '\n')
				e++;
			uint32_t end = e;
			while (end > i && (t[end - 1] == '\r' || t[end - 1] == ' ' || t[end - 1] == '\t'))
				end--;
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				comment *p = realloc(cs, cap * sizeof *p);
				if (!p)
					oom();
				cs = p;
			}
			bool after = false;
			if (e < len) { /* is the next line empty? */
				uint32_t j = e + 1;
				while (j < len && (t[j] == ' ' || t[j] == '\t' || t[j] == '\r'))
					j++;
				after = j < len && t[j] == '\n';
			}
			cs[n++] = (comment){i, end, code_on_line, blank_seen && !code_on_line, after};
			blank_seen = false;
			line_empty = false;
			i = e - 1;
			continue;
		}
		line_empty = false;
		blank_seen = false;
		code_on_line = true;
		if (ch == '"') {
			for (i++; i < len && t[i] != '"' && t[i] != '\n'; i++)
				if (t[i] == '\\' && i + 1 < len && t[i + 1] != '\n')
					i++;
			if (i < len && t[i] == '\n')
				i--; /* an unterminated string ends at the line's end */
		}
	}
	*count = n;
	return cs;
}

/* ---- output lines ---- */

typedef struct line {
	int indent;          /* spaces before the text */
	char *text;          /* the code, or a whole-line comment (malloc'd); NULL: a blank line */
	const char *comment; /* a trailing comment (points into the source), or NULL */
	uint32_t comment_len; /* its length in bytes */
	bool is_comment;     /* the text is a comment of its own */
	bool opener;         /* ends with `{` or `:`: no blank line right after it */
} line;

typedef struct fmt {
	const source *src;   /* the text formatted (for comments and words the tree does not keep) */
	comment *cs;         /* the source's comments */
	size_t ncs, next_c;  /* how many, and the first not yet placed */
	line *lines;         /* the output so far */
	size_t nlines, cap;  /* lines used and allocated */
	sbuf cur;            /* the line being written */
	bool open;           /* cur holds a line */
	int cur_indent;      /* its indentation */
	bool cur_opener;     /* it opens a block (ends with `{` or `:`) */
	bool want_blank;     /* a blank line before the next line */
} fmt;

static void push_line(fmt *f, line l)
{
	if (f->nlines == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		line *p = realloc(f->lines, f->cap * sizeof *p);
		if (!p)
			oom();
		f->lines = p;
	}
	f->lines[f->nlines++] = l;
}

static void close_line(fmt *f)
{
	if (!f->open)
		return;
	char *text = malloc(f->cur.len + 1);
	if (!text)
		oom();
	memcpy(text, f->cur.s ? f->cur.s : "", f->cur.len + 1);
	push_line(f, (line){f->cur_indent, text, NULL, 0, false, f->cur_opener});
	f->cur.len = 0;
	if (f->cur.s)
		f->cur.s[0] = 0;
	f->open = false;
}

static line *last_line(fmt *f)
{
	return f->nlines ? &f->lines[f->nlines - 1] : NULL;
}

/* A blank line, unless at the start or right after a line that opens a block. */
static void emit_blank_if_wanted(fmt *f)
{
	line *l = last_line(f);
	if (f->want_blank && l && l->text && !l->opener)
		push_line(f, (line){0, NULL, NULL, 0, false, false});
	f->want_blank = false;
}

/* Places the comments that come before source offset `anchor`: trailing
 * ones at the end of the last line, the others on lines of their own at
 * `indent`. */
static void place_comments(fmt *f, uint32_t anchor, int indent, bool closer_next)
{
	close_line(f);
	while (f->next_c < f->ncs && f->cs[f->next_c].start < anchor) {
		const comment *c = &f->cs[f->next_c++];
		line *l = last_line(f);
		if (c->trailing && l && l->text && !l->is_comment && !l->comment) {
			l->comment = f->src->text + c->start;
			l->comment_len = c->end - c->start;
			continue;
		}
		if (c->blank_before)
			f->want_blank = true;
		emit_blank_if_wanted(f);
		size_t n = c->end - c->start;
		char *text = malloc(n + 1);
		if (!text)
			oom();
		memcpy(text, f->src->text + c->start, n);
		text[n] = 0;
		push_line(f, (line){indent, text, NULL, 0, true, false});
		if (c->blank_after && !closer_next)
			f->want_blank = true;
	}
}

/* Starts an output line for the code at source offset `anchor`. */
static void begin(fmt *f, uint32_t anchor, int indent)
{
	place_comments(f, anchor, indent, false);
	emit_blank_if_wanted(f);
	f->open = true;
	f->cur_indent = indent;
	f->cur_opener = false;
}

/* Starts the closing `}` of a block, whose `}` is at `anchor`. */
static void begin_closer(fmt *f, uint32_t anchor, int indent)
{
	place_comments(f, anchor, indent + 2, true);
	f->want_blank = false;
	f->open = true;
	f->cur_indent = indent;
	f->cur_opener = false;
}

static void put(fmt *f, const char *s)
{
	sb_str(&f->cur, s);
}

/* ---- finding words the tree does not keep ---- */

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The offset of keyword `word` in [from, to) of the source, outside strings
 * and comments, or `to` if it is not there. */
static uint32_t find_word(const source *src, uint32_t from, uint32_t to, const char *word)
{
	const char *t = src->text;
	size_t wl = strlen(word);
	if (to > src->len)
		to = src->len;
	for (uint32_t i = from; i < to; i++) {
		if (t[i] == '#') {
			while (i < to && t[i] != '\n')
				i++;
			continue;
		}
		if (t[i] == '"') {
			for (i++; i < to && t[i] != '"' && t[i] != '\n'; i++)
				if (t[i] == '\\')
					i++;
			continue;
		}
		if (i + wl <= to && memcmp(t + i, word, wl) == 0 && (i == 0 || !ident_char(t[i - 1])) &&
		    (i + wl == src->len || !ident_char(t[i + wl])))
			return i;
		if (ident_char(t[i]))
			while (i + 1 < to && ident_char(t[i + 1]))
				i++;
	}
	return to;
}

/* ---- expressions ---- */

enum {
	P_OR = 1, P_AND, P_NOT, P_CMP, P_IN, P_ADD, P_MUL, P_NEG, P_POSTFIX, P_PRIMARY,
};

static int prec_of(const ast_node *n)
{
	switch (n->kind) {
	case AST_BINARY:
		switch (n->u.binary.op) {
		case OP_OR: return P_OR;
		case OP_AND: return P_AND;
		case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE: return P_CMP;
		case OP_IN: case OP_NOT_IN: return P_IN;
		case OP_ADD: case OP_SUB: return P_ADD;
		default: return P_MUL;
		}
	case AST_UNARY: return n->u.unary.op == OP_NOT ? P_NOT : P_NEG;
	case AST_WINDOW: return P_IN;
	case AST_FIELD: return P_POSTFIX;
	default: return P_PRIMARY;
	}
}

static void expr(sbuf *b, const ast_node *n, int min);

static void quoted(sbuf *b, const char *s)
{
	sb_put(b, "\"", 1);
	for (const char *p = s ? s : ""; *p; p++) {
		switch (*p) {
		case '"': sb_str(b, "\\\""); break;
		case '\\': sb_str(b, "\\\\"); break;
		case '\n': sb_str(b, "\\n"); break;
		case '\t': sb_str(b, "\\t"); break;
		default: sb_put(b, p, 1);
		}
	}
	sb_put(b, "\"", 1);
}

static void duration(sbuf *b, const ast_node *n)
{
	sb_printf(b, "%lld %s", (long long)n->u.dur.count, ast_unit_name(n->u.dur.unit, n->u.dur.count != 1));
}

static void expr_list(sbuf *b, const ast_node *n)
{
	for (; n; n = n->next) {
		expr(b, n, 0);
		if (n->next)
			sb_str(b, ", ");
	}
}

/* Does the text of `n` end with `W earned` without a window? */
static bool ends_with_bare_earned(const ast_node *n)
{
	while (n) {
		switch (n->kind) {
		case AST_EARNED: return !n->u.earned.window;
		case AST_BINARY: n = n->u.binary.r; break;
		case AST_UNARY: n = n->u.unary.e; break;
		default: return false;
		}
	}
	return false;
}

/* The left side of `in` needs parentheses when it ends with `W earned`:
 * written bare, `in last 30 days` would become that earned's own window. */
static int left_of_in(const ast_node *l)
{
	return ends_with_bare_earned(l) ? P_PRIMARY + 1 : P_IN + 1;
}

static void expr(sbuf *b, const ast_node *n, int min)
{
	if (!n) {
		sb_str(b, "?");
		return;
	}
	int p = prec_of(n);
	bool paren = p < min;
	if (paren)
		sb_put(b, "(", 1);
	switch (n->kind) {
	case AST_INT: case AST_DECIMAL: case AST_PERCENT: case AST_DATE: case AST_TIMESTAMP: case AST_BOOL:
		sb_str(b, n->u.num.text ? n->u.num.text : "?");
		break;
	case AST_MONEY:
		sb_str(b, n->u.money.text ? n->u.money.text : "?");
		break;
	case AST_DURATION:
		duration(b, n);
		break;
	case AST_STRING:
		quoted(b, n->u.str.s);
		break;
	case AST_NAME:
		sb_str(b, n->u.name.s);
		break;
	case AST_FIELD:
		expr(b, n->u.field.obj, P_POSTFIX);
		sb_printf(b, ".%s", n->u.field.name);
		break;
	case AST_UNARY:
		if (n->u.unary.op == OP_NOT) {
			/* `not (x = 1)`: clearer than the equivalent `not x = 1` */
			sb_str(b, "not ");
			expr(b, n->u.unary.e, P_ADD);
		} else {
			/* `-(-x)`, not `--x` */
			const ast_node *e = n->u.unary.e;
			sb_str(b, "-");
			expr(b, e, e->kind == AST_UNARY ? P_PRIMARY : P_NEG);
		}
		break;
	case AST_BINARY: {
		int lmin = p, rmin = p + 1;
		if (p == P_CMP)
			lmin = p + 1;
		if (p == P_IN)
			lmin = left_of_in(n->u.binary.l);
		expr(b, n->u.binary.l, lmin);
		sb_printf(b, " %s ", ast_op_text(n->u.binary.op));
		expr(b, n->u.binary.r, rmin);
		break;
	}
	case AST_CALL:
		sb_printf(b, "%s(", n->u.call.fn);
		expr_list(b, n->u.call.args);
		sb_str(b, ")");
		break;
	case AST_AGG: {
		static const char *const fn[] = {"count", "sum", "any", "all", "min", "max"};
		sb_printf(b, "%s(", (unsigned)n->u.agg.fn <= AGG_MAX ? fn[n->u.agg.fn] : "?");
		if (n->u.agg.value) {
			expr(b, n->u.agg.value, 0);
			sb_str(b, " of ");
		}
		expr(b, n->u.agg.src, 0);
		if (n->u.agg.where) {
			sb_str(b, " where ");
			expr(b, n->u.agg.where, 0);
		}
		sb_str(b, ")");
		break;
	}
	case AST_WINDOW:
		expr(b, n->u.window.event, left_of_in(n->u.window.event));
		if (n->u.window.is_this) {
			sb_printf(b, " in this %s", ast_unit_name(n->u.window.this_period, false));
		} else {
			sb_str(b, " in last ");
			duration(b, n->u.window.length);
		}
		break;
	case AST_EARNED:
		sb_printf(b, "%s earned", n->u.earned.wallet ? n->u.earned.wallet->u.name.s : "?");
		if (n->u.earned.window) {
			sb_str(b, " in last ");
			duration(b, n->u.earned.window);
		}
		break;
	case AST_SET:
		sb_str(b, "{");
		expr_list(b, n->u.list.items);
		sb_str(b, "}");
		break;
	default:
		sb_str(b, "?");
		break;
	}
	if (paren)
		sb_put(b, ")", 1);
}

/* Appends expression `n` to the current line. */
static void put_expr(fmt *f, const ast_node *n)
{
	expr(&f->cur, n, 0);
}

static void put_string(fmt *f, const ast_node *s)
{
	quoted(&f->cur, s ? s->u.str.s : "");
}

static void put_duration(fmt *f, const ast_node *d)
{
	duration(&f->cur, d);
}

/* ---- actions, caps, triggers ---- */

static const char *const rounding_words[] = {"", "down", "up", "nearest"};

/* An action on the current line, multipliers and rounding included. */
/* One action on the current line; `bare` leaves out the `award` keyword (a
 * mission's `reward 200 points, ...` reads as the campaign brief does). */
static void put_action_inline_ex(fmt *f, const ast_node *a, bool bare)
{
	switch (a->kind) {
	case AST_AWARD: case AST_DEBIT:
		if (!(bare && a->kind == AST_AWARD))
			put(f, a->kind == AST_AWARD ? "award " : "debit ");
		put_expr(f, a->u.award.amount);
		put(f, " ");
		put(f, a->u.award.wallet->u.name.s);
		if (a->kind == AST_AWARD) {
			for (const ast_node *m = a->u.award.mults; m; m = m->next) {
				put(f, " times ");
				put_expr(f, m->u.mult.factor);
				put(f, " when ");
				put_expr(f, m->u.mult.cond);
			}
			if (a->u.award.rounding != ROUND_DEFAULT) {
				put(f, " rounded ");
				put(f, rounding_words[a->u.award.rounding]);
			}
		}
		break;
	case AST_GIVE_BADGE:
		put(f, "badge ");
		quoted(&f->cur, a->u.str.s);
		break;
	case AST_NOTIFY:
		put(f, "notify ");
		put_string(f, a->u.notify.tmpl);
		if (a->u.notify.args) {
			put(f, " with (");
			for (const ast_node *g = a->u.notify.args; g; g = g->next) {
				put(f, g->u.arg.key);
				put(f, " = ");
				put_expr(f, g->u.arg.value);
				if (g->next)
					put(f, ", ");
			}
			put(f, ")");
		}
		break;
	default:
		break;
	}
}

/* Actions joined on the current line: `award 20 xp, badge "x"`. */
static void put_action_inline(fmt *f, const ast_node *a)
{
	put_action_inline_ex(f, a, false);
}

/* Actions separated by commas; with `short_award`, a leading award is
 * written without its keyword (mission completion rewards). */
static void put_actions_inline(fmt *f, const ast_node *a, bool short_award)
{
	for (bool first = true; a; a = a->next, first = false) {
		put_action_inline_ex(f, a, short_award && first);
		if (a->next)
			put(f, ", ");
	}
}

/* An action on its own line(s): multipliers and rounding one level deeper. */
static void action_lines(fmt *f, const ast_node *a, int indent)
{
	begin(f, a->sp.start, indent);
	if (a->kind != AST_AWARD) {
		put_action_inline(f, a);
		return;
	}
	put(f, "award ");
	put_expr(f, a->u.award.amount);
	put(f, " ");
	put(f, a->u.award.wallet->u.name.s);
	for (const ast_node *m = a->u.award.mults; m; m = m->next) {
		begin(f, m->sp.start, indent + 2);
		put(f, "times ");
		put_expr(f, m->u.mult.factor);
		put(f, " when ");
		put_expr(f, m->u.mult.cond);
	}
	if (a->u.award.rounding != ROUND_DEFAULT) {
		uint32_t from = a->u.award.mults ? a->u.award.mults->sp.end : a->u.award.wallet->sp.end;
		begin(f, find_word(f->src, from, a->sp.end, "rounded"), indent + 2);
		put(f, "rounded ");
		put(f, rounding_words[a->u.award.rounding]);
	}
}

/* Is the source text at `at` the word `word`? */
static bool word_at(const source *src, uint32_t at, const char *word)
{
	size_t n = strlen(word);
	return at + n <= src->len && memcmp(src->text + at, word, n) == 0 &&
	       (at + n == src->len || !ident_char(src->text[at + n]));
}

static void cap_line(fmt *f, const ast_node *c, int indent)
{
	begin(f, c->sp.start, indent);
	switch (c->kind) {
	case AST_LIMIT:
		if (word_at(f->src, c->sp.start, "once")) {
			put(f, "once");
			break;
		}
		put(f, "limit ");
		put_expr(f, c->u.limit.amount);
		if (c->u.limit.wallet) {
			put(f, " ");
			put(f, c->u.limit.wallet->u.name.s);
		}
		{
			const ast_node *last = c->u.limit.wallet ? c->u.limit.wallet : c->u.limit.amount;
			uint32_t per = find_word(f->src, last->sp.end, c->sp.end, "per");
			if (find_word(f->src, last->sp.end, per, "times") < per)
				put(f, " times");
		}
		put(f, " per ");
		put(f, c->u.limit.per == UNIT_EVER ? "customer" : ast_unit_name(c->u.limit.per, false));
		break;
	case AST_BUDGET:
		put(f, "budget ");
		put_expr(f, c->u.budget.amount);
		put(f, " ");
		put(f, c->u.budget.wallet->u.name.s);
		break;
	case AST_UNLIMITED:
		put(f, "unlimited");
		break;
	default:
		break;
	}
}

/* The actions and caps of a rule or streak, one per line. */
static void body_lines(fmt *f, const ast_node *actions, const ast_node *caps, int indent)
{
	for (const ast_node *a = actions; a; a = a->next)
		action_lines(f, a, indent);
	for (const ast_node *c = caps; c; c = c->next)
		cap_line(f, c, indent);
}

static void put_where(fmt *f, const ast_node *where)
{
	if (where) {
		put(f, " where ");
		put_expr(f, where);
	}
}

static void put_trigger(fmt *f, const ast_node *t)
{
	switch (t->kind) {
	case AST_ON_EVENT:
		put(f, " on ");
		put(f, t->u.trig.event->u.name.s);
		put_where(f, t->u.trig.where);
		break;
	case AST_INACTIVE:
		put(f, " when no ");
		put(f, t->u.trig.event->u.name.s);
		put_where(f, t->u.trig.where);
		put(f, " for ");
		put_duration(f, t->u.trig.dur);
		break;
	case AST_EXPIRING:
		put(f, " when ");
		put(f, t->u.trig.event->u.name.s);
		put(f, " expire within ");
		put_duration(f, t->u.trig.dur);
		break;
	case AST_BIRTHDAY:
		put(f, t->u.trig.month ? " when birthday month" : " when birthday");
		break;
	case AST_AFTER:
		put(f, " when ");
		put_duration(f, t->u.trig.dur);
		put(f, " after ");
		put(f, t->u.trig.event->u.name.s);
		put_where(f, t->u.trig.where);
		break;
	default:
		break;
	}
}

static void put_strings(fmt *f, const ast_node *s)
{
	for (; s; s = s->next) {
		put_string(f, s);
		if (s->next)
			put(f, ", ");
	}
}

/* ` in region "r"` / ` at stores "a", "b"` (rules), or the overlay's ` for ...`. */
static void put_scope(fmt *f, const ast_node *s, bool overlay)
{
	if (!s)
		return;
	if (overlay)
		put(f, s->u.scope.stores ? " for stores " : " for region ");
	else
		put(f, s->u.scope.stores ? " at stores " : " in region ");
	put_strings(f, s->u.scope.values);
}

static void put_range(fmt *f, const ast_node *from, const ast_node *until)
{
	if (from) {
		put(f, " from ");
		put_expr(f, from);
	}
	if (until) {
		put(f, " until ");
		put_expr(f, until);
	}
}

/* ---- declarations ---- */

static void rule_decl(fmt *f, const ast_node *r, int indent)
{
	static const char *const kinds[] = {"rule", "challenge", "bonus", "quest"};
	begin(f, r->sp.start, indent);
	if (r->u.rule.override)
		put(f, "override ");
	put(f, (unsigned)r->u.rule.kind <= RULE_QUEST ? kinds[r->u.rule.kind] : "rule");
	put(f, " ");
	put_string(f, r->u.rule.name);
	put_scope(f, r->u.rule.scope, false);
	put_trigger(f, r->u.rule.trigger);
	put_range(f, r->u.rule.from, r->u.rule.until);
	put(f, ":");
	f->cur_opener = true;
	body_lines(f, r->u.rule.actions, r->u.rule.clauses, indent + 2);
}

static void streak_decl(fmt *f, const ast_node *s)
{
	begin(f, s->sp.start, 0);
	put(f, "streak ");
	put_string(f, s->u.streak.name);
	put_scope(f, s->u.streak.scope, false);
	put(f, " on ");
	put(f, s->u.streak.event->u.name.s);
	put_where(f, s->u.streak.where);
	put(f, " every ");
	put(f, ast_unit_name(s->u.streak.every, false));
	put(f, " for ");
	put_duration(f, s->u.streak.length);
	if (s->u.streak.grace) {
		put(f, " grace ");
		put_duration(f, s->u.streak.grace);
	}
	put_range(f, s->u.streak.from, s->u.streak.until);
	put(f, ":");
	f->cur_opener = true;
	body_lines(f, s->u.streak.actions, s->u.streak.clauses, 2);
}

/* `{` at the end of the current line; the caller writes the items. */
static void open_block(fmt *f)
{
	put(f, " {");
	f->cur_opener = true;
}

static void close_block(fmt *f, const ast_node *block, int indent)
{
	begin_closer(f, block->sp.end ? block->sp.end - 1 : 0, indent);
	put(f, "}");
}

static void mission_decl(fmt *f, const ast_node *m)
{
	begin(f, m->sp.start, 0);
	put(f, "mission ");
	put_string(f, m->u.mission.name);
	put_scope(f, m->u.mission.scope, false);
	if (m->u.mission.within) {
		put(f, " within ");
		put_duration(f, m->u.mission.within);
		if (m->u.mission.anchor) {
			put(f, " of ");
			put(f, m->u.mission.anchor->u.name.s);
		}
	}
	if (m->u.mission.audience) {
		put(f, " for ");
		put_expr(f, m->u.mission.audience);
	}
	put_range(f, m->u.mission.from, m->u.mission.until);
	open_block(f);
	for (const ast_node *s = m->u.mission.steps; s; s = s->next) {
		begin(f, s->sp.start, 2);
		put(f, "step ");
		put_string(f, s->u.step.name);
		put(f, ": ");
		put(f, s->u.step.event->u.name.s);
		put_where(f, s->u.step.where);
		if (s->u.step.times) {
			put(f, ", ");
			put_expr(f, s->u.step.times);
			put(f, " times");
		}
		if (s->u.step.reward) {
			put(f, " then ");
			put_actions_inline(f, s->u.step.reward, false);
		}
	}
	if (m->u.mission.reward) {
		uint32_t from = m->u.mission.steps ? m->u.mission.steps->sp.end : m->sp.start;
		for (const ast_node *s = m->u.mission.steps; s; s = s->next)
			from = s->sp.end;
		begin(f, find_word(f->src, from, m->u.mission.reward->sp.start, "reward"), 2);
		put(f, "reward ");
		put_actions_inline(f, m->u.mission.reward, true);
	}
	close_block(f, m, 0);
}

static void ladder_decl(fmt *f, const ast_node *l)
{
	begin(f, l->sp.start, 0);
	put(f, l->kind == AST_TIERS ? "tiers " : "levels ");
	put(f, l->u.ladder.name);
	put(f, " on ");
	put_expr(f, l->u.ladder.metric);
	open_block(f);
	for (const ast_node *r = l->u.ladder.rungs; r; r = r->next) {
		begin(f, r->sp.start, 2);
		put(f, r->u.rung.name);
		put(f, " at ");
		put_expr(f, r->u.rung.at);
	}
	uint32_t body = l->u.ladder.metric ? l->u.ladder.metric->sp.end : l->sp.start;
	if (l->u.ladder.hold) {
		begin(f, find_word(f->src, body, l->u.ladder.hold->sp.start, "hold"), 2);
		put(f, "hold ");
		put_duration(f, l->u.ladder.hold);
	}
	if (l->u.ladder.has_review) {
		begin(f, find_word(f->src, body, l->sp.end, "review"), 2);
		put(f, "review every ");
		put(f, ast_unit_name(l->u.ladder.review, false));
	}
	close_block(f, l, 0);
}

static void record_decl(fmt *f, const ast_node *d)
{
	begin(f, d->sp.start, 0);
	put(f, d->kind == AST_EVENT ? "event " : "record ");
	put(f, d->u.decl.name);
	open_block(f);
	for (const ast_node *fd = d->u.decl.items; fd; fd = fd->next) {
		begin(f, fd->sp.start, 2);
		put(f, fd->u.fdecl.name);
		put(f, ": ");
		for (const ast_node *t = fd->u.fdecl.type; t; t = t->u.type.elem) {
			put(f, t->u.type.name);
			if (t->u.type.elem)
				put(f, " of ");
		}
		if (fd->u.fdecl.optional)
			put(f, " optional");
	}
	close_block(f, d, 0);
}

static void badges_decl(fmt *f, const ast_node *d)
{
	begin(f, d->sp.start, 0);
	put(f, "badges");
	open_block(f);
	for (const ast_node *b = d->u.decl.items; b; b = b->next) {
		begin(f, b->sp.start, 2);
		put_string(f, b->u.badge.name);
		if (b->u.badge.description) {
			put(f, ": ");
			put_string(f, b->u.badge.description);
		}
	}
	close_block(f, d, 0);
}

static void catalogue_decl(fmt *f, const ast_node *d)
{
	begin(f, d->sp.start, 0);
	put(f, "catalogue");
	open_block(f);
	for (const ast_node *it = d->u.decl.items; it; it = it->next) {
		begin(f, it->sp.start, 2);
		put(f, "reward ");
		put_string(f, it->u.item.name);
		put(f, " costs ");
		put_expr(f, it->u.item.cost);
		put(f, " ");
		put(f, it->u.item.wallet->u.name.s);
		if (it->u.item.cond) {
			put(f, " for ");
			put_expr(f, it->u.item.cond);
		}
	}
	close_block(f, d, 0);
}

static void experiment_decl(fmt *f, const ast_node *e)
{
	begin(f, e->sp.start, 0);
	put(f, "experiment ");
	put_string(f, e->u.experiment.name);
	open_block(f);
	for (const ast_node *v = e->u.experiment.variants; v; v = v->next) {
		begin(f, v->sp.start, 2);
		put(f, "variant ");
		put_string(f, v->u.variant.name);
		put(f, " ");
		put_expr(f, v->u.variant.share);
		if (v->u.variant.changes)
			put(f, ": ");
		for (const ast_node *c = v->u.variant.changes; c; c = c->next) {
			if (c->kind == AST_SKIP) {
				put(f, "skip ");
				quoted(&f->cur, c->u.str.s);
			} else {
				put(f, c->u.arg.key);
				put(f, " = ");
				put_expr(f, c->u.arg.value);
			}
			if (c->next)
				put(f, ", ");
		}
	}
	close_block(f, e, 0);
}

static void group_decl(fmt *f, const ast_node *g)
{
	begin(f, g->sp.start, 0);
	put(f, "group ");
	put_string(f, g->u.group.name);
	put(f, g->u.group.mode == GROUP_BEST ? " keep best" : " keep first");
	open_block(f);
	for (const ast_node *r = g->u.group.rules; r; r = r->next) {
		if (r != g->u.group.rules)
			f->want_blank = true;
		rule_decl(f, r, 2);
	}
	close_block(f, g, 0);
}

static void header_decl(fmt *f, const ast_node *h)
{
	begin(f, h->sp.start, 0);
	put(f, h->kind == AST_PROGRAM ? "program " : h->kind == AST_OVERLAY ? "overlay " : "library ");
	put_string(f, h->u.program.name);
	if (h->u.program.base) {
		put(f, " extends ");
		put_string(f, h->u.program.base);
	}
	if (h->u.program.version) {
		put(f, " version ");
		put_string(f, h->u.program.version);
	}
	put_scope(f, h->u.program.scope, true);
}

static void decl(fmt *f, const ast_node *d)
{
	switch (d->kind) {
	case AST_PROGRAM: case AST_OVERLAY: case AST_LIBRARY:
		header_decl(f, d);
		break;
	case AST_USE: case AST_CURRENCY: case AST_TIMEZONE: case AST_DISABLE:
		begin(f, d->sp.start, 0);
		put(f, d->kind == AST_USE ? "use " : d->kind == AST_CURRENCY ? "currency " :
		       d->kind == AST_TIMEZONE ? "timezone " : "disable ");
		if (d->kind == AST_USE || d->kind == AST_CURRENCY)
			put(f, d->u.str.s);
		else
			quoted(&f->cur, d->u.str.s);
		break;
	case AST_LATENESS:
		begin(f, d->sp.start, 0);
		put(f, "allow late events up to ");
		put_duration(f, d->u.expr1.expr);
		break;
	case AST_PARAM:
		begin(f, d->sp.start, 0);
		put(f, "param ");
		put(f, d->u.arg.key);
		put(f, " = ");
		put_expr(f, d->u.arg.value);
		break;
	case AST_ENUM:
		begin(f, d->sp.start, 0);
		put(f, "enum ");
		put(f, d->u.decl.name);
		put(f, " { ");
		for (const ast_node *m = d->u.decl.items; m; m = m->next) {
			put(f, m->u.name.s);
			if (m->next)
				put(f, ", ");
		}
		put(f, " }");
		break;
	case AST_EVENT: case AST_RECORD:
		record_decl(f, d);
		break;
	case AST_WALLET:
		begin(f, d->sp.start, 0);
		put(f, "wallet ");
		put(f, d->u.wallet.name);
		if (d->u.wallet.label) {
			put(f, " ");
			put_string(f, d->u.wallet.label);
		}
		if (d->u.wallet.staff)
			put(f, " for staff");
		if (d->u.wallet.expires) {
			put(f, " expires ");
			put_duration(f, d->u.wallet.expires);
			put(f, " after earning");
		}
		if (d->u.wallet.pending) {
			put(f, " pending ");
			put_duration(f, d->u.wallet.pending);
		}
		break;
	case AST_TIERS: case AST_LEVELS:
		ladder_decl(f, d);
		break;
	case AST_RULE:
		rule_decl(f, d, 0);
		break;
	case AST_MISSION:
		mission_decl(f, d);
		break;
	case AST_STREAK:
		streak_decl(f, d);
		break;
	case AST_BADGES:
		badges_decl(f, d);
		break;
	case AST_CATALOGUE:
		catalogue_decl(f, d);
		break;
	case AST_EXPERIMENT:
		experiment_decl(f, d);
		break;
	case AST_GROUP:
		group_decl(f, d);
		break;
	default: /* AST_ERROR: never formatted by the CLI; keep the text as it was */
		begin(f, d->sp.start, 0);
		sb_put(&f->cur, f->src->text + d->sp.start, d->sp.end - d->sp.start);
		break;
	}
}

/* Declarations that sit together without a blank line: same non-zero family. */
static int family(const ast_node *d)
{
	switch (d->kind) {
	case AST_PROGRAM: case AST_OVERLAY: case AST_LIBRARY: case AST_USE: case AST_CURRENCY: case AST_TIMEZONE:
	case AST_LATENESS:
		return 1;
	case AST_PARAM: return 2;
	case AST_DISABLE: return 3;
	case AST_WALLET: return 4;
	default: return 0;
	}
}

/* ---- output ---- */

/* Trailing comments of consecutive lines at the same indentation start in
 * the same column: two spaces after the longest of those lines. */
static void print_lines(FILE *out, line *ls, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		size_t width = 0;
		while (j < n && ls[j].text && !ls[j].is_comment && ls[j].indent == ls[i].indent) {
			if (ls[j].comment) {
				size_t w = (size_t)ls[j].indent + strlen(ls[j].text);
				if (w > width)
					width = w;
			}
			j++;
		}
		if (j == i)
			j = i + 1;
		for (size_t k = i; k < j; k++) {
			if (!ls[k].text) {
				fputc('\n', out);
				continue;
			}
			fprintf(out, "%*s%s", ls[k].indent, "", ls[k].text);
			if (ls[k].comment) {
				size_t w = (size_t)ls[k].indent + strlen(ls[k].text);
				fprintf(out, "%*s%.*s", (int)(width - w + 2), "", (int)ls[k].comment_len, ls[k].comment);
			}
			fputc('\n', out);
		}
		i = j;
	}
}

void ast_format(FILE *out, const ast_node *file, const source *src)
{
	fmt f;
	memset(&f, 0, sizeof f);
	f.src = src;
	f.cs = scan_comments(src, &f.ncs);
	const ast_node *prev = NULL;
	for (const ast_node *d = file ? file->u.file.decls : NULL; d; d = d->next) {
		if (prev && !(family(prev) && family(prev) == family(d)))
			f.want_blank = true;
		decl(&f, d);
		prev = d;
	}
	place_comments(&f, UINT32_MAX, 0, false);
	close_line(&f);
	print_lines(out, f.lines, f.nlines);
	for (size_t i = 0; i < f.nlines; i++)
		free(f.lines[i].text);
	free(f.lines);
	free(f.cur.s);
	free(f.cs);
}
