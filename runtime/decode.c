/* decode.c — one JSON line → one rt_event (see decode.h for the contract).
 *
 * Four steps per line, each linear in its length:
 *
 *   1. guards: the length limit, blank lines, a byte order mark, the first
 *      byte (`{`), and, before jsmn only, the nesting limit (a byte count,
 *      then a precise scan only when the count is high);
 *   2. jsmn (Debian's libjsmn-dev, strict mode, parent links) cuts the line
 *      into tokens;
 *   3. validate(): jsmn is a tokenizer, not a validator (it accepts `[1 2]`,
 *      `{"a":1,}`, `tru`, raw control characters and invalid UTF-8 in
 *      strings), so every gap between tokens is checked for exactly the
 *      punctuation JSON wants there, every primitive against the JSON
 *      grammar, every string's escapes and UTF-8. Afterwards the tree is
 *      known to be strict JSON and after[] gives the token that follows each
 *      value, so values can be skipped in O(1);
 *   (2+3 for the usual line: fast_parse() makes the same tokens and checks
 *      in one pass, and leaves any line it does not like to jsmn and
 *      validate(), so that a bad line is explained exactly as before);
 *   4. decode: find `type`, then decode the members the schema knows into
 *      values in the decoder's buffer, from their text (never through a
 *      double), and check the required fields.
 *
 * jsmn is included here only, with JSMN_STATIC (its functions are static in
 * this file: no symbol clashes with anyone else's copy), JSMN_STRICT (only
 * true, false, null and numbers as primitives) and JSMN_PARENT_LINKS (closing
 * a bracket walks up the parents instead of scanning back over every token,
 * which would be quadratic on `[[],[],...]`). Its closing walk is still
 * O(depth), which step 1 bounds.
 *
 * Errors are recorded by reject() and travel back as `false`; nothing is
 * allocated on the reject path.
 */
#include "decode.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "diag.h"

#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

/* Memory kept between lines: what a line needs beyond this is given back
 * at the next call (a 1 MiB line of `[{},{},...]` needs tens of MiB). */
#define KEEP_BYTES ((size_t)4 << 20)
#define FIRST_BLOCK ((size_t)64 << 10) /* values and strings: a few KiB per usual event */
#define FIRST_TOKENS 512u              /* a purchase with 6 lines has about 120 */
#define KEY_MAX 256                    /* longer keys (after unescaping) are no field's name */

/* ---- the decoder ---- */

/* A block of the values-and-strings buffer. */
typedef struct blk {
	struct blk *next;     /* the block allocated before (only while a big line is decoded) */
	size_t cap, used;     /* bytes in data, bytes handed out for the current line */
	_Alignas(8) unsigned char data[];
} blk;

/* One step of the path to the value being read: a key or a list index. */
typedef struct path_ent {
	const char *name; /* the key (schema name or raw key text); NULL for an index */
	uint32_t len;     /* bytes in name */
	uint32_t index;   /* list index when name is NULL */
} path_ent;

struct rt_decoder {
	const rt_schema *s;      /* what the events look like */
	const char *js;          /* the line, after any byte order mark */
	size_t n;                /* bytes at js */
	size_t off;              /* bytes skipped before js (the BOM): columns count from the line's start */
	jsmntok_t *tok;          /* jsmn's tokens */
	int *after;              /* after[i]: the token that follows value i and everything inside it */
	unsigned captok;         /* entries allocated in tok and after */
	int ntok;                /* tokens of the current line */
	blk *mem;                /* values and strings of the current event (one block in the steady state) */
	path_ent path[RT_DECODE_MAX_DEPTH + 4]; /* where the value being read is */
	uint32_t depth;          /* entries used in path */
	rt_reject *why;          /* the caller's reject, or `scratch` */
	rt_reject scratch;       /* when the caller does not want the reason */
	char field[256];         /* the rendered path of the last reject (rt_reject.field) */
	char key[KEY_MAX];       /* an unescaped key, or the unescaped text of a choice or a time */
	bool slow;               /* rt_decoder_set_fast(d, false): never fast_parse */
};

/* ---- memory ---- */

static blk *blk_new(size_t cap, blk *next)
{
	blk *b = malloc(sizeof *b + cap);
	if (b) {
		b->next = next;
		b->cap = cap;
		b->used = 0;
	}
	return b;
}

static void blk_free_all(blk *b)
{
	while (b) {
		blk *next = b->next;
		free(b);
		b = next;
	}
}

/* Prepares the buffer for a new line: one block, empty. After a line that
 * needed several blocks, they become one block of their total size (up to
 * KEEP_BYTES), so lines like it fit again without allocating. */
static void mem_reset(rt_decoder *d)
{
	if (d->mem && !d->mem->next && d->mem->cap <= KEEP_BYTES) {
		d->mem->used = 0;
		return;
	}
	size_t total = 0;
	for (blk *b = d->mem; b; b = b->next)
		total += b->cap;
	blk_free_all(d->mem);
	d->mem = blk_new(total > FIRST_BLOCK && total <= KEEP_BYTES ? total : FIRST_BLOCK, NULL);
}

/* `size` bytes, 8-aligned, from the current line's buffer; NULL when out of memory. */
static void *mem_alloc(rt_decoder *d, size_t size)
{
	size = (size + 7) & ~(size_t)7;
	blk *b = d->mem;
	if (!b || b->cap - b->used < size) {
		size_t cap = b ? 2 * b->cap : FIRST_BLOCK;
		if (cap < size)
			cap = size;
		if (!(b = blk_new(cap, d->mem)))
			return NULL;
		d->mem = b;
	}
	void *p = b->data + b->used;
	b->used += size;
	return p;
}

/* Makes room for `want` tokens; false when out of memory. */
static bool grow_tokens(rt_decoder *d, unsigned want)
{
	jsmntok_t *t = realloc(d->tok, (size_t)want * sizeof *t);
	if (!t)
		return false;
	d->tok = t;
	int *a = realloc(d->after, (size_t)want * sizeof *a);
	if (!a)
		return false;
	d->after = a;
	d->captok = want;
	return true;
}

rt_decoder *rt_decoder_new(const rt_schema *s)
{
	rt_decoder *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->s = s;
	d->mem = blk_new(FIRST_BLOCK, NULL);
	if (!d->mem || !grow_tokens(d, FIRST_TOKENS)) {
		rt_decoder_free(d);
		return NULL;
	}
	return d;
}

void rt_decoder_set_fast(rt_decoder *d, bool on)
{
	d->slow = !on;
}

void rt_decoder_free(rt_decoder *d)
{
	if (!d)
		return;
	blk_free_all(d->mem);
	free(d->tok);
	free(d->after);
	free(d);
}

const char *rt_reject_code_name(rt_reject_code c)
{
	static const char *const names[] = {
#define RT_REJ_NAME(code, name) name,
		RT_REJECT_CODES(RT_REJ_NAME)
#undef RT_REJ_NAME
	};
	return (unsigned)c < RT_REJ_COUNT ? names[c] : "?";
}

/* ---- rejects ---- */

