#!/usr/bin/env python3
"""genprog.py — a random, well-typed ludic program and a random stream of
events for it, the same for the same seed, for differential testing
(tests/diff/random.py runs both engines on them and compares).

    genprog.py [--edges] SEED OUTBASE
        writes OUTBASE.ludic (the program), OUTBASE.jsonl (the events),
        OUTBASE.until (when to let time pass: `N TIME` after N events, or
        `TIME` at the end; diffrun --schedule reads it) and, for some seeds,
        OUTBASE.overlay.ludic (an overlay for a region or some stores: the
        program is then both files)

The program is drawn from the language's constructs (docs/language.md):
wallets with expiry and pending periods, points on spend with multipliers
and rounding, caps and budgets, once, tiers with hold and reviews, levels,
missions with steps and deadlines, streaks with grace, badges, basket
conditions over lines, history windows, time-driven rules, notify with
arguments, a catalogue, debits, staff quests, params and experiments,
exclusive groups, region and store scoping, campaign dates, custom events.
The events follow the program's event types: purchases with baskets,
returns of earlier purchases, redemptions of its rewards, app events,
visits, sign-ups with birthdays, reviews, referrals, custom events; with
duplicates, late events, malformed lines, anonymous events and jumps of
days to months so that time-driven rules fire.

Python 3, standard library only; deterministic per seed (random.Random).
Every program must pass `ludic check`: one that does not is a bug here.
"""
import json
import random
import sys

