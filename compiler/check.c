/* check.c — the checker's driver: units, declarations, settings, overlays.
 *
 * chk_check() runs in passes, so that anything may be used before it is
 * declared:
 *   1. units: one per library and per user file; headers, `use`, overlay bases;
 *   2. settings: currency, timezone, late events (once each);
 *   3. declarations: every name into its unit's tables (E0206 on duplicates),
 *      overlay `override`/`disable`/`param` matched against the base (E0403);
 *   4. field types of records and events, then wallets, params, ladders;
 *   5. every mechanic in program order (check_mech.c), the catalogue,
 *      experiments and exclusive groups;
 *   6. what was declared and never used (W0504).
 * Expressions are typed by check_expr.c. Names are found through hash
 * tables (uthash), one per namespace and unit, searched along a short chain:
 * the unit, its base program, then the libraries they use.
 */
#define CHK_INTERNAL
#include "check.h"

#include <stdlib.h>
#include <string.h>

#include "parse.h" /* lex_currency: the one list of ISO 4217 codes */
#include "../runtime/clock.h" /* clk_zone_load: time zones are checked as the runtime will load them */

/* ---- small helpers ---- */

/* Appends to an arena array that doubles its room at powers of two. */
static void push_ptr(arena *a, void ***arr, uint32_t *n, void *item)
{
	if (*n == 0 || (*n >= 8 && (*n & (*n - 1)) == 0)) {
		uint32_t cap = *n == 0 ? 8 : *n * 2;
		void **v = arena_alloc(a, cap * sizeof *v);
		if (*n)
			memcpy(v, *arr, *n * sizeof *v);
		*arr = v;
	}
	(*arr)[(*n)++] = item;
}
#define PUSH(c, arr, n, item) push_ptr((c)->a, (void ***)&(arr), &(n), (item))

static const char *str_of(const ast_node *n)
{
	return n && n->kind == AST_STRING && n->u.str.s ? n->u.str.s : NULL;
}

const char *chk_text(chk_ctx *c, const ast_node *n)
{
	if (!n)
		return "";
	const source *src = source_get(c->srcs, n->sp.file);
	if (!src || n->sp.end > src->len || n->sp.end <= n->sp.start)
		return ast_kind_name(n->kind);
	/* whitespace runs collapsed to one space; long texts shortened */
	char buf[72];
	uint32_t o = 0;
	bool space = false;
	for (uint32_t i = n->sp.start; i < n->sp.end && o < sizeof buf - 1; i++) {
		char ch = src->text[i];
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			space = true;
			continue;
		}
		if (space && o)
			buf[o++] = ' ';
		space = false;
		if (o < sizeof buf - 1)
			buf[o++] = ch;
	}
	if (o >= sizeof buf - 1 && n->sp.end - n->sp.start > sizeof buf - 1) {
		o = sizeof buf - 4;
		while (o > 0 && ((unsigned char)buf[o] & 0xC0) == 0x80)
			o--; /* do not cut a UTF-8 character */
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	return arena_strndup(c->a, buf, o);
}

/* Minutes in a duration, months as 30 days and years as 365. */
static int64_t duration_minutes(const ast_node *dur)
{
	static const int64_t per[] = {1, 60, 1440, 7 * 1440, 30 * 1440, 365 * 1440};
	if (!dur || dur->kind != AST_DURATION || dur->u.dur.unit > UNIT_YEAR)
		return 0;
	return dur->u.dur.count * per[dur->u.dur.unit];
}

/* ---- name tables ---- */

chk_sym *chk_lookup_in(chk_ctx *c, uint32_t unit, chk_ns ns, const char *name)
{
	chk_sym *s = NULL;
	if (!name || unit >= c->r->nunits)
		return NULL;
	HASH_FIND_STR(c->r->units[unit].names->tab[ns], name, s);
	return s;
}

chk_sym *chk_lookup(chk_ctx *c, chk_ns ns, const char *name)
{
	struct chk_names *t = c->r->units[c->unit].names;
	for (uint32_t k = 0; k < t->nchain; k++) {
		chk_sym *s = chk_lookup_in(c, t->chain[k], ns, name);
		if (s)
			return s;
	}
	return NULL;
}

/* Did-you-mean over every name of `ns` visible from the current unit,
 * optionally only the ones whose NS_TYPE kind is `kind`. */
static const char *suggest_kind(chk_ctx *c, chk_ns ns, const char *name, int kind)
{
	struct chk_names *t = c->r->units[c->unit].names;
	const char **v = NULL;
	uint32_t n = 0;
	for (uint32_t k = 0; k < t->nchain; k++) {
		chk_sym *s, *tmp;
		HASH_ITER(hh, c->r->units[t->chain[k]].names->tab[ns], s, tmp)
		{
			if (kind < 0 || s->type_kind == (ty_kind)kind)
				PUSH(c, v, n, (void *)s->name);
		}
	}
	return diag_suggest(name, v, n);
}

const char *chk_suggest(chk_ctx *c, chk_ns ns, const char *name)
{
	return suggest_kind(c, ns, name, -1);
}

/* A library that declares `name` but is not used by the current unit. */
const chk_sym *chk_lookup_unused_lib(chk_ctx *c, chk_ns ns, const char *name)
{
	struct chk_names *t = c->r->units[c->unit].names;
	for (uint32_t u = 0; u < c->r->nunits; u++) {
		if (c->r->units[u].kind != CHK_UNIT_LIBRARY)
			continue;
		bool in_chain = false;
		for (uint32_t k = 0; k < t->nchain; k++)
			in_chain |= t->chain[k] == u;
		chk_sym *s = in_chain ? NULL : chk_lookup_in(c, u, ns, name);
		if (s)
			return s;
	}
	return NULL;
}

static void help_use_library(chk_ctx *c, diag *g, const chk_sym *s)
{
	const char *lib = c->r->units[s->unit].name;
	diag_help(g, c->d, "add `use %s` at the top to get the standard %s events", lib, lib);
}

/* Adds `name` to the current unit's table `ns`, or reports E0206 when the
 * unit (or its base, or a library it uses) already has it. */
static chk_sym *add_symbol(chk_ctx *c, chk_ns ns, const char *name, span name_sp, void *decl, ty_kind kind)
{
	chk_sym *s = arena_alloc(c->a, sizeof *s);
	s->name = name;
	s->ns = ns;
	s->unit = c->unit;
	s->name_sp = name_sp;
	s->decl = decl;
	s->type_kind = kind;
	HASH_ADD_KEYPTR(hh, c->r->units[c->unit].names->tab[ns], s->name, strlen(s->name), s);
	return s;
}

/* Adds `name` to the current unit's table `ns`, or reports E0206 when the
 * unit (or its base, or a library it uses) already has it. A program's own
 * declaration still hides a library's of the same name, so that its rules
 * are checked against what the author wrote. */
static chk_sym *declare(chk_ctx *c, chk_ns ns, const char *name, span name_sp, void *decl, ty_kind kind,
			const char *what)
{
	if (!name)
		return NULL;
	chk_sym *old = chk_lookup(c, ns, name);
	if (!old)
		return add_symbol(c, ns, name, name_sp, decl, kind);
	const chk_unit *ou = &c->r->units[old->unit];
	/* names written in quotes (rules, badges, rewards...) are shown in quotes */
	bool quoted = ns == NS_RULE || ns == NS_BADGE || ns == NS_ITEM || ns == NS_EXPERIMENT || ns == NS_GROUP;
	const char *shown = arena_printf(c->a, quoted ? "\"%s\"" : "`%s`", name);
	diag *g;
	if (ou->kind == CHK_UNIT_LIBRARY && c->r->units[c->unit].kind != CHK_UNIT_LIBRARY) {
		g = diag_add(c->d, DIAG_E0206, name_sp, "%s is already defined by library `%s`", shown, ou->name);
		diag_note(g, c->d, old->name_sp, "defined here");
		diag_help(g, c->d, "choose another name for this %s", what);
		return add_symbol(c, ns, name, name_sp, decl, kind);
	}
	g = diag_add(c->d, DIAG_E0206, name_sp, "%s %s is defined twice", what, shown);
	diag_note(g, c->d, old->name_sp, "first defined here");
	if (ns == NS_RULE && old->unit != c->unit)
		diag_help(g, c->d, "to replace the base program's %s in this overlay, write `override` before it", shown);
	else
		diag_help(g, c->d, "give each %s a name of its own", what);
	return NULL;
}

/* ---- references from declarations ---- */

/* An event in scope with a field holding `decl` (a record or enum, or a
 * list of them): its name in *ev, the field's name returned. */
static const char *part_of_event(chk_ctx *c, const void *decl, const chk_record **ev)
{
	for (uint32_t i = 0; i < c->r->nrecords; i++) {
		const chk_record *rec = c->r->records[i];
		if (!rec->is_event || chk_lookup(c, NS_TYPE, rec->name) == NULL)
			continue;
		for (uint32_t k = 0; k < rec->nfields; k++) {
			const ty *t = rec->fields[k].type;
			if (t && t->kind == TY_LIST)
				t = t->elem;
			if (t && t->decl == decl) {
				*ev = rec;
				return rec->fields[k].name;
			}
		}
	}
	return NULL;
}

const chk_record *chk_event_ref(chk_ctx *c, ast_node *name)
{
	if (!name || name->kind != AST_NAME || !name->u.name.s)
		return NULL;
	const char *s = name->u.name.s;
	chk_sym *sym = chk_lookup(c, NS_TYPE, s);
	if (sym && sym->type_kind == TY_EVENT) {
		if (name->id < c->r->node_count)
			c->r->refs[name->id] = (chk_ref){.kind = CHK_REF_EVENT, .u.rec = sym->decl};
		return sym->decl;
	}
	diag *g;
	if (sym) {
		g = diag_add(c->d, DIAG_E0202, name->sp, "`%s` is %s, not an event", s,
			     sym->type_kind == TY_ENUM ? "a list of choices" : "a record");
		const chk_record *ev;
		const char *field = part_of_event(c, sym->decl, &ev);
		if (field)
			diag_help(g, c->d, "`%s` is part of `%s` events (their `%s`): run the rule `on %s` and look at `%s`",
				  s, ev->name, field, ev->name, field);
		return NULL;
	} else {
		g = diag_add(c->d, DIAG_E0202, name->sp, "unknown event `%s`", s);
	}
	const chk_sym *lib = chk_lookup_unused_lib(c, NS_TYPE, s);
	const char *sug = suggest_kind(c, NS_TYPE, s, TY_EVENT);
	if (lib && lib->type_kind == TY_EVENT)
		help_use_library(c, g, lib);
	else if (sug)
		diag_help(g, c->d, "did you mean `%s`?", sug);
	else if (!sym)
		diag_help(g, c->d, "declare it with `event %s { ... }`, or use one of the standard events (`use retail`)", s);
	return NULL;
}