/* A small text buffer for building messages. */
typedef struct sbuf {
	char *p;
	size_t cap, len;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(sbuf *b, const char *fmt, ...)
{
	if (b->len + 1 >= b->cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len = b->len + (size_t)n < b->cap ? b->len + (size_t)n : b->cap - 1;
}

/* Appends `s` (n bytes of input) in double quotes, shortened to about 40
 * bytes (cut at a character boundary), with quotes, backslashes and control
 * characters escaped, so a message stays one readable line. */
static void sb_quote(sbuf *b, const char *s, size_t n)
{
	sb_printf(b, "\"");
	size_t i = 0;
	for (; i < n && i < 40; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			sb_printf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			sb_printf(b, "\\u%04x", c);
		else
			sb_printf(b, "%c", c);
	}
	/* finish a UTF-8 character cut by the limit */
	while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
		sb_printf(b, "%c", s[i++]);
	sb_printf(b, i < n ? "...\"" : "\"");
}

/* Appends input text between backticks, shortened to 40 bytes, any byte
 * that is not printable ASCII written as \xNN (the text is not validated). */
static void sb_code(sbuf *b, const char *s, size_t n)
{
	sb_printf(b, "`");
	for (size_t i = 0; i < n && i < 40; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f)
			sb_printf(b, "%c", c);
		else
			sb_printf(b, "\\x%02X", c);
	}
	sb_printf(b, n > 40 ? "...`" : "`");
}

/* Appends raw text that is known to be printable ASCII (a number), shortened. */
static void sb_raw(sbuf *b, const char *s, size_t n)
{
	sb_printf(b, "%.*s%s", (int)(n > 40 ? 40 : n), s, n > 40 ? "..." : "");
}

/* Writes the current path ("lines[2].price") into d->field. */
static const char *render_path(rt_decoder *d)
{
	if (!d->depth)
		return NULL;
	sbuf b = {d->field, sizeof d->field, 0};
	d->field[0] = 0;
	for (uint32_t i = 0; i < d->depth; i++) {
		const path_ent *e = &d->path[i];
		if (!e->name) {
			sb_printf(&b, "[%u]", e->index);
			continue;
		}
		if (i)
			sb_printf(&b, ".");
		for (uint32_t k = 0; k < e->len && k < 64; k++) {
			unsigned char c = (unsigned char)e->name[k];
			sb_printf(&b, "%c", c < 0x20 || c == 0x7f ? '?' : c);
		}
	}
	return d->field;
}

static bool reject(rt_decoder *d, rt_reject_code code, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Records why the line is rejected (at byte `pos` of js, or SIZE_MAX for
 * no position) and returns false, for `return reject(...)`. */
static bool reject(rt_decoder *d, rt_reject_code code, size_t pos, const char *fmt, ...)
{
	rt_reject *w = d->why;
	w->code = code;
	w->field = render_path(d);
	w->column = pos == SIZE_MAX ? 0 : (uint32_t)(pos + d->off + 1);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->message, sizeof w->message, fmt, ap);
	va_end(ap);
	return false;
}

static bool nomem(rt_decoder *d)
{
	return reject(d, RT_REJ_NOMEM, SIZE_MAX, "out of memory while decoding the line");
}

/* ---- step 1: guards ---- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Describes the byte at js[pos] (or the end of the line) for a message. */
static const char *describe_byte(const rt_decoder *d, size_t pos, char buf[24])
{
	if (pos >= d->n)
		return "the end of the line";
	unsigned char c = (unsigned char)d->js[pos];
	if (c > 0x20 && c < 0x7f)
		snprintf(buf, 24, "`%c`", c);
	else
		snprintf(buf, 24, "byte 0x%02X", c);
	return buf;
}

/* Rejects lines nested deeper than RT_DECODE_MAX_DEPTH before jsmn sees
 * them. The number of `{` and `[` bytes bounds the depth; only when it is
 * over the limit is the line scanned for the real depth (outside strings). */
static bool check_depth(rt_decoder *d)
{
	/* 8 bytes at a time: `[` (0x5B) and `{` (0x7B) differ only in bit
	 * 0x20; a byte of x is zero where the line has one of them. */
	const uint64_t ones = 0x0101010101010101u, low7 = 0x7F7F7F7F7F7F7F7Fu;
	size_t opens = 0, i = 0;
	for (; i + 8 <= d->n; i += 8) {
		uint64_t w;
		memcpy(&w, d->js + i, 8);
		uint64_t x = (w | 0x20 * ones) ^ (0x7B * ones);
		uint64_t nonzero = ((x & low7) + low7) | x; /* high bit of each byte: byte != 0 */
		/* one bit per matching byte, at bit 0 of the byte; summed by the multiplication into the top byte */
		opens += (size_t)((((~nonzero & 0x80 * ones) >> 7) * ones) >> 56);
	}
	for (; i < d->n; i++)
		opens += (d->js[i] | 0x20) == '{';
	if (opens <= RT_DECODE_MAX_DEPTH)
		return true;
	unsigned depth = 0;
	bool in_string = false;
	for (size_t i = 0; i < d->n; i++) {
		char c = d->js[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			if (++depth > RT_DECODE_MAX_DEPTH)
				return reject(d, RT_REJ_LIMIT, i,
					      "the JSON is nested more than %d levels deep at byte %zu: events are "
					      "objects holding lists of records, a few levels at most",
					      RT_DECODE_MAX_DEPTH, i + d->off + 1);
		} else if ((c == '}' || c == ']') && depth) {
			depth--;
		}
	}
	return true;
}

/* ---- step 2: jsmn ---- */

static size_t raw_start(const jsmntok_t *t)
{
	return (size_t)(t->type == JSMN_STRING ? t->start - 1 : t->start);
}

static size_t raw_end(const jsmntok_t *t)
{
	return (size_t)(t->type == JSMN_STRING ? t->end + 1 : t->end);
}

static bool bad_json(rt_decoder *d, size_t pos, const char *what)
{
	return reject(d, RT_REJ_JSON, pos, "malformed JSON at byte %zu: %s", pos + d->off + 1, what);
}

/* Explains a jsmn failure: where, and what is wrong there. */
static bool jsmn_failed(rt_decoder *d, int r, size_t pos)
{
	char buf[24], msg[200];
	const char *nul = memchr(d->js, 0, d->n);
	if (nul)
		return bad_json(d, (size_t)(nul - d->js),
				"a NUL byte (0x00): JSON text never contains one (is the file UTF-16?)");
	if (r == JSMN_ERROR_PART) {
		if (pos < d->n && d->js[pos] == '"')
			return bad_json(d, pos, "this string is never closed: a `\"` is missing");
		/* the innermost object or list left open */
		for (int i = d->ntok - 1; i >= 0; i--) {
			if (d->tok[i].start >= 0 && d->tok[i].end < 0) {
				snprintf(msg, sizeof msg, "the line ends before this %s is closed: a `%c` is missing",
					 d->tok[i].type == JSMN_OBJECT ? "object" : "list",
					 d->tok[i].type == JSMN_OBJECT ? '}' : ']');
				return bad_json(d, (size_t)d->tok[i].start, msg);
			}
		}
		return bad_json(d, d->n, "the line ends before the JSON does");
	}
	if (pos >= d->n)
		return bad_json(d, d->n, "unexpected end of the line");
	unsigned char c = (unsigned char)d->js[pos];
	if (c == '"') {
		/* a bad escape somewhere in this string */
		for (size_t i = pos + 1; i < d->n && d->js[i] != '"'; i++) {
			if (d->js[i] != '\\' || i + 1 >= d->n)
				continue;
			char e = d->js[i + 1];
			if (e == 'u') {
				snprintf(msg, sizeof msg, "`\\u` must be followed by 4 hexadecimal digits, as in \\u00e9");
				return bad_json(d, i, msg);
			}
			if (!strchr("\"\\/bfnrt", e)) {
				unsigned char ec = (unsigned char)e;
				if (ec > 0x20 && ec < 0x7f)
					snprintf(msg, sizeof msg, "invalid escape `\\%c` in a string: the escapes are \\\" \\\\ \\/ "
						 "\\b \\f \\n \\r \\t and \\uXXXX", ec);
				else
					snprintf(msg, sizeof msg, "invalid escape (`\\` then byte 0x%02X) in a string: the escapes "
						 "are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX", ec);
				return bad_json(d, i, msg);
			}
			i++;
		}
		return bad_json(d, pos, "this string is not valid JSON");
	}
	if (c == '}' || c == ']') {
		snprintf(msg, sizeof msg, "unexpected `%c`: it closes nothing, or the brackets do not match", c);
		return bad_json(d, pos, msg);
	}
	if (c == '{' || c == '[' || c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n') {
		/* jsmn refuses a value where a key belongs, a value right after
		 * another, and primitives holding odd bytes */
		size_t q = pos;
		while (q > 0 && is_blank(d->js[q - 1]))
			q--;
		char prev = q ? d->js[q - 1] : 0;
		if (prev == '{' || prev == ',') {
			snprintf(msg, sizeof msg, "expected a key in double quotes, found %s", describe_byte(d, pos, buf));
			return bad_json(d, pos, msg);
		}
		if (prev != ':' && prev != '[') {
			snprintf(msg, sizeof msg, "expected `,` between two values, found %s", describe_byte(d, pos, buf));
			return bad_json(d, pos, msg);
		}
		size_t k = pos;
		while (k < d->n && !is_blank(d->js[k]) && !strchr(",:]}", d->js[k]) && k - pos < 40)
			k++;
		sbuf b = {msg, sizeof msg, 0};
		sb_code(&b, d->js + pos, k - pos);
		sb_printf(&b, " is not a JSON value: write true, false, null, a number such as -12.5, or text in double quotes");
		return bad_json(d, pos, msg);
	}
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '\'') {
		snprintf(msg, sizeof msg, "unexpected `%c`: text must be in double quotes", c);
		return bad_json(d, pos, msg);
	}
	snprintf(msg, sizeof msg, "unexpected %s", describe_byte(d, pos, buf));
	return bad_json(d, pos, msg);
}

static bool tokenize(rt_decoder *d)
{
	jsmn_parser p;
	jsmn_init(&p);
	for (;;) {
		int r = jsmn_parse(&p, d->js, d->n, d->tok, d->captok);
		if (r == JSMN_ERROR_NOMEM) {
			/* every token starts at a byte of its own: never more than n + 1 */
			unsigned want = d->captok * 2;
			if (want > d->n + 1)
				want = (unsigned)d->n + 1;
			if (want <= d->captok || !grow_tokens(d, want))
				return nomem(d);
			continue;
		}
		d->ntok = (int)p.toknext;
		if (r < 0)
			return jsmn_failed(d, r, p.pos);
		return true;
	}
}

/* ---- step 3: strict validation ---- */

