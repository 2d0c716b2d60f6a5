#!/usr/bin/env python3
"""realdata.py — turn the real retail data sets into ludic event streams (JSON Lines).

usage:
  realdata.py uci FILE.csv   > events.jsonl    UCI Online Retail (either slice)
  realdata.py cdnow FILE.txt > events.jsonl    CDNOW purchase history

One event per line, in time order, in the shape `ludic run` reads:
  {"type": "purchase", "id": "...", "customer": "...", "at": "2010-12-01T08:26:00+00:00", ...fields}

The data sets have no channel, payment method, checkout type, store, region,
category or tags. Those are derived deterministically from a hash of the
invoice number (or the stock code), so the same input always gives the same
stream and the derivation is the same on every machine:

  h(x)      = the first 4 bytes, big-endian, of SHA-256 of the UTF-8 text x
  channel   = store (60%), web (30%), app (10%)          from h("channel:" + invoice)
  checkout  = till / self_checkout in store (70/30), click_collect / home_delivery
              online (40/60)                              from h("checkout:" + invoice)
  payment   = card 55%, cash 10% (store only, else card), mobile_wallet 20%,
              bank_app 10%, gift_card 5%                  from h("payment:" + invoice)
  store     = "S01".."S12" in store, "web" online          from h("store:" + invoice)
  region    = "north" for S01-S04, "south" for S05-S08, "east" for S09-S12,
              "online" for web
  staff     = "staff-" + store + "-" + (1..3) at a till   from h("staff:" + invoice)
  pickup    = click & collect only: 10 to 240 minutes, as an ISO 8601 duration ("PT37M")     from h("pickup:" + invoice)
  category  = from words of the description (see CATEGORIES), else "home"
  tags      = "sustainable" when the description names a natural or reused
              material (see SUSTAINABLE), "gift" for cards and wrap
  return    = a `C` invoice (UCI): one return event whose action is refund (70%),
              repair, resale, refill or recycle (7.5% each) from h("action:" + invoice)

Amounts are written as JSON numbers with two decimals and are read by ludic in
the program's currency (the data is in GBP for UCI and USD for CDNOW).
Anonymous sales (UCI rows with no CustomerID) are kept, with no "customer"
field, so that the runtime's handling of them is exercised.
"""
import csv
import hashlib
import json
import sys
from collections import OrderedDict
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

CATEGORIES = [
    ("garden", ("GARDEN", "PLANT", "FLOWER", "BIRD", "HERB", "WATERING", "POT ")),
    ("kitchen", ("MUG", "CUP", "PLATE", "BOWL", "TEA", "CAKE", "LUNCH", "KITCHEN", "JAR", "BOTTLE")),
    ("decoration", ("HEART", "LANTERN", "CANDLE", "T-LIGHT", "FRAME", "SIGN", "ORNAMENT", "DECORATION")),
    ("textile", ("BAG", "CUSHION", "APRON", "TOWEL", "KNITTED", "BLANKET")),
    ("stationery", ("CARD", "WRAP", "PAPER", "NOTEBOOK", "PEN", "STICKER")),
    ("toys", ("TOY", "GAME", "DOLL", "PUZZLE", "PLAYHOUSE")),
]
SUSTAINABLE = ("WOOD", "WOODEN", "RECYCLED", "JUTE", "BAMBOO", "ORGANIC", "VINTAGE", "ZINC", "ENAMEL")


def h(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "big")


def pick(key: str, choices):
    """choices: [(value, weight)], weights summing to 100."""
    r = h(key) % 100
    for value, weight in choices:
        if r < weight:
            return value
        r -= weight
    return choices[-1][0]