const chk_wallet *chk_wallet_ref(chk_ctx *c, ast_node *name, const char *what)
{
	if (!name)
		return NULL;
	if (name->kind != AST_NAME || !name->u.name.s) {
		if (name->kind != AST_ERROR) {
			diag *g = diag_add(c->d, DIAG_E0203, name->sp, "`%s` needs a wallet name here", what);
			diag_help(g, c->d, "write the wallet's name, as in `balance(points)`");
		}
		return NULL;
	}
	const char *s = name->u.name.s;
	chk_sym *sym = chk_lookup(c, NS_WALLET, s);
	if (sym) {
		if (name->id < c->r->node_count)
			c->r->refs[name->id] = (chk_ref){.kind = CHK_REF_WALLET, .u.wallet = sym->decl};
		return sym->decl;
	}
	diag *g = diag_add(c->d, DIAG_E0203, name->sp, "unknown wallet `%s`", s);
	const char *sug = chk_suggest(c, NS_WALLET, s);
	if (sug)
		diag_help(g, c->d, "did you mean `%s`?", sug);
	else
		diag_help(g, c->d, "declare it first: `wallet %s \"...\"`", s);
	return NULL;
}

/* ---- pass 1: units ---- */

static bool is_header(const ast_node *n)
{
	return n && (n->kind == AST_PROGRAM || n->kind == AST_OVERLAY || n->kind == AST_LIBRARY);
}

static void init_unit(chk_ctx *c, chk_unit *u, const ast_node *file, bool library)
{
	u->file = file;
	u->base = -1;
	u->names = arena_alloc(c->a, sizeof *u->names);
	snprintf(u->currency, sizeof u->currency, "EUR");
	u->name = "";
	const ast_node *first = file && file->kind == AST_FILE ? file->u.file.decls : NULL;
	/* a header that does not come first was reported by the parser (E0109);
	 * it still names the file */
	while (first && !is_header(first) && (first->kind == AST_USE || first->kind == AST_ERROR))
		first = first->next;
	u->header = is_header(first) ? first : NULL;
	u->kind = library ? CHK_UNIT_LIBRARY : CHK_UNIT_PROGRAM;
	if (!u->header)
		return;
	const char *name = str_of(u->header->u.program.name);
	u->name = name ? name : "";
	u->version = str_of(u->header->u.program.version);
	if (library)
		return;
	if (u->header->kind == AST_OVERLAY) {
		u->kind = CHK_UNIT_OVERLAY;
		u->scope = u->header->u.program.scope;
	} else if (u->header->kind == AST_LIBRARY) {
		diag *g = diag_add(c->d, DIAG_E0413, u->header->sp, "`library` is only for ludic's standard library");
		diag_help(g, c->d, "start a program with `program \"%s\"`", u->name);
	}
}

/* Headers anywhere but first. */
static void check_extra_headers(chk_ctx *c, const chk_unit *u)
{
	if (!u->file || u->file->kind != AST_FILE)
		return;
	for (const ast_node *n = u->file->u.file.decls; n; n = n->next) {
		if (!is_header(n) || n == u->header || !u->header)
			continue;
		if (u->header && n->kind == u->header->kind) {
			diag *g = diag_add(c->d, DIAG_E0412, n->sp, "the %s header is given twice",
					   n->kind == AST_OVERLAY ? "overlay" : n->kind == AST_LIBRARY ? "library" : "program");
			diag_note(g, c->d, u->header->sp, "first given here");
			diag_help(g, c->d, "a file has one header, on its first line: remove this one");
		} else {
			diag *g = diag_add(c->d, DIAG_E0413, n->sp, "a file has one header, and it comes first");
			diag_help(g, c->d, "put each program or overlay in a file of its own");
		}
	}
}

static void add_use(chk_ctx *c, chk_unit *u, ast_node *n)
{
	const char *name = n->u.str.s;
	if (!name)
		return;
	for (uint32_t i = 0; i < c->r->nunits; i++) {
		chk_unit *lib = &c->r->units[i];
		if (lib->kind == CHK_UNIT_LIBRARY && strcmp(lib->name, name) == 0) {
			for (uint32_t k = 0; k < u->nuses; k++)
				if (u->uses[k] == i)
					return;
			uint32_t *v = arena_alloc(c->a, (u->nuses + 1) * sizeof *v);
			if (u->nuses)
				memcpy(v, u->uses, u->nuses * sizeof *v);
			v[u->nuses++] = i;
			u->uses = v;
			return;
		}
	}
	const char *libs[32];
	uint32_t n_libs = 0;
	for (uint32_t i = 0; i < c->r->nunits && n_libs < 32; i++)
		if (c->r->units[i].kind == CHK_UNIT_LIBRARY)
			libs[n_libs++] = c->r->units[i].name;
	diag *g = diag_add(c->d, DIAG_E0211, n->sp, "unknown library `%s`", name);
	const char *s = diag_suggest(name, libs, n_libs);
	if (s)
		diag_help(g, c->d, "did you mean `%s`?", s);
	else if (n_libs)
		diag_help(g, c->d, "the standard library is `use %s`", libs[0]);
}

static void chain_add(struct chk_names *t, uint32_t u)
{
	for (uint32_t k = 0; k < t->nchain; k++)
		if (t->chain[k] == u)
			return;
	if (t->nchain < sizeof t->chain / sizeof *t->chain)
		t->chain[t->nchain++] = u;
}

static void find_base(chk_ctx *c, uint32_t ui)
{
	chk_unit *u = &c->r->units[ui];
	const ast_node *bn = u->header->u.program.base;
	const char *base = str_of(bn);
	if (!base)
		return;
	for (uint32_t i = 0; i < c->r->nunits; i++) {
		if (c->r->units[i].kind == CHK_UNIT_PROGRAM && strcmp(c->r->units[i].name, base) == 0) {
			u->base = (int32_t)i;
			return;
		}
	}
	const source *src = source_get(c->srcs, u->file->sp.file);
	const char *file = src && src->name ? src->name : "overlay.ludic";
	const char *slash = strrchr(file, '/');
	file = slash ? slash + 1 : file;
	diag *g = diag_add(c->d, DIAG_E0411, bn->sp, "overlay `%s` extends `%s`, which is not among the files checked",
			   u->name, base);
	const char *progs[64];
	uint32_t n = 0;
	for (uint32_t i = 0; i < c->r->nunits && n < 64; i++)
		if (c->r->units[i].kind == CHK_UNIT_PROGRAM)
			progs[n++] = c->r->units[i].name;
	const char *sug = diag_suggest(base, progs, n);
	if (sug)
		diag_help(g, c->d, "did you mean \"%s\"?", sug);
	else if (n == 1)
		diag_help(g, c->d, "the program checked with it is \"%s\": write `extends \"%s\"` if that is its base", progs[0],
			  progs[0]);
	else
		diag_help(g, c->d, "check `%s` together with its base program: `ludic check base.ludic %s`", file, file);
}

static void setup_units(chk_ctx *c, ast_node *const *libs, uint32_t nlibs, ast_node *const *files, uint32_t nfiles)
{
	chk_result *r = c->r;
	r->nunits = nlibs + nfiles;
	r->units = arena_alloc(c->a, (r->nunits ? r->nunits : 1) * sizeof *r->units);
	r->program = -1;
	for (uint32_t i = 0; i < nlibs; i++)
		init_unit(c, &r->units[i], libs[i], true);
	for (uint32_t i = 0; i < nfiles; i++) {
		init_unit(c, &r->units[nlibs + i], files[i], false);
		if (r->program < 0 && r->units[nlibs + i].kind == CHK_UNIT_PROGRAM)
			r->program = (int32_t)(nlibs + i);
	}
	for (uint32_t i = 0; i < r->nunits; i++) {
		chk_unit *u = &r->units[i];
		check_extra_headers(c, u);
		if (u->file && u->file->kind == AST_FILE)
			for (ast_node *n = u->file->u.file.decls; n; n = n->next)
				if (n->kind == AST_USE)
					add_use(c, u, n);
		if (u->kind == CHK_UNIT_OVERLAY)
			find_base(c, i);
	}
	for (uint32_t i = 0; i < r->nunits; i++) {
		chk_unit *u = &r->units[i];
		chain_add(u->names, i);
		if (u->base >= 0)
			chain_add(u->names, (uint32_t)u->base);
		for (uint32_t k = 0; k < u->nuses; k++)
			chain_add(u->names, u->uses[k]);
		if (u->base >= 0) {
			const chk_unit *b = &r->units[u->base];
			for (uint32_t k = 0; k < b->nuses; k++)
				chain_add(u->names, b->uses[k]);
		}
	}
}

/* ---- pass 2: settings ---- */

void chk_unknown_currency(chk_ctx *c, span sp, const char *code)
{
	const char *codes[256];
	uint32_t n = 0;
	for (const char *x; n < 256 && (x = lex_currency_at(n)); n++)
		codes[n] = x;
	diag *g = diag_add(c->d, DIAG_E0212, sp, "unknown currency `%s`", code);
	const char *s = diag_suggest(code, codes, n);
	if (s)
		diag_help(g, c->d, "did you mean `%s`?", s);
	else
		diag_help(g, c->d, "write an ISO 4217 code, such as `EUR`, `GBP` or `USD`");
}

static void twice(chk_ctx *c, const ast_node *again, const ast_node *first, const char *what)
{
	diag *g = diag_add(c->d, DIAG_E0412, again->sp, "`%s` is given twice", what);
	diag_note(g, c->d, first->sp, "first given here");
	diag_help(g, c->d, "keep one `%s` line", what);
}

/* Zone names of the tz database, for did-you-mean: the third column of
 * zone1970.tab. Read only when a name is wrong. */
static const char *suggest_zone(chk_ctx *c, const char *name)
{
	FILE *f = fopen("/usr/share/zoneinfo/zone1970.tab", "r");
	if (!f)
		return NULL;
	const char **names = NULL;
	uint32_t n = 0, cap = 0;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#')
			continue;
		char *tab1 = strchr(line, '\t'), *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
		if (!tab2)
			continue;
		char *zone = tab2 + 1;
		zone[strcspn(zone, "\t\n")] = '\0';
		if (n == cap) {
			cap = cap ? cap * 2 : 512;
			const char **grown = arena_alloc(c->a, cap * sizeof *grown);
			if (n)
				memcpy(grown, names, n * sizeof *grown);
			names = grown;
		}
		names[n++] = arena_strdup(c->a, zone);
	}
	fclose(f);
	return diag_suggest(name, names, n);
}