static void push_key(rt_decoder *d, const char *name, uint32_t len)
{
	d->path[d->depth++] = (path_ent){name, len, 0};
}

static void push_index(rt_decoder *d, uint32_t index)
{
	d->path[d->depth++] = (path_ent){NULL, 0, index};
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The code point of the 4 hex digits at s (validated by jsmn), or -1. */
static long hex4(const char *s, const char *end)
{
	if (end - s < 4)
		return -1;
	long v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(s[i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* Length of the valid UTF-8 sequence at s (first byte >= 0x80), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, const unsigned char *end)
{
	unsigned char c = s[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		if (c == 0xED)
			hi = 0x9F; /* U+D800..DFFF are surrogates, not characters */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		if (c == 0xF4)
			hi = 0x8F; /* nothing above U+10FFFF */
	} else
		return 0;
	if ((size_t)(end - s) < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

/* After validation, a string token's `parent` (jsmn's parent link, of no
 * more use) says whether its text has an escape, so that copies of plain
 * strings need not look for one. */
#define HAS_ESCAPE(t) ((t)->parent)

/* Validates the string token t: no raw control character, valid escapes, no
 * lone surrogate, no U+0000, valid UTF-8. Sets HAS_ESCAPE(t). */
static bool check_string(rt_decoder *d, jsmntok_t *t)
{
	const char *s = d->js + t->start, *end = d->js + t->end;
	const char *p = s;
	HAS_ESCAPE(t) = 0;
	while (p < end) {
		/* 8 plain bytes at a time: none below 0x20, none above 0x7F, no `\\` */
		const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
		while (end - p >= 8) {
			uint64_t w;
			memcpy(&w, p, 8);
			uint64_t bs = w ^ (0x5C * ones);
			if ((((w - 0x20 * ones) | w | (bs - ones)) & high) != 0)
				break; /* maybe a special byte: look one by one */
			p += 8;
		}
		if (p >= end)
			break;
		unsigned char c = (unsigned char)*p;
		if (c >= 0x20 && c < 0x80 && c != '\\') {
			p++;
			continue;
		}
		size_t pos = (size_t)(p - d->js);
		if (c < 0x20) {
			static const char *const names[32] = {[9] = "\\t", [10] = "\\n", [13] = "\\r", [8] = "\\b", [12] = "\\f"};
			char msg[160];
			if (names[c])
				snprintf(msg, sizeof msg, "a raw control character (byte 0x%02X) inside a string: write it as %s",
					 c, names[c]);
			else
				snprintf(msg, sizeof msg, "a raw control character (byte 0x%02X) inside a string: write it as \\u%04x",
					 c, c);
			return bad_json(d, pos, msg);
		}
		if (c == '\\') {
			HAS_ESCAPE(t) = 1;
			if (end - p < 2)
				return bad_json(d, pos, "a string ends with a lone `\\`");
			char e = p[1];
			if (e != 'u') {
				if (!strchr("\"\\/bfnrt", e))
					return bad_json(d, pos, "invalid escape in a string: the escapes are \\\" \\\\ \\/ \\b \\f "
								"\\n \\r \\t and \\uXXXX");
				p += 2;
				continue;
			}
			long cp = hex4(p + 2, end);
			if (cp < 0)
				return bad_json(d, pos, "`\\u` must be followed by 4 hexadecimal digits, as in \\u00e9");
			if (cp == 0)
				return reject(d, RT_REJ_BAD_VALUE, pos,
					      "a string holds \\u0000 (a NUL character) at byte %zu, which ludic does not accept "
					      "in text: remove it",
					      pos + d->off + 1);
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return reject(d, RT_REJ_UTF8, pos,
					      "a string holds a lone low surrogate \\u%04lX at byte %zu: it must follow a "
					      "high surrogate (\\uD800-\\uDBFF)",
					      cp, pos + d->off + 1);
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				long lo = end - p >= 12 && p[6] == '\\' && p[7] == 'u' ? hex4(p + 8, end) : -1;
				if (lo < 0xDC00 || lo > 0xDFFF)
					return reject(d, RT_REJ_UTF8, pos,
						      "a string holds a lone high surrogate \\u%04lX at byte %zu: it must be "
						      "followed by a low surrogate (\\uDC00-\\uDFFF) to make one character",
						      cp, pos + d->off + 1);
				p += 12;
				continue;
			}
			p += 6;
			continue;
		}
		size_t k = utf8_seq((const unsigned char *)p, (const unsigned char *)end);
		if (!k)
			return reject(d, RT_REJ_UTF8, pos,
				      "a string is not valid UTF-8 at byte %zu (byte 0x%02X): text must be encoded in UTF-8",
				      pos + d->off + 1, c);
		p += k;
	}
	return true;
}

/* Bytes of the JSON number that s[0..n) starts with, 0 if it starts with none. */
static inline size_t number_len(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		size_t k = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == k)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t k = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == k)
			return 0;
	}
	return i;
}

/* True if s[0..n) is a JSON number. */
static bool json_number(const char *s, size_t n)
{
	return n && number_len(s, n) == n;
}

static bool check_primitive(rt_decoder *d, const jsmntok_t *t)
{
	const char *s = d->js + t->start;
	size_t n = (size_t)(t->end - t->start);
	bool ok;
	switch (s[0]) {
	case 't': ok = n == 4 && !memcmp(s, "true", 4); break;
	case 'f': ok = n == 5 && !memcmp(s, "false", 5); break;
	case 'n': ok = n == 4 && !memcmp(s, "null", 4); break;
	default: ok = json_number(s, n); break;
	}
	if (ok)
		return true;
	char msg[200];
	sbuf b = {msg, sizeof msg, 0};
	sb_code(&b, s, n);
	sb_printf(&b, " is not a JSON value: write true, false, null, a number such as -12.5, or text in double quotes");
	return bad_json(d, (size_t)t->start, msg);
}

/* The slow path of gap(): blanks around the punctuation, and the errors. */
static bool gap_slow(rt_decoder *d, size_t from, size_t to, char punct, const char *expected)
{
	char buf[24], msg[160];
	size_t i = from;
	if (from > to)
		i = to;
	else {
		while (i < to && is_blank(d->js[i]))
			i++;
		if (punct && i < to && d->js[i] == punct) {
			i++;
			while (i < to && is_blank(d->js[i]))
				i++;
			if (i == to)
				return true;
		} else if (!punct && i == to) {
			return true;
		}
	}
	const char *found = describe_byte(d, i, buf);
	bool closing = to < d->n && (d->js[to] == '}' || d->js[to] == ']');
	size_t k = i + 1;
	while (k < to && is_blank(d->js[k]))
		k++;
	if (i < d->n && d->js[i] == ',' && punct == ',')
		snprintf(msg, sizeof msg, "%s, found a second `,`", expected);
	else if (i < d->n && d->js[i] == ',' && !punct && closing && k == to)
		snprintf(msg, sizeof msg, "`,` before `%c`: JSON has no trailing commas, remove it", d->js[to]);
	else
		snprintf(msg, sizeof msg, "%s, found %s", expected, found);
	return bad_json(d, i, msg);
}

/* Checks that js[from..to) holds only blanks and, if `punct`, exactly one
 * `punct` among them. `expected` says what was wanted, for the message. */
static inline bool gap(rt_decoder *d, size_t from, size_t to, char punct, const char *expected)
{
	if (punct ? to == from + 1 && d->js[from] == punct : to == from)
		return true; /* minified JSON: no blanks */
	return gap_slow(d, from, to, punct, expected);
}

/* Rejects with "`expected`, found X", X being the first non-blank byte from pos. */
static bool expected_at(rt_decoder *d, size_t pos, const char *expected)
{
	char buf[24], msg[160];
	while (pos < d->n && is_blank(d->js[pos]))
		pos++;
	snprintf(msg, sizeof msg, "%s, found %s", expected, describe_byte(d, pos, buf));
	return bad_json(d, pos, msg);
}

static int check_container(rt_decoder *d, int i);

/* Validates value i and everything inside it; returns the next token, or -1.
 * `close` is the bracket of the enclosing container (for messages).
 * Scalars are handled here, inline in their container's loop. */
static inline int check_value(rt_decoder *d, int i, char close)
{
	if (i >= d->ntok)
		return bad_json(d, d->n, "a value is missing"), -1;
	jsmntok_t *t = &d->tok[i];
	if (t->type == JSMN_OBJECT || t->type == JSMN_ARRAY)
		return check_container(d, i);
	if (t->size) /* jsmn hung a value on this one: a `,` is missing after it */
		return expected_at(d, raw_end(t), close == ']' ? "expected `,` or `]` after a value"
							       : "expected `,` or `}` after a value"),
		       -1;
	if (!(t->type == JSMN_STRING ? check_string(d, t) : check_primitive(d, t)))
		return -1;
	d->after[i] = i + 1;
	return i + 1;
}

/* check_value for an object or a list. */
static int check_container(rt_decoder *d, int i)
{
	jsmntok_t *t = &d->tok[i];
	switch (t->type) {
	case JSMN_ARRAY: {
		size_t pos = (size_t)t->start + 1;
		int j = i + 1;
		for (int k = 0; k < t->size; k++) {
			if (j >= d->ntok)
				return bad_json(d, d->n, "a list item is missing"), -1;
			if (!gap(d, pos, raw_start(&d->tok[j]), k ? ',' : 0, k ? "expected `,` between list items" : "expected a value"))
				return -1;
			push_index(d, (uint32_t)k);
			int next = check_value(d, j, ']');
			d->depth--;
			if (next < 0)
				return -1;
			pos = raw_end(&d->tok[j]);
			j = next;
		}
		if (!gap(d, pos, (size_t)t->end - 1, 0, "expected `,` or `]`"))
			return -1;
		d->after[i] = j;
		return j;
	}
	case JSMN_OBJECT: {
		size_t pos = (size_t)t->start + 1;
		int j = i + 1;
		for (int k = 0; k < t->size; k++) {
			if (j >= d->ntok)
				return bad_json(d, d->n, "a key is missing"), -1;
			jsmntok_t *key = &d->tok[j];
			if (key->type != JSMN_STRING)
				return bad_json(d, raw_start(key), "expected a key in double quotes"), -1;
			if (!gap(d, pos, raw_start(key), k ? ',' : 0, k ? "expected `,` between fields" : "expected a key"))
				return -1;
			if (!check_string(d, key))
				return -1;
			if (key->size < 1 || j + 1 >= d->ntok)
				return expected_at(d, raw_end(key), "expected `:` after the key"), -1;
			if (!gap(d, raw_end(key), raw_start(&d->tok[j + 1]), ':', "expected `:` after the key"))
				return -1;
			push_key(d, d->js + key->start, (uint32_t)(key->end - key->start));
			int next = check_value(d, j + 1, '}');
			d->depth--;
			if (next < 0)
				return -1;
			if (key->size > 1) /* jsmn hung a second value on the key: a `,` is missing */
				return expected_at(d, raw_end(&d->tok[j + 1]), "expected `,` or `}` after a value"), -1;
			pos = raw_end(&d->tok[j + 1]);
			j = next;
		}
		if (!gap(d, pos, (size_t)t->end - 1, 0, "expected `,` or `}`"))
			return -1;
		d->after[i] = j;
		return j;
	}
	default:
		return bad_json(d, raw_start(t), "unexpected token"), -1;
	}
}

static bool validate(rt_decoder *d)
{
	if (d->ntok < 1)
		return bad_json(d, 0, "no value");
	int next = check_value(d, 0, '}');
	if (next < 0)
		return false;
	return gap(d, raw_end(&d->tok[0]), d->n, 0, "expected the end of the line after the object") &&
	       (next == d->ntok || bad_json(d, raw_start(&d->tok[next]), "unexpected text after the object"));
}

/* ---- steps 2 and 3 in one pass, for the usual line ----
 *
 * fast_parse() cuts the line into the same tokens jsmn makes (same types,
 * starts, ends, sizes), and fills after[] and HAS_ESCAPE as validate()
 * does, in one pass, checking the same strict grammar. It never judges a
 * line: at the first byte it does not expect (any error, a \u0000, a lone
 * surrogate, more tokens than allocated, ...) it gives up, and the line
 * goes through jsmn and validate(), which find the fault and explain it.
 * So a line it accepts is a line they accept, with the same tokens, and a
 * line they reject is rejected with the same words as before. */

static inline size_t skip_blanks(const char *js, size_t n, size_t i)
{
	while (i < n && is_blank(js[i]))
		i++;
	return i;
}

/* The string whose opening quote is at js[*pos]: on success *pos is past
 * its closing quote and *escaped says whether it holds an escape. */
static inline bool fast_string(const char *js, size_t n, size_t *pos, int *escaped)
{
	const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
	size_t i = *pos + 1;
	int esc = 0;
	for (;;) {
		/* 8 bytes at a time up to the first `"`, `\`, control byte or
		 * non-ASCII byte: the lowest flagged byte is always a real one */
		while (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, js + i, 8);
			uint64_t q = w ^ (0x22 * ones), b = w ^ (0x5C * ones);
			uint64_t m = (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - 0x20 * ones) & ~w) | w) & high;
			if (m) {
				i += (size_t)__builtin_ctzll(m) >> 3;
				break;
			}
			i += 8;
		}
		if (i >= n)
			return false;
		unsigned char c = (unsigned char)js[i];
		if (c == '"') {
			*pos = i + 1;
			*escaped = esc;
			return true;
		}
		if (c == '\\') {
			if (i + 1 >= n)
				return false;
			char e = js[i + 1];
			esc = 1;
			if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
				i += 2;
				continue;
			}
			if (e != 'u')
				return false;
			long cp = hex4(js + i + 2, js + n);
			if (cp <= 0 || (cp >= 0xDC00 && cp <= 0xDFFF))
				return false;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				long lo = n - i >= 12 && js[i + 6] == '\\' && js[i + 7] == 'u' ? hex4(js + i + 8, js + n) : -1;
				if (lo < 0xDC00 || lo > 0xDFFF)
					return false;
				i += 12;
				continue;
			}
			i += 6;
			continue;
		}
		if (c < 0x20)
			return false;
		if (c < 0x80) {
			i++; /* a plain byte the word scan stopped short of, near the end */
			continue;
		}
		size_t k = utf8_seq((const unsigned char *)js + i, (const unsigned char *)js + n);
		if (!k)
			return false;
		i += k;
	}
}

