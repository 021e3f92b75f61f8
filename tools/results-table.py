#!/usr/bin/env python3
"""Turns the TSV written by tools/results-sweep.sh into the markdown tables of docs/results.md."""
import csv
import sys

rows = list(csv.DictReader(open(sys.argv[1]), delimiter='\t'))
variants = [('adderquant', 'AdderQuant (4 groups, BN re-estimation)'),
            ('adderquant-g1', 'AdderQuant, `--groups 1`'),
            ('adderquant-no-bn', 'AdderQuant, `--no-bn-adjust`'),
            ('shared-scale', 'shared-scale baseline (with BN re-estimation)')]
bits = [b for b in ['8', '6', '5', '4', '3', '2'] if any(r['bits'] == b for r in rows)]
fp = next((r for r in rows if r['variant'] == 'fp'), None)
for metric in ('top1', 'top5'):
    print(f"\n{'Top-1' if metric == 'top1' else 'Top-5'} (%), all 10,000 CIFAR-10 test images"
          + (f"; full precision {fp[metric]}" if fp else '') + "\n")
    print('| method | ' + ' | '.join(f'{b} bits' for b in bits) + ' |')
    print('|---|' + '---|' * len(bits))
    for key, label in variants:
        cells = []
        for b in bits:
            r = next((r for r in rows if r['bits'] == b and r['variant'] == key), None)
            cells.append(r[metric] if r else 'n/a')
        print(f'| {label} | ' + ' | '.join(cells) + ' |')
print('\nCommands (each followed by `adderq-run eval OUT.adq --json`):\n')
for r in rows:
    print(f"- {r['variant']}, {r['bits']} bits: `{r['command']} -o OUT.adq`")