CATEGORIES = ["garden", "kitchen", "furniture", "seeds", "textile", "tools"]
TAGS = ["sustainable", "organic", "local", "promo"]
CHANNELS = ["store", "web", "app"]
PAYMENTS = ["card", "cash", "mobile_wallet", "bank_app", "gift_card", "voucher", "points"]
CHECKOUTS = ["till", "self_checkout", "click_collect", "home_delivery"]
ACTIONS = ["refund", "exchange", "repair", "resale", "refill", "recycle"]
STORES = ["S01", "S02", "PAR01", "LIL02"]
REGIONS = ["north", "south"]
APP_ACTIONS = ["open", "share", "scan"]
ZONES = ["Europe/Paris", "UTC", "America/New_York", "Australia/Lord_Howe"]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.seed = seed
        self.out = []
        self.names = set()
        self.rule_names = []       # every rule, mission and streak name (for skip)
        self.wallets = {}          # name -> {"expires": bool, "pending": bool, "staff": bool}
        self.badges = []
        self.ladders = {}          # name -> rungs (list of names)
        self.params = []
        self.items = []            # catalogue reward names
        self.custom = None         # the custom event, if any
        self.planting = False      # the custom event with a list of records, declared
        self.events_used = set()
        self.plain_rules = []      # (name, keyword, event) of rules an overlay may override

    # ---- helpers ----
    def chance(self, p):
        return self.r.random() < p

    def pick(self, xs):
        return self.r.choice(xs)

    def name(self, stem):
        n = stem
        i = 2
        while n in self.names:
            n = f"{stem} {i}"
            i += 1
        self.names.add(n)
        return n

    def emit(self, text=""):
        self.out.append(text)

    # ---- expressions ----
    def money(self, lo, hi):
        return f"{self.r.randint(lo, hi)} EUR"

    def line_cond(self):
        """A condition on one basket line."""
        cat, tag = self.pick(CATEGORIES), self.pick(TAGS)
        return self.pick([
            lambda: f'category = "{cat}"',
            lambda: f'"{tag}" in tags',
            lambda: f"unit_price >= {self.money(5, 80)}",
            lambda: f"quantity >= {self.r.randint(2, 4)}",
            lambda: f'category in {{"{cat}", "{self.pick(CATEGORIES)}"}}',
            lambda: f'category = "{cat}" and not "{tag}" in tags',
            lambda: f"count(tags) >= {self.r.randint(1, 2)}",
            lambda: f"quantity * unit_price >= {self.money(20, 100)}",
            lambda: self.pick(["price > unit_price", "sku = category", "price != unit_price",
                               f'category not in {{"{cat}", "{self.pick(CATEGORIES)}"}}']),
        ])()

    def lines_where(self):
        return "lines" if self.chance(0.2) else f"lines where {self.line_cond()}"

    def history(self):
        """A condition about the customer's history, status or balances."""
        c = self.r.randint(0, 7)
        days = self.pick([7, 30, 90, 365])
        if c == 0:
            return f"count(purchase in last {days} days) >= {self.r.randint(1, 4)}"
        if c == 1:
            return f"sum(total of purchase in last {days} days) >= {self.money(20, 300)}"
        if c == 2 and self.customer_wallets():
            w = self.pick(self.customer_wallets())
            return f"{w} earned in last {days} days >= {self.r.randint(10, 300)}"
        if c == 3 and self.customer_wallets():
            return f"balance({self.pick(self.customer_wallets())}) >= {self.r.randint(10, 200)}"
        if c == 4 and self.ladders:
            lad = self.pick(list(self.ladders))
            op = self.pick(["=", ">=", "!=", "<"])
            # `< lowest rung` is never true: a mission step with it is an error (E0401).
            rungs = self.ladders[lad][1:] if op == "<" else self.ladders[lad]
            return f"{lad} {op} {self.pick(rungs)}"
        if c == 5:
            return f"count(visit in this {self.pick(['week', 'month'])}) >= {self.r.randint(1, 3)}"
        if c == 6 and "return" in self.events_used:
            return f"count(return in last {days} days where action in {{repair, resale}}) >= 1"
        return f"count(purchase in last {days} days) = 0"

    def event_cond(self, ev, depth=0):
        r = self.r
        if depth < 2 and self.chance(0.25):
            op = self.pick(["and", "or"])
            return f"({self.event_cond(ev, depth + 1)}) {op} ({self.event_cond(ev, depth + 1)})"
        if depth < 2 and self.chance(0.08):
            return f"not ({self.event_cond(ev, depth + 1)})"
        if self.chance(0.2):
            return self.history()
        if ev == "purchase":
            c = r.randint(0, 11)
            return [
                lambda: f"total >= {self.money(10, 150)}",
                lambda: f"channel = {self.pick(CHANNELS)}",
                lambda: f"payment in {{{self.pick(PAYMENTS)}, {self.pick(PAYMENTS)}}}",
                lambda: f"checkout = {self.pick(CHECKOUTS)}",
                lambda: f"any(lines where {self.line_cond()})",
                lambda: f"all(lines where {self.line_cond()})",
                lambda: f"count({self.lines_where()}) >= {r.randint(1, 3)}",
                lambda: f"sum(price of {self.lines_where()}) >= {self.money(10, 90)}",
                lambda: f'store in {{"{self.pick(STORES)}", "{self.pick(STORES)}"}}',
                lambda: f'region = "{self.pick(REGIONS)}"',
                lambda: f"checkout = click_collect and pickup <= {r.randint(1, 4)} hours",
                lambda: f"sum(quantity of {self.lines_where()}) >= {r.randint(2, 6)}",
                lambda: f"total < sum(price of {self.lines_where()})",
                lambda: f"total - {self.money(5, 50)} > -{self.money(1, 9)}",
                lambda: f"count(lines) = sum(quantity of lines)",
                lambda: f"(count(lines) != sum(quantity of lines)) or (total > sum(price of {self.lines_where()}))",
                lambda: f"count({self.lines_where()}) <= count(lines where {self.line_cond()})",
            ][r.randint(0, 16)]()
        if ev == "return":
            return self.pick([
                f"action in {{{self.pick(ACTIONS)}, {self.pick(ACTIONS)}}}",
                f"action = {self.pick(ACTIONS)}",
                f"value >= {self.money(5, 60)}",
                f"count(lines) >= {r.randint(1, 2)}",
            ])
        if ev == "visit":
            return self.pick([f'store = "{self.pick(STORES)}"', f'region = "{self.pick(REGIONS)}"'])
        if ev == "app":
            return f'action = "{self.pick(APP_ACTIONS)}"'
        if ev == "signup":
            return self.pick([f"channel = {self.pick(CHANNELS)}", "birthday >= 1900-01-01",
                              f'region = "{self.pick(REGIONS)}"'])
        if ev == "review":
            return f"rating >= {r.randint(1, 5)}"
        if ev == "redemption" and self.items:
            return self.pick([f'item = "{self.pick(self.items)}"', f"channel = {self.pick(CHANNELS)}"])
        if ev == "planting":
            sp = self.pick(["oak", "ash", "rose"])
            return self.pick([f"any(plants where height > {r.randint(1, 3)}.5)",
                              f'count(plants where species not in {{"{sp}", "ash"}}) >= 1',
                              f'site = "garden-{r.randint(1, 2)}"',
                              f'all(plants where species = "{sp}")'])
        if ev == "workshop":
            return self.pick([f'"{self.pick(TAGS)}" in tags', f"count(tags) > {r.randint(0, 2)}",f"kind = {self.pick(['pruning', 'composting', 'seed_swap'])}",
                              f"paid > {self.money(0, 20)}", f"length >= {r.randint(1, 3)} hours"])
        return self.history()

    def amount(self, ev, wallet):
        """An amount of points for an award on `ev`."""
        r = self.r
        c = r.randint(0, 6)
        if ev == "purchase" and c == 4 and self.chance(0.4):
            # a division by a count that may be 0 (the basket may be empty)
            return self.pick(["total / (count(lines) + 1) / 1 EUR", "total / count(lines) / 1 EUR"])
        if ev == "purchase":
            if c == 0:
                return f"total / {self.pick([1, 2, 5])} EUR"
            if c == 1:
                return f"sum(price of {self.lines_where()}) / 1 EUR"
            if c == 2:
                return f"sum(quantity of {self.lines_where()})"
            if c == 3:
                return f"floor(total / {self.pick([1, 10])} EUR)"
            if c == 4:
                return f"min(total / 1 EUR, {r.randint(5, 80)})"
        if c == 6:
            return self.pick([
                f"max({r.randint(1, 9)}, {r.randint(1, 9)} * count(purchase in last 30 days))",
                f"abs({r.randint(1, 20)} - count(visit in last 30 days))",
                f"max(-{r.randint(1, 5)}, {r.randint(1, 30)} - count(purchase in last 90 days))",
                f"max(-count(visit in last 30 days), {r.randint(1, 9)})",
                f"min(count(purchase in last 30 days), {r.randint(1, 9)})",
            ])
        if ev == "purchase" and c == 5 and not self.params:
            return f"max(total / 5 EUR, sum(quantity of lines))"
        if ev == "planting" and c <= 3:
            return self.pick(['sum(quantity of plants where species = "oak")',
                              "sum(quantity of plants where height >= 2 and species != \"ash\")",
                              "count(plants)"])
        if ev == "return" and c <= 2:
            return f"value / {self.pick([1, 5])} EUR"
        if ev == "workshop" and c <= 1:
            return "paid / 1 EUR"
        if self.params and c == 5:
            return self.pick(self.params)
        return str(r.randint(1, 60))

    def customer_wallets(self):
        return [w for w, o in self.wallets.items() if not o["staff"]]

    def multipliers(self, ev):
        ms = []
        for _ in range(self.r.randint(0, 2)):
            f = self.pick(["2", "1.5", "110%", "3", "0.5"])
            if ev == "purchase" and self.chance(0.2):
                # a factor computed from the event (two scaled values multiplied)
                f = self.pick(["total / 100 EUR", "1.5 * count(lines)"])
            if self.ladders and self.chance(0.4):
                lad = self.pick(list(self.ladders))
                cond = f"{lad} >= {self.pick(self.ladders[lad][1:] or self.ladders[lad])}"
            elif ev:
                cond = self.event_cond(ev, 1)
            else:
                cond = self.history()
            ms.append(f"    times {f} when {cond}")
        if ms and self.chance(0.6):
            ms.append(f"    rounded {self.pick(['down', 'up', 'nearest'])}")
        return ms

    def notify(self, ev):
        args = []
        for _ in range(self.r.randint(0, 3)):
            c = self.r.randint(0, 5)
            key = f"k{len(args)}"
            if c == 0:
                args.append(f"{key} = {self.money(1, 20)}")
            elif c == 1 and self.customer_wallets():
                args.append(f"{key} = balance({self.pick(self.customer_wallets())})")
            elif c == 2 and ev == "purchase":
                args.append(f"{key} = floor(total / 1 EUR)")
            elif c == 3 and ev in ("purchase", "signup"):
                args.append(f"{key} = channel")
            elif c == 5 and ev in ("purchase", "visit"):
                args.append(f"{key} = store")
            elif c == 4:
                args.append(f"{key} = {self.r.randint(1, 500)} - count(purchase in last 365 days)")
            else:
                args.append(f"{key} = {self.r.randint(1, 99)} days")
        t = f'"t-{self.r.randint(1, 999)}"'
        return f"  notify {t}" + (f" with ({', '.join(args)})" if args else "")

    def actions(self, ev, staff=False, allow_debit=True):
        acts = []
        wallets = [w for w, o in self.wallets.items() if o["staff"] == staff]
        n = self.r.randint(1, 3)
        for _ in range(n):
            c = self.r.randint(0, 9)
            if staff:
                c = 0
            if c <= 5 and wallets:
                w = self.pick(wallets)
                acts.append(f"  award {self.amount(ev, w)} {w}")
                acts.extend(self.multipliers(ev))
            elif c == 6 and self.badges:
                acts.append(f'  badge "{self.pick(self.badges)}"')
            elif c == 7 and allow_debit and wallets and self.chance(0.5):
                acts.append(f"  debit {self.r.randint(1, 30)} {self.pick(wallets)}")
            else:
                acts.append(self.notify(ev))
        if not any(a.lstrip().startswith(("award", "badge", "notify", "debit")) for a in acts):
            acts.append(self.notify(ev))
        return acts

    def clauses(self, staff=False):
        cl = []
        wallets = [w for w, o in self.wallets.items() if o["staff"] == staff]
        c = self.r.randint(0, 7)
        if c == 0:
            cl.append("  once")
        elif c == 1:
            cl.append("  unlimited")
        elif c <= 4:
            per = self.pick(["day", "week", "month", "year", "customer"])
            cl.append(f"  limit {self.r.randint(1, 5)} per {per}")
        elif c == 5 and wallets:
            cl.append(f"  limit {self.r.randint(20, 500)} {self.pick(wallets)} per {self.pick(['week', 'month'])}")
        else:
            cl.append(f"  limit {self.r.randint(1, 3)} times per {self.pick(['day', 'week'])}")
        if wallets and self.chance(0.2):
            cl.append(f"  budget {self.r.randint(50, 3000)} {self.pick(wallets)}")
        return cl

    def dates(self):
        if not self.chance(0.2):
            return ""
        m = self.r.randint(3, 6)
        d = self.r.randint(1, 28)
        parts = []
        if self.chance(0.8):
            parts.append(f"from 2027-{m:02d}-{d:02d}")
        if self.chance(0.6) or not parts:
            parts.append(f"until 2027-{m + self.r.randint(0, 4):02d}-{self.r.randint(1, 28):02d}")
        if len(parts) == 2 and parts[1][6:] < parts[0][5:]:
            parts = [parts[0]]
        return " " + " ".join(parts)

    def scope(self):
        c = self.r.random()
        if c < 0.1:
            return f' in region "{self.pick(REGIONS)}"'
        if c < 0.18:
            return f' at stores "{self.pick(STORES)}", "{self.pick(STORES)}"'
        return ""

    def trigger_events(self):
        evs = ["purchase", "purchase", "purchase", "return", "visit", "app", "signup", "review", "referral"]
        if self.items:
            evs.append("redemption")
        if self.custom:
            evs.append(self.custom)
        if self.planting:
            evs.append("planting")
        return evs

    # ---- declarations ----
    def header(self):
        self.emit(f'program "gen-{self.seed}" version "1"')
        self.emit("use retail")
        self.emit("currency EUR")
        self.emit(f'timezone "{self.pick(ZONES)}"')
        if self.chance(0.5):
            self.emit(f"allow late events up to {self.r.randint(1, 6)} hours")
        self.emit()

    def custom_event(self):
        if self.chance(0.3):
            # A list of records with an optional field: absent values inside lines.
            self.emit("record plant {")
            self.emit("  species: string")
            self.emit("  quantity: count")
            self.emit("  height: number optional")
            self.emit("}")
            self.emit("event planting {")
            self.emit("  site: string")
            self.emit("  plants: list of plant")
            self.emit("}")
            self.emit()
            self.planting = True
        if not self.chance(0.35):
            return
        self.emit("enum workshop_kind { pruning, composting, seed_swap }")
        self.emit("event workshop {")
        self.emit("  kind: workshop_kind")
        self.emit("  store: string")
        self.emit("  length: duration")
        self.emit("  paid: money optional")
        self.emit("  tags: list of string")
        self.emit("}")
        self.emit()
        self.custom = "workshop"

    def wallets_decl(self):
        exp = self.chance(0.7)
        pend = self.chance(0.35)
        line = 'wallet points "Points"'
        if exp:
            line += f" expires {self.r.randint(1, 12)} months after earning"
        if pend:
            line += f" pending {self.r.randint(1, 21)} days"
        self.emit(line)
        self.wallets["points"] = {"expires": exp, "pending": pend, "staff": False}
        if self.chance(0.6):
            exp = self.chance(0.5)
            self.emit('wallet eco "Eco-credits"' + (f" expires {self.r.randint(1, 24)} months after earning" if exp else ""))
            self.wallets["eco"] = {"expires": exp, "pending": False, "staff": False}
        if self.chance(0.5):
            self.emit('wallet xp "Experience"')
            self.wallets["xp"] = {"expires": False, "pending": False, "staff": False}
        if self.chance(0.4):
            self.emit('wallet kudos "Kudos" for staff')
            self.wallets["kudos"] = {"expires": False, "pending": False, "staff": True}
        self.emit()

    def badges_decl(self):
        n = self.r.randint(0, 4)
        if not n:
            return
        self.emit("badges {")
        for i in range(n):
            b = f"b{i}"
            self.badges.append(b)
            self.emit(f'  "{b}": "Badge {i}"' if self.chance(0.7) else f'  "{b}"')
        self.emit("}")
        self.emit()

    def ladders_decl(self):
        if self.chance(0.6):
            metric = self.pick([
                f"points earned in last {self.pick([90, 365])} days",
                "points earned",
                f"sum(total of purchase in last {self.pick([6, 12])} months)",
                f"count(purchase in last {self.pick([30, 365])} days)",
            ])
            money = metric.startswith("sum(total")
            rungs = ["bronze", "silver", "gold", "platinum"][: self.r.randint(2, 4)]
            self.emit(f"tiers status on {metric} {{")
            at = 0
            for rg in rungs:
                self.emit(f"  {rg} at {at}{' EUR' if money else ''}")
                at += self.r.randint(2, 300) if not metric.startswith("count") else self.r.randint(1, 4)
            if self.chance(0.5):
                self.emit(f"  hold {self.r.randint(1, 90)} days")
            if self.chance(0.6):
                self.emit(f"  review every {self.pick(['week', 'month', 'year'])}")
            self.emit("}")
            self.ladders["status"] = rungs
        if "xp" in self.wallets and self.chance(0.7):
            rungs = ["seedling", "sprout", "shrub", "tree"][: self.r.randint(2, 4)]
            self.emit("levels rank on xp earned {")
            at = 0
            for rg in rungs:
                self.emit(f"  {rg} at {at}")
                at += self.r.randint(5, 200)
            self.emit("}")
            self.ladders["rank"] = rungs
        self.emit()

    def params_decl(self):
        for i in range(self.r.randint(0, 2)):
            p = f"p{i}"
            self.emit(f"param {p} = {self.r.randint(1, 50)}")
            self.params.append(p)
        if self.params:
            self.emit()

    def catalogue_decl(self):
        if not self.chance(0.5):
            return
        self.emit("catalogue {")
        for i in range(self.r.randint(1, 4)):
            item = f"Reward {i}"
            w = self.pick(self.customer_wallets())
            line = f'  reward "{item}" costs {self.r.randint(5, 300)} {w}'
            if self.ladders and self.chance(0.3):
                lad = self.pick(list(self.ladders))
                line += f" for {lad} >= {self.pick(self.ladders[lad])}"
            self.emit(line)
            self.items.append(item)
        self.emit("}")
        self.emit()

    def rule(self, kw="rule", ev=None, in_group=None):
        staff = kw == "quest"
        ev = ev or self.pick(self.trigger_events())
        self.events_used.add(ev)
        nm = self.name(f"{kw.capitalize()} {len(self.rule_names)}")
        self.rule_names.append(nm)
        if not in_group and not staff:
            self.plain_rules.append((nm, kw, ev))
        where = f" where {self.event_cond(ev)}" if self.chance(0.6) else ""
        self.emit(f'{kw} "{nm}"{self.scope()} on {ev}{where}{self.dates()}:')
        if in_group:
            w = in_group
            self.emit(f"  award {self.amount(ev, w)} {w}")
            for m in self.multipliers(ev):
                self.emit(m)
        else:
            for a in self.actions(ev, staff=staff):
                self.emit(a)
        for c in self.clauses(staff=staff):
            self.emit(c)
        self.emit()

    def timed_rule(self):
        c = self.r.randint(0, 4)
        expiring = [w for w, o in self.wallets.items() if o["expires"] and not o["staff"]]
        nm = self.name(f"Timed {len(self.rule_names)}")
        self.rule_names.append(nm)
        if c == 0:
            ev = self.pick(["purchase", "visit", "app"])
            where = f" where {self.event_cond(ev, 2)}" if self.chance(0.3) and ev != "app" else ""
            trig = f"when no {ev}{where} for {self.r.randint(5, 120)} days"
            ev = None
        elif c == 1 and expiring:
            trig = f"when {self.pick(expiring)} expire within {self.r.randint(5, 60)} days"
            ev = None
        elif c == 2:
            trig = "when birthday" + (" month" if self.chance(0.5) else "")
            ev = None
        else:
            ev = self.pick(["purchase", "signup", "visit"])
            where = f" where {self.event_cond(ev, 2)}" if self.chance(0.5) else ""
            trig = f"when {self.r.randint(1, 40)} days after {ev}{where}"
        self.emit(f'rule "{nm}" {trig}:')
        if ev == "purchase" and self.chance(0.6):
            # The event's numbers and choices, kept until the rule falls due (not its texts).
            self.emit(f"  award total / {self.pick([1, 2, 5])} EUR {self.pick(self.customer_wallets())}")
            self.emit(f"    times 2 when {self.pick(['channel = app', 'pickup <= 2 hours', 'checkout = till'])}")
            self.emit(f'  notify "after-{self.r.randint(1, 99)}" with (paid = total, how = payment)')
            self.emit()
            return
        # `when D after EVENT` actions may read only the event's numbers and choices.
        for a in self.actions(None if ev is None else "timed", allow_debit=False):
            self.emit(a)
        self.emit()

    def group(self):
        wallets = self.customer_wallets()
        kind = self.pick(["best", "first"])
        w = self.pick(wallets)
        self.emit(f'group "{self.name("Group")}" keep {kind} {{')
        ev = self.pick(["purchase", "purchase", "return", "visit"])
        for _ in range(self.r.randint(2, 3)):
            self.rule(self.pick(["challenge", "bonus", "rule"]), ev, in_group=w)
        self.emit("}")
        self.emit()

    def mission(self):
        nm = self.name(f"Mission {len(self.rule_names)}")
        self.rule_names.append(nm)
        head = f'mission "{nm}"{self.scope()}'
        if self.chance(0.6):
            head += f" within {self.r.randint(5, 90)} days"
            if self.chance(0.5):
                head += " of signup"
        if self.chance(0.4):
            head += f" for {self.history()}"
        head += self.dates()
        self.emit(head + " {")
        for i in range(self.r.randint(1, 4)):
            ev = self.pick(self.trigger_events())
            self.events_used.add(ev)
            line = f'  step "s{i}": {ev}'
            if self.chance(0.4):
                line += f" where {self.event_cond(ev, 2)}"
            if self.chance(0.3):
                line += f", {self.r.randint(2, 3)} times"
            if self.chance(0.3) and self.customer_wallets():
                line += f" then award {self.r.randint(1, 40)} {self.pick(self.customer_wallets())}"
            self.emit(line)
        if self.chance(0.8):
            rew = f"  reward {self.r.randint(10, 300)} {self.pick(self.customer_wallets())}"
            if self.badges and self.chance(0.5):
                rew += f', badge "{self.pick(self.badges)}"'
            self.emit(rew)
        self.emit("}")
        self.emit()

    def streak(self):
        nm = self.name(f"Streak {len(self.rule_names)}")
        self.rule_names.append(nm)
        per = self.pick(["day", "week", "month"])
        n = self.r.randint(2, 5)
        ev = self.pick(["purchase", "visit", "app", "purchase"])
        self.events_used.add(ev)
        where = f" where {self.event_cond(ev, 2)}" if self.chance(0.15) else ""
        # Scopes and dates mostly left out: a streak needs many matching periods in a row.
        scope = self.scope() if self.chance(0.3) else ""
        line = f'streak "{nm}"{scope} on {ev}{where} every {per} for {n} {per}s'
        if self.chance(0.5):
            line += f" grace {self.r.randint(1, n - 1)} {per}" + ("s" if n > 2 and False else "")
        line += (self.dates() if self.chance(0.3) else "") + ":"
        self.emit(line)
        for a in self.actions(ev, allow_debit=False):
            self.emit(a)
        if self.chance(0.5):
            self.emit(f"  limit {self.r.randint(1, 3)} per {self.pick(['month', 'year', 'customer'])}")
        self.emit()

    def experiment(self):
        if not self.chance(0.4):
            return
        n = self.r.randint(2, 3)
        cuts = sorted(self.r.sample(range(1, 100), n - 1))
        shares = [b - a for a, b in zip([0] + cuts, cuts + [100])]
        self.emit(f'experiment "{self.name("Experiment")}" {{')
        for i, s in enumerate(shares):
            line = f'  variant "v{i}" {s}%'
            changes = []
            if i > 0:
                if self.params and self.chance(0.6):
                    changes.append(f"{self.pick(self.params)} = {self.r.randint(1, 80)}")
                if self.rule_names and self.chance(0.5):
                    changes.append(f'skip "{self.pick(self.rule_names)}"')
            if changes:
                line += ": " + ", ".join(dict.fromkeys(changes))
            self.emit(line)
        self.emit("}")
        self.emit()

    def overlay(self):
        """An overlay for a region or some stores, or None."""
        if not self.chance(0.3):
            return None
        base_out, self.out = self.out, []
        if self.chance(0.5):
            scope = f'region "{self.pick(REGIONS)}"'
        else:
            scope = "stores " + ", ".join(f'"{x}"' for x in self.r.sample(STORES, self.r.randint(1, 2)))
        self.emit(f'overlay "gen-{self.seed}-pilot" extends "gen-{self.seed}" version "1" for {scope}')
        self.emit()
        for p in self.params:
            if self.chance(0.6):
                self.emit(f"param {p} = {self.r.randint(1, 90)}")
        for nm, kw, ev in self.r.sample(self.plain_rules, min(len(self.plain_rules), self.r.randint(0, 2))):
            self.emit(f'override {kw} "{nm}" on {ev}' +
                      (f" where {self.event_cond(ev, 1)}" if self.chance(0.5) else "") + ":")
            for a in self.actions(ev):
                self.emit(a)
            for c in self.clauses():
                self.emit(c)
            self.emit()
        overridden = {ln[len("override "):].split('"')[1] for ln in self.out if ln.startswith("override ")}
        for nm in self.r.sample(self.rule_names, min(len(self.rule_names), self.r.randint(0, 2))):
            if nm not in overridden:
                self.emit(f'disable "{nm}"')
        self.emit()
        for _ in range(self.r.randint(0, 2)):
            self.rule(self.pick(["rule", "bonus"]), self.pick(["purchase", "visit", "return"]))
        if self.chance(0.5):
            self.timed_rule()  # time passing follows the customer's latest region or store
        text = "\n".join(self.out).rstrip() + "\n"
        self.out = base_out
        return text

    def program(self):
        self.header()
        self.custom_event()
        self.wallets_decl()
        self.badges_decl()
        self.ladders_decl()
        self.params_decl()
        self.catalogue_decl()
        # points on spend first, as every real programme has one
        self.emit('rule "Base earn" on purchase:')
        self.names.add("Base earn")
        self.rule_names.append("Base earn")
        self.emit(f"  award total / {self.pick([1, 2])} EUR points")
        for m in self.multipliers("purchase"):
            self.emit(m)
        self.emit()
        for _ in range(self.r.randint(2, 9)):
            c = self.r.random()
            if c < 0.45:
                self.rule(self.pick(["rule", "challenge", "bonus"]))
            elif c < 0.6:
                self.timed_rule()
            elif c < 0.7:
                self.mission()
            elif c < 0.8:
                self.streak()
            elif c < 0.9:
                self.group()
            elif "kudos" in self.wallets:
                self.rule("quest", self.pick(["purchase", "return"]))
            else:
                self.rule()
        self.experiment()
        return "\n".join(self.out).rstrip() + "\n"


