/* loyalty.c — embedding ludic: the retailer's programme applied to a few
 * events, from C, with nothing but the public header.
 *
 *   cc loyalty.c $(pkg-config --cflags --libs ludic) -o loyalty
 *   ./loyalty path/to/examples/retailer/base.ludic
 *
 * It compiles the rules, makes an engine whose callback prints every effect
 * as one line of JSON, pushes events in JSON and one typed event, shows a
 * duplicate and a late event being turned away, lets a month pass, and
 * prints one customer's balance and status. docs/embedding.md walks through
 * it. */
#include <stdio.h>
#include <string.h>

#include <ludic.h>

/* Every effect, as one JSON line on standard output. */
static void print_effect(void *user, const ludic_effect *fx)
{
	(void)user;
	char line[1024];
	ludic_effect_to_json(fx, line, sizeof line);
	printf("effect %s\n", line);
}

/* Every refused event, with its reason. */
static void print_reject(void *user, const ludic_reject *r)
{
	(void)user;
	printf("reject line %llu: %s (%s): %s\n", r->line, r->code, r->field ? r->field : "-", r->message);
}

static const char *push_result(int r)
{
	switch (r) {
	case LUDIC_APPLIED: return "applied";
	case LUDIC_DUPLICATE: return "duplicate";
	case LUDIC_REJECTED: return "rejected";
	case LUDIC_ANONYMOUS: return "anonymous";
	case LUDIC_BLANK: return "blank";
	}
	return "misuse";
}