/* `timezone "Europe/Paris"`: the zone must load exactly as the runtime will
 * load it (E0213 otherwise). True when it does. */
static bool check_timezone(chk_ctx *c, const ast_node *n)
{
	const char *name = n->u.str.s ? n->u.str.s : "";
	clk_error err;
	clk_zone *z = clk_zone_load(name, &err);
	if (z) {
		clk_zone_free(z);
		return true;
	}
	diag *g = diag_add(c->d, DIAG_E0213, n->sp, "unknown time zone \"%s\"", name);
	const char *near = suggest_zone(c, name);
	if (near)
		diag_help(g, c->d, "did you mean \"%s\"?", near);
	else
		diag_help(g, c->d, "write a zone of the tz database such as \"Europe/Paris\", \"UTC\", or a fixed offset "
				  "such as \"+01:00\" (%s)", err.msg);
	return false;
}

static void settings(chk_ctx *c, uint32_t ui)
{
	chk_unit *u = &c->r->units[ui];
	if (u->kind == CHK_UNIT_OVERLAY && u->base >= 0)
		memcpy(u->currency, c->r->units[u->base].currency, sizeof u->currency);
	if (!u->file || u->file->kind != AST_FILE)
		return;
	const ast_node *cur = NULL, *tz = NULL, *late = NULL;
	for (ast_node *n = u->file->u.file.decls; n; n = n->next) {
		const ast_node **seen;
		const char *what;
		switch (n->kind) {
		case AST_CURRENCY: seen = &cur; what = "currency"; break;
		case AST_TIMEZONE: seen = &tz; what = "timezone"; break;
		case AST_LATENESS: seen = &late; what = "allow late events"; break;
		default: continue;
		}
		if (u->kind == CHK_UNIT_OVERLAY) {
			diag *g = diag_add(c->d, DIAG_E0413, n->sp, "an overlay cannot change `%s`", what);
			diag_help(g, c->d, "an overlay runs with its base program's settings: change it there");
			continue;
		}
		if (*seen) {
			twice(c, n, *seen, what);
			continue;
		}
		*seen = n;
		if (n->kind == AST_CURRENCY) {
			const char *code = n->u.str.s ? n->u.str.s : "";
			if (!lex_currency(code, NULL)) {
				chk_unknown_currency(c, n->sp, code);
			} else {
				snprintf(u->currency, sizeof u->currency, "%s", code);
			}
		} else if (n->kind == AST_TIMEZONE) {
			if (check_timezone(c, n))
				u->timezone = n->u.str.s;
		} else {
			const ast_node *d = n->u.expr1.expr;
			if (d && d->kind == AST_DURATION)
				u->lateness = duration_minutes(d) * 60;
		}
	}
}

/* ---- pass 3: declarations ---- */

static span name_span(const ast_node *n, span name_sp)
{
	return name_sp.end > name_sp.start ? name_sp : n->sp;
}

static void declare_enum(chk_ctx *c, ast_node *n)
{
	chk_enum *e = arena_alloc(c->a, sizeof *e);
	e->name = n->u.decl.name;
	e->unit = c->unit;
	e->decl = n;
	e->index = c->r->nenums;
	e->type = ty_named(c->tt, TY_ENUM, e->name ? e->name : "?", e);
	uint32_t cap = ast_list_len(n->u.decl.items);
	e->members = arena_alloc(c->a, (cap + 1) * sizeof *e->members);
	e->member_decls = arena_alloc(c->a, (cap + 1) * sizeof *e->member_decls);
	for (ast_node *m = n->u.decl.items; m; m = m->next) {
		if (m->kind != AST_NAME || !m->u.name.s)
			continue;
		bool dup = false;
		for (uint32_t i = 0; i < e->nmembers && !dup; i++) {
			if (strcmp(e->members[i], m->u.name.s) == 0) {
				diag *g = diag_add(c->d, DIAG_E0206, m->sp, "choice `%s` is listed twice in `%s`", m->u.name.s,
						   e->name);
				diag_note(g, c->d, e->member_decls[i]->sp, "first listed here");
				diag_help(g, c->d, "remove one of them");
				dup = true;
			}
		}
		if (dup)
			continue;
		e->member_decls[e->nmembers] = m;
		e->members[e->nmembers++] = m->u.name.s;
	}
	if (declare(c, NS_TYPE, e->name, name_span(n, n->u.decl.name_sp), e, TY_ENUM, "type"))
		PUSH(c, c->r->enums, c->r->nenums, e);
}

static void declare_record(chk_ctx *c, ast_node *n)
{
	chk_record *rec = arena_alloc(c->a, sizeof *rec);
	rec->name = n->u.decl.name;
	rec->is_event = n->kind == AST_EVENT;
	rec->unit = c->unit;
	rec->decl = n;
	rec->index = c->r->nrecords;
	rec->type = ty_named(c->tt, rec->is_event ? TY_EVENT : TY_RECORD, rec->name ? rec->name : "?", rec);
	if (declare(c, NS_TYPE, rec->name, name_span(n, n->u.decl.name_sp), rec, rec->type->kind,
		    rec->is_event ? "event" : "record"))
		PUSH(c, c->r->records, c->r->nrecords, rec);
}

static void declare_wallet(chk_ctx *c, ast_node *n)
{
	chk_wallet *w = arena_alloc(c->a, sizeof *w);
	w->name = n->u.wallet.name;
	w->label = str_of(n->u.wallet.label);
	w->staff = n->u.wallet.staff;
	w->expires = n->u.wallet.expires;
	w->pending = n->u.wallet.pending;
	w->unit = c->unit;
	w->decl = n;
	w->index = c->r->nwallets;
	w->type = ty_named(c->tt, TY_POINTS, w->name ? w->name : "?", w);
	if (declare(c, NS_WALLET, w->name, name_span(n, n->u.wallet.name_sp), w, TY_ERROR, "wallet"))
		PUSH(c, c->r->wallets, c->r->nwallets, w);
}

static void declare_ladder(chk_ctx *c, ast_node *n)
{
	chk_ladder *l = arena_alloc(c->a, sizeof *l);
	l->name = n->u.ladder.name;
	l->level = n->kind == AST_LEVELS;
	l->unit = c->unit;
	l->decl = n;
	l->metric = n->u.ladder.metric;
	l->hold = n->u.ladder.hold;
	l->review = n->u.ladder.review;
	l->has_review = n->u.ladder.has_review;
	l->index = c->r->nladders;
	ty *t = ty_named(c->tt, TY_LADDER, l->name ? l->name : "?", l);
	t->level = l->level;
	l->type = t;
	uint32_t cap = ast_list_len(n->u.ladder.rungs);
	l->rungs = arena_alloc(c->a, (cap + 1) * sizeof *l->rungs);
	for (ast_node *g = n->u.ladder.rungs; g; g = g->next) {
		if (g->kind != AST_STEP_AT || !g->u.rung.name)
			continue;
		bool dup = false;
		for (uint32_t i = 0; i < l->nrungs && !dup; i++) {
			if (strcmp(l->rungs[i].name, g->u.rung.name) == 0) {
				diag *e = diag_add(c->d, DIAG_E0206, name_span(g, g->u.rung.name_sp), "%s `%s` is defined twice in `%s`",
						   l->level ? "level" : "tier", g->u.rung.name, l->name);
				diag_note(e, c->d, name_span(l->rungs[i].decl, l->rungs[i].decl->u.rung.name_sp),
					  "first defined here");
				diag_help(e, c->d, "give each %s a name of its own", l->level ? "level" : "tier");
				dup = true;
			}
		}
		if (!dup)
			l->rungs[l->nrungs++] = (chk_rung){g->u.rung.name, g, {CHK_VAL_NONE, 0, NULL, ""}};
	}
	if (declare(c, NS_LADDER, l->name, name_span(n, n->u.ladder.name_sp), l, TY_ERROR, l->level ? "levels" : "tiers"))
		PUSH(c, c->r->ladders, c->r->nladders, l);
}

static void overlay_param(chk_ctx *c, ast_node *n)
{
	chk_unit *u = &c->r->units[c->unit];
	const char *name = n->u.arg.key;
	span sp = name_span(n, n->u.arg.key_sp);
	if (u->base < 0 || !name)
		return; /* E0411 already said the base is missing */
	uint32_t saved = c->unit;
	c->unit = (uint32_t)u->base;
	chk_sym *s = chk_lookup(c, NS_PARAM, name);
	const char *sug = s ? NULL : chk_suggest(c, NS_PARAM, name);
	c->unit = saved;
	if (!s) {
		diag *g = diag_add(c->d, DIAG_E0403, sp, "the base program `%s` has no param `%s`",
				   c->r->units[u->base].name, name);
		if (sug)
			diag_help(g, c->d, "did you mean `%s`?", sug);
		else
			diag_help(g, c->d, "an overlay can only change the params of its base program: declare `%s` there", name);
		return;
	}
	for (uint32_t i = 0; i < u->nparam_changes; i++) {
		if (u->param_changes[i].param == s->decl) {
			twice(c, n, u->param_changes[i].decl, arena_printf(c->a, "param %s", name));
			return;
		}
	}
	chk_param_change *v = arena_alloc(c->a, (u->nparam_changes + 1) * sizeof *v);
	if (u->nparam_changes)
		memcpy(v, u->param_changes, u->nparam_changes * sizeof *v);
	v[u->nparam_changes++] = (chk_param_change){s->decl, n, n->u.arg.value, {CHK_VAL_NONE, 0, NULL, ""}};
	u->param_changes = v;
}

static void declare_param(chk_ctx *c, ast_node *n)
{
	if (c->r->units[c->unit].kind == CHK_UNIT_OVERLAY) {
		overlay_param(c, n);
		return;
	}
	chk_param *p = arena_alloc(c->a, sizeof *p);
	p->name = n->u.arg.key;
	p->unit = c->unit;
	p->decl = n;
	p->value = n->u.arg.value;
	p->index = c->r->nparams;
	if (declare(c, NS_PARAM, p->name, name_span(n, n->u.arg.key_sp), p, TY_ERROR, "param"))
		PUSH(c, c->r->params, c->r->nparams, p);
}

static void declare_badges(chk_ctx *c, ast_node *n)
{
	for (ast_node *b = n->u.decl.items; b; b = b->next) {
		if (b->kind != AST_BADGE_DECL || !str_of(b->u.badge.name))
			continue;
		chk_badge *bd = arena_alloc(c->a, sizeof *bd);
		bd->name = str_of(b->u.badge.name);
		bd->description = str_of(b->u.badge.description);
		bd->unit = c->unit;
		bd->decl = b;
		bd->index = c->r->nbadges;
		if (declare(c, NS_BADGE, bd->name, b->u.badge.name->sp, bd, TY_ERROR, "badge"))
			PUSH(c, c->r->badges, c->r->nbadges, bd);
	}
}