def money(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def derive_context(invoice: str) -> dict:
    channel = pick("channel:" + invoice, [("store", 60), ("web", 30), ("app", 10)])
    if channel == "store":
        checkout = pick("checkout:" + invoice, [("till", 70), ("self_checkout", 30)])
        payment = pick("payment:" + invoice,
                       [("card", 55), ("cash", 10), ("mobile_wallet", 20), ("bank_app", 10), ("gift_card", 5)])
        store = "S%02d" % (h("store:" + invoice) % 12 + 1)
        region = ("north", "south", "east")[(int(store[1:]) - 1) // 4]
    else:
        checkout = pick("checkout:" + invoice, [("click_collect", 40), ("home_delivery", 60)])
        payment = pick("payment:" + invoice,
                       [("card", 65), ("mobile_wallet", 20), ("bank_app", 10), ("gift_card", 5)])
        store, region = "web", "online"
    ctx = OrderedDict(channel=channel, payment=payment, checkout=checkout, store=store, region=region)
    if checkout == "till":
        ctx["staff"] = "staff-%s-%d" % (store, h("staff:" + invoice) % 3 + 1)
    if checkout == "click_collect":
        ctx["pickup"] = "PT%dM" % (10 + h("pickup:" + invoice) % 231)
    return ctx


def describe(description: str):
    d = " " + (description or "").upper() + " "
    category = "home"
    for name, words in CATEGORIES:
        if any(w in d for w in words):
            category = name
            break
    tags = []
    if any((" " + w + " ") in d for w in SUSTAINABLE):
        tags.append("sustainable")
    if category == "stationery" and ("CARD" in d or "WRAP" in d):
        tags.append("gift")
    return category, tags


def uci_time(text: str) -> str:
    return datetime.strptime(text.strip(), "%m/%d/%Y %H:%M").strftime("%Y-%m-%dT%H:%M:00+00:00")


def uci(path: str, out):
    invoices = OrderedDict()
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            invoices.setdefault(row["InvoiceNo"], []).append(row)
    events = []
    for invoice, rows in invoices.items():
        first = rows[0]
        lines = []
        for row in rows:
            if "Quantity" in row:
                qty = int(row["Quantity"])
                unit = Decimal(row["UnitPrice"])
                price = money(unit * qty)
            else:
                price = money(Decimal(row["Amount"]))
                qty = 1 if price >= 0 else -1
                unit = abs(price)
            category, tags = describe(row["Description"])
            lines.append(OrderedDict(sku=row["StockCode"], category=category, tags=tags, quantity=abs(qty),
                                     unit_price=abs(unit), price=abs(price)))
        total = money(sum((l["price"] for l in lines), Decimal(0)))
        ctx = derive_context(invoice.lstrip("C"))
        ev = OrderedDict()
        ev["type"] = "return" if invoice.startswith("C") else "purchase"
        ev["id"] = "uci-" + invoice
        if first["CustomerID"].strip():
            ev["customer"] = "uci-" + first["CustomerID"].strip()
        ev["at"] = uci_time(first["InvoiceDate"])
        if ev["type"] == "return":
            ev["action"] = pick("action:" + invoice, [("refund", 70), ("repair", 8), ("resale", 8), ("refill", 7),
                                                      ("recycle", 7)])
            ev["lines"] = lines
            ev["value"] = total
            ev["store"], ev["region"] = ctx["store"], ctx["region"]
            if "staff" in ctx:
                ev["staff"] = ctx["staff"]
        else:
            ev["lines"] = lines
            ev["total"] = total
            ev.update(ctx)
        events.append(ev)
    events.sort(key=lambda e: e["at"])  # stable: invoice order within a minute
    write(events, out)


def cdnow(path: str, out):
    events = []
    seen = {}
    with open(path, encoding="utf-8") as f:
        next(f)
        for raw in f:
            parts = raw.split()
            if len(parts) != 4:
                continue
            cust, date, cds, value = parts
            n = seen.get((cust, date), 0)
            seen[(cust, date)] = n + 1
            key = "%s-%s-%d" % (cust, date, n)
            at = "%s-%s-%sT12:00:00+00:00" % (date[:4], date[4:6], date[6:])
            total = money(Decimal(value))
            count = max(int(cds), 1)
            unit = money(total / count)
            lines = [OrderedDict(sku="cd-%d" % (h("sku:" + key) % 5000), category="music", tags=[],
                                 quantity=count, unit_price=unit, price=total)]
            ev = OrderedDict(type="purchase", id="cdnow-" + key, customer="cdnow-" + cust.lstrip("0"), at=at,
                             lines=lines, total=total)
            ev.update(derive_context(key))
            events.append(ev)
    events.sort(key=lambda e: e["at"])
    write(events, out)


def write(events, out):
    for ev in events:
        out.write(json.dumps(ev, default=lambda d: float(d) if isinstance(d, Decimal) else str(d),
                             separators=(",", ":")) + "\n")


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("uci", "cdnow"):
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        sys.exit(2)
    (uci if sys.argv[1] == "uci" else cdnow)(sys.argv[2], sys.stdout)


if __name__ == "__main__":
    main()