/* A JSON number, true, false or null at js[*pos], followed by a byte that
 * may follow a value; *pos is moved past it. */
static inline bool fast_primitive(const char *js, size_t n, size_t *pos)
{
	size_t i = *pos;
	char c = js[i];
	if (c == 't' || c == 'f' || c == 'n') {
		const char *word = c == 't' ? "true" : c == 'f' ? "false" : "null";
		size_t len = c == 'f' ? 5 : 4;
		if (n - i < len || memcmp(js + i, word, len) != 0)
			return false;
		i += len;
	} else {
		size_t len = number_len(js + i, n - i);
		if (!len)
			return false;
		i += len;
	}
	if (i >= n)
		return false;
	c = js[i];
	if (!(is_blank(c) || c == ',' || c == '}' || c == ']'))
		return false;
	*pos = i;
	return true;
}

static bool fast_parse(rt_decoder *d)
{
	const char *js = d->js;
	size_t n = d->n;
	jsmntok_t *tok = d->tok;
	int *after = d->after;
	int cap = (int)d->captok, nt = 0;
	int stack[RT_DECODE_MAX_DEPTH + 1];
	int sp = 0;
	size_t i = skip_blanks(js, n, 0);
	if (i >= n || js[i] != '{')
		return false;
	tok[0] = (jsmntok_t){JSMN_OBJECT, (int)i, -1, 0, -1};
	nt = 1;
	stack[sp++] = 0;
	i++;
	goto object_first;

object_first: /* after `{` */
	i = skip_blanks(js, n, i);
	if (i < n && js[i] == '}')
		goto close;
object_key: /* a key is due */
	if (i >= n || js[i] != '"' || nt + 2 > cap)
		return false;
	{
		int k = nt++, esc;
		size_t start = i;
		if (!fast_string(js, n, &i, &esc))
			return false;
		tok[k] = (jsmntok_t){JSMN_STRING, (int)start + 1, (int)i - 1, 1, esc};
		after[k] = k + 1;
		tok[stack[sp - 1]].size++;
	}
	i = skip_blanks(js, n, i);
	if (i >= n || js[i] != ':')
		return false;
	i = skip_blanks(js, n, i + 1);
value: /* a value is due at js[i] */
	if (i >= n || nt + 1 > cap)
		return false;
	switch (js[i]) {
	case '{':
	case '[':
		if (sp >= RT_DECODE_MAX_DEPTH)
			return false; /* too deep: check_depth() says so */
		tok[nt] = (jsmntok_t){js[i] == '{' ? JSMN_OBJECT : JSMN_ARRAY, (int)i, -1, 0, -1};
		stack[sp++] = nt++;
		if (js[i++] == '{')
			goto object_first;
		i = skip_blanks(js, n, i);
		if (i < n && js[i] == ']')
			goto close;
		tok[stack[sp - 1]].size++;
		goto value;
	case '"': {
		int k = nt++, esc;
		size_t start = i;
		if (!fast_string(js, n, &i, &esc))
			return false;
		tok[k] = (jsmntok_t){JSMN_STRING, (int)start + 1, (int)i - 1, 0, esc};
		after[k] = k + 1;
		break;
	}
	default: {
		int k = nt++;
		size_t start = i;
		if (!fast_primitive(js, n, &i))
			return false;
		tok[k] = (jsmntok_t){JSMN_PRIMITIVE, (int)start, (int)i, 0, -1};
		after[k] = k + 1;
		break;
	}
	}
next: /* after a value */
	i = skip_blanks(js, n, i);
	if (i >= n)
		return false;
	if (js[i] == ',') {
		i = skip_blanks(js, n, i + 1);
		if (tok[stack[sp - 1]].type == JSMN_OBJECT)
			goto object_key;
		tok[stack[sp - 1]].size++;
		goto value;
	}
close: /* js[i] should close the innermost container */
	{
		int top = stack[sp - 1];
		if (js[i] != (tok[top].type == JSMN_OBJECT ? '}' : ']'))
			return false;
		tok[top].end = (int)i + 1;
		after[top] = nt;
		i++;
		if (--sp)
			goto next;
	}
	d->ntok = nt;
	return skip_blanks(js, n, i) == n;
}