# ---- events ----

class Stream:
    def __init__(self, g, edges=False):
        self.g = g
        self.edges = edges      # sometimes extreme amounts (see generate)
        self.r = random.Random(g.seed * 7919 + 1)
        self.t = 1_804_000_000 + self.r.randint(0, 86400 * 60)   # 2027-03-01 or so
        self.lines = []
        self.schedule = []
        self.purchases = []     # (id, customer, lines) for returns
        self.n = 0

    def stamp(self, t):
        from datetime import datetime, timedelta, timezone
        off = self.r.choice([0, 3600, 7200, -18000])
        tz = timezone(timedelta(seconds=off))
        return datetime.fromtimestamp(t, tz).isoformat()

    def basket(self):
        lines = []
        for _ in range(self.r.randint(0, 5)):
            q = self.r.randint(1, 4)
            up = round(self.r.uniform(0.5, 120), 2)
            if self.edges and self.r.random() < 0.02:
                # edges: nothing paid, a huge basket, a huge price (sums and products overflow small types)
                q, up = self.r.choice([(1, 0), (0, 5.5), (1_000_000, 19.99), (3, 99_999_999.99), (1, 0.01)])
            lines.append({"sku": f"SKU-{self.r.randint(1, 50)}", "category": self.r.choice(CATEGORIES),
                          "tags": self.r.sample(TAGS, self.r.randint(0, 2)), "quantity": q,
                          "unit_price": up, "price": round(q * up, 2)})
        return lines

    def event(self, cust):
        r = self.r
        evs = ["purchase"] * 5 + ["visit", "app", "signup", "review", "referral", "return", "return"]
        if self.g.items:
            evs += ["redemption"] * 2
        if self.g.custom:
            evs += ["workshop"]
        if self.g.planting:
            evs += ["planting"]
        ev = r.choice(evs)
        self.n += 1
        e = {"type": ev, "id": f"e{self.n}", "customer": cust, "at": self.stamp(self.t)}
        if ev == "purchase":
            lines = self.basket()
            e.update(lines=lines, total=round(sum(x["price"] for x in lines), 2), channel=r.choice(CHANNELS),
                     payment=r.choice(PAYMENTS), checkout=r.choice(CHECKOUTS), store=r.choice(STORES),
                     region=r.choice(REGIONS))
            if r.random() < 0.5:
                e["staff"] = f"s{r.randint(1, 4)}"
            if e["checkout"] == "click_collect" and r.random() < 0.8:
                e["pickup"] = f"PT{r.randint(0, 5)}H{r.randint(0, 59)}M"
            self.purchases.append((e["id"], cust, lines))
        elif ev == "return":
            mine = [p for p in self.purchases if p[1] == cust]
            if mine and r.random() < 0.8:
                pid, _, plines = r.choice(mine)
                lines = r.sample(plines, r.randint(0, len(plines))) if plines else []
                e["original"] = pid
            else:
                lines = self.basket()
            e.update(action=r.choice(ACTIONS), lines=lines, value=round(sum(x["price"] for x in lines), 2),
                     store=r.choice(STORES), region=r.choice(REGIONS))
            if r.random() < 0.4:
                e["staff"] = f"s{r.randint(1, 4)}"
        elif ev == "visit":
            e.update(store=r.choice(STORES), region=r.choice(REGIONS))
        elif ev == "app":
            e.update(action=r.choice(APP_ACTIONS))
        elif ev == "signup":
            e.update(channel=r.choice(CHANNELS), region=r.choice(REGIONS))
            if r.random() < 0.7:
                e["birthday"] = f"{r.randint(1950, 2005)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
        elif ev == "review":
            e.update(sku=f"SKU-{r.randint(1, 50)}", rating=r.randint(1, 5))
        elif ev == "referral":
            e.update(friend=f"c{r.randint(100, 200)}")
        elif ev == "redemption":
            e.update(item=r.choice(self.g.items + ["Nothing such"]), channel=r.choice(CHANNELS),
                     store=r.choice(STORES))
        elif ev == "planting":
            plants = []
            for _ in range(r.randint(0, 4)):
                p = {"species": r.choice(["oak", "ash", "rose", "fern"]), "quantity": r.randint(1, 9)}
                if r.random() < 0.6:
                    p["height"] = round(r.uniform(0.1, 4), 2)
                plants.append(p)
            e.update(site=f"garden-{r.randint(1, 3)}", plants=plants)
        elif ev == "workshop":
            e.update(kind=r.choice(["pruning", "composting", "seed_swap"]), store=r.choice(STORES),
                     length=f"PT{r.randint(1, 3)}H", tags=r.sample(TAGS, r.randint(0, 3)))
            if r.random() < 0.5:
                e["paid"] = round(r.uniform(0, 40), 2)
        return e

    def make(self, count):
        r = self.r
        customers = [f"c{i}" for i in range(1, r.randint(3, 25))]
        regular = r.random() < 0.5
        for c in customers:
            if r.random() < 0.7:
                self.n += 1
                e = {"type": "signup", "id": f"e{self.n}", "customer": c, "at": self.stamp(self.t),
                     "channel": r.choice(CHANNELS), "region": r.choice(REGIONS)}
                if r.random() < 0.8:
                    e["birthday"] = f"{r.randint(1950, 2005)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
                self.lines.append(json.dumps(e))
                self.t += r.randint(1, 600)
        while len(self.lines) < count:
            x = r.random()
            if x < 0.03 and self.lines:
                self.lines.append(r.choice(self.lines[-5:]))                 # a duplicate
                continue
            if x < 0.05:
                self.lines.append(r.choice([                                  # malformed
                    '{"type":"purchase","id":"bad","customer":"c1"',
                    '{"type":"nosuch","id":"x1","customer":"c1","at":"2027-03-01T00:00:00Z"}',
                    '{"type":"visit","id":"x2","customer":"c1","at":"not a time","store":"S01","region":"north"}',
                    '{"type":"visit","id":"x3","customer":"c1","at":"2027-03-01T00:00:00Z"}',
                    "",
                    "garbage",
                ]))
                continue
            # A regular customer (some seeds): c1 comes back at nearly every step, so that
            # streaks and repeated mission steps get done.
            cust = customers[0] if regular and r.random() < 0.6 else r.choice(customers)
            e = self.event(cust)
            if x < 0.08:
                del e["customer"]                                             # anonymous
            if x < 0.12 and len(self.lines) > 3:
                e["at"] = self.stamp(self.t - r.randint(60, 86400 * 2))       # late
            self.lines.append(json.dumps(e, separators=(",", ":")))
            jump = r.random()
            if jump < 0.04:
                self.t += r.randint(86400 * 20, 86400 * 120)                  # months
            elif jump < 0.2:
                self.t += r.randint(86400, 86400 * 4)                         # days
            else:
                self.t += r.randint(30, 7200)
            if r.random() < 0.03:
                self.t += 86400 * r.randint(10, 60)
                self.schedule.append(f"{len(self.lines)} {self.stamp(self.t)}")
        self.schedule.append(self.stamp(self.t + 86400 * r.randint(30, 400)))


def generate(seed, edges=False):
    """(program, events, schedule, overlay or None) for `seed`. With `edges`,
    some basket lines carry extreme values (a price of 0, a million items, a
    price of 99,999,999.99 EUR): they look for overflows, and are off by
    default while the runtime still overflows on them (docs/testing.md)."""
    g = Gen(seed)
    prog = g.program()
    overlay = g.overlay()
    s = Stream(g, edges)
    s.make(random.Random(seed).randint(40, 400))
    return prog, "\n".join(s.lines) + "\n", "\n".join(s.schedule) + "\n", overlay


def main(argv):
    edges = "--edges" in argv
    argv = [a for a in argv if a != "--edges"]
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    seed = int(argv[0])
    prog, events, until, overlay = generate(seed, edges)
    for ext, text in ((".ludic", prog), (".jsonl", events), (".until", until), (".overlay.ludic", overlay)):
        if text is not None:
            with open(argv[1] + ext, "w", encoding="utf-8") as f:
                f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
