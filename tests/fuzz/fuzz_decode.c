/* fuzz_decode.c — libFuzzer target: decode arbitrary bytes as event lines.
 *
 * Build: CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
 *        ninja -C build-fuzz fuzz_decode
 * Run:   build-fuzz/fuzz_decode -max_total_time=60 -max_len=4096 CORPUS_DIR
 *        (seed the corpus with a few lines of bench-gen and tools/realdata.py output)
 *
 * The schema is the standard retail one (`program "fuzz" use retail`) plus
 * an event with every kind of field, built once. Each input is split at
 * newlines and every piece is decoded with one decoder, as `ludic run` reads
 * a stream, so a line is also decoded right after any other (buffer reuse).
 * The whole input is then decoded as one line too. The target checks the
 * contract, not the wording: a status among the four, a non-empty message
 * on a reject, a column inside the line, a valid event on success (every
 * required field present, strings NUL-terminated, enum values in range,
 * lists within the limits), and sanitizers watch memory.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "decode.h"
#include "schema.h"

static const char program[] = "program \"fuzz\"\n"
			      "use retail\n"
			      "enum color { red, green, blue }\n"
			      "record item {\n  name: string\n  price: money\n  qty: count\n}\n"
			      "event kinds {\n  b: bool optional\n  c: count optional\n  n: number optional\n"
			      "  m: money optional\n  d: duration optional\n  dt: date optional\n"
			      "  ts: timestamp optional\n  s: string optional\n  e: color optional\n"
			      "  ls: list of string optional\n  li: list of item optional\n"
			      "  le: list of color optional\n  lm: list of money optional\n}\n";

/* Built on the first input and kept: libFuzzer has no tear-down hook. */
static rt_schema *schema(void)
{
	static rt_schema *s;
	if (!s) {
		compilation c;
		cmp_init(&c);
		cmp_add_text(&c, "fuzz.ludic", program, sizeof program - 1, false);
		cmp_check(&c);
		s = rt_schema_build(c.result);
		cmp_release(&c);
		if (!s)
			abort();
	}
	return s;
}

static void check_record(const rt_schema *s, const rt_record *rec, const rt_value *vals);

static void check_value(const rt_schema *s, const struct rt_field *f, rt_kind kind, const rt_value *v)
{
	if (kind == RT_STRING && (!v->s.p || v->s.p[v->s.len] != 0 || memchr(v->s.p, 0, v->s.len)))
		abort(); /* NUL-terminated, no NUL inside */
	if (kind == RT_ENUM && (v->i < 0 || v->i >= (int64_t)s->enums[f->en].nmembers))
		abort();
	if (kind == RT_BOOL && v->i != 0 && v->i != 1)
		abort();
}

static void check_record(const rt_schema *s, const rt_record *rec, const rt_value *vals)
{
	if ((rec->required & ~(uint64_t)vals[0].i) != 0)
		abort(); /* a required field is missing */
	for (uint32_t f = 0; f < rec->nfields; f++) {
		if (!rt_present(vals, f))
			continue;
		const struct rt_field *fd = &rec->fields[f];
		const rt_value *v = rt_field(vals, f);
		if (fd->kind != RT_LIST) {
			check_value(s, fd, fd->kind, v);
			continue;
		}
		if (v->list.n > RT_DECODE_MAX_ITEMS)
			abort();
		for (uint32_t k = 0; k < v->list.n; k++) {
			const rt_value *item = v->list.items + (size_t)k * v->list.stride;
			if (fd->elem_record >= 0)
				check_record(s, &s->records[fd->elem_record], item);
			else
				check_value(s, fd, fd->elem, item);
		}
	}
}

static void decode(rt_decoder *d, const rt_schema *s, const char *line, size_t len)
{
	rt_event ev;
	rt_reject why;
	rt_decode_status st = rt_decode_json(d, line, len, &ev, &why);
	switch (st) {
	case RT_DECODE_OK:
		if (ev.type >= s->nrecords || !s->records[ev.type].decodable)
			abort();
		check_record(s, &s->records[ev.type], ev.values);
		break;
	case RT_DECODE_EMPTY:
		break;
	case RT_DECODE_REJECT:
	case RT_DECODE_NOMEM:
		if (!why.message[0] || why.code >= RT_REJ_COUNT || why.column > len + 1 ||
		    !memchr(why.message, 0, sizeof why.message))
			abort();
		break;
	default:
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const rt_schema *s = schema();
	rt_decoder *d = rt_decoder_new(s);
	if (!d)
		return 0;
	/* A copy of exactly `size` bytes: any read past the line is caught. */
	char *text = malloc(size ? size : 1);
	if (!text) {
		rt_decoder_free(d);
		return 0;
	}
	memcpy(text, data, size);
	for (size_t i = 0; i < size;) {
		const char *nl = memchr(text + i, '\n', size - i);
		size_t end = nl ? (size_t)(nl - text) + 1 : size;
		decode(d, s, text + i, end - i);
		i = end;
	}
	decode(d, s, text, size);
	free(text);
	rt_decoder_free(d);
	return 0;
}