/* ---- step 4: values ---- */

/* Writes the unescaped text of the (validated) raw JSON string s[0..n) to
 * dst (at least n bytes); returns its length. */
static size_t unescape(const char *s, size_t n, char *dst)
{
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		if (s[i] != '\\') {
			dst[o++] = s[i++];
			continue;
		}
		char e = s[i + 1];
		i += 2;
		switch (e) {
		case 'b': dst[o++] = '\b'; continue;
		case 'f': dst[o++] = '\f'; continue;
		case 'n': dst[o++] = '\n'; continue;
		case 'r': dst[o++] = '\r'; continue;
		case 't': dst[o++] = '\t'; continue;
		case 'u': break;
		default: dst[o++] = e; continue; /* " \ / */
		}
		unsigned long cp = (unsigned long)hex4(s + i, s + n);
		i += 4;
		if (cp >= 0xD800 && cp <= 0xDBFF) { /* validated: a low surrogate follows */
			unsigned long lo = (unsigned long)hex4(s + i + 2, s + n);
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			i += 6;
		}
		if (cp < 0x80) {
			dst[o++] = (char)cp;
		} else if (cp < 0x800) {
			dst[o++] = (char)(0xC0 | (cp >> 6));
			dst[o++] = (char)(0x80 | (cp & 0x3F));
		} else if (cp < 0x10000) {
			dst[o++] = (char)(0xE0 | (cp >> 12));
			dst[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
			dst[o++] = (char)(0x80 | (cp & 0x3F));
		} else {
			dst[o++] = (char)(0xF0 | (cp >> 18));
			dst[o++] = (char)(0x80 | ((cp >> 12) & 0x3F));
			dst[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
			dst[o++] = (char)(0x80 | (cp & 0x3F));
		}
	}
	return o;
}

/* The text of string token t: a view of the line when it has no escape,
 * else unescaped into `scratch` (cap bytes) or, if NULL or too small, into
 * the event's buffer. False when out of memory. */
static bool text_of(rt_decoder *d, const jsmntok_t *t, char *scratch, size_t cap, const char **p, size_t *n)
{
	const char *s = d->js + t->start;
	size_t len = (size_t)(t->end - t->start);
	if (!HAS_ESCAPE(t)) {
		*p = s;
		*n = len;
		return true;
	}
	char *dst = scratch && len <= cap ? scratch : mem_alloc(d, len + 1);
	if (!dst)
		return nomem(d);
	*n = unescape(s, len, dst);
	*p = dst;
	return true;
}

/* A copy of string token t in the event's buffer, NUL-terminated. */
static bool copy_string(rt_decoder *d, const jsmntok_t *t, rt_str *out)
{
	const char *s = d->js + t->start;
	size_t len = (size_t)(t->end - t->start);
	char *dst = mem_alloc(d, len + 1);
	if (!dst)
		return nomem(d);
	size_t n = HAS_ESCAPE(t) ? unescape(s, len, dst) : (memcpy(dst, s, len), len);
	dst[n] = 0;
	*out = (rt_str){dst, (uint32_t)n};
	return true;
}

/* Exact decimals: the JSON number s[0..n) (validated) times 10^scale. */
typedef enum { DEC_OK, DEC_DECIMALS, DEC_RANGE } dec_status;

/* The usual case: at most 18 digits, no exponent (`15.30`, `-2`). False
 * when the number is not of that form or needs the general path. */
static bool small_decimal(const char *s, size_t n, unsigned scale, int64_t *out, dec_status *st)
{
	if (n > 18)
		return false;
	size_t i = s[0] == '-';
	uint64_t v = 0;
	unsigned nfrac = 0;
	bool frac = false;
	for (; i < n; i++) {
		char c = s[i];
		if (c == '.') {
			frac = true;
			continue;
		}
		if (c < '0' || c > '9')
			return false; /* an exponent */
		v = v * 10 + (uint64_t)(c - '0');
		nfrac += frac;
	}
	while (nfrac > scale && v % 10 == 0 && v) {
		v /= 10;
		nfrac--;
	}
	if (v == 0) {
		*out = 0;
		*st = DEC_OK;
		return true;
	}
	if (nfrac > scale) {
		*st = DEC_DECIMALS;
		return true;
	}
	for (; nfrac < scale; nfrac++) {
		if (v > (uint64_t)INT64_MAX / 10)
			return false; /* the general path says whether it fits */
		v *= 10;
	}
	if (v > (uint64_t)INT64_MAX)
		return false;
	*out = s[0] == '-' ? -(int64_t)v : (int64_t)v;
	*st = DEC_OK;
	return true;
}

static dec_status parse_decimal(const char *s, size_t n, unsigned scale, int64_t *out)
{
	dec_status st;
	if (scale <= 4 && small_decimal(s, n, scale, out, &st))
		return st;
	size_t i = 0;
	bool neg = s[0] == '-';
	if (neg)
		i++;
	/* mantissa digits: the integer part, then the fraction */
	size_t int_start = i;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	size_t int_end = i, frac_start = i, frac_end = i;
	if (i < n && s[i] == '.') {
		frac_start = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		frac_end = i;
	}
	int64_t exp = 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		bool eneg = s[i] == '-';
		if (s[i] == '-' || s[i] == '+')
			i++;
		for (; i < n; i++)
			if (exp < 1000000000)
				exp = exp * 10 + (s[i] - '0');
		if (eneg)
			exp = -exp;
	}
	/* The mantissa M (int digits then frac digits) is D followed by tz
	 * zeros, with D's first and last digits non-zero: value = D * 10^k / 10^scale. */
	size_t nint = int_end - int_start, nfrac = frac_end - frac_start, total = nint + nfrac;
#define DIGIT(x) ((x) < nint ? s[int_start + (x)] : s[frac_start + (x) - nint])
	size_t first = 0;
	while (first < total && DIGIT(first) == '0')
		first++;
	if (first == total) {
		*out = 0;
		return DEC_OK;
	}
	size_t last = total - 1;
	while (DIGIT(last) == '0')
		last--;
	int64_t k = exp - (int64_t)nfrac + (int64_t)(total - 1 - last) + (int64_t)scale;
	int64_t nd = (int64_t)(last - first + 1);
	if (k < 0)
		return DEC_DECIMALS;
	if (nd + k > 19)
		return DEC_RANGE;
	uint64_t v = 0;
	for (size_t x = first; x <= last; x++)
		v = v * 10 + (uint64_t)(DIGIT(x) - '0');
#undef DIGIT
	for (int64_t x = 0; x < k; x++)
		v *= 10;
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return DEC_RANGE;
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	} else {
		if (v > (uint64_t)INT64_MAX)
			return DEC_RANGE;
		*out = (int64_t)v;
	}
	return DEC_OK;
}

/* "12.50" for an exponent of 2, "1250" for 0, "12.500" for 3. */
static const char *money_example(unsigned exponent)
{
	static const char *const ex[] = {"1250", "12.5", "12.50", "12.500", "12.5000"};
	return exponent < 5 ? ex[exponent] : "12.50";
}