static const char *mech_word(const ast_node *n)
{
	if (n->kind == AST_MISSION)
		return "mission";
	if (n->kind == AST_STREAK)
		return "streak";
	static const char *const words[] = {"rule", "challenge", "bonus", "quest"};
	return (unsigned)n->u.rule.kind <= RULE_QUEST ? words[n->u.rule.kind] : "rule";
}

static const ast_node *mech_name(const ast_node *n)
{
	switch (n->kind) {
	case AST_RULE: return n->u.rule.name;
	case AST_MISSION: return n->u.mission.name;
	case AST_STREAK: return n->u.streak.name;
	default: return NULL;
	}
}

/* `override rule "x"`: the base rule it replaces, or -1 (reported). */
static int32_t find_overridden(chk_ctx *c, ast_node *n, const char *name)
{
	chk_unit *u = &c->r->units[c->unit];
	if (u->kind != CHK_UNIT_OVERLAY) {
		diag *g = diag_add(c->d, DIAG_E0413, n->sp, "`override` only works in an overlay");
		diag_help(g, c->d, "remove `override`, or move this rule to an overlay file (`overlay \"...\" extends \"%s\"`)",
			  u->name);
		return -1;
	}
	if (u->base < 0)
		return -1;
	uint32_t saved = c->unit;
	c->unit = (uint32_t)u->base;
	chk_sym *s = chk_lookup(c, NS_RULE, name);
	const char *sug = s ? NULL : chk_suggest(c, NS_RULE, name);
	c->unit = saved;
	if (!s) {
		diag *g = diag_add(c->d, DIAG_E0403, mech_name(n)->sp, "the base program `%s` has no rule \"%s\" to override",
				   c->r->units[u->base].name, name);
		if (sug)
			diag_help(g, c->d, "did you mean \"%s\"?", sug);
		else
			diag_help(g, c->d, "remove `override` to add a new rule in this overlay");
		return -1;
	}
	return (int32_t)((chk_rule *)s->decl)->index;
}

static chk_rule *declare_mechanic(chk_ctx *c, ast_node *n, int32_t group)
{
	const ast_node *nm = mech_name(n);
	const char *name = str_of(nm);
	if (!name)
		return NULL;
	chk_rule *rule = arena_alloc(c->a, sizeof *rule);
	rule->name = name;
	rule->kind = n->kind == AST_MISSION ? CHK_MECH_MISSION : n->kind == AST_STREAK ? CHK_MECH_STREAK : CHK_MECH_RULE;
	rule->rule_kind = n->kind == AST_RULE ? n->u.rule.kind : RULE_RULE;
	rule->staff = n->kind == AST_RULE && n->u.rule.kind == RULE_QUEST;
	rule->decl = n;
	rule->unit = c->unit;
	rule->group = group;
	rule->overrides = -1;
	rule->trigger = CHK_TRIG_NONE;
	rule->index = c->r->nrules;
	if (n->kind == AST_RULE && n->u.rule.override) {
		rule->override = true;
		rule->overrides = find_overridden(c, n, name);
		/* declared in the overlay's own table only: the base's is replaced, not duplicated */
		chk_sym *own = chk_lookup_in(c, c->unit, NS_RULE, name);
		if (own) {
			diag *g = diag_add(c->d, DIAG_E0206, nm->sp, "rule \"%s\" is defined twice", name);
			diag_note(g, c->d, own->name_sp, "first defined here");
			diag_help(g, c->d, "override a rule once per overlay");
			return NULL;
		}
		chk_sym *s = arena_alloc(c->a, sizeof *s);
		*s = (chk_sym){.name = name, .ns = NS_RULE, .unit = c->unit, .name_sp = nm->sp, .decl = rule};
		HASH_ADD_KEYPTR(hh, c->r->units[c->unit].names->tab[NS_RULE], s->name, strlen(s->name), s);
	} else if (!declare(c, NS_RULE, name, nm->sp, rule, TY_ERROR, mech_word(n))) {
		return NULL;
	}
	PUSH(c, c->r->rules, c->r->nrules, rule);
	return rule;
}

static void declare_group(chk_ctx *c, ast_node *n)
{
	chk_group *g = arena_alloc(c->a, sizeof *g);
	g->name = str_of(n->u.group.name);
	g->mode = n->u.group.mode;
	g->unit = c->unit;
	g->decl = n;
	g->index = c->r->ngroups;
	if (g->name)
		declare(c, NS_GROUP, g->name, n->u.group.name->sp, g, TY_ERROR, "group"); /* a twin is reported; its rules still count */
	PUSH(c, c->r->groups, c->r->ngroups, g);
	g->first = c->r->nrules;
	for (ast_node *m = n->u.group.rules; m; m = m->next)
		if (m->kind == AST_RULE || m->kind == AST_MISSION || m->kind == AST_STREAK)
			declare_mechanic(c, m, (int32_t)g->index);
	g->count = c->r->nrules - g->first;
}

static void declare_items(chk_ctx *c, ast_node *n)
{
	for (ast_node *it = n->u.decl.items; it; it = it->next) {
		if (it->kind != AST_ITEM || !str_of(it->u.item.name))
			continue;
		chk_item *item = arena_alloc(c->a, sizeof *item);
		item->name = str_of(it->u.item.name);
		item->unit = c->unit;
		item->decl = it;
		item->cond = it->u.item.cond;
		item->index = c->r->nitems;
		if (declare(c, NS_ITEM, item->name, it->u.item.name->sp, item, TY_ERROR, "catalogue reward"))
			PUSH(c, c->r->items, c->r->nitems, item);
	}
}

static void declare_experiment(chk_ctx *c, ast_node *n)
{
	chk_experiment *x = arena_alloc(c->a, sizeof *x);
	x->name = str_of(n->u.experiment.name);
	x->unit = c->unit;
	x->decl = n;
	x->index = c->r->nexperiments;
	uint32_t cap = ast_list_len(n->u.experiment.variants);
	x->variants = arena_alloc(c->a, (cap + 1) * sizeof *x->variants);
	for (ast_node *v = n->u.experiment.variants; v; v = v->next) {
		if (v->kind != AST_VARIANT)
			continue;
		const char *vn = str_of(v->u.variant.name);
		bool dup = false;
		for (uint32_t i = 0; vn && i < x->nvariants && !dup; i++) {
			if (x->variants[i].name && strcmp(x->variants[i].name, vn) == 0) {
				diag *g = diag_add(c->d, DIAG_E0206, v->u.variant.name->sp, "variant \"%s\" is defined twice", vn);
				diag_note(g, c->d, x->variants[i].decl->u.variant.name->sp, "first defined here");
				diag_help(g, c->d, "give each variant a name of its own");
				dup = true;
			}
		}
		if (dup)
			continue;
		const ast_node *share = v->u.variant.share;
		x->variants[x->nvariants++] = (chk_variant){vn, v, share && share->kind == AST_PERCENT ? share->u.num.value : 0,
							    v->u.variant.changes};
	}
	if (!x->name || declare(c, NS_EXPERIMENT, x->name, n->u.experiment.name->sp, x, TY_ERROR, "experiment"))
		PUSH(c, c->r->experiments, c->r->nexperiments, x);
}

static void declare_disable(chk_ctx *c, ast_node *n)
{
	chk_unit *u = &c->r->units[c->unit];
	const char *name = n->u.str.s;
	if (u->kind != CHK_UNIT_OVERLAY) {
		diag *g = diag_add(c->d, DIAG_E0413, n->sp, "`disable` only works in an overlay");
		diag_help(g, c->d, "to switch a rule off here, remove it (or give it an `until` date)");
		return;
	}
	if (u->base < 0 || !name)
		return;
	uint32_t saved = c->unit;
	c->unit = (uint32_t)u->base;
	chk_sym *s = chk_lookup(c, NS_RULE, name);
	const char *sug = s ? NULL : chk_suggest(c, NS_RULE, name);
	c->unit = saved;
	if (!s) {
		diag *g = diag_add(c->d, DIAG_E0403, n->sp, "the base program `%s` has no rule \"%s\" to disable",
				   c->r->units[u->base].name, name);
		if (sug)
			diag_help(g, c->d, "did you mean \"%s\"?", sug);
		return;
	}
	uint32_t idx = ((chk_rule *)s->decl)->index;
	for (uint32_t i = 0; i < u->ndisabled; i++)
		if (u->disabled[i] == idx)
			return;
	uint32_t *v = arena_alloc(c->a, (u->ndisabled + 1) * sizeof *v);
	if (u->ndisabled)
		memcpy(v, u->disabled, u->ndisabled * sizeof *v);
	v[u->ndisabled++] = idx;
	u->disabled = v;
}

static void declarations(chk_ctx *c, uint32_t ui)
{
	chk_unit *u = &c->r->units[ui];
	c->unit = ui;
	if (!u->file || u->file->kind != AST_FILE)
		return;
	for (ast_node *n = u->file->u.file.decls; n; n = n->next) {
		switch (n->kind) {
		case AST_ENUM: declare_enum(c, n); break;
		case AST_EVENT: case AST_RECORD: declare_record(c, n); break;
		case AST_WALLET: declare_wallet(c, n); break;
		case AST_TIERS: case AST_LEVELS: declare_ladder(c, n); break;
		case AST_PARAM: declare_param(c, n); break;
		case AST_BADGES: declare_badges(c, n); break;
		case AST_RULE: case AST_MISSION: case AST_STREAK: declare_mechanic(c, n, -1); break;
		case AST_GROUP: declare_group(c, n); break;
		case AST_CATALOGUE: declare_items(c, n); break;
		case AST_EXPERIMENT: declare_experiment(c, n); break;
		case AST_DISABLE: declare_disable(c, n); break;
		default: break; /* headers, use, settings (done), AST_ERROR (reported by the parser) */
		}
	}
}

/* ---- pass 4: fields, wallets, params, ladders ---- */

static const struct {
	const char *name;
	ty_kind kind;
} builtin_types[] = {
	{"count", TY_COUNT}, {"number", TY_NUMBER},   {"money", TY_MONEY},         {"string", TY_STRING},
	{"bool", TY_BOOL},   {"date", TY_DATE},       {"timestamp", TY_TIMESTAMP}, {"duration", TY_DURATION},
};

