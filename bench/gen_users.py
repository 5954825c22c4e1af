#!/usr/bin/env python3
"""Deterministic synthetic user-spend records (JSONL) for the benchmarks.

usage: gen_users.py N OUT.jsonl [--seed S] [--prefix u]

Every record carries all 33 spend fields of /work/shared/cardgenius-api.md (clients
send every field; about 60 % are non-zero), a user_id and a cohort: ~0.8 KB a line.
"""
import argparse
import json
import random

MONTHLY = ["amazon_spends", "flipkart_spends", "grocery_spends_online", "online_food_ordering",
           "other_online_spends", "other_offline_spends", "dining_or_going_out", "fuel",
           "school_fees", "rent", "mobile_phone_bills", "electricity_bills", "water_bills",
           "ott_channels", "new_monthly_cat_1", "new_monthly_cat_2", "new_monthly_cat_3"]
ANNUAL = ["hotels_annual", "flights_annual", "insurance_health_annual",
          "insurance_car_or_bike_annual", "large_electronics_purchase_like_mobile_tv_etc",
          "all_pharmacy", "new_cat_1", "new_cat_2", "new_cat_3"]
COUNTS = ["domestic_lounge_usage_quarterly", "international_lounge_usage_quarterly",
          "railway_lounge_usage_quarterly", "movie_usage", "movie_mov", "dining_usage", "dining_mov"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("n", type=int)
    p.add_argument("out")
    p.add_argument("--seed", type=int, default=48)
    p.add_argument("--prefix", default="u")
    a = p.parse_args()
    rng = random.Random(a.seed)
    with open(a.out, "w") as f:
        for i in range(a.n):
            r = {"user_id": f"{a.prefix}{i}", "cohort": "2026-W48"}
            for k in MONTHLY:
                r[k] = rng.choice([500, 1000, 2000, 5000, 12000, 35000]) if rng.random() < 0.6 else 0
            for k in ANNUAL:
                r[k] = rng.choice([5000, 25000, 60000, 100000]) if rng.random() < 0.6 else 0
            for k in COUNTS:
                r[k] = rng.randint(1, 8) if rng.random() < 0.6 else 0
            f.write(json.dumps(r, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
