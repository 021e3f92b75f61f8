#!/usr/bin/env python3
"""Turns the TSV written by tools/results-sweep.sh into the markdown tables of docs/results.md."""
import csv
import sys

rows = list(csv.DictReader(open(sys.argv[1]), delimiter='\t'))
BITS = ['8', '6', '5', '4', '3', '2']
VARIANTS = [('paper', 'paper: symmetric clamp'),
            ('one-sided', 'one-sided clamp'),
            ('one-sided-no-bn', 'one-sided, no BN re-estimation'),
            ('shared-scale', 'shared-scale baseline')]
RANGES = [('percentile', 'percentile'), ('search', 'search')]


def find(**keys):
    return next((r for r in rows if all(r[k] == v for k, v in keys.items())), None)


def cell(r, metric='top1'):
    return r[metric] if r else 'n/a'


fp = find(variant='fp')
print(f"Full precision: {fp['top1']} % top-1, {fp['top5']} % top-5.\n" if fp else '')

for s, title in (('main', 'on the paper\'s calibration set (202 batches x 128 images)'),
                 ('small', 'on the default calibration set (16 batches x 128 images)')):
    bits = [b for b in BITS if find(set=s, bits=b)]
    if not bits:
        continue
    for metric in ('top1', 'top5'):
        print(f"\n{'Top-1' if metric == 'top1' else 'Top-5'} (%) {title}\n")
        print('| method | activation range | ' + ' | '.join(f'{b} bits' for b in bits) + ' |')
        print('|---|---|' + '---|' * len(bits))
        for key, label in VARIANTS:
            for rkey, rlabel in RANGES:
                cells = [cell(find(set=s, bits=b, variant=key, range=rkey), metric) for b in bits]
                if all(c == 'n/a' for c in cells):
                    continue
                print(f'| {label} | {rlabel} | ' + ' | '.join(cells) + ' |')

for b in ('4', '2'):
    batches = sorted({int(r['calib_batches']) for r in rows if r['set'] == 'calib' and r['bits'] == b})
    if not batches:
        continue
    print(f"\nCalibration size, {b} bits, one-sided clamp: top-1 (%)\n")
    print('| calibration batches (x 128 images) | percentile + BN | percentile, no BN | search + BN | search, no BN |')
    print('|---|---|---|---|---|')
    for n in batches:
        cells = [cell(find(set='calib', bits=b, calib_batches=str(n), range=rng, variant=v))
                 for rng in ('percentile', 'search') for v in ('one-sided', 'one-sided-no-bn')]
        print(f'| {n} | ' + ' | '.join(cells) + ' |')

print("""
Commands: every row is `adderq-compile CKPT -o OUT.adq --bits B --act-range R --calib-batches N` with
`--clamp symmetric` (paper), `--clamp one-sided` (one-sided; `--no-bn-adjust` added for the rows
without BN re-estimation) or `--method shared-scale`, then `adderq-run eval OUT.adq --json`; full
precision is `--method fp`. `docs/results.tsv` holds each row's exact command (made by
`tools/results-sweep.sh OUT`, rendered by `tools/results-table.py OUT/results.tsv`).""")