static const ty *resolve_type(chk_ctx *c, const ast_node *t)
{
	if (!t || t->kind != AST_TYPE || !t->u.type.name)
		return ty_basic(c->tt, TY_ERROR);
	const char *name = t->u.type.name;
	span sp = name_span(t, t->u.type.name_sp);
	if (strcmp(name, "list") == 0 && t->u.type.elem) {
		const ty *e = resolve_type(c, t->u.type.elem);
		return ty_is_error(e) ? e : ty_list(c->tt, e);
	}
	for (size_t i = 0; i < sizeof builtin_types / sizeof *builtin_types; i++) {
		if (strcmp(builtin_types[i].name, name) == 0)
			return builtin_types[i].kind == TY_MONEY ? ty_money(c->tt, "") : ty_basic(c->tt, builtin_types[i].kind);
	}
	chk_sym *s = chk_lookup(c, NS_TYPE, name);
	if (s && s->type_kind == TY_EVENT) {
		diag *g = diag_add(c->d, DIAG_E0210, sp, "`%s` is an event: a field cannot hold a whole event", name);
		diag_help(g, c->d, "keep the event's id in a `string` field instead");
		return ty_basic(c->tt, TY_ERROR);
	}
	if (s)
		return s->type_kind == TY_ENUM ? ((chk_enum *)s->decl)->type : ((chk_record *)s->decl)->type;
	diag *g = diag_add(c->d, DIAG_E0210, sp, "unknown type `%s`", name);
	const chk_sym *lib = chk_lookup_unused_lib(c, NS_TYPE, name);
	const char *cands[64];
	uint32_t n = 0;
	for (size_t i = 0; i < sizeof builtin_types / sizeof *builtin_types; i++)
		cands[n++] = builtin_types[i].name;
	struct chk_names *tabs = c->r->units[c->unit].names;
	for (uint32_t k = 0; k < tabs->nchain; k++) {
		chk_sym *x, *tmp;
		HASH_ITER(hh, c->r->units[tabs->chain[k]].names->tab[NS_TYPE], x, tmp)
		{
			if (n < 64 && x->type_kind != TY_EVENT)
				cands[n++] = x->name;
		}
	}
	const char *sug = diag_suggest(name, cands, n);
	if (lib)
		diag_help(g, c->d, "add `use %s` at the top to get `%s`", c->r->units[lib->unit].name, name);
	else if (sug)
		diag_help(g, c->d, "did you mean `%s`?", sug);
	else
		diag_help(g, c->d, "the types are `count`, `number`, `money`, `string`, `bool`, `date`, `timestamp`, "
				   "`duration`, `list of T`, and the enums and records you declare");
	return ty_basic(c->tt, TY_ERROR);
}

/* Can an event bring this field? The runtime reads events as flat records
 * of scalars, lists of scalars and lists of records (runtime/event.h), with
 * at most CHK_MAX_FIELDS fields, and `type` names the event itself in JSON.
 * E0214 otherwise; false when the field is left out. */
static bool carriable_field(chk_ctx *c, const chk_record *rec, const ast_node *f, const char *name, span sp,
			    const ty *t)
{
	diag *g = NULL;
	if (rec->is_event && strcmp(name, "type") == 0) {
		g = diag_add(c->d, DIAG_E0214, sp, "an event cannot have a field `type`");
		diag_help(g, c->d, "`type` says which event a JSON line is: call the field `kind` or `%s_type`", rec->name);
	} else if (t->kind == TY_RECORD || t->kind == TY_EVENT) {
		g = diag_add(c->d, DIAG_E0214, f->u.fdecl.type->sp, "field `%s` holds a whole `%s`", name, t->name);
		diag_help(g, c->d, "use `list of %s` for several, or put its fields in `%s` itself", t->name, rec->name);
	} else if (t->kind == TY_LIST && t->elem &&
		   (t->elem->kind == TY_LIST || t->elem->kind == TY_EVENT)) {
		g = diag_add(c->d, DIAG_E0214, f->u.fdecl.type->sp, "field `%s` is a list of %s", name,
			     t->elem->kind == TY_LIST ? "lists" : "events");
		diag_help(g, c->d, "a list holds values or records: declare a `record` for its items");
	} else if (rec->nfields >= CHK_MAX_FIELDS) {
		g = diag_add(c->d, DIAG_E0214, sp, "`%s` has more than %d fields", rec->name,
			     CHK_MAX_FIELDS - (rec->is_event ? 3 : 0));
		diag_help(g, c->d, "group fields that belong together in a `record` and use `list of` it");
	}
	return g == NULL;
}

static void resolve_fields(chk_ctx *c, chk_record *rec)
{
	static const char *const implicit[] = {"id", "customer", "at"};
	c->unit = rec->unit;
	uint32_t cap = ast_list_len(rec->decl->u.decl.items) + 3;
	rec->fields = arena_alloc(c->a, cap * sizeof *rec->fields);
	if (rec->is_event) {
		for (int i = 0; i < 3; i++)
			rec->fields[rec->nfields++] = (chk_field){implicit[i],
				i == 2 ? ty_basic(c->tt, TY_TIMESTAMP) : ty_basic(c->tt, TY_STRING), false, true, NULL};
	}
	for (ast_node *f = rec->decl->u.decl.items; f; f = f->next) {
		if (f->kind != AST_FIELD_DECL || !f->u.fdecl.name)
			continue;
		const char *name = f->u.fdecl.name;
		span sp = name_span(f, f->u.fdecl.name_sp);
		const ty *t = resolve_type(c, f->u.fdecl.type);
		bool dup = false;
		for (uint32_t i = 0; i < rec->nfields && !dup; i++) {
			if (strcmp(rec->fields[i].name, name) != 0)
				continue;
			dup = true;
			if (rec->fields[i].implicit) {
				diag *g = diag_add(c->d, DIAG_E0206, sp, "every event already has a field `%s`", name);
				diag_help(g, c->d, "`id`, `customer` and `at` come with every event: remove this line or rename it");
			} else {
				diag *g = diag_add(c->d, DIAG_E0206, sp, "field `%s` is defined twice in `%s`", name, rec->name);
				diag_note(g, c->d, name_span(rec->fields[i].decl, rec->fields[i].decl->u.fdecl.name_sp),
					  "first defined here");
				diag_help(g, c->d, "give each field a name of its own");
			}
		}
		if (dup || !carriable_field(c, rec, f, name, sp, t))
			continue;
		rec->fields[rec->nfields++] = (chk_field){name, t, f->u.fdecl.optional, false, f};
		if (strcmp(name, "staff") == 0 && t->kind == TY_STRING && rec->is_event)
			rec->has_staff = true;
	}
}

static void check_wallet(chk_ctx *c, chk_wallet *w)
{
	c->unit = w->unit;
	if (w->expires && w->pending && duration_minutes(w->pending) >= duration_minutes(w->expires)) {
		diag *g = diag_add(c->d, DIAG_E0415, w->pending->sp,
				   "points of `%s` would expire (after %s) before they stop pending (after %s)", w->name,
				   chk_text(c, w->expires), chk_text(c, w->pending));
		diag_help(g, c->d, "make the pending period shorter than the expiry");
	}
	const ast_node *durs[2] = {w->expires, w->pending};
	for (int i = 0; i < 2; i++) {
		if (durs[i] && durs[i]->kind == AST_DURATION && durs[i]->u.dur.count <= 0) {
			diag *g = diag_add(c->d, DIAG_E0312, durs[i]->sp, "`%s` must be longer than zero", chk_text(c, durs[i]));
			diag_help(g, c->d, "%s", i == 0 ? "remove `expires ...` if the points never expire"
						       : "remove `pending ...` if the points can be spent at once");
		}
	}
}

/* A param's value: a constant, typed; it may use the params declared before it. */
static void check_param(chk_ctx *c, chk_param *p)
{
	c->unit = p->unit;
	c->sc = (chk_scope){0};
	c->params_visible = p->index;
	const ty *t = chk_expr(c, (ast_node *)p->value, NULL);
	c->params_visible = UINT32_MAX;
	p->type = t;
	if (ty_is_error(t))
		return;
	p->constant = *chk_value_of(c, p->value);
	if (p->constant.kind == CHK_VAL_NONE) {
		diag *g = diag_add(c->d, DIAG_E0301, p->value->sp, "param `%s` must be a fixed value", p->name);
		diag_help(g, c->d, "write a number, an amount, a duration or a text, as in `param %s = 5`", p->name);
		p->type = ty_basic(c->tt, TY_ERROR);
	}
}

static void check_param_changes(chk_ctx *c, chk_unit *u, uint32_t ui)
{
	c->unit = ui;
	c->sc = (chk_scope){0};
	for (uint32_t i = 0; i < u->nparam_changes; i++) {
		chk_param_change *pc = &u->param_changes[i];
		const ty *t = chk_expr(c, (ast_node *)pc->value, pc->param->type);
		if (ty_is_error(t))
			continue;
		if (chk_assignable(c, pc->param->type, t, (ast_node *)pc->value,
				   arena_printf(c->a, "the new value of `%s`", pc->param->name)))
			pc->constant = *chk_value_of(c, pc->value);
	}
}

static bool metric_type_ok(const ty *t)
{
	return t->kind == TY_COUNT || t->kind == TY_NUMBER || t->kind == TY_MONEY || t->kind == TY_POINTS;
}