/* What a value of `kind` (field f) looks like in JSON, for messages. */
static void sb_expected(rt_decoder *d, sbuf *b, const struct rt_field *f, rt_kind kind)
{
	switch (kind) {
	case RT_BOOL: sb_printf(b, "true or false"); break;
	case RT_COUNT: sb_printf(b, "a whole number such as 3"); break;
	case RT_NUMBER: sb_printf(b, "a number such as 2.5 (at most 4 decimals)"); break;
	case RT_MONEY: sb_printf(b, "money (%s), a number such as %s", f->currency, money_example(f->exponent)); break;
	case RT_DURATION: sb_printf(b, "a duration such as \"PT37M\" (ISO 8601)"); break;
	case RT_DATE: sb_printf(b, "a date such as \"2027-03-01\""); break;
	case RT_TIMESTAMP:
		sb_printf(b, "a time such as \"2027-03-01T10:15:00+01:00\" (RFC 3339, with its UTC offset)");
		break;
	case RT_STRING: sb_printf(b, "a string in double quotes"); break;
	case RT_ENUM: {
		const rt_enum *en = &d->s->enums[f->en];
		sb_printf(b, "one of ");
		for (uint32_t i = 0; i < en->nmembers; i++)
			sb_printf(b, "%s\"%s\"", i ? ", " : "", en->members[i]);
		break;
	}
	case RT_LIST:
		if (f->elem_record >= 0) {
			sb_printf(b, "a list of `%s` objects, such as [{...}, {...}]", d->s->records[f->elem_record].name);
			break;
		}
		switch (f->elem) {
		case RT_BOOL: sb_printf(b, "a list of true or false values, such as [true, false]"); break;
		case RT_COUNT: sb_printf(b, "a list of whole numbers, such as [1, 2]"); break;
		case RT_NUMBER: sb_printf(b, "a list of numbers, such as [1.5, 2]"); break;
		case RT_MONEY: sb_printf(b, "a list of amounts of money (%s), such as [%s, 3]", f->currency, money_example(f->exponent)); break;
		case RT_DURATION: sb_printf(b, "a list of durations, such as [\"PT37M\"]"); break;
		case RT_DATE: sb_printf(b, "a list of dates, such as [\"2027-03-01\"]"); break;
		case RT_TIMESTAMP: sb_printf(b, "a list of times, such as [\"2027-03-01T10:15:00+01:00\"]"); break;
		case RT_STRING: sb_printf(b, "a list of strings, such as [\"a\", \"b\"]"); break;
		case RT_ENUM: {
			const rt_enum *en = &d->s->enums[f->en];
			sb_printf(b, "a list of choices among ");
			for (uint32_t i = 0; i < en->nmembers; i++)
				sb_printf(b, "%s\"%s\"", i ? ", " : "", en->members[i]);
			break;
		}
		case RT_LIST: sb_printf(b, "a list"); break;
		}
		break;
	}
}

/* What token t is, for messages: `a string ("12.50")`, `a number (12.5)`. */
static void sb_found(rt_decoder *d, sbuf *b, const jsmntok_t *t)
{
	const char *s = d->js + t->start;
	size_t n = (size_t)(t->end - t->start);
	switch (t->type) {
	case JSMN_OBJECT: sb_printf(b, "an object"); break;
	case JSMN_ARRAY: sb_printf(b, "a list"); break;
	case JSMN_STRING: sb_printf(b, "a string ("); sb_quote(b, s, n); sb_printf(b, ")"); break;
	default:
		if (s[0] == 't' || s[0] == 'f' || s[0] == 'n')
			sb_raw(b, s, n);
		else {
			sb_printf(b, "a number (");
			sb_raw(b, s, n);
			sb_printf(b, ")");
		}
	}
}

/* Rejects token t for not being a value of `kind`. */
static bool wrong_type(rt_decoder *d, const struct rt_field *f, rt_kind kind, const jsmntok_t *t)
{
	char msg[RT_REJECT_MESSAGE_MAX];
	sbuf b = {msg, sizeof msg, 0};
	sb_printf(&b, "`%s` must be ", render_path(d));
	sb_expected(d, &b, f, kind);
	sb_printf(&b, ", not ");
	sb_found(d, &b, t);
	if (t->type == JSMN_STRING && (kind == RT_COUNT || kind == RT_NUMBER || kind == RT_MONEY) &&
	    json_number(d->js + t->start, (size_t)(t->end - t->start)))
		sb_printf(&b, ": write the number without quotes");
	else if (t->type == JSMN_STRING && kind == RT_BOOL)
		sb_printf(&b, ": write true or false, without quotes");
	return reject(d, RT_REJ_WRONG_TYPE, raw_start(t), "%s", msg);
}

/* INT64_MAX, or INT64_MIN if `neg`, with the decimal point `scale` places
 * from the right: "92233720368547758.07". */
static void sb_limit(sbuf *b, unsigned scale, bool neg)
{
	const char *digits = neg ? "9223372036854775808" : "9223372036854775807";
	int n = 19;
	if (neg)
		sb_printf(b, "-");
	if (!scale)
		sb_printf(b, "%s", digits);
	else
		sb_printf(b, "%.*s.%s", n - (int)scale, digits, digits + n - scale);
}

/* Decodes a number token into f's kind (count, number or money). */
static bool decode_number(rt_decoder *d, const struct rt_field *f, rt_kind kind, const jsmntok_t *t, rt_value *out)
{
	const char *s = d->js + t->start;
	size_t n = (size_t)(t->end - t->start);
	unsigned scale = kind == RT_COUNT ? 0 : kind == RT_NUMBER ? 4 : f->exponent;
	dec_status st = parse_decimal(s, n, scale, &out->i);
	if (st == DEC_OK)
		return true;
	char msg[RT_REJECT_MESSAGE_MAX];
	sbuf b = {msg, sizeof msg, 0};
	const char *path = render_path(d);
	if (st == DEC_DECIMALS) {
		if (kind == RT_COUNT) {
			sb_printf(&b, "`%s` must be a whole number: ", path);
			sb_raw(&b, s, n);
			sb_printf(&b, " has decimals");
		} else if (kind == RT_NUMBER) {
			sb_printf(&b, "`%s` is ", path);
			sb_raw(&b, s, n);
			sb_printf(&b, ", which has more than 4 decimals: numbers are exact to 4 decimals, round it");
		} else {
			sb_printf(&b, "`%s` is ", path);
			sb_raw(&b, s, n);
			if (f->exponent)
				sb_printf(&b, ", which has more decimals than %s has (%u): send amounts with at most %u decimals",
					  f->currency, f->exponent, f->exponent);
			else
				sb_printf(&b, ", but %s has no decimals: send whole amounts", f->currency);
		}
		return reject(d, RT_REJ_DECIMALS, (size_t)t->start, "%s", msg);
	}
	sb_printf(&b, "`%s` is out of range: ", path);
	sb_raw(&b, s, n);
	sb_printf(&b, " does not fit in %s, which goes from ", kind == RT_COUNT ? "a count" : kind == RT_NUMBER ? "a number" : "money");
	sb_limit(&b, scale, true);
	sb_printf(&b, " to ");
	sb_limit(&b, scale, false);
	if (kind == RT_MONEY)
		sb_printf(&b, " %s", f->currency);
	return reject(d, RT_REJ_RANGE, (size_t)t->start, "%s", msg);
}

/* Decodes an enum member name. */
static bool decode_enum(rt_decoder *d, const struct rt_field *f, const jsmntok_t *t, rt_value *out)
{
	const rt_enum *en = &d->s->enums[f->en];
	const char *p = NULL;
	size_t n = 0;
	if (!text_of(d, t, d->key, sizeof d->key, &p, &n))
		return false;
	int32_t m = rt_schema_member(en, p, n);
	if (m >= 0) {
		out->i = m;
		return true;
	}
	char msg[RT_REJECT_MESSAGE_MAX];
	sbuf b = {msg, sizeof msg, 0};
	sb_printf(&b, "`%s` has no choice ", render_path(d));
	sb_quote(&b, p, n);
	const char *sug = NULL;
	if (n < 64) {
		char name[64];
		memcpy(name, p, n);
		name[n] = 0;
		sug = diag_suggest(name, en->members, en->nmembers);
	}
	if (sug)
		sb_printf(&b, ": did you mean \"%s\"? The choices of `%s` are ", sug, en->name);
	else
		sb_printf(&b, ": the choices of `%s` are ", en->name);
	for (uint32_t i = 0; i < en->nmembers; i++)
		sb_printf(&b, "%s%s", i ? ", " : "", en->members[i]);
	return reject(d, RT_REJ_UNKNOWN_VALUE, raw_start(t), "%s", msg);
}

/* Decodes a date, a time or a duration through the clock library. */
static bool decode_time(rt_decoder *d, rt_kind kind, const jsmntok_t *t, rt_value *out)
{
	const char *p = NULL;
	size_t n = 0;
	if (!text_of(d, t, d->key, sizeof d->key, &p, &n))
		return false;
	clk_error err = {{0}, 0};
	bool ok = kind == RT_DATE	? clk_parse_date(p, n, &out->i, &err)
		  : kind == RT_TIMESTAMP ? clk_parse_rfc3339(p, n, &out->i, &err)
					 : clk_parse_duration(p, n, &out->i, &err);
	if (ok)
		return true;
	/* the reason's offset maps to the line only when the text had no escape */
	size_t pos = p == d->js + t->start && err.at <= n ? (size_t)t->start + err.at : raw_start(t);
	char msg[RT_REJECT_MESSAGE_MAX];
	sbuf b = {msg, sizeof msg, 0};
	sb_printf(&b, "`%s` is not a valid %s: ", render_path(d),
		  kind == RT_DATE ? "date" : kind == RT_TIMESTAMP ? "time" : "duration");
	sb_quote(&b, p, n);
	sb_printf(&b, ": %s", err.msg);
	return reject(d, RT_REJ_BAD_VALUE, pos, "%s", msg);
}

