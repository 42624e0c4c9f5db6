"""The demo pipeline end to end, shortened: every stage reads what the previous one wrote
(codemix -> tokenize_prep -> pretrain -> continued pretraining with a resized vocabulary -> sft ->
evaluate), as configs/demo.sh runs it, in a temporary directory."""
import importlib
import json
import os
import subprocess
import sys

import torch

import model as M
import plumbing as P
from conftest import ROOT


def run(*args):
    r = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                       env={**os.environ, 'OMP_NUM_THREADS': '1'})
    assert r.returncode == 0, f"{args}: {r.stderr[-3000:]}"
    return r.stdout


def test_each_stage_consumes_the_previous_stages_output(tmp_path):
    out = tmp_path
    mixed = out / 'codemix.json'
    run('codemix.py', f'--output_file={mixed}')
    assert len(json.loads(mixed.read_text())) == len(json.loads((ROOT / 'data/demo/alpaca_en.json').read_text()))

    tok, data = out / 'tok' / 'tokenizer.model', out / 'data'
    run('tokenize_prep.py', f'--tokenizer_path={tok}', f'--out_dir={data}', '--tokenizer_vocab_size=400', '--report={}')
    ext, data_ext = out / 'tok_ext' / 'tokenizer.model', out / 'data_ext'
    sft_mix = {'commit': {'codemix_hi': {'path': str(mixed), 'lang': 'hi'}},
               'pairs': {'hml_en-hi': {'path': 'data/demo/en-hi.train.tsv', 'lang': 'en-hi'}}}
    run('tokenize_prep.py', 'configs/demo_extend.py', f'--tokenizer_path={tok}', f'--extend_out={ext}',
        f'--out_dir={data_ext}', f'--sft={sft_mix!r}', "--sft_budget={'codemix_hi': 40, 'hml_en-hi': 40}",
        '--extend_vocab_size=300', '--report={}')
    meta = json.loads((data_ext / 'meta.json').read_text())
    assert meta['base_tokenizer']['sha256'] == M.Tokenizer(tok).sha256 and meta['vocab_size'] > 400

    tiny = ['--dim=32', '--n_layers=2', '--n_heads=2', '--multiple_of=16', '--batch_size=2', '--block_size=64',
            '--warmup_steps=1', '--eval_interval=4', '--ckpt_interval=4', '--eval_batches=1']
    run('pretrain.py', *tiny, f'--data_dir={data}', f'--out_dir={out}/base', '--max_steps=4')
    run('pretrain.py', 'configs/demo_cpt_hi_en.py', *tiny, f'--init_from={out}/base/latest', f'--data_dir={data_ext}',
        f'--out_dir={out}/cpt', '--max_steps=4')
    cpt, _ = M.load(out / 'cpt' / 'latest')
    assert cpt.args.vocab_size == meta['vocab_size']  # grown to the extended tokenizer
    run('sft.py', 'configs/demo_sft_commit.py', *tiny, '--block_size=512', f'--init_from={out}/cpt/latest',
        f'--data_dir={data_ext}', f'--out_dir={out}/sft', '--max_steps=2', '--eval_interval=2', '--ckpt_interval=2',
        '--val_shard=')
    assert json.loads((out / 'sft' / 'latest' / 'run.json').read_text())['template'] == 'alpaca'
    run('sft.py', 'configs/demo_hml_embed.py', *tiny, '--block_size=512', f'--init_from={out}/cpt/latest',
        f'--data_dir={data_ext}', f'--out_dir={out}/hml', '--max_steps=2', '--eval_interval=2', '--ckpt_interval=2',
        '--val_shard=')

    ckpts = [f'{out}/{n}/latest' for n in ('base', 'cpt', 'sft', 'hml')]
    printed = run('evaluate.py', f'--ckpt_dirs={ckpts!r}', f'--out_dir={out}/eval', '--max_examples=3',
                  '--qa_max_new_tokens=4', '--mt_max_new_tokens=4', '--ppl_window=64')
    results = {n: json.loads((out / 'eval' / f'{n}.json').read_text()) for n in ('base', 'cpt', 'sft', 'hml')}
    assert all(set(r['tasks']) == {'ppl', 'qa', 'mt'} for r in results.values())
    # How Multilingual's quadrants, from the cpt (before) and hml (after) translation results just written
    run('evaluate.py', 'configs/demo_quadrants.py', f'--out_dir={out}/eval', '--quadrant_before=cpt',
        "--quadrant_runs={'hml': ['hml', 'eng_Latn-hin_Deva']}")
    quadrants = json.loads((out / 'eval' / 'analysis.json').read_text())['tasks']['quadrants']
    mt = {n: results[n]['tasks']['mt'] for n in ('cpt', 'hml')}
    assert quadrants['hml']['bilingual']['P_post'] == mt['hml']['eng_Latn-hin_Deva']['chrf']
    assert quadrants['T'] == (mt['cpt']['eng_Latn-hin_Deva']['chrf'] + mt['cpt']['eng_Latn-zho_Hans']['chrf']) / 2
    assert quadrants['hml']['quadrant'] in ('reciprocal', 'selfish', 'altruistic', 'stagnant')
    # the extended vocabulary cuts Hindi into far fewer tokens than the English one
    assert results['cpt']['tasks']['ppl']['hi']['tokens_per_char'] < results['base']['tasks']['ppl']['hi']['tokens_per_char'] / 2
    assert 'ppl/hi/bits_per_byte' in printed
    sft_w, cpt_w = (torch.load(out / d / 'latest' / 'consolidated.00.pth', weights_only=True) for d in ('sft', 'cpt'))
    assert sft_w.keys() == cpt_w.keys() and all(torch.isfinite(v).all() for v in sft_w.values())
    assert any(not torch.equal(sft_w[k], cpt_w[k]) for k in sft_w)  # instruction tuning changed the model
    hml_w = torch.load(out / 'hml' / 'latest' / 'consolidated.00.pth', weights_only=True)
    changed = {k for k in cpt_w if not torch.equal(hml_w[k], cpt_w[k])}
    assert changed == {'tok_embeddings.weight'}  # embedding-only tuning left every other weight as it was


def test_the_demo_script_passes_its_seed_to_every_stage_that_has_one():
    """SEED=2 bash configs/demo.sh reruns the demo with another seed: every stage with a `seed` setting is given
    it (sft.py's comes from pretrain.py), and a stage without one is given none (it would refuse it)."""
    demo = (ROOT / 'configs' / 'demo.sh').read_text()
    assert 'SEED="${SEED:-1337}"' in demo
    stages = [line.split('#')[0].split() for line in demo.splitlines() if line.startswith('python ')]
    assert {s[1] for s in stages} == {'codemix.py', 'tokenize_prep.py', 'pretrain.py', 'sft.py', 'evaluate.py'}
    for words in stages:
        stage = words[1].removesuffix('.py')
        base = importlib.import_module('pretrain') if stage == 'sft' else None
        has_seed = hasattr(P.configure(vars(importlib.import_module(stage)), [], base=base), 'seed')
        assert ('--seed="$SEED"' in words) == has_seed, words