static void check_ladder(chk_ctx *c, chk_ladder *l)
{
	c->unit = l->unit;
	c->sc = (chk_scope){0};
	const ast_node *n = l->decl;
	const char *rung_word = l->level ? "level" : "tier";
	const ty *mt = chk_expr(c, (ast_node *)l->metric, NULL);
	if (!ty_is_error(mt) && !metric_type_ok(mt)) {
		diag *g = diag_add(c->d, DIAG_E0301, l->metric->sp, "`%s` is measured on %s, which has no amounts to climb",
				   l->name, chk_tyname(c, mt));
		diag_help(g, c->d, "measure it on points earned (`points earned in last 365 days`) or on an amount "
				   "(`sum(total of purchase in last 12 months)`)");
		mt = ty_basic(c->tt, TY_ERROR);
	}
	if (mt && mt->kind == TY_COUNT && mt->literal)
		mt = ty_basic(c->tt, TY_COUNT);
	l->metric_type = mt;
	const chk_rung *prev = NULL;
	for (uint32_t i = 0; i < l->nrungs; i++) {
		chk_rung *g = &l->rungs[i];
		ast_node *at = g->decl->u.rung.at;
		const ty *t = chk_expr(c, at, mt);
		if (ty_is_error(t) || ty_is_error(mt) ||
		    !chk_assignable(c, mt, t, at, arena_printf(c->a, "the threshold of `%s`", g->name)))
			continue;
		const chk_value *v = chk_value_of(c, at);
		if (v->kind != CHK_VAL_NUMBER && v->kind != CHK_VAL_MONEY) {
			diag *e = diag_add(c->d, DIAG_E0301, at->sp, "the threshold of `%s` must be a fixed amount", g->name);
			diag_help(e, c->d, "write a number, as in `%s at 500`", g->name);
			continue;
		}
		g->threshold = *v;
		if (prev && prev->threshold.kind == v->kind && v->i <= prev->threshold.i) {
			diag *e = diag_add(c->d, DIAG_E0404, at->sp, "%s `%s` (at %s) must be higher than `%s` (at %s)",
					   rung_word, g->name, chk_text(c, at), prev->name, chk_text(c, prev->decl->u.rung.at));
			diag_note(e, c->d, prev->decl->sp, "the %s before it", rung_word);
			diag_help(e, c->d, "list the %ss from the lowest threshold to the highest", rung_word);
		}
		if (!prev && v->i != 0) {
			diag *e = diag_add(c->d, DIAG_W0506, at->sp,
					   "the lowest %s `%s` starts at %s: customers below that have no %s of `%s`",
					   rung_word, g->name, chk_text(c, at), rung_word, l->name);
			diag_help(e, c->d, "start the %ss at 0: add a %s such as `member at 0%s%s` before `%s`", rung_word,
				  rung_word, mt->kind == TY_MONEY ? " " : "", mt->kind == TY_MONEY ? mt->currency : "", g->name);
		}
		prev = g;
	}
	/* the parser chains a repeated `hold` behind the first one */
	if (n->u.ladder.hold && n->u.ladder.hold->next)
		twice(c, n->u.ladder.hold->next, n->u.ladder.hold, "hold");
	if (l->hold && l->hold->kind == AST_DURATION && l->hold->u.dur.count <= 0) {
		diag *e = diag_add(c->d, DIAG_E0312, l->hold->sp, "`hold %s` must be longer than zero", chk_text(c, l->hold));
		diag_help(e, c->d, "remove `hold ...` if a %s may drop at the next review", rung_word);
	}
}

/* ---- pass 5: catalogue, experiments, groups ---- */

static void check_item(chk_ctx *c, chk_item *item)
{
	c->unit = item->unit;
	c->sc = (chk_scope){0};
	c->owner = item->name;
	const ast_node *n = item->decl;
	item->wallet = chk_wallet_ref(c, n->u.item.wallet, "costs");
	const ty *t = chk_expr(c, n->u.item.cost, item->wallet ? item->wallet->type : NULL);
	if (item->wallet && !ty_is_error(t) &&
	    chk_assignable(c, item->wallet->type, t, n->u.item.cost, arena_printf(c->a, "the cost of \"%s\"", item->name))) {
		const chk_value *v = chk_value_of(c, n->u.item.cost);
		if (v->kind != CHK_VAL_NUMBER) {
			diag *g = diag_add(c->d, DIAG_E0301, n->u.item.cost->sp, "the cost of \"%s\" must be a fixed number",
					   item->name);
			diag_help(g, c->d, "write it as `costs 200 %s`", item->wallet->name);
		} else if (v->i <= 0) {
			diag *g = diag_add(c->d, DIAG_E0312, n->u.item.cost->sp, "the cost of \"%s\" must be more than zero",
					   item->name);
			diag_help(g, c->d, "a reward costs at least 1 %s", item->wallet->name);
		} else {
			item->cost = *v;
		}
	}
	if (n->u.item.cond)
		chk_cond(c, n->u.item.cond, COND_ITEM);
	c->owner = NULL;
}

static const char *percent_text(chk_ctx *c, int64_t share)
{
	if (share % 100 == 0)
		return arena_printf(c->a, "%lld%%", (long long)(share / 100));
	return arena_printf(c->a, "%lld.%02lld%%", (long long)(share / 100), (long long)(llabs(share) % 100));
}

static void check_variant_changes(chk_ctx *c, chk_variant *v)
{
	for (ast_node *ch = (ast_node *)v->changes; ch; ch = ch->next) {
		if (ch->kind == AST_SKIP) {
			const char *name = ch->u.str.s;
			if (name && !chk_lookup(c, NS_RULE, name)) {
				diag *g = diag_add(c->d, DIAG_E0209, ch->sp, "unknown rule \"%s\"", name);
				const char *s = chk_suggest(c, NS_RULE, name);
				if (s)
					diag_help(g, c->d, "did you mean \"%s\"?", s);
				else
					diag_help(g, c->d, "`skip` names a rule, challenge, bonus, quest, mission or streak of this program");
			}
			continue;
		}
		if (ch->kind != AST_ARG || !ch->u.arg.key)
			continue;
		chk_sym *s = chk_lookup(c, NS_PARAM, ch->u.arg.key);
		span sp = name_span(ch, ch->u.arg.key_sp);
		if (!s) {
			chk_expr(c, ch->u.arg.value, NULL);
			diag *g = diag_add(c->d, DIAG_E0201, sp, "unknown param `%s`", ch->u.arg.key);
			const char *sug = chk_suggest(c, NS_PARAM, ch->u.arg.key);
			if (sug)
				diag_help(g, c->d, "did you mean `%s`?", sug);
			else
				diag_help(g, c->d, "a variant changes a param: declare it with `param %s = ...`", ch->u.arg.key);
			continue;
		}
		chk_param *p = s->decl;
		const ty *t = chk_expr(c, ch->u.arg.value, p->type);
		if (!ty_is_error(t))
			chk_assignable(c, p->type, t, ch->u.arg.value, arena_printf(c->a, "the new value of `%s`", p->name));
	}
}

static void check_experiment(chk_ctx *c, chk_experiment *x)
{
	c->unit = x->unit;
	c->sc = (chk_scope){0};
	int64_t total = 0;
	for (uint32_t i = 0; i < x->nvariants; i++) {
		chk_variant *v = &x->variants[i];
		total += v->share;
		if (v->share == 0 && v->decl->u.variant.share) {
			diag *g = diag_add(c->d, DIAG_W0505, v->decl->u.variant.share->sp, "variant \"%s\" gets 0%% of customers",
					   v->name ? v->name : "?");
			diag_help(g, c->d, "give it a share, or remove it");
		}
		check_variant_changes(c, v);
	}
	if (total != 10000 && x->nvariants) {
		const ast_node *nm = x->decl->u.experiment.name;
		diag *g = diag_add(c->d, DIAG_E0402, nm ? nm->sp : x->decl->sp,
				   "the variants of \"%s\" add up to %s, not 100%%", x->name ? x->name : "?",
				   percent_text(c, total));
		if (total < 10000)
			diag_help(g, c->d, "give the missing %s to a variant", percent_text(c, 10000 - total));
		else
			diag_help(g, c->d, "take %s away from the variants", percent_text(c, total - 10000));
	}
}

/* The one wallet a rule awards, the first award node, and whether it
 * awards more than one wallet. */
static const chk_wallet *awarded_wallet(chk_ctx *c, const chk_rule *rule, const ast_node **at, bool *several)
{
	const ast_node *list = rule->decl->kind == AST_RULE ? rule->decl->u.rule.actions
			       : rule->decl->kind == AST_STREAK ? rule->decl->u.streak.actions
								  : rule->decl->u.mission.reward;
	const chk_wallet *w = NULL;
	*several = false;
	*at = NULL;
	for (const ast_node *a = list; a; a = a->next) {
		if (a->kind != AST_AWARD || !a->u.award.wallet || a->u.award.wallet->id >= c->r->node_count)
			continue;
		const chk_ref *ref = &c->r->refs[a->u.award.wallet->id];
		if (ref->kind != CHK_REF_WALLET)
			continue;
		if (w && w != ref->u.wallet)
			*several = true;
		if (!w) {
			w = ref->u.wallet;
			*at = a->u.award.wallet;
		}
	}
	return w;
}

static void check_group(chk_ctx *c, chk_group *g)
{
	c->unit = g->unit;
	const ast_node *name = g->decl->u.group.name;
	if (g->count == 1) {
		diag *e = diag_add(c->d, DIAG_W0507, name ? name->sp : g->decl->sp, "group \"%s\" has only one rule",
				   g->name ? g->name : "?");
		diag_help(e, c->d, "a group chooses between rules: add the rules it should choose between, or remove the group");
	}
	if (g->mode != GROUP_BEST)
		return;
	const ast_node *first_at = NULL;
	for (uint32_t i = g->first; i < g->first + g->count; i++) {
		const chk_rule *rule = c->r->rules[i];
		const ast_node *at;
		bool several;
		const chk_wallet *w = awarded_wallet(c, rule, &at, &several);
		const ast_node *rn = mech_name(rule->decl);
		if (!w || several) {
			diag *e = diag_add(c->d, DIAG_E0414, rn->sp, "`keep best` compares what the rules award, but \"%s\" %s",
					   rule->name, w ? "awards several wallets" : "awards no points");
			diag_help(e, c->d, "use `keep first` to take the first rule that applies, or move \"%s\" out of the group",
				  rule->name);
			continue;
		}
		if (!g->wallet) {
			g->wallet = w;
			first_at = at;
		} else if (g->wallet != w) {
			diag *e = diag_add(c->d, DIAG_E0414, at->sp,
					   "`keep best` cannot compare `%s` with `%s`: the rules of \"%s\" award different wallets",
					   w->name, g->wallet->name, g->name ? g->name : "?");
			diag_note(e, c->d, first_at->sp, "`%s` is awarded here", g->wallet->name);
			diag_help(e, c->d, "use `keep first`, or make every rule of the group award `%s`", g->wallet->name);
		}
	}
}

/* ---- pass 6: unused ---- */

static bool user_unit(const chk_ctx *c, uint32_t unit)
{
	return c->r->units[unit].kind != CHK_UNIT_LIBRARY;
}

static void unused(chk_ctx *c)
{
	for (uint32_t i = 0; i < c->r->nwallets; i++) {
		const chk_wallet *w = c->r->wallets[i];
		if (user_unit(c, w->unit) && !w->awarded) {
			diag *g = diag_add(c->d, DIAG_W0504, name_span(w->decl, w->decl->u.wallet.name_sp),
					   "wallet `%s` is never awarded", w->name);
			diag_help(g, c->d, "award it in a rule (`award 10 %s`), or remove it", w->name);
		}
	}
	for (uint32_t i = 0; i < c->r->nbadges; i++) {
		const chk_badge *b = c->r->badges[i];
		if (user_unit(c, b->unit) && !b->given) {
			diag *g = diag_add(c->d, DIAG_W0504, b->decl->u.badge.name->sp, "badge \"%s\" is never given", b->name);
			diag_help(g, c->d, "give it in a rule (`badge \"%s\"`), or remove it", b->name);
		}
	}
	for (uint32_t i = 0; i < c->r->nparams; i++) {
		const chk_param *p = c->r->params[i];
		if (user_unit(c, p->unit) && !p->used) {
			diag *g = diag_add(c->d, DIAG_W0504, name_span(p->decl, p->decl->u.arg.key_sp), "param `%s` is never used",
					   p->name);
			diag_help(g, c->d, "use it in a rule (`award %s points`), or remove it", p->name);
		}
	}
}