int main(int argc, char **argv)
{
	const char *rules = argc > 1 ? argv[1] : "examples/retailer/base.ludic";

	/* 1. compile and check the rules */
	ludic_compiler *c = ludic_compiler_new();
	ludic_compiler_add_file(c, rules, 0);
	ludic_program *prog = NULL;
	ludic_status s = ludic_program_new(c, &prog);
	if (s != LUDIC_OK) {
		ludic_compiler_render(c, stderr, LUDIC_FORMAT_TEXT, 0);
		fprintf(stderr, "loyalty: %s\n", ludic_status_message(s));
		ludic_compiler_free(c);
		return 1;
	}
	ludic_compiler_free(c); /* the program keeps what it needs */
	printf("program %s %s\n", ludic_program_name(prog), ludic_program_version(prog));

	/* 2. an engine that prints effects and rejects */
	ludic_engine_options opt = {.on_effect = print_effect, .on_reject = print_reject};
	ludic_engine *eng = NULL;
	if (ludic_engine_new(prog, &opt, &eng) != LUDIC_OK) {
		fprintf(stderr, "loyalty: cannot make an engine\n");
		ludic_program_free(prog);
		return 1;
	}

	/* 3. events as JSON Lines (docs/events.md) */
	const char *events[] = {
		"{\"type\":\"signup\",\"id\":\"crm-1\",\"customer\":\"c-1\",\"at\":\"2027-03-01T09:30:00+01:00\","
		"\"channel\":\"store\",\"region\":\"north\"}",
		"{\"type\":\"purchase\",\"id\":\"pos-1\",\"customer\":\"c-1\",\"at\":\"2027-03-01T10:15:00+01:00\","
		"\"lines\":[{\"sku\":\"SEED-TOM\",\"category\":\"garden\",\"tags\":[\"sustainable\"],\"quantity\":3,"
		"\"unit_price\":2.50,\"price\":7.50},{\"sku\":\"MUG\",\"category\":\"kitchen\",\"tags\":[],\"quantity\":1,"
		"\"unit_price\":12.50,\"price\":12.50}],\"total\":20.00,\"channel\":\"store\",\"payment\":\"card\","
		"\"checkout\":\"till\",\"store\":\"S01\",\"region\":\"north\",\"staff\":\"staff-7\"}",
		/* the same purchase sent twice: applied once */
		"{\"type\":\"purchase\",\"id\":\"pos-1\",\"customer\":\"c-1\",\"at\":\"2027-03-01T10:15:00+01:00\","
		"\"lines\":[],\"total\":20.00,\"channel\":\"store\",\"payment\":\"card\",\"checkout\":\"till\","
		"\"store\":\"S01\",\"region\":\"north\"}",
		/* more than two hours before the customer's latest event: too late */
		"{\"type\":\"visit\",\"id\":\"chk-1\",\"customer\":\"c-1\",\"at\":\"2027-03-01T07:00:00+01:00\","
		"\"store\":\"S01\",\"region\":\"north\"}",
	};
	for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
		int r = ludic_engine_push_json(eng, events[i], strlen(events[i]), i + 1);
		printf("event %zu: %s\n", i + 1, push_result(r));
	}

	/* 4. a typed event: a web purchase of 45.00 EUR, no JSON involved */
	int purchase = ludic_program_event_type(prog, "purchase");
	int lines = ludic_program_field(prog, purchase, -1, "lines");
	ludic_event *ev = ludic_event_new(prog);
	ludic_event_reset(ev, purchase);
	ludic_event_set_string(ev, ludic_program_field(prog, purchase, -1, "id"), "web-1", 5);
	ludic_event_set_string(ev, ludic_program_field(prog, purchase, -1, "customer"), "c-1", 3);
	ludic_event_set_int(ev, ludic_program_field(prog, purchase, -1, "at"), 1804500000); /* 2027-03-08T10:00:00Z */
	int line = ludic_event_add_item(ev, lines, NULL, 0);
	ludic_event_set_item_string(ev, lines, line, ludic_program_field(prog, purchase, lines, "sku"), "PLANTER", 7);
	ludic_event_set_item_string(ev, lines, line, ludic_program_field(prog, purchase, lines, "category"), "garden", 6);
	ludic_event_set_item_int(ev, lines, line, ludic_program_field(prog, purchase, lines, "quantity"), 1);
	ludic_event_set_item_int(ev, lines, line, ludic_program_field(prog, purchase, lines, "unit_price"), 4500);
	ludic_event_set_item_int(ev, lines, line, ludic_program_field(prog, purchase, lines, "price"), 4500);
	ludic_event_set_int(ev, ludic_program_field(prog, purchase, -1, "total"), 4500); /* cents */
	ludic_event_set_choice(ev, ludic_program_field(prog, purchase, -1, "channel"), "web");
	ludic_event_set_choice(ev, ludic_program_field(prog, purchase, -1, "payment"), "card");
	ludic_event_set_choice(ev, ludic_program_field(prog, purchase, -1, "checkout"), "home_delivery");
	ludic_event_set_string(ev, ludic_program_field(prog, purchase, -1, "store"), "WEB", 3);
	ludic_event_set_string(ev, ludic_program_field(prog, purchase, -1, "region"), "north", 5);
	printf("typed event: %s\n", push_result(ludic_engine_push(eng, ev)));
	ludic_event_free(ev);

	/* 5. let time pass to 2027-04-01 (the pending points are released,
	 * the monthly tier review runs) */
	ludic_engine_advance(eng, 1806530400); /* 2027-04-01T00:00:00+02:00 */

	/* 6. what the customer has now */
	ludic_customer_view v;
	if (ludic_engine_customer(eng, "c-1", 3, &v) == LUDIC_OK) {
		for (size_t i = 0; i < v.nbalances; i++)
			printf("c-1 %s: balance %lld, pending %lld, earned %lld\n", v.balances[i].wallet,
			       v.balances[i].balance, v.balances[i].pending, v.balances[i].earned);
		for (size_t i = 0; i < v.nladders; i++)
			printf("c-1 %s: %s\n", v.ladders[i].ladder, v.ladders[i].rung ? v.ladders[i].rung : "-");
	}

	ludic_engine_stats st;
	ludic_engine_stats_get(eng, &st);
	printf("events %llu, applied %llu, duplicates %llu, rejected %llu, customers %llu, staff %llu\n", st.events,
	       st.applied, st.duplicates, st.rejected, st.customers, st.staff);

	ludic_engine_free(eng);
	ludic_program_free(prog);
	return 0;
}