/* Decodes token t, which is not null, as a scalar of `kind` (field f's, or its items'). */
static bool decode_scalar(rt_decoder *d, const struct rt_field *f, rt_kind kind, const jsmntok_t *t, rt_value *out)
{
	switch (kind) {
	case RT_BOOL:
		if (t->type != JSMN_PRIMITIVE || (d->js[t->start] != 't' && d->js[t->start] != 'f'))
			return wrong_type(d, f, kind, t);
		out->i = d->js[t->start] == 't';
		return true;
	case RT_COUNT:
	case RT_NUMBER:
	case RT_MONEY:
		if (t->type != JSMN_PRIMITIVE || d->js[t->start] == 't' || d->js[t->start] == 'f' || d->js[t->start] == 'n')
			return wrong_type(d, f, kind, t);
		return decode_number(d, f, kind, t, out);
	case RT_STRING:
		if (t->type != JSMN_STRING)
			return wrong_type(d, f, kind, t);
		return copy_string(d, t, &out->s);
	case RT_ENUM:
		if (t->type != JSMN_STRING)
			return wrong_type(d, f, kind, t);
		return decode_enum(d, f, t, out);
	case RT_DATE:
	case RT_TIMESTAMP:
	case RT_DURATION:
		if (t->type != JSMN_STRING)
			return wrong_type(d, f, kind, t);
		return decode_time(d, kind, t, out);
	case RT_LIST:
		break;
	}
	return wrong_type(d, f, kind, t);
}

static bool is_null(const rt_decoder *d, const jsmntok_t *t)
{
	return t->type == JSMN_PRIMITIVE && d->js[t->start] == 'n';
}

static bool decode_members(rt_decoder *d, const rt_record *rec, int obj, rt_value *vals);

/* Decodes the object at token obj as a record `rec` into vals (1 + nfields
 * values), and checks that its required fields are there. */
static bool decode_record(rt_decoder *d, const rt_record *rec, int obj, rt_value *vals)
{
	memset(vals, 0, (1 + (size_t)rec->nfields) * sizeof *vals);
	if (!decode_members(d, rec, obj, vals))
		return false;
	uint64_t missing = rec->required & ~(uint64_t)vals[0].i;
	if (!missing)
		return true;
	uint32_t f = (uint32_t)__builtin_ctzll(missing);
	const struct rt_field *fd = &rec->fields[f];
	char msg[RT_REJECT_MESSAGE_MAX];
	sbuf b = {msg, sizeof msg, 0};
	const char *where = render_path(d);
	if (rec->is_event && f == RT_FIELD_ID) {
		push_key(d, fd->name, fd->name_len);
		return reject(d, RT_REJ_NO_ID, (size_t)d->tok[obj].start,
			      "the event has no `id`: add \"id\" with a unique text for each event (such as "
			      "\"pos-17-000123\"), so that it is applied exactly once");
	}
	if (rec->is_event && f == RT_FIELD_AT) {
		push_key(d, fd->name, fd->name_len);
		return reject(d, RT_REJ_BAD_AT, (size_t)d->tok[obj].start,
			      "the event has no `at`: add the time it happened, such as \"at\": "
			      "\"2027-03-01T10:15:00+01:00\" (RFC 3339, with its UTC offset)");
	}
	if (where)
		sb_printf(&b, "`%s` (`%s`) has no `%s`", where, rec->name, fd->name);
	else
		sb_printf(&b, "the `%s` event has no `%s`", rec->name, fd->name);
	sb_printf(&b, "; it is required: ");
	sb_expected(d, &b, fd, fd->kind);
	push_key(d, fd->name, fd->name_len);
	return reject(d, RT_REJ_MISSING, (size_t)d->tok[obj].start, "%s", msg);
}

/* Decodes a list field from the array token t. */
static bool decode_list(rt_decoder *d, const struct rt_field *f, int arr, rt_value *out)
{
	const jsmntok_t *t = &d->tok[arr];
	if (t->type != JSMN_ARRAY)
		return wrong_type(d, f, RT_LIST, t);
	uint32_t n = (uint32_t)t->size;
	if (n > RT_DECODE_MAX_ITEMS)
		return reject(d, RT_REJ_LIMIT, (size_t)t->start,
			      "`%s` has %u items, more than the limit of %u: split the event", render_path(d), n,
			      RT_DECODE_MAX_ITEMS);
	const rt_record *rec = f->elem_record >= 0 ? &d->s->records[f->elem_record] : NULL;
	uint32_t stride = rec ? 1 + rec->nfields : 1;
	rt_value *items = NULL;
	if (n) {
		items = mem_alloc(d, (size_t)n * stride * sizeof *items);
		if (!items)
			return nomem(d);
	}
	int j = arr + 1;
	for (uint32_t k = 0; k < n; k++) {
		const jsmntok_t *it = &d->tok[j];
		push_index(d, k);
		if (is_null(d, it)) {
			char msg[RT_REJECT_MESSAGE_MAX];
			sbuf b = {msg, sizeof msg, 0};
			sb_printf(&b, "`%s` is null, but a list holds no nulls: remove it, or give ", render_path(d));
			if (rec)
				sb_printf(&b, "%s `%s` object", rec->name[0] && strchr("aeiou", rec->name[0]) ? "an" : "a", rec->name);
			else
				sb_expected(d, &b, f, f->elem);
			return reject(d, RT_REJ_WRONG_TYPE, (size_t)it->start, "%s", msg);
		}
		if (rec) {
			if (it->type != JSMN_OBJECT) {
				char msg[RT_REJECT_MESSAGE_MAX];
				sbuf b = {msg, sizeof msg, 0};
				sb_printf(&b, "`%s` must be an object (`%s`), such as {\"%s\": ...}, not ", render_path(d), rec->name,
					  rec->nfields ? rec->fields[0].name : "");
				sb_found(d, &b, it);
				return reject(d, RT_REJ_WRONG_TYPE, raw_start(it), "%s", msg);
			}
			if (!decode_record(d, rec, j, items + (size_t)k * stride))
				return false;
		} else if (!decode_scalar(d, f, f->elem, it, &items[k])) {
			return false;
		}
		d->depth--;
		j = d->after[j];
	}
	out->list = (rt_list){items, n, stride};
	return true;
}

/* The index of the field of `rec` named by key token `key`, or -1.
 * Producers usually write the fields in the order they are declared, so
 * field `guess` (the one after the previous key's) is tried before the
 * hash table. */
static int32_t key_field(rt_decoder *d, const rt_record *rec, const jsmntok_t *key, uint32_t guess)
{
	const char *s = d->js + key->start;
	size_t n = (size_t)(key->end - key->start);
	if (HAS_ESCAPE(key)) {
		if (n > sizeof d->key)
			return -1; /* unescaped, still longer than any name we keep */
		n = unescape(s, n, d->key);
		s = d->key;
	}
	if (guess < rec->nfields && rec->fields[guess].name_len == n && memcmp(rec->fields[guess].name, s, n) == 0)
		return (int32_t)guess;
	return rt_schema_field(rec, s, n);
}

/* Decodes the members of the object at token obj that `rec` knows. */
static bool decode_members(rt_decoder *d, const rt_record *rec, int obj, rt_value *vals)
{
	uint64_t seen = 0;
	uint32_t guess = 0;
	int j = obj + 1;
	for (int k = 0; k < d->tok[obj].size; k++) {
		const jsmntok_t *key = &d->tok[j];
		int val = j + 1;
		int next = d->after[val];
		int32_t f = key_field(d, rec, key, guess);
		if (f < 0) {
			j = next;
			continue;
		}
		guess = (uint32_t)f + 1;
		const struct rt_field *fd = &rec->fields[f];
		uint64_t bit = UINT64_C(1) << f;
		push_key(d, fd->name, fd->name_len);
		if (seen & bit)
			return reject(d, RT_REJ_DUPLICATE, raw_start(key),
				      "the key `%s` appears twice in one object: keep one (the decoder does not guess which "
				      "is right)",
				      render_path(d));
		seen |= bit;
		const jsmntok_t *t = &d->tok[val];
		if (is_null(d, t)) {
			if (rec->required & bit) {
				rt_reject_code code = !rec->is_event ? RT_REJ_MISSING
						      : f == RT_FIELD_ID ? RT_REJ_NO_ID
						      : f == RT_FIELD_AT ? RT_REJ_BAD_AT
									 : RT_REJ_MISSING;
				char msg[RT_REJECT_MESSAGE_MAX];
				sbuf b = {msg, sizeof msg, 0};
				sb_printf(&b, "`%s` is null, but it is required: give ", render_path(d));
				if (rec->is_event && f == RT_FIELD_ID)
					sb_printf(&b, "a unique text for each event, such as \"pos-17-000123\"");
				else
					sb_expected(d, &b, fd, fd->kind);
				return reject(d, code, (size_t)t->start, "%s", msg);
			}
			d->depth--;
			j = next;
			continue;
		}
		if (fd->unsupported)
			return reject(d, RT_REJ_UNSUPPORTED, raw_start(t),
				      "`%s` holds a record directly, or a list of lists, which the runtime cannot decode yet: "
				      "declare it as a list of records, or flatten it",
				      render_path(d));
		bool ok = fd->kind == RT_LIST ? decode_list(d, fd, val, &vals[1 + f])
					      : decode_scalar(d, fd, fd->kind, t, &vals[1 + f]);
		if (!ok) {
			/* the implicit fields have codes of their own */
			if (rec->is_event && d->why->code != RT_REJ_NOMEM) {
				if (f == RT_FIELD_ID)
					d->why->code = RT_REJ_NO_ID;
				else if (f == RT_FIELD_AT)
					d->why->code = RT_REJ_BAD_AT;
			}
			return false;
		}
		if (rec->is_event && (f == RT_FIELD_ID || f == RT_FIELD_CUSTOMER) && vals[1 + f].s.len == 0)
			return reject(d, f == RT_FIELD_ID ? RT_REJ_NO_ID : RT_REJ_BAD_VALUE, raw_start(t),
				      f == RT_FIELD_ID ? "`id` is empty: give each event a unique text, such as \"pos-17-000123\""
						       : "`customer` is empty: give the customer's id, or leave `customer` out "
							 "(or null) for an anonymous event");
		vals[0].i |= (int64_t)bit;
		d->depth--;
		j = next;
	}
	return true;
}