/* ---- the entry point ---- */

chk_result *chk_check(arena *a, diag_list *d, const source_set *srcs, ast_node *const *libs, uint32_t nlibs,
		      ast_node *const *files, uint32_t nfiles, uint32_t node_count)
{
	chk_ctx ctx = {0};
	chk_ctx *c = &ctx;
	c->a = a;
	c->d = d;
	c->srcs = srcs;
	c->params_visible = UINT32_MAX;
	c->tt = arena_alloc(a, sizeof *c->tt);
	ty_table_init(c->tt, a);
	chk_result *r = c->r = arena_alloc(a, sizeof *r);
	r->srcs = srcs;
	r->node_count = node_count;
	r->types = arena_alloc(a, (node_count ? node_count : 1) * sizeof *r->types);
	r->refs = arena_alloc(a, (node_count ? node_count : 1) * sizeof *r->refs);
	r->values = arena_alloc(a, (node_count ? node_count : 1) * sizeof *r->values);

	setup_units(c, libs, nlibs, files, nfiles);
	/* programs before overlays, so an overlay finds its base's names and settings */
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < r->nunits; i++) {
			if ((r->units[i].kind == CHK_UNIT_OVERLAY) != (pass == 1))
				continue;
			settings(c, i);
			declarations(c, i);
		}
	}
	for (uint32_t i = 0; i < r->nrecords; i++)
		resolve_fields(c, r->records[i]);
	for (uint32_t i = 0; i < r->nwallets; i++)
		check_wallet(c, r->wallets[i]);
	for (uint32_t i = 0; i < r->nparams; i++)
		check_param(c, r->params[i]);
	for (uint32_t i = 0; i < r->nunits; i++)
		if (r->units[i].nparam_changes)
			check_param_changes(c, &r->units[i], i);
	for (uint32_t i = 0; i < r->nladders; i++)
		check_ladder(c, r->ladders[i]);
	for (uint32_t i = 0; i < r->nrules; i++)
		chk_mechanic(c, r->rules[i]);
	for (uint32_t i = 0; i < r->nitems; i++)
		check_item(c, r->items[i]);
	for (uint32_t i = 0; i < r->nexperiments; i++)
		check_experiment(c, r->experiments[i]);
	for (uint32_t i = 0; i < r->ngroups; i++)
		check_group(c, r->groups[i]);
	if (d->errors == 0 && d->dropped == 0)
		unused(c); /* with errors, "never used" is mostly a typo already reported */
	r->ok = d->errors == 0 && d->dropped == 0;
	return r;
}

/* ---- lookups for later stages ---- */

static const void *find(const chk_result *r, uint32_t unit, chk_ns ns, const char *name)
{
	if (unit >= r->nunits || !name)
		return NULL;
	const struct chk_names *t = r->units[unit].names;
	for (uint32_t k = 0; k < t->nchain; k++) {
		chk_sym *s = NULL;
		HASH_FIND_STR(r->units[t->chain[k]].names->tab[ns], name, s);
		if (s)
			return s;
	}
	return NULL;
}

const chk_record *chk_find_record(const chk_result *r, uint32_t unit, const char *name)
{
	const chk_sym *s = find(r, unit, NS_TYPE, name);
	return s && s->type_kind != TY_ENUM ? s->decl : NULL;
}

const chk_wallet *chk_find_wallet(const chk_result *r, uint32_t unit, const char *name)
{
	const chk_sym *s = find(r, unit, NS_WALLET, name);
	return s ? s->decl : NULL;
}

const chk_param *chk_find_param(const chk_result *r, uint32_t unit, const char *name)
{
	const chk_sym *s = find(r, unit, NS_PARAM, name);
	return s ? s->decl : NULL;
}

const chk_ladder *chk_find_ladder(const chk_result *r, uint32_t unit, const char *name)
{
	const chk_sym *s = find(r, unit, NS_LADDER, name);
	return s ? s->decl : NULL;
}

const chk_rule *chk_find_rule(const chk_result *r, uint32_t unit, const char *name)
{
	const chk_sym *s = find(r, unit, NS_RULE, name);
	return s ? s->decl : NULL;
}

/* ---- `ludic dump --types` ---- */

typedef chk_visit_fn visit_fn;

#define walk chk_walk

static void walk_list(const ast_node *n, visit_fn fn, void *ud)
{
	for (; n; n = n->next)
		walk(n, fn, ud);
}

void chk_walk(const ast_node *n, chk_visit_fn fn, void *ud)
{
	if (!n)
		return;
	fn(n, ud);
	const ast_node *kids[10] = {0};
	const ast_node *lists[4] = {0};
	switch (n->kind) {
	case AST_FIELD: kids[0] = n->u.field.obj; break;
	case AST_UNARY: kids[0] = n->u.unary.e; break;
	case AST_BINARY: kids[0] = n->u.binary.l; kids[1] = n->u.binary.r; break;
	case AST_CALL: lists[0] = n->u.call.args; break;
	case AST_AGG: kids[0] = n->u.agg.value; kids[1] = n->u.agg.src; kids[2] = n->u.agg.where; break;
	case AST_WINDOW: kids[0] = n->u.window.event; kids[1] = n->u.window.length; break;
	case AST_EARNED: kids[0] = n->u.earned.wallet; kids[1] = n->u.earned.window; break;
	case AST_SET: lists[0] = n->u.list.items; break;
	case AST_AWARD: case AST_DEBIT:
		kids[0] = n->u.award.amount; kids[1] = n->u.award.wallet; lists[0] = n->u.award.mults; break;
	case AST_MULTIPLIER: kids[0] = n->u.mult.factor; kids[1] = n->u.mult.cond; break;
	case AST_NOTIFY: kids[0] = n->u.notify.tmpl; lists[0] = n->u.notify.args; break;
	case AST_ARG: case AST_PARAM: kids[0] = n->u.arg.value; break;
	case AST_LIMIT: kids[0] = n->u.limit.amount; kids[1] = n->u.limit.wallet; break;
	case AST_BUDGET: kids[0] = n->u.budget.amount; kids[1] = n->u.budget.wallet; break;
	case AST_ON_EVENT: case AST_INACTIVE: case AST_EXPIRING: case AST_BIRTHDAY: case AST_AFTER:
		kids[0] = n->u.trig.event; kids[1] = n->u.trig.where; kids[2] = n->u.trig.dur; break;
	case AST_PROGRAM: case AST_OVERLAY: case AST_LIBRARY:
		kids[0] = n->u.program.name; kids[1] = n->u.program.version; kids[2] = n->u.program.base;
		kids[3] = n->u.program.scope; break;
	case AST_LATENESS: kids[0] = n->u.expr1.expr; break;
	case AST_ENUM: case AST_EVENT: case AST_RECORD: case AST_BADGES: case AST_CATALOGUE:
		lists[0] = n->u.decl.items; break;
	case AST_FIELD_DECL: kids[0] = n->u.fdecl.type; break;
	case AST_TYPE: kids[0] = n->u.type.elem; break;
	case AST_WALLET: kids[0] = n->u.wallet.label; kids[1] = n->u.wallet.expires; kids[2] = n->u.wallet.pending; break;
	case AST_TIERS: case AST_LEVELS:
		kids[0] = n->u.ladder.metric; kids[1] = n->u.ladder.hold; lists[0] = n->u.ladder.rungs; break;
	case AST_STEP_AT: kids[0] = n->u.rung.at; break;
	case AST_RULE:
		kids[0] = n->u.rule.name; kids[1] = n->u.rule.scope; kids[2] = n->u.rule.trigger; kids[3] = n->u.rule.from;
		kids[4] = n->u.rule.until; lists[0] = n->u.rule.actions; lists[1] = n->u.rule.clauses; break;
	case AST_MISSION:
		kids[0] = n->u.mission.name; kids[1] = n->u.mission.scope; kids[2] = n->u.mission.within;
		kids[3] = n->u.mission.anchor; kids[4] = n->u.mission.audience; kids[5] = n->u.mission.from;
		kids[6] = n->u.mission.until; lists[0] = n->u.mission.steps; lists[1] = n->u.mission.reward; break;
	case AST_STEP:
		kids[0] = n->u.step.name; kids[1] = n->u.step.event; kids[2] = n->u.step.where; kids[3] = n->u.step.times;
		lists[0] = n->u.step.reward; break;
	case AST_STREAK:
		kids[0] = n->u.streak.name; kids[1] = n->u.streak.scope; kids[2] = n->u.streak.event;
		kids[3] = n->u.streak.where; kids[4] = n->u.streak.length; kids[5] = n->u.streak.grace;
		kids[6] = n->u.streak.from; kids[7] = n->u.streak.until; lists[0] = n->u.streak.actions;
		lists[1] = n->u.streak.clauses; break;
	case AST_BADGE_DECL: kids[0] = n->u.badge.name; kids[1] = n->u.badge.description; break;
	case AST_ITEM: kids[0] = n->u.item.name; kids[1] = n->u.item.cost; kids[2] = n->u.item.wallet; kids[3] = n->u.item.cond; break;
	case AST_EXPERIMENT: kids[0] = n->u.experiment.name; lists[0] = n->u.experiment.variants; break;
	case AST_VARIANT: kids[0] = n->u.variant.name; kids[1] = n->u.variant.share; lists[0] = n->u.variant.changes; break;
	case AST_GROUP: kids[0] = n->u.group.name; lists[0] = n->u.group.rules; break;
	case AST_SCOPE: lists[0] = n->u.scope.values; break;
	case AST_FILE: lists[0] = n->u.file.decls; break;
	default: break;
	}
	for (int i = 0; i < 10; i++)
		walk(kids[i], fn, ud);
	for (int i = 0; i < 4; i++)
		walk_list(lists[i], fn, ud);
}

typedef struct typed_nodes {
	const chk_result *r;
	const ast_node **v;
	uint32_t n, cap;
} typed_nodes;

static void collect_typed(const ast_node *n, void *ud)
{
	typed_nodes *t = ud;
	if (n->id >= t->r->node_count || !t->r->types[n->id])
		return;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		const ast_node **v = realloc(t->v, t->cap * sizeof *v);
		if (!v) {
			fputs("ludic: out of memory\n", stderr);
			abort();
		}
		t->v = v;
	}
	t->v[t->n++] = n;
}

