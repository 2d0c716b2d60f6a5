/* ast.c — building the syntax tree; names of kinds, operators and units.
 * Printing lives in ast_dump.c (`ludic dump --ast`) and fmt.c (`ludic fmt`). */
#include "ast.h"

ast_node *ast_new(arena *a, uint32_t *next_id, ast_kind kind, span sp)
{
	ast_node *n = arena_alloc(a, sizeof *n);
	n->kind = kind;
	n->id = (*next_id)++;
	n->sp = sp;
	return n;
}

ast_node *ast_append(ast_node *head, ast_node *item)
{
	if (!head)
		return item;
	ast_node *p = head;
	while (p->next)
		p = p->next;
	p->next = item;
	return head;
}

uint32_t ast_list_len(const ast_node *head)
{
	uint32_t n = 0;
	for (; head; head = head->next)
		n++;
	return n;
}

const char *ast_kind_name(ast_kind k)
{
	static const char *const names[AST_KIND_COUNT] = {
		[AST_INT] = "int", [AST_DECIMAL] = "decimal", [AST_PERCENT] = "percent", [AST_MONEY] = "money",
		[AST_DURATION] = "duration", [AST_STRING] = "string", [AST_BOOL] = "bool", [AST_DATE] = "date",
		[AST_TIMESTAMP] = "timestamp", [AST_NAME] = "name", [AST_FIELD] = "field", [AST_UNARY] = "unary",
		[AST_BINARY] = "binary", [AST_CALL] = "call", [AST_AGG] = "aggregate", [AST_WINDOW] = "window",
		[AST_EARNED] = "earned", [AST_SET] = "set", [AST_AWARD] = "award", [AST_MULTIPLIER] = "multiplier",
		[AST_DEBIT] = "debit", [AST_GIVE_BADGE] = "badge", [AST_NOTIFY] = "notify", [AST_ARG] = "arg",
		[AST_LIMIT] = "limit", [AST_BUDGET] = "budget", [AST_UNLIMITED] = "unlimited",
		[AST_ON_EVENT] = "on", [AST_INACTIVE] = "inactive", [AST_EXPIRING] = "expiring",
		[AST_BIRTHDAY] = "birthday", [AST_AFTER] = "after", [AST_PROGRAM] = "program",
		[AST_OVERLAY] = "overlay", [AST_LIBRARY] = "library", [AST_USE] = "use", [AST_CURRENCY] = "currency",
		[AST_TIMEZONE] = "timezone", [AST_LATENESS] = "lateness", [AST_ENUM] = "enum", [AST_EVENT] = "event",
		[AST_RECORD] = "record", [AST_FIELD_DECL] = "field-decl", [AST_TYPE] = "type", [AST_WALLET] = "wallet",
		[AST_TIERS] = "tiers", [AST_LEVELS] = "levels", [AST_STEP_AT] = "rung", [AST_RULE] = "rule",
		[AST_MISSION] = "mission", [AST_STEP] = "step", [AST_STREAK] = "streak", [AST_BADGES] = "badges",
		[AST_BADGE_DECL] = "badge-decl", [AST_CATALOGUE] = "catalogue", [AST_ITEM] = "item",
		[AST_PARAM] = "param", [AST_EXPERIMENT] = "experiment", [AST_VARIANT] = "variant", [AST_SKIP] = "skip",
		[AST_GROUP] = "group", [AST_DISABLE] = "disable", [AST_SCOPE] = "scope", [AST_FILE] = "file",
		[AST_ERROR] = "error",
	};
	return k < AST_KIND_COUNT && names[k] ? names[k] : "?";
}

const char *ast_op_text(ast_op op)
{
	static const char *const t[] = {
		[OP_ADD] = "+", [OP_SUB] = "-", [OP_MUL] = "*", [OP_DIV] = "/", [OP_EQ] = "=", [OP_NE] = "!=",
		[OP_LT] = "<", [OP_LE] = "<=", [OP_GT] = ">", [OP_GE] = ">=", [OP_AND] = "and", [OP_OR] = "or",
		[OP_IN] = "in", [OP_NOT_IN] = "not in", [OP_NOT] = "not", [OP_NEG] = "-",
	};
	return (unsigned)op <= OP_NEG ? t[op] : "?";
}

const char *ast_unit_name(ast_unit u, bool plural)
{
	static const char *const one[] = {"minute", "hour", "day", "week", "month", "year", "customer", "campaign"};
	static const char *const many[] = {"minutes", "hours", "days", "weeks", "months", "years", "customer", "campaign"};
	return (unsigned)u <= UNIT_CAMPAIGN ? (plural ? many[u] : one[u]) : "?";
}