/* Rejects an unknown `type`, with the likely intended event. */
static bool unknown_type(rt_decoder *d, const char *p, size_t n, size_t pos)
{
	const rt_schema *s = d->s;
	char msg[RT_REJECT_MESSAGE_MAX];
	sbuf b = {msg, sizeof msg, 0};
	char name[64] = "";
	if (n < sizeof name) {
		memcpy(name, p, n);
		name[n] = 0;
	}
	for (uint32_t i = 0; i < s->nrecords && name[0]; i++) {
		const rt_record *r = &s->records[i];
		if (strcmp(r->name, name) != 0)
			continue;
		if (!r->is_event)
			sb_printf(&b, "`%s` is a record (a part of an event), not an event: ", name);
		else
			sb_printf(&b, "the event `%s` is in a library the program does not `use`: ", name);
		break;
	}
	if (!b.len) {
		sb_printf(&b, "unknown event type ");
		sb_quote(&b, p, n);
		const char *sug = name[0] ? diag_suggest(name, s->events, s->nevents) : NULL;
		if (sug)
			sb_printf(&b, ": did you mean \"%s\"? The", sug);
		else
			sb_printf(&b, ": the");
		sb_printf(&b, " events of this program are ");
	} else {
		sb_printf(&b, "the events of this program are ");
	}
	for (uint32_t i = 0; i < s->nevents; i++)
		sb_printf(&b, "%s%s", i ? ", " : "", s->events[i]);
	if (!s->nevents)
		sb_printf(&b, "none (it neither declares events nor uses a library that does)");
	return reject(d, RT_REJ_UNKNOWN_TYPE, pos, "%s", msg);
}

static bool decode_event(rt_decoder *d, rt_event *out)
{
	const rt_schema *s = d->s;
	/* `type` first: it says what the other keys mean */
	int type_val = -1;
	int j = 1;
	for (int k = 0; k < d->tok[0].size; k++) {
		const jsmntok_t *key = &d->tok[j];
		size_t n = (size_t)(key->end - key->start);
		const char *kp = d->js + key->start;
		if (HAS_ESCAPE(key) && n <= sizeof d->key) {
			n = unescape(kp, n, d->key);
			kp = d->key;
		}
		if (n == 4 && !memcmp(kp, "type", 4)) {
			if (type_val >= 0) {
				push_key(d, "type", 4);
				return reject(d, RT_REJ_DUPLICATE, raw_start(key),
					      "the key `type` appears twice: an event has one type");
			}
			type_val = j + 1;
		}
		j = d->after[j + 1];
	}
	if (type_val < 0)
		return reject(d, RT_REJ_NO_TYPE, 0,
			      "the event has no `type`: add \"type\" with the name of the event, such as \"type\": \"%s\"",
			      s->nevents ? s->events[0] : "purchase");
	const jsmntok_t *t = &d->tok[type_val];
	push_key(d, "type", 4);
	if (t->type != JSMN_STRING) {
		char msg[RT_REJECT_MESSAGE_MAX];
		sbuf b = {msg, sizeof msg, 0};
		sb_printf(&b, "`type` must be the name of an event in double quotes, such as \"%s\", not ",
			  s->nevents ? s->events[0] : "purchase");
		sb_found(d, &b, t);
		return reject(d, RT_REJ_NO_TYPE, raw_start(t), "%s", msg);
	}
	const char *p = NULL;
	size_t n = 0;
	if (!text_of(d, t, d->key, sizeof d->key, &p, &n))
		return false;
	int32_t type = rt_schema_event(s, p, n);
	if (type < 0)
		return unknown_type(d, p, n, raw_start(t));
	d->depth = 0;

	const rt_record *rec = &s->records[type];
	rt_value *vals = mem_alloc(d, (1 + (size_t)rec->nfields) * sizeof *vals);
	if (!vals)
		return nomem(d);
	if (!decode_record(d, rec, 0, vals))
		return false;
	out->type = (uint32_t)type;
	out->values = vals;
	return true;
}

/* ---- the entry point ---- */

/* The first step: what the line is before any parsing. Returns the status
 * to give back, or -1 to go on with parsing. */
static int guards(rt_decoder *d)
{
	if (d->n > RT_DECODE_MAX_LINE)
		return reject(d, RT_REJ_LIMIT, SIZE_MAX,
			      "the line is %zu bytes long, over the limit of %u (1 MiB): are several events on one line, "
			      "without a newline between them?",
			      d->n, RT_DECODE_MAX_LINE),
		       RT_DECODE_REJECT;
	if (d->n >= 3 && !memcmp(d->js, "\xEF\xBB\xBF", 3)) {
		d->js += 3;
		d->n -= 3;
		d->off = 3;
	}
	size_t i = 0;
	while (i < d->n && is_blank(d->js[i]))
		i++;
	if (i == d->n)
		return RT_DECODE_EMPTY;
	char c = d->js[i];
	if (c == '{')
		return -1; /* the depth is checked before jsmn sees the line (fast_parse checks it on its own) */
	const char *what = c == '[' ? "a list" : c == '"' ? "a string" : c == '-' || (c >= '0' && c <= '9') ? "a number"
					   : c == 't' || c == 'f' ? "a boolean" : c == 'n' ? "null" : NULL;
	if (!what) {
		char buf[24], msg[160];
		snprintf(msg, sizeof msg, "expected an object in { }, found %s", describe_byte(d, i, buf));
		bad_json(d, i, msg);
		return RT_DECODE_REJECT;
	}
	reject(d, RT_REJ_NOT_OBJECT, i,
	       "the line is %s, not an object: each line must be one event, such as {\"type\": \"%s\", \"id\": "
	       "\"...\", \"at\": \"...\", ...}",
	       what, d->s->nevents ? d->s->events[0] : "purchase");
	return RT_DECODE_REJECT;
}

rt_decode_status rt_decode_json(rt_decoder *d, const char *line, size_t len, rt_event *out, rt_reject *why)
{
	d->why = why ? why : &d->scratch;
	d->js = line;
	d->n = len;
	d->off = 0;
	d->depth = 0;
	d->ntok = 0;
	mem_reset(d);
	if (d->captok > FIRST_TOKENS && (size_t)d->captok * (sizeof *d->tok + sizeof *d->after) > KEEP_BYTES) {
		/* a shrinking realloc that fails leaves the block as it was: either
		 * way both arrays keep room for FIRST_TOKENS */
		jsmntok_t *t = realloc(d->tok, FIRST_TOKENS * sizeof *t);
		int *a = realloc(d->after, FIRST_TOKENS * sizeof *a);
		if (t)
			d->tok = t;
		if (a)
			d->after = a;
		d->captok = FIRST_TOKENS;
	}
	int g = guards(d);
	if (g >= 0)
		return (rt_decode_status)g;
	if ((d->slow || !fast_parse(d)) && (!check_depth(d) || !tokenize(d) || !validate(d)))
		return d->why->code == RT_REJ_NOMEM ? RT_DECODE_NOMEM : RT_DECODE_REJECT;
	if (d->tok[0].type != JSMN_OBJECT) {
		reject(d, RT_REJ_NOT_OBJECT, 0, "the line is not an object");
		return RT_DECODE_REJECT;
	}
	if (!decode_event(d, out))
		return d->why->code == RT_REJ_NOMEM ? RT_DECODE_NOMEM : RT_DECODE_REJECT;
	return RT_DECODE_OK;
}