static int cmp_pos(const void *pa, const void *pb)
{
	const ast_node *a = *(const ast_node *const *)pa, *b = *(const ast_node *const *)pb;
	if (a->sp.file != b->sp.file)
		return a->sp.file < b->sp.file ? -1 : 1;
	if (a->sp.start != b->sp.start)
		return a->sp.start < b->sp.start ? -1 : 1;
	if (a->sp.end != b->sp.end)
		return a->sp.end > b->sp.end ? -1 : 1; /* the enclosing expression first */
	return a->id < b->id ? -1 : a->id > b->id;
}

/* The source text of a node on one line, for the dump. */
static void put_text(FILE *out, const source_set *srcs, const ast_node *n)
{
	const source *src = source_get(srcs, n->sp.file);
	if (!src || n->sp.end > src->len || n->sp.end <= n->sp.start) {
		fputs(ast_kind_name(n->kind), out);
		return;
	}
	bool space = false;
	for (uint32_t i = n->sp.start; i < n->sp.end; i++) {
		char ch = src->text[i];
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			space = true;
			continue;
		}
		if (space)
			fputc(' ', out);
		space = false;
		fputc(ch, out);
	}
}

static bool shown_unit(const chk_result *r, uint32_t unit)
{
	if (r->units[unit].kind != CHK_UNIT_LIBRARY)
		return true;
	for (uint32_t i = 0; i < r->nunits; i++)
		for (uint32_t k = 0; k < r->units[i].nuses; k++)
			if (r->units[i].kind != CHK_UNIT_LIBRARY && r->units[i].uses[k] == unit)
				return true;
	return false;
}

static void dump_origin(FILE *out, const chk_result *r, uint32_t unit)
{
	if (r->units[unit].kind == CHK_UNIT_LIBRARY)
		fprintf(out, " (from library %s)", r->units[unit].name);
}

static void dump_units(FILE *out, const chk_result *r, const source_set *srcs)
{
	for (uint32_t i = 0; i < r->nunits; i++) {
		const chk_unit *u = &r->units[i];
		if (u->kind == CHK_UNIT_LIBRARY)
			continue;
		const source *src = u->file ? source_get(srcs, u->file->sp.file) : NULL;
		fprintf(out, "%s \"%s\"", u->kind == CHK_UNIT_OVERLAY ? "overlay" : "program", u->name);
		if (u->version)
			fprintf(out, " version \"%s\"", u->version);
		if (u->kind == CHK_UNIT_OVERLAY)
			fprintf(out, " extends \"%s\"", u->base >= 0 ? r->units[u->base].name : "?");
		fprintf(out, " (%s)\n", src ? src->name : "?");
		for (uint32_t k = 0; k < u->nuses; k++)
			fprintf(out, "  use %s\n", r->units[u->uses[k]].name);
		fprintf(out, "  currency %s\n", u->currency);
		if (u->timezone)
			fprintf(out, "  timezone \"%s\"\n", u->timezone);
		if (u->lateness)
			fprintf(out, "  late events up to %lld seconds\n", (long long)u->lateness);
		for (uint32_t k = 0; k < u->ndisabled; k++)
			fprintf(out, "  disable \"%s\"\n", r->rules[u->disabled[k]]->name);
		for (uint32_t k = 0; k < u->nparam_changes; k++) {
			fprintf(out, "  param %s = ", u->param_changes[k].param->name);
			put_text(out, srcs, u->param_changes[k].value);
			fputc('\n', out);
		}
	}
}

static const char *trigger_word(chk_trigger_kind k)
{
	static const char *const w[] = {"on", "when no", "when expiring", "when birthday", "after", "steps", "(no trigger)"};
	return (unsigned)k <= CHK_TRIG_NONE ? w[k] : "?";
}

static void dump_decls(FILE *out, const chk_result *r, const source_set *srcs)
{
	char buf[256];
	for (uint32_t i = 0; i < r->nenums; i++) {
		const chk_enum *e = r->enums[i];
		if (!shown_unit(r, e->unit))
			continue;
		fprintf(out, "enum %s", e->name);
		dump_origin(out, r, e->unit);
		fputs(":", out);
		for (uint32_t k = 0; k < e->nmembers; k++)
			fprintf(out, "%s %s", k ? "," : "", e->members[k]);
		fputc('\n', out);
	}
	for (uint32_t i = 0; i < r->nrecords; i++) {
		const chk_record *rec = r->records[i];
		if (!shown_unit(r, rec->unit))
			continue;
		fprintf(out, "%s %s", rec->is_event ? "event" : "record", rec->name);
		dump_origin(out, r, rec->unit);
		fputc('\n', out);
		for (uint32_t k = 0; k < rec->nfields; k++)
			fprintf(out, "  %s: %s%s\n", rec->fields[k].name, ty_format(buf, sizeof buf, rec->fields[k].type),
				rec->fields[k].optional ? ", optional" : rec->fields[k].implicit ? ", implicit" : "");
	}
	for (uint32_t i = 0; i < r->nwallets; i++) {
		const chk_wallet *w = r->wallets[i];
		fprintf(out, "wallet %s", w->name);
		if (w->label)
			fprintf(out, " \"%s\"", w->label);
		fprintf(out, ": %s", ty_format(buf, sizeof buf, w->type));
		if (w->staff)
			fputs(", for staff", out);
		if (w->expires) {
			fputs(", expires ", out);
			put_text(out, srcs, w->expires);
		}
		if (w->pending) {
			fputs(", pending ", out);
			put_text(out, srcs, w->pending);
		}
		fputc('\n', out);
	}
	for (uint32_t i = 0; i < r->nladders; i++) {
		const chk_ladder *l = r->ladders[i];
		fprintf(out, "%s %s on ", l->level ? "levels" : "tiers", l->name);
		if (l->metric)
			put_text(out, srcs, l->metric);
		fprintf(out, ": %s\n", ty_format(buf, sizeof buf, l->metric_type));
		for (uint32_t k = 0; k < l->nrungs; k++) {
			fprintf(out, "  %s at ", l->rungs[k].name);
			put_text(out, srcs, l->rungs[k].decl->u.rung.at);
			fputc('\n', out);
		}
	}
	for (uint32_t i = 0; i < r->nparams; i++) {
		const chk_param *p = r->params[i];
		fprintf(out, "param %s: %s = ", p->name, ty_format(buf, sizeof buf, p->type));
		put_text(out, srcs, p->value);
		fputc('\n', out);
	}
	for (uint32_t i = 0; i < r->nbadges; i++)
		fprintf(out, "badge \"%s\"\n", r->badges[i]->name);
	for (uint32_t i = 0; i < r->nrules; i++) {
		const chk_rule *rule = r->rules[i];
		static const char *const kinds[] = {"rule", "challenge", "bonus", "quest"};
		const char *kind = rule->kind == CHK_MECH_MISSION ? "mission"
				   : rule->kind == CHK_MECH_STREAK ? "streak"
								   : kinds[rule->rule_kind];
		fprintf(out, "%s%s \"%s\": %s", rule->override ? "override " : "", kind, rule->name,
			trigger_word(rule->trigger));
		if (rule->kind == CHK_MECH_MISSION) {
			uint32_t k = 0;
			for (const ast_node *st = rule->decl->u.mission.steps; st; st = st->next) {
				const ast_node *ev = st->kind == AST_STEP ? st->u.step.event : NULL;
				if (ev && ev->kind == AST_NAME && ev->u.name.s)
					fprintf(out, "%s %s", k++ ? "," : "", ev->u.name.s);
			}
			if (rule->event)
				fprintf(out, ", within the deadline after %s", rule->event->name);
		} else {
			if (rule->event)
				fprintf(out, " %s", rule->event->name);
			if (rule->wallet)
				fprintf(out, " %s", rule->wallet->name);
		}
		if (rule->kind == CHK_MECH_STREAK)
			fprintf(out, " every %s", ast_unit_name(rule->decl->u.streak.every, false));
		if (rule->group >= 0)
			fprintf(out, ", in group \"%s\"", r->groups[rule->group]->name ? r->groups[rule->group]->name : "?");
		if (r->units[rule->unit].kind == CHK_UNIT_OVERLAY)
			fprintf(out, ", in overlay \"%s\"", r->units[rule->unit].name);
		fputc('\n', out);
	}
	for (uint32_t i = 0; i < r->ngroups; i++) {
		const chk_group *g = r->groups[i];
		fprintf(out, "group \"%s\" keep %s: %u rules", g->name ? g->name : "?", g->mode == GROUP_BEST ? "best" : "first",
			g->count);
		if (g->wallet)
			fprintf(out, ", compares %s", g->wallet->name);
		fputc('\n', out);
	}
	for (uint32_t i = 0; i < r->nitems; i++) {
		const chk_item *it = r->items[i];
		fprintf(out, "reward \"%s\" costs ", it->name);
		put_text(out, srcs, it->decl->u.item.cost);
		fprintf(out, " %s\n", it->wallet ? it->wallet->name : "?");
	}
	for (uint32_t i = 0; i < r->nexperiments; i++) {
		const chk_experiment *x = r->experiments[i];
		fprintf(out, "experiment \"%s\":", x->name ? x->name : "?");
		for (uint32_t k = 0; k < x->nvariants; k++) {
			int64_t sh = x->variants[k].share;
			fprintf(out, "%s \"%s\" %lld", k ? "," : "", x->variants[k].name ? x->variants[k].name : "?",
				(long long)(sh / 100));
			if (sh % 100)
				fprintf(out, ".%02lld", (long long)(sh % 100));
			fputc('%', out);
		}
		fputc('\n', out);
	}
}

void chk_dump_types(FILE *out, const chk_result *r, const source_set *srcs)
{
	dump_units(out, r, srcs);
	dump_decls(out, r, srcs);
	typed_nodes t = {r, NULL, 0, 0};
	for (uint32_t i = 0; i < r->nunits; i++)
		if (r->units[i].kind != CHK_UNIT_LIBRARY)
			walk(r->units[i].file, collect_typed, &t);
	if (t.n)
		qsort(t.v, t.n, sizeof *t.v, cmp_pos);
	fputs("expressions:\n", out);
	char buf[256];
	for (uint32_t i = 0; i < t.n; i++) {
		const ast_node *n = t.v[i];
		const source *src = source_get(srcs, n->sp.file);
		if (src)
			fprintf(out, "%s:%u:%u: ", src->name, source_line(src, n->sp.start), source_col(src, n->sp.start));
		put_text(out, srcs, n);
		fprintf(out, " : %s\n", ty_format(buf, sizeof buf, r->types[n->id]));
	}
	free(t.v);
}
